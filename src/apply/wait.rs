//! `apply --wait`: after the changes, watch the peerings they touched until each reaches the
//! state its `configured_status` asks for, needs a person, the time is up, or a stop is
//! requested. It tells as it goes what it watches and every state it sees change.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::time::Duration;

use tokio::time::Instant;

use crate::aiven::AivenClient;
use crate::http::ApiError;
use crate::model::{
    ConfiguredStatus, ConnectionKey, ConnectionState, PeeringKey, PeeringState, Platform, VpcRef,
};
use crate::plan::Warning;
use crate::plan::aiven::tied_by_labels;
use crate::stop::StopSignal;

use super::{Action, ApplyOptions, Clients, LeftAs, Outcome, Report};

/// A state of either platform's half.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HalfState {
    Upcloud(PeeringState),
    Aiven(ConnectionState),
}

impl HalfState {
    /// The API's word for it.
    pub fn as_str(&self) -> &str {
        match self {
            HalfState::Upcloud(state) => state.as_str(),
            HalfState::Aiven(state) => state.as_str(),
        }
    }

    /// The state in words a person understands.
    pub fn explanation(&self) -> &'static str {
        match self {
            HalfState::Upcloud(state) => state.explanation(),
            HalfState::Aiven(state) => state.explanation(),
        }
    }
}

impl fmt::Display for HalfState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where one peering ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    pub name: String,
    /// Where it is: an UpCloud half's account and networks (so that output can say who holds
    /// the other side), or an Aiven connection.
    pub place: Place,
    /// The last state seen; `None` when the peering is gone.
    pub state: Option<HalfState>,
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
    /// An Aiven half: `ACTIVE`, once both halves exist.
    Active,
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
            Goal::Active => "ACTIVE",
            Goal::Gone => "gone",
            Goal::Unattainable => "other_half_missing",
        }
    }
}

impl fmt::Display for Goal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Goal::State(_) | Goal::Active | Goal::Gone => write!(f, "until {}", self.as_str()),
            Goal::Unattainable => f.write_str("not waited for: its other half is missing"),
        }
    }
}

/// One peering `apply --wait` watches, and what it should end as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watched {
    pub name: String,
    /// `upcloud` or `aiven`.
    pub platform: Platform,
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
        platform: Platform,
        state: Option<&'a HalfState>,
    },
    /// A watched peering's state changed since the last look; `None`: it is not there.
    Changed {
        name: &'a str,
        platform: Platform,
        from: Option<&'a HalfState>,
        to: Option<&'a HalfState>,
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

/// Where a watched half is: an UpCloud half's account and networks, or an Aiven connection.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Place {
    Upcloud(Option<String>, PeeringKey),
    Aiven(ConnectionKey),
}

impl Place {
    pub fn platform(&self) -> Platform {
        match self {
            Place::Upcloud(..) => Platform::Upcloud,
            Place::Aiven(_) => Platform::Aiven,
        }
    }
}

/// What the last look found at each place: a state, or `None` when nothing was there.
type Look = BTreeMap<Place, Option<HalfState>>;

