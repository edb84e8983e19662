//! The edges: a peering's halves as a view shows them, paired up, each pair drawn by its
//! gravest state, marked with what the plan does to it and labelled with its halves' names.

use std::collections::BTreeMap;

use crate::model::{NetworkId, PeeringKey, PeeringState};
use crate::plan::{Action, Change, FieldChange, Plan};

use super::label::label_line;
use super::{Edge, EdgeKind, Mark, View};

/// One half of a pair, as the view shows it.
pub(super) struct Half<'p> {
    pub(super) key: PeeringKey,
    name: &'p str,
    link: Option<&'p str>,
    /// `None` for a half the plan creates.
    state: Option<&'p PeeringState>,
    mark: Option<Mark>,
    whose: Whose<'p>,
    /// For an update: what changes, in a few words.
    changes: Vec<String>,
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
/// alone.
pub(super) fn halves(plan: &Plan, view: View) -> Vec<Half<'_>> {
    let untouched = plan
        .kept
        .iter()
        .map(|peering| (peering, Whose::NotListed))
        .chain(plan.unmanaged.iter().map(|p| (p, Whose::Unmanaged)))
        .chain(plan.elsewhere.iter().map(|elsewhere| {
            let owner = elsewhere.owner.as_deref();
            (&elsewhere.peering, Whose::OtherFile(owner))
        }))
        .map(|(peering, whose)| Half {
            key: peering.key,
            name: &peering.name,
            link: None,
            state: Some(&peering.state),
            mark: None,
            whose,
            changes: Vec::new(),
        });
    plan.changes
        .iter()
        .filter_map(|change| planned_half(change, view))
        .chain(untouched)
        .collect()
}

/// A change's half as `view` shows it: as it is (observed), as it will be (desired), or as it
/// is with the plan's mark (both). A create does not exist yet; a delete no longer will.
fn planned_half(change: &Change, view: View) -> Option<Half<'_>> {
    let marked = |mark| (view == View::Both).then_some(mark);
    let (name, state, mark, whose, changes) = match &change.action {
        Action::Create(_) if view == View::Observed => return None,
        Action::Delete { .. } if view == View::Desired => return None,
        Action::Create(target) => (
            &target.name,
            None,
            marked(Mark::Create),
            Whose::Listed,
            vec![],
        ),
        Action::Noop { current } => (
            &current.name,
            Some(&current.state),
            None,
            Whose::Listed,
            vec![],
        ),
        Action::Update { current, .. } if view == View::Observed => (
            &current.name,
            Some(&current.state),
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
            let changes = if view == View::Both {
                update_words(fields, *adopt)
            } else {
                vec![]
            };
            (
                &target.name,
                Some(&current.state),
                marked(Mark::Update),
                Whose::Listed,
                changes,
            )
        }
        Action::Delete { current } => (
            &current.name,
            Some(&current.state),
            marked(Mark::Delete),
            Whose::NotListed,
            vec![],
        ),
    };
    Some(Half {
        key: change.key,
        name,
        link: change.link.as_deref(),
        state,
        mark,
        whose,
        changes,
    })
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
pub(super) fn edge(mut halves: Vec<Half>, index: &BTreeMap<NetworkId, usize>) -> Edge {
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
            if !notes.contains(&note) {
                notes.push(note);
            }
        }
    }
    (!notes.is_empty()).then(|| notes.join(", "))
}
