//! Stopping when asked: Ctrl-C and SIGTERM as one value that every wait of the program watches.
//!
//! A [`StopSignal`] is a shared flag that can also be waited for; clones share it. A command
//! makes one, calls [`StopSignal::listen`] to turn the process's signals into it, and hands it
//! to everything that waits or starts work:
//!
//! - the API clients, through their HTTP session ([`crate::http::Session::stopped_by`], which
//!   `upcloud::Client::stopped_by` passes on): no attempt starts once a stop is requested, and a
//!   retry's back-off ends at once with [`crate::http::ApiError::Interrupted`];
//! - the applier: it starts no new change, a delete stops polling for `disabled`, and
//!   `apply --wait` stops watching;
//! - the command itself, for the planning reads and the confirmation prompt.
//!
//! A request already sent is never cut off: it finishes, bounded by `--timeout`, so its answer
//! (and whether it changed something) can be reported. Every wait goes through
//! [`StopSignal::sleep`] or [`StopSignal::unless_requested`], so it ends within moments of the
//! signal; nothing new starts after it. A second signal ends the process at once (exit 130).
//!
//! New code that waits (polling another API, a new back-off) takes a `StopSignal` and sleeps
//! through [`StopSignal::sleep`]; that is all it needs to stop in time.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::exit::Exit;

/// A request to stop from outside the process (Ctrl-C, SIGTERM), or from a test.
#[derive(Debug, Clone)]
pub struct StopSignal {
    requested: Arc<watch::Sender<bool>>,
}

/// What a wait returns when a stop was requested before it ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("interrupted")]
pub struct Stopped;

impl Default for StopSignal {
    fn default() -> Self {
        StopSignal {
            requested: Arc::new(watch::Sender::new(false)),
        }
    }
}

impl StopSignal {
    /// Asks everything that watches this signal to stop.
    pub fn request(&self) {
        self.requested.send_replace(true);
    }

    pub fn is_requested(&self) -> bool {
        *self.requested.borrow()
    }

    /// Resolves once a stop is requested (at once if it was already).
    pub async fn requested(&self) {
        let mut receiver = self.requested.subscribe();
        // The sender lives in `self`, so the channel cannot close while this waits.
        let _ = receiver.wait_for(|requested| *requested).await;
    }

    /// Sleeps for `duration`, or less if a stop is requested meanwhile.
    pub async fn sleep(&self, duration: Duration) -> Result<(), Stopped> {
        self.unless_requested(tokio::time::sleep(duration)).await
    }

    /// Runs `work` to its end, unless a stop is requested first: then `work` is dropped where
    /// it stands. Only for work that is safe to abandon (waiting, reading).
    pub async fn unless_requested<T>(&self, work: impl Future<Output = T>) -> Result<T, Stopped> {
        if self.is_requested() {
            return Err(Stopped);
        }
        tokio::select! {
            biased;
            () = self.requested() => Err(Stopped),
            done = work => Ok(done),
        }
    }

    /// Turns Ctrl-C and SIGTERM into this signal: the first requests a stop (whoever waits
    /// says what that means where it stands); a second ends the process at once with exit 130.
    /// Call it inside the runtime, before anything that may wait: the handlers are in place when
    /// it returns, and the task that hears them runs whenever the runtime does.
    /// `plan` is the command line that shows where the account stands, as the caller's
    /// invocation gives it; the abort message suggests it.
    pub fn listen(&self, plan: String) -> std::io::Result<()> {
        let mut signals = Signals::install()?;
        let stop = self.clone();
        tokio::spawn(async move {
            signals.next().await;
            stop.request();
            signals.next().await;
            anstream::eprintln!(
                "\nAborted at once: a change under way may or may not have been made; run \
                 `{plan}` to see where the account stands."
            );
            std::process::exit(Exit::Interrupted as i32);
        });
        Ok(())
    }
}

/// The process's Ctrl-C and SIGTERM handlers.
struct Signals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    fn install() -> std::io::Result<Signals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Signals {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        Ok(Signals {})
    }

    /// The next Ctrl-C or SIGTERM.
    async fn next(&mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_sleep_ends_when_a_stop_is_requested() {
        let stop = StopSignal::default();
        let requester = stop.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(1)).await;
            requester.request();
        });
        let started = tokio::time::Instant::now();
        assert_eq!(stop.sleep(Duration::from_secs(120)).await, Err(Stopped));
        assert_eq!(started.elapsed(), Duration::from_secs(1));
        assert!(stop.is_requested());
    }

    #[tokio::test(start_paused = true)]
    async fn after_a_stop_nothing_waits_and_nothing_starts() {
        let stop = StopSignal::default();
        assert_eq!(stop.sleep(Duration::from_millis(5)).await, Ok(()));
        stop.request();
        assert_eq!(stop.sleep(Duration::from_secs(3600)).await, Err(Stopped));
        let mut started = false;
        let work = async { started = true };
        assert_eq!(stop.unless_requested(work).await, Err(Stopped));
        assert!(!started, "work is not even begun");
        stop.requested().await;
    }
}
