//! The topology as a diagram: a node per network, a box per account, an edge per peering pair,
//! and the plan marked on it. [`Graph::build`] turns the plan, what the accounts hold and the
//! file into a small model, deciding everything a diagram shows; [`mermaid`] and [`dot`] only
//! write that model in their language, escaping every text that came from the file or an
//! account.
//!
//! A peering pair is the two halves between two networks, one in each network's account. The
//! plan holds the halves of the accounts the file names; a half in an account that is not read
//! shows only through the state of the half that is (`active` means both exist).

pub mod dot;
pub mod mermaid;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

use crate::config::Desired;
use crate::model::{Network, NetworkId, NetworkType, PeeringKey, PeeringState};
use crate::plan::{Action, FieldChange, NetworkNames, Observed, Plan};

use super::wording::count;

/// No line of a label is longer than this, in characters: a diagram of a hundred peerings stays
/// readable.
pub const MAX_LINE_CHARS: usize = 40;

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
    /// The boxes, by title.
    pub groups: Vec<Group>,
    /// By box (in box order, then the networks in no box), then by label.
    pub nodes: Vec<Node>,
    /// By their networks' node order.
    pub edges: Vec<Edge>,
}

/// A box: the networks of one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub title: String,
}

/// A network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub network: NetworkId,
    /// The index of its box in [`Graph::groups`]; `None` for a network of no account read.
    pub group: Option<usize>,
    /// Its name (alias or the account's name), then its address ranges.
    pub lines: Vec<String>,
    /// Whether an account read holds it. A network only the file names is drawn dashed.
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

impl Edge {
    /// Drawn dashed: the pair is not complete, or not yet there.
    pub fn dashed(&self) -> bool {
        matches!(
            self.kind,
            EdgeKind::Pending | EdgeKind::Provisioning | EdgeKind::NotCreated
        )
    }
}

impl EdgeKind {
    fn of(state: &PeeringState) -> EdgeKind {
        match state {
            PeeringState::Active => EdgeKind::Active,
            PeeringState::Provisioning => EdgeKind::Provisioning,
            PeeringState::PendingPeer => EdgeKind::Pending,
            PeeringState::Disabled | PeeringState::PeerDisabled => EdgeKind::Disabled,
            PeeringState::ConflictSubnet
            | PeeringState::MissingLocalRouter
            | PeeringState::MissingPeerRouter
            | PeeringState::DeletedPeerNetwork
            | PeeringState::Error
            | PeeringState::Unknown(_) => EdgeKind::NeedsPerson,
        }
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
        let mut pairs: BTreeMap<(NetworkId, NetworkId), Vec<Half>> = BTreeMap::new();
        for half in halves(plan, view) {
            let (a, b) = (half.key.network, half.key.peer_network);
            pairs.entry((a.min(b), a.max(b))).or_default().push(half);
        }
        let mut wanted: BTreeSet<NetworkId> = pairs.keys().flat_map(|&(a, b)| [a, b]).collect();
        wanted.extend(desired.aliases.values());
        wanted.extend(desired.account_aliases.values().flat_map(|a| a.values()));
        wanted.extend(
            observed
                .values()
                .flat_map(|seen| &seen.networks)
                .filter(|network| network.kind == NetworkType::Private)
                .map(|network| network.id),
        );
        let (groups, nodes) = place(&wanted, plan, observed, names);
        let index: BTreeMap<NetworkId, usize> = nodes
            .iter()
            .enumerate()
            .map(|(i, node)| (node.network, i))
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

/// One half of a pair, as the view shows it.
struct Half<'p> {
    key: PeeringKey,
    name: &'p str,
    link: Option<&'p str>,
    /// `None` for a half the plan creates.
    state: Option<&'p PeeringState>,
    mark: Option<Mark>,
    whose: Whose,
    /// For an update: what changes, in a few words.
    changes: Vec<String>,
}

/// Whose a half is, as this file sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Whose {
    /// The file lists it.
    Listed,
    /// Owned, but the file no longer lists it (kept without `prune`, deleted with it).
    NotListed,
    /// Not managed by peerings.
    Unmanaged,
}

