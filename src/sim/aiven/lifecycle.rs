//! What Aiven does with peering connections, apart from HTTP: creating and deleting them on
//! request, building and removing its own UpCloud half when their time comes, and the state
//! each one shows, derived from the world and the time (never stored, unless a world file pins
//! it).

use uuid::Uuid;

use super::errors::AivenError;
use super::world::{SimConnection, SimVpc, SimVpcState};
use crate::aiven::wire;
use crate::cidr::any_overlap;
use crate::sim::ops::{self, Moment};
use crate::sim::state::SimPeeringState;
use crate::sim::world::{NetworkKind, SimConfiguredStatus, SimNetwork, World};
use crate::upcloud::wire::{CreatePeering, UuidRef};

/// A VPC's `cloud_name` is this prefix and its network's zone [C: `upcloud-fi-hel1`].
const CLOUD_PREFIX: &str = "upcloud-";

/// The states a connection shows, derived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Derived {
    /// Aiven has not built its half yet.
    Approved,
    /// Aiven's half exists; the customer's does not.
    PendingPeer,
    /// Both halves exist.
    Active,
    /// Deleted; gone once `deletion_ms` has passed.
    Deleting,
    /// The peer network cannot be peered with the VPC [I]: it does not exist, is not private,
    /// or is in another zone.
    InvalidSpecification(String),
    /// Aiven could not build its half, or it disappeared.
    Error(String),
    /// Fixed by the world file.
    Pinned(String),
}

impl Derived {
    pub fn as_str(&self) -> &str {
        match self {
            Derived::Approved => "APPROVED",
            Derived::PendingPeer => "PENDING_PEER",
            Derived::Active => "ACTIVE",
            Derived::Deleting => "DELETING",
            Derived::InvalidSpecification(_) => "INVALID_SPECIFICATION",
            Derived::Error(_) => "ERROR",
            Derived::Pinned(state) => state,
        }
    }

    /// Whether Aiven built its half, and so shows the Aiven network ID (the console shows it
    /// from `PENDING_PEER` on [C]).
    fn shows_network_id(&self) -> bool {
        match self {
            Derived::PendingPeer | Derived::Active => true,
            Derived::Pinned(state) => !matches!(
                state.as_str(),
                "APPROVED" | "APPROVED_PEER_REQUESTED" | "DELETING"
            ),
            _ => false,
        }
    }

    /// `state_info.type` and `state_info.message` [I: the reference shows the keys only].
    fn info(&self) -> (&'static str, String) {
        match self {
            Derived::Approved => ("approved", "Creating the peering in UpCloud".into()),
            Derived::PendingPeer => (
                "pending-peer",
                "Waiting for the peering from the UpCloud network to the project VPC".into(),
            ),
            Derived::Active => ("active", "Peering connection active".into()),
            Derived::Deleting => ("deleting", "Peering connection is being deleted".into()),
            Derived::InvalidSpecification(why) => ("invalid-specification", why.clone()),
            Derived::Error(why) => ("error", why.clone()),
            Derived::Pinned(_) => ("pinned", String::new()),
        }
    }
}

impl World {
    /// The state the API shows for `connection` now, as it spells it.
    pub fn connection_state(&self, connection: &SimConnection) -> String {
        derive(self, connection).as_str().to_owned()
    }
}

pub fn vpc<'w>(world: &'w World, project: &str, uuid: Uuid) -> Option<&'w SimVpc> {
    world
        .aiven
        .vpcs
        .iter()
        .find(|vpc| vpc.project == project && vpc.uuid == uuid)
}

/// The state of `connection`: what Aiven has done with it so far decides, so it changes only
/// when [`advance`] (or a request) changes the world.
pub fn derive(world: &World, connection: &SimConnection) -> Derived {
    if let Some(state) = &connection.pinned_state {
        return Derived::Pinned(state.clone());
    }
    // Until the next request removes it, even when its time is up.
    if connection.deleting_until.is_some() {
        return Derived::Deleting;
    }
    let Some(vpc) = vpc(world, &connection.project, connection.vpc) else {
        return Derived::Error("The project VPC is gone".into());
    };
    if let Err(why) = peer_network(world, vpc, connection) {
        return Derived::InvalidSpecification(why);
    }
    if !connection.acted {
        return Derived::Approved;
    }
    let Some(half) = connection.aiven_half.and_then(|uuid| world.peering(uuid)) else {
        return Derived::Error("Aiven could not create its peering in UpCloud".into());
    };
    let customer_half = world.peerings().any(|p| {
        p.network == half.peer_network
            && p.peer_network == half.network
            && p.configured_status == SimConfiguredStatus::Active
    });
    if customer_half {
        Derived::Active
    } else {
        Derived::PendingPeer
    }
}

