//! The differ: a pure function from (desired, observed) to a [`Plan`]. No I/O happens here, so
//! everything about what a plan contains is tested with plain values.

pub mod aiven;
pub mod change;
mod cross_account;
pub mod health;
mod names;
pub mod ownership;
pub mod renewal;
mod same_account;

use std::collections::{BTreeMap, BTreeSet};

pub use aiven::{AivenAction, AivenChange, LeftConnection, PendingHalf, VpcSeen};
pub use change::{Action, Change, FieldChange, Summary, Warning};
pub use names::NetworkNames;
pub use ownership::{FileOwner, Ownership};
pub use renewal::Renewals;
pub use same_account::declared_twice;

use crate::config::{Desired, DesiredPeering};
use crate::model::{
    Network, NetworkId, NetworkType, Peering, PeeringKey, PeeringSpec, Platform, VpcRef,
};

/// What exists, as read from both platforms, for one account of the file: its peerings and
/// networks, and the Aiven project VPCs (with their connections) that its `[[aiven_peering]]`
/// tables name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Observed {
    pub peerings: Vec<Peering>,
    pub networks: Vec<Network>,
    pub vpcs: BTreeMap<VpcRef, VpcSeen>,
}

/// Every desired peering once, with what would bring it about, ordered by name; then the owned
/// peerings to delete, also by name. Plus what the plan leaves alone, so output can say so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub changes: Vec<Change>,
    /// Owned peerings the file no longer lists, kept because `prune` is off. By name.
    pub kept: Vec<Peering>,
    /// Peerings without the ownership label that the file does not list: never touched.
    pub unmanaged: Vec<Peering>,
    /// Peerings another file manages that this file does not list: never touched. By owner,
    /// then by name.
    pub elsewhere: Vec<Elsewhere>,
    /// How many peerings in the account are this file's (see `plan::ownership`), before the plan
    /// runs: the delete safety threshold counts only these.
    pub owned: usize,
    /// The servers on the networks read, and the peerings expected to turn active.
    pub renewals: Renewals,
    /// The accounts whose deletes are too many to apply without `--force`.
    pub mass_deletes: Vec<MassDelete>,
    /// The Aiven halves: of every `[[aiven_peering]]`, then those deleted with their owned
    /// UpCloud halves; each part by name.
    pub aiven: Vec<AivenChange>,
    /// Aiven connections tied to UpCloud halves that prune deletes, left for a person because
    /// the file has no `[aiven]` table.
    pub aiven_left: Vec<LeftConnection>,
}

/// One account's deletes, when they are so many that a mistake is more likely than intent:
/// more than 30 % of its owned peerings, when it has at least 4. An Aiven connection tied to an
/// owned UpCloud half counts as owned, and its delete as a delete. `apply` refuses them unless
/// given `--force`; `plan` says so beforehand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MassDelete {
    /// The file's name for the account; `None` in a file without accounts.
    pub account: Option<String>,
    /// The names of the peerings to delete, in plan order; an Aiven connection as `NAME (Aiven
    /// half)`.
    pub names: Vec<String>,
    /// How many peerings of the account are this file's.
    pub owned: usize,
}

/// A peering managed by another file, which this file does not list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Elsewhere {
    /// The other file's `owner`; `None` for a file without one.
    pub owner: Option<String>,
    pub peering: Peering,
}

/// Deleting more than this share of the owned peerings needs `--force`...
const SAFE_DELETE_PERCENT: usize = 30;
/// ...once there are at least this many owned peerings.
const SAFETY_MIN_OWNED: usize = 4;

