//! Carrying out a plan through the API: every change runs, a failure fails only its own change,
//! and each outcome is reported as what really happened.

mod advice;

use futures::StreamExt;

use crate::model::{Peering, PeeringPatch};
use crate::plan::{Action, Change, FieldChange, Plan};
use crate::render::NetworkNames;
use crate::upcloud::{ApiError, Client, wire::codes};

/// How many changes run at once.
const PARALLELISM: usize = 4;

/// What happened to one change.
#[derive(Debug)]
pub enum Outcome {
    Created(Peering),
    Updated(Peering),
    /// The create answered `PEERING_CONFLICT`: the peering is there already, which is what the
    /// file asks for.
    AlreadyExists,
    Failed {
        error: ApiError,
        /// What a person can do about it, where that is known.
        advice: Option<String>,
    },
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
    pub already_existed: usize,
    pub failed: usize,
}

impl Report {
    pub fn tally(&self) -> Tally {
        let mut tally = Tally::default();
        for result in &self.results {
            match result.outcome {
                Outcome::Created(_) => tally.created += 1,
                Outcome::Updated(_) => tally.updated += 1,
                Outcome::AlreadyExists => tally.already_existed += 1,
                Outcome::Failed { .. } => tally.failed += 1,
            }
        }
        tally
    }

    pub fn succeeded(&self) -> bool {
        self.tally().failed == 0
    }
}

/// Runs every create and update of `plan`, at most [`PARALLELISM`] at a time, calling
/// `on_finished` for each in plan order as soon as it and those before it are done.
pub async fn apply(
    client: &Client,
    plan: &Plan,
    names: &NetworkNames,
    mut on_finished: impl FnMut(&ChangeResult),
) -> Report {
    let jobs = plan.changes.iter().filter_map(|change| {
        let request = match &change.action {
            Action::Create => Request::Create,
            Action::Update { current, fields } => {
                Request::Modify(current, FieldChange::patch(fields))
            }
            Action::Noop { .. } => return None,
        };
        Some((change, request))
    });
    let mut finished = futures::stream::iter(jobs)
        .map(|(change, request)| run(client, change, request, names))
        .buffered(PARALLELISM);
    let mut report = Report::default();
    while let Some(result) = finished.next().await {
        on_finished(&result);
        report.results.push(result);
    }
    report
}

/// The one API call a change needs.
enum Request<'a> {
    Create,
    Modify(&'a Peering, PeeringPatch),
}

async fn run(
    client: &Client,
    change: &Change,
    request: Request<'_>,
    names: &NetworkNames,
) -> ChangeResult {
    let outcome = match request {
        Request::Create => match client.create_peering(&change.target).await {
            Ok(created) => Outcome::Created(created),
            Err(error) if error.code() == Some(codes::PEERING_CONFLICT) => Outcome::AlreadyExists,
            Err(error) => failed(error, change, names),
        },
        Request::Modify(current, patch) => {
            match client
                .modify_peering(current.id, &change.target.name, &patch)
                .await
            {
                Ok(updated) => Outcome::Updated(updated),
                Err(error) => failed(error, change, names),
            }
        }
    };
    ChangeResult {
        change: change.clone(),
        outcome,
    }
}

fn failed(error: ApiError, change: &Change, names: &NetworkNames) -> Outcome {
    let advice = advice::for_error(&error, change, names);
    Outcome::Failed { error, advice }
}
