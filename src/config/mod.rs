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
//! Anything else is a problem: unknown keys (typos, with a did-you-mean), values of the wrong
//! type, malformed UUIDs, unknown aliases, duplicate peerings, invalid labels. A file with
//! problems yields [`LoadError::Invalid`], whose [`Problems`] render like cargo's errors.

mod desired;
mod problems;
mod reader;
mod validate;

use std::path::{Path, PathBuf};

pub use desired::{Desired, DesiredPeering};
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
