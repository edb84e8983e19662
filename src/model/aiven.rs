//! The Aiven half of a peering, in the program's own terms: a project VPC, its peering
//! connections towards UpCloud networks, and their states. Independent of Aiven's wire format
//! (`aiven::wire`).

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

use super::{InvalidUuid, NetworkId, parse_hyphenated_uuid};
use crate::cidr::Cidr;

/// The label keys that tie the UpCloud half of an `[[aiven_peering]]` to its Aiven connection
/// (pinned: prune finds the connection to delete through them).
pub const AIVEN_PROJECT_KEY: &str = "aiven-project";
pub const AIVEN_VPC_KEY: &str = "aiven-vpc";

/// An Aiven project VPC's ID (`project_vpc_id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VpcId(pub Uuid);
uuid_newtype!(VpcId);

/// One project VPC: its project's name and its ID. Reading it reads all its connections.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VpcRef {
    pub project: String,
    pub vpc: VpcId,
}

impl fmt::Display for VpcRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.project, self.vpc)
    }
}

/// What identifies a peering connection towards UpCloud: its VPC and the customer's UpCloud
/// network, which Aiven calls `peer_vpc`. A VPC has at most one connection per network.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ConnectionKey {
    pub vpc: VpcRef,
    pub network: NetworkId,
}

api_states! {
    /// What Aiven reports about a project VPC.
    VpcState {
        Approved => "APPROVED",
        Active => "ACTIVE",
        Deleting => "DELETING",
        Deleted => "DELETED",
    }
}

api_states! {
    /// What Aiven reports about a peering connection.
    ConnectionState {
        /// Just created; Aiven has not built its half yet.
        Approved => "APPROVED",
        ApprovedPeerRequested => "APPROVED_PEER_REQUESTED",
        /// Aiven built its half; it waits for the customer's.
        PendingPeer => "PENDING_PEER",
        Active => "ACTIVE",
        Deleting => "DELETING",
        Deleted => "DELETED",
        DeletedByPeer => "DELETED_BY_PEER",
        RejectedByPeer => "REJECTED_BY_PEER",
        InvalidSpecification => "INVALID_SPECIFICATION",
        Error => "ERROR",
    }
}

impl ConnectionState {
    /// Whether Aiven is still to build its half: until then the Aiven network ID is not shown.
    pub fn is_before_pending_peer(&self) -> bool {
        matches!(
            self,
            ConnectionState::Approved | ConnectionState::ApprovedPeerRequested
        )
    }

    /// The state in words a person understands.
    pub fn explanation(&self) -> &'static str {
        match self {
            ConnectionState::Approved | ConnectionState::ApprovedPeerRequested => {
                "accepted by Aiven, which is building its half; wait a moment"
            }
            ConnectionState::PendingPeer => {
                "Aiven built its half; waiting for the UpCloud half from the customer's network"
            }
            ConnectionState::Active => "established both ways; traffic flows",
            ConnectionState::Deleting => "being deleted by Aiven",
            ConnectionState::Deleted => "deleted on Aiven's side",
            ConnectionState::DeletedByPeer => "the UpCloud side deleted its half",
            ConnectionState::RejectedByPeer => "the UpCloud side refused the peering",
            ConnectionState::InvalidSpecification => {
                "Aiven cannot build it as specified (the network, its zone or its ranges)"
            }
            ConnectionState::Error => "Aiven reports an error",
            ConnectionState::Unknown(_) => "a state this version of peerings does not know",
        }
    }
}

/// A warning Aiven attaches to a connection (`state_info.warnings`), such as
/// `overlapping-peer-vpc-ip-ranges` or `upcloud-peering-in-error`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ConnectionWarning {
    pub kind: String,
    pub message: String,
}

