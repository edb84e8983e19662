//! The differ on in-memory worlds: snapshots of what a person and a script see, and properties
//! that hold for every input.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;
use crate::config::{Desired, DesiredPeering};
use crate::model::{
    ConfiguredStatus, Labels, MANAGED_BY_KEY, MANAGED_BY_VALUE, NetworkType, OWNER_KEY, PeeringId,
    PeeringState,
};
use crate::render::{human, json};

/// The production path for a file without accounts: [`plan_accounts`], then [`Plan::merge`].
fn plan(desired: &Desired, observed: &Observed) -> Plan {
    Plan::merge(plan_accounts(
        desired,
        &BTreeMap::from([(None, observed.clone())]),
    ))
}

pub(super) fn net(n: u128) -> NetworkId {
    NetworkId(uuid::Uuid::from_u128(0x1000 + n))
}

pub(super) fn key(network: u128, peer: u128) -> PeeringKey {
    PeeringKey {
        network: net(network),
        peer_network: net(peer),
    }
}

pub(super) fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn desired(
    name: &str,
    key: PeeringKey,
    status: ConfiguredStatus,
    own: &[(&str, &str)],
) -> DesiredPeering {
    DesiredPeering {
        name: name.into(),
        key,
        configured_status: status,
        labels: labels(own),
        account: None,
        link: None,
    }
}

fn existing(
    n: u128,
    name: &str,
    key: PeeringKey,
    status: ConfiguredStatus,
    state: &str,
    all: &[(&str, &str)],
) -> Peering {
    Peering {
        account: None,
        id: PeeringId(uuid::Uuid::from_u128(0xaaaa_0000 + n)),
        name: name.into(),
        key,
        configured_status: status,
        state: PeeringState::from_api(state),
        labels: labels(all),
    }
}

fn network(n: u128, name: &str, kind: NetworkType, router: bool) -> Network {
    Network {
        id: net(n),
        name: name.into(),
        kind,
        zone: "fi-hel1".into(),
        router: router.then(|| "0448a70f-0014-4e78-beef-870ab332ad9f".into()),
        ranges: vec![],
        servers: vec![],
    }
}

const MANAGED: (&str, &str) = ("managed-by", "peerings");
use ConfiguredStatus::{Active, Disabled};

/// A world with every kind of change and warning.
fn every_kind() -> (Desired, Observed) {
    let desired = Desired {
        prune: true,
        aliases: BTreeMap::from([("app".to_owned(), net(1)), ("aiven".to_owned(), net(9))]),
        peerings: vec![
            desired("zz create", key(1, 9), Active, &[("team", "data")]),
            desired("no router", key(2, 9), Active, &[]),
            desired("public net", key(3, 9), Disabled, &[]),
            desired("not in account", key(4, 9), Active, &[]),
            desired("renamed", key(1, 8), Active, &[]),
            desired(
                "status and labels",
                key(1, 7),
                Disabled,
                &[("env", "prod"), ("team", "a")],
            ),
            desired("unchanged", key(1, 6), Active, &[]),
            desired("odd state", key(1, 5), Active, &[]),
            desired("adopted", key(1, 3), Active, &[("team", "data")]),
        ],
        ..Desired::default()
    };
    let observed = Observed {
        networks: vec![
            network(1, "app private network", NetworkType::Private, true),
            network(2, "legacy", NetworkType::Private, false),
            network(3, "public-net", NetworkType::Public, true),
        ],
        peerings: vec![
            existing(1, "old name", key(1, 8), Active, "active", &[MANAGED]),
            existing(
                2,
                "status and labels",
                key(1, 7),
                Active,
                "pending-peer",
                &[MANAGED, ("env", "dev"), ("team", "a")],
            ),
            existing(3, "unchanged", key(1, 6), Active, "active", &[MANAGED]),
            existing(4, "odd state", key(1, 5), Active, "half-moon", &[MANAGED]),
            existing(5, "not in the file", key(1, 4), Active, "active", &[]),
            existing(
                6,
                "made by hand",
                key(1, 3),
                Active,
                "active",
                &[("team", "data")],
            ),
            existing(
                7,
                "removed from the file",
                key(2, 4),
                Active,
                "active",
                &[MANAGED],
            ),
            existing(
                8,
                "also removed",
                key(2, 5),
                Disabled,
                "disabled",
                &[MANAGED],
            ),
        ],
        ..Observed::default()
    };
    (desired, observed)
}

