//! `apply --output json`: one JSON object per line for CI logs, each with `event` and
//! `timestamp` (RFC 3339, UTC). The events and their keys are pinned: add, never rename.
//!
//! - `plan`: `plan` is the document `plan --output json` prints;
//! - `change_started`: `name`, `account`, `action`, `platform` (`upcloud` or `aiven`); an Aiven
//!   change also `project`, `vpc` and `network`;
//! - `change_finished`: the same, and `result` (created, updated, deleted, already_converged,
//!   failed, interrupted, not_started), `error` and `advice` (strings or null), and `existing`:
//!   for a create that found its peering there already (`PEERING_CONFLICT`), as_the_file_says,
//!   not_visible (the account cannot see it) or brought_to_the_file (updated to the file's
//!   fields); for a delete that found the peering no longer the file's (left alone, counted as
//!   already_converged), managed_elsewhere or unmanaged; null otherwise; and `warnings`: what apply learnt while making the change, each
//!   `code` and `message` as in the plan (`ownership_moves` for a peering found after its
//!   create that another file managed); usually empty;
//! - `wait_started` (with `--wait`): `peerings` (each `name`, `platform` and `goal`: active,
//!   disabled, gone, ACTIVE for an Aiven connection, or other_half_missing) and `timeout_s`;
//! - `state_changed` (with `--wait`): `name`, `platform`, `from` (null at the first look) and
//!   `to`, each a state or "gone";
//! - `settled` (with `--wait`): `name`, `platform`, `verdict` (reached, waiting,
//!   needs_attention), `state` (null when gone);
//! - `became_active`: one of the file's peerings turned active, so the servers already on its
//!   network need a DHCP renewal: `name`, `account`, `platform` (always `upcloud`: the half on
//!   the customer's network), `network`, `network_name` and `renew_dhcp`
//!   (each `uuid` and `title`; perhaps none). Before `summary` for those the changes turned
//!   active; with `--wait`, also after the `settled` events for those it saw turn active. Once
//!   per peering;
//! - `wait_finished` (with `--wait`, after the `settled` and `became_active` events):
//!   `interrupted`;
//! - `summary`: the tally (`interrupted_changes`: changes under way when the run was
//!   interrupted), `succeeded` and `interrupted`. A run interrupted before any change (while
//!   reading the accounts) has only this event, with `interrupted` true.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;
use serde_json::{Value, json};

use crate::apply::activated::Activated;
use crate::apply::wait::{HalfState, Settled, WaitEvent, WaitVerdict};
use crate::apply::{Finished, Outcome, Report};
use crate::model::{ConnectionKey, Platform};
use crate::plan::{NetworkNames, Ownership, Step, Warning};

use super::json::{PlanDocument, server_entries, warnings};

/// The plan document inside its event, its keys in the order `plan --output json` prints them.
#[derive(Debug, Serialize)]
pub struct PlanFields<'a> {
    pub plan: &'a PlanDocument,
}

pub fn plan(document: &PlanDocument, at: SystemTime) -> EventLine<PlanFields<'_>> {
    event("plan", at, PlanFields { plan: document })
}

pub fn change_started(step: Step<'_>, at: SystemTime) -> EventLine {
    let mut fields = json!({
        "name": step.name(),
        "account": step.account(),
        "action": step.action(),
        "platform": step.platform(),
    });
    if let Step::Aiven(change) = step {
        add_connection(&mut fields, &change.key);
    }
    event("change_started", at, fields)
}

