//! Predictions that need both sides of a peering: when the file's accounts hold the peer
//! network too, the plan can tell before any write what the API would only report afterwards as
//! `missing-peer-router` or `conflict-subnet`, or that a link's far network does not exist.

use std::collections::BTreeMap;

use crate::cidr::any_overlap;
use crate::config::Desired;
use crate::model::{Network, NetworkId, NetworkType, Peering, PeeringKey, PeeringState};

use super::{Action, Observed, Plan, Warning};

/// Adds the cross-account warnings to the creates of `plans`.
pub(super) fn add_warnings(
    plans: &mut [Plan],
    desired: &Desired,
    observed: &BTreeMap<Option<String>, Observed>,
) {
    let networks: BTreeMap<NetworkId, (&Option<String>, &Network)> = observed
        .iter()
        .flat_map(|(account, seen)| seen.networks.iter().map(move |n| (n.id, (account, n))))
        .collect();
    for change in plans.iter_mut().flat_map(|plan| plan.changes.iter_mut()) {
        if let Some(current) = change.action.current() {
            if let Some(account) = missing_other_half(current, &networks, observed) {
                change.warnings.push(Warning::PeerHalfMissing { account });
            }
            continue;
        }
        let Action::Create(target) = &change.action else {
            continue;
        };
        let local = networks
            .get(&target.key.network)
            .map(|(_, network)| *network);
        let peer = networks.get(&target.key.peer_network);
        let far_account = change
            .link
            .as_deref()
            .and_then(|link| far_side_account(desired, link, change.account.as_deref()));
        let warnings = match (peer, far_account) {
            (Some((owner, peer)), _) => {
                let mut warnings = peer_warnings(owner.as_deref(), peer, local);
                if let Some(account) = undeclared_other_half(target.key, owner, desired, observed) {
                    warnings.push(Warning::PeerHalfMissing { account });
                }
                warnings
            }
            // A link names the account its far network is in; that account does not have it.
            (None, Some(account)) => vec![Warning::PeerNetworkNotFound {
                network: target.key.peer_network,
                account,
            }],
            // A peer outside the file's accounts (Aiven, another team): nothing to tell.
            (None, None) => Vec::new(),
        };
        change.warnings.extend(warnings);
    }
}

/// For a peering waiting for its peer: the declared account that holds the peer network but
/// not the reverse half.
fn missing_other_half(
    peering: &Peering,
    networks: &BTreeMap<NetworkId, (&Option<String>, &Network)>,
    observed: &BTreeMap<Option<String>, Observed>,
) -> Option<String> {
    if peering.state != PeeringState::PendingPeer {
        return None;
    }
    let (owner, _) = networks.get(&peering.key.peer_network)?;
    let reverse = peering.key.reverse();
    let has_half = observed
        .get(*owner)
        .is_some_and(|seen| seen.peerings.iter().any(|p| p.key == reverse));
    if has_half {
        return None;
    }
    (*owner).clone()
}

/// For a create towards a network of a declared account: that account, if neither the file nor
/// the account has the reverse half, so the peering would wait for it forever.
fn undeclared_other_half(
    key: PeeringKey,
    owner: &Option<String>,
    desired: &Desired,
    observed: &BTreeMap<Option<String>, Observed>,
) -> Option<String> {
    let account = owner.as_deref()?;
    let reverse = key.reverse();
    let declared = desired.peerings_of(Some(account)).any(|p| p.key == reverse);
    let exists = observed
        .get(owner)
        .is_some_and(|seen| seen.peerings.iter().any(|p| p.key == reverse));
    (!declared && !exists).then(|| account.to_owned())
}

/// The account of the other half of `link`.
fn far_side_account(desired: &Desired, link: &str, this_account: Option<&str>) -> Option<String> {
    desired
        .peerings
        .iter()
        .filter(|half| half.link.as_deref() == Some(link))
        .find(|half| half.account.as_deref() != this_account)
        .and_then(|half| half.account.clone())
}

fn peer_warnings(owner: Option<&str>, peer: &Network, local: Option<&Network>) -> Vec<Warning> {
    let account = owner.unwrap_or("this account").to_owned();
    let mut warnings = Vec::new();
    if peer.kind != NetworkType::Private {
        warnings.push(Warning::PeerNetworkNotPrivate {
            network: peer.id,
            name: peer.name.clone(),
            kind: peer.kind.clone(),
            account: account.clone(),
        });
    }
    if peer.router.is_none() {
        warnings.push(Warning::PeerNetworkNoRouter {
            network: peer.id,
            name: peer.name.clone(),
            account: account.clone(),
        });
    }
    if let Some(local) = local {
        if any_overlap(&local.ranges, &peer.ranges) {
            warnings.push(Warning::RangesOverlap {
                name: local.name.clone(),
                peer_name: peer.name.clone(),
                ranges: overlapping(local, peer),
            });
        }
    }
    warnings
}

/// The pairs of ranges that overlap, as `a overlaps b`.
fn overlapping(local: &Network, peer: &Network) -> String {
    let pairs: Vec<String> = local
        .ranges
        .iter()
        .flat_map(|a| {
            peer.ranges
                .iter()
                .filter(|b| a.overlaps(b))
                .map(move |b| format!("{a} overlaps {b}"))
        })
        .collect();
    pairs.join(", ")
}