impl Whose {
    fn note(self) -> Option<&'static str> {
        match self {
            Whose::Listed => None,
            Whose::NotListed => Some("not in the file"),
            Whose::Unmanaged => Some("unmanaged"),
        }
    }
}

/// Every half the view shows.
fn halves(plan: &Plan, view: View) -> Vec<Half<'_>> {
    let mut halves: Vec<Half> = plan
        .changes
        .iter()
        .filter_map(|change| {
            let link = change.link.as_deref();
            let listed = |name, state, mark, changes| Half {
                key: change.key,
                name,
                link,
                state,
                mark,
                whose: Whose::Listed,
                changes,
            };
            match (&change.action, view) {
                (Action::Create(_), View::Observed) => None,
                (Action::Create(target), _) => Some(listed(
                    &target.name,
                    None,
                    (view == View::Both).then_some(Mark::Create),
                    Vec::new(),
                )),
                (Action::Update { current, .. }, View::Observed)
                | (Action::Noop { current }, _) => Some(listed(
                    &current.name,
                    Some(&current.state),
                    None,
                    Vec::new(),
                )),
                (
                    Action::Update {
                        current, target, ..
                    },
                    View::Desired,
                ) => Some(listed(&target.name, Some(&current.state), None, Vec::new())),
                (
                    Action::Update {
                        current,
                        target,
                        fields,
                        adopt,
                    },
                    View::Both,
                ) => Some(listed(
                    &target.name,
                    Some(&current.state),
                    Some(Mark::Update),
                    update_words(fields, *adopt),
                )),
                (Action::Delete { .. }, View::Desired) => None,
                (Action::Delete { current }, _) => Some(Half {
                    whose: Whose::NotListed,
                    ..listed(
                        &current.name,
                        Some(&current.state),
                        (view == View::Both).then_some(Mark::Delete),
                        Vec::new(),
                    )
                }),
            }
        })
        .collect();
    let untouched = plan
        .kept
        .iter()
        .map(|peering| (peering, Whose::NotListed))
        .chain(
            plan.unmanaged
                .iter()
                .map(|peering| (peering, Whose::Unmanaged)),
        );
    halves.extend(untouched.map(|(peering, whose)| Half {
        key: peering.key,
        name: &peering.name,
        link: None,
        state: Some(&peering.state),
        mark: None,
        whose,
        changes: Vec::new(),
    }));
    halves
}

/// An update in a few words: `renamed`, `to disabled`, `labels`, `adopted`.
fn update_words(fields: &[FieldChange], adopt: bool) -> Vec<String> {
    let mut words: Vec<String> = fields
        .iter()
        .map(|field| match field {
            FieldChange::Name { .. } => "renamed".to_owned(),
            FieldChange::ConfiguredStatus { to, .. } => format!("to {to}"),
            FieldChange::Labels { .. } => "labels".to_owned(),
        })
        .collect();
    if adopt {
        words.push("adopted".to_owned());
    }
    words
}

/// The edge of one pair's halves.
fn edge(mut halves: Vec<Half>, index: &BTreeMap<NetworkId, usize>) -> Edge {
    halves.sort_by(|a, b| (a.whose, a.name).cmp(&(b.whose, b.name)));
    let kind = halves
        .iter()
        .filter_map(|half| half.state.map(EdgeKind::of))
        .max()
        .unwrap_or(EdgeKind::NotCreated);
    let first = &halves[0];
    let node = |network: NetworkId| index[&network];
    let (local, peer) = (node(first.key.network), node(first.key.peer_network));
    let directed = halves.len() == 1 && matches!(kind, EdgeKind::Pending | EdgeKind::NotCreated);
    let (from, to) = if directed {
        (local, peer)
    } else {
        (local.min(peer), local.max(peer))
    };
    let mut marks: Vec<Mark> = halves.iter().filter_map(|half| half.mark).collect();
    marks.sort();
    marks.dedup();
    let mut lines = names_of(&halves);
    lines.extend(state_words(&halves, kind, &marks));
    lines.extend(notes(&halves));
    Edge {
        from,
        to,
        directed,
        kind,
        marks,
        lines: lines.iter().map(|text| label_line(text)).collect(),
    }
}

