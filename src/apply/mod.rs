//! Carrying out a plan through the API: a failure fails only its own change, nothing is reported
//! done that was not, and a run that stops early says what it did not start.

pub mod activated;
mod advice;
mod delete;
pub mod wait;

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::time::Duration;

use futures::StreamExt;

use crate::http::ApiError;
use crate::model::{Peering, PeeringPatch, PeeringSpec};
use crate::plan::NetworkNames;
use crate::plan::{self, Action, Change, FieldChange, Plan};
use crate::stop::StopSignal;
use crate::upcloud::{Client, wire::codes};

#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// How many changes run at once.
    pub parallelism: usize,
    /// Stop starting changes after the first failure.
    pub fail_fast: bool,
    /// How long a delete may wait for its peering to become `disabled`.
    pub wait_timeout: Duration,
    /// How often to ask whether a state has changed.
    pub poll_interval: Duration,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            parallelism: 4,
            fail_fast: false,
            wait_timeout: Duration::from_secs(300),
            poll_interval: Duration::from_secs(2),
        }
    }
}

/// What happened to one change.
#[derive(Debug)]
pub enum Outcome {
    Created(Peering),
    Updated(Peering),
    Deleted,
    /// The create answered `PEERING_CONFLICT`, and the account holds the peering as the file
    /// asks.
    AlreadyExists,
    /// The create answered `PEERING_CONFLICT`, but the account shows no peering of the pair:
    /// there is one where these credentials cannot see it (or it was deleted meanwhile).
    ExistsUnseen,
    /// The create did not go through (`PEERING_CONFLICT`, or an answer that did not confirm
    /// it), and the account held the peering with other fields: it was brought to the file's
    /// (an adoption, when the file did not own it yet).
    FoundAndUpdated {
        peering: Peering,
        fields: Vec<FieldChange>,
        adopted: bool,
    },
    /// The peering to delete was gone already.
    AlreadyGone,
    Failed {
        error: ChangeError,
        /// What a person can do about it, where that is known.
        advice: Option<String>,
    },
    /// The run was interrupted (Ctrl-C, SIGTERM) while this change was under way; the error
    /// says how far it got.
    Interrupted {
        error: ChangeError,
    },
    /// The run stopped (an interrupt, or `--fail-fast` after a failure) before this began.
    NotStarted,
}

/// The API client of each account, by the file's name for it (`None`: the one account of a
/// file without accounts).
pub type Clients = BTreeMap<Option<String>, Client>;

/// Why a change failed.
#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error("no API client for account {0:?}")]
    NoClient(Option<String>),
    #[error("{name:?} was still {state} after waiting {waited:?} for it to become disabled")]
    NotDisabledInTime {
        name: String,
        state: String,
        waited: Duration,
    },
    /// A create's answer did not confirm it, and the account shows no peering of the pair.
    #[error(
        "the API answered the create with {answer}, and the account shows no peering of these \
         networks: it was not created"
    )]
    NotCreated { answer: String },
    /// Interrupted after the delete's disable: the peering is disabled, and still there.
    #[error("{name:?} was disabled, but the run was interrupted before it was deleted")]
    InterruptedAfterDisable { name: String },
}

impl ChangeError {
    /// The change was stopped by an interrupt rather than refused.
    fn is_interrupted(&self) -> bool {
        match self {
            ChangeError::Api(error) => error.is_interrupted(),
            ChangeError::InterruptedAfterDisable { .. } => true,
            ChangeError::NoClient(_)
            | ChangeError::NotDisabledInTime { .. }
            | ChangeError::NotCreated { .. } => false,
        }
    }
}

#[derive(Debug)]
pub struct ChangeResult {
    pub change: Change,
    pub outcome: Outcome,
}

/// Every change of the plan that was not a no-op, in plan order, with its outcome.
#[derive(Debug, Default)]
pub struct Report {
    pub results: Vec<ChangeResult>,
}

