//! The world as the API shows it: conversions from the world's records to the wire types.

use super::state::SimPeeringState;
use super::world::{SimNetwork, SimPeering, SimRouter, World};
use crate::cidr::Cidr;
use crate::upcloud::wire;

/// The router type the API reports for an ordinary router [C].
const ROUTER_KIND: &str = "normal";

/// A peering as it is at `now_ms`. It shows its local network's ranges, and the peer's only
/// once it is established both ways [C: the create example, `pending-peer` without peer
/// addresses].
pub fn peering(world: &World, peering: &SimPeering, now_ms: u64) -> wire::Peering {
    let state = world.state_at(peering, now_ms);
    let ranges_of = |uuid| {
        world
            .network(uuid)
            .map(|n: &SimNetwork| ip_networks(&n.ip_networks))
    };
    let peer_ranges = if state == SimPeeringState::Active {
        ranges_of(peering.peer_network)
    } else {
        None
    };
    wire::Peering {
        uuid: peering.uuid.to_string(),
        name: peering.name.clone(),
        configured_status: peering.configured_status.as_str().into(),
        state: state.as_str().into(),
        labels: peering.labels.clone(),
        network: wire::PeeringNetwork {
            uuid: peering.network.to_string(),
            ip_networks: ranges_of(peering.network),
        },
        peer_network: wire::PeeringNetwork {
            uuid: peering.peer_network.to_string(),
            ip_networks: peer_ranges,
        },
    }
}

pub fn network(network: &SimNetwork) -> wire::Network {
    wire::Network {
        uuid: network.uuid.to_string(),
        name: network.name.clone(),
        kind: network.kind.as_str().into(),
        zone: network.zone.clone(),
        router: network.router.map(|uuid| uuid.to_string()),
        ip_networks: Some(ip_networks(&network.ip_networks)),
        labels: network.labels.clone(),
        // An empty list when none: the reference allows it absent or empty [C].
        servers: Some(wire::NetworkServers {
            server: network
                .servers
                .iter()
                .map(|server| wire::NetworkServer {
                    uuid: server.uuid.to_string(),
                    title: server.title.clone(),
                })
                .collect(),
        }),
    }
}

/// A router lists the networks attached to it, which the networks themselves record.
pub fn router(world: &World, router: &SimRouter) -> wire::Router {
    let attached = world
        .networks
        .iter()
        .filter(|n| n.router == Some(router.uuid))
        .map(|n| wire::UuidRef {
            uuid: n.uuid.to_string(),
        })
        .collect();
    wire::Router {
        uuid: router.uuid.to_string(),
        name: router.name.clone(),
        kind: ROUTER_KIND.into(),
        attached_networks: wire::AttachedNetworks { network: attached },
    }
}

fn ip_networks(ranges: &[Cidr]) -> wire::IpNetworks {
    let ip_network = ranges
        .iter()
        .map(|range| wire::IpNetwork {
            address: range.to_string(),
            family: range.family().into(),
            dhcp: None,
            dhcp_default_route: None,
            gateway: None,
        })
        .collect();
    wire::IpNetworks { ip_network }
}
