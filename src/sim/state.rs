//! The state the platform reports for a peering, derived from the world and the time alone:
//! it is never stored, so it can never disagree with the world.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use super::world::{SimConfiguredStatus, SimPeering, World};
use crate::cidr::any_overlap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SimPeeringState {
    Provisioning,
    Active,
    PendingPeer,
    Disabled,
    PeerDisabled,
    ConflictSubnet,
    MissingLocalRouter,
    MissingPeerRouter,
    DeletedPeerNetwork,
}

impl SimPeeringState {
    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SimPeeringState::Provisioning => "provisioning",
            SimPeeringState::Active => "active",
            SimPeeringState::PendingPeer => "pending-peer",
            SimPeeringState::Disabled => "disabled",
            SimPeeringState::PeerDisabled => "peer-disabled",
            SimPeeringState::ConflictSubnet => "conflict-subnet",
            SimPeeringState::MissingLocalRouter => "missing-local-router",
            SimPeeringState::MissingPeerRouter => "missing-peer-router",
            SimPeeringState::DeletedPeerNetwork => "deleted-peer-network",
        }
    }
}

impl fmt::Display for SimPeeringState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl World {
    /// The state the platform reports for `peering` now; derived, never stored.
    pub fn state_of(&self, peering: &SimPeering) -> SimPeeringState {
        derive_state(self, peering, now_ms())
    }

    /// The state the platform reports for `peering` at `now_ms` (milliseconds since the Unix
    /// epoch), so a test can look at a moment of its choice.
    pub fn state_at(&self, peering: &SimPeering, now_ms: u64) -> SimPeeringState {
        derive_state(self, peering, now_ms)
    }
}

/// Wall-clock time in milliseconds since the Unix epoch: the clock of `provisioning_until`,
/// which is wall-clock so that it means the same after a restart from the state file.
pub fn now_ms() -> u64 {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    u64::try_from(since_epoch.as_millis()).unwrap_or(u64::MAX)
}

