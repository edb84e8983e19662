//! `apply --wait`: after the changes, watch the peerings they touched until each reaches the
//! state its `configured_status` asks for, needs a person, the time is up, or a stop is
//! requested. It tells as it goes what it watches and every state it sees change.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::time::Duration;

use tokio::time::Instant;

use crate::http::ApiError;
use crate::model::{ConfiguredStatus, PeeringKey, PeeringState};
use crate::plan::Warning;
use crate::stop::StopSignal;

use super::{ApplyOptions, Clients, Outcome, Report};

/// Where one peering ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    pub name: String,
    /// Its networks, so that output can say who holds the other side.
    pub key: PeeringKey,
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
pub enum Goal {
    State(ConfiguredStatus),
    Gone,
    /// A state it cannot reach without someone else acting: report it, do not wait for it.
    Unattainable,
}

impl Goal {
    /// The name scripts see in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Goal::State(ConfiguredStatus::Active) => "active",
            Goal::State(ConfiguredStatus::Disabled) => "disabled",
            Goal::Gone => "gone",
            Goal::Unattainable => "other_half_missing",
        }
    }
}

impl fmt::Display for Goal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Goal::State(_) | Goal::Gone => write!(f, "until {}", self.as_str()),
            Goal::Unattainable => f.write_str("not waited for: its other half is missing"),
        }
    }
}

/// One peering `apply --wait` watches, and what it should end as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watched {
    pub name: String,
    pub goal: Goal,
}

/// What [`settle`] tells its caller as it goes.
#[derive(Debug, Clone, Copy)]
pub enum WaitEvent<'a> {
    /// Watching begins: these peerings, for at most `timeout`.
    Watching {
        peerings: &'a [Watched],
        timeout: Duration,
    },
    /// The first look at a watched peering; `None`: it is not there.
    Seen {
        name: &'a str,
        state: Option<&'a PeeringState>,
    },
    /// A watched peering's state changed since the last look; `None`: it is not there.
    Changed {
        name: &'a str,
        from: Option<&'a PeeringState>,
        to: Option<&'a PeeringState>,
    },
}

/// Where the watched peerings ended, as last seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waited {
    pub settled: Vec<Settled>,
    /// A stop was requested before every peering settled; `settled` holds the peerings seen
    /// at least once.
    pub interrupted: bool,
}

/// Where a watched peering is: its account and its networks.
type Place = (Option<String>, PeeringKey);

/// What the last look found at each place: a state, or `None` when nothing was there.
type Look = BTreeMap<Place, Option<PeeringState>>;

/// Polls the peerings of each account involved (one list request per account a round, all at
/// once) until every peering the report changed has settled, `options.wait_timeout` has passed,
/// or `stop` is requested (a read under way is then abandoned: it changes nothing).
/// `on_event` hears what is watched, then each state as it is first seen and as it changes.
pub async fn settle(
    clients: &Clients,
    report: &Report,
    options: &ApplyOptions,
    stop: &StopSignal,
    mut on_event: impl FnMut(WaitEvent<'_>),
) -> Result<Waited, ApiError> {
    let goals = goals(report);
    let watched: Vec<Watched> = goals
        .values()
        .map(|(name, goal)| Watched {
            name: name.clone(),
            goal: *goal,
        })
        .collect();
    on_event(WaitEvent::Watching {
        peerings: &watched,
        timeout: options.wait_timeout,
    });
    let accounts: BTreeSet<&Option<String>> = goals.keys().map(|(account, _)| account).collect();
    let deadline = Instant::now() + options.wait_timeout;
    let mut last = Look::new();
    loop {
        let Ok(now) = stop.unless_requested(look(clients, &accounts)).await else {
            return Ok(interrupted(&goals, &last));
        };
        let now = match now {
            Err(error) if error.is_interrupted() => return Ok(interrupted(&goals, &last)),
            now => now?,
        };
        let now: Look = goals
            .keys()
            .map(|place| (place.clone(), now.get(place).cloned()))
            .collect();
        tell_changes(&goals, &last, &now, &mut on_event);
        last = now;
        let settled = judge_all(&goals, &last);
        let waiting = settled.iter().any(|s| s.verdict == WaitVerdict::Waiting);
        if !waiting || Instant::now() >= deadline {
            return Ok(Waited {
                settled,
                interrupted: false,
            });
        }
        if stop.sleep(options.poll_interval).await.is_err() {
            return Ok(interrupted(&goals, &last));
        }
    }
}

/// The state of every peering of the accounts, by place.
async fn look(
    clients: &Clients,
    accounts: &BTreeSet<&Option<String>>,
) -> Result<BTreeMap<Place, PeeringState>, ApiError> {
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
    Ok(futures::future::try_join_all(reads)
        .await?
        .into_iter()
        .flatten()
        .collect())
}

fn tell_changes(
    goals: &BTreeMap<Place, (String, Goal)>,
    last: &Look,
    now: &Look,
    on_event: &mut impl FnMut(WaitEvent<'_>),
) {
    for (place, (name, _)) in goals {
        let to = now.get(place).and_then(Option::as_ref);
        match last.get(place) {
            None => on_event(WaitEvent::Seen { name, state: to }),
            Some(from) if from.as_ref() != to => on_event(WaitEvent::Changed {
                name,
                from: from.as_ref(),
                to,
            }),
            Some(_) => {}
        }
    }
}

fn judge_all(goals: &BTreeMap<Place, (String, Goal)>, look: &Look) -> Vec<Settled> {
    goals
        .iter()
        .filter_map(|(place, (name, goal))| {
            let state = look.get(place)?;
            Some(judge(name, place.1, *goal, state.as_ref()))
        })
        .collect()
}

fn interrupted(goals: &BTreeMap<Place, (String, Goal)>, last: &Look) -> Waited {
    Waited {
        settled: judge_all(goals, last),
        interrupted: true,
    }
}

fn goals(report: &Report) -> BTreeMap<Place, (String, Goal)> {
    report
        .results
        .iter()
        .filter_map(|result| {
            let (status, _) = result.change.action.outcome_fields();
            let goal = match result.outcome {
                Outcome::Created(_)
                | Outcome::Updated(_)
                | Outcome::AlreadyExists
                | Outcome::FoundAndUpdated { .. } => Goal::State(status),
                Outcome::Deleted | Outcome::AlreadyGone => Goal::Gone,
                // Not visible to this account: there is nothing to watch.
                Outcome::ExistsUnseen
                | Outcome::Failed { .. }
                | Outcome::Interrupted { .. }
                | Outcome::NotStarted => {
                    return None;
                }
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

fn judge(name: &str, key: PeeringKey, goal: Goal, state: Option<&PeeringState>) -> Settled {
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
        key,
        state: state.cloned(),
        verdict,
    }
}
