//! Carrying out a plan through the API: a failure fails only its own change, nothing is reported
//! done that was not, and a run that stops early says what it did not start.

pub mod activated;
mod advice;
mod aiven;
mod delete;
pub mod wait;

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::time::Duration;

use futures::StreamExt;

use crate::aiven::AivenClient;
use crate::http::ApiError;
use crate::model::{
    AivenConnection, ConfiguredStatus, ConnectionKey, ConnectionState, NetworkId, Peering,
    PeeringKey, PeeringPatch, PeeringSpec, PeeringState, VpcRef,
};
use crate::plan::aiven::{tied_by_labels, tied_connection, waits_for_aiven};
use crate::plan::change::aiven_network_advice;
use crate::plan::{
    self, Action, AivenAction, AivenChange, Change, FieldChange, NetworkNames, Ownership,
    PendingHalf, Plan, Step, Warning,
};
use crate::stop::StopSignal;
use crate::upcloud::{Client, wire::codes};

use self::aiven::VpcRounds;

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
    /// The create answered `PEERING_CONFLICT` (for an Aiven connection: was refused, and a read
    /// found it), and the account holds it as the file asks.
    AlreadyExists,
    /// The create answered `PEERING_CONFLICT`, but the account shows no peering of the pair:
    /// there is one where these credentials cannot see it (or it was deleted meanwhile).
    ExistsUnseen,
    /// The create did not go through (`PEERING_CONFLICT`, or an answer that did not confirm
    /// it), and the account held the peering with other fields: it was brought to the file's
    /// (an adoption, when the file did not own it yet). `warnings` are the differ's about it,
    /// as a plan that had seen it would have shown them: that another file managed it, which no
    /// longer does.
    FoundAndUpdated {
        peering: Peering,
        fields: Vec<FieldChange>,
        adopted: bool,
        warnings: Vec<Warning>,
    },
    /// Aiven accepted the connection: as answered, or, when the answer did not show it, as
    /// the VPC read after it shows it.
    ConnectionCreated(AivenConnection),
    /// Aiven accepted the connection's delete; it removes it and its own UpCloud half.
    ConnectionDeleted(Option<AivenConnection>),
    /// The peering to delete was gone already.
    AlreadyGone,
    /// The peering to delete, read again before the delete touched it, was no longer the
    /// file's: since the plan, another file took it over, or its ownership label went. It was
    /// left as it was (and so was the Aiven connection tied to it).
    LeftAlone(Ownership),
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

/// Where an UpCloud change left its peering, as far as this run knows (and, for the DHCP
/// renewals, what the run last learnt of one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum LeftAs<'a> {
    /// In the state the answer (or a read) showed.
    State(&'a PeeringState),
    /// It exists, in a state the run has not seen (the create answered `PEERING_CONFLICT`, and
    /// the account holds it as the file asks).
    Exists,
    /// It does not exist, or was deleted.
    Gone,
}

