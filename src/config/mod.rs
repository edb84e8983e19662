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
mod desired;
mod networks;
mod problems;
mod reader;
pub mod schema;
mod validate;

use std::path::{Path, PathBuf};

pub use desired::{AccountCredentials, AccountSpec, Desired, DesiredPeering};
pub use problems::{Problem, Problems};

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid. Its `Display` is the full rendering, one snippet per problem; use
    /// [`Problems::render`] for colour.
    #[error("{0}")]
    Invalid(Problems),
}

/// Reads and parses the file at `path`; messages name it as the path is written.
pub fn load(path: &Path) -> Result<Desired, LoadError> {
    let source = std::fs::read_to_string(path).map_err(|source| LoadError::Read {
        path: path.to_owned(),
        source,
    })?;
    parse(&source, &path.display().to_string())
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