/// The customer's network a connection names, if Aiven can peer the VPC with it.
fn peer_network<'w>(
    world: &'w World,
    vpc: &SimVpc,
    connection: &SimConnection,
) -> Result<&'w SimNetwork, String> {
    let network = Uuid::try_parse(&connection.peer_vpc)
        .ok()
        .and_then(|uuid| world.network(uuid))
        .ok_or_else(|| format!("UpCloud network '{}' does not exist", connection.peer_vpc))?;
    if network.kind != NetworkKind::Private {
        return Err(format!(
            "UpCloud network '{}' is not a private network",
            connection.peer_vpc
        ));
    }
    let zone = vpc.cloud_name.strip_prefix(CLOUD_PREFIX);
    if zone != Some(network.zone.as_str()) {
        return Err(format!(
            "UpCloud network '{}' is in {}, the project VPC in {}",
            connection.peer_vpc, network.zone, vpc.cloud_name
        ));
    }
    Ok(network)
}

/// The warnings Aiven attaches to a connection [C: the two types].
fn warnings(
    world: &World,
    connection: &SimConnection,
    derived: &Derived,
) -> Vec<wire::StateWarning> {
    let mut warnings = Vec::new();
    if matches!(derived, Derived::Pinned(_) | Derived::Deleting) {
        return warnings;
    }
    let Some(vpc) = vpc(world, &connection.project, connection.vpc) else {
        return warnings;
    };
    let vpc_network = world.network(vpc.network);
    let peer = peer_network(world, vpc, connection).ok();
    if let (Some(vpc_network), Some(peer)) = (vpc_network, peer) {
        if any_overlap(&vpc_network.ip_networks, &peer.ip_networks) {
            warnings.push(wire::StateWarning {
                kind: "overlapping-peer-vpc-ip-ranges".into(),
                message: "The IP ranges of the peer network overlap the project VPC's".into(),
            });
        }
    }
    let half = connection.aiven_half.and_then(|uuid| world.peering(uuid));
    if let Some(half) = half {
        let state = world.state_of(half);
        if matches!(
            state,
            SimPeeringState::ConflictSubnet
                | SimPeeringState::MissingLocalRouter
                | SimPeeringState::MissingPeerRouter
                | SimPeeringState::DeletedPeerNetwork
        ) {
            warnings.push(wire::StateWarning {
                kind: "upcloud-peering-in-error".into(),
                message: format!("The peering in UpCloud is in state {state}"),
            });
        }
    }
    warnings
}

/// The connection as the API shows it.
pub fn present_connection(world: &World, connection: &SimConnection) -> wire::PeeringConnection {
    let derived = derive(world, connection);
    let (kind, message) = derived.info();
    let mut other = serde_json::Map::new();
    let vpc_network = vpc(world, &connection.project, connection.vpc).map(|vpc| vpc.network);
    if let (Some(key), Some(network), true) = (
        &world.aiven.network_id_key,
        vpc_network,
        derived.shows_network_id(),
    ) {
        other.insert(key.clone(), network.to_string().into());
    }
    wire::PeeringConnection {
        peer_cloud_account: connection.peer_cloud_account.clone(),
        peer_vpc: connection.peer_vpc.clone(),
        peer_region: None,
        state: derived.as_str().to_owned(),
        state_info: wire::StateInfo {
            message: Some(message),
            kind: Some(kind.to_owned()),
            warnings: warnings(world, connection, &derived),
            other,
        },
        user_peer_network_cidrs: Vec::new(),
        vpc_peering_connection_type: Some("upcloud-vpc-peering".into()),
        create_time: None,
        update_time: None,
    }
}

/// The VPC as the API shows it; with its connections for a read of the VPC, without them in
/// the list of a project's VPCs [C].
pub fn present_vpc(world: &World, vpc: &SimVpc, with_connections: bool) -> wire::Vpc {
    let network_cidr = world.network(vpc.network).and_then(|network| {
        network
            .ip_networks
            .iter()
            .find(|range| range.family() == "IPv4")
            .map(ToString::to_string)
    });
    let peering_connections = if with_connections {
        connections_of(world, vpc)
            .map(|connection| present_connection(world, connection))
            .collect()
    } else {
        Vec::new()
    };
    wire::Vpc {
        project_vpc_id: vpc.uuid.to_string(),
        cloud_name: vpc.cloud_name.clone(),
        network_cidr,
        state: vpc.state.as_str().to_owned(),
        peering_connections,
        create_time: None,
        update_time: None,
    }
}

fn connections_of<'w>(
    world: &'w World,
    vpc: &'w SimVpc,
) -> impl Iterator<Item = &'w SimConnection> {
    world
        .aiven
        .connections
        .iter()
        .filter(move |c| c.project == vpc.project && c.vpc == vpc.uuid)
}

