//! Which of the file's peerings an apply saw turn `active`: the servers already on their
//! networks learn the new route only when they renew their DHCP lease (see `plan::renewal`).
//! Pure: it reads the plan (the states and servers it read), the report and what `--wait` saw,
//! and sends nothing.
//!
//! A peering is known active when the last answer about it says `active`: the plan's read, then
//! its create's or modify's answer, then the wait's last look. And since `active` means
//! established both ways, a half whose other half is known active is active too: the first half
//! of a link created in one run answered `pending-peer`, before its other half existed.
//!
//! The plan's peerings include the UpCloud halves of `[[aiven_peering]]` tables whose peer the
//! plan could not tell: apply created them once it learnt it, so they are the report's.

use std::collections::BTreeMap;

use crate::model::{AttachedServer, PeeringState};
use crate::plan::{Action, Change, Plan};

use super::wait::{HalfState, Waited};
use super::{LeftAs, Report};

/// One of the file's peerings that turned active during the run, and the servers that were on
/// its network before the apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activated<'p> {
    pub change: &'p Change,
    pub servers: &'p [AttachedServer],
}

/// The peerings that were not active when the plan read them and are after the changes, in
/// plan order.
pub fn by_the_changes<'p>(plan: &'p Plan, report: &'p Report) -> Vec<Activated<'p>> {
    let before = before(plan);
    let after = after_changes(plan, report);
    turned_active(plan, &changes(plan, report), &[&before], &after)
}

/// The peerings that `--wait` saw turn active: neither when the plan read them nor after the
/// changes, but at the wait's last look. In the same order.
pub fn while_waiting<'p>(
    plan: &'p Plan,
    report: &'p Report,
    waited: &Waited,
) -> Vec<Activated<'p>> {
    let before = before(plan);
    let after_changes = after_changes(plan, report);
    let mut after_wait = after_changes.clone();
    for settled in &waited.settled {
        let last = match &settled.state {
            None => LeftAs::Gone,
            Some(HalfState::Upcloud(state)) => LeftAs::State(state),
            // An Aiven half, named as its UpCloud half: not a peering of the account.
            Some(HalfState::Aiven(_)) => continue,
        };
        after_wait.insert(settled.name.as_str(), last);
    }
    turned_active(
        plan,
        &changes(plan, report),
        &[&before, &after_changes],
        &after_wait,
    )
}

/// The plan's UpCloud changes, and those apply made that the plan could not (the UpCloud halves
/// created once their Aiven half showed their peer), in the plan's order: by name, deletes last.
fn changes<'p>(plan: &'p Plan, report: &'p Report) -> Vec<&'p Change> {
    let learnt = report
        .results
        .iter()
        .map(|result| &result.change)
        .filter(|change| !plan.changes.iter().any(|c| c.name == change.name));
    let mut changes: Vec<&Change> = plan.changes.iter().chain(learnt).collect();
    changes.sort_by_key(|change| {
        let delete = matches!(change.action, Action::Delete { .. });
        (delete, &change.name, &change.account)
    });
    changes
}

/// The last state learnt of each of the plan's peerings, by name (unique in a file).
type Knowledge<'a> = BTreeMap<&'a str, LeftAs<'a>>;

fn before(plan: &Plan) -> Knowledge<'_> {
    plan.changes
        .iter()
        .map(|change| {
            let last = change
                .action
                .current()
                .map_or(LeftAs::Gone, |current| LeftAs::State(&current.state));
            (change.name.as_str(), last)
        })
        .collect()
}

/// What the plan read, updated by each change's outcome. A change that failed, was interrupted
/// or never started leaves its peering as the plan read it.
fn after_changes<'a>(plan: &'a Plan, report: &'a Report) -> Knowledge<'a> {
    let mut known = before(plan);
    for result in &report.results {
        // Any other outcome leaves the peering as the plan read it.
        let Some(last) = result.outcome.left_as() else {
            continue;
        };
        known.insert(result.change.name.as_str(), last);
    }
    known
}

/// Of `changes`, the peerings (deletes aside) active in `now` but in none of `earlier`.
fn turned_active<'p>(
    plan: &'p Plan,
    changes: &[&'p Change],
    earlier: &[&Knowledge],
    now: &Knowledge,
) -> Vec<Activated<'p>> {
    changes
        .iter()
        .copied()
        .filter(|change| !matches!(change.action, Action::Delete { .. }))
        .filter(|change| {
            is_active(changes, change, now)
                && !earlier.iter().any(|k| is_active(changes, change, k))
        })
        .map(|change| Activated {
            change,
            servers: plan.renewals.servers_on(change.key.network),
        })
        .collect()
}