/// The first of these that holds is the state at `now_ms`: a change still being carried out,
/// then the owner's own choice, then what is missing on this side, then on the peer's side,
/// then whether the two halves can connect.
pub fn derive_state(world: &World, peering: &SimPeering, now_ms: u64) -> SimPeeringState {
    if peering
        .provisioning_until
        .is_some_and(|until| now_ms < until)
    {
        return SimPeeringState::Provisioning;
    }
    if peering.configured_status == SimConfiguredStatus::Disabled {
        return SimPeeringState::Disabled;
    }
    // A local network that is gone has no router either; the API cannot delete a network
    // that its own account's peerings use, so this only guards a hand-edited world.
    let Some(local) = world
        .network(peering.network)
        .filter(|n| n.router.is_some())
    else {
        return SimPeeringState::MissingLocalRouter;
    };
    let Some(peer) = world.network(peering.peer_network) else {
        return SimPeeringState::DeletedPeerNetwork;
    };
    if peer.router.is_none() {
        return SimPeeringState::MissingPeerRouter;
    }
    let reverse = world.peerings().find(|other| {
        other.network == peering.peer_network && other.peer_network == peering.network
    });
    match reverse {
        None => SimPeeringState::PendingPeer,
        Some(reverse) if reverse.configured_status == SimConfiguredStatus::Disabled => {
            SimPeeringState::PeerDisabled
        }
        Some(_) if any_overlap(&local.ip_networks, &peer.ip_networks) => {
            SimPeeringState::ConflictSubnet
        }
        Some(_) => SimPeeringState::Active,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::world::{NetworkKind, SimAccount, SimCredentials, SimNetwork, SimRouter};
    use uuid::Uuid;

    const LOCAL: Uuid = Uuid::from_u128(1);
    const PEER: Uuid = Uuid::from_u128(2);
    const LOCAL_ROUTER: Uuid = Uuid::from_u128(10);
    const PEER_ROUTER: Uuid = Uuid::from_u128(20);
    const THIS_HALF: Uuid = Uuid::from_u128(100);

    /// What to change in a world where both halves exist, both routers are attached and the
    /// ranges are apart (so the state is `active`).
    /// The moment the tests look at the world.
    const NOW: u64 = 1_000_000;

    #[derive(Clone, Copy, Default)]
    struct Twist {
        /// This half's change is carried out until then.
        this_provisioning_until: Option<u64>,
        this_disabled: bool,
        local_router_detached: bool,
        local_network_deleted: bool,
        peer_network_deleted: bool,
        peer_router_detached: bool,
        reverse_missing: bool,
        reverse_disabled: bool,
        reverse_in_other_direction_only: bool,
        ipv4_overlap: bool,
        ipv6_overlap: bool,
        families_differ: bool,
    }

    fn network(uuid: Uuid, account: &str, router: Uuid, ranges: &[&str]) -> SimNetwork {
        SimNetwork {
            uuid,
            name: format!("{account} network"),
            kind: NetworkKind::Private,
            zone: "fi-hel1".into(),
            router: Some(router),
            ip_networks: ranges.iter().map(|r| r.parse().unwrap()).collect(),
            account: account.into(),
            labels: vec![],
            servers: vec![],
        }
    }

    fn half(
        uuid: Uuid,
        account: &str,
        network: Uuid,
        peer_network: Uuid,
        disabled: bool,
    ) -> SimPeering {
        SimPeering {
            uuid,
            account: account.into(),
            name: format!("{account} half"),
            network,
            peer_network,
            configured_status: if disabled {
                SimConfiguredStatus::Disabled
            } else {
                SimConfiguredStatus::Active
            },
            labels: vec![],
            provisioning_until: None,
        }
    }

    fn world(t: Twist) -> World {
        let account = |token: &str| SimAccount {
            credentials: SimCredentials::Token(token.into()),
            auto_peer: false,
            sub_accounts: vec![],
        };
        let local_ranges: &[&str] = if t.families_differ {
            &["10.0.0.0/24"]
        } else {
            &["10.0.0.0/24", "fc00:1::/64"]
        };
        let peer_ranges: &[&str] = match (t.ipv4_overlap, t.ipv6_overlap, t.families_differ) {
            (_, _, true) => &["fc00:1::/64"],
            (true, _, _) => &["10.0.0.128/25", "fc00:2::/64"],
            (_, true, _) => &["10.0.1.0/24", "fc00::/16"],
            _ => &["10.0.1.0/24", "fc00:2::/64"],
        };
        let mut networks = vec![];
        if !t.local_network_deleted {
            networks.push(network(LOCAL, "me", LOCAL_ROUTER, local_ranges));
        }
        if !t.peer_network_deleted {
            networks.push(network(PEER, "peer", PEER_ROUTER, peer_ranges));
        }
        for n in &mut networks {
            if (n.uuid == LOCAL && t.local_router_detached)
                || (n.uuid == PEER && t.peer_router_detached)
            {
                n.router = None;
            }
        }
        let mut this_half = half(THIS_HALF, "me", LOCAL, PEER, t.this_disabled);
        this_half.provisioning_until = t.this_provisioning_until;
        let mut peerings = vec![this_half];
        if t.reverse_in_other_direction_only {
            // Another peering of the peer network, not towards the local one, is not the reverse.
            peerings.push(half(
                Uuid::from_u128(200),
                "peer",
                PEER,
                Uuid::from_u128(3),
                false,
            ));
        } else if !t.reverse_missing {
            peerings.push(half(
                Uuid::from_u128(200),
                "peer",
                PEER,
                LOCAL,
                t.reverse_disabled,
            ));
        }
        World {
            default_account: "me".into(),
            accounts: [
                ("me".to_owned(), account("a")),
                ("peer".to_owned(), account("b")),
            ]
            .into(),
            routers: vec![
                SimRouter {
                    uuid: LOCAL_ROUTER,
                    name: "r1".into(),
                    account: "me".into(),
                },
                SimRouter {
                    uuid: PEER_ROUTER,
                    name: "r2".into(),
                    account: "peer".into(),
                },
            ],
            networks,
            peerings,
            uuids_generated: 0,
            ..World::demo()
        }
    }

    #[test]
    fn every_state_and_which_wins() {
        let none = Twist::default();
        let cases = [
            ("all is well", none, SimPeeringState::Active),
            (
                "still provisioning",
                Twist {
                    this_provisioning_until: Some(NOW + 1),
                    ..none
                },
                SimPeeringState::Provisioning,
            ),
            (
                "provisioning wins over disabled",
                Twist {
                    this_provisioning_until: Some(NOW + 1),
                    this_disabled: true,
                    ..none
                },
                SimPeeringState::Provisioning,
            ),
            (
                "provisioning is over at the moment it ends",
                Twist {
                    this_provisioning_until: Some(NOW),
                    this_disabled: true,
                    ..none
                },
                SimPeeringState::Disabled,
            ),
            (
                "disabled here",
                Twist {
                    this_disabled: true,
                    ..none
                },
                SimPeeringState::Disabled,
            ),
            (
                "disabled wins over everything",
                Twist {
                    this_disabled: true,
                    local_router_detached: true,
                    peer_network_deleted: true,
                    ..none
                },
                SimPeeringState::Disabled,
            ),
            (
                "no local router",
                Twist {
                    local_router_detached: true,
                    ..none
                },
                SimPeeringState::MissingLocalRouter,
            ),
            (
                "local network gone",
                Twist {
                    local_network_deleted: true,
                    ..none
                },
                SimPeeringState::MissingLocalRouter,
            ),
            (
                "local router before the peer's problems",
                Twist {
                    local_router_detached: true,
                    peer_network_deleted: true,
                    ..none
                },
                SimPeeringState::MissingLocalRouter,
            ),
            (
                "peer network gone",
                Twist {
                    peer_network_deleted: true,
                    ..none
                },
                SimPeeringState::DeletedPeerNetwork,
            ),
            (
                "no peer router",
                Twist {
                    peer_router_detached: true,
                    ..none
                },
                SimPeeringState::MissingPeerRouter,
            ),
            (
                "peer router before the reverse half",
                Twist {
                    peer_router_detached: true,
                    reverse_missing: true,
                    ..none
                },
                SimPeeringState::MissingPeerRouter,
            ),
            (
                "no reverse half",
                Twist {
                    reverse_missing: true,
                    ..none
                },
                SimPeeringState::PendingPeer,
            ),
            (
                "a half of the peer network towards another network",
                Twist {
                    reverse_in_other_direction_only: true,
                    ..none
                },
                SimPeeringState::PendingPeer,
            ),
            (
                "no reverse half before overlap",
                Twist {
                    reverse_missing: true,
                    ipv4_overlap: true,
                    ..none
                },
                SimPeeringState::PendingPeer,
            ),
            (
                "reverse half disabled",
                Twist {
                    reverse_disabled: true,
                    ..none
                },
                SimPeeringState::PeerDisabled,
            ),
            (
                "peer disabled before overlap",
                Twist {
                    reverse_disabled: true,
                    ipv4_overlap: true,
                    ..none
                },
                SimPeeringState::PeerDisabled,
            ),
            (
                "IPv4 ranges overlap",
                Twist {
                    ipv4_overlap: true,
                    ..none
                },
                SimPeeringState::ConflictSubnet,
            ),
            (
                "IPv6 ranges overlap",
                Twist {
                    ipv6_overlap: true,
                    ..none
                },
                SimPeeringState::ConflictSubnet,
            ),
            (
                "different families never overlap",
                Twist {
                    families_differ: true,
                    ..none
                },
                SimPeeringState::Active,
            ),
        ];
        for (what, twist, expected) in cases {
            let world = world(twist);
            let this = world.peering(THIS_HALF).unwrap();
            assert_eq!(derive_state(&world, this, NOW), expected, "{what}");
        }
    }

    #[test]
    fn both_halves_see_each_other() {
        let world = world(Twist::default());
        for peering in world.peerings() {
            assert_eq!(world.state_of(peering), SimPeeringState::Active);
        }
        let world = self::world(Twist {
            this_disabled: true,
            ..Twist::default()
        });
        let reverse = world.peering(Uuid::from_u128(200)).unwrap();
        assert_eq!(world.state_of(reverse), SimPeeringState::PeerDisabled);
    }

    #[test]
    fn spells_states_as_the_api_does() {
        let all = [
            (SimPeeringState::Provisioning, "provisioning"),
            (SimPeeringState::Active, "active"),
            (SimPeeringState::PendingPeer, "pending-peer"),
            (SimPeeringState::Disabled, "disabled"),
            (SimPeeringState::PeerDisabled, "peer-disabled"),
            (SimPeeringState::ConflictSubnet, "conflict-subnet"),
            (SimPeeringState::MissingLocalRouter, "missing-local-router"),
            (SimPeeringState::MissingPeerRouter, "missing-peer-router"),
            (SimPeeringState::DeletedPeerNetwork, "deleted-peer-network"),
        ];
        assert_eq!(all.map(|(state, _)| state).to_vec(), every_state());
        for (state, text) in all {
            assert_eq!(state.as_str(), text);
            assert_eq!(state.to_string(), text);
        }
    }

    /// The simulator keeps its own vocabulary, so that it shares nothing with the client but the
    /// wire format; what it reports must still be what the program understands.
    #[test]
    fn the_program_knows_every_state_and_status_the_simulator_reports() {
        use crate::model::{ConfiguredStatus, PeeringState};
        for state in every_state() {
            let understood = PeeringState::from_api(state.as_str());
            assert!(
                !matches!(understood, PeeringState::Unknown(_)),
                "the simulator reports {state}, which the program does not know"
            );
            assert_eq!(understood.as_str(), state.as_str());
        }
        for status in [SimConfiguredStatus::Active, SimConfiguredStatus::Disabled] {
            let understood = ConfiguredStatus::parse(status.as_str());
            assert_eq!(
                understood.map(ConfiguredStatus::as_str),
                Some(status.as_str())
            );
        }
    }

    /// Every state, in declaration order. The match does not compile once a state is added
    /// without a place in this chain.
    fn every_state() -> Vec<SimPeeringState> {
        use SimPeeringState::*;
        let next = |state: &SimPeeringState| match state {
            Provisioning => Some(Active),
            Active => Some(PendingPeer),
            PendingPeer => Some(Disabled),
            Disabled => Some(PeerDisabled),
            PeerDisabled => Some(ConflictSubnet),
            ConflictSubnet => Some(MissingLocalRouter),
            MissingLocalRouter => Some(MissingPeerRouter),
            MissingPeerRouter => Some(DeletedPeerNetwork),
            DeletedPeerNetwork => None,
        };
        std::iter::successors(Some(Provisioning), next).collect()
    }
}