impl Outcome {
    /// Where an UpCloud change left its peering; `None` when it did not touch one this account
    /// sees: not visible to it, left alone, an Aiven connection, or not made.
    pub(super) fn left_as(&self) -> Option<LeftAs<'_>> {
        match self {
            Outcome::Created(peering)
            | Outcome::Updated(peering)
            | Outcome::FoundAndUpdated { peering, .. } => Some(LeftAs::State(&peering.state)),
            Outcome::AlreadyExists => Some(LeftAs::Exists),
            Outcome::Deleted | Outcome::AlreadyGone => Some(LeftAs::Gone),
            Outcome::ExistsUnseen
            | Outcome::LeftAlone(_)
            | Outcome::ConnectionCreated(_)
            | Outcome::ConnectionDeleted(_)
            | Outcome::Failed { .. }
            | Outcome::Interrupted { .. }
            | Outcome::NotStarted => None,
        }
    }
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
    /// While the delete waited for `disabled`, the peering stopped being the file's; `status`
    /// is its `configured_status` as then read.
    #[error(
        "{name:?} was disabled, but before its delete it became {ownership}: not deleted (its \
         configured_status is now {status})"
    )]
    TakenOverAfterDisable {
        name: String,
        ownership: Ownership,
        status: ConfiguredStatus,
    },
    #[error("no Aiven token: the file's [aiven] table names a variable that is not set")]
    NoAivenClient,
    /// Aiven's answer to a create did not show the connection, and its VPC shows none.
    #[error(
        "Aiven answered the create without the connection, and the VPC shows no connection to \
         this network: it was not created"
    )]
    ConnectionNotCreated,
    /// Interrupted while waiting for Aiven to build its half.
    #[error(
        "interrupted while waiting for Aiven to build its half; the UpCloud half was not created"
    )]
    InterruptedWaiting,
    #[error("cannot read the Aiven VPC while waiting for its half: {0}")]
    AivenRead(String),
    /// The connection ended in a state from which Aiven does not build its half.
    #[error("the Aiven half is {state}{}, so Aiven will not build its half; the UpCloud half was not created", message.as_deref().map(|m| format!(" ({m})")).unwrap_or_default())]
    AivenNotBuilt {
        state: ConnectionState,
        message: Option<String>,
    },
    #[error("Aiven had not built its half after {waited:?} (last seen {}); the UpCloud half was not created", state.as_ref().map_or("not listed".to_owned(), ToString::to_string))]
    AivenNotBuiltInTime {
        state: Option<ConnectionState>,
        waited: Duration,
    },
    /// Aiven built its half, but shows no Aiven network ID that can be told apart.
    #[error(
        "Aiven built its half, but shows no Aiven network ID peerings can tell apart; the UpCloud half was not created"
    )]
    AivenNetworkUnknown { name: String, vpc: VpcRef },
    /// The UpCloud half waits for an Aiven half that this run did not create.
    #[error("its Aiven half was not created, so the UpCloud half was not either")]
    AivenHalfNotCreated,
    /// A connection is deleted only after its UpCloud half, which was not.
    #[error("its UpCloud half was not deleted, so the Aiven connection is kept")]
    UpcloudHalfKept,
}

impl ChangeError {
    /// The change was stopped by an interrupt rather than refused.
    fn is_interrupted(&self) -> bool {
        match self {
            ChangeError::Api(error) => error.is_interrupted(),
            ChangeError::InterruptedAfterDisable { .. } | ChangeError::InterruptedWaiting => true,
            ChangeError::NoClient(_)
            | ChangeError::NotDisabledInTime { .. }
            | ChangeError::NotCreated { .. }
            | ChangeError::TakenOverAfterDisable { .. }
            | ChangeError::NoAivenClient
            | ChangeError::ConnectionNotCreated
            | ChangeError::AivenRead(_)
            | ChangeError::AivenNotBuilt { .. }
            | ChangeError::AivenNotBuiltInTime { .. }
            | ChangeError::AivenNetworkUnknown { .. }
            | ChangeError::AivenHalfNotCreated
            | ChangeError::UpcloudHalfKept => false,
        }
    }
}

/// How an UpCloud change ended.
#[derive(Debug)]
pub struct ChangeResult {
    pub change: Change,
    pub outcome: Outcome,
}

/// How an Aiven half ended, or an UpCloud half that could not be created for want of its peer.
#[derive(Debug)]
pub struct AivenResult {
    pub change: AivenChange,
    /// The UpCloud half of `change` (`change.pending`), rather than the Aiven half.
    pub upcloud_half: bool,
    pub outcome: Outcome,
}

/// One change's end, on either platform.
#[derive(Debug)]
pub enum Finished {
    Upcloud(ChangeResult),
    Aiven(AivenResult),
}

impl Finished {
    pub fn outcome(&self) -> &Outcome {
        match self {
            Finished::Upcloud(result) => &result.outcome,
            Finished::Aiven(result) => &result.outcome,
        }
    }
}

