//! The nodes and boxes: the networks the diagram shows, each in the box of its account, or of its
//! Aiven project VPC.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Network, NetworkId, NetworkType, VpcRef};
use crate::plan::{NetworkNames, Observed, Plan};

use super::label::label_line;
use super::vpcs::{Vpc, Vpcs};
use super::{Group, Node, NodeKey};

/// What a box holds: an account's networks (`None`: the account of a file without accounts), or
/// the network of an Aiven VPC found. Accounts come first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Holder<'a> {
    Account(&'a Option<String>),
    Vpc(&'a VpcRef),
}

/// The boxes and the nodes of `wanted`: the network of a VPC found in that VPC's box; a network an
/// account holds in that account's box; one no account holds, drawn dashed, in the box of the
/// account the file says it is in, if any; the network of a VPC not found, drawn dashed, in no
/// box.
pub(super) fn place(
    wanted: &BTreeSet<NodeKey>,
    plan: &Plan,
    observed: &BTreeMap<Option<String>, Observed>,
    names: &NetworkNames,
    vpcs: &Vpcs,
) -> (Vec<Group>, Vec<Node>) {
    let mut seen: BTreeMap<NetworkId, (&Option<String>, &Network)> = BTreeMap::new();
    for (account, held) in observed {
        for network in &held.networks {
            seen.entry(network.id).or_insert((account, network));
        }
    }
    let expected: BTreeMap<NetworkId, &Option<String>> = plan
        .changes
        .iter()
        .map(|change| (change.key.network, &change.account))
        .collect();
    let mut titles: BTreeMap<Holder, String> = BTreeMap::new();
    let mut placed: Vec<(Option<Holder>, Node)> = Vec::new();
    for key in wanted {
        let name = match key {
            NodeKey::Network(id) => Some(
                names
                    .name(*id)
                    .filter(|name| !name.trim().is_empty())
                    .map_or_else(|| id.to_string(), str::to_owned),
            ),
            NodeKey::Vpc(_) => None,
        };
        let vpc = vpcs.of_node(key);
        let network = match key {
            NodeKey::Network(id) => seen.get(id),
            NodeKey::Vpc(_) => None,
        };
        let found = vpc.and_then(|vpc| Some((vpc, vpc.found()?)));
        let (holder, node) = match (found, vpc, network) {
            (Some((vpc, found)), _, _) => {
                let holder = Holder::Vpc(&vpc.at);
                titles.insert(holder, Vpc::title(found));
                (Some(holder), node(key, vpc.lines(name), true))
            }
            (None, _, Some((account, network))) => {
                let holder = Holder::Account(account);
                titles.insert(holder, account_title(account));
                let name = name.unwrap_or_default();
                (Some(holder), node(key, [name, about(network)], true))
            }
            (None, Some(vpc), None) => (None, node(key, vpc.lines(name), false)),
            (None, None, None) => {
                let account = match key {
                    NodeKey::Network(id) => expected.get(id).copied(),
                    NodeKey::Vpc(_) => None,
                };
                let holder = account.map(|account| {
                    titles.insert(Holder::Account(account), account_title(account));
                    Holder::Account(account)
                });
                let lines = [
                    name.unwrap_or_default(),
                    "not seen in any account".to_owned(),
                ];
                (holder, node(key, lines, false))
            }
        };
        placed.push((holder, node));
    }
    let holders: Vec<Holder> = titles.keys().copied().collect();
    for (holder, node) in &mut placed {
        node.group = holder.and_then(|h| holders.iter().position(|other| *other == h));
    }
    let groups = titles.into_values().map(|title| Group { title }).collect();
    let mut nodes: Vec<Node> = placed.into_iter().map(|(_, node)| node).collect();
    nodes.sort_by(|a, b| {
        let key = |n: &Node| (n.group.is_none(), n.group, n.lines.clone(), n.key.clone());
        key(a).cmp(&key(b))
    });
    (groups, nodes)
}

fn account_title(account: &Option<String>) -> String {
    match account {
        Some(name) => label_line(&format!("account {name}")),
        None => "this account".to_owned(),
    }
}

/// A network's address ranges, and its type unless private.
fn about(network: &Network) -> String {
    let ranges: Vec<String> = network.ranges.iter().map(ToString::to_string).collect();
    let ranges = ranges.join(", ");
    if network.kind == NetworkType::Private {
        ranges
    } else {
        format!("{ranges} ({})", network.kind)
            .trim_start()
            .to_owned()
    }
}

fn node(key: &NodeKey, lines: [String; 2], seen: bool) -> Node {
    Node {
        key: key.clone(),
        group: None,
        lines: lines
            .iter()
            .filter(|line| !line.is_empty())
            .map(|line| label_line(line))
            .collect(),
        seen,
    }
}
