//! The process's exit codes, in one place. They are pinned: scripts depend on them.

use std::process::ExitCode;

/// What the process tells its caller; [`Exit::meaning`] says when each is returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Success = 0,
    Failure = 1,
    ChangesPending = 2,
    Unhealthy = 3,
    Interrupted = 130,
}

impl Exit {
    /// Every exit code, in numeric order.
    pub const ALL: [Exit; 5] = [
        Exit::Success,
        Exit::Failure,
        Exit::ChangesPending,
        Exit::Unhealthy,
        Exit::Interrupted,
    ];

    /// When the process exits with this code, as the man pages list it.
    pub fn meaning(self) -> &'static str {
        match self {
            Exit::Success => "Done; for plan --detailed-exitcode and check, also \"no changes\".",
            Exit::Failure => "Any error, a refused apply, or an apply in which a change failed.",
            Exit::ChangesPending => "plan --detailed-exitcode and check: changes are pending.",
            Exit::Unhealthy => {
                "check: nothing would change, but a peering the file lists is not in the state \
                 its configured status asks for."
            }
            Exit::Interrupted => {
                "apply was interrupted (Ctrl-C or SIGTERM) and stopped early: 128 + SIGINT, as \
                 shells do."
            }
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit as u8)
    }
}
