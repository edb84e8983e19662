//! `peerings`: declarative management of UpCloud network peerings.
//!
//! Data flows one way: `config` loads the desired state, `upcloud` and `aiven` read what exists
//! (on the session `http` gives both), `plan` compares the two without any I/O, `render` shows
//! the result, and `apply` carries it out; `commands` runs each subcommand in those terms, and
//! `cli` holds the command line's definitions. [`sim`] serves both APIs for the quick start and
//! the tests.
//!
//! The crate is a program: [`run`] is all `main` needs. Its modules are private, so that the
//! compiler reports whatever nothing uses. Two surfaces are public, for the project's own
//! integration tests and benchmarks: [`sim`], the simulator they run the binary against, and
//! [`bench`](mod@bench), what the benchmarks time in process. Neither is a stable API.

mod aiven;
mod apply;
mod cidr;
mod cli;
mod commands;
mod config;
mod desired_file;
mod exit;
mod files;
mod http;
mod logging;
mod model;
mod plan;
mod render;
mod reviewed;
pub mod sim;
mod stop;
mod upcloud;

pub use commands::run;

/// What `benches/` times in process: loading a desired-state file, and planning it against an
/// account, on generated inputs. Planning goes the way a run does: [`plan_accounts`](bench::plan_accounts)
/// per account (`None` is the account of a file without accounts), then [`Plan::merge`](bench::Plan::merge).
pub mod bench {
    pub use crate::config::Desired;
    pub use crate::model::{
        ConfiguredStatus, Labels, MANAGED_BY_KEY, MANAGED_BY_VALUE, Network, NetworkId,
        NetworkType, Peering, PeeringId, PeeringKey, PeeringState,
    };
    pub use crate::plan::{Observed, Plan, plan_accounts};

    /// Parses and validates a desired-state file's text, as a run loads one; its problems, if
    /// any, as the text a run shows.
    pub fn parse(text: &str) -> Result<Desired, String> {
        crate::config::parse(text, "peerings.toml").map_err(|error| error.to_string())
    }
}