/// A peering connection of a project VPC towards an UpCloud network, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AivenConnection {
    pub key: ConnectionKey,
    pub state: ConnectionState,
    /// The "Aiven network ID": the UUID of the VPC's UpCloud network, the peer of the UpCloud
    /// half. `None` until Aiven shows it, or when it cannot be told apart (see
    /// `aiven::wire::aiven_network_id`).
    pub aiven_network: Option<NetworkId>,
    /// `state_info.message`, when Aiven says something.
    pub message: Option<String>,
    pub warnings: Vec<ConnectionWarning>,
}

/// A project VPC, as read: where it is, its state, and its connections towards UpCloud.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AivenVpc {
    pub at: VpcRef,
    /// Such as `upcloud-fi-hel1`.
    pub cloud_name: String,
    pub network_cidr: Option<Cidr>,
    pub state: VpcState,
    /// Only those towards UpCloud networks; others (to AWS, ...) are no business of this tool.
    pub connections: Vec<AivenConnection>,
}

/// The cloud name of a VPC on UpCloud: the zone after this prefix.
const UPCLOUD_CLOUD_PREFIX: &str = "upcloud-";

impl AivenVpc {
    /// The UpCloud zone the VPC is in: `upcloud-fi-hel1` is in `fi-hel1`. `None` for a VPC on
    /// another cloud.
    pub fn zone(&self) -> Option<&str> {
        self.cloud_name.strip_prefix(UPCLOUD_CLOUD_PREFIX)
    }

    pub fn connection_to(&self, network: NetworkId) -> Option<&AivenConnection> {
        self.connections.iter().find(|c| c.key.network == network)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip_and_unknown_ones_are_kept() {
        // Aiven's words written out here (from the reference page), not read from `KNOWN`: a
        // table with two names swapped still round-trips through itself, but not to these.
        let states = [
            (ConnectionState::Approved, "APPROVED"),
            (
                ConnectionState::ApprovedPeerRequested,
                "APPROVED_PEER_REQUESTED",
            ),
            (ConnectionState::PendingPeer, "PENDING_PEER"),
            (ConnectionState::Active, "ACTIVE"),
            (ConnectionState::Deleting, "DELETING"),
            (ConnectionState::Deleted, "DELETED"),
            (ConnectionState::DeletedByPeer, "DELETED_BY_PEER"),
            (ConnectionState::RejectedByPeer, "REJECTED_BY_PEER"),
            (
                ConnectionState::InvalidSpecification,
                "INVALID_SPECIFICATION",
            ),
            (ConnectionState::Error, "ERROR"),
        ];
        assert_eq!(
            states.len(),
            ConnectionState::KNOWN.len(),
            "every known state"
        );
        for (state, name) in states {
            assert_eq!(ConnectionState::from_api(name), state, "{name}");
            assert_eq!(state.as_str(), name);
            assert_eq!(state.to_string(), name);
        }
        let vpc_states = [
            (VpcState::Approved, "APPROVED"),
            (VpcState::Active, "ACTIVE"),
            (VpcState::Deleting, "DELETING"),
            (VpcState::Deleted, "DELETED"),
        ];
        assert_eq!(vpc_states.len(), VpcState::KNOWN.len(), "every known state");
        for (state, name) in vpc_states {
            assert_eq!(VpcState::from_api(name), state, "{name}");
            assert_eq!(state.as_str(), name);
        }
        let odd = ConnectionState::from_api("SIDEWAYS");
        assert_eq!(odd, ConnectionState::Unknown("SIDEWAYS".into()));
        assert_eq!(odd.to_string(), "SIDEWAYS");
    }

    #[test]
    fn a_vpc_on_upcloud_tells_its_zone() {
        let vpc = AivenVpc {
            at: VpcRef {
                project: "p".into(),
                vpc: VpcId(Uuid::nil()),
            },
            cloud_name: "upcloud-fi-hel1".into(),
            network_cidr: None,
            state: VpcState::Active,
            connections: vec![],
        };
        assert_eq!(vpc.zone(), Some("fi-hel1"));
        let aws = AivenVpc {
            cloud_name: "aws-eu-west-1".into(),
            ..vpc
        };
        assert_eq!(aws.zone(), None);
    }
}