/// Every change of the plan that was not a no-op, in plan order, with its outcome: the UpCloud
/// changes (an UpCloud half created once its peer was learnt among them) and the Aiven ones.
#[derive(Debug, Default)]
pub struct Report {
    pub results: Vec<ChangeResult>,
    pub aiven: Vec<AivenResult>,
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
        let outcomes = self
            .results
            .iter()
            .map(|result| &result.outcome)
            .chain(self.aiven.iter().map(|result| &result.outcome));
        for outcome in outcomes {
            match outcome {
                Outcome::Created(_) | Outcome::ConnectionCreated(_) => tally.created += 1,
                Outcome::Updated(_) | Outcome::FoundAndUpdated { .. } => tally.updated += 1,
                Outcome::Deleted | Outcome::ConnectionDeleted(_) => tally.deleted += 1,
                Outcome::AlreadyExists
                | Outcome::ExistsUnseen
                | Outcome::AlreadyGone
                | Outcome::LeftAlone(_) => {
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
    Started(Step<'a>),
    /// A change ended (or was never started). In plan order, see [`apply`].
    Finished(&'a Finished),
}

/// Runs every create, update and delete of `plan`, of both platforms, at most
/// `options.parallelism` at a time. `on_event` hears each change start, and each change finish
/// in plan order: a change that finishes early waits for those before it, so the output reads
/// the same on every run.
///
/// Of one `[[aiven_peering]]`, the Aiven half is created first; its UpCloud half then waits
/// until Aiven has built its own (reading the VPC once per `options.poll_interval`, shared by
/// every connection of that VPC), learns the Aiven network ID if the plan could not, and is
/// created. A connection that prune deletes goes after its UpCloud half.
///
/// Once `stop` is requested, no change starts; changes under way stop at their next wait
/// (their requests in flight finish) and end [`Outcome::Interrupted`]. The clients should be
/// stopped by the same signal.
pub async fn apply(
    clients: &Clients,
    aiven: Option<&AivenClient>,
    plan: &Plan,
    names: &NetworkNames,
    options: &ApplyOptions,
    stop: &StopSignal,
    on_event: impl FnMut(Event<'_>),
) -> Report {
    let steps = plan.steps();
    let units = units(plan, &steps);
    // The steps that report, in order: no-ops do not.
    let mut reporting: Vec<usize> = units.iter().flat_map(Unit::indices).collect();
    reporting.sort_unstable();
    let context = Context {
        clients,
        aiven,
        rounds: aiven.map(|client| VpcRounds::new(client, options.poll_interval, stop)),
        names,
        options,
        stop,
        on_event: RefCell::new(on_event),
        failed_fast: Cell::new(false),
    };
    let context = &context;
    let mut finished = futures::stream::iter(units)
        .map(|unit| async move { context.run(unit).await })
        .buffer_unordered(options.parallelism.max(1));
    let mut waiting = BTreeMap::new();
    let mut next = reporting.into_iter().peekable();
    let mut report = Report::default();
    while let Some(done) = finished.next().await {
        waiting.extend(done);
        while let Some(result) = next.peek().and_then(|index| waiting.remove(index)) {
            next.next();
            (context.on_event.borrow_mut())(Event::Finished(&result));
            match result {
                Finished::Upcloud(result) => report.results.push(result),
                Finished::Aiven(result) => report.aiven.push(result),
            }
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
    match (follow.action, not_confirmed) {
        (Action::Noop { .. }, NotConfirmed::Conflict) => Ok(Outcome::AlreadyExists),
        (Action::Noop { .. }, NotConfirmed::Answer(_)) => Ok(Outcome::Created(found)),
        (Action::Update { fields, adopt, .. }, _) => {
            let patch = FieldChange::patch(&fields);
            let peering = client
                .modify_peering(found.id, &change.name, &patch)
                .await?;
            Ok(Outcome::FoundAndUpdated {
                peering,
                fields,
                adopted: adopt,
                warnings: follow.warnings,
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

/// The work of one change, or of changes that must run one after the other: each with the index
/// of its step in the plan's [`Plan::steps`], the order in which they are reported.
enum Unit<'p> {
    Upcloud {
        index: usize,
        change: &'p Change,
        job: Job<'p>,
    },
    /// An Aiven half whose UpCloud half needs no waiting for it.
    Aiven {
        index: usize,
        change: &'p AivenChange,
    },
    /// An UpCloud half that waits until Aiven built its half: after creating the Aiven half,
    /// when the plan does.
    Half {
        aiven: Option<(usize, &'p AivenChange)>,
        index: usize,
        half: HalfToCreate<'p>,
    },
    /// An owned UpCloud half that prune deletes, then its Aiven connection.
    Prune {
        upcloud: (usize, &'p Change, &'p Peering),
        aiven: (usize, &'p AivenChange),
    },
}

impl Unit<'_> {
    /// The indices of the steps it reports.
    fn indices(&self) -> Vec<usize> {
        match self {
            Unit::Upcloud { index, .. } | Unit::Aiven { index, .. } => vec![*index],
            Unit::Half { aiven, index, .. } => {
                aiven.iter().map(|(at, _)| *at).chain([*index]).collect()
            }
            Unit::Prune {
                upcloud: (at, ..),
                aiven: (index, _),
            } => vec![*at, *index],
        }
    }
}

/// An UpCloud half to create once its Aiven half is built.
enum HalfToCreate<'p> {
    /// Its peer is known: the plan's create.
    Known {
        change: &'p Change,
        target: &'p PeeringSpec,
        key: ConnectionKey,
    },
    /// Its peer is learnt from the Aiven half.
    Pending(&'p AivenChange, &'p PendingHalf),
}

/// The units of `steps`, in the order of their first step: each step in exactly one unit, but
/// no-ops in none.
fn units<'p>(plan: &'p Plan, steps: &[Step<'p>]) -> Vec<Unit<'p>> {
    let mut taken = vec![false; steps.len()];
    let mut units: Vec<(usize, Unit<'p>)> = Vec::new();
    // First the halves that go together.
    for (index, step) in steps.iter().enumerate() {
        let Step::Aiven(change) = *step else {
            continue;
        };
        let unit = match change.action {
            AivenAction::Create => steps
                .iter()
                .enumerate()
                .find_map(|(at, other)| {
                    let half = half_of(other).filter(|half| half.key() == change.key)?;
                    Some((at, half))
                })
                .map(|(at, half)| {
                    taken[at] = true;
                    Unit::Half {
                        aiven: Some((index, change)),
                        index: at,
                        half,
                    }
                }),
            AivenAction::Delete { .. } => steps
                .iter()
                .enumerate()
                .find_map(|(at, other)| {
                    let Step::Upcloud(upcloud) = *other else {
                        return None;
                    };
                    let Action::Delete { current } = &upcloud.action else {
                        return None;
                    };
                    (tied_connection(current).as_ref() == Some(&change.key))
                        .then_some((at, upcloud, current))
                })
                .map(|(at, upcloud, current)| {
                    taken[at] = true;
                    Unit::Prune {
                        upcloud: (at, upcloud, current),
                        aiven: (index, change),
                    }
                }),
            AivenAction::Noop { .. } => None,
        };
        if let Some(unit) = unit {
            taken[index] = true;
            units.push((index, unit));
        }
    }
    // Then every change of its own.
    for (index, step) in steps.iter().enumerate() {
        if taken[index] {
            continue;
        }
        let unit = match (*step, half_of(step)) {
            (_, Some(half)) if waits(plan, &half) => Unit::Half {
                aiven: None,
                index,
                half,
            },
            (Step::Upcloud(change), _) => match Job::of(change) {
                Some(job) => Unit::Upcloud { index, change, job },
                None => continue,
            },
            (Step::Aiven(change), _) if !step.is_noop() => Unit::Aiven { index, change },
            _ => continue,
        };
        units.push((index, unit));
    }
    // A unit reports at the step it begins with.
    units.sort_by_key(|(index, unit)| match unit {
        Unit::Prune {
            upcloud: (at, ..), ..
        } => *at,
        _ => *index,
    });
    units.into_iter().map(|(_, unit)| unit).collect()
}

/// The UpCloud half of an `[[aiven_peering]]` that `step` creates, if it does.
fn half_of<'p>(step: &Step<'p>) -> Option<HalfToCreate<'p>> {
    match *step {
        Step::PendingHalf(change, half) => Some(HalfToCreate::Pending(change, half)),
        Step::Upcloud(change) => {
            let Action::Create(target) = &change.action else {
                return None;
            };
            let key = tied_by_labels(&target.labels, target.key.network)?;
            Some(HalfToCreate::Known {
                change,
                target,
                key,
            })
        }
        Step::Aiven(_) => None,
    }
}

/// Whether the half must wait for its Aiven half: a pending one always does.
fn waits(plan: &Plan, half: &HalfToCreate) -> bool {
    match half {
        HalfToCreate::Pending(..) => true,
        HalfToCreate::Known { key, .. } => waits_for_aiven(&plan.aiven, key),
    }
}

impl<'p> HalfToCreate<'p> {
    fn key(&self) -> ConnectionKey {
        match self {
            HalfToCreate::Known { key, .. } => key.clone(),
            HalfToCreate::Pending(change, _) => change.key.clone(),
        }
    }

    fn step(&self) -> Step<'p> {
        match self {
            HalfToCreate::Known { change, .. } => Step::Upcloud(change),
            HalfToCreate::Pending(change, half) => Step::PendingHalf(change, half),
        }
    }
}

/// What every unit needs, shared by all of them.
struct Context<'a, E> {
    clients: &'a Clients,
    aiven: Option<&'a AivenClient>,
    rounds: Option<VpcRounds<'a>>,
    names: &'a NetworkNames,
    options: &'a ApplyOptions,
    stop: &'a StopSignal,
    /// The units run concurrently on this one task; each borrow lasts one synchronous call,
    /// so two never overlap.
    on_event: RefCell<E>,
    /// `--fail-fast` after a failure: start nothing new, as after an interrupt.
    failed_fast: Cell<bool>,
}

impl<E: FnMut(Event<'_>)> Context<'_, E> {
    /// Whether nothing more may start.
    fn stopping(&self) -> bool {
        self.stop.is_requested() || self.failed_fast.get()
    }

    fn started(&self, step: Step<'_>) {
        (self.on_event.borrow_mut())(Event::Started(step));
    }

    /// Records a failure for `--fail-fast`.
    fn ended(&self, outcome: Outcome) -> Outcome {
        if self.options.fail_fast && matches!(outcome, Outcome::Failed { .. }) {
            self.failed_fast.set(true);
        }
        outcome
    }

    async fn run(&self, unit: Unit<'_>) -> Vec<(usize, Finished)> {
        match unit {
            Unit::Upcloud { index, change, job } => {
                vec![(index, self.upcloud(change, job).await)]
            }
            Unit::Aiven { index, change } => vec![(index, self.aiven(change).await)],
            Unit::Half { aiven, index, half } => {
                let mut done = Vec::new();
                let mut there = true;
                if let Some((at, change)) = aiven {
                    let result = self.aiven(change).await;
                    there = matches!(
                        result.outcome(),
                        Outcome::ConnectionCreated(_) | Outcome::AlreadyExists
                    );
                    done.push((at, result));
                }
                done.push((index, self.half(half, there).await));
                done
            }
            Unit::Prune { upcloud, aiven } => {
                let (at, change, current) = upcloud;
                let result = self.upcloud(change, Job::Delete(current)).await;
                let (index, aiven_change) = aiven;
                let aiven = match result.outcome() {
                    Outcome::Deleted | Outcome::AlreadyGone => self.aiven(aiven_change).await,
                    // Tied to a half that is not the file's now: not the file's either.
                    Outcome::LeftAlone(ownership)
                    | Outcome::Failed {
                        error: ChangeError::TakenOverAfterDisable { ownership, .. },
                        ..
                    } => aiven_result(aiven_change, false, Outcome::LeftAlone(ownership.clone())),
                    Outcome::Failed { .. } => {
                        let advice = "make the UpCloud half's delete work (see above), then run \
                                      apply again: the connection is deleted after it";
                        aiven_result(
                            aiven_change,
                            false,
                            failed(ChangeError::UpcloudHalfKept, Some(advice.to_owned())),
                        )
                    }
                    _ => aiven_result(aiven_change, false, Outcome::NotStarted),
                };
                vec![(at, result), (index, aiven)]
            }
        }
    }

    /// One UpCloud change.
    async fn upcloud(&self, change: &Change, job: Job<'_>) -> Finished {
        let outcome = if self.stopping() {
            Outcome::NotStarted
        } else {
            self.started(Step::Upcloud(change));
            let outcome = match self.clients.get(&change.account) {
                Some(client) => run(client, change, job, self.names, self.options, self.stop).await,
                None => failed(ChangeError::NoClient(change.account.clone()), None),
            };
            self.ended(outcome)
        };
        Finished::Upcloud(ChangeResult {
            change: change.clone(),
            outcome,
        })
    }

    /// One Aiven half: a create or a delete.
    async fn aiven(&self, change: &AivenChange) -> Finished {
        let outcome = if self.stopping() {
            Outcome::NotStarted
        } else {
            self.started(Step::Aiven(change));
            let result = match (self.aiven, &change.action) {
                (None, _) => Err(ChangeError::NoAivenClient),
                (Some(client), AivenAction::Create) => aiven::create(client, change).await,
                (Some(client), AivenAction::Delete { .. }) => aiven::delete(client, change).await,
                (Some(_), AivenAction::Noop { .. }) => Ok(Outcome::AlreadyExists),
            };
            self.ended(result.unwrap_or_else(|error| {
                let advice = advice::for_aiven_error(&error, &change.key);
                settle_error(error, advice)
            }))
        };
        aiven_result(change, false, outcome)
    }

    /// An UpCloud half, once its Aiven half is built; `aiven_there`: its Aiven half existed or
    /// was created.
    async fn half(&self, half: HalfToCreate<'_>, aiven_there: bool) -> Finished {
        if self.stopping() {
            return half_result(half, None, Outcome::NotStarted);
        }
        if !aiven_there {
            let advice = "make the Aiven half work (see above), then run apply again".to_owned();
            let outcome = failed(ChangeError::AivenHalfNotCreated, Some(advice));
            return half_result(half, None, outcome);
        }
        self.started(half.step());
        let key = half.key();
        let built = match &self.rounds {
            Some(rounds) => rounds.until_built(&key, self.options).await,
            None => Err(ChangeError::NoAivenClient),
        };
        let built = match built {
            Ok(built) => built,
            Err(error) => {
                let advice = advice::for_aiven_error(&error, &key);
                return half_result(half, None, self.ended(settle_error(error, advice)));
            }
        };
        let (change, target) = match &half {
            HalfToCreate::Known { change, target, .. } => ((*change).clone(), (*target).clone()),
            HalfToCreate::Pending(of, pending) => match built.aiven_network {
                Some(peer_network) => learnt_half(of, pending, peer_network),
                None => {
                    let error = ChangeError::AivenNetworkUnknown {
                        name: pending.name.clone(),
                        vpc: key.vpc.clone(),
                    };
                    let advice = aiven_network_advice(&pending.name, &key.vpc);
                    return half_result(half, None, self.ended(failed(error, Some(advice))));
                }
            },
        };
        if self.stop.is_requested() {
            return half_result(half, Some(change), Outcome::NotStarted);
        }
        let outcome = match self.clients.get(&change.account) {
            Some(client) => {
                let job = Job::Create(&target);
                run(client, &change, job, self.names, self.options, self.stop).await
            }
            None => failed(ChangeError::NoClient(change.account.clone()), None),
        };
        half_result(half, Some(change), self.ended(outcome))
    }
}

/// The create of a pending UpCloud half, its peer now known.
fn learnt_half(
    of: &AivenChange,
    pending: &PendingHalf,
    peer_network: NetworkId,
) -> (Change, PeeringSpec) {
    let key = PeeringKey {
        network: pending.network,
        peer_network,
    };
    let target = PeeringSpec {
        name: pending.name.clone(),
        key,
        configured_status: pending.configured_status,
        labels: pending.labels.clone(),
    };
    let change = Change {
        account: of.account.clone(),
        link: None,
        name: pending.name.clone(),
        key,
        action: Action::Create(target.clone()),
        warnings: pending.warnings.clone(),
    };
    (change, target)
}

/// How an UpCloud half ended: as an UpCloud change when its peer is known, else as the pending
/// half of its Aiven change.
fn half_result(half: HalfToCreate<'_>, learnt: Option<Change>, outcome: Outcome) -> Finished {
    match (learnt, half) {
        (Some(change), _) => Finished::Upcloud(ChangeResult { change, outcome }),
        (None, HalfToCreate::Known { change, .. }) => Finished::Upcloud(ChangeResult {
            change: change.clone(),
            outcome,
        }),
        (None, HalfToCreate::Pending(of, _)) => aiven_result(of, true, outcome),
    }
}

fn aiven_result(change: &AivenChange, upcloud_half: bool, outcome: Outcome) -> Finished {
    Finished::Aiven(AivenResult {
        change: change.clone(),
        upcloud_half,
        outcome,
    })
}

fn failed(error: ChangeError, advice: Option<String>) -> Outcome {
    Outcome::Failed { error, advice }
}

/// An error as the outcome it is: an interrupt, or a failure with advice.
fn settle_error(error: ChangeError, advice: Option<String>) -> Outcome {
    if error.is_interrupted() {
        Outcome::Interrupted { error }
    } else {
        failed(error, advice)
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
