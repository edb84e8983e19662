//! The account slows down as a whole: when the API tells one request to wait (a 429, or any
//! answer with `Retry-After`), no request of that session starts until the wait is over, and
//! from then on requests start no faster than the API was seen to accept them.
//!
//! Without the second half, every task waiting at the gate would start the moment it opens, and
//! a burst of parallel writes would meet the limit again at once: each wait would cost as many
//! refused requests as there are tasks. The pace is learned from the answers: when the API says
//! wait, the requests it accepted during the second before are what it allows in a second (a
//! burst allowance shows as more, and is corrected at a later wait; accepted answers of the
//! same burst that arrive after the wait refine it). Each accepted request then quickens the
//! pace by 1 %, so a pace learned too slow (or a limit that was lifted) is
//! caught up with, at the cost of a refused request now and then. A session is one account's,
//! so is its gate; its clones share it.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use crate::stop::{StopSignal, Stopped};

/// The window in which accepted requests are counted to learn the pace.
const WINDOW: Duration = Duration::from_secs(1);
/// How much each accepted request quickens the pace.
const QUICKEN: f64 = 0.99;

#[derive(Debug, Default)]
pub(super) struct Gate {
    state: Mutex<GateState>,
}

#[derive(Debug, Default)]
struct GateState {
    /// No request starts before this: the end of the last wait the API asked for.
    open_at: Option<Instant>,
    /// The least time between two starts; zero until the API first asks for a wait.
    spacing: Duration,
    /// The earliest start the spacing allows for the next request.
    next_start: Option<Instant>,
    /// When the requests the API accepted within the last [`WINDOW`] started.
    accepted: VecDeque<Instant>,
}

impl Gate {
    /// Waits for this request's turn to start; returns its start time. Ends early when `stop`
    /// is requested.
    pub(super) async fn turn(&self, stop: &StopSignal) -> Result<Instant, Stopped> {
        loop {
            let wait = {
                let mut state = self.lock();
                let now = Instant::now();
                let start = [state.open_at, state.next_start]
                    .into_iter()
                    .flatten()
                    .fold(now, Instant::max);
                if start <= now {
                    state.next_start = Some(now + state.spacing);
                    return Ok(now);
                }
                start - now
            };
            stop.sleep(wait).await?;
        }
    }

    /// The API accepted (answered other than "wait") the request that started at `started`.
    pub(super) fn accepted(&self, started: Instant) {
        let mut state = self.lock();
        state.accepted.push_back(started);
        forget_before(&mut state.accepted, Instant::now());
        // Answers still coming in from the burst that met the limit show it allowed more than
        // was known when it said wait.
        let learned = WINDOW / u32::try_from(state.accepted.len().max(1)).unwrap_or(u32::MAX);
        state.spacing = state.spacing.mul_f64(QUICKEN).min(learned);
    }

    /// The API told a request to wait `delay`: close the gate that long, and from then on pace
    /// the requests at the rate the API accepted them during the last [`WINDOW`], when the gate
    /// was open all that time (otherwise the count says more about the gate than about the
    /// API, and the pace stays). A wait of zero ("retry now") changes nothing.
    pub(super) fn told_to_wait(&self, delay: Duration) {
        if delay.is_zero() {
            return;
        }
        let mut state = self.lock();
        let now = Instant::now();
        forget_before(&mut state.accepted, now);
        let open_all_window = state
            .open_at
            .is_none_or(|opened| now.saturating_duration_since(opened) >= WINDOW);
        if open_all_window || state.spacing.is_zero() {
            let allowed = u32::try_from(state.accepted.len().max(1)).unwrap_or(u32::MAX);
            state.spacing = WINDOW / allowed;
        }
        state.open_at = state.open_at.max(Some(now + delay));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, GateState> {
        // Every change leaves the state consistent, so a holder's panic leaves it usable.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn forget_before(accepted: &mut VecDeque<Instant>, now: Instant) {
    while accepted
        .front()
        .is_some_and(|started| now.duration_since(*started) > WINDOW)
    {
        accepted.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn an_open_gate_lets_every_request_start_at_once() {
        let gate = Gate::default();
        let stop = StopSignal::default();
        let first = gate.turn(&stop).await.unwrap();
        for _ in 0..20 {
            assert_eq!(gate.turn(&stop).await.unwrap(), first);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn after_a_wait_nothing_starts_until_it_is_over_then_at_the_pace_accepted() {
        let gate = Gate::default();
        let stop = StopSignal::default();
        let start = Instant::now();
        for _ in 0..10 {
            let started = gate.turn(&stop).await.unwrap();
            gate.accepted(started);
        }
        gate.told_to_wait(Duration::from_secs(2));
        // The rest of the burst that met the limit learns the same pace.
        gate.told_to_wait(Duration::from_secs(2));
        let starts: Vec<Duration> = futures::future::join_all(
            (0..4).map(|_| async { gate.turn(&stop).await.unwrap() - start }),
        )
        .await;
        let ms: Vec<u128> = starts.iter().map(Duration::as_millis).collect();
        assert_eq!(ms, [2000, 2100, 2200, 2300], "ten a second, after the wait");
    }

    #[tokio::test(start_paused = true)]
    async fn each_accepted_request_quickens_the_pace_again() {
        let gate = Gate::default();
        let stop = StopSignal::default();
        for _ in 0..10 {
            let started = gate.turn(&stop).await.unwrap();
            gate.accepted(started);
        }
        // Long enough for the window to forget the first ten.
        gate.told_to_wait(Duration::from_secs(2));
        let first = gate.turn(&stop).await.unwrap();
        gate.accepted(first);
        let second = gate.turn(&stop).await.unwrap();
        gate.accepted(second);
        let third = gate.turn(&stop).await.unwrap();
        assert_eq!(second - first, Duration::from_millis(100));
        assert_eq!(third - second, Duration::from_millis(99));
    }

    #[tokio::test(start_paused = true)]
    async fn a_stop_ends_the_wait_at_the_gate() {
        let gate = Gate::default();
        let stop = StopSignal::default();
        gate.told_to_wait(Duration::from_secs(120));
        let requester = stop.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(1)).await;
            requester.request();
        });
        let waited = Instant::now();
        assert_eq!(gate.turn(&stop).await, Err(Stopped));
        assert_eq!(waited.elapsed(), Duration::from_secs(1));
    }
}
