//! The edges: a peering's halves as a view shows them, paired up, each pair drawn by its
//! gravest state, marked with what the plan does to it and labelled with its halves' names.
//!
//! The Aiven half of an `[[aiven_peering]]` is a half from the VPC's network to the customer's,
//! in the state of the VPC's peering connection; its UpCloud half goes the other way.

use std::collections::BTreeMap;

use crate::model::{AivenConnection, ConnectionState, PeeringState};
use crate::plan::health::{self, Health};
use crate::plan::{
    Action, AivenAction, AivenChange, Change, FieldChange, LeftConnection, PendingHalf, Plan,
};

use super::label::label_line;
use super::vpcs::Vpcs;
use super::{Edge, EdgeKind, Mark, NodeKey, View};

/// One half of a pair, as the view shows it.
pub(super) struct DrawnHalf<'p> {
    /// The node of the side that creates it, and of the other side.
    pub(super) from: NodeKey,
    pub(super) to: NodeKey,
    name: &'p str,
    /// The Aiven half of an `[[aiven_peering]]`.
    aiven: bool,
    link: Option<&'p str>,
    /// `None` for a half the plan creates, or one whose state was not read.
    state: Option<DrawnState<'p>>,
    mark: Option<Mark>,
    whose: Whose<'p>,
    /// For an update: what changes, in a few words.
    changes: Vec<String>,
}

/// What a half's state is, on its platform.
#[derive(Debug, Clone, Copy)]
enum DrawnState<'p> {
    Upcloud(&'p PeeringState),
    Aiven(&'p AivenConnection),
    /// An Aiven connection prune leaves for a person, the file having no `[aiven]` table.
    LeftForPerson,
}

impl DrawnState<'_> {
    fn kind(self) -> EdgeKind {
        match self {
            DrawnState::Upcloud(state) => match state {
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
            },
            // As `check` judges it.
            DrawnState::Aiven(connection) => match health::judge_connection(connection) {
                Health::Healthy => EdgeKind::Active,
                Health::Transient if connection.state == ConnectionState::PendingPeer => {
                    EdgeKind::Pending
                }
                Health::Transient => EdgeKind::Provisioning,
                Health::Unhealthy => EdgeKind::NeedsPerson,
            },
            DrawnState::LeftForPerson => EdgeKind::NeedsPerson,
        }
    }

    /// The state in a few words; nothing for one that is as it should be.
    fn words(self) -> Vec<String> {
        match self {
            DrawnState::Upcloud(PeeringState::Active) => Vec::new(),
            DrawnState::Upcloud(state) => vec![state.as_str().to_owned()],
            DrawnState::Aiven(connection) => {
                if health::judge_connection(connection) == Health::Healthy {
                    return Vec::new();
                }
                let warnings = connection.warnings.iter().map(|w| w.kind.clone());
                [connection.state.as_str().to_owned()]
                    .into_iter()
                    .chain(warnings)
                    .collect()
            }
            DrawnState::LeftForPerson => vec!["Aiven half left to delete by hand".to_owned()],
        }
    }
}

/// Whose a half is, as this file sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Whose<'p> {
    /// The file lists it.
    Listed,
    /// Owned, but the file no longer lists it (kept without `prune`, deleted with it).
    NotListed,
    /// Not managed by peerings.
    Unmanaged,
    /// Managed by another file, with this `owner` (`None`: a file without one).
    OtherFile(Option<&'p str>),
}

impl Whose<'_> {
    /// How a label says it, short: the plan's own wording would not fit.
    fn note(self) -> Option<String> {
        match self {
            Whose::Listed => None,
            Whose::NotListed => Some("not in the file".to_owned()),
            Whose::Unmanaged => Some("unmanaged".to_owned()),
            Whose::OtherFile(Some(owner)) => Some(format!("another file: owner {owner}")),
            Whose::OtherFile(None) => Some("another file: no owner".to_owned()),
        }
    }
}