pub fn change_finished(finished: &Finished, at: SystemTime) -> EventLine {
    let outcome = finished.outcome();
    let (error, advice) = match outcome {
        Outcome::Failed { error, advice } => (Some(error.to_string()), advice.clone()),
        Outcome::Interrupted { error } => (Some(error.to_string()), None),
        _ => (None, None),
    };
    let (name, account, action, platform, connection) = match finished {
        Finished::Upcloud(result) => (
            &result.change.name,
            &result.change.account,
            result.change.action.as_str(),
            Platform::Upcloud,
            None,
        ),
        Finished::Aiven(result) if result.upcloud_half => (
            &result.change.name,
            &result.change.account,
            "create",
            Platform::Upcloud,
            None,
        ),
        Finished::Aiven(result) => (
            &result.change.name,
            &result.change.account,
            result.change.action.as_str(),
            Platform::Aiven,
            Some(&result.change.key),
        ),
    };
    let mut fields = json!({
        "name": name,
        "account": account,
        "action": action,
        "platform": platform,
        "result": result_name(outcome),
        "existing": existing(outcome),
        "warnings": warnings(learnt_warnings(outcome)),
        "error": error,
        "advice": advice,
    });
    if let Some(key) = connection {
        add_connection(&mut fields, key);
    }
    event("change_finished", at, fields)
}

/// An Aiven change's own keys: where its connection is.
fn add_connection(fields: &mut Value, key: &ConnectionKey) {
    fields["project"] = json!(key.vpc.project);
    fields["vpc"] = json!(key.vpc.vpc.to_string());
    fields["network"] = json!(key.network.to_string());
}

pub fn settled(settled: &Settled, at: SystemTime) -> EventLine {
    let verdict = match settled.verdict {
        WaitVerdict::Reached => "reached",
        WaitVerdict::Waiting => "waiting",
        WaitVerdict::NeedsAttention => "needs_attention",
    };
    event(
        "settled",
        at,
        json!({
            "name": settled.name,
            "platform": settled.place.platform(),
            "verdict": verdict,
            "state": settled.state.as_ref().map(ToString::to_string),
        }),
    )
}

pub fn wait_event(wait: &WaitEvent<'_>, at: SystemTime) -> EventLine {
    let state =
        |state: Option<&HalfState>| state.map_or_else(|| "gone".to_owned(), ToString::to_string);
    match wait {
        WaitEvent::Watching { peerings, timeout } => {
            let peerings: Vec<Value> = peerings
                .iter()
                .map(|watched| {
                    json!({
                        "name": watched.name,
                        "platform": watched.platform,
                        "goal": watched.goal.as_str(),
                    })
                })
                .collect();
            event(
                "wait_started",
                at,
                json!({ "peerings": peerings, "timeout_s": timeout.as_secs() }),
            )
        }
        WaitEvent::Seen {
            name,
            platform,
            state: now,
        } => event(
            "state_changed",
            at,
            json!({ "name": name, "platform": platform, "from": null, "to": state(*now) }),
        ),
        WaitEvent::Changed {
            name,
            platform,
            from,
            to,
        } => event(
            "state_changed",
            at,
            json!({ "name": name, "platform": platform, "from": state(*from), "to": state(*to) }),
        ),
    }
}

pub fn became_active(activated: &Activated, names: &NetworkNames, at: SystemTime) -> EventLine {
    let change = activated.change;
    event(
        "became_active",
        at,
        json!({
            "name": change.name,
            "account": change.account,
            "platform": Platform::Upcloud,
            "network": change.key.network.to_string(),
            "network_name": names.name(change.key.network),
            "renew_dhcp": server_entries(activated.servers),
        }),
    )
}

pub fn wait_finished(interrupted: bool, at: SystemTime) -> EventLine {
    event("wait_finished", at, json!({ "interrupted": interrupted }))
}

pub fn summary(report: &Report, interrupted: bool, at: SystemTime) -> EventLine {
    let tally = report.tally();
    event(
        "summary",
        at,
        json!({
            "created": tally.created,
            "updated": tally.updated,
            "deleted": tally.deleted,
            "already_converged": tally.converged,
            "failed": tally.failed,
            "interrupted_changes": tally.interrupted,
            "not_started": tally.not_started,
            "succeeded": report.succeeded(),
            "interrupted": interrupted,
        }),
    )
}

