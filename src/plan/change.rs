//! The plan's vocabulary: plain values that say what would change and why, each with a
//! `Display` a person can read.

use std::fmt;

use crate::model::{
    ConfiguredStatus, Labels, NetworkId, NetworkType, Peering, PeeringKey, PeeringPatch,
    PeeringSpec, VpcRef, VpcState,
};

/// One peering and what would bring it to the desired state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The file's name for the account the peering is in; `None` in a file without accounts.
    pub account: Option<String>,
    /// For a half of a `[[link]]`: the link's name.
    pub link: Option<String>,
    pub name: String,
    pub key: PeeringKey,
    pub action: Action,
    /// What the account already tells about why the action would fail.
    pub warnings: Vec<Warning>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// No peering of this (network, peer_network) exists: create this one, `managed-by`
    /// label included.
    Create(PeeringSpec),
    /// It exists, and these fields differ from `target`. `adopt`: it does not carry the
    /// ownership label yet, and this update adds it.
    Update {
        current: Peering,
        target: PeeringSpec,
        fields: Vec<FieldChange>,
        adopt: bool,
    },
    /// It exists exactly as desired.
    Noop { current: Peering },
    /// An owned peering the file no longer lists, with `prune = true`: disable, then delete.
    Delete { current: Peering },
}

impl Action {
    /// The name scripts see in JSON output (pinned).
    pub fn as_str(&self) -> &'static str {
        match self {
            Action::Create(_) => "create",
            Action::Update { .. } => "update",
            Action::Noop { .. } => "noop",
            Action::Delete { .. } => "delete",
        }
    }

    /// The existing peering, unless this is a create.
    pub fn current(&self) -> Option<&Peering> {
        match self {
            Action::Create(_) => None,
            Action::Update { current, .. }
            | Action::Noop { current }
            | Action::Delete { current } => Some(current),
        }
    }

    /// The configured status and labels the peering has once the action is done (for a delete,
    /// the ones it has until then).
    pub fn outcome_fields(&self) -> (ConfiguredStatus, &Labels) {
        match self {
            Action::Create(target) | Action::Update { target, .. } => {
                (target.configured_status, &target.labels)
            }
            Action::Noop { current } | Action::Delete { current } => {
                (current.configured_status, &current.labels)
            }
        }
    }
}

/// One field of an existing peering that differs from the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldChange {
    Name {
        from: String,
        to: String,
    },
    ConfiguredStatus {
        from: ConfiguredStatus,
        to: ConfiguredStatus,
    },
    Labels {
        from: Labels,
        to: Labels,
    },
}

impl FieldChange {
    pub fn field(&self) -> &'static str {
        match self {
            FieldChange::Name { .. } => "name",
            FieldChange::ConfiguredStatus { .. } => "configured_status",
            FieldChange::Labels { .. } => "labels",
        }
    }

    /// The modify request that makes exactly these changes.
    pub fn patch(fields: &[FieldChange]) -> PeeringPatch {
        let mut patch = PeeringPatch::default();
        for field in fields {
            match field {
                FieldChange::Name { to, .. } => patch.name = Some(to.clone()),
                FieldChange::ConfiguredStatus { to, .. } => patch.configured_status = Some(*to),
                FieldChange::Labels { to, .. } => patch.labels = Some(to.clone()),
            }
        }
        patch
    }
}

impl fmt::Display for FieldChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldChange::Name { from, to } => write!(f, "name: {from:?} -> {to:?}"),
            FieldChange::ConfiguredStatus { from, to } => {
                write!(f, "configured_status: {from} -> {to}")
            }
            FieldChange::Labels { from, to } => {
                write!(
                    f,
                    "labels: {} -> {}",
                    format_labels(from),
                    format_labels(to)
                )
            }
        }
    }
}

/// `{a = "1", b = "2"}`, the way the file writes labels.
pub fn format_labels(labels: &Labels) -> String {
    let pairs: Vec<String> = labels
        .iter()
        .map(|(key, value)| format!("{key} = {value:?}"))
        .collect();
    format!("{{ {} }}", pairs.join(", "))
}

