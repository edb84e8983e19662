//! Both halves of each `[[aiven_peering]]`, planned from one desired entry: the Aiven half (a
//! peering connection of the project VPC) as an [`AivenChange`], and the UpCloud half as an
//! ordinary peering of its account once its peer, the "Aiven network ID", is known. Also the
//! Aiven connections that prune deletes with their UpCloud halves.
//!
//! The Aiven network ID comes, in this order, from the file (`aiven_network`), from the Aiven
//! half (once Aiven shows it, see `aiven::wire`), or from the UpCloud half that exists already
//! (found by its labels `aiven-project` and `aiven-vpc`). Until then the UpCloud half is a
//! [`PendingHalf`], created by apply once the Aiven half is `PENDING_PEER`.

use std::collections::BTreeMap;
use std::fmt;

use crate::cidr::Cidr;
use crate::config::{Desired, DesiredAivenPeering, DesiredPeering};
use crate::model::{
    AIVEN_PROJECT_KEY, AIVEN_VPC_KEY, AivenConnection, AivenVpc, ConfiguredStatus, ConnectionKey,
    Labels, MANAGED_BY_KEY, MANAGED_BY_VALUE, Network, NetworkId, Peering, PeeringKey, VpcRef,
    VpcState,
};

use super::{Action, Change, FileOwner, Observed, Warning, local_network_warnings};

/// What a read of a project VPC found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VpcSeen {
    Found(AivenVpc),
    /// Aiven answered 404: no such project, or no such VPC in it.
    NotFound {
        message: String,
    },
}

impl VpcSeen {
    pub fn vpc(&self) -> Option<&AivenVpc> {
        match self {
            VpcSeen::Found(vpc) => Some(vpc),
            VpcSeen::NotFound { .. } => None,
        }
    }
}

/// The Aiven half of a peering, and what would bring it to the file's wish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AivenChange {
    /// The `[[aiven_peering]]`'s name; for a delete, the name of the UpCloud half it was tied to.
    pub name: String,
    /// The account of its UpCloud half.
    pub account: Option<String>,
    pub key: ConnectionKey,
    pub action: AivenAction,
    /// The UpCloud half, when this plan cannot tell its peer yet.
    pub pending: Option<PendingHalf>,
    /// What the read already tells about why the connection would not work.
    pub warnings: Vec<Warning>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AivenAction {
    /// No connection of the VPC to the network: create it.
    Create,
    /// It exists; Aiven has nothing that could change.
    Noop { current: AivenConnection },
    /// Its owned UpCloud half is deleted (prune), and so is it. `current` as read, when its VPC
    /// was read.
    Delete { current: Option<AivenConnection> },
}

impl AivenAction {
    /// The name scripts see in JSON output (pinned, as for UpCloud changes).
    pub fn as_str(&self) -> &'static str {
        match self {
            AivenAction::Create => "create",
            AivenAction::Noop { .. } => "noop",
            AivenAction::Delete { .. } => "delete",
        }
    }

    /// The connection as read, if any.
    pub fn current(&self) -> Option<&AivenConnection> {
        match self {
            AivenAction::Create | AivenAction::Delete { current: None } => None,
            AivenAction::Noop { current }
            | AivenAction::Delete {
                current: Some(current),
            } => Some(current),
        }
    }
}

impl fmt::Display for AivenAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The UpCloud half of an `[[aiven_peering]]` whose peer network is not known yet: apply
/// creates it once the Aiven half is `PENDING_PEER` and shows the Aiven network ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingHalf {
    pub name: String,
    pub network: NetworkId,
    pub configured_status: ConfiguredStatus,
    /// Its labels as created: the file's, the ownership label, `aiven-project` and `aiven-vpc`.
    pub labels: Labels,
    /// The Aiven half is past `APPROVED`, yet the ID cannot be told: the file must give it.
    pub undiscoverable: bool,
    /// What the account tells about its network.
    pub warnings: Vec<Warning>,
}

/// An Aiven connection that prune would delete with its UpCloud half, left for a person because
/// the file has no `[aiven]` table any more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftConnection {
    /// The UpCloud half's name.
    pub name: String,
    pub account: Option<String>,
    pub key: ConnectionKey,
}

/// The two halves of an account's `[[aiven_peering]]` tables.
pub(super) struct Halves {
    /// The UpCloud halves whose peer is known: planned like any peering of the account.
    pub upcloud: Vec<DesiredPeering>,
    pub aiven: Vec<AivenChange>,
}

