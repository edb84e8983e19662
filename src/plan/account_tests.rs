//! The differ's properties on the path a run takes: the refusal of an account declared twice,
//! [`plan_accounts`] (one plan per account, then the warnings that need both sides), and
//! [`Plan::merge`], over files and worlds of two accounts and networks outside both.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::tests::{arb_labels, arb_owner, arb_status, key, labels, net};
use super::*;
use crate::config::{AccountCredentials, AccountSpec, Desired, DesiredPeering};
use crate::model::{
    ConfiguredStatus, Labels, MANAGED_BY_KEY, MANAGED_BY_VALUE, OWNER_KEY, PeeringId, PeeringState,
};

/// The file's accounts. Networks 0 to 3 are `a`'s, 4 to 7 are `b`'s, and 8 and 9 are in
/// neither (an Aiven VPC, another team's network).
const ACCOUNTS: [&str; 2] = ["a", "b"];
const NETWORKS: u128 = 10;
const PER_ACCOUNT: u128 = 4;

/// The account that holds network `n`, if it is one of the file's.
fn home(n: u128) -> Option<&'static str> {
    ACCOUNTS
        .get(usize::try_from(n / PER_ACCOUNT).ok()?)
        .copied()
}

/// What an account knows of one of its networks; `present: false` for one deleted since the
/// file was written.
#[derive(Debug, Clone, Copy)]
struct NetworkFacts {
    present: bool,
    private: bool,
    router: bool,
    /// Its one range is `10.0.RANGE.0/24`: two networks overlap when they have the same.
    range: u8,
}

impl NetworkFacts {
    fn network(self, n: u128) -> Network {
        Network {
            id: net(n),
            name: format!("net-{n}"),
            kind: if self.private {
                NetworkType::Private
            } else {
                NetworkType::Public
            },
            zone: "fi-hel1".into(),
            router: self
                .router
                .then(|| format!("0448a70f-0014-4e78-beef-{n:012}")),
            ranges: vec![self.cidr().parse().expect("a range")],
            servers: Vec::new(),
        }
    }

    fn cidr(self) -> String {
        format!("10.0.{}.0/24", self.range)
    }
}

/// A file of two accounts and what those accounts hold.
#[derive(Debug, Clone)]
struct Case {
    /// Of networks 0 to 7, those of the file's accounts.
    networks: Vec<NetworkFacts>,
    desired: Desired,
    observed: BTreeMap<Option<String>, Observed>,
}

impl Case {
    /// The facts of network `n`, if an account of the file holds it.
    fn facts(&self, n: u128) -> Option<NetworkFacts> {
        home(n)?;
        self.networks
            .get(usize::try_from(n).ok()?)
            .copied()
            .filter(|facts| facts.present)
    }

    fn observed_of(&self, account: &str) -> &Observed {
        &self.observed[&Some(account.to_owned())]
    }
}

fn arb_network_facts() -> impl Strategy<Value = NetworkFacts> {
    (
        proptest::bool::weighted(0.9),
        proptest::bool::weighted(0.8),
        proptest::bool::weighted(0.7),
        0u8..4,
    )
        .prop_map(|(present, private, router, range)| NetworkFacts {
            present,
            private,
            router,
            range,
        })
}

