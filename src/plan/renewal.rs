//! DHCP renewals: servers already on a network learn the route to a newly peered network only
//! when they renew their DHCP lease; servers created later get it at boot [C: Aiven's UpCloud
//! peering guide]. The plan keeps the servers each network had when it read the accounts (the
//! network list it reads anyway), and which of the file's peerings it expects to turn `active`
//! once applied. What `apply` then saw turn active is `apply::activated`.
//!
//! # When the plan expects a peering to turn active
//!
//! This is the one place that decides it, from what the read shows. A peering is `active` when
//! both halves exist, both are configured `active`, and the two networks allow it. The plan can
//! tell only when it sees the other half: when the peer network is in an account it read (one
//! the file declares, or this one). It then expects one of the file's peerings to turn active
//! once applied when:
//!
//! - it will be configured `active`, and so will the other half, which exists already or is
//!   created by this plan;
//! - each half that exists is only waiting for the other: `pending-peer`, `peer-disabled`, or
//!   `disabled` on its own side (any other state, `provisioning` included, the plan cannot see
//!   past; an `active` one has nothing to turn);
//! - this plan creates or re-enables one of the two halves, so that the apply is what turns it;
//! - both networks are private, have a router, and their address ranges do not overlap.
//!
//! The UpCloud half of an `[[aiven_peering]]` (tied to its connection by its labels) has Aiven's
//! own UpCloud half on the other side, in Aiven's account, which the plan does not read; it sees
//! that half through the connection instead. `PENDING_PEER` says Aiven's half exists, configured
//! `active`, and waits for this one; the VPC's network is Aiven's, peerable, and its range is the
//! VPC's `network_cidr`. The rule above then applies as it is, provided the connection has no
//! warning and the Aiven network ID it shows, if any, is this half's peer. Any other state
//! (`APPROVED`: Aiven has not built its half yet) says nothing.
//!
//! Any other peer network outside the accounts read (another team's account) is not visible: the
//! plan says nothing about it, and `apply` tells afterwards, from the API's answers.

use std::collections::{BTreeMap, BTreeSet};

use crate::cidr::{Cidr, any_overlap};
use crate::model::{
    AttachedServer, ConfiguredStatus, ConnectionState, Network, NetworkId, NetworkType, PeeringKey,
    PeeringState,
};

use super::aiven::tied_by_labels;
use super::{Action, Change, Observed, Plan};

/// A half of a peering: the account it is in, and its networks.
type HalfPlace = (Option<String>, PeeringKey);

/// What the plan knows about DHCP renewals.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Renewals {
    /// The servers attached to each network read, by title.
    servers: BTreeMap<NetworkId, Vec<AttachedServer>>,
    /// The file's peerings this plan expects to turn active.
    expected: BTreeSet<HalfPlace>,
}

impl Renewals {
    /// The servers of these networks, each once, by title; nothing expected yet.
    pub(super) fn of_networks(networks: &[Network]) -> Renewals {
        let by_title = |network: &Network| {
            let mut servers = network.servers.clone();
            servers.sort();
            servers.dedup();
            servers
        };
        Renewals {
            servers: networks
                .iter()
                .map(|network| (network.id, by_title(network)))
                .collect(),
            expected: BTreeSet::new(),
        }
    }

    /// The servers that were on `network` when the plan read it; none for a network not read.
    pub fn servers_on(&self, network: NetworkId) -> &[AttachedServer] {
        self.servers.get(&network).map_or(&[], Vec::as_slice)
    }

    /// For a change whose peering the plan expects to turn active once applied: the servers on
    /// its network, which will need a renewal then (perhaps none). `None` for any other.
    pub fn expected(&self, change: &Change) -> Option<&[AttachedServer]> {
        let place = (change.account.clone(), change.key);
        self.expected
            .contains(&place)
            .then(|| self.servers_on(change.key.network))
    }

    pub(super) fn absorb(&mut self, other: Renewals) {
        self.servers.extend(other.servers);
        self.expected.extend(other.expected);
    }
}