impl Plan {
    /// Several accounts' plans as one: changes by name, then deletes by name; the accounts'
    /// peerings left alone together, and each account's mass delete (the safety threshold is per
    /// account).
    pub fn merge(plans: Vec<Plan>) -> Plan {
        let mut merged = Plan::empty();
        for plan in plans {
            merged.changes.extend(plan.changes);
            merged.kept.extend(plan.kept);
            merged.unmanaged.extend(plan.unmanaged);
            merged.elsewhere.extend(plan.elsewhere);
            merged.owned += plan.owned;
            merged.renewals.absorb(plan.renewals);
            merged.mass_deletes.extend(plan.mass_deletes);
            merged.aiven.extend(plan.aiven);
            merged.aiven_left.extend(plan.aiven_left);
        }
        let aiven_order = |change: &AivenChange| {
            let delete = matches!(change.action, AivenAction::Delete { .. });
            (delete, change.name.clone(), change.account.clone())
        };
        merged.aiven.sort_by_key(aiven_order);
        merged
            .aiven_left
            .sort_by(|a, b| (&a.name, &a.account).cmp(&(&b.name, &b.account)));
        let is_delete = |change: &Change| matches!(change.action, Action::Delete { .. });
        merged.changes.sort_by(|a, b| {
            (is_delete(a), &a.name, &a.account).cmp(&(is_delete(b), &b.name, &b.account))
        });
        merged.kept = sorted_by_name(merged.kept);
        merged.unmanaged = sorted_by_name(merged.unmanaged);
        merged.elsewhere = sorted_by_owner(merged.elsewhere);
        merged
    }

    /// Every change of both platforms in the order they are shown and carried out: by name,
    /// the deletes last; of one peering, the Aiven half is created before the UpCloud half, and
    /// deleted after it.
    pub fn steps(&self) -> Vec<Step<'_>> {
        let mut steps: Vec<Step> = self.changes.iter().map(Step::Upcloud).collect();
        for change in &self.aiven {
            steps.push(Step::Aiven(change));
            if let Some(half) = &change.pending {
                steps.push(Step::PendingHalf(change, half));
            }
        }
        let order = |step: &Step| {
            let aiven_first = matches!(step, Step::Aiven(_)) != step.is_delete();
            (
                step.is_delete(),
                step.name().to_owned(),
                step.account().map(str::to_owned),
                !aiven_first,
            )
        };
        steps.sort_by_cached_key(order);
        steps
    }

    /// A plan of nothing, for a start.
    pub fn empty() -> Plan {
        Plan {
            changes: Vec::new(),
            kept: Vec::new(),
            unmanaged: Vec::new(),
            elsewhere: Vec::new(),
            owned: 0,
            renewals: Renewals::default(),
            mass_deletes: Vec::new(),
            aiven: Vec::new(),
            aiven_left: Vec::new(),
        }
    }

    /// Both platforms' halves by action; an UpCloud half waiting for its peer counts as a
    /// create.
    pub fn summary(&self) -> Summary {
        let mut summary = Summary::default();
        for change in &self.changes {
            match change.action {
                Action::Create(_) => summary.create += 1,
                Action::Update { .. } => summary.update += 1,
                Action::Delete { .. } => summary.delete += 1,
                Action::Noop { .. } => summary.noop += 1,
            }
        }
        for change in &self.aiven {
            match change.action {
                AivenAction::Create => summary.create += 1,
                AivenAction::Noop { .. } => summary.noop += 1,
                AivenAction::Delete { .. } => summary.delete += 1,
            }
            if change.pending.is_some() {
                summary.create += 1;
            }
        }
        summary
    }

    pub fn has_changes(&self) -> bool {
        self.summary().changes() > 0
    }

    pub fn deletes(&self) -> impl Iterator<Item = &Change> {
        self.changes
            .iter()
            .filter(|change| matches!(change.action, Action::Delete { .. }))
    }

    /// The Aiven connections this plan deletes.
    pub fn aiven_deletes(&self) -> impl Iterator<Item = &AivenChange> {
        self.aiven
            .iter()
            .filter(|change| matches!(change.action, AivenAction::Delete { .. }))
    }

    /// Whether `apply` refuses this plan without `--force`.
    pub fn needs_force(&self) -> bool {
        !self.mass_deletes.is_empty()
    }
}

