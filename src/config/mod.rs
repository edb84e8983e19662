//! Loading the desired-state file: TOML with spans, validation that reports every problem of the
//! file at once with its line, and the resulting [`Desired`] state.
//!
//! The format:
//!
//! ```toml
//! # optional: names for network UUIDs, usable wherever a network is expected
//! [networks]
//! app-hel1 = "03126dc1-a69f-4bc2-8b24-e31c22d64712"
//!
//! [[peering]]
//! name = "app-hel1 to aiven-hel1"      # required, 1 to 255 characters
//! network = "app-hel1"                 # the local network: an alias or a UUID
//! peer_network = "03585987-bf7d-4544-8e9b-5a1b4d74a333"
//! configured_status = "active"         # optional: "active" (default) or "disabled"
//! labels = { team = "data" }           # optional
//! ```
//!
//! Such a file is about the account whose credentials are in the environment. A file may instead
//! declare several accounts, and then says for each peering in which account it is:
//!
//! ```toml
//! default_account = "prod"             # optional: the account of peerings that name none
//!
//! [accounts.prod]                      # NAME: 1 to 64 letters, digits, `_` or `-`
//! token_env = "UPCLOUD_TOKEN_PROD"     # the environment variable holding the API token
//! api_url = "sim:prod-state.json"      # optional, like --api-url
//!
//! [accounts.shared]
//! username_env = "SHARED_USER"         # or an API user's name and password
//! password_env = "SHARED_PASSWORD"
//!
//! [accounts.shared.networks]           # aliases of one account
//! hel1 = "85a7e3cd-8ce4-4e86-b8f9-8e7958d5431e"
//!
//! [[peering]]
//! account = "prod"                     # required with accounts, unless default_account
//! name = "prod to aiven"
//! network = "app-hel1"
//! peer_network = "aiven-hel1"
//!
//! [[link]]                             # both halves of a peering between two networks
//! name = "prod <-> shared"
//! a = { account = "prod", network = "app-hel1" }
//! b = { account = "shared", network = "hel1" }
//! configured_status = "active"         # optional, for both halves
//! labels = { team = "platform" }       # optional, for both halves
//! ```
//!
//! Both halves of a peering of an Aiven project VPC, the Aiven half through Aiven's API:
//!
//! ```toml
//! [aiven]                              # needed with [[aiven_peering]]
//! token_env = "AIVEN_TOKEN"            # optional; the default
//! api_url = "https://api.aiven.io"     # optional; default AIVEN_API_URL, else this
//!
//! [[aiven_peering]]
//! name = "app-hel1 to aiven"           # the UpCloud half's name, 1 to 255 characters
//! project = "my-project"               # the Aiven project
//! vpc = "5c1a2f0e-7b3d-4e8a-9f61-2d4b8c0e7a15"   # the project VPC's ID
//! network = "app-hel1"                 # the network of yours: an alias or a UUID
//! aiven_network = "aiven-hel1"         # optional: the "Aiven network ID"; else discovered
//! account = "prod"                     # optional, as for [[peering]]
//! configured_status = "active"         # optional, for the UpCloud half
//! labels = { team = "data" }           # optional, for the UpCloud half
//! ```
//!
//! - `[aiven]` names the variable holding Aiven's token, never the token: `token` and the like
//!   are rejected like an account's secrets. Its presence says the file manages Aiven
//!   connections: prune deletes those of owned UpCloud halves the file no longer lists.
//! - An `[[aiven_peering]]` is a peering like any other for names (unique in the file), its
//!   account, and, when `aiven_network` is given, its pair of networks. A VPC has one
//!   connection per network, so the file peers a network with a VPC once.
//! - The labels `aiven-project` and `aiven-vpc` are reserved, like `managed-by`: peerings sets
//!   them on the UpCloud half, to find its Aiven connection again.
//!
//! Accounts:
//!
//! - The file never holds secrets: `token`, `password` and the like are rejected (and not shown
//!   in messages), with the `_env` key to use instead. An account has `token_env`, or both
//!   `username_env` and `password_env`, each the name of an environment variable.
//! - With accounts, every `[[peering]]` has an `account` (or `default_account` supplies it);
//!   without accounts, neither `account` nor `default_account` may appear, and the file loads
//!   as it did before accounts existed.
//! - A `[[link]]` expands into two peerings, one per side: `a`'s, named
//!   `"<name> (<a's account> side)"`, from `a.network` to `b.network` in `a`'s account, and
//!   `b`'s the other way round. Both carry the link's name in [`DesiredPeering::link`]. Both
//!   sides may be in one account, if their networks differ; the halves are then named after the
//!   networks as written (`"<name> (<a's network> side)"`).
//! - Peering names are unique in the whole file, halves of links included. A pair of networks
//!   may be peered once per account.
//!
//! Network aliases:
//!
//! - `[networks]` holds global aliases; `[accounts.NAME.networks]` holds aliases of one account
//!   (by convention, of its networks). An alias never contains `:`.
//! - `ACCOUNT:alias` means the alias of that account's table, wherever a network is expected.
//! - A bare `alias` in a peering, or in a side of a link, means, in this order: the alias of the
//!   peering's (side's) own account; the global alias; the alias of the one account that defines
//!   it. Defined by several other accounts, and not all for the same UUID, it is ambiguous, and
//!   the message lists the qualified forms. A global alias `ACCOUNT:x`, where ACCOUNT is
//!   declared, could never be reached and is rejected.
//!
//! Anything else is a problem: unknown keys (typos, with a did-you-mean), values of the wrong
//! type, malformed UUIDs, unknown or ambiguous aliases, unknown accounts, duplicate peerings,
//! invalid labels. A file with problems yields [`LoadError::Invalid`], whose [`Problems`] render
//! like cargo's errors.