/// Marks, in each plan, the file's peerings it expects to turn active (see the module docs).
pub(super) fn add_expectations(plans: &mut [Plan], observed: &BTreeMap<Option<String>, Observed>) {
    let expected: Vec<(usize, HalfPlace)> = {
        let halves = halves(plans, observed);
        let networks: BTreeMap<NetworkId, (&Option<String>, &Network)> = observed
            .iter()
            .flat_map(|(account, seen)| seen.networks.iter().map(move |n| (n.id, (account, n))))
            .collect();
        plans
            .iter()
            .enumerate()
            .flat_map(|(index, plan)| plan.changes.iter().map(move |change| (index, change)))
            .filter(|(_, change)| !matches!(change.action, Action::Delete { .. }))
            .filter(|(_, change)| turns_active(change, &halves, &networks, observed))
            .map(|(index, change)| (index, (change.account.clone(), change.key)))
            .collect()
    };
    for (index, place) in expected {
        plans[index].renewals.expected.insert(place);
    }
}

/// One half of a peering, as it is and as the plan leaves it.
#[derive(Debug, Clone, Copy)]
struct HalfOutlook<'a> {
    /// Its state now; `None` while it does not exist.
    now: Option<&'a PeeringState>,
    /// Its configured status once the plan is applied; `None` when the plan deletes it.
    then: Option<ConfiguredStatus>,
    /// The plan creates it active, or sets it active from disabled.
    switched_on: bool,
}

/// Every half in the accounts read, as the plan leaves it: the existing ones, then the plan's
/// changes over them.
fn halves<'a>(
    plans: &'a [Plan],
    observed: &'a BTreeMap<Option<String>, Observed>,
) -> BTreeMap<HalfPlace, HalfOutlook<'a>> {
    let mut halves = BTreeMap::new();
    for (account, seen) in observed {
        // Should the API ever answer two halves of one pair, the lowest UUID counts, as in the
        // differ.
        let mut peerings: Vec<_> = seen.peerings.iter().collect();
        peerings.sort_by_key(|peering| peering.id);
        for peering in peerings {
            halves
                .entry((account.clone(), peering.key))
                .or_insert(HalfOutlook {
                    now: Some(&peering.state),
                    then: Some(peering.configured_status),
                    switched_on: false,
                });
        }
    }
    for change in plans.iter().flat_map(|plan| &plan.changes) {
        let half = match &change.action {
            Action::Create(target) => HalfOutlook {
                now: None,
                then: Some(target.configured_status),
                switched_on: target.configured_status == ConfiguredStatus::Active,
            },
            Action::Update {
                current, target, ..
            } => HalfOutlook {
                now: Some(&current.state),
                then: Some(target.configured_status),
                switched_on: current.configured_status == ConfiguredStatus::Disabled
                    && target.configured_status == ConfiguredStatus::Active,
            },
            Action::Noop { current } => HalfOutlook {
                now: Some(&current.state),
                then: Some(current.configured_status),
                switched_on: false,
            },
            Action::Delete { current } => HalfOutlook {
                now: Some(&current.state),
                then: None,
                switched_on: false,
            },
        };
        halves.insert((change.account.clone(), change.key), half);
    }
    halves
}

/// The other half of a peering and its network, as far as the plan sees them.
struct OtherSide<'a> {
    half: HalfOutlook<'a>,
    /// Its network is private and has a router.
    peerable: bool,
    ranges: &'a [Cidr],
}

/// Aiven's own half, configured `active` and waiting for the customer's, as a connection in
/// `PENDING_PEER` shows it.
static AIVENS_HALF_WAITS: PeeringState = PeeringState::PendingPeer;

/// The rule of the module docs, for `change`'s half.
fn turns_active(
    change: &Change,
    halves: &BTreeMap<HalfPlace, HalfOutlook>,
    networks: &BTreeMap<NetworkId, (&Option<String>, &Network)>,
    observed: &BTreeMap<Option<String>, Observed>,
) -> bool {
    let key = change.key;
    let (Some(this), Some((_, local))) = (
        halves.get(&(change.account.clone(), key)),
        networks.get(&key.network),
    ) else {
        return false;
    };
    let Some(other) = other_side(change, halves, networks, observed) else {
        return false;
    };
    let both = [this, &other.half];
    both.iter().all(|half| {
        half.then == Some(ConfiguredStatus::Active) && half.now.is_none_or(waits_for_the_other)
    }) && both.iter().any(|half| half.switched_on)
        && peerable(local)
        && other.peerable
        && !any_overlap(&local.ranges, other.ranges)
}