/// One line of a plan: a change of either platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step<'p> {
    Upcloud(&'p Change),
    Aiven(&'p AivenChange),
    /// The UpCloud half of an `[[aiven_peering]]` whose peer is not known yet.
    PendingHalf(&'p AivenChange, &'p PendingHalf),
}

impl Step<'_> {
    pub fn name(&self) -> &str {
        match self {
            Step::Upcloud(change) => &change.name,
            Step::Aiven(change) | Step::PendingHalf(change, _) => &change.name,
        }
    }

    pub fn account(&self) -> Option<&str> {
        match self {
            Step::Upcloud(change) => change.account.as_deref(),
            Step::Aiven(change) | Step::PendingHalf(change, _) => change.account.as_deref(),
        }
    }

    /// The name scripts see as `action` (pinned).
    pub fn action(&self) -> &'static str {
        match self {
            Step::Upcloud(change) => change.action.as_str(),
            Step::Aiven(change) => change.action.as_str(),
            Step::PendingHalf(..) => "create",
        }
    }

    /// `upcloud` or `aiven`: which platform the change is made on (pinned).
    pub fn platform(&self) -> Platform {
        match self {
            Step::Upcloud(_) | Step::PendingHalf(..) => Platform::Upcloud,
            Step::Aiven(_) => Platform::Aiven,
        }
    }

    pub fn is_delete(&self) -> bool {
        match self {
            Step::Upcloud(change) => matches!(change.action, Action::Delete { .. }),
            Step::Aiven(change) => matches!(change.action, AivenAction::Delete { .. }),
            Step::PendingHalf(..) => false,
        }
    }

    /// Whether it changes nothing.
    pub fn is_noop(&self) -> bool {
        match self {
            Step::Upcloud(change) => matches!(change.action, Action::Noop { .. }),
            Step::Aiven(change) => matches!(change.action, AivenAction::Noop { .. }),
            Step::PendingHalf(..) => false,
        }
    }

    pub fn warnings(&self) -> &[Warning] {
        match self {
            Step::Upcloud(change) => &change.warnings,
            Step::Aiven(change) => &change.warnings,
            Step::PendingHalf(_, half) => &half.warnings,
        }
    }
}

/// One account's deletes (`names`), if they are too many; see [`MassDelete`].
fn mass_delete(account: Option<&str>, names: Vec<String>, owned: usize) -> Option<MassDelete> {
    let too_many = owned >= SAFETY_MIN_OWNED && names.len() * 100 > owned * SAFE_DELETE_PERCENT;
    too_many.then(|| MassDelete {
        account: account.map(str::to_owned),
        names,
        owned,
    })
}

/// Compares every account the file declares (or, for a file without accounts, the account of the
/// environment, keyed `None`) with what the file asks of it: one plan per account, each with its
/// changes by name, then its deletes; [`Plan::merge`] makes them one. Deterministic, and
/// independent of the order of either input (the file guarantees names and keys are unique).
/// Creates also get warnings that only the other side's account can tell: a peer network that
/// is missing, not private or without a router, or whose ranges overlap; and each plan says
/// which of its peerings it expects to turn active (see `plan::renewal`).
pub fn plan_accounts(
    desired: &Desired,
    observed: &BTreeMap<Option<String>, Observed>,
) -> Vec<Plan> {
    let mut plans: Vec<Plan> = observed
        .iter()
        .map(|(account, seen)| plan_account(account.as_deref(), desired, seen))
        .collect();
    cross_account::add_warnings(&mut plans, desired, observed);
    renewal::add_expectations(&mut plans, observed);
    plans
}