/// Something the account already shows about a create the API would refuse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    LocalNetworkNotFound {
        network: NetworkId,
    },
    LocalNetworkNotPrivate {
        network: NetworkId,
        name: String,
        kind: NetworkType,
    },
    LocalNetworkNoRouter {
        network: NetworkId,
        name: String,
    },
    /// A link's far network is not in the account the link names.
    PeerNetworkNotFound {
        network: NetworkId,
        account: String,
    },
    PeerNetworkNotPrivate {
        network: NetworkId,
        name: String,
        kind: NetworkType,
        account: String,
    },
    /// The peering would end `missing-peer-router`.
    PeerNetworkNoRouter {
        network: NetworkId,
        name: String,
        account: String,
    },
    /// The peering would end `conflict-subnet`.
    RangesOverlap {
        name: String,
        peer_name: String,
        ranges: String,
    },
    /// It waits for its other half, which belongs in an account the file declares.
    PeerHalfMissing {
        account: String,
    },
    /// Another file manages it (`from`: that file's owner, `None` for a file without one); this
    /// file lists it, so applying takes it over (`to`: this file's owner).
    OwnershipMoves {
        from: Option<String>,
        to: Option<String>,
    },
    /// Aiven answered 404 for the VPC of an `[[aiven_peering]]`.
    VpcNotFound {
        vpc: VpcRef,
        message: String,
    },
    /// The VPC of an `[[aiven_peering]]` is not `ACTIVE`.
    VpcNotActive {
        vpc: VpcRef,
        state: VpcState,
    },
    /// The network is in another zone than the VPC, so Aiven cannot peer them.
    NotInVpcZone {
        network: NetworkId,
        name: String,
        zone: String,
        cloud_name: String,
    },
    /// The network's ranges overlap the VPC's `network_cidr`.
    OverlapsVpc {
        name: String,
        ranges: String,
        vpc_cidr: String,
    },
    /// Aiven built its half, but shows no Aiven network ID this version can tell apart: the
    /// file must give it.
    AivenNetworkUnknown {
        name: String,
        vpc: VpcRef,
    },
    /// The file's `aiven_network` is not the Aiven network ID the connection shows: the UpCloud
    /// half is planned towards the file's, as the file says, and never turns active if it is
    /// wrong.
    AivenNetworkDiffers {
        name: String,
        vpc: VpcRef,
        in_file: NetworkId,
        shown: NetworkId,
    },
}

/// Where a person finds the Aiven network ID that peerings could not, and what to write in the
/// file: for the plan's warning and for apply's advice alike.
pub fn aiven_network_advice(name: &str, vpc: &VpcRef) -> String {
    format!(
        "open the VPC {} of project {} in the Aiven console and copy its \"Aiven network ID\" \
         (shown once the peering connection is PENDING_PEER), then write it in the \
         [[aiven_peering]] named {name:?} as `aiven_network = \"<that ID>\"` and run apply again",
        vpc.vpc, vpc.project
    )
}

