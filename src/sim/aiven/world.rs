//! Aiven's part of the simulated world: who may call its API, its project VPCs, and their
//! peering connections. Plain data, kept in the state file with the rest of the world.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AivenCloud {
    /// The tokens the API accepts, each for some projects or all.
    pub tokens: Vec<AivenToken>,
    /// The key of `state_info` under which a connection shows its Aiven network ID once Aiven
    /// built its half; `None`: the ID is shown nowhere, as if the real key were not known.
    pub network_id_key: Option<String>,
    /// How long after its creation a connection stays `APPROVED` before Aiven builds its half.
    pub approval_ms: u64,
    /// How long a deleted connection stays `DELETING` before it is gone.
    pub deletion_ms: u64,
    pub vpcs: Vec<SimVpc>,
    /// In creation order, which is the order a VPC lists them in.
    pub connections: Vec<SimConnection>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AivenToken {
    pub token: String,
    /// The projects it may act on; `None`: every project.
    pub projects: Option<Vec<String>>,
}

/// What Aiven reports about a VPC; the world says which, it does not change by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SimVpcState {
    Approved,
    #[default]
    Active,
    Deleting,
    Deleted,
}

impl SimVpcState {
    pub fn as_str(self) -> &'static str {
        match self {
            SimVpcState::Approved => "APPROVED",
            SimVpcState::Active => "ACTIVE",
            SimVpcState::Deleting => "DELETING",
            SimVpcState::Deleted => "DELETED",
        }
    }
}

/// A project VPC. Its network is an UpCloud network of the world, in Aiven's own UpCloud
/// account; Aiven's halves of its peerings are created in that account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimVpc {
    pub project: String,
    pub uuid: Uuid,
    /// `upcloud-<zone>`, the zone of its network.
    pub cloud_name: String,
    pub network: Uuid,
    pub state: SimVpcState,
}

/// A peering connection of a VPC, as created through the API (or given by a world file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimConnection {
    pub project: String,
    pub vpc: Uuid,
    pub peer_cloud_account: String,
    /// As the request gave it: the customer's UpCloud network UUID, if the request was right.
    pub peer_vpc: String,
    /// When (wall-clock milliseconds) Aiven builds its half.
    pub acts_at_ms: u64,
    /// Whether Aiven has tried to build its half.
    pub acted: bool,
    /// The UpCloud peering Aiven created from the VPC's network to `peer_vpc`.
    pub aiven_half: Option<Uuid>,
    /// Set by a delete: until then `DELETING`, after that gone, with Aiven's half.
    pub deleting_until: Option<u64>,
    /// A state the world file fixes, for states no request leads to; Aiven then does nothing
    /// with the connection.
    pub pinned_state: Option<String>,
}