#[test]
fn human_plan_of_every_kind_of_change() {
    let (desired, observed) = every_kind();
    let plan = plan(&desired, &observed);
    let text = human::plan(&plan, &NetworkNames::across(&desired, [&observed]));
    insta::assert_snapshot!(anstream::adapter::strip_str(&text).to_string());
}

#[test]
fn json_plan_of_every_kind_of_change() {
    let (desired, observed) = every_kind();
    let plan = plan(&desired, &observed);
    insta::assert_json_snapshot!(json::plan(
        &plan,
        &NetworkNames::across(&desired, [&observed])
    ));
}

#[test]
fn without_prune_owned_peerings_missing_from_the_file_are_kept() {
    let (mut desired, observed) = every_kind();
    desired.prune = false;
    let plan = plan(&desired, &observed);
    assert_eq!(plan.deletes().count(), 0);
    let kept: Vec<&str> = plan.kept.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(kept, ["also removed", "removed from the file"]);
    let text = human::plan(&plan, &NetworkNames::across(&desired, [&observed]));
    insta::assert_snapshot!(anstream::adapter::strip_str(&text).to_string());
}

#[test]
fn deleting_more_than_30_percent_of_at_least_4_owned_is_too_many() {
    let owned = |n: u128| existing(n, &format!("p{n}"), key(n, 9), Active, "active", &[MANAGED]);
    let keep = |n: u128| desired(&format!("p{n}"), key(n, 9), Active, &[]);
    let case = |owned_count: u128, kept_count: u128| {
        let desired = Desired {
            prune: true,
            aliases: BTreeMap::new(),
            peerings: (0..kept_count).map(keep).collect(),
            ..Desired::default()
        };
        let observed = Observed {
            peerings: (0..owned_count).map(owned).collect(),
            networks: vec![],
            ..Observed::default()
        };
        plan(&desired, &observed).needs_force()
    };
    assert!(!case(3, 0), "fewer than 4 owned: never too many");
    assert!(case(4, 2), "2 of 4 is 50 %");
    assert!(!case(4, 3), "1 of 4 is 25 %");
    assert!(!case(10, 7), "3 of 10 is exactly 30 %");
    assert!(case(10, 6), "4 of 10 is 40 %");
}

#[test]
fn an_empty_file_plans_nothing() {
    let (_, observed) = every_kind();
    let plan = plan(&Desired::default(), &observed);
    assert!(plan.changes.is_empty());
    assert_eq!(plan.unmanaged.len(), 2);
    assert!(!plan.has_changes());
}

#[test]
fn labels_compare_as_sets_including_the_ownership_label() {
    let wanted = Desired {
        prune: false,
        aliases: BTreeMap::new(),
        peerings: vec![desired("p", key(1, 2), Active, &[("b", "2"), ("a", "1")])],
        ..Desired::default()
    };
    let unowned = Observed {
        peerings: vec![existing(
            1,
            "p",
            key(1, 2),
            Active,
            "active",
            &[("a", "1"), ("b", "2")],
        )],
        networks: vec![],
        ..Observed::default()
    };
    let planned = plan(&wanted, &unowned);
    assert!(
        matches!(&planned.changes[0].action, Action::Update { fields, .. }
        if matches!(&fields[..], [FieldChange::Labels { .. }]))
    );

    let owned = Observed {
        peerings: vec![existing(
            1,
            "p",
            key(1, 2),
            Active,
            "active",
            &[("b", "2"), MANAGED, ("a", "1")],
        )],
        networks: vec![],
        ..Observed::default()
    };
    assert!(!plan(&wanted, &owned).has_changes());
}

#[test]
fn an_update_patches_only_the_changed_fields() {
    let (desired, observed) = every_kind();
    let plan = plan(&desired, &observed);
    let renamed = plan.changes.iter().find(|c| c.name == "renamed").unwrap();
    let Action::Update { fields, .. } = &renamed.action else {
        panic!("expected an update, got {:?}", renamed.action)
    };
    assert_eq!(
        FieldChange::patch(fields),
        crate::model::PeeringPatch {
            name: Some("renamed".into()),
            ..Default::default()
        }
    );
}

// Properties: planning is deterministic, independent of input order, and once the account
// looks like the plan's targets, planning again gives no changes.

pub(super) fn arb_labels() -> impl Strategy<Value = Labels> {
    proptest::collection::btree_map("[a-c]{2}", "[x-z]{0,2}", 0..3)
}

pub(super) fn arb_status() -> impl Strategy<Value = ConfiguredStatus> {
    prop_oneof![Just(Active), Just(Disabled)]
}