/// `[[peering]]`s of either account from one of its networks (or one it no longer holds) to
/// any network, and `[[link]]`s between the two accounts, as the loader makes them: unique
/// names, one peering per pair and account, none from a network to itself.
fn arb_file() -> impl Strategy<Value = Desired> {
    let peerings = proptest::collection::btree_map(
        (0..ACCOUNTS.len(), 0..PER_ACCOUNT, 0..NETWORKS),
        (arb_status(), arb_labels()),
        0..8,
    );
    let links = proptest::collection::btree_map(
        (0..PER_ACCOUNT, 0..PER_ACCOUNT),
        (arb_status(), arb_labels()),
        0..3,
    );
    (peerings, links, any::<bool>(), arb_owner()).prop_map(|(peerings, links, prune, owner)| {
        let mut halves = Vec::new();
        for ((a, b), (status, labels)) in links {
            let (a, b) = (a, PER_ACCOUNT + b);
            for (account, network, peer) in [("a", a, b), ("b", b, a)] {
                halves.push(DesiredPeering {
                    name: format!("link {a}-{b} ({account} side)"),
                    key: key(network, peer),
                    configured_status: status,
                    labels: labels.clone(),
                    account: Some(account.to_owned()),
                    link: Some(format!("link {a}-{b}")),
                });
            }
        }
        let mut all: Vec<DesiredPeering> = peerings
            .into_iter()
            .map(|((account, local, peer), (status, labels))| {
                let network = account as u128 * PER_ACCOUNT + local;
                DesiredPeering {
                    name: format!("peering {network}-{peer}"),
                    key: key(network, peer),
                    configured_status: status,
                    labels,
                    account: Some(ACCOUNTS[account].to_owned()),
                    link: None,
                }
            })
            .filter(|p| p.key.network != p.key.peer_network)
            .filter(|p| {
                !halves
                    .iter()
                    .any(|half| half.account == p.account && half.key == p.key)
            })
            .collect();
        all.extend(halves);
        Desired {
            prune,
            owner,
            peerings: all,
            accounts: ACCOUNTS
                .iter()
                .map(|account| {
                    let spec = AccountSpec {
                        credentials: AccountCredentials::Token {
                            env: format!("{}_TOKEN", account.to_uppercase()),
                        },
                        api_url: None,
                    };
                    (account.to_string(), spec)
                })
                .collect(),
            ..Desired::default()
        }
    })
}

/// What one account holds: its networks, and peerings from them to any network, managed by a
/// file of some owner or by nobody, waiting for their peer or not.
fn arb_account(account: usize, networks: Vec<NetworkFacts>) -> impl Strategy<Value = Observed> {
    let managed = proptest::option::of(arb_owner());
    let peering = (
        arb_status(),
        arb_labels(),
        "[a-z ]{0,8}",
        managed,
        any::<bool>(),
    );
    let pairs = proptest::collection::btree_map((0..PER_ACCOUNT, 0..NETWORKS), peering, 0..8);
    pairs.prop_map(move |pairs| {
        let first = account as u128 * PER_ACCOUNT;
        let peerings = pairs
            .into_iter()
            .filter(|((local, peer), _)| first + local != *peer)
            .enumerate()
            .map(
                |(i, ((local, peer), (status, mut labels, name, managed, pending)))| {
                    if let Some(owner) = managed {
                        labels.insert(MANAGED_BY_KEY.into(), MANAGED_BY_VALUE.into());
                        if let Some(owner) = owner {
                            labels.insert(OWNER_KEY.into(), owner);
                        }
                    }
                    Peering {
                        account: Some(ACCOUNTS[account].to_owned()),
                        id: PeeringId(uuid::Uuid::from_u128(
                            0xaaaa_0000 + (account as u128) * 0x100 + i as u128,
                        )),
                        name,
                        key: key(first + local, peer),
                        configured_status: status,
                        state: if pending {
                            PeeringState::PendingPeer
                        } else {
                            PeeringState::Active
                        },
                        labels,
                    }
                },
            )
            .collect();
        Observed {
            peerings,
            networks: (first..first + PER_ACCOUNT)
                .filter(|&n| networks[n as usize].present)
                .map(|n| networks[n as usize].network(n))
                .collect(),
            ..Observed::default()
        }
    })
}

fn arb_case() -> impl Strategy<Value = Case> {
    let networks = proptest::collection::vec(arb_network_facts(), 8);
    (networks, arb_file()).prop_flat_map(|(networks, desired)| {
        (
            arb_account(0, networks.clone()),
            arb_account(1, networks.clone()),
        )
            .prop_map(move |(a, b)| Case {
                networks: networks.clone(),
                desired: desired.clone(),
                observed: BTreeMap::from([(Some("a".to_owned()), a), (Some("b".to_owned()), b)]),
            })
    })
}

/// The path a run takes: refuse an account declared twice, plan each account, merge.
fn plan_run(desired: &Desired, observed: &BTreeMap<Option<String>, Observed>) -> Plan {
    assert_eq!(declared_twice(observed), [], "two distinct accounts");
    Plan::merge(plan_accounts(desired, observed))
}

