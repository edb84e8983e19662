//! The API's JSON bodies, exactly as they travel. Shared by the client and the simulator and by
//! nothing else: the rest of the program speaks `crate::model`.
//!
//! Facts marked [C] (confirmed) or [I] (inferred) in `shared/reference/upcloud-network-peering-api.md`
//! are encoded here once, so a correction to the API's shape is a change to this file.

use serde::{Deserialize, Deserializer, Serialize};

/// `{"network_peering": {...}}`: the answer of get, create and modify.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PeeringEnvelope {
    pub network_peering: Peering,
}

/// `{"network_peerings": {"network_peering": [...]}}`: the answer of list.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PeeringListEnvelope {
    pub network_peerings: PeeringList,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PeeringList {
    #[serde(default)]
    pub network_peering: Vec<Peering>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Peering {
    pub uuid: String,
    pub name: String,
    pub configured_status: String,
    pub state: String,
    /// May be absent [C].
    #[serde(default, deserialize_with = "labels_in_either_shape")]
    pub labels: Vec<Label>,
    pub network: PeeringNetwork,
    pub peer_network: PeeringNetwork,
}

/// One side of a peering. `ip_networks` is absent on a side that is not established yet [C].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PeeringNetwork {
    pub uuid: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_networks: Option<IpNetworks>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct IpNetworks {
    #[serde(default)]
    pub ip_network: Vec<IpNetwork>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IpNetwork {
    pub address: String,
    pub family: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dhcp: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dhcp_default_route: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    pub key: String,
    pub value: String,
}

/// The reference documents labels as a plain list [C]; other UpCloud resources wrap them as
/// `{"label": [...]}`. Reading both costs nothing and survives either answer.
fn labels_in_either_shape<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Label>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Shape {
        List(Vec<Label>),
        Wrapped { label: Vec<Label> },
        Null(()),
    }
    Ok(match Shape::deserialize(d)? {
        Shape::List(labels) | Shape::Wrapped { label: labels } => labels,
        Shape::Null(()) => Vec::new(),
    })
}

/// `{"uuid": "..."}`: how a request names a network.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UuidRef {
    pub uuid: String,
}

/// The body of `POST /1.3/network-peering` [C].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CreatePeeringRequest {
    pub network_peering: CreatePeering,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CreatePeering {
    /// Optional, default `active` [C].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configured_status: Option<String>,
    pub name: String,
    pub network: UuidRef,
    pub peer_network: UuidRef,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<Label>,
}

/// The body of `PATCH /1.3/network-peering/{uuid}`: a field left out is left as it is, and
/// `"labels": []` removes all labels [C].
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ModifyPeeringRequest {
    pub network_peering: ModifyPeering,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ModifyPeering {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configured_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<Label>>,
}

/// `{"networks": {"network": [...]}}`: the answer of `GET /1.3/network` [C].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NetworkListEnvelope {
    pub networks: NetworkList,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct NetworkList {
    #[serde(default)]
    pub network: Vec<Network>,
}

/// `{"network": {...}}`: the answer of `GET /1.3/network/{uuid}` [C].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NetworkEnvelope {
    pub network: Network,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Network {
    pub uuid: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub zone: String,
    /// Absent when no router is attached [C].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub router: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_networks: Option<IpNetworks>,
    #[serde(default, deserialize_with = "labels_in_either_shape")]
    pub labels: Vec<Label>,
    /// `{"server": [...]}`: the servers attached to it; absent or empty when none [C].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub servers: Option<NetworkServers>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct NetworkServers {
    #[serde(default)]
    pub server: Vec<NetworkServer>,
}

/// A server as a network lists it [C].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NetworkServer {
    pub uuid: String,
    #[serde(default)]
    pub title: String,
}