/// Desired peerings with unique keys and names, as the loader guarantees.
fn arb_desired() -> impl Strategy<Value = Desired> {
    let peerings =
        proptest::collection::btree_map((0u128..5, 5u128..10), (arb_status(), arb_labels()), 0..8)
            .prop_map(|entries| {
                entries
                    .into_iter()
                    .map(|((n, p), (status, labels))| DesiredPeering {
                        name: format!("peering {n}-{p}"),
                        key: key(n, p),
                        configured_status: status,
                        labels,
                        account: None,
                        link: None,
                    })
                    .collect::<Vec<_>>()
            });
    (peerings, any::<bool>(), arb_owner()).prop_map(|(peerings, prune, owner)| Desired {
        prune,
        owner,
        aliases: BTreeMap::new(),
        peerings,
        ..Desired::default()
    })
}

/// No owner, or one of two, so that files and peerings share owners often.
pub(super) fn arb_owner() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        Just(Some("a".to_owned())),
        Just(Some("b".to_owned()))
    ]
}

fn arb_observed() -> impl Strategy<Value = Observed> {
    // Unmanaged, or managed by a file of one of the owners `arb_owner` gives.
    let managed = proptest::option::of(arb_owner());
    let peering = (arb_status(), arb_labels(), "[a-z ]{0,8}", managed);
    proptest::collection::btree_map((0u128..5, 5u128..10), peering, 0..8).prop_map(|entries| {
        Observed {
            peerings: entries
                .into_iter()
                .enumerate()
                .map(|(i, ((n, p), (status, mut labels, name, managed)))| {
                    if let Some(owner) = managed {
                        labels.insert("managed-by".into(), "peerings".into());
                        if let Some(owner) = owner {
                            labels.insert("peerings-owner".into(), owner);
                        }
                    }
                    existing(
                        i as u128,
                        &name,
                        key(n, p),
                        status,
                        "active",
                        &labels
                            .iter()
                            .map(|(k, v)| (k.as_str(), v.as_str()))
                            .collect::<Vec<_>>(),
                    )
                })
                .collect(),
            networks: (0..5)
                .map(|n| network(n, "net", NetworkType::Private, n % 2 == 0))
                .collect(),
            ..Observed::default()
        }
    })
}

/// The account as it is after every change of the plan succeeded.
fn converge(observed: &Observed, plan: &Plan) -> Observed {
    let mut after = observed.clone();
    for change in &plan.changes {
        let target = match &change.action {
            Action::Delete { current } => {
                after.peerings.retain(|p| p.id != current.id);
                continue;
            }
            Action::Noop { .. } => continue,
            Action::Create(target) | Action::Update { target, .. } => target,
        };
        let converged = Peering {
            account: None,
            id: PeeringId(uuid::Uuid::from_u128(0xbbbb)),
            name: target.name.clone(),
            key: target.key,
            configured_status: target.configured_status,
            state: PeeringState::Active,
            labels: target.labels.clone(),
        };
        match after.peerings.iter_mut().find(|p| p.key == target.key) {
            Some(existing) => {
                *existing = Peering {
                    id: existing.id,
                    ..converged
                }
            }
            None => after.peerings.push(converged),
        }
    }
    after
}

