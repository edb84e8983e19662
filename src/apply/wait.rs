//! `apply --wait`: after the changes, watch the peerings they touched until each reaches the
//! state its `configured_status` asks for, needs a person, or the time is up.

use std::collections::{BTreeMap, BTreeSet};

use tokio::time::{Instant, sleep};

use crate::http::ApiError;
use crate::model::{ConfiguredStatus, PeeringKey, PeeringState};

use super::{ApplyOptions, Clients, Outcome, Report};
use crate::plan::Warning;

/// Where one peering ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    pub name: String,
    /// The last state seen; `None` when the peering is gone.
    pub state: Option<PeeringState>,
    pub verdict: WaitVerdict,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitVerdict {
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
    /// A state it cannot reach without someone else acting: report it, do not wait for it.
    Unattainable,
}

/// Where a watched peering is: its account and its networks.
type Place = (Option<String>, PeeringKey);

/// Polls the peerings of each account involved (one list request per account a round, all at
/// once) until every peering the report changed has settled, or `options.wait_timeout` has
/// passed.
pub async fn settle(
    clients: &Clients,
    report: &Report,
    options: &ApplyOptions,
) -> Result<Vec<Settled>, ApiError> {
    let goals = goals(report);
    let accounts: BTreeSet<&Option<String>> = goals.keys().map(|(account, _)| account).collect();
    let deadline = Instant::now() + options.wait_timeout;
    loop {
        let reads = accounts.iter().filter_map(|account| {
            let client = clients.get(*account)?;
            Some(async move {
                let peerings = client.list_peerings().await?;
                Ok::<_, ApiError>(
                    peerings
                        .into_iter()
                        .map(move |peering| (((*account).clone(), peering.key), peering.state)),
                )
            })
        });
        let now: BTreeMap<Place, PeeringState> = futures::future::try_join_all(reads)
            .await?
            .into_iter()
            .flatten()
            .collect();
        let timed_out = Instant::now() >= deadline;
        let settled: Vec<Settled> = goals
            .iter()
            .map(|(place, (name, goal))| judge(name, *goal, now.get(place)))
            .collect();
        let waiting = settled.iter().any(|s| s.verdict == WaitVerdict::Waiting);
        if !waiting || timed_out {
            return Ok(settled);
        }
        sleep(options.poll_interval).await;
    }
}

fn goals(report: &Report) -> BTreeMap<Place, (String, Goal)> {
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
            // Its other half is declared nowhere: waiting cannot help.
            let goal = match goal {
                Goal::State(_)
                    if result
                        .change
                        .warnings
                        .iter()
                        .any(|w| matches!(w, Warning::PeerHalfMissing { .. })) =>
                {
                    Goal::Unattainable
                }
                goal => goal,
            };
            let place = (result.change.account.clone(), result.change.key);
            Some((place, (result.change.name.clone(), goal)))
        })
        .collect()
}

fn judge(name: &str, goal: Goal, state: Option<&PeeringState>) -> Settled {
    let verdict = match (goal, state) {
        (Goal::Unattainable, _) => WaitVerdict::NeedsAttention,
        (Goal::Gone, None) => WaitVerdict::Reached,
        (Goal::Gone, Some(_)) => WaitVerdict::Waiting,
        (Goal::State(_), None) => WaitVerdict::NeedsAttention,
        (Goal::State(status), Some(state)) => match (status, state) {
            (ConfiguredStatus::Active, PeeringState::Active)
            | (ConfiguredStatus::Disabled, PeeringState::Disabled) => WaitVerdict::Reached,
            (_, PeeringState::Provisioning)
            | (ConfiguredStatus::Active, PeeringState::PendingPeer) => WaitVerdict::Waiting,
            _ => WaitVerdict::NeedsAttention,
        },
    };
    Settled {
        name: name.to_owned(),
        state: state.cloned(),
        verdict,
    }
}
