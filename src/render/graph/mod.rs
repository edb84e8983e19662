//! The topology as a diagram: a node per network, a box per account, an edge per peering pair,
//! and the plan marked on it. [`Graph::build`] turns the plan, what the accounts hold and the
//! file into a small model, deciding everything a diagram shows; [`mermaid`] and [`dot`] only
//! write that model in their language, escaping every text that came from the file or an
//! account.
//!
//! A peering pair is the two halves between two networks, one in each network's account. The
//! plan holds the halves of the accounts the file names; a half in an account that is not read
//! shows only through the state of the half that is (`active` means both exist).
//!
//! An Aiven project VPC's network is in Aiven's account, which is not read: the diagram draws it
//! in a box of the VPC (see `vpcs`), and the pair of an `[[aiven_peering]]` as the UpCloud half
//! and the Aiven half, the VPC's peering connection, which stands for Aiven's own UpCloud half.

pub mod dot;
mod edges;
mod label;
pub mod mermaid;
mod nodes;
#[cfg(test)]
mod tests;
mod vpcs;

use std::collections::{BTreeMap, BTreeSet};

use crate::config::Desired;
use crate::model::{NetworkId, NetworkType, VpcRef};
use crate::plan::{NetworkNames, Observed, Plan};

use super::wording::count;
use edges::{DrawnHalf, edge, halves};
use nodes::place;
use vpcs::Vpcs;

/// Which state the diagram shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// What exists now, as the accounts report it.
    Observed,
    /// What exists once `apply` has run: the file's peerings (their state as it is now, where
    /// they exist) and what the file leaves alone.
    Desired,
    /// What exists now with the plan drawn over it: `+` create, `~` update, `-` delete.
    Both,
}

/// The diagram's content, in the order it is drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Graph {
    /// The boxes: the accounts' by name, then the Aiven VPCs' by project and ID.
    pub groups: Vec<Group>,
    /// By box (in box order, then the networks in no box), then by label.
    pub nodes: Vec<Node>,
    /// By their networks' node order.
    pub edges: Vec<Edge>,
}

/// A box: the networks of one account, or the network of one Aiven project VPC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub title: String,
}

/// What a node stands for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum NodeKey {
    /// A network, wherever it is.
    Network(NetworkId),
    /// The network of an Aiven project VPC whose ID, the "Aiven network ID", is not known yet.
    Vpc(VpcRef),
}

/// A network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub key: NodeKey,
    /// The index of its box in [`Graph::groups`]; `None` for a network of no account read and
    /// of no VPC found.
    pub group: Option<usize>,
    /// Its name (alias or the account's name), then its address ranges.
    pub lines: Vec<String>,
    /// Whether an account read holds it, or Aiven has its VPC. A network only the file names,
    /// or of a VPC Aiven does not have, is drawn dashed.
    pub seen: bool,
}

/// A peering pair: the halves between two networks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    /// Indices into [`Graph::nodes`]. For a directed edge, `from` is the side that created its
    /// half; otherwise `from` comes first in node order.
    pub from: usize,
    pub to: usize,
    /// Only one side has (or is about to create) its half.
    pub directed: bool,
    pub kind: EdgeKind,
    /// What the plan does to its halves, in [`Mark`] order; empty outside [`View::Both`].
    pub marks: Vec<Mark>,
    /// The halves' names (with their marks), then their state, then notes such as whose they
    /// are.
    pub lines: Vec<String>,
}

/// How a pair is doing, from its halves' states: the most pressing one wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EdgeKind {
    /// No half exists yet: the plan creates it.
    NotCreated,
    /// Both halves exist and traffic flows.
    Active,
    /// Being set up; passes by itself.
    Provisioning,
    /// One half waits for the other (`pending-peer`).
    Pending,
    /// Disabled on one side or the other.
    Disabled,
    /// A state someone has to act on: overlapping ranges, a missing router, an error, a state
    /// this version does not know.
    NeedsPerson,
}

impl Graph {
    /// The nodes in box `group` (`None`: in no box), with their indices, in order.
    pub fn members(&self, group: Option<usize>) -> impl Iterator<Item = (usize, &Node)> {
        self.nodes
            .iter()
            .enumerate()
            .filter(move |(_, node)| node.group == group)
    }
}