/// What apply learnt while making the change that a person must know, as the plan would have
/// warned had it known: that a peering found after its create was another file's.
fn learnt_warnings(outcome: &Outcome) -> &[Warning] {
    match outcome {
        Outcome::FoundAndUpdated { warnings, .. } => warnings,
        _ => &[],
    }
}

/// For a change that found the peering otherwise than its plan had: how the account held it. A
/// create that found it there already; a delete that found it no longer the file's.
fn existing(outcome: &Outcome) -> Option<&'static str> {
    match outcome {
        Outcome::AlreadyExists => Some("as_the_file_says"),
        Outcome::ExistsUnseen => Some("not_visible"),
        Outcome::FoundAndUpdated { .. } => Some("brought_to_the_file"),
        Outcome::LeftAlone(Ownership::Unmanaged) => Some("unmanaged"),
        Outcome::LeftAlone(_) => Some("managed_elsewhere"),
        _ => None,
    }
}

fn result_name(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Created(_) | Outcome::ConnectionCreated(_) => "created",
        Outcome::Updated(_) => "updated",
        Outcome::Deleted | Outcome::ConnectionDeleted(_) => "deleted",
        Outcome::AlreadyExists
        | Outcome::ExistsUnseen
        | Outcome::AlreadyGone
        | Outcome::LeftAlone(_) => "already_converged",
        Outcome::FoundAndUpdated { .. } => "updated",
        Outcome::Failed { .. } => "failed",
        Outcome::Interrupted { .. } => "interrupted",
        Outcome::NotStarted => "not_started",
    }
}

/// One line of output: `event` and `timestamp` first, so a log reads well, then the event's
/// own keys.
#[derive(Debug, Serialize)]
pub struct EventLine<Fields = Value> {
    pub event: &'static str,
    pub timestamp: String,
    /// Always a map: a struct, or `json!({...})`.
    #[serde(flatten)]
    pub fields: Fields,
}

fn event<Fields>(name: &'static str, at: SystemTime, fields: Fields) -> EventLine<Fields> {
    EventLine {
        event: name,
        timestamp: rfc3339(at),
        fields,
    }
}

/// `2024-05-01T12:34:56.789Z`. Times before 1970 do not occur here; they print as the epoch.
pub fn rfc3339(at: SystemTime) -> String {
    let since_epoch = at.duration_since(UNIX_EPOCH).unwrap_or_default();
    let seconds = since_epoch.as_secs();
    let (days, second_of_day) = (seconds / 86_400, seconds % 86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        second_of_day / 3600,
        second_of_day % 3600 / 60,
        second_of_day % 60,
        since_epoch.subsec_millis()
    )
}

/// The proleptic Gregorian date `days` after 1970-01-01: Howard Hinnant's `civil_from_days`,
/// for non-negative days.
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    // Shift the epoch to 0000-03-01, so that a leap day is the last day of its year.
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153; // 0 = March
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn at(seconds: u64, millis: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds) + Duration::from_millis(millis)
    }

    #[test]
    fn timestamps_are_rfc3339_utc() {
        assert_eq!(rfc3339(at(0, 0)), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(at(951_782_400, 5)), "2000-02-29T00:00:00.005Z");
        assert_eq!(rfc3339(at(1_709_251_199, 999)), "2024-02-29T23:59:59.999Z");
        assert_eq!(rfc3339(at(1_735_689_600, 0)), "2025-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(at(4_107_542_400, 0)), "2100-03-01T00:00:00.000Z");
    }

    #[test]
    fn every_day_of_four_centuries_follows_the_one_before() {
        let mut previous = civil_from_days(0);
        for days in 1..146_097 {
            let date = civil_from_days(days);
            let (y, m, d) = previous;
            let next_day = (y, m, d + 1);
            let next_month = (y, m + 1, 1);
            let next_year = (y + 1, 1, 1);
            assert!(
                date == next_day || date == next_month || date == next_year,
                "{previous:?} -> {date:?}"
            );
            previous = date;
        }
        assert_eq!(previous, (2369, 12, 31));
    }
}