/// Every half the view shows: the file's (and those the plan deletes), then those it leaves
/// alone; of both platforms.
pub(super) fn halves<'p>(plan: &'p Plan, view: View, vpcs: &Vpcs) -> Vec<DrawnHalf<'p>> {
    let untouched = plan
        .kept
        .iter()
        .map(|peering| (peering, Whose::NotListed))
        .chain(plan.unmanaged.iter().map(|p| (p, Whose::Unmanaged)))
        .chain(plan.elsewhere.iter().map(|elsewhere| {
            let owner = elsewhere.owner.as_deref();
            (&elsewhere.peering, Whose::OtherFile(owner))
        }))
        .map(|(peering, whose)| DrawnHalf {
            from: NodeKey::Network(peering.key.network),
            to: NodeKey::Network(peering.key.peer_network),
            name: &peering.name,
            aiven: false,
            link: None,
            state: Some(DrawnState::Upcloud(&peering.state)),
            mark: None,
            whose,
            changes: Vec::new(),
        });
    let aiven = plan.aiven.iter().flat_map(|change| {
        let pending = change
            .pending
            .as_ref()
            .and_then(|half| pending_half(change, half, view, vpcs));
        aiven_half(change, view, vpcs).into_iter().chain(pending)
    });
    let left = plan
        .aiven_left
        .iter()
        .map(|left| left_connection(left, vpcs));
    plan.changes
        .iter()
        .filter_map(|change| planned_half(change, view))
        .chain(aiven)
        .chain(untouched)
        .chain(left)
        .collect()
}

/// How `view` shows a half the plan acts on: as it is (observed), as it will be (desired), or
/// as it is with the plan's mark (both). `None`: a create not there yet, a delete no longer.
fn as_viewed<'p>(
    view: View,
    mark: Mark,
    state: Option<DrawnState<'p>>,
) -> Option<(Option<DrawnState<'p>>, Option<Mark>)> {
    match (view, mark) {
        (View::Observed, Mark::Create) | (View::Desired, Mark::Delete) => None,
        (View::Both, mark) => Some((state, Some(mark))),
        (View::Observed | View::Desired, _) => Some((state, None)),
    }
}

/// A change's half as `view` shows it: as it is (observed), as it will be (desired), or as it
/// is with the plan's mark (both). A create does not exist yet; a delete no longer will.
fn planned_half(change: &Change, view: View) -> Option<DrawnHalf<'_>> {
    let (name, state, mark, whose, changes) = match &change.action {
        Action::Create(target) => {
            let (state, mark) = as_viewed(view, Mark::Create, None)?;
            (&target.name, state, mark, Whose::Listed, vec![])
        }
        Action::Noop { current } => (
            &current.name,
            Some(DrawnState::Upcloud(&current.state)),
            None,
            Whose::Listed,
            vec![],
        ),
        Action::Update { current, .. } if view == View::Observed => (
            &current.name,
            Some(DrawnState::Upcloud(&current.state)),
            None,
            Whose::Listed,
            vec![],
        ),
        Action::Update {
            current,
            target,
            fields,
            adopt,
        } => {
            let state = Some(DrawnState::Upcloud(&current.state));
            let (state, mark) = as_viewed(view, Mark::Update, state)?;
            let changes = if view == View::Both {
                update_words(fields, *adopt)
            } else {
                vec![]
            };
            (&target.name, state, mark, Whose::Listed, changes)
        }
        Action::Delete { current } => {
            let state = Some(DrawnState::Upcloud(&current.state));
            let (state, mark) = as_viewed(view, Mark::Delete, state)?;
            (&current.name, state, mark, Whose::NotListed, vec![])
        }
    };
    Some(DrawnHalf {
        from: NodeKey::Network(change.key.network),
        to: NodeKey::Network(change.key.peer_network),
        name,
        aiven: false,
        link: change.link.as_deref(),
        state,
        mark,
        whose,
        changes,
    })
}

/// The Aiven half of a change, from the VPC's network to the customer's, as `view` shows it.
fn aiven_half<'p>(change: &'p AivenChange, view: View, vpcs: &Vpcs) -> Option<DrawnHalf<'p>> {
    let current = change.action.current().map(DrawnState::Aiven);
    let (state, mark, whose) = match &change.action {
        AivenAction::Create => {
            let (state, mark) = as_viewed(view, Mark::Create, None)?;
            (state, mark, Whose::Listed)
        }
        AivenAction::Noop { .. } => (current, None, Whose::Listed),
        AivenAction::Delete { .. } => {
            let (state, mark) = as_viewed(view, Mark::Delete, current)?;
            (state, mark, Whose::NotListed)
        }
    };
    Some(DrawnHalf {
        from: vpcs.node(&change.key.vpc),
        to: NodeKey::Network(change.key.network),
        name: &change.name,
        aiven: true,
        link: None,
        state,
        mark,
        whose,
        changes: Vec::new(),
    })
}