/// Plans the `[[aiven_peering]]` tables of `account` against what it and their VPCs hold.
pub(super) fn plan_halves(
    account: Option<&str>,
    desired: &Desired,
    observed: &Observed,
    networks: &BTreeMap<NetworkId, &Network>,
) -> Halves {
    let mut halves = Halves {
        upcloud: Vec::new(),
        aiven: Vec::new(),
    };
    for wanted in desired
        .aiven_peerings
        .iter()
        .filter(|p| p.account.as_deref() == account)
    {
        let seen = observed.vpcs.get(&wanted.vpc);
        let connection = seen
            .and_then(VpcSeen::vpc)
            .and_then(|vpc| vpc.connection_to(wanted.network));
        let labels = half_labels(wanted);
        let peer = wanted
            .aiven_network
            .or_else(|| connection.and_then(|c| c.aiven_network))
            .or_else(|| tied_half(&observed.peerings, wanted).map(|p| p.key.peer_network));
        let pending = match peer {
            Some(peer_network) => {
                halves.upcloud.push(DesiredPeering {
                    name: wanted.name.clone(),
                    key: PeeringKey {
                        network: wanted.network,
                        peer_network,
                    },
                    configured_status: wanted.configured_status,
                    labels,
                    account: wanted.account.clone(),
                    link: None,
                });
                None
            }
            None => {
                let undiscoverable = connection.is_some_and(|c| !c.state.is_before_pending_peer());
                let mut warnings = local_network_warnings(wanted.network, networks);
                if undiscoverable {
                    warnings.push(Warning::AivenNetworkUnknown {
                        name: wanted.name.clone(),
                        vpc: wanted.vpc.clone(),
                    });
                }
                Some(PendingHalf {
                    name: wanted.name.clone(),
                    network: wanted.network,
                    configured_status: wanted.configured_status,
                    labels: FileOwner::of(desired).labelled(&labels),
                    undiscoverable,
                    warnings,
                })
            }
        };
        let action = match connection {
            Some(current) => AivenAction::Noop {
                current: current.clone(),
            },
            None => AivenAction::Create,
        };
        let warnings = match (&action, seen) {
            (AivenAction::Create, seen) => preflight(wanted, seen, networks),
            (AivenAction::Noop { current }, _) => {
                differing_network(wanted, current).into_iter().collect()
            }
            _ => Vec::new(),
        };
        halves.aiven.push(AivenChange {
            name: wanted.name.clone(),
            account: wanted.account.clone(),
            key: wanted.connection(),
            action,
            pending,
            warnings,
        });
    }
    halves
}

/// A warning when the file gives an Aiven network ID other than the one the connection shows.
fn differing_network(wanted: &DesiredAivenPeering, current: &AivenConnection) -> Option<Warning> {
    let (in_file, shown) = (wanted.aiven_network?, current.aiven_network?);
    (in_file != shown).then(|| Warning::AivenNetworkDiffers {
        name: wanted.name.clone(),
        vpc: wanted.vpc.clone(),
        in_file,
        shown,
    })
}

/// The file's labels of an `[[aiven_peering]]`, and the two that tie its UpCloud half to its
/// Aiven half.
fn half_labels(wanted: &DesiredAivenPeering) -> Labels {
    let mut labels = wanted.labels.clone();
    labels.insert(AIVEN_PROJECT_KEY.to_owned(), wanted.vpc.project.clone());
    labels.insert(AIVEN_VPC_KEY.to_owned(), wanted.vpc.vpc.to_string());
    labels
}

/// The connection an UpCloud peering is the customer's half of, by its labels: only a peering
/// managed by peerings ties, since its labels are peerings' own doing. Whose it is, is
/// [`FileOwner::ownership`]'s to tell.
pub fn tied_connection(peering: &Peering) -> Option<ConnectionKey> {
    tied_by_labels(&peering.labels, peering.key.network)
}