/// Creates a connection of the VPC; Aiven builds its half `approval_ms` later. Returns its
/// index.
pub fn create(
    world: &mut World,
    project: &str,
    vpc_uuid: Uuid,
    request: wire::CreatePeeringConnection,
    now_ms: u64,
) -> Result<usize, AivenError> {
    let found = vpc(world, project, vpc_uuid)
        .ok_or_else(|| AivenError::VpcNotFound(vpc_uuid.to_string()))?;
    if request.peer_cloud_account != wire::UPCLOUD {
        return Err(AivenError::PeerCloudAccountInvalid(
            request.peer_cloud_account,
        ));
    }
    if found.state != SimVpcState::Active {
        return Err(AivenError::VpcNotActive(found.state.as_str().to_owned()));
    }
    let exists = world.aiven.connections.iter().any(|c| {
        c.project == project
            && c.vpc == vpc_uuid
            && c.peer_cloud_account == request.peer_cloud_account
            && c.peer_vpc == request.peer_vpc
    });
    if exists {
        return Err(AivenError::ConnectionExists(request.peer_vpc));
    }
    world.aiven.connections.push(SimConnection {
        project: project.to_owned(),
        vpc: vpc_uuid,
        peer_cloud_account: request.peer_cloud_account,
        peer_vpc: request.peer_vpc,
        acts_at_ms: now_ms.saturating_add(world.aiven.approval_ms),
        acted: false,
        aiven_half: None,
        deleting_until: None,
        pinned_state: None,
    });
    Ok(world.aiven.connections.len() - 1)
}

/// Starts deleting a connection: `DELETING` for `deletion_ms`, then gone with Aiven's half.
/// Deleting one that is `DELETING` already answers it again. Returns its index.
pub fn delete(
    world: &mut World,
    project: &str,
    vpc_uuid: Uuid,
    peer_cloud_account: &str,
    peer_vpc: &str,
    now_ms: u64,
) -> Result<usize, AivenError> {
    vpc(world, project, vpc_uuid).ok_or_else(|| AivenError::VpcNotFound(vpc_uuid.to_string()))?;
    let deletion_ms = world.aiven.deletion_ms;
    let index = world
        .aiven
        .connections
        .iter()
        .position(|c| {
            c.project == project
                && c.vpc == vpc_uuid
                && c.peer_cloud_account == peer_cloud_account
                && c.peer_vpc.eq_ignore_ascii_case(peer_vpc)
        })
        .ok_or_else(|| AivenError::ConnectionNotFound(peer_vpc.to_owned()))?;
    let connection = &mut world.aiven.connections[index];
    connection.pinned_state = None;
    if connection.deleting_until.is_none() {
        connection.deleting_until = Some(now_ms.saturating_add(deletion_ms));
    }
    Ok(index)
}

/// Whether anything is due at `now_ms`: a connection for Aiven to build, or one to remove.
pub fn is_due(world: &World, now_ms: u64) -> bool {
    world
        .aiven
        .connections
        .iter()
        .any(|c| builds_now(c, now_ms) || removes_now(c, now_ms))
}

fn builds_now(connection: &SimConnection, now_ms: u64) -> bool {
    connection.pinned_state.is_none()
        && connection.deleting_until.is_none()
        && !connection.acted
        && connection.acts_at_ms <= now_ms
}

fn removes_now(connection: &SimConnection, now_ms: u64) -> bool {
    connection
        .deleting_until
        .is_some_and(|until| until <= now_ms)
}

/// What Aiven does in the background, carried out when the next request comes: build its half
/// of each connection whose approval time has passed, and remove the deleted ones.
pub fn advance(world: &mut World, moment: Moment) {
    for index in 0..world.aiven.connections.len() {
        if builds_now(&world.aiven.connections[index], moment.now_ms) {
            let half = build_half(world, index, moment);
            let connection = &mut world.aiven.connections[index];
            connection.acted = true;
            connection.aiven_half = half;
        }
    }
    let (gone, kept): (Vec<SimConnection>, Vec<SimConnection>) =
        std::mem::take(&mut world.aiven.connections)
            .into_iter()
            .partition(|c| removes_now(c, moment.now_ms));
    world.aiven.connections = kept;
    for half in gone.iter().filter_map(|c| c.aiven_half) {
        world.peerings.retain(|p| p.uuid != half);
    }
}

/// Aiven's UpCloud half of connection `index`, from the VPC's network to the customer's, in the
/// account that holds the VPC's network; `None` if Aiven cannot build it.
fn build_half(world: &mut World, index: usize, moment: Moment) -> Option<Uuid> {
    let connection = &world.aiven.connections[index];
    let vpc = vpc(world, &connection.project, connection.vpc)?;
    if vpc.state != SimVpcState::Active {
        return None;
    }
    let peer = peer_network(world, vpc, connection).ok()?.uuid;
    let vpc_network = world.network(vpc.network)?;
    let (account, network) = (vpc_network.account.clone(), vpc_network.uuid);
    let name: String = format!("aiven {} vpc {}", connection.project, connection.vpc)
        .chars()
        .take(255)
        .collect();
    let request = CreatePeering {
        configured_status: None,
        name,
        network: UuidRef {
            uuid: network.to_string(),
        },
        peer_network: UuidRef {
            uuid: peer.to_string(),
        },
        labels: vec![],
    };
    match ops::create_half(world, &account, request, moment) {
        Ok(uuid) => Some(uuid),
        // A half there already (a person made it) is taken as Aiven's.
        Err(_) => world
            .peering_between(&account, network, peer)
            .map(|half| half.uuid),
    }
}
