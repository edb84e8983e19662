//! Aiven's JSON bodies for the project VPC endpoints, exactly as they travel. Shared by the
//! client and the simulator and by nothing else: the rest of the program speaks `crate::model`.
//!
//! Facts marked [C] (confirmed) or [I] (inferred) in
//! `shared/reference/aiven-vpc-peering-api.md` are encoded here once, so a correction to the
//! API's shape is a change to this file.
//!
//! INFERRED, in one place so that each is a one-line change once the real API is known:
//! - where the "Aiven network ID" appears: [`aiven_network_id`] takes the one value of
//!   `state_info`, outside `message`, `type` and `warnings`, that is a UUID other than
//!   `peer_vpc`; with none or several, it cannot be told and the file must give it;
//! - that a create for a pair that exists already is refused with [`ALREADY_EXISTS`]; the client
//!   does not rely on the status: any 4xx answer to a create other than 401, 403, 404 and 429
//!   is followed by a read of the VPC, and the pair's connection there means it exists;
//! - the error body, [`ErrorBody`]: a top-level `message`, and usually an `errors` list of
//!   `{message, status}`; an `error_code` there is read when present;
//! - the answer of a create: the connection ([`PeeringConnection`]), in `APPROVED`, with
//!   [`CREATED`]; the client takes its body only if it is the connection asked for, and apply
//!   then reads the VPC to see whether the connection is there;
//! - the answer of a delete: the connection in `DELETING`, with 200; the client takes any
//!   success as done, with or without a body.

use serde::{Deserialize, Deserializer, Serialize};
use uuid::Uuid;

/// `peer_cloud_account` of a connection towards an UpCloud network [C].
pub const UPCLOUD: &str = "upcloud";
/// The status of a create's answer [I].
pub const CREATED: u16 = 201;
/// The status refusing a create for a pair that has a connection already [I: "409 is likely"].
pub const ALREADY_EXISTS: u16 = 409;

/// `GET /v1/project/{project}/vpcs`: the project's VPCs, without their connections [C].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VpcList {
    pub vpcs: Vec<Vpc>,
}

/// A project VPC, as `GET /v1/project/{project}/vpcs/{project_vpc_id}` answers it, with its
/// connections [C].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Vpc {
    pub project_vpc_id: String,
    pub cloud_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_cidr: Option<String>,
    pub state: String,
    /// Absent in the list of a project's VPCs.
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub peering_connections: Vec<PeeringConnection>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_time: Option<String>,
}

/// One peering connection of a VPC [C].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PeeringConnection {
    pub peer_cloud_account: String,
    pub peer_vpc: String,
    #[serde(default)]
    pub peer_region: Option<String>,
    pub state: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub state_info: StateInfo,
    #[serde(default, deserialize_with = "null_as_default")]
    pub user_peer_network_cidrs: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_peering_connection_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_time: Option<String>,
}

/// What Aiven says about a connection's state: a message, a type, warnings, and for some clouds
/// the peer's identifiers as further keys (AWS `aws_vpc_peering_connection_id`, ...) [C].
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct StateInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub warnings: Vec<StateWarning>,
    /// Every other key, as it came.
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

/// One of `state_info.warnings` [C: `upcloud-peering-in-error`, `overlapping-peer-vpc-ip-ranges`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StateWarning {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub message: String,
}

/// The body of `POST .../peering-connections` towards an UpCloud network [C]: `peer_region`
/// is left out.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CreatePeeringConnection {
    pub peer_cloud_account: String,
    pub peer_vpc: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer_region: Option<String>,
}

/// An error answer [I].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorBody {
    pub message: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub errors: Vec<ErrorItem>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorItem {
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
}

/// The keys of `state_info` that are not the peer's identifiers.
const DESCRIPTIVE_KEYS: [&str; 3] = ["message", "type", "warnings"];

/// The "Aiven network ID" of a connection, by a rule that does not depend on the key's name
/// [I]: the one value of `state_info` outside `message`, `type` and `warnings` that is a UUID
/// other than `peer_vpc` (the customer's own network). `None` when there is no such value, or
/// more than one, which would be a guess.
pub fn aiven_network_id(state_info: &StateInfo, peer_vpc: &str) -> Option<Uuid> {
    let peer = Uuid::try_parse(peer_vpc).ok();
    let mut candidates = state_info
        .other
        .iter()
        .filter(|(key, _)| !DESCRIPTIVE_KEYS.contains(&key.as_str()))
        .filter_map(|(_, value)| value.as_str())
        .filter(|text| text.len() == 36)
        .filter_map(|text| Uuid::try_parse(text).ok())
        .filter(|uuid| Some(*uuid) != peer);
    let first = candidates.next()?;
    // The same UUID under two keys is still one value.
    candidates.all(|other| other == first).then_some(first)
}