/// The other half of `change`'s peering: in the account that holds the peer network, or, for
/// the UpCloud half of an `[[aiven_peering]]`, Aiven's.
fn other_side<'a>(
    change: &Change,
    halves: &BTreeMap<HalfPlace, HalfOutlook<'a>>,
    networks: &BTreeMap<NetworkId, (&Option<String>, &'a Network)>,
    observed: &'a BTreeMap<Option<String>, Observed>,
) -> Option<OtherSide<'a>> {
    let key = change.key;
    match networks.get(&key.peer_network) {
        Some((peer_account, peer)) => {
            halves
                .get(&((*peer_account).clone(), key.reverse()))
                .map(|half| OtherSide {
                    half: *half,
                    peerable: peerable(peer),
                    ranges: &peer.ranges,
                })
        }
        None => aivens_half(change, observed),
    }
}

/// Aiven's half, for the UpCloud half of an `[[aiven_peering]]`, as its connection shows it (see
/// the module docs); `None` when the connection does not show it waiting for this very half.
fn aivens_half<'a>(
    change: &Change,
    observed: &'a BTreeMap<Option<String>, Observed>,
) -> Option<OtherSide<'a>> {
    let (_, labels) = change.action.outcome_fields();
    let tied = tied_by_labels(labels, change.key.network)?;
    let vpc = observed.get(&change.account)?.vpcs.get(&tied.vpc)?.vpc()?;
    let connection = vpc.connection_to(tied.network)?;
    let waits_for_this = connection.state == ConnectionState::PendingPeer
        && connection.warnings.is_empty()
        && connection
            .aiven_network
            .is_none_or(|shown| shown == change.key.peer_network);
    waits_for_this.then_some(OtherSide {
        half: HalfOutlook {
            now: Some(&AIVENS_HALF_WAITS),
            then: Some(ConfiguredStatus::Active),
            switched_on: false,
        },
        peerable: true,
        ranges: vpc.network_cidr.as_slice(),
    })
}

/// A state that says nothing but that one of the two halves is missing or off.
fn waits_for_the_other(state: &PeeringState) -> bool {
    matches!(
        state,
        PeeringState::PendingPeer | PeeringState::PeerDisabled | PeeringState::Disabled
    )
}

