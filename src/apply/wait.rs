//! `apply --wait`: after the changes, watch the peerings they touched until each reaches the
//! state its `configured_status` asks for, needs a person, or the time is up.

use std::collections::BTreeMap;

use tokio::time::{Instant, sleep};

use crate::model::{ConfiguredStatus, PeeringKey, PeeringState};
use crate::upcloud::{ApiError, Client};

use super::{ApplyOptions, Outcome, Report};

/// Where one peering ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    pub name: String,
    /// The last state seen; `None` when the peering is gone.
    pub state: Option<PeeringState>,
    pub verdict: Verdict,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// In the state its configured status asks for (or gone, for a delete).
    Reached,
    /// In a state that waiting will not change: someone has to act.
    NeedsAttention,
    /// Still on its way (`provisioning`, or `pending-peer` until the peer creates its half).
    /// In a final result: when the time was up.
    Waiting,
}

/// What each watched peering should end as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Goal {
    State(ConfiguredStatus),
    Gone,
}

/// Polls the account's peerings (one list request a round) until every peering the report
/// changed has settled, or `options.wait_timeout` has passed.
pub async fn settle(
    client: &Client,
    report: &Report,
    options: &ApplyOptions,
) -> Result<Vec<Settled>, ApiError> {
    let goals = goals(report);
    let deadline = Instant::now() + options.wait_timeout;
    loop {
        let now: BTreeMap<PeeringKey, PeeringState> = client
            .list_peerings()
            .await?
            .into_iter()
            .map(|peering| (peering.key, peering.state))
            .collect();
        let timed_out = Instant::now() >= deadline;
        let settled: Vec<Settled> = goals
            .iter()
            .map(|(key, (name, goal))| judge(name, *goal, now.get(key)))
            .collect();
        let waiting = settled.iter().any(|s| s.verdict == Verdict::Waiting);
        if !waiting || timed_out {
            return Ok(settled);
        }
        sleep(options.poll_interval).await;
    }
}

fn goals(report: &Report) -> BTreeMap<PeeringKey, (String, Goal)> {
    report
        .results
        .iter()
        .filter_map(|result| {
            let (status, _) = result.change.action.outcome_fields();
            let goal = match result.outcome {
                Outcome::Created(_) | Outcome::Updated(_) | Outcome::AlreadyExists => {
                    Goal::State(status)
                }
                Outcome::Deleted | Outcome::AlreadyGone => Goal::Gone,
                Outcome::Failed { .. } | Outcome::NotStarted => return None,
            };
            Some((result.change.key, (result.change.name.clone(), goal)))
        })
        .collect()
}

fn judge(name: &str, goal: Goal, state: Option<&PeeringState>) -> Settled {
    let verdict = match (goal, state) {
        (Goal::Gone, None) => Verdict::Reached,
        (Goal::Gone, Some(_)) => Verdict::Waiting,
        (Goal::State(_), None) => Verdict::NeedsAttention,
        (Goal::State(status), Some(state)) => match (status, state) {
            (ConfiguredStatus::Active, PeeringState::Active)
            | (ConfiguredStatus::Disabled, PeeringState::Disabled) => Verdict::Reached,
            (_, PeeringState::Provisioning)
            | (ConfiguredStatus::Active, PeeringState::PendingPeer) => Verdict::Waiting,
            _ => Verdict::NeedsAttention,
        },
    };
    Settled {
        name: name.to_owned(),
        state: state.cloned(),
        verdict,
    }
}
