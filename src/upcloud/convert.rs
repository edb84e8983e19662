//! Between the wire format and the program's own types. Answers are untrusted: anything that
//! does not fit is a clear [`ApiError::Malformed`], never a panic.

use crate::cidr::Cidr;
use crate::model::{
    AttachedServer, ConfiguredStatus, Labels, Network, NetworkId, NetworkType, Peering, PeeringId,
    PeeringKey, PeeringPatch, PeeringSpec, PeeringState,
};

use super::wire;
use crate::http::ApiError;

pub(super) fn peering(operation: &str, peering: wire::Peering) -> Result<Peering, ApiError> {
    let malformed = |detail: String| ApiError::Malformed {
        operation: operation.to_owned(),
        detail: format!("peering {:?}: {detail}", peering.uuid),
    };
    let id = peering
        .uuid
        .parse()
        .map(PeeringId)
        .map_err(|_| malformed("its uuid is not a UUID".into()))?;
    let network = network_id(&peering.network.uuid)
        .ok_or_else(|| malformed("network.uuid is not a UUID".into()))?;
    let peer_network = network_id(&peering.peer_network.uuid)
        .ok_or_else(|| malformed("peer_network.uuid is not a UUID".into()))?;
    let configured_status =
        ConfiguredStatus::parse(&peering.configured_status).ok_or_else(|| {
            malformed(format!(
                "unknown configured_status {:?}",
                peering.configured_status
            ))
        })?;
    Ok(Peering {
        account: None,
        id,
        name: peering.name,
        key: PeeringKey {
            network,
            peer_network,
        },
        configured_status,
        state: PeeringState::from_api(&peering.state),
        labels: labels_from_wire(peering.labels),
    })
}

pub(super) fn network(operation: &str, network: wire::Network) -> Result<Network, ApiError> {
    let malformed = |detail: String| ApiError::Malformed {
        operation: operation.to_owned(),
        detail: format!("network {:?}: {detail}", network.uuid),
    };
    let id = network_id(&network.uuid).ok_or_else(|| malformed("its uuid is not a UUID".into()))?;
    let servers = servers(network.servers.unwrap_or_default()).map_err(malformed)?;
    Ok(Network {
        id,
        name: network.name,
        kind: NetworkType::from_api(&network.kind),
        zone: network.zone,
        router: network.router.filter(|router| !router.is_empty()),
        ranges: ranges(network.ip_networks),
        servers,
    })
}

fn servers(servers: wire::NetworkServers) -> Result<Vec<AttachedServer>, String> {
    servers
        .server
        .into_iter()
        .map(|server| {
            let id = server
                .uuid
                .parse()
                .map_err(|_| format!("server {:?}: its uuid is not a UUID", server.uuid))?;
            Ok(AttachedServer {
                title: server.title,
                id,
            })
        })
        .collect()
}

/// The ranges that parse; one that does not cannot be compared, and only serves predictions.
fn ranges(ip_networks: Option<wire::IpNetworks>) -> Vec<Cidr> {
    ip_networks
        .map(|list| list.ip_network)
        .unwrap_or_default()
        .iter()
        .filter_map(|range| range.address.parse().ok())
        .collect()
}

fn network_id(uuid: &str) -> Option<NetworkId> {
    uuid.parse().ok()
}

pub(super) fn create_request(spec: &PeeringSpec) -> wire::CreatePeeringRequest {
    wire::CreatePeeringRequest {
        network_peering: wire::CreatePeering {
            configured_status: Some(spec.configured_status.as_str().to_owned()),
            name: spec.name.clone(),
            network: wire::UuidRef {
                uuid: spec.key.network.to_string(),
            },
            peer_network: wire::UuidRef {
                uuid: spec.key.peer_network.to_string(),
            },
            labels: labels_to_wire(&spec.labels),
        },
    }
}

pub(super) fn modify_request(patch: &PeeringPatch) -> wire::ModifyPeeringRequest {
    wire::ModifyPeeringRequest {
        network_peering: wire::ModifyPeering {
            name: patch.name.clone(),
            configured_status: patch
                .configured_status
                .map(|status| status.as_str().to_owned()),
            labels: patch.labels.as_ref().map(labels_to_wire),
        },
    }
}

fn labels_from_wire(labels: Vec<wire::Label>) -> Labels {
    labels
        .into_iter()
        .map(|label| (label.key, label.value))
        .collect()
}

fn labels_to_wire(labels: &Labels) -> Vec<wire::Label> {
    labels
        .iter()
        .map(|(key, value)| wire::Label {
            key: key.clone(),
            value: value.clone(),
        })
        .collect()
}