/// One account's plan: the file's peerings of `account` against what it holds.
fn plan_account(account: Option<&str>, desired: &Desired, observed: &Observed) -> Plan {
    let owner = FileOwner::of(desired);
    let existing = by_key(&observed.peerings);
    let networks: BTreeMap<NetworkId, &Network> = observed
        .networks
        .iter()
        .map(|network| (network.id, network))
        .collect();

    let halves = aiven::plan_halves(account, desired, observed, &networks);
    let wanted: Vec<&DesiredPeering> = desired
        .peerings_of(account)
        .chain(&halves.upcloud)
        .collect();
    let mut changes: Vec<Change> = wanted
        .iter()
        .map(|wanted| plan_desired(wanted, owner, existing.get(&wanted.key).copied(), &networks))
        .collect();
    changes.sort_by(|a, b| a.name.cmp(&b.name));

    let listed: BTreeSet<PeeringKey> = wanted.iter().map(|wanted| wanted.key).collect();
    let mut kept = Vec::new();
    let mut deletes = Vec::new();
    let mut unmanaged = Vec::new();
    let mut elsewhere = Vec::new();
    for peering in existing.values().filter(|p| !listed.contains(&p.key)) {
        let peering = (*peering).clone();
        match owner.ownership_of(&peering) {
            Ownership::Owned if desired.prune => deletes.push(Change {
                account: account.map(str::to_owned),
                link: None,
                name: peering.name.clone(),
                key: peering.key,
                action: Action::Delete { current: peering },
                warnings: Vec::new(),
            }),
            Ownership::Owned => kept.push(peering),
            Ownership::OtherFile { owner } => elsewhere.push(Elsewhere { owner, peering }),
            Ownership::Unmanaged => unmanaged.push(peering),
        }
    }
    deletes.sort_by(|a, b| a.name.cmp(&b.name));
    let (pruned, aiven_left) = aiven::pruned_connections(desired, &deletes, observed);
    changes.extend(deletes);
    let mut aiven = halves.aiven;
    aiven.sort_by(|a, b| a.name.cmp(&b.name));
    aiven.extend(pruned);

    let owned: Vec<&&Peering> = existing
        .values()
        .filter(|p| owner.ownership_of(p) == Ownership::Owned)
        .collect();
    // Each owned UpCloud half of an Aiven peering brings its connection.
    let tied = owned
        .iter()
        .filter(|p| aiven::tied_connection(p).is_some())
        .count();
    let owned = owned.len() + tied;
    let deleted = changes
        .iter()
        .filter(|change| matches!(change.action, Action::Delete { .. }))
        .map(|change| change.name.clone())
        .chain(
            aiven
                .iter()
                .filter(|change| matches!(change.action, AivenAction::Delete { .. }))
                .map(|change| format!("{} (Aiven half)", change.name)),
        )
        .collect();
    let mass_deletes = mass_delete(account, deleted, owned).into_iter().collect();
    Plan {
        changes,
        kept: sorted_by_name(kept),
        unmanaged: sorted_by_name(unmanaged),
        elsewhere: sorted_by_owner(elsewhere),
        owned,
        mass_deletes,
        renewals: Renewals::of_networks(&observed.networks),
        aiven,
        aiven_left,
    }
}

fn sorted_by_name(mut peerings: Vec<Peering>) -> Vec<Peering> {
    peerings.sort_by(|a, b| (&a.name, &a.account, a.id).cmp(&(&b.name, &b.account, b.id)));
    peerings
}

fn sorted_by_owner(mut peerings: Vec<Elsewhere>) -> Vec<Elsewhere> {
    let key = |e: &Elsewhere| {
        (
            e.owner.clone(),
            e.peering.name.clone(),
            e.peering.account.clone(),
            e.peering.id,
        )
    };
    peerings.sort_by_key(key);
    peerings
}

fn plan_desired(
    wanted: &DesiredPeering,
    owner: FileOwner,
    current: Option<&Peering>,
    networks: &BTreeMap<NetworkId, &Network>,
) -> Change {
    let target = target_spec(wanted, owner);
    let (action, warnings) = match current {
        None => {
            let warnings = local_network_warnings(target.key.network, networks);
            (Action::Create(target), warnings)
        }
        Some(current) => existing_action(owner, current, target),
    };
    Change {
        account: wanted.account.clone(),
        link: wanted.link.clone(),
        name: wanted.name.clone(),
        key: wanted.key,
        action,
        warnings,
    }
}

