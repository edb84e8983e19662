//! The differ: a pure function from (desired, observed) to a [`Plan`]. No I/O happens here, so
//! everything about what a plan contains is tested with plain values.

pub mod change;

use std::collections::BTreeMap;

pub use change::{Action, Change, FieldChange, Summary, Warning};

use crate::config::{Desired, DesiredPeering};
use crate::model::{
    Labels, MANAGED_BY_KEY, MANAGED_BY_VALUE, Network, NetworkId, NetworkType, Peering, PeeringKey,
    PeeringSpec,
};

/// What exists in the account, as read from the API.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Observed {
    pub peerings: Vec<Peering>,
    pub networks: Vec<Network>,
}

/// Every desired peering once, with what would bring it to the desired state, ordered by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub changes: Vec<Change>,
}

impl Plan {
    pub fn summary(&self) -> Summary {
        let mut summary = Summary::default();
        for change in &self.changes {
            match change.action {
                Action::Create => summary.create += 1,
                Action::Update { .. } => summary.update += 1,
                Action::Noop { .. } => summary.noop += 1,
            }
        }
        summary
    }

    pub fn has_changes(&self) -> bool {
        self.summary().changes() > 0
    }
}

/// Compares the file with the account. Deterministic, and independent of the order of either
/// input (the file guarantees names and keys are unique).
pub fn plan(desired: &Desired, observed: &Observed) -> Plan {
    let existing = by_key(&observed.peerings);
    let networks: BTreeMap<NetworkId, &Network> = observed
        .networks
        .iter()
        .map(|network| (network.id, network))
        .collect();

    let mut changes: Vec<Change> = desired
        .peerings
        .iter()
        .map(|wanted| {
            let target = target_spec(wanted);
            match existing.get(&wanted.key) {
                None => Change {
                    warnings: preflight(&target, &networks),
                    target,
                    action: Action::Create,
                },
                Some(current) => {
                    let fields = field_changes(current, &target);
                    let current = (*current).clone();
                    let action = if fields.is_empty() {
                        Action::Noop { current }
                    } else {
                        Action::Update { current, fields }
                    };
                    Change {
                        target,
                        action,
                        warnings: Vec::new(),
                    }
                }
            }
        })
        .collect();
    changes.sort_by(|a, b| a.target.name.cmp(&b.target.name));
    Plan { changes }
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

/// The peering as it should exist: the file's fields plus the ownership label.
fn target_spec(wanted: &DesiredPeering) -> PeeringSpec {
    PeeringSpec {
        name: wanted.name.clone(),
        key: wanted.key,
        configured_status: wanted.configured_status,
        labels: owned_labels(&wanted.labels),
    }
}

fn owned_labels(labels: &Labels) -> Labels {
    let mut labels = labels.clone();
    labels.insert(MANAGED_BY_KEY.to_owned(), MANAGED_BY_VALUE.to_owned());
    labels
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
fn preflight(target: &PeeringSpec, networks: &BTreeMap<NetworkId, &Network>) -> Vec<Warning> {
    let network = target.key.network;
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
mod tests;