/// `{"routers": {"router": [...]}}`: the answer of `GET /1.3/router` [C].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RouterListEnvelope {
    pub routers: RouterList,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RouterList {
    #[serde(default)]
    pub router: Vec<Router>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Router {
    pub uuid: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub attached_networks: AttachedNetworks,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AttachedNetworks {
    #[serde(default)]
    pub network: Vec<UuidRef>,
}

/// The legacy error body: `{"error": {"error_code": ..., "error_message": ...}}` [C].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LegacyErrorBody {
    pub error: LegacyError,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LegacyError {
    pub error_code: String,
    pub error_message: String,
}

/// An RFC 7807 `application/problem+json` body, as newer services answer [C]. The error code is
/// the fragment of `type` (`...errors#ERROR_RESOURCE_NOT_FOUND`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProblemBody {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
}

/// The error codes the client must tell apart, as the API spells them.
pub mod codes {
    pub const PEERING_CONFLICT: &str = "PEERING_CONFLICT";
    pub const LOCAL_NETWORK_NO_ROUTER: &str = "LOCAL_NETWORK_NO_ROUTER";
    pub const NETWORK_NOT_FOUND: &str = "NETWORK_NOT_FOUND";
    pub const PEER_NETWORK_NOT_FOUND: &str = "PEER_NETWORK_NOT_FOUND";
    pub const PEERING_NOT_FOUND: &str = "PEERING_NOT_FOUND";
    pub const PEERING_NOT_DISABLED: &str = "PEERING_NOT_DISABLED";
    pub const AUTHENTICATION_FAILED: &str = "AUTHENTICATION_FAILED";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_reference_create_answer_without_peer_addresses_or_labels() {
        let body = r#"{"network_peering": {"configured_status": "active", "name": "Peering A->B",
            "network": {"ip_networks": {"ip_network": [{"address": "192.168.0.0/24", "family": "IPv4"},
                {"address": "fc02:c4f3::/64", "family": "IPv6"}]},
              "uuid": "03126dc1-a69f-4bc2-8b24-e31c22d64712"},
            "peer_network": {"uuid": "03585987-bf7d-4544-8e9b-5a1b4d74a333"},
            "state": "pending-peer", "uuid": "0f7984bc-5d72-4aaf-b587-90e6a8f32efc"}}"#;
        let peering = serde_json::from_str::<PeeringEnvelope>(body)
            .unwrap()
            .network_peering;
        assert_eq!(peering.state, "pending-peer");
        assert!(peering.labels.is_empty());
        assert!(peering.peer_network.ip_networks.is_none());
        assert_eq!(peering.network.ip_networks.unwrap().ip_network.len(), 2);
    }

    #[test]
    fn reads_labels_as_a_list_or_wrapped() {
        let list = r#"{"uuid":"u","name":"n","configured_status":"active","state":"active",
            "labels":[{"key":"a","value":"b"}],"network":{"uuid":"x"},"peer_network":{"uuid":"y"}}"#;
        let wrapped = list.replace(
            r#"[{"key":"a","value":"b"}]"#,
            r#"{"label":[{"key":"a","value":"b"}]}"#,
        );
        for body in [list.to_owned(), wrapped] {
            let peering: Peering = serde_json::from_str(&body).unwrap();
            assert_eq!(
                peering.labels,
                vec![Label {
                    key: "a".into(),
                    value: "b".into()
                }]
            );
        }
    }

    #[test]
    fn reads_a_network_with_servers_with_an_empty_list_or_without_one() {
        let with = r#"{"uuid": "039d20c5-dfe0-44b4-b0e1-8cb2b5ae1567", "name": "app",
            "type": "private", "zone": "fi-hel2",
            "servers": {"server": [{"uuid": "00798b85-efdc-41ca-8021-f6ef457b8531", "title": "web-1"}]}}"#;
        let network: Network = serde_json::from_str(with).unwrap();
        let servers = network.servers.unwrap().server;
        assert_eq!(
            (servers[0].uuid.as_str(), servers[0].title.as_str()),
            ("00798b85-efdc-41ca-8021-f6ef457b8531", "web-1")
        );
        let bare = r#"{"uuid": "u", "name": "n", "type": "private", "zone": "z""#;
        for none in [
            format!("{bare}}}"),
            format!(r#"{bare}, "servers": null}}"#),
            format!(r#"{bare}, "servers": {{}}}}"#),
            format!(r#"{bare}, "servers": {{"server": []}}}}"#),
        ] {
            let network: Network = serde_json::from_str(&none).unwrap();
            assert!(
                network.servers.unwrap_or_default().server.is_empty(),
                "{none}"
            );
        }
    }

    #[test]
    fn a_modify_request_carries_only_the_changed_fields() {
        let body = ModifyPeeringRequest {
            network_peering: ModifyPeering {
                name: Some("new".into()),
                ..Default::default()
            },
        };
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"network_peering":{"name":"new"}}"#
        );
    }
}
