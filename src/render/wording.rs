//! The sentences that more than one renderer says, written once, so that the human report and the
//! Markdown comment never tell the same thing two ways. A renderer adds only its own markup: how
//! it emphasises a headline, and how it marks a key of the file ([`Code`]).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::model::{AttachedServer, ConfiguredStatus, NetworkId, Peering, PeeringState};
use crate::plan::Elsewhere;
use crate::plan::MassDelete;
use crate::plan::change::managed_by_another_file;
use crate::plan::health::{self, Check, CheckVerdict};
use crate::plan::{Change, NetworkNames, Plan};

/// How a renderer marks a key of the file, such as `configured_status`, inside a sentence.
pub(super) type Code = fn(&str) -> String;

/// A plan without changes.
pub(super) const NO_CHANGES: &str = "No changes: the account matches the file.";

/// What an update that adopts a peering does besides its field changes.
pub(super) const ADOPTION: &str =
    "exists without this file's ownership labels; from now on this file manages it";

/// `1 peering`, `2 peerings`.
pub fn count(n: usize, noun: &str) -> String {
    counted(n, noun, &format!("{noun}s"))
}

/// `1 network alias`, `2 network aliases`: for nouns whose plural is not just an `s` more.
pub fn counted(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// The peerings other files manage, counted by owner, one line per owner in owner order:
/// `2 peerings managed by another file (owner team-b)`.
pub(super) fn elsewhere_counts(elsewhere: &[Elsewhere]) -> Vec<String> {
    let mut counts: BTreeMap<Option<&str>, usize> = BTreeMap::new();
    for peering in elsewhere {
        *counts.entry(peering.owner.as_deref()).or_default() += 1;
    }
    counts
        .into_iter()
        .map(|(owner, n)| format!("{} {}", count(n, "peering"), managed_by_another_file(owner)))
        .collect()
}

/// The command lines a report suggests running next, as the caller's own invocation would give
/// them (its file, its API), so that they act on what this run acted on.
#[derive(Debug, Clone)]
pub struct NextCommands {
    pub plan: String,
    pub apply: String,
}

/// A check's conclusion: a headline (`Drift`), what it means, and for drift what to run next.
pub(super) struct VerdictWords {
    pub headline: &'static str,
    pub meaning: String,
    pub next: Option<String>,
}

pub(super) fn verdict(check: &Check, code: Code, next: &NextCommands) -> VerdictWords {
    let status = code("configured_status");
    let (headline, meaning, next) = match check.verdict() {
        CheckVerdict::Drift => (
            "Drift",
            format!("changes are pending. {}", check.pending),
            Some(format!(
                "Run `{}` to see them, `{}` to make them.",
                next.plan, next.apply
            )),
        ),
        CheckVerdict::Unhealthy => (
            "Unhealthy",
            format!(
                "nothing would change, but some peerings are not in the state their {status} asks for."
            ),
            None,
        ),
        CheckVerdict::InSync => ("In sync", in_sync(check, &status), None),
    };
    VerdictWords {
        headline,
        meaning,
        next,
    }
}

fn in_sync(check: &Check, status: &str) -> String {
    match check.listed_peerings() {
        0 => "nothing would change, and the file lists no peering that exists.".to_owned(),
        1 => format!(
            "nothing would change, and the {} is as its {status} asks.",
            listed_peerings(check)
        ),
        _ => format!(
            "nothing would change, and all {} are as their {status} asks.",
            listed_peerings(check)
        ),
    }
}

/// `1 existing peering the file lists`, `3 existing peerings the file lists (4 halves)`: the
/// peerings a check judged, and their halves when they are more (a `[[link]]`'s two, an
/// `[[aiven_peering]]`'s UpCloud half and Aiven half).
fn listed_peerings(check: &Check) -> String {
    let (peerings, halves) = (check.listed_peerings(), check.listed());
    let listed = format!("{} the file lists", count(peerings, "existing peering"));
    if halves == peerings {
        listed
    } else {
        format!("{listed} ({})", counted(halves, "half", "halves"))
    }
}

/// The line under a check's list of unhealthy peerings: how many of the halves it judged are
/// healthy.
pub(super) fn healthy_count(check: &Check) -> String {
    let (peerings, halves) = (check.listed_peerings(), check.listed());
    let healthy = check.healthy_count();
    let verb = if halves == 1 { "is" } else { "are" };
    if halves == peerings {
        format!(
            "{healthy} of {} the file lists {verb} healthy.",
            count(peerings, "existing peering")
        )
    } else {
        format!(
            "{healthy} of the {halves} halves of the {} the file lists {verb} healthy.",
            count(peerings, "existing peering")
        )
    }
}

/// The deletes of a plan, called out: a headline (`2 owned peerings will be DELETED`) and why.
pub(super) fn deletes_banner(deletes: usize, code: Code) -> (String, String) {
    let them = if deletes == 1 { "it" } else { "them" };
    (
        format!("{} will be DELETED", count(deletes, "owned peering")),
        format!(
            "the file no longer lists {them} and sets {}",
            code("prune = true")
        ),
    )
}

/// `3 of the 4 peerings this file manages in account prod (more than 30 %)`: what `apply`
/// refuses to delete without `--force`.
pub fn mass_delete(mass: &MassDelete) -> String {
    let account = match &mass.account {
        Some(account) => format!(" in account {account}"),
        None => String::new(),
    };
    format!(
        "{} of the {} peerings this file manages{account} (more than 30 %)",
        mass.names.len(),
        mass.owned
    )
}

/// A plan's warning that `apply` will refuse it.
pub(super) fn needs_force(mass: &MassDelete, code: Code) -> String {
    format!(
        "apply will refuse to delete {} unless it is given {}",
        mass_delete(mass),
        code("--force")
    )
}

/// What a peering's state means. For `pending-peer`, who must create the other half where the
/// accounts read tell it (one of the file's accounts, or this same account), instead of the
/// general words, which name Aiven as the usual other side.
pub(super) fn explanation(
    state: &PeeringState,
    peer_network: NetworkId,
    names: &NetworkNames,
) -> Cow<'static, str> {
    match (state, names.holder(peer_network)) {
        (PeeringState::PendingPeer, Some(Some(account))) => {
            format!("waiting for account {account} to create its half").into()
        }
        (PeeringState::PendingPeer, Some(None)) => {
            "waiting for the half in the other direction, in this same account".into()
        }
        _ => state.explanation().into(),
    }
}