proptest! {
    #[test]
    fn planning_is_deterministic_and_order_independent(
        desired in arb_desired(),
        observed in arb_observed(),
        seed in any::<u64>(),
    ) {
        let first = plan(&desired, &observed);
        prop_assert_eq!(&first, &plan(&desired, &observed));

        let mut shuffled_desired = desired.clone();
        let mut shuffled_observed = observed.clone();
        let rotate = |len: usize| if len == 0 { 0 } else { (seed as usize) % len };
        let d = rotate(shuffled_desired.peerings.len());
        shuffled_desired.peerings.rotate_left(d);
        shuffled_desired.peerings.reverse();
        let o = rotate(shuffled_observed.peerings.len());
        shuffled_observed.peerings.rotate_left(o);
        shuffled_observed.networks.reverse();
        prop_assert_eq!(&first, &plan(&shuffled_desired, &shuffled_observed));
    }

    #[test]
    fn every_desired_peering_appears_once_in_name_order_then_the_deletes(
        desired in arb_desired(),
        observed in arb_observed(),
    ) {
        let planned = plan(&desired, &observed);
        let deletes = planned.deletes().count();
        prop_assert_eq!(planned.changes.len(), desired.peerings.len() + deletes);
        let (listed, removed) = planned.changes.split_at(desired.peerings.len());
        prop_assert!(listed.windows(2).all(|w| w[0].name < w[1].name));
        let all_deletes = removed.iter().all(|c| matches!(c.action, Action::Delete { .. }));
        prop_assert!(all_deletes, "{:?}", removed);
        prop_assert!(removed.windows(2).all(|w| w[0].name <= w[1].name));
    }

    #[test]
    fn peerings_not_this_files_are_touched_only_when_the_file_lists_them(
        desired in arb_desired(),
        observed in arb_observed(),
    ) {
        let planned = plan(&desired, &observed);
        let owner = FileOwner::of(&desired);
        let listed: Vec<PeeringKey> = desired.peerings.iter().map(|p| p.key).collect();
        for change in &planned.changes {
            if let Some(current) = change.action.current() {
                let touched = matches!(change.action, Action::Update { .. } | Action::Delete { .. });
                if touched && owner.ownership_of(current) != Ownership::Owned {
                    prop_assert!(listed.contains(&current.key), "{:?}", change);
                    let adopted = matches!(change.action, Action::Update { adopt: true, .. });
                    prop_assert!(adopted, "{:?}", change);
                }
                let moves = change.warnings.iter().any(|w| matches!(w, Warning::OwnershipMoves { .. }));
                let other_file = matches!(owner.ownership_of(current), Ownership::OtherFile { .. });
                prop_assert_eq!(moves, other_file, "{:?}", change);
            }
        }
        for elsewhere in &planned.elsewhere {
            prop_assert!(!listed.contains(&elsewhere.peering.key));
            let expected = Ownership::OtherFile { owner: elsewhere.owner.clone() };
            prop_assert_eq!(owner.ownership_of(&elsewhere.peering), expected);
        }
        let counted = planned.changes.iter().filter(|c| c.action.current().is_some()).count()
            + planned.kept.len() + planned.unmanaged.len() + planned.elsewhere.len();
        prop_assert_eq!(counted, observed.peerings.len(), "every existing peering is accounted for once");
        let owned = observed.peerings.iter().filter(|p| owner.ownership_of(p) == Ownership::Owned).count();
        prop_assert_eq!(planned.owned, owned);
    }

    #[test]
    fn converging_to_the_plan_leaves_nothing_to_do(desired in arb_desired(), observed in arb_observed()) {
        let first = plan(&desired, &observed);
        let again = plan(&desired, &converge(&observed, &first));
        prop_assert!(!again.has_changes(), "{:?}", again);
    }
}

proptest! {
    /// A peering an apply finds only after its create (`PEERING_CONFLICT`) is planned exactly
    /// as a plan that had seen it would have planned it: one decision, ownership included.
    #[test]
    fn a_peering_found_after_a_create_is_planned_as_if_the_plan_had_seen_it(
        wanted_status in arb_status(),
        wanted_labels in arb_labels(),
        found_name in prop_oneof![Just("p"), Just("other")],
        found_status in arb_status(),
        found_labels in arb_labels(),
        managed in proptest::option::of(arb_owner()),
        owner in arb_owner(),
    ) {
        let mut desired_state = Desired { owner, ..Desired::default() };
        desired_state
            .peerings
            .push(desired("p", key(1, 2), wanted_status, &[]));
        desired_state.peerings[0].labels = wanted_labels;
        let before = plan(&desired_state, &Observed::default());
        let create = &before.changes[0];
        let Action::Create(target) = &create.action else {
            panic!("an empty account plans a create: {create:?}");
        };
        let mut all_labels = found_labels;
        if let Some(found_owner) = managed {
            all_labels.insert(MANAGED_BY_KEY.to_owned(), MANAGED_BY_VALUE.to_owned());
            if let Some(found_owner) = found_owner {
                all_labels.insert(OWNER_KEY.to_owned(), found_owner);
            }
        }
        let mut found = existing(1, found_name, key(1, 2), found_status, "active", &[]);
        found.labels = all_labels;

        let seen = plan(
            &desired_state,
            &Observed { peerings: vec![found.clone()], ..Observed::default() },
        );
        prop_assert_eq!(plan_found(create, target, &found), seen.changes[0].clone());
    }
}

