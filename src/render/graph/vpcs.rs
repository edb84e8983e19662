//! The Aiven project VPCs: each one the file, the plan or a read names, with its network (the
//! "Aiven network ID", the peer of the UpCloud half of an `[[aiven_peering]]`) where anything
//! tells it. A VPC found gets a box of its own, holding that network.

use std::collections::{BTreeMap, BTreeSet};

use crate::config::Desired;
use crate::model::{AivenVpc, Labels, NetworkId, PeeringKey, VpcRef};
use crate::plan::aiven::tied_by_labels;
use crate::plan::{Observed, Plan, VpcSeen};

use super::NodeKey;
use super::label::label_line;

/// One VPC, as the diagram knows it.
pub(super) struct Vpc<'a> {
    pub(super) at: VpcRef,
    /// What its read found; `None` when it was not read (its `[[aiven_peering]]` left the file).
    seen: Option<&'a VpcSeen>,
    /// Its network, where anything tells it.
    network: Option<NetworkId>,
}

/// Every VPC the diagram shows, by project and ID.
pub(super) struct Vpcs<'a>(BTreeMap<VpcRef, Vpc<'a>>);

impl<'a> Vpcs<'a> {
    /// The VPCs read, those the file's `[[aiven_peering]]` tables name, those of the plan's
    /// Aiven halves and of the UpCloud halves tied to one. A VPC's network is, in this order,
    /// the Aiven network ID its connections show, the file's `aiven_network`, or the peer of an
    /// UpCloud half tied to it by its labels; the lowest where several do, so that the diagram
    /// is the same whatever the order.
    pub(super) fn gather(
        plan: &Plan,
        observed: &'a BTreeMap<Option<String>, Observed>,
        desired: &Desired,
    ) -> Vpcs<'a> {
        let mut vpcs: BTreeMap<VpcRef, Vpc<'a>> = BTreeMap::new();
        // What tells each VPC's network, most trusted first.
        let mut told: BTreeMap<VpcRef, [BTreeSet<NetworkId>; 3]> = BTreeMap::new();
        for (at, seen) in observed.values().flat_map(|seen| &seen.vpcs) {
            vpcs.entry(at.clone()).or_insert_with(|| Vpc::new(at)).seen = Some(seen);
            let connections = seen.vpc().into_iter().flat_map(|vpc| &vpc.connections);
            told.entry(at.clone()).or_default()[0]
                .extend(connections.filter_map(|connection| connection.aiven_network));
        }
        for wanted in &desired.aiven_peerings {
            told.entry(wanted.vpc.clone()).or_default()[1].extend(wanted.aiven_network);
        }
        for (at, network) in tied_halves(plan) {
            told.entry(at).or_default()[2].insert(network);
        }
        let of_plan = plan
            .aiven
            .iter()
            .map(|change| &change.key.vpc)
            .chain(plan.aiven_left.iter().map(|left| &left.key.vpc));
        for at in of_plan {
            told.entry(at.clone()).or_default();
        }
        for (at, tiers) in told {
            let network = tiers.iter().find_map(|tier| tier.first().copied());
            vpcs.entry(at.clone())
                .or_insert_with(|| Vpc::new(&at))
                .network = network;
        }
        Vpcs(vpcs)
    }

    /// The node of `vpc`'s network: the network, once known; else the VPC itself.
    pub(super) fn node(&self, vpc: &VpcRef) -> NodeKey {
        match self.0.get(vpc).and_then(|vpc| vpc.network) {
            Some(network) => NodeKey::Network(network),
            None => NodeKey::Vpc(vpc.clone()),
        }
    }

    /// The node of every VPC.
    pub(super) fn nodes(&self) -> impl Iterator<Item = NodeKey> + '_ {
        self.0.keys().map(|at| self.node(at))
    }

    /// The VPC whose node is `key`.
    pub(super) fn of_node(&self, key: &NodeKey) -> Option<&Vpc<'a>> {
        match key {
            NodeKey::Vpc(at) => self.0.get(at),
            NodeKey::Network(id) => self.0.values().find(|vpc| vpc.network == Some(*id)),
        }
    }
}

impl<'a> Vpc<'a> {
    fn new(at: &VpcRef) -> Vpc<'a> {
        Vpc {
            at: at.clone(),
            seen: None,
            network: None,
        }
    }

    /// The VPC as read, when Aiven has it.
    pub(super) fn found(&self) -> Option<&'a AivenVpc> {
        self.seen.and_then(VpcSeen::vpc)
    }

    /// The title of its box: `Aiven VPC demo-project upcloud-fi-hel1`.
    pub(super) fn title(vpc: &AivenVpc) -> String {
        label_line(&format!("Aiven VPC {} {}", vpc.at.project, vpc.cloud_name))
    }

    /// Its node's lines: the network's name (`name`, when known), then its range, or, for a VPC
    /// not found, what became of it.
    pub(super) fn lines(&self, name: Option<String>) -> [String; 2] {
        let name = name.unwrap_or_else(|| match self.found() {
            Some(_) => "network ID not known yet".to_owned(),
            None => format!("Aiven VPC {}", self.at.vpc),
        });
        let about = match self.seen {
            Some(VpcSeen::Found(vpc)) => vpc
                .network_cidr
                .map(|cidr| cidr.to_string())
                .unwrap_or_default(),
            Some(VpcSeen::NotFound { .. }) => format!("not found in project {}", self.at.project),
            None => format!("not read, of project {}", self.at.project),
        };
        [name, about]
    }
}

/// The VPC and the peer network of every UpCloud half the plan knows that is tied to an Aiven
/// connection by its labels.
fn tied_halves(plan: &Plan) -> impl Iterator<Item = (VpcRef, NetworkId)> + '_ {
    let planned = plan.changes.iter().flat_map(|change| {
        let current = change
            .action
            .current()
            .map(|peering| (&peering.labels, peering.key));
        let outcome = (change.action.outcome_fields().1, change.key);
        current.into_iter().chain([outcome])
    });
    let untouched = plan
        .kept
        .iter()
        .chain(&plan.unmanaged)
        .chain(plan.elsewhere.iter().map(|elsewhere| &elsewhere.peering))
        .map(|peering| (&peering.labels, peering.key));
    planned
        .chain(untouched)
        .filter_map(|(labels, key): (&Labels, PeeringKey)| {
            let tied = tied_by_labels(labels, key.network)?;
            Some((tied.vpc, key.peer_network))
        })
}