/// What to do about a peering in `state`, for the person a nightly job alerts: as
/// [`health::advice`] says, but for `pending-peer` naming the account that must act where the
/// accounts read tell it.
pub(super) fn advice(
    state: &PeeringState,
    configured: ConfiguredStatus,
    peer_network: NetworkId,
    names: &NetworkNames,
) -> Cow<'static, str> {
    match (state, names.holder(peer_network)) {
        (PeeringState::PendingPeer, Some(Some(account))) => format!(
            "account {account} must create the peering in the other direction: declare that half \
             in this file (a [[link]] of both halves, or a [[peering]] with account = \
             \"{account}\") and apply"
        )
        .into(),
        (PeeringState::PendingPeer, Some(None)) => {
            "create the peering in the other direction too: add it to the file and apply".into()
        }
        _ => health::advice(state, configured).into(),
    }
}

/// How a delete is carried out: the API deletes only a disabled peering.
pub(super) fn delete_procedure(current: &Peering) -> &'static str {
    if current.configured_status == ConfiguredStatus::Disabled {
        "already disabled: delete"
    } else {
        "disable, wait until disabled, delete"
    }
}

/// How many servers a sentence names before it counts the rest (`+ 2 more`).
const SERVERS_NAMED: usize = 5;

/// What the plan says of a peering it expects to turn active, when servers are on its network:
/// how many will need a DHCP renewal, and the first few by title. Nothing to say without
/// servers.
pub(super) fn renewal_expected(
    change: &Change,
    plan: &Plan,
    names: &NetworkNames,
) -> Option<String> {
    let servers = plan.renewals.expected(change)?;
    if servers.is_empty() {
        return None;
    }
    let network = change.key.network;
    let network = names
        .name(network)
        .map_or_else(|| network.to_string(), str::to_owned);
    let named: Vec<String> = servers
        .iter()
        .take(SERVERS_NAMED)
        .map(AttachedServer::label)
        .collect();
    let mut titles = named.join(", ");
    if let Some(more) = servers.len().checked_sub(SERVERS_NAMED).filter(|n| *n > 0) {
        let _ = write!(titles, " + {more} more");
    }
    Some(format!(
        "expected to turn active: {} on {network} will then need a DHCP renewal ({titles})",
        count(servers.len(), "server")
    ))
}

/// The headline of what `apply` says after peerings turned active, before it lists the servers
/// by network.
pub(super) fn renewal_headline(while_waiting: bool) -> String {
    let when = if while_waiting { " while waiting" } else { "" };
    format!(
        "Renew the DHCP lease of these servers: they were on these networks before the peerings \
         turned active{when}, and learn the new routes only when they renew it."
    )
}