/// The UpCloud half of an `[[aiven_peering]]` whose peer is not known yet: created by the plan,
/// towards the VPC's node.
fn pending_half<'p>(
    change: &AivenChange,
    half: &'p PendingHalf,
    view: View,
    vpcs: &Vpcs,
) -> Option<DrawnHalf<'p>> {
    let (state, mark) = as_viewed(view, Mark::Create, None)?;
    Some(DrawnHalf {
        from: NodeKey::Network(half.network),
        to: vpcs.node(&change.key.vpc),
        name: &half.name,
        aiven: false,
        link: None,
        state,
        mark,
        whose: Whose::Listed,
        changes: Vec::new(),
    })
}

/// An Aiven connection of a deleted UpCloud half, left for a person: in every view, as it stays.
fn left_connection<'p>(left: &'p LeftConnection, vpcs: &Vpcs) -> DrawnHalf<'p> {
    DrawnHalf {
        from: vpcs.node(&left.key.vpc),
        to: NodeKey::Network(left.key.network),
        name: &left.name,
        aiven: true,
        link: None,
        state: Some(DrawnState::LeftForPerson),
        mark: None,
        whose: Whose::NotListed,
        changes: Vec::new(),
    }
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
pub(super) fn edge(mut halves: Vec<DrawnHalf>, index: &BTreeMap<&NodeKey, usize>) -> Edge {
    // Of one peering, the Aiven half first, as the plan shows them.
    halves.sort_by(|a, b| (a.whose, a.name, !a.aiven).cmp(&(b.whose, b.name, !b.aiven)));
    let kind = halves
        .iter()
        .filter_map(|half| half.state.map(DrawnState::kind))
        .max()
        .unwrap_or(EdgeKind::NotCreated);
    let node = |key: &NodeKey| index[key];
    let (a, b) = (node(&halves[0].from), node(&halves[0].to));
    let (from, to, directed) = match lone_half(&halves, kind) {
        Some(half) => (node(&half.from), node(&half.to), true),
        None => (a.min(b), a.max(b), false),
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

/// The one half of a pair that exists while it waits for the other (or, of a pair not created
/// yet, the one half the plan creates): the edge points from its side.
fn lone_half<'h, 'p>(halves: &'h [DrawnHalf<'p>], kind: EdgeKind) -> Option<&'h DrawnHalf<'p>> {
    let lone = |halves: Vec<&'h DrawnHalf<'p>>| match halves[..] {
        [half] => Some(half),
        _ => None,
    };
    match kind {
        EdgeKind::Pending => lone(halves.iter().filter(|h| h.state.is_some()).collect()),
        EdgeKind::NotCreated => lone(halves.iter().collect()),
        _ => None,
    }
}

/// A line per half, `+ name`; one line for the halves of one link, or of one name, alike marked.
/// Where they are not alike, the Aiven half of an `[[aiven_peering]]` says so.
fn names_of(halves: &[DrawnHalf]) -> Vec<String> {
    let marked = |half: &DrawnHalf, name: &str| match half.mark {
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
    halves
        .iter()
        .map(|half| match half.aiven {
            true => marked(half, &format!("{} (Aiven half)", half.name)),
            false => marked(half, half.name),
        })
        .collect()
}

/// The halves' states other than `active` (`ACTIVE` without a warning), each once; for a pair no
/// half of which exists yet, outside the view that marks it as created, that it does not exist.
fn state_words(halves: &[DrawnHalf], kind: EdgeKind, marks: &[Mark]) -> Option<String> {
    if kind == EdgeKind::NotCreated {
        return marks.is_empty().then(|| "not created yet".to_owned());
    }
    let mut words: Vec<String> = Vec::new();
    for word in halves
        .iter()
        .filter_map(|half| half.state)
        .flat_map(DrawnState::words)
    {
        if !words.contains(&word) {
            words.push(word);
        }
    }
    (!words.is_empty()).then(|| words.join(", "))
}

/// What an update changes, and, for a pair the file lists no half of, whose it is.
fn notes(halves: &[DrawnHalf]) -> Option<String> {
    let mut notes: Vec<String> = halves
        .iter()
        .flat_map(|half| half.changes.iter().cloned())
        .collect();
    if halves.iter().all(|half| half.whose != Whose::Listed) {
        for note in halves.iter().filter_map(|half| half.whose.note()) {
            if !notes.contains(&note) {
                notes.push(note);
            }
        }
    }
    (!notes.is_empty()).then(|| notes.join(", "))
}