/// A line per half, `+ name`; one line for the halves of one link, or of one name, alike marked.
fn names_of(halves: &[Half]) -> Vec<String> {
    let marked = |half: &Half, name: &str| match half.mark {
        Some(mark) => format!("{} {name}", mark.symbol()),
        None => name.to_owned(),
    };
    if let [a, b] = halves {
        if a.mark == b.mark {
            if let (Some(link), Some(other)) = (a.link, b.link) {
                if link == other {
                    return vec![marked(a, link)];
                }
            }
            if a.name == b.name {
                return vec![marked(a, a.name)];
            }
        }
    }
    halves.iter().map(|half| marked(half, half.name)).collect()
}

/// The halves' states other than `active`, each once; for a pair no half of which exists yet,
/// outside the view that marks it as created, that it does not exist.
fn state_words(halves: &[Half], kind: EdgeKind, marks: &[Mark]) -> Option<String> {
    if kind == EdgeKind::NotCreated {
        return marks.is_empty().then(|| "not created yet".to_owned());
    }
    let mut states: Vec<&str> = Vec::new();
    for state in halves.iter().filter_map(|half| half.state) {
        if *state != PeeringState::Active && !states.contains(&state.as_str()) {
            states.push(state.as_str());
        }
    }
    (!states.is_empty()).then(|| states.join(", "))
}

/// What an update changes, and, for a pair the file lists no half of, whose it is.
fn notes(halves: &[Half]) -> Option<String> {
    let mut notes: Vec<String> = halves
        .iter()
        .flat_map(|half| half.changes.iter().cloned())
        .collect();
    if halves.iter().all(|half| half.whose != Whose::Listed) {
        for note in halves.iter().filter_map(|half| half.whose.note()) {
            if !notes.iter().any(|known| known == note) {
                notes.push(note.to_owned());
            }
        }
    }
    (!notes.is_empty()).then(|| notes.join(", "))
}

/// The boxes and the nodes of `wanted`: a network an account holds in that account's box; one
/// no account holds, drawn dashed, in the box of the account the file says it is in, if any.
fn place(
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

/// One line of a label: control characters and line breaks as spaces, without the spaces around
/// it (which Mermaid drops), UUIDs shortened to their first eight digits, and at most
/// [`MAX_LINE_CHARS`] characters, with `…` where it was cut.
pub fn label_line(text: &str) -> String {
    let flat: String = text
        .chars()
        .map(|c| {
            if c.is_control() || c.is_whitespace() {
                ' '
            } else {
                c
            }
        })
        .collect();
    let short = shorten_uuids(flat.trim());
    if short.chars().count() <= MAX_LINE_CHARS {
        return short;
    }
    let mut cut: String = short.chars().take(MAX_LINE_CHARS - 1).collect();
    cut.push('…');
    cut
}

/// `03126dc1-a69f-4bc2-8b24-e31c22d64712` as `03126dc1…`, wherever it stands in `text`.
fn shorten_uuids(text: &str) -> String {
    const UUID_CHARS: usize = 36;
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let candidate = rest.get(..UUID_CHARS).filter(|s| is_hyphenated_uuid(s));
        match candidate {
            Some(uuid) => {
                out.push_str(&uuid[..8]);
                out.push('…');
                rest = &rest[UUID_CHARS..];
            }
            None => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    out
}

fn is_hyphenated_uuid(text: &str) -> bool {
    text.char_indices().all(|(i, c)| match i {
        8 | 13 | 18 | 23 => c == '-',
        _ => c.is_ascii_hexdigit(),
    })
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