/// The case with the file's peerings and every account's peerings and networks in another
/// order.
fn shuffled(case: &Case, seed: u64) -> Case {
    let mut shuffled = case.clone();
    let rotate = |len: usize| if len == 0 { 0 } else { seed as usize % len };
    let by = rotate(shuffled.desired.peerings.len());
    shuffled.desired.peerings.rotate_left(by);
    shuffled.desired.peerings.reverse();
    for seen in shuffled.observed.values_mut() {
        let by = rotate(seen.peerings.len());
        seen.peerings.rotate_left(by);
        seen.networks.reverse();
    }
    shuffled
}

/// What the two accounts hold once every change of `plan` succeeded; what it created or changed
/// waits for its peer, as a new peering does until the other side creates its half.
fn converge(
    observed: &BTreeMap<Option<String>, Observed>,
    plan: &Plan,
) -> BTreeMap<Option<String>, Observed> {
    let mut after = observed.clone();
    for (n, change) in plan.changes.iter().enumerate() {
        let seen = after.get_mut(&change.account).expect("a declared account");
        let target = match &change.action {
            Action::Delete { current } => {
                seen.peerings.retain(|p| p.id != current.id);
                continue;
            }
            Action::Noop { .. } => continue,
            Action::Create(target) | Action::Update { target, .. } => target,
        };
        let converged = Peering {
            account: change.account.clone(),
            id: PeeringId(uuid::Uuid::from_u128(0xbbbb_0000 + n as u128)),
            name: target.name.clone(),
            key: target.key,
            configured_status: target.configured_status,
            state: PeeringState::PendingPeer,
            labels: target.labels.clone(),
        };
        match seen.peerings.iter_mut().find(|p| p.key == target.key) {
            Some(existing) => {
                *existing = Peering {
                    id: existing.id,
                    ..converged
                }
            }
            None => seen.peerings.push(converged),
        }
    }
    after
}

/// The warnings a change must carry, from the facts the case was made of.
fn expected_warnings(case: &Case, change: &Change) -> Vec<Warning> {
    let account = change.account.as_deref().expect("a file with accounts");
    let n = |id: NetworkId| id.0.as_u128() - 0x1000;
    let mut warnings = Vec::new();
    if let Some(current) = change.action.current() {
        if let Ownership::OtherFile { owner } = FileOwner::of(&case.desired).ownership_of(current) {
            warnings.push(Warning::OwnershipMoves {
                from: owner,
                to: case.desired.owner.clone(),
            });
        }
        // Waiting for a half that belongs in one of the file's accounts, which lacks it.
        let peer = n(current.key.peer_network);
        if let (PeeringState::PendingPeer, Some(_), Some(far)) =
            (&current.state, case.facts(peer), home(peer))
        {
            if !has_reverse(case.observed_of(far), current.key) {
                warnings.push(Warning::PeerHalfMissing {
                    account: far.to_owned(),
                });
            }
        }
        return warnings;
    }
    let (local, peer) = (n(change.key.network), n(change.key.peer_network));
    let local_facts = case.facts(local).filter(|_| home(local) == Some(account));
    match local_facts {
        None => warnings.push(Warning::LocalNetworkNotFound {
            network: change.key.network,
        }),
        Some(facts) => {
            if !facts.private {
                warnings.push(Warning::LocalNetworkNotPrivate {
                    network: change.key.network,
                    name: format!("net-{local}"),
                    kind: NetworkType::Public,
                });
            }
            if !facts.router {
                warnings.push(Warning::LocalNetworkNoRouter {
                    network: change.key.network,
                    name: format!("net-{local}"),
                });
            }
        }
    }
    match (case.facts(peer), home(peer)) {
        (Some(facts), Some(far)) => {
            if !facts.private {
                warnings.push(Warning::PeerNetworkNotPrivate {
                    network: change.key.peer_network,
                    name: format!("net-{peer}"),
                    kind: NetworkType::Public,
                    account: far.to_owned(),
                });
            }
            if !facts.router {
                warnings.push(Warning::PeerNetworkNoRouter {
                    network: change.key.peer_network,
                    name: format!("net-{peer}"),
                    account: far.to_owned(),
                });
            }
            if let Some(local_facts) = local_facts.filter(|l| l.range == facts.range) {
                warnings.push(Warning::RangesOverlap {
                    name: format!("net-{local}"),
                    peer_name: format!("net-{peer}"),
                    ranges: format!("{} overlaps {}", local_facts.cidr(), facts.cidr()),
                });
            }
            let reverse = PeeringKey {
                network: change.key.peer_network,
                peer_network: change.key.network,
            };
            let declared = case
                .desired
                .peerings_of(Some(far))
                .any(|p| p.key == reverse);
            if !declared && !has_reverse(case.observed_of(far), change.key) {
                warnings.push(Warning::PeerHalfMissing {
                    account: far.to_owned(),
                });
            }
        }
        // The far network of a link, gone from the account the link names.
        (None, Some(far)) if change.link.is_some() => {
            warnings.push(Warning::PeerNetworkNotFound {
                network: change.key.peer_network,
                account: far.to_owned(),
            });
        }
        _ => {}
    }
    warnings
}