/// Two teams' files in one account: `team-a`'s file, with prune, against peerings of its own,
/// of `team-b`, of a file without an owner, and made by hand.
fn two_files() -> (Desired, Observed) {
    let team_a = [MANAGED, ("peerings-owner", "team-a")];
    let team_b = [MANAGED, ("peerings-owner", "team-b")];
    let desired = Desired {
        prune: true,
        owner: Some("team-a".into()),
        peerings: vec![
            desired("a-1", key(1, 9), Active, &[]),
            desired("taken over from b", key(2, 9), Active, &[]),
            desired("taken over from no owner", key(3, 9), Active, &[]),
            desired("adopted", key(4, 9), Active, &[]),
        ],
        ..Desired::default()
    };
    let observed = Observed {
        networks: vec![],
        peerings: vec![
            existing(1, "a-1", key(1, 9), Active, "active", &team_a),
            existing(2, "b-2", key(2, 9), Active, "active", &team_b),
            existing(3, "legacy", key(3, 9), Active, "active", &[MANAGED]),
            existing(4, "by hand", key(4, 9), Active, "active", &[]),
            existing(5, "a-old", key(1, 8), Active, "active", &team_a),
            existing(6, "b-1", key(2, 8), Active, "active", &team_b),
            existing(7, "b-3", key(3, 8), Active, "active", &team_b),
            existing(8, "no owner", key(4, 8), Active, "active", &[MANAGED]),
            existing(9, "unlabelled", key(5, 8), Active, "active", &[]),
        ],
        ..Observed::default()
    };
    (desired, observed)
}

#[test]
fn a_file_with_an_owner_deletes_only_its_own_and_counts_the_others() {
    let (desired, observed) = two_files();
    let planned = plan(&desired, &observed);
    let deleted: Vec<&str> = planned.deletes().map(|c| c.name.as_str()).collect();
    assert_eq!(deleted, ["a-old"]);
    let elsewhere: Vec<(Option<&str>, &str)> = planned
        .elsewhere
        .iter()
        .map(|e| (e.owner.as_deref(), e.peering.name.as_str()))
        .collect();
    assert_eq!(
        elsewhere,
        [
            (None, "no owner"),
            (Some("team-b"), "b-1"),
            (Some("team-b"), "b-3")
        ]
    );
    assert_eq!(planned.unmanaged.len(), 1);
    assert_eq!(planned.owned, 2, "a-1 and a-old; nobody else's");
    let text = human::plan(&planned, &NetworkNames::across(&desired, [&observed]));
    insta::assert_snapshot!(anstream::adapter::strip_str(&text).to_string());
    let document = json::plan(&planned, &NetworkNames::across(&desired, [&observed]));
    insta::assert_json_snapshot!(document.managed_elsewhere);
}

#[test]
fn a_listed_peering_of_another_file_is_taken_over_with_a_warning() {
    let (desired, observed) = two_files();
    let planned = plan(&desired, &observed);
    let change = |name: &str| planned.changes.iter().find(|c| c.name == name).unwrap();
    let from_b = change("taken over from b");
    assert!(matches!(from_b.action, Action::Update { adopt: true, .. }));
    assert_eq!(
        from_b.warnings,
        [Warning::OwnershipMoves {
            from: Some("team-b".into()),
            to: Some("team-a".into())
        }]
    );
    assert_eq!(
        change("taken over from no owner").warnings,
        [Warning::OwnershipMoves {
            from: None,
            to: Some("team-a".into())
        }]
    );
    let adopted = change("adopted");
    assert!(matches!(adopted.action, Action::Update { adopt: true, .. }));
    assert!(
        adopted.warnings.is_empty(),
        "made by hand: no file loses it"
    );
}

#[test]
fn a_file_without_an_owner_leaves_the_peerings_of_files_with_one_alone() {
    let (mut desired, observed) = two_files();
    desired.owner = None;
    desired.peerings.clear();
    let planned = plan(&desired, &observed);
    let deleted: Vec<&str> = planned.deletes().map(|c| c.name.as_str()).collect();
    assert_eq!(
        deleted,
        ["legacy", "no owner"],
        "only those without an owner"
    );
    assert_eq!(planned.elsewhere.len(), 5);
}

#[test]
fn the_delete_safety_counts_only_the_files_own_peerings() {
    let (mut file, observed) = two_files();
    // a-1 is no longer listed: with a-old, both of team-a's 2 peerings go. Too few to count.
    file.peerings.retain(|p| p.name != "a-1");
    let planned = plan(&file, &observed);
    assert_eq!((planned.deletes().count(), planned.owned), (2, 2));
    let mut more = observed.clone();
    for n in 10..12 {
        let labels = [MANAGED, ("peerings-owner", "team-a")];
        let name = format!("a-{n}");
        more.peerings
            .push(existing(n, &name, key(n, 7), Active, "active", &labels));
        file.peerings.push(desired(&name, key(n, 7), Active, &[]));
    }
    let planned = plan(&file, &more);
    // 2 of team-a's 4 go: 50 %, though only 2 of the account's 9 managed peerings.
    assert_eq!((planned.deletes().count(), planned.owned), (2, 4));
    assert!(planned.needs_force());
}
