//! The process's exit codes, in one place. They are pinned: scripts depend on them.

use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Done; for `plan --detailed-exitcode`, also "no changes".
    Success = 0,
    /// Any error, a refused apply, or an apply in which a change failed.
    Failure = 1,
    /// `plan --detailed-exitcode` and `check`: changes are pending.
    ChangesPending = 2,
    /// `check`: nothing would change, but a peering the file lists is not in the state its
    /// configured status asks for.
    Unhealthy = 3,
    /// `apply` was interrupted (Ctrl-C or SIGTERM) and stopped early: 128 + SIGINT, as shells do.
    Interrupted = 130,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit as u8)
    }
}