impl Edge {
    /// Drawn dashed: the pair is not complete, or not yet there.
    pub fn dashed(&self) -> bool {
        matches!(
            self.kind,
            EdgeKind::Pending | EdgeKind::Provisioning | EdgeKind::NotCreated
        )
    }
}

/// What the plan does to a half.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mark {
    Create,
    Update,
    Delete,
}

impl Mark {
    /// The plan's own symbols.
    pub fn symbol(self) -> &'static str {
        match self {
            Mark::Create => "+",
            Mark::Update => "~",
            Mark::Delete => "-",
        }
    }
}

impl Graph {
    /// The diagram of `view`: the plan's halves paired up, every private network of the
    /// accounts read, every network the file names and every network a half touches.
    pub fn build(
        view: View,
        plan: &Plan,
        observed: &BTreeMap<Option<String>, Observed>,
        desired: &Desired,
        names: &NetworkNames,
    ) -> Graph {
        let vpcs = Vpcs::gather(plan, observed, desired);
        let mut pairs: BTreeMap<(NodeKey, NodeKey), Vec<DrawnHalf>> = BTreeMap::new();
        for half in halves(plan, view, &vpcs) {
            let (a, b) = (half.from.clone(), half.to.clone());
            let pair = if a <= b { (a, b) } else { (b, a) };
            pairs.entry(pair).or_default().push(half);
        }
        let mut wanted: BTreeSet<NodeKey> = pairs
            .keys()
            .flat_map(|(a, b)| [a.clone(), b.clone()])
            .collect();
        let networks = desired
            .aliases
            .values()
            .chain(desired.account_aliases.values().flat_map(|a| a.values()))
            .copied()
            .chain(
                observed
                    .values()
                    .flat_map(|seen| &seen.networks)
                    .filter(|network| network.kind == NetworkType::Private)
                    .map(|network| network.id),
            );
        wanted.extend(networks.map(NodeKey::Network));
        wanted.extend(vpcs.nodes());
        let (groups, nodes) = place(&wanted, plan, observed, names, &vpcs);
        let index: BTreeMap<&NodeKey, usize> = nodes
            .iter()
            .enumerate()
            .map(|(i, node)| (&node.key, i))
            .collect();
        let mut edges: Vec<Edge> = pairs
            .into_values()
            .map(|halves| edge(halves, &index))
            .collect();
        edges.sort_by_key(|edge| (edge.from.min(edge.to), edge.from.max(edge.to)));
        Graph {
            groups,
            nodes,
            edges,
        }
    }
}

/// The colours an edge is drawn in, as `#rrggbb`.
pub struct Colours {
    pub line: &'static str,
    pub label: &'static str,
}

const GREEN: &str = "#1a7f37";
const AMBER: &str = "#9a6700";
const ORANGE: &str = "#bc4c00";
const RED: &str = "#d1242f";
const GREY: &str = "#8c959f";

/// The line in the colour of what the plan does to the pair (the gravest of its marks), else of
/// its state; the label in red when someone has to act, else like the line. `None` for a pair
/// drawn plain: active, or not created, and untouched by the plan.
pub fn colours(edge: &Edge) -> Option<Colours> {
    let state = match edge.kind {
        EdgeKind::NeedsPerson => Some(RED),
        EdgeKind::Disabled => Some(GREY),
        EdgeKind::NotCreated | EdgeKind::Active | EdgeKind::Provisioning | EdgeKind::Pending => {
            None
        }
    };
    let change = edge.marks.last().map(|mark| match mark {
        Mark::Create => GREEN,
        Mark::Update => AMBER,
        Mark::Delete => ORANGE,
    });
    let line = change.or(state)?;
    let label = if edge.kind == EdgeKind::NeedsPerson {
        RED
    } else {
        line
    };
    Some(Colours { line, label })
}

/// `3 peerings between 4 networks`, for the Markdown's summary of a large diagram.
pub fn describe(graph: &Graph) -> String {
    format!(
        "{} between {}",
        count(graph.edges.len(), "peering"),
        count(graph.nodes.len(), "network")
    )
}