/// What brings an existing peering of a pair the file lists to `target`: nothing, or an update
/// (an adoption when the file does not own it yet, with a warning when another file did). The
/// one decision about an existing peering: plans make it, and so does an apply about a peering
/// it finds only when its create does not go through ([`plan_found`]).
fn existing_action(
    owner: FileOwner,
    current: &Peering,
    target: PeeringSpec,
) -> (Action, Vec<Warning>) {
    let ownership = owner.ownership_of(current);
    let warnings = match &ownership {
        Ownership::OtherFile { owner: from } => vec![Warning::OwnershipMoves {
            from: from.clone(),
            to: owner.id().map(str::to_owned),
        }],
        Ownership::Owned | Ownership::Unmanaged => Vec::new(),
    };
    let fields = field_changes(current, &target);
    let action = if fields.is_empty() {
        Action::Noop {
            current: current.clone(),
        }
    } else {
        Action::Update {
            adopt: ownership != Ownership::Owned,
            current: current.clone(),
            target,
            fields,
        }
    };
    (action, warnings)
}

/// The change a plan would have made had it seen `found`: the peering of `create`'s pair that
/// an apply finds after its create answered `PEERING_CONFLICT` (or an answer that did not
/// confirm it). `target` is what `create` asked for, the file's ownership labels included.
pub fn plan_found(create: &Change, target: &PeeringSpec, found: &Peering) -> Change {
    let (action, warnings) = existing_action(FileOwner::of_target(target), found, target.clone());
    Change {
        action,
        warnings,
        ..create.clone()
    }
}

/// The account's peerings by (network, peer_network). The API allows one per pair; should it
/// ever answer with two, the one with the lowest UUID is used, so the plan stays deterministic.
fn by_key(peerings: &[Peering]) -> BTreeMap<PeeringKey, &Peering> {
    let mut by_key: BTreeMap<PeeringKey, &Peering> = BTreeMap::new();
    for peering in peerings {
        by_key
            .entry(peering.key)
            .and_modify(|kept| {
                if peering.id < kept.id {
                    *kept = peering;
                }
            })
            .or_insert(peering);
    }
    by_key
}

/// The peering as it should exist: the file's fields plus its ownership labels.
fn target_spec(wanted: &DesiredPeering, owner: FileOwner) -> PeeringSpec {
    PeeringSpec {
        name: wanted.name.clone(),
        key: wanted.key,
        configured_status: wanted.configured_status,
        labels: owner.labelled(&wanted.labels),
    }
}

fn field_changes(current: &Peering, target: &PeeringSpec) -> Vec<FieldChange> {
    let mut fields = Vec::new();
    if current.name != target.name {
        fields.push(FieldChange::Name {
            from: current.name.clone(),
            to: target.name.clone(),
        });
    }
    if current.configured_status != target.configured_status {
        fields.push(FieldChange::ConfiguredStatus {
            from: current.configured_status,
            to: target.configured_status,
        });
    }
    if current.labels != target.labels {
        fields.push(FieldChange::Labels {
            from: current.labels.clone(),
            to: target.labels.clone(),
        });
    }
    fields
}

/// What the account already tells about a create that the API would refuse. The create is
/// still attempted: the API decides, and the plan only warns.
fn local_network_warnings(
    network: NetworkId,
    networks: &BTreeMap<NetworkId, &Network>,
) -> Vec<Warning> {
    match networks.get(&network) {
        None => vec![Warning::LocalNetworkNotFound { network }],
        Some(found) => {
            let mut warnings = Vec::new();
            if found.kind != NetworkType::Private {
                warnings.push(Warning::LocalNetworkNotPrivate {
                    network,
                    name: found.name.clone(),
                    kind: found.kind.clone(),
                });
            }
            if found.router.is_none() {
                warnings.push(Warning::LocalNetworkNoRouter {
                    network,
                    name: found.name.clone(),
                });
            }
            warnings
        }
    }
}

#[cfg(test)]
mod account_tests;
#[cfg(test)]
mod tests;