impl Warning {
    /// A stable identifier for machine-readable output.
    pub fn code(&self) -> &'static str {
        match self {
            Warning::LocalNetworkNotFound { .. } => "local_network_not_found",
            Warning::LocalNetworkNotPrivate { .. } => "local_network_not_private",
            Warning::LocalNetworkNoRouter { .. } => "local_network_no_router",
            Warning::PeerNetworkNotFound { .. } => "peer_network_not_found",
            Warning::PeerNetworkNotPrivate { .. } => "peer_network_not_private",
            Warning::PeerNetworkNoRouter { .. } => "peer_network_no_router",
            Warning::RangesOverlap { .. } => "ranges_overlap",
            Warning::PeerHalfMissing { .. } => "peer_half_missing",
            Warning::OwnershipMoves { .. } => "ownership_moves",
            Warning::VpcNotFound { .. } => "aiven_vpc_not_found",
            Warning::VpcNotActive { .. } => "aiven_vpc_not_active",
            Warning::NotInVpcZone { .. } => "aiven_vpc_other_zone",
            Warning::OverlapsVpc { .. } => "aiven_vpc_ranges_overlap",
            Warning::AivenNetworkUnknown { .. } => "aiven_network_unknown",
            Warning::AivenNetworkDiffers { .. } => "aiven_network_differs",
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::LocalNetworkNotFound { network } => write!(
                f,
                "network {network} is not in this account: the create will fail with NETWORK_NOT_FOUND; \
                 check `network` in the file and that the credentials are for the account that owns it"
            ),
            Warning::LocalNetworkNotPrivate {
                network,
                name,
                kind,
            } => write!(
                f,
                "network {name:?} ({network}) is a {kind} network: only private networks can be peered"
            ),
            Warning::LocalNetworkNoRouter { network, name } => write!(
                f,
                "network {name:?} ({network}) has no router: the create will fail with \
                 LOCAL_NETWORK_NO_ROUTER; attach a router to it first"
            ),
            Warning::PeerNetworkNotFound { network, account } => write!(
                f,
                "peer network {network} is not in account {account}: the create will fail with \
                 PEER_NETWORK_NOT_FOUND; check the network of the link's other side"
            ),
            Warning::PeerNetworkNotPrivate {
                network,
                name,
                kind,
                account,
            } => write!(
                f,
                "peer network {name:?} ({network}) in {account} is a {kind} network: only private \
                 networks can be peered"
            ),
            Warning::PeerNetworkNoRouter {
                network,
                name,
                account,
            } => write!(
                f,
                "peer network {name:?} ({network}) in {account} has no router: the peering will \
                 stay missing-peer-router until one is attached to it"
            ),
            Warning::RangesOverlap {
                name,
                peer_name,
                ranges,
            } => write!(
                f,
                "the address ranges of {name:?} and {peer_name:?} overlap ({ranges}): the \
                 peering will be conflict-subnet; change one network's range first"
            ),
            Warning::PeerHalfMissing { account } => write!(
                f,
                "account {account} has no half towards it: declare both halves with a [[link]], \
                 or add the reverse [[peering]] with account = {account:?}"
            ),
            Warning::OwnershipMoves { from, to } => write!(
                f,
                "{}; this file lists it, so applying moves it to {}, and that file will no \
                 longer manage it (remove it from one of the two files)",
                managed_by_another_file(from.as_deref()),
                match to {
                    Some(owner) => format!("this file (owner {owner})"),
                    None => "this file (which has no owner)".to_owned(),
                }
            ),
            Warning::VpcNotFound { vpc, message } => write!(
                f,
                "Aiven has no VPC {} in project {} ({message}): the create will fail; check \
                 `project` and `vpc` in the file, and that the Aiven token may act on the project",
                vpc.vpc, vpc.project
            ),
            Warning::VpcNotActive { vpc, state } => write!(
                f,
                "the Aiven VPC {} of project {} is {state}, not ACTIVE: Aiven peers only an \
                 active VPC; wait until it is, or check the VPC in the Aiven console",
                vpc.vpc, vpc.project
            ),
            Warning::NotInVpcZone {
                network,
                name,
                zone,
                cloud_name,
            } => write!(
                f,
                "network {name:?} ({network}) is in {zone}, the Aiven VPC in {cloud_name}: \
                 only networks of the same zone can be peered, so Aiven will refuse it"
            ),
            Warning::OverlapsVpc {
                name,
                ranges,
                vpc_cidr,
            } => write!(
                f,
                "the address ranges of {name:?} ({ranges}) overlap the Aiven VPC's {vpc_cidr}: \
                 the peering cannot carry traffic; change the network's range first"
            ),
            Warning::AivenNetworkUnknown { name, vpc } => write!(
                f,
                "Aiven built its half but shows no Aiven network ID peerings can tell apart, so \
                 the UpCloud half cannot be created: {}",
                aiven_network_advice(name, vpc)
            ),
            Warning::AivenNetworkDiffers {
                name,
                vpc,
                in_file,
                shown,
            } => write!(
                f,
                "the file's aiven_network {in_file} is not the Aiven network ID that Aiven shows \
                 for this connection, {shown}: the UpCloud half goes towards the file's, and \
                 stays pending-peer if that is wrong; compare both with the \"Aiven network ID\" \
                 on the page of VPC {} of project {} in the Aiven console, then correct \
                 `aiven_network` in the [[aiven_peering]] named {name:?}, or remove it to use \
                 Aiven's",
                vpc.vpc, vpc.project
            ),
        }
    }
}

/// "managed by another file (owner X)": how output names the file a peering belongs to.
pub fn managed_by_another_file(owner: Option<&str>) -> String {
    match owner {
        Some(owner) => format!("managed by another file (owner {owner})"),
        None => "managed by another file (one without an owner)".to_owned(),
    }
}

/// How many peerings each action applies to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub create: usize,
    pub update: usize,
    pub delete: usize,
    pub noop: usize,
}

impl Summary {
    pub fn changes(&self) -> usize {
        self.create + self.update + self.delete
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Plan: {} to create, {} to update, {} to delete, {} unchanged.",
            self.create, self.update, self.delete, self.noop
        )
    }
}