/// Whether `seen` holds the other half of the peering `key`.
fn has_reverse(seen: &Observed, key: PeeringKey) -> bool {
    seen.peerings
        .iter()
        .any(|p| p.key.network == key.peer_network && p.key.peer_network == key.network)
}

fn is_delete(change: &Change) -> bool {
    matches!(change.action, Action::Delete { .. })
}

proptest! {
    #[test]
    fn planning_accounts_is_deterministic_and_order_independent(case in arb_case(), seed in any::<u64>()) {
        let first = plan_run(&case.desired, &case.observed);
        prop_assert_eq!(&first, &plan_run(&case.desired, &case.observed));
        let again = shuffled(&case, seed);
        prop_assert_eq!(&first, &plan_run(&again.desired, &again.observed));
    }

    #[test]
    fn every_peering_of_the_file_appears_once_by_name_then_the_deletes_by_name(case in arb_case()) {
        let planned = plan_run(&case.desired, &case.observed);
        let (listed, deletes): (Vec<&Change>, Vec<&Change>) =
            planned.changes.iter().partition(|change| !is_delete(change));
        prop_assert!(planned.changes[listed.len()..].iter().all(is_delete), "deletes last");
        prop_assert!(listed.windows(2).all(|w| w[0].name < w[1].name), "{:?}", listed);
        let order = |c: &Change| (c.name.clone(), c.account.clone());
        prop_assert!(deletes.windows(2).all(|w| order(w[0]) <= order(w[1])), "{:?}", deletes);
        let mut planned_names: Vec<(Option<String>, String, PeeringKey)> = listed
            .iter()
            .map(|c| (c.account.clone(), c.name.clone(), c.key))
            .collect();
        let mut wanted: Vec<(Option<String>, String, PeeringKey)> = case
            .desired
            .peerings
            .iter()
            .map(|p| (p.account.clone(), p.name.clone(), p.key))
            .collect();
        planned_names.sort();
        wanted.sort();
        prop_assert_eq!(planned_names, wanted);
        for change in &listed {
            let link = case.desired.peerings.iter().find(|p| p.name == change.name).map(|p| &p.link);
            prop_assert_eq!(Some(&change.link), link);
        }
        for delete in &deletes {
            prop_assert!(case.desired.prune);
            let current = delete.action.current().expect("a delete's peering");
            prop_assert_eq!(&delete.account, &current.account);
            prop_assert_eq!(FileOwner::of(&case.desired).ownership_of(current), Ownership::Owned);
        }
    }

    #[test]
    fn the_merged_plan_holds_each_accounts_plan_and_owned_count_whole(case in arb_case()) {
        let per_account = plan_accounts(&case.desired, &case.observed);
        prop_assert_eq!(per_account.len(), ACCOUNTS.len());
        let merged = Plan::merge(per_account.clone());
        let owner = FileOwner::of(&case.desired);
        let owned: usize = case
            .observed
            .values()
            .flat_map(|seen| &seen.peerings)
            .filter(|p| owner.ownership_of(p) == Ownership::Owned)
            .count();
        prop_assert_eq!(merged.owned, owned);
        prop_assert_eq!(merged.owned, per_account.iter().map(|plan| plan.owned).sum::<usize>());
        let debug = |mut items: Vec<String>| {
            items.sort();
            items
        };
        prop_assert_eq!(
            debug(merged.changes.iter().map(|c| format!("{c:?}")).collect()),
            debug(per_account.iter().flat_map(|p| &p.changes).map(|c| format!("{c:?}")).collect())
        );
        prop_assert_eq!(
            debug(merged.kept.iter().chain(&merged.unmanaged).map(|p| format!("{p:?}")).collect()),
            debug(per_account.iter().flat_map(|p| p.kept.iter().chain(&p.unmanaged)).map(|p| format!("{p:?}")).collect())
        );
        prop_assert_eq!(merged.elsewhere.len(), per_account.iter().map(|p| p.elsewhere.len()).sum::<usize>());

        // Every peering of every account is accounted for once, in its own account.
        let mut accounted: Vec<(Option<String>, PeeringId)> = merged
            .changes
            .iter()
            .filter_map(|change| {
                let current = change.action.current()?;
                Some((change.account.clone(), current.id))
            })
            .chain(merged.kept.iter().chain(&merged.unmanaged).map(|p| (p.account.clone(), p.id)))
            .chain(merged.elsewhere.iter().map(|e| (e.peering.account.clone(), e.peering.id)))
            .collect();
        let mut existing: Vec<(Option<String>, PeeringId)> = case
            .observed
            .iter()
            .flat_map(|(account, seen)| seen.peerings.iter().map(move |p| (account.clone(), p.id)))
            .collect();
        accounted.sort();
        existing.sort();
        prop_assert_eq!(accounted, existing);
    }

    #[test]
    fn each_change_carries_the_warnings_both_accounts_tell(case in arb_case()) {
        let planned = plan_run(&case.desired, &case.observed);
        for change in &planned.changes {
            prop_assert_eq!(&change.warnings, &expected_warnings(&case, change), "{:?}", change);
        }
        // Once applied, everything the file lists exists and waits for its peer.
        let applied = Case { observed: converge(&case.observed, &planned), ..case };
        for change in &plan_run(&applied.desired, &applied.observed).changes {
            prop_assert_eq!(&change.warnings, &expected_warnings(&applied, change), "{:?}", change);
        }
    }

    #[test]
    fn converging_every_account_to_the_plan_leaves_nothing_to_do(case in arb_case()) {
        let first = plan_run(&case.desired, &case.observed);
        let after = converge(&case.observed, &first);
        let again = plan_run(&case.desired, &after);
        prop_assert!(!again.has_changes(), "{:?}", again);
    }
}

