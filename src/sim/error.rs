//! What can go wrong setting up and serving a simulated platform: a world file or a state file
//! that cannot be read or does not hold together, fault settings out of range, a port that
//! cannot be bound. (What the simulated API answers with is in `error_answers.rs`.)

use std::io;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// Not TOML, or not the shape of a world file; the message names the line. Transparent, so
    /// that the parser's message is said once, not again as its own cause.
    #[error(transparent)]
    Syntax(#[from] toml::de::Error),
    /// A world that does not hold together; `place` names the item.
    #[error("{place}: {problem}")]
    Invalid { place: String, problem: String },
    #[error("{0} is not a probability from 0 to 1")]
    NotProbability(f64),
    #[error("{0:?} is not a number")]
    NotNumber(String),
    #[error(
        "the fault rates add up to {0}; a request can have only one fault, so they must add up to at most 1"
    )]
    FaultRatesAbove1(f64),
    /// `what` is the kind of file: a world file, or a simulator state file.
    #[error("cannot {action} the {what} {}", .path.display())]
    File {
        action: &'static str,
        what: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("the simulator state file {} is not a simulator state", .path.display())]
    NotState {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("the simulator state file {} holds an inconsistent world", .path.display())]
    InconsistentState {
        path: PathBuf,
        #[source]
        source: Box<SimError>,
    },
    #[error("the world file {} is not valid", .path.display())]
    InvalidWorldFile {
        path: PathBuf,
        #[source]
        source: Box<SimError>,
    },
    /// Another simulator created the state file, which was then gone when read.
    #[error("{} vanished while it was read", .0.display())]
    Vanished(PathBuf),
    #[error("the state file {} exists; remove it or leave out --world", .0.display())]
    StateAndWorld(PathBuf),
    #[error("invalid fault flags")]
    FaultFlags(#[source] Box<SimError>),
    #[error("cannot listen on {address}")]
    Listen {
        /// `HOST:PORT`, as given.
        address: String,
        #[source]
        source: io::Error,
    },
    #[error("the simulator stopped")]
    Stopped(#[source] io::Error),
    /// Writing the address it listens on to stdout failed.
    #[error(transparent)]
    Announce(io::Error),
}

impl SimError {
    pub(super) fn invalid(place: impl Into<String>, problem: impl Into<String>) -> SimError {
        SimError::Invalid {
            place: place.into(),
            problem: problem.into(),
        }
    }

    /// The message with every cause after it, `: `-separated, as the command line shows errors.
    pub(super) fn with_causes(&self) -> String {
        let mut text = self.to_string();
        let mut cause = std::error::Error::source(self);
        while let Some(error) = cause {
            text.push_str(": ");
            text.push_str(&error.to_string());
            cause = error.source();
        }
        text
    }
}