fn peerable(network: &Network) -> bool {
    network.kind == NetworkType::Private && network.router.is_some()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use uuid::Uuid;

    use super::*;
    use crate::config::{Desired, DesiredAivenPeering, DesiredPeering};
    use crate::model::{
        AIVEN_PROJECT_KEY, AIVEN_VPC_KEY, AivenConnection, AivenVpc, ConnectionKey,
        ConnectionWarning, Labels, MANAGED_BY_KEY, MANAGED_BY_VALUE, Peering, PeeringId, ServerId,
        VpcId, VpcRef, VpcState,
    };
    use crate::plan::{VpcSeen, plan_accounts};

    const A: u128 = 0xa;
    const B: u128 = 0xb;
    /// A network in no account read: Aiven's, another team's.
    const UNSEEN: u128 = 0xc;

    use ConfiguredStatus::{Active, Disabled};

    fn net(n: u128) -> NetworkId {
        NetworkId(Uuid::from_u128(n))
    }

    fn key(network: u128, peer: u128) -> PeeringKey {
        PeeringKey {
            network: net(network),
            peer_network: net(peer),
        }
    }

    fn server(n: u128, title: &str) -> AttachedServer {
        AttachedServer {
            title: title.into(),
            id: ServerId(Uuid::from_u128(0x5e00 + n)),
        }
    }

    fn network(n: u128, range: &str, servers: Vec<AttachedServer>) -> Network {
        Network {
            id: net(n),
            name: format!("net-{n}"),
            kind: NetworkType::Private,
            zone: "fi-hel1".into(),
            router: Some("router".into()),
            ranges: vec![range.parse().unwrap()],
            servers,
        }
    }

    /// Account `a` holds network A (servers web-1, web-2) and account `b` network B (db-1).
    struct World {
        desired: Desired,
        observed: BTreeMap<Option<String>, Observed>,
    }

    impl World {
        fn new() -> World {
            let observed = BTreeMap::from([
                (
                    Some("a".to_owned()),
                    Observed {
                        peerings: vec![],
                        networks: vec![network(
                            A,
                            "10.1.0.0/24",
                            vec![server(2, "web-2"), server(1, "web-1")],
                        )],
                        ..Observed::default()
                    },
                ),
                (
                    Some("b".to_owned()),
                    Observed {
                        peerings: vec![],
                        networks: vec![network(B, "10.2.0.0/24", vec![server(3, "db-1")])],
                        ..Observed::default()
                    },
                ),
            ]);
            World {
                desired: Desired::default(),
                observed,
            }
        }

        fn want(mut self, account: &str, key: PeeringKey, status: ConfiguredStatus) -> World {
            self.desired.peerings.push(DesiredPeering {
                name: format!("{account} {}", self.desired.peerings.len()),
                key,
                configured_status: status,
                labels: Labels::new(),
                account: Some(account.to_owned()),
                link: None,
            });
            self
        }

        fn has(
            mut self,
            account: &str,
            key: PeeringKey,
            status: ConfiguredStatus,
            state: PeeringState,
        ) -> World {
            let seen = self.observed.get_mut(&Some(account.to_owned())).unwrap();
            seen.peerings.push(Peering {
                account: Some(account.to_owned()),
                id: PeeringId(Uuid::from_u128(0x9000 + seen.peerings.len() as u128)),
                name: format!("{account} {}", self.desired.peerings.len()),
                key,
                configured_status: status,
                state,
                labels: Labels::new(),
            });
            self
        }

        fn network(&mut self, n: u128) -> &mut Network {
            self.observed
                .values_mut()
                .flat_map(|seen| seen.networks.iter_mut())
                .find(|network| network.id == net(n))
                .unwrap()
        }

        /// The titles of the servers each of the file's peerings is expected to need renewed,
        /// by account; `None` where no renewal is expected.
        fn expected(&self) -> Vec<(String, Option<Vec<String>>)> {
            let plan = Plan::merge(plan_accounts(&self.desired, &self.observed));
            plan.changes
                .iter()
                .map(|change| {
                    let titles = plan
                        .renewals
                        .expected(change)
                        .map(|servers| servers.iter().map(|s| s.title.clone()).collect::<Vec<_>>());
                    (change.account.clone().unwrap(), titles)
                })
                .collect()
        }
    }

    fn web() -> Option<Vec<String>> {
        Some(vec!["web-1".into(), "web-2".into()])
    }

    fn db() -> Option<Vec<String>> {
        Some(vec!["db-1".into()])
    }

    #[test]
    fn a_create_towards_a_half_that_waits_for_it_is_expected_active_with_the_servers_by_title() {
        let world = World::new().want("a", key(A, B), Active).has(
            "b",
            key(B, A),
            Active,
            PeeringState::PendingPeer,
        );
        assert_eq!(world.expected(), [("a".into(), web())]);
    }

    #[test]
    fn both_halves_created_together_are_both_expected_active() {
        let world = World::new()
            .want("a", key(A, B), Active)
            .want("b", key(B, A), Active);
        assert_eq!(world.expected(), [("a".into(), web()), ("b".into(), db())]);
    }

    #[test]
    fn a_half_that_waits_turns_active_when_the_plan_creates_the_other() {
        let world = World::new()
            .want("a", key(A, B), Active)
            .has("a", key(A, B), Active, PeeringState::PendingPeer)
            .want("b", key(B, A), Active);
        assert_eq!(world.expected(), [("a".into(), web()), ("b".into(), db())]);
    }

    #[test]
    fn a_re_enable_whose_other_half_sees_it_disabled_is_expected_active() {
        let world = World::new()
            .want("a", key(A, B), Active)
            .has("a", key(A, B), Disabled, PeeringState::Disabled)
            .has("b", key(B, A), Active, PeeringState::PeerDisabled);
        assert_eq!(world.expected(), [("a".into(), web())]);
    }

    #[test]
    fn nothing_is_expected_where_the_other_half_is_missing_off_or_unseen() {
        let alone = World::new().want("a", key(A, B), Active);
        assert_eq!(alone.expected(), [("a".into(), None)]);
        let other_off = World::new().want("a", key(A, B), Active).has(
            "b",
            key(B, A),
            Disabled,
            PeeringState::Disabled,
        );
        assert_eq!(other_off.expected(), [("a".into(), None)]);
        let unseen = World::new().want("a", key(A, UNSEEN), Active);
        assert_eq!(unseen.expected(), [("a".into(), None)]);
        let created_disabled =
            World::new()
                .want("a", key(A, B), Disabled)
                .want("b", key(B, A), Active);
        assert_eq!(
            created_disabled.expected(),
            [("a".into(), None), ("b".into(), None)]
        );
    }

    #[test]
    fn nothing_is_expected_when_the_apply_switches_nothing_on() {
        // Only the labels change; the other half is as it was.
        let world = World::new().want("a", key(A, B), Active).has(
            "a",
            key(A, B),
            Active,
            PeeringState::PendingPeer,
        );
        assert_eq!(world.expected(), [("a".into(), None)]);
        let already = World::new()
            .want("a", key(A, B), Active)
            .has("a", key(A, B), Active, PeeringState::Active)
            .has("b", key(B, A), Active, PeeringState::Active);
        assert_eq!(already.expected(), [("a".into(), None)]);
    }

    #[test]
    fn nothing_is_expected_past_a_state_the_plan_cannot_see_through() {
        for state in [
            PeeringState::Provisioning,
            PeeringState::Error,
            PeeringState::ConflictSubnet,
            PeeringState::MissingPeerRouter,
            PeeringState::Unknown("half-moon".into()),
        ] {
            let world = World::new().want("a", key(A, B), Active).has(
                "b",
                key(B, A),
                Active,
                state.clone(),
            );
            assert_eq!(world.expected(), [("a".into(), None)], "{state}");
        }
    }

    #[test]
    fn nothing_is_expected_when_the_networks_forbid_it() {
        let pair = || {
            World::new()
                .want("a", key(A, B), Active)
                .want("b", key(B, A), Active)
        };
        let mut overlap = pair();
        overlap.network(B).ranges = vec!["10.1.0.128/25".parse().unwrap()];
        let mut no_router = pair();
        no_router.network(B).router = None;
        let mut public = pair();
        public.network(A).kind = NetworkType::Public;
        for world in [overlap, no_router, public] {
            assert_eq!(world.expected(), [("a".into(), None), ("b".into(), None)]);
        }
    }

    #[test]
    fn a_file_without_accounts_sees_the_other_half_in_its_own_account() {
        let mut world = World::new();
        let b = world.observed.remove(&Some("b".to_owned())).unwrap();
        let mut only = world.observed.remove(&Some("a".to_owned())).unwrap();
        only.networks.extend(b.networks);
        only.peerings.push(Peering {
            account: None,
            id: PeeringId(Uuid::from_u128(0x9999)),
            name: "b to a".into(),
            key: key(B, A),
            configured_status: Active,
            state: PeeringState::PendingPeer,
            labels: Labels::new(),
        });
        let desired = Desired {
            peerings: vec![DesiredPeering {
                name: "a to b".into(),
                key: key(A, B),
                configured_status: Active,
                labels: Labels::new(),
                account: None,
                link: None,
            }],
            ..Desired::default()
        };
        let plan = Plan::merge(plan_accounts(&desired, &BTreeMap::from([(None, only)])));
        let servers = plan.renewals.expected(&plan.changes[0]).unwrap();
        assert_eq!(servers, [server(1, "web-1"), server(2, "web-2")]);
    }

    /// The VPC of the Aiven tests: its network is `UNSEEN` (in Aiven's account, not read).
    fn vpc_ref() -> VpcRef {
        VpcRef {
            project: "data".into(),
            vpc: VpcId(Uuid::from_u128(0x7c)),
        }
    }

    impl World {
        /// The file asks for an `[[aiven_peering]]` of network A in account `a`.
        fn want_aiven(mut self, status: ConfiguredStatus) -> World {
            self.desired.aiven_peerings.push(DesiredAivenPeering {
                name: "a to aiven".into(),
                vpc: vpc_ref(),
                network: net(A),
                aiven_network: None,
                account: Some("a".into()),
                configured_status: status,
                labels: Labels::new(),
            });
            self
        }

        /// Aiven's connection of the VPC to network A is in `state`, showing `shown` as the
        /// Aiven network ID; the VPC's range is `cidr`.
        fn aiven_shows(mut self, state: ConnectionState, shown: Option<u128>, cidr: &str) -> World {
            let connection = AivenConnection {
                key: vpc_ref_to(A),
                state,
                aiven_network: shown.map(net),
                message: None,
                warnings: vec![],
            };
            let vpc = AivenVpc {
                at: vpc_ref(),
                cloud_name: "upcloud-fi-hel1".into(),
                network_cidr: Some(cidr.parse().unwrap()),
                state: VpcState::Active,
                connections: vec![connection],
            };
            let seen = self.observed.get_mut(&Some("a".to_owned())).unwrap();
            seen.vpcs.insert(vpc_ref(), VpcSeen::Found(vpc));
            self
        }

        fn connection(&mut self) -> &mut AivenConnection {
            let seen = self.observed.get_mut(&Some("a".to_owned())).unwrap();
            match seen.vpcs.get_mut(&vpc_ref()) {
                Some(VpcSeen::Found(vpc)) => &mut vpc.connections[0],
                _ => panic!("no VPC"),
            }
        }

        /// The UpCloud half of the `[[aiven_peering]]` exists, towards `UNSEEN`.
        fn has_aiven_half(mut self, status: ConfiguredStatus, state: PeeringState) -> World {
            self = self.has("a", key(A, UNSEEN), status, state);
            let seen = self.observed.get_mut(&Some("a".to_owned())).unwrap();
            let half = seen.peerings.last_mut().unwrap();
            half.name = "a to aiven".into();
            half.labels = Labels::from([
                (MANAGED_BY_KEY.to_owned(), MANAGED_BY_VALUE.to_owned()),
                (AIVEN_PROJECT_KEY.to_owned(), "data".to_owned()),
                (AIVEN_VPC_KEY.to_owned(), vpc_ref().vpc.to_string()),
            ]);
            self
        }
    }

    fn vpc_ref_to(network: u128) -> ConnectionKey {
        ConnectionKey {
            vpc: vpc_ref(),
            network: net(network),
        }
    }

    #[test]
    fn the_upcloud_half_of_an_aiven_peering_that_aiven_waits_for_is_expected_active() {
        let shown = World::new().want_aiven(Active).aiven_shows(
            ConnectionState::PendingPeer,
            Some(UNSEEN),
            "172.16.0.0/24",
        );
        assert_eq!(shown.expected(), [("a".into(), web())]);
        let mut from_the_file = World::new().want_aiven(Active).aiven_shows(
            ConnectionState::PendingPeer,
            None,
            "172.16.0.0/24",
        );
        from_the_file.desired.aiven_peerings[0].aiven_network = Some(net(UNSEEN));
        assert_eq!(from_the_file.expected(), [("a".into(), web())]);
        let re_enabled = World::new()
            .want_aiven(Active)
            .aiven_shows(ConnectionState::PendingPeer, Some(UNSEEN), "172.16.0.0/24")
            .has_aiven_half(Disabled, PeeringState::Disabled);
        assert_eq!(re_enabled.expected(), [("a".into(), web())]);
    }

    #[test]
    fn nothing_is_expected_of_an_aiven_half_that_does_not_wait_for_this_very_half() {
        let world = |state: ConnectionState| {
            World::new()
                .want_aiven(Active)
                .aiven_shows(state, Some(UNSEEN), "172.16.0.0/24")
        };
        for state in [
            ConnectionState::Approved,
            ConnectionState::Active,
            ConnectionState::Error,
            ConnectionState::InvalidSpecification,
        ] {
            assert_eq!(
                world(state.clone()).expected(),
                [("a".into(), None)],
                "{state}"
            );
        }
        let mut warned = world(ConnectionState::PendingPeer);
        warned.connection().warnings.push(ConnectionWarning {
            kind: "upcloud-peering-in-error".into(),
            message: "in error".into(),
        });
        assert_eq!(warned.expected(), [("a".into(), None)]);

        // The file's ID, another network no account read shows, is not the one Aiven shows:
        // the half goes elsewhere.
        let mut elsewhere = world(ConnectionState::PendingPeer);
        elsewhere.desired.aiven_peerings[0].aiven_network = Some(net(0xd));
        assert_eq!(elsewhere.expected()[0].1, None);

        let overlapping = World::new().want_aiven(Active).aiven_shows(
            ConnectionState::PendingPeer,
            Some(UNSEEN),
            "10.1.0.128/25",
        );
        let mut no_router = world(ConnectionState::PendingPeer);
        no_router.network(A).router = None;
        let disabled = World::new().want_aiven(Disabled).aiven_shows(
            ConnectionState::PendingPeer,
            Some(UNSEEN),
            "172.16.0.0/24",
        );
        let unchanged =
            world(ConnectionState::PendingPeer).has_aiven_half(Active, PeeringState::PendingPeer);
        for world in [overlapping, no_router, disabled, unchanged] {
            assert_eq!(world.expected(), [("a".into(), None)]);
        }
    }

    fn any_state() -> impl Strategy<Value = PeeringState> {
        prop_oneof![
            Just(PeeringState::PendingPeer),
            Just(PeeringState::PeerDisabled),
            Just(PeeringState::Disabled),
            Just(PeeringState::Active),
            Just(PeeringState::Provisioning),
            Just(PeeringState::Error),
        ]
    }

    fn any_status() -> impl Strategy<Value = ConfiguredStatus> {
        prop_oneof![Just(Active), Just(Disabled)]
    }

    /// One half: whether the file lists it (and with which status), and whether it exists.
    fn any_half() -> impl Strategy<
        Value = (
            Option<ConfiguredStatus>,
            Option<(ConfiguredStatus, PeeringState)>,
        ),
    > {
        (
            proptest::option::of(any_status()),
            proptest::option::of((any_status(), any_state())),
        )
    }

    proptest! {
        /// A peering is active for both halves or for neither: when the file lists both, the
        /// plan expects both to turn active, or neither. And never one that is active already.
        #[test]
        fn both_halves_listed_are_expected_alike(
            a in any_half(),
            b in any_half(),
            overlap in any::<bool>(),
        ) {
            let mut world = World::new();
            for (account, key, (wanted, existing)) in [("a", key(A, B), a.clone()), ("b", key(B, A), b.clone())] {
                if let Some(status) = wanted {
                    world = world.want(account, key, status);
                }
                if let Some((status, state)) = existing {
                    world = world.has(account, key, status, state);
                }
            }
            if overlap {
                world.network(B).ranges = vec!["10.1.0.0/16".parse().unwrap()];
            }
            let expected = world.expected();
            if a.0.is_some() && b.0.is_some() {
                prop_assert_eq!(expected[0].1.is_some(), expected[1].1.is_some(), "{:?}", expected);
            }
            for (account, half) in [("a", a), ("b", b)] {
                let active_now = matches!(half.1, Some((_, PeeringState::Active)));
                let listed = expected.iter().find(|(name, _)| name == account);
                if active_now || overlap {
                    prop_assert!(listed.is_none_or(|(_, titles)| titles.is_none()), "{:?}", expected);
                }
            }
        }
    }
}
