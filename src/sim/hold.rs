//! Requests a test holds before the simulator handles them, so that something happens at one
//! exact place in between: another client's change while a create waits to be handled, say,
//! which no choice of latencies can order for certain on a busy machine.

use std::sync::mpsc;
use std::time::Duration;

use tokio::sync::oneshot;

/// The simulator's end of a hold: the next request of `method` whose path starts with `path`
/// waits until the test's [`Held`] lets it go.
pub(super) struct Hold {
    method: String,
    path: String,
    arrived: mpsc::Sender<()>,
    release: oneshot::Receiver<()>,
}

/// The test's end of a hold, from [`crate::sim::Simulator::hold`]. Dropping it releases the
/// request too, so a test that fails midway leaves no request waiting for ever.
pub struct Held {
    arrived: mpsc::Receiver<()>,
    release: Option<oneshot::Sender<()>>,
}

/// A hold for the next request of `method` to a path starting with `path`, in its two ends.
pub(super) fn new(method: &str, path: &str) -> (Hold, Held) {
    let (arrival, arrived) = mpsc::channel();
    let (release, released) = oneshot::channel();
    let hold = Hold {
        method: method.to_owned(),
        path: path.to_owned(),
        arrived: arrival,
        release: released,
    };
    let held = Held {
        arrived,
        release: Some(release),
    };
    (hold, held)
}

impl Hold {
    pub(super) fn matches(&self, method: &str, path: &str) -> bool {
        self.method == method && path.starts_with(&self.path)
    }

    /// Tells the test the request is here, and waits until it is let go.
    pub(super) async fn keep(self) {
        // A test that no longer listens has let go already.
        let _ = self.arrived.send(());
        let _ = self.release.await;
    }
}

impl Held {
    /// Whether the request arrived (and is being held) within `patience`.
    pub fn arrived_within(&self, patience: Duration) -> bool {
        self.arrived.recv_timeout(patience).is_ok()
    }

    /// Lets the request be handled.
    pub fn release(mut self) {
        self.let_go();
    }

    fn let_go(&mut self) {
        if let Some(release) = self.release.take() {
            // The request may be gone already (its client hung up): nothing then waits.
            let _ = release.send(());
        }
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.let_go();
    }
}