/// Whether `known` says the change's peering is active: its own state, or the state of its
/// other half among `changes`.
fn is_active(changes: &[&Change], change: &Change, known: &Knowledge) -> bool {
    let last = |change: &Change| {
        known
            .get(change.name.as_str())
            .copied()
            .unwrap_or(LeftAs::Gone)
    };
    let active = |change: &Change| last(change) == LeftAs::State(&PeeringState::Active);
    let reverse = change.key.reverse();
    active(change)
        || (last(change) != LeftAs::Gone
            && changes
                .iter()
                .any(|other| other.key == reverse && active(other)))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use uuid::Uuid;

    use super::*;
    use crate::apply::wait::{Place, Settled, WaitVerdict};
    use crate::apply::{ChangeResult, Outcome};
    use crate::config::{Desired, DesiredPeering};
    use crate::model::{
        ConfiguredStatus, Labels, MANAGED_BY_KEY, MANAGED_BY_VALUE, Network, NetworkId,
        NetworkType, Peering, PeeringId, PeeringKey, ServerId,
    };
    use crate::plan::{Observed, plan_accounts};

    const A: u128 = 0xa;
    const B: u128 = 0xb;
    const C: u128 = 0xc;

    fn key(network: u128, peer: u128) -> PeeringKey {
        PeeringKey {
            network: NetworkId(Uuid::from_u128(network)),
            peer_network: NetworkId(Uuid::from_u128(peer)),
        }
    }

    fn network(n: u128, title: &str) -> Network {
        Network {
            id: NetworkId(Uuid::from_u128(n)),
            name: format!("net-{n}"),
            kind: NetworkType::Private,
            zone: "fi-hel1".into(),
            router: Some("router".into()),
            ranges: vec![format!("10.{n}.0.0/16").parse().unwrap()],
            servers: vec![AttachedServer {
                title: title.into(),
                id: ServerId(Uuid::from_u128(0x5e00 + n)),
            }],
        }
    }

    fn peering(name: &str, key: PeeringKey, state: PeeringState) -> Peering {
        Peering {
            account: None,
            id: PeeringId(Uuid::from_u128(0x9000 + u128::from(name.len() as u8))),
            name: name.into(),
            key,
            configured_status: ConfiguredStatus::Active,
            state,
            labels: Labels::from([(MANAGED_BY_KEY.into(), MANAGED_BY_VALUE.into())]),
        }
    }

    /// One account with networks A (server web-1), B (db-1) and C (ci-1); the file asks for
    /// `wanted`, the account holds `existing`.
    fn plan(wanted: &[(&str, PeeringKey)], existing: Vec<Peering>) -> Plan {
        let desired = Desired {
            peerings: wanted
                .iter()
                .map(|(name, key)| DesiredPeering {
                    name: (*name).into(),
                    key: *key,
                    configured_status: ConfiguredStatus::Active,
                    labels: Labels::new(),
                    account: None,
                    link: None,
                })
                .collect(),
            ..Desired::default()
        };
        let observed = Observed {
            peerings: existing,
            networks: vec![network(A, "web-1"), network(B, "db-1"), network(C, "ci-1")],
            ..Observed::default()
        };
        Plan::merge(plan_accounts(&desired, &BTreeMap::from([(None, observed)])))
    }

    /// The report of an apply whose changes ended as `outcomes` says, by name; the others were
    /// not started.
    fn report(plan: &Plan, outcomes: &[(&str, Option<PeeringState>)]) -> Report {
        let results = plan
            .changes
            .iter()
            .filter(|change| !matches!(change.action, Action::Noop { .. }))
            .map(|change| {
                let outcome = match outcomes.iter().find(|(name, _)| *name == change.name) {
                    Some((name, Some(state))) => {
                        Outcome::Created(peering(name, change.key, state.clone()))
                    }
                    Some((_, None)) => Outcome::AlreadyExists,
                    None => Outcome::NotStarted,
                };
                ChangeResult {
                    change: change.clone(),
                    outcome,
                }
            })
            .collect();
        Report {
            results,
            aiven: Vec::new(),
        }
    }

    fn waited(states: &[(&str, PeeringState)]) -> Waited {
        Waited {
            settled: states
                .iter()
                .map(|(name, state)| Settled {
                    name: (*name).into(),
                    place: Place::Upcloud(
                        None,
                        PeeringKey {
                            network: NetworkId(uuid::Uuid::nil()),
                            peer_network: NetworkId(uuid::Uuid::nil()),
                        },
                    ),
                    state: Some(HalfState::Upcloud(state.clone())),
                    verdict: WaitVerdict::Reached,
                })
                .collect(),
            interrupted: false,
        }
    }

    fn names_and_servers(activated: &[Activated]) -> Vec<(String, String)> {
        activated
            .iter()
            .map(|a| {
                let titles: Vec<&str> = a.servers.iter().map(|s| s.title.as_str()).collect();
                (a.change.name.clone(), titles.join(","))
            })
            .collect()
    }

    fn pair(name: &str, servers: &str) -> (String, String) {
        (name.into(), servers.into())
    }

    #[test]
    fn a_create_answered_active_turned_active_by_the_changes() {
        let plan = plan(&[("a to c", key(A, C))], vec![]);
        let report = report(&plan, &[("a to c", Some(PeeringState::Active))]);
        assert_eq!(
            names_and_servers(&by_the_changes(&plan, &report)),
            [pair("a to c", "web-1")]
        );
        let seen_again = waited(&[("a to c", PeeringState::Active)]);
        assert!(while_waiting(&plan, &report, &seen_again).is_empty());
    }

    #[test]
    fn a_create_left_pending_turns_active_only_when_the_wait_sees_it() {
        let plan = plan(&[("a to c", key(A, C))], vec![]);
        let report = report(&plan, &[("a to c", Some(PeeringState::PendingPeer))]);
        assert!(by_the_changes(&plan, &report).is_empty());
        let still = waited(&[("a to c", PeeringState::PendingPeer)]);
        assert!(while_waiting(&plan, &report, &still).is_empty());
        let seen = waited(&[("a to c", PeeringState::Active)]);
        assert_eq!(
            names_and_servers(&while_waiting(&plan, &report, &seen)),
            [pair("a to c", "web-1")]
        );
    }

    #[test]
    fn the_first_half_of_a_pair_is_active_once_the_second_answers_active() {
        let plan = plan(&[("a to b", key(A, B)), ("b to a", key(B, A))], vec![]);
        let report = report(
            &plan,
            &[
                ("a to b", Some(PeeringState::PendingPeer)),
                ("b to a", Some(PeeringState::Active)),
            ],
        );
        assert_eq!(
            names_and_servers(&by_the_changes(&plan, &report)),
            [pair("a to b", "web-1"), pair("b to a", "db-1")]
        );
    }

    #[test]
    fn a_half_left_as_it_was_turns_active_with_its_other_half() {
        let waiting = peering("a to b", key(A, B), PeeringState::PendingPeer);
        let plan = plan(
            &[("a to b", key(A, B)), ("b to a", key(B, A))],
            vec![waiting],
        );
        assert!(matches!(plan.changes[0].action, Action::Noop { .. }));
        let report = report(&plan, &[("b to a", Some(PeeringState::Active))]);
        assert_eq!(
            names_and_servers(&by_the_changes(&plan, &report)),
            [pair("a to b", "web-1"), pair("b to a", "db-1")]
        );
    }

    #[test]
    fn a_half_that_does_not_exist_is_not_active_whatever_its_other_half_says() {
        let plan = plan(&[("a to b", key(A, B)), ("b to a", key(B, A))], vec![]);
        // The create of "a to b" never started.
        let report = report(&plan, &[("b to a", Some(PeeringState::Active))]);
        assert_eq!(
            names_and_servers(&by_the_changes(&plan, &report)),
            [pair("b to a", "db-1")]
        );
        // It exists, created by someone else: its other half's answer tells its state.
        let report_conflict = super::tests::report(
            &plan,
            &[("a to b", None), ("b to a", Some(PeeringState::Active))],
        );
        assert_eq!(
            names_and_servers(&by_the_changes(&plan, &report_conflict)),
            [pair("a to b", "web-1"), pair("b to a", "db-1")]
        );
    }

    #[test]
    fn a_peering_active_before_the_apply_did_not_turn_active() {
        let active = peering("old name", key(A, C), PeeringState::Active);
        let plan = plan(&[("a to c", key(A, C))], vec![active]);
        assert!(matches!(plan.changes[0].action, Action::Update { .. }));
        let report = report(&plan, &[("a to c", Some(PeeringState::Active))]);
        assert!(by_the_changes(&plan, &report).is_empty());
        // Even when its modify answered `provisioning` and the wait saw it active again.
        let report = super::tests::report(&plan, &[("a to c", Some(PeeringState::Provisioning))]);
        let seen = waited(&[("a to c", PeeringState::Active)]);
        assert!(while_waiting(&plan, &report, &seen).is_empty());
    }
}