/// How to renew a lease [C: Aiven's UpCloud peering guide], and who needs no renewal.
pub(super) const RENEWAL_HOW: [&str; 3] = [
    "On each: `dhclient -r IFACE && dhclient IFACE`, or `networkctl renew IFACE` on",
    "systemd-networkd, IFACE being its interface on that network.",
    "Servers created from now on get the routes at boot.",
];

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::model::{Labels, NetworkId, PeeringId, PeeringKey, PeeringState};
    use crate::plan::{Action, Change, NetworkNames, Plan, health};
    use crate::render::{human, markdown};

    fn peering(n: u128, configured: ConfiguredStatus, state: PeeringState) -> Peering {
        Peering {
            account: None,
            id: PeeringId(Uuid::from_u128(n)),
            name: format!("p{n}"),
            key: PeeringKey {
                network: NetworkId(Uuid::from_u128(1000 + n)),
                peer_network: NetworkId(Uuid::from_u128(2000 + n)),
            },
            configured_status: configured,
            state,
            labels: Labels::new(),
        }
    }

    fn plan_of(actions: Vec<Action>) -> Plan {
        let changes = actions
            .into_iter()
            .map(|action| {
                let current = action.current().cloned().expect("an existing peering");
                Change {
                    account: None,
                    link: None,
                    name: current.name.clone(),
                    key: current.key,
                    action,
                    warnings: Vec::new(),
                }
            })
            .collect();
        Plan {
            changes,
            owned: 1,
            ..Plan::empty()
        }
    }

    fn next() -> NextCommands {
        NextCommands {
            plan: "peerings plan".into(),
            apply: "peerings apply".into(),
        }
    }

    /// Both renderers of a check, styles stripped.
    fn both(plan: &Plan) -> [String; 2] {
        let check = health::check(plan);
        let names = NetworkNames::default();
        [
            anstream::adapter::strip_str(&human::check(&check, &names, &next())).to_string(),
            markdown::check(&check, &names, &next(), None),
        ]
    }

    #[test]
    fn one_peering_is_one_peering_in_every_renderer() {
        let active = peering(1, ConfiguredStatus::Active, PeeringState::Active);
        for text in both(&plan_of(vec![Action::Noop { current: active }])) {
            assert!(
                text.contains("the 1 existing peering the file lists is as its"),
                "{text}"
            );
            assert!(!text.contains("1 existing peerings"), "{text}");
        }
        let pending = peering(2, ConfiguredStatus::Active, PeeringState::PendingPeer);
        for text in both(&plan_of(vec![Action::Noop { current: pending }])) {
            assert!(
                text.contains("0 of 1 existing peering the file lists is healthy."),
                "{text}"
            );
        }
    }

    #[test]
    fn several_peerings_are_counted_in_the_plural() {
        let plan = plan_of(vec![
            Action::Noop {
                current: peering(1, ConfiguredStatus::Active, PeeringState::Active),
            },
            Action::Noop {
                current: peering(2, ConfiguredStatus::Active, PeeringState::PendingPeer),
            },
        ]);
        for text in both(&plan) {
            assert!(
                text.contains("1 of 2 existing peerings the file lists are healthy."),
                "{text}"
            );
        }
    }

    #[test]
    fn every_renderer_words_the_verdict_and_the_delete_procedure_alike() {
        let pending = peering(1, ConfiguredStatus::Active, PeeringState::PendingPeer);
        let disabled = peering(2, ConfiguredStatus::Disabled, PeeringState::Disabled);
        let plan = plan_of(vec![
            Action::Noop { current: pending },
            Action::Delete { current: disabled },
        ]);
        let [human_check, markdown_check] = both(&plan);
        let words = verdict(&health::check(&plan), |text| text.to_owned(), &next());
        assert_eq!(words.headline, "Drift");
        for text in [&human_check, &markdown_check] {
            assert!(
                text.contains("changes are pending. Plan: 0 to create"),
                "{text}"
            );
            assert!(
                text.contains("Run `peerings plan` to see them, `peerings apply` to make them."),
                "{text}"
            );
        }
        let names = NetworkNames::default();
        let human_plan = anstream::adapter::strip_str(&human::plan(&plan, &names)).to_string();
        let markdown_plan = markdown::plan(&plan, &names, None);
        for text in [&human_plan, &markdown_plan] {
            assert!(text.contains("1 owned peering will be DELETED"), "{text}");
            assert!(text.contains("already disabled: delete"), "{text}");
        }
    }
}