/// `null` read as the type's default, as well as an absent key.
fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PEER: &str = "03126dc1-a69f-4bc2-8b24-e31c22d64712";
    const AIVEN: &str = "03585987-bf7d-4544-8e9b-5a1b4d74a333";

    fn state_info(json: &str) -> StateInfo {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn reads_the_reference_connection() {
        let body = r#"{"peer_cloud_account": "upcloud",
            "peer_vpc": "03126dc1-a69f-4bc2-8b24-e31c22d64712", "peer_region": null,
            "peer_resource_group": "", "peer_azure_app_id": "", "peer_azure_tenant_id": "",
            "state": "PENDING_PEER",
            "state_info": {"message": "...", "type": "...", "warnings": []},
            "user_peer_network_cidrs": [],
            "vpc_peering_connection_type": "upcloud-vpc-peering",
            "create_time": "2026-01-01T00:00:00Z", "update_time": "2026-01-01T00:00:00Z"}"#;
        let connection: PeeringConnection = serde_json::from_str(body).unwrap();
        assert_eq!(connection.state, "PENDING_PEER");
        assert_eq!(connection.peer_region, None);
        assert_eq!(aiven_network_id(&connection.state_info, PEER), None);
    }

    #[test]
    fn nulls_and_absent_keys_read_as_empty() {
        let body = r#"{"peer_cloud_account": "upcloud", "peer_vpc": "x", "state": "APPROVED",
            "state_info": null, "user_peer_network_cidrs": null}"#;
        let connection: PeeringConnection = serde_json::from_str(body).unwrap();
        assert!(connection.state_info.warnings.is_empty());
        let vpc: Vpc = serde_json::from_str(
            r#"{"project_vpc_id": "v", "cloud_name": "upcloud-fi-hel1", "state": "ACTIVE",
                "peering_connections": null}"#,
        )
        .unwrap();
        assert!(vpc.peering_connections.is_empty());
    }

    #[test]
    fn the_aiven_network_id_is_the_one_other_uuid_whatever_its_key() {
        for key in ["to-network-id", "upcloud_network_id", "x"] {
            let info = state_info(&format!(
                r#"{{"message": "Pending peer", "type": "pending-peer", "warnings": [],
                    "{key}": "{AIVEN}", "peer": "{PEER}", "count": 3}}"#
            ));
            assert_eq!(
                aiven_network_id(&info, PEER),
                Some(AIVEN.parse().unwrap()),
                "{key}"
            );
        }
        let twice = state_info(&format!(r#"{{"a": "{AIVEN}", "b": "{AIVEN}"}}"#));
        assert_eq!(aiven_network_id(&twice, PEER), Some(AIVEN.parse().unwrap()));
    }

    #[test]
    fn no_uuid_or_two_different_ones_cannot_be_told() {
        let other = "85a7e3cd-8ce4-4e86-b8f9-8e7958d5431e";
        let cases = [
            r#"{"message": "m", "type": "t", "warnings": []}"#.to_owned(),
            format!(r#"{{"to-network-id": "{PEER}"}}"#),
            format!(r#"{{"a": "{AIVEN}", "b": "{other}"}}"#),
            // Inside the descriptive keys, a UUID is only part of a sentence.
            format!(r#"{{"message": "{AIVEN}", "type": "{AIVEN}"}}"#),
            format!(
                r#"{{"a": "{{{AIVEN}}}", "b": "{}"}}"#,
                AIVEN.replace('-', "")
            ),
        ];
        for json in cases {
            assert_eq!(aiven_network_id(&state_info(&json), PEER), None, "{json}");
        }
    }

    #[test]
    fn a_create_request_leaves_the_region_out() {
        let body = CreatePeeringConnection {
            peer_cloud_account: UPCLOUD.into(),
            peer_vpc: PEER.into(),
            peer_region: None,
        };
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            format!(r#"{{"peer_cloud_account":"upcloud","peer_vpc":"{PEER}"}}"#)
        );
    }
}