/// How many changes ended each way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub created: usize,
    pub updated: usize,
    pub deleted: usize,
    /// Already as the file asks: created or deleted by someone else meanwhile.
    pub converged: usize,
    pub failed: usize,
    /// Under way when the run was interrupted.
    pub interrupted: usize,
    pub not_started: usize,
}

impl Report {
    pub fn tally(&self) -> Tally {
        let mut tally = Tally::default();
        for result in &self.results {
            match result.outcome {
                Outcome::Created(_) => tally.created += 1,
                Outcome::Updated(_) | Outcome::FoundAndUpdated { .. } => tally.updated += 1,
                Outcome::Deleted => tally.deleted += 1,
                Outcome::AlreadyExists | Outcome::ExistsUnseen | Outcome::AlreadyGone => {
                    tally.converged += 1;
                }
                Outcome::Failed { .. } => tally.failed += 1,
                Outcome::Interrupted { .. } => tally.interrupted += 1,
                Outcome::NotStarted => tally.not_started += 1,
            }
        }
        tally
    }

    /// Every change done or found done already.
    pub fn succeeded(&self) -> bool {
        let tally = self.tally();
        tally.failed == 0 && tally.interrupted == 0 && tally.not_started == 0
    }
}

/// What an apply tells its caller as it goes.
#[derive(Debug, Clone, Copy)]
pub enum Event<'a> {
    /// The API work of a change begins. In the order the changes actually start.
    Started(&'a Change),
    /// A change ended (or was never started). In plan order, see [`apply`].
    Finished(&'a ChangeResult),
}

/// Runs every create, update and delete of `plan`, at most `options.parallelism` at a time.
/// `on_event` hears each change start, and each change finish in plan order: a change that
/// finishes early waits for those before it, so the output reads the same on every run.
///
/// Once `stop` is requested, no change starts; changes under way stop at their next wait
/// (their requests in flight finish) and end [`Outcome::Interrupted`]. The clients should be
/// stopped by the same signal.
pub async fn apply(
    clients: &Clients,
    plan: &Plan,
    names: &NetworkNames,
    options: &ApplyOptions,
    stop: &StopSignal,
    on_event: impl FnMut(Event<'_>),
) -> Report {
    let jobs: Vec<(&Change, Job)> = plan
        .changes
        .iter()
        .filter_map(|change| Some((change, Job::of(change)?)))
        .collect();
    // The changes run concurrently on this one task; each borrow lasts one synchronous call, so
    // two never overlap.
    let on_event = RefCell::new(on_event);
    let on_event = &on_event;
    // `--fail-fast` after a failure: start nothing new, as after an interrupt.
    let failed_fast = &Cell::new(false);
    let mut finished = futures::stream::iter(jobs.into_iter().enumerate())
        .map(|(index, (change, job))| async move {
            let outcome = if stop.is_requested() || failed_fast.get() {
                Outcome::NotStarted
            } else {
                (on_event.borrow_mut())(Event::Started(change));
                let outcome = match clients.get(&change.account) {
                    Some(client) => run(client, change, job, names, options, stop).await,
                    None => Outcome::Failed {
                        error: ChangeError::NoClient(change.account.clone()),
                        advice: None,
                    },
                };
                if options.fail_fast && matches!(outcome, Outcome::Failed { .. }) {
                    failed_fast.set(true);
                }
                outcome
            };
            let result = ChangeResult {
                change: change.clone(),
                outcome,
            };
            (index, result)
        })
        .buffer_unordered(options.parallelism.max(1));
    let mut waiting = BTreeMap::new();
    let mut report = Report::default();
    while let Some((index, result)) = finished.next().await {
        waiting.insert(index, result);
        while let Some(result) = waiting.remove(&report.results.len()) {
            (on_event.borrow_mut())(Event::Finished(&result));
            report.results.push(result);
        }
    }
    report
}

/// Why a create did not end with the peering the API confirmed.
enum NotConfirmed {
    /// `PEERING_CONFLICT`: a peering of the pair exists.
    Conflict,
    /// A success whose body is no peering, or one of other networks.
    Answer(String),
}

/// Creates the peering, and believes only what the API confirms: an answer that is not the
/// peering asked for, or `PEERING_CONFLICT`, is checked against the account, and a peering of
/// the pair found there is planned as any existing peering is (it may need an update).
async fn create(
    client: &Client,
    change: &Change,
    target: &PeeringSpec,
) -> Result<Outcome, ChangeError> {
    let not_confirmed = match client.create_peering(target).await {
        Ok(created) if created.key == target.key => return Ok(Outcome::Created(created)),
        Ok(created) => NotConfirmed::Answer(format!(
            "a peering of other networks ({} to {})",
            created.key.network, created.key.peer_network
        )),
        Err(error) if error.code() == Some(codes::PEERING_CONFLICT) => NotConfirmed::Conflict,
        Err(ApiError::Malformed { detail, .. }) => NotConfirmed::Answer(detail),
        Err(error) => return Err(error.into()),
    };
    let found = client
        .list_peerings()
        .await?
        .into_iter()
        .filter(|peering| peering.key == target.key)
        .min_by_key(|peering| peering.id);
    let Some(found) = found else {
        return match not_confirmed {
            NotConfirmed::Conflict => Ok(Outcome::ExistsUnseen),
            NotConfirmed::Answer(answer) => Err(ChangeError::NotCreated { answer }),
        };
    };
    let follow = plan::plan_found(change, target, &found);
    match (&follow.action, not_confirmed) {
        (Action::Noop { .. }, NotConfirmed::Conflict) => Ok(Outcome::AlreadyExists),
        (Action::Noop { .. }, NotConfirmed::Answer(_)) => Ok(Outcome::Created(found)),
        (Action::Update { fields, adopt, .. }, _) => {
            let patch = FieldChange::patch(fields);
            let peering = client
                .modify_peering(found.id, &change.name, &patch)
                .await?;
            Ok(Outcome::FoundAndUpdated {
                peering,
                fields: fields.clone(),
                adopted: *adopt,
            })
        }
        // The differ plans no create or delete for a peering the file lists and the account
        // holds; should it, this run does not make it.
        (Action::Create(_) | Action::Delete { .. }, NotConfirmed::Conflict) => {
            Ok(Outcome::ExistsUnseen)
        }
        (Action::Create(_) | Action::Delete { .. }, NotConfirmed::Answer(answer)) => {
            Err(ChangeError::NotCreated { answer })
        }
    }
}

/// The API work a change needs; a no-op needs none.
enum Job<'p> {
    Create(&'p PeeringSpec),
    Modify(&'p Peering, PeeringPatch),
    Delete(&'p Peering),
}

impl<'p> Job<'p> {
    fn of(change: &'p Change) -> Option<Job<'p>> {
        match &change.action {
            Action::Create(target) => Some(Job::Create(target)),
            Action::Update {
                current, fields, ..
            } => Some(Job::Modify(current, FieldChange::patch(fields))),
            Action::Delete { current } => Some(Job::Delete(current)),
            Action::Noop { .. } => None,
        }
    }
}

async fn run(
    client: &Client,
    change: &Change,
    job: Job<'_>,
    names: &NetworkNames,
    options: &ApplyOptions,
    stop: &StopSignal,
) -> Outcome {
    let result = match job {
        Job::Create(target) => create(client, change, target).await,
        Job::Modify(current, patch) => client
            .modify_peering(current.id, &change.name, &patch)
            .await
            .map(Outcome::Updated)
            .map_err(ChangeError::from),
        Job::Delete(current) => delete::disable_then_delete(client, current, options, stop).await,
    };
    result.unwrap_or_else(|error| {
        if error.is_interrupted() {
            return Outcome::Interrupted { error };
        }
        let advice = advice::for_error(&error, change, names);
        Outcome::Failed { error, advice }
    })
}