/// Polls the peerings of each account involved (one list request per account a round) and the
/// Aiven VPCs of the connections involved (one request per VPC a round), all at once, until
/// every half the report changed has settled, `options.wait_timeout` has passed, or `stop` is
/// requested (a read under way is then abandoned: it changes nothing). `on_event` hears what is
/// watched, then each state as it is first seen and as it changes.
pub async fn settle(
    clients: &Clients,
    aiven: Option<&AivenClient>,
    report: &Report,
    options: &ApplyOptions,
    stop: &StopSignal,
    mut on_event: impl FnMut(WaitEvent<'_>),
) -> Result<Waited, ApiError> {
    let goals = goals(report);
    let watched: Vec<Watched> = goals
        .iter()
        .map(|(place, (name, goal))| Watched {
            name: name.clone(),
            platform: place.platform(),
            goal: *goal,
        })
        .collect();
    on_event(WaitEvent::Watching {
        peerings: &watched,
        timeout: options.wait_timeout,
    });
    let accounts: BTreeSet<&Option<String>> = goals
        .keys()
        .filter_map(|place| match place {
            Place::Upcloud(account, _) => Some(account),
            Place::Aiven(_) => None,
        })
        .collect();
    let vpcs: BTreeSet<&VpcRef> = goals
        .keys()
        .filter_map(|place| match place {
            Place::Aiven(key) => Some(&key.vpc),
            Place::Upcloud(..) => None,
        })
        .collect();
    let deadline = Instant::now() + options.wait_timeout;
    let mut last = Look::new();
    loop {
        let reads = async {
            let (mut upcloud, aiven) =
                tokio::try_join!(look(clients, &accounts), look_aiven(aiven, &vpcs))?;
            upcloud.extend(aiven);
            Ok::<_, ApiError>(upcloud)
        };
        let Ok(now) = stop.unless_requested(reads).await else {
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
) -> Result<BTreeMap<Place, HalfState>, ApiError> {
    let reads = accounts.iter().filter_map(|account| {
        let client = clients.get(*account)?;
        Some(async move {
            let peerings = client.list_peerings().await?;
            Ok::<_, ApiError>(peerings.into_iter().map(move |peering| {
                let place = Place::Upcloud((*account).clone(), peering.key);
                (place, HalfState::Upcloud(peering.state))
            }))
        })
    });
    Ok(futures::future::try_join_all(reads)
        .await?
        .into_iter()
        .flatten()
        .collect())
}

/// The state of every connection of the VPCs, by place. A VPC Aiven does not know has none.
async fn look_aiven(
    aiven: Option<&AivenClient>,
    vpcs: &BTreeSet<&VpcRef>,
) -> Result<BTreeMap<Place, HalfState>, ApiError> {
    let Some(client) = aiven else {
        return Ok(BTreeMap::new());
    };
    let reads = vpcs.iter().map(|at| async move {
        let connections = match client.get_vpc(at).await {
            Ok(vpc) => vpc.connections,
            Err(error) if error.is_not_found() => Vec::new(),
            Err(error) => return Err(error),
        };
        Ok(connections.into_iter().map(|connection| {
            let state = HalfState::Aiven(connection.state);
            (Place::Aiven(connection.key), state)
        }))
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
        let platform = place.platform();
        match last.get(place) {
            None => on_event(WaitEvent::Seen {
                name,
                platform,
                state: to,
            }),
            Some(from) if from.as_ref() != to => on_event(WaitEvent::Changed {
                name,
                platform,
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
            Some(judge(name, place.clone(), *goal, state.as_ref()))
        })
        .collect()
}

fn interrupted(goals: &BTreeMap<Place, (String, Goal)>, last: &Look) -> Waited {
    Waited {
        settled: judge_all(goals, last),
        interrupted: true,
    }
}

/// What each half the report changed should end as: an UpCloud half as its configured status
/// asks (or gone), an Aiven half `ACTIVE` (or gone). Of an `[[aiven_peering]]` whose UpCloud half
/// was created, the Aiven half too, even when this run did not change it.
fn goals(report: &Report) -> BTreeMap<Place, (String, Goal)> {
    let mut goals: BTreeMap<Place, (String, Goal)> = report
        .results
        .iter()
        .filter_map(|result| {
            let (status, _) = result.change.action.outcome_fields();
            // An Aiven half is watched at its own place.
            let goal = match result.outcome.left_as()? {
                LeftAs::State(_) | LeftAs::Exists => Goal::State(status),
                LeftAs::Gone => Goal::Gone,
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
            let place = Place::Upcloud(result.change.account.clone(), result.change.key);
            Some((place, (result.change.name.clone(), goal)))
        })
        .collect();
    let aiven_name = |name: &str| format!("{name} (Aiven half)");
    for result in &report.results {
        let (Action::Create(target), Outcome::Created(_) | Outcome::AlreadyExists) =
            (&result.change.action, &result.outcome)
        else {
            continue;
        };
        if let Some(key) = tied_by_labels(&target.labels, target.key.network) {
            let goal = (aiven_name(&result.change.name), Goal::Active);
            goals.entry(Place::Aiven(key)).or_insert(goal);
        }
    }
    for result in report.aiven.iter().filter(|result| !result.upcloud_half) {
        let goal = match result.outcome {
            Outcome::ConnectionCreated(_) | Outcome::AlreadyExists => Goal::Active,
            Outcome::ConnectionDeleted(_) | Outcome::AlreadyGone => Goal::Gone,
            _ => continue,
        };
        let place = Place::Aiven(result.change.key.clone());
        goals.insert(place, (aiven_name(&result.change.name), goal));
    }
    goals
}

fn judge(name: &str, place: Place, goal: Goal, state: Option<&HalfState>) -> Settled {
    let verdict = match (goal, state) {
        (Goal::Unattainable, _) => WaitVerdict::NeedsAttention,
        (Goal::Gone, None) => WaitVerdict::Reached,
        (Goal::Gone, Some(_)) => WaitVerdict::Waiting,
        (Goal::State(_) | Goal::Active, None) => WaitVerdict::NeedsAttention,
        (Goal::Active, Some(HalfState::Aiven(state))) => match state {
            ConnectionState::Active => WaitVerdict::Reached,
            state if state.is_before_pending_peer() => WaitVerdict::Waiting,
            ConnectionState::PendingPeer => WaitVerdict::Waiting,
            _ => WaitVerdict::NeedsAttention,
        },
        (Goal::Active, Some(HalfState::Upcloud(_)))
        | (Goal::State(_), Some(HalfState::Aiven(_))) => WaitVerdict::NeedsAttention,
        (Goal::State(status), Some(HalfState::Upcloud(state))) => match (status, state) {
            (ConfiguredStatus::Active, PeeringState::Active)
            | (ConfiguredStatus::Disabled, PeeringState::Disabled) => WaitVerdict::Reached,
            (_, PeeringState::Provisioning)
            | (ConfiguredStatus::Active, PeeringState::PendingPeer) => WaitVerdict::Waiting,
            _ => WaitVerdict::NeedsAttention,
        },
    };
    Settled {
        name: name.to_owned(),
        place,
        state: state.cloned(),
        verdict,
    }
}