/// The connection the UpCloud half with `labels`, from `network`, is tied to: by its labels
/// `aiven-project` and `aiven-vpc`, beside the label `managed-by`.
pub fn tied_by_labels(labels: &Labels, network: NetworkId) -> Option<ConnectionKey> {
    if labels.get(MANAGED_BY_KEY).map(String::as_str) != Some(MANAGED_BY_VALUE) {
        return None;
    }
    let project = labels.get(AIVEN_PROJECT_KEY)?;
    let vpc = labels.get(AIVEN_VPC_KEY)?.parse().ok()?;
    Some(ConnectionKey {
        vpc: VpcRef {
            project: project.clone(),
            vpc,
        },
        network,
    })
}

/// The existing UpCloud half of `wanted`, found by its labels, when the file does not give its
/// peer.
fn tied_half<'p>(peerings: &'p [Peering], wanted: &DesiredAivenPeering) -> Option<&'p Peering> {
    let key = wanted.connection();
    peerings
        .iter()
        .filter(|peering| tied_connection(peering).as_ref() == Some(&key))
        .min_by_key(|peering| peering.id)
}

/// What the VPC's read and the account's networks tell, before any write, about a connection
/// Aiven could not make work: the VPC missing or not `ACTIVE`, the network in another zone, or
/// ranges that overlap the VPC's.
fn preflight(
    wanted: &DesiredAivenPeering,
    seen: Option<&VpcSeen>,
    networks: &BTreeMap<NetworkId, &Network>,
) -> Vec<Warning> {
    let vpc = match seen {
        None => return Vec::new(),
        Some(VpcSeen::NotFound { message }) => {
            return vec![Warning::VpcNotFound {
                vpc: wanted.vpc.clone(),
                message: message.clone(),
            }];
        }
        Some(VpcSeen::Found(vpc)) => vpc,
    };
    let mut warnings = Vec::new();
    if vpc.state != VpcState::Active {
        warnings.push(Warning::VpcNotActive {
            vpc: wanted.vpc.clone(),
            state: vpc.state.clone(),
        });
    }
    let Some(network) = networks.get(&wanted.network) else {
        return warnings;
    };
    if vpc.zone() != Some(network.zone.as_str()) {
        warnings.push(Warning::NotInVpcZone {
            network: network.id,
            name: network.name.clone(),
            zone: network.zone.clone(),
            cloud_name: vpc.cloud_name.clone(),
        });
    }
    if let Some(cidr) = vpc.network_cidr {
        let overlapping: Vec<&Cidr> = network
            .ranges
            .iter()
            .filter(|r| r.overlaps(&cidr))
            .collect();
        if !overlapping.is_empty() {
            warnings.push(Warning::OverlapsVpc {
                name: network.name.clone(),
                ranges: overlapping
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
                vpc_cidr: cidr.to_string(),
            });
        }
    }
    warnings
}

/// The Aiven connections tied to the UpCloud halves that prune deletes (`deletes`), with the
/// file's `[aiven]`; without it, those connections, left for a person. A connection the file
/// still asks for is neither.
pub(super) fn pruned_connections(
    desired: &Desired,
    deletes: &[Change],
    observed: &Observed,
) -> (Vec<AivenChange>, Vec<LeftConnection>) {
    let mut pruned = Vec::new();
    let mut left = Vec::new();
    for change in deletes {
        let Action::Delete { current } = &change.action else {
            continue;
        };
        let Some(key) = tied_connection(current) else {
            continue;
        };
        if desired.aiven_peerings.iter().any(|p| p.connection() == key) {
            continue;
        }
        if desired.aiven.is_none() {
            left.push(LeftConnection {
                name: change.name.clone(),
                account: change.account.clone(),
                key,
            });
            continue;
        }
        let current = observed
            .vpcs
            .get(&key.vpc)
            .and_then(VpcSeen::vpc)
            .and_then(|vpc| vpc.connection_to(key.network))
            .cloned();
        pruned.push(AivenChange {
            name: change.name.clone(),
            account: change.account.clone(),
            key,
            action: AivenAction::Delete { current },
            pending: None,
            warnings: Vec::new(),
        });
    }
    (pruned, left)
}

/// Whether the UpCloud half tied to `key` must wait for its Aiven half before it is created:
/// when the Aiven half is created in the same run, or is not `PENDING_PEER` yet.
pub fn waits_for_aiven(aiven: &[AivenChange], key: &ConnectionKey) -> bool {
    aiven.iter().any(|change| {
        change.key == *key
            && match &change.action {
                AivenAction::Create => true,
                AivenAction::Noop { current } => current.state.is_before_pending_peer(),
                AivenAction::Delete { .. } => false,
            }
    })
}
