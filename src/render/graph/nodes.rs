//! The nodes and boxes: the networks the diagram shows, each in the box of its account.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Network, NetworkId, NetworkType};
use crate::plan::{NetworkNames, Observed, Plan};

use super::label::label_line;
use super::{Group, Node};

/// The boxes and the nodes of `wanted`: a network an account holds in that account's box; one
/// no account holds, drawn dashed, in the box of the account the file says it is in, if any.
pub(super) fn place(
    wanted: &BTreeSet<NetworkId>,
    plan: &Plan,
    observed: &BTreeMap<Option<String>, Observed>,
    names: &NetworkNames,
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
    let mut placed: Vec<(Option<&Option<String>>, Node)> = wanted
        .iter()
        .map(|&id| {
            let name = names
                .name(id)
                .filter(|name| !name.trim().is_empty())
                .map_or_else(|| id.to_string(), str::to_owned);
            match seen.get(&id) {
                Some((account, network)) => {
                    let ranges: Vec<String> =
                        network.ranges.iter().map(ToString::to_string).collect();
                    let mut about = ranges.join(", ");
                    if network.kind != NetworkType::Private {
                        about = format!("{about} ({})", network.kind)
                            .trim_start()
                            .to_owned();
                    }
                    (Some(*account), node(id, [name, about], true))
                }
                None => (
                    expected.get(&id).copied(),
                    node(id, [name, "not seen in any account".to_owned()], false),
                ),
            }
        })
        .collect();
    let accounts: BTreeSet<&Option<String>> =
        placed.iter().filter_map(|(account, _)| *account).collect();
    let groups: Vec<Group> = accounts
        .iter()
        .map(|account| Group {
            title: match account {
                Some(name) => label_line(&format!("account {name}")),
                None => "this account".to_owned(),
            },
        })
        .collect();
    for (account, node) in &mut placed {
        node.group = account.and_then(|a| accounts.iter().position(|b| *b == a));
    }
    let mut nodes: Vec<Node> = placed.into_iter().map(|(_, node)| node).collect();
    nodes.sort_by(|a, b| {
        let key = |n: &Node| (n.group.is_none(), n.group, n.lines.clone(), n.network);
        key(a).cmp(&key(b))
    });
    (groups, nodes)
}

fn node(network: NetworkId, lines: [String; 2], seen: bool) -> Node {
    Node {
        network,
        group: None,
        lines: lines
            .iter()
            .filter(|line| !line.is_empty())
            .map(|line| label_line(line))
            .collect(),
        seen,
    }
}