mod accounts;
mod aiven;
#[cfg(test)]
mod aiven_tests;
mod desired;
mod labels;
mod links;
mod networks;
mod owner;
mod peerings;
mod problems;
mod reader;
pub mod schema;
mod validate;

use std::path::{Path, PathBuf};

use crate::files::{self, MAX_FILE_BYTES, ReadError};

pub use desired::{AccountCredentials, AccountSpec, Desired, DesiredAivenPeering, DesiredPeering};
pub use problems::{Problem, Problems};

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read at all; `cause` says why, once.
    #[error("cannot read {}: {cause}", path.display())]
    Read { path: PathBuf, cause: ReadError },
    /// The file is not valid. Its `Display` is the full rendering, one snippet per problem; use
    /// [`Problems::render`] for colour.
    #[error("{0}")]
    Invalid(Problems),
}

impl LoadError {
    /// What to do about a file that could not be read, where its cause suggests something.
    /// `import` is the command line that would write the missing file from an account, as the
    /// caller's invocation gives it (`peerings import -o PATH`, with its API options).
    pub fn help(&self, import: impl FnOnce(&Path) -> String) -> Option<String> {
        let LoadError::Read { path: file, cause } = self else {
            return None;
        };
        let path = file.display();
        match cause {
            ReadError::NotFound => Some(format!(
                "create it (peerings.toml.example shows the format), write one with `{}`, or \
                 name another with -f PATH",
                import(file)
            )),
            ReadError::Directory => Some(format!(
                "-f names the desired-state file itself, e.g. -f {}/peerings.toml",
                path.to_string().trim_end_matches('/')
            )),
            ReadError::NotRegular(_) => Some(
                "peerings reads its desired state only from a regular file, so that a plan and \
                 its apply read the same content: save the content to a file and name that with \
                 -f PATH"
                    .to_owned(),
            ),
            ReadError::TooLarge => Some(format!(
                "a desired-state file is at most {} MiB; check that -f names the right file",
                MAX_FILE_BYTES / 1024 / 1024
            )),
            ReadError::PermissionDenied => Some(format!(
                "check the permissions of {path} and of the folders above it"
            )),
            ReadError::Other(_) => None,
        }
    }
}

/// Reads and parses the file at `path`; messages name it as the path is written.
pub fn load(path: &Path) -> Result<Desired, LoadError> {
    let bytes = files::read(path).map_err(|cause| LoadError::Read {
        path: path.to_owned(),
        cause,
    })?;
    let origin = path.display().to_string();
    match String::from_utf8(bytes) {
        Ok(source) => parse(&source, &origin),
        Err(error) => Err(not_utf8(&origin, error.as_bytes(), error.utf8_error())),
    }
}

/// A file that is not UTF-8: one problem at the first byte that is not, with its line and
/// column like any other problem.
fn not_utf8(origin: &str, bytes: &[u8], error: std::str::Utf8Error) -> LoadError {
    let at = error.valid_up_to();
    let bad = error.error_len().unwrap_or(bytes.len() - at);
    let shown: Vec<String> = bytes[at..at + bad]
        .iter()
        .map(|byte| format!("0x{byte:02X}"))
        .collect();
    // The text before the first bad byte is the same in the lossy form, so the span holds there;
    // the bad bytes show as one replacement character.
    let source = String::from_utf8_lossy(bytes);
    let problem = Problem::new(
        "the file is not UTF-8 text",
        at..at + char::REPLACEMENT_CHARACTER.len_utf8(),
        format!("{} is not UTF-8", shown.join(" ")),
    )
    .help("a TOML file is UTF-8: save it as UTF-8, e.g. with `iconv -f LATIN1 -t UTF-8`");
    LoadError::Invalid(Problems::new(origin, &source, vec![problem]))
}

/// Parses and validates a file's text. `origin` is the file name that messages use.
pub fn parse(source: &str, origin: &str) -> Result<Desired, LoadError> {
    let (root, syntax_errors) = toml::de::DeTable::parse_recoverable(source);
    // After a syntax error the document is partial, and checking it would report consequences of
    // the error rather than mistakes.
    let problems = if syntax_errors.is_empty() {
        let (desired, problems) = validate::validate(root.get_ref());
        if problems.is_empty() {
            return Ok(desired);
        }
        problems
    } else {
        syntax_errors
            .iter()
            .map(|error| syntax_problem(error, source))
            .collect()
    };
    Err(LoadError::Invalid(Problems::new(origin, source, problems)))
}

fn syntax_problem(error: &toml::de::Error, source: &str) -> Problem {
    let span = error.span().unwrap_or(0..0);
    let mut message = format!("invalid TOML: {}", error.message());
    // The parser does not say which key; the span does.
    if error.message() == "duplicate key" {
        if let Some(key) = source.get(span.clone()).filter(|k| !k.is_empty()) {
            message = format!("invalid TOML: duplicate key `{key}`");
        }
    }
    Problem::new(message, span, "").help("see https://toml.io for the syntax of TOML")
}

#[cfg(test)]
mod tests;