/// The API allows one peering per pair in an account; should it list a pair twice, the plan uses
/// the peering with the lowest UUID, whatever the order of the list.
#[test]
fn a_pair_listed_twice_is_planned_with_its_lowest_uuid_in_either_order() {
    let peering = |id: u128, name: &str| Peering {
        account: None,
        id: PeeringId(uuid::Uuid::from_u128(id)),
        name: name.into(),
        key: key(1, 9),
        configured_status: ConfiguredStatus::Active,
        state: PeeringState::Active,
        labels: labels(&[(MANAGED_BY_KEY, MANAGED_BY_VALUE)]),
    };
    let (low, high) = (peering(0xa1, "low"), peering(0xa2, "high"));
    let listed = Desired {
        peerings: vec![DesiredPeering {
            name: "low".into(),
            key: key(1, 9),
            configured_status: ConfiguredStatus::Active,
            labels: Labels::new(),
            account: None,
            link: None,
        }],
        ..Desired::default()
    };
    let pruned = Desired {
        prune: true,
        ..Desired::default()
    };
    for order in [
        vec![low.clone(), high.clone()],
        vec![high.clone(), low.clone()],
    ] {
        let observed = BTreeMap::from([(
            None,
            Observed {
                peerings: order,
                networks: Vec::new(),
                ..Observed::default()
            },
        )]);
        let planned = Plan::merge(plan_accounts(&listed, &observed));
        assert_eq!(
            planned.changes[0].action,
            Action::Noop {
                current: low.clone()
            }
        );
        let planned = Plan::merge(plan_accounts(&pruned, &observed));
        let deleted: Vec<&str> = planned.deletes().map(|c| c.name.as_str()).collect();
        assert_eq!(deleted, ["low"]);
        assert_eq!(planned.owned, 1, "one peering of the pair counts");
    }
}
