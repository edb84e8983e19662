//! One UpCloud account declared twice: two `[accounts.NAME]` tables whose credentials reach the
//! same account (the same token, or two API users of one main account). Each account's plan
//! would then see the other's peerings as its own, and with `prune = true` delete them, every
//! run. Reads that share any network or peering UUID give it away, before anything is written.
//!
//! Only private networks count: the API also lists the zones' public (and utility) networks,
//! which are the platform's rather than an account's, so two different accounts may well see
//! the same ones. [I] This is the one place to change should the API list other shared
//! networks.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::model::{NetworkId, NetworkType, PeeringId};

use super::Observed;

/// How many shared things a message names before it says how many more there are.
const NAMED: usize = 3;

/// Two declared accounts that read as one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredTwice {
    /// The file's names for the two accounts, in name order.
    pub accounts: (String, String),
    /// The private networks both read: UUID and name.
    pub networks: Vec<(NetworkId, String)>,
    /// The peerings both read: UUID and name.
    pub peerings: Vec<(PeeringId, String)>,
}

/// Every pair of declared accounts whose reads share a private network or a peering.
pub fn declared_twice(observed: &BTreeMap<Option<String>, Observed>) -> Vec<DeclaredTwice> {
    let accounts: Vec<(&str, &Observed)> = observed
        .iter()
        .filter_map(|(account, seen)| Some((account.as_deref()?, seen)))
        .collect();
    let mut found = Vec::new();
    for (i, (first, a)) in accounts.iter().enumerate() {
        for (second, b) in &accounts[i + 1..] {
            let networks = shared_networks(a, b);
            let peerings = shared_peerings(a, b);
            if !networks.is_empty() || !peerings.is_empty() {
                found.push(DeclaredTwice {
                    accounts: ((*first).to_owned(), (*second).to_owned()),
                    networks,
                    peerings,
                });
            }
        }
    }
    found
}

fn shared_networks(a: &Observed, b: &Observed) -> Vec<(NetworkId, String)> {
    let private = |seen: &Observed| -> BTreeSet<NetworkId> {
        seen.networks
            .iter()
            .filter(|network| network.kind == NetworkType::Private)
            .map(|network| network.id)
            .collect()
    };
    let theirs = private(b);
    let mut shared: Vec<(NetworkId, String)> = a
        .networks
        .iter()
        .filter(|network| network.kind == NetworkType::Private && theirs.contains(&network.id))
        .map(|network| (network.id, network.name.clone()))
        .collect();
    shared.sort();
    shared.dedup();
    shared
}

fn shared_peerings(a: &Observed, b: &Observed) -> Vec<(PeeringId, String)> {
    let theirs: BTreeSet<PeeringId> = b.peerings.iter().map(|peering| peering.id).collect();
    let mut shared: Vec<(PeeringId, String)> = a
        .peerings
        .iter()
        .filter(|peering| theirs.contains(&peering.id))
        .map(|peering| (peering.id, peering.name.clone()))
        .collect();
    shared.sort();
    shared.dedup();
    shared
}

impl fmt::Display for DeclaredTwice {
    /// `accounts prod and shared are one UpCloud account: both read network "app"
    /// (1111...), peering "b-1" (2222...) and 3 more`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let things: Vec<String> = self
            .networks
            .iter()
            .map(|(id, name)| format!("network {name:?} ({id})"))
            .chain(
                self.peerings
                    .iter()
                    .map(|(id, name)| format!("peering {name:?} ({id})")),
            )
            .collect();
        let (first, second) = &self.accounts;
        write!(
            f,
            "accounts {first} and {second} are one UpCloud account: both read {}",
            listed(&things)
        )
    }
}

/// `a`, `a and b`, `a, b and c`, or `a, b, c and 4 more`.
fn listed(things: &[String]) -> String {
    let (named, more) = things.split_at(things.len().min(NAMED));
    if !more.is_empty() {
        return format!("{} and {} more", named.join(", "), more.len());
    }
    match named.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ConfiguredStatus, Network, Peering, PeeringKey, PeeringState};

    fn network(n: u128, kind: NetworkType) -> Network {
        Network {
            id: NetworkId(uuid::Uuid::from_u128(n)),
            name: format!("net {n}"),
            kind,
            zone: "fi-hel1".into(),
            router: None,
            ranges: vec![],
            servers: vec![],
        }
    }

    fn peering(n: u128) -> Peering {
        Peering {
            account: None,
            id: PeeringId(uuid::Uuid::from_u128(0xaaaa + n)),
            name: format!("peering {n}"),
            key: PeeringKey {
                network: NetworkId(uuid::Uuid::from_u128(n)),
                peer_network: NetworkId(uuid::Uuid::from_u128(99)),
            },
            configured_status: ConfiguredStatus::Active,
            state: PeeringState::Active,
            labels: Default::default(),
        }
    }

    fn accounts(seen: [(&str, Observed); 3]) -> BTreeMap<Option<String>, Observed> {
        seen.into_iter()
            .map(|(name, seen)| (Some(name.to_owned()), seen))
            .collect()
    }

    #[test]
    fn accounts_that_share_a_private_network_or_a_peering_are_one() {
        let public = network(50, NetworkType::Public);
        let prod = Observed {
            networks: vec![network(1, NetworkType::Private), public.clone()],
            peerings: vec![peering(1)],
            ..Observed::default()
        };
        let other = Observed {
            networks: vec![network(2, NetworkType::Private), public],
            peerings: vec![peering(2)],
            ..Observed::default()
        };
        let found = declared_twice(&accounts([
            ("other", other),
            ("prod", prod.clone()),
            ("shared", prod),
        ]));
        assert_eq!(
            found.len(),
            1,
            "the public network alone says nothing: {found:?}"
        );
        assert_eq!(found[0].accounts, ("prod".into(), "shared".into()));
        assert_eq!(found[0].networks.len(), 1);
        assert_eq!(found[0].peerings.len(), 1);
        assert_eq!(
            found[0].to_string(),
            "accounts prod and shared are one UpCloud account: both read network \"net 1\" \
             (00000000-0000-0000-0000-000000000001) and peering \"peering 1\" \
             (00000000-0000-0000-0000-00000000aaab)"
        );
    }

    #[test]
    fn a_shared_private_network_alone_or_a_shared_peering_alone_is_enough() {
        let with = |networks: Vec<Network>, peerings: Vec<Peering>| Observed {
            networks,
            peerings,
            ..Observed::default()
        };
        let private = |n| network(n, NetworkType::Private);
        // "a" and "b" share only a network (an account without peerings yet); "c" and "d" only
        // a peering, whose networks each lists under another UUID (as a sub-account might).
        let found = declared_twice(&accounts([
            ("a", with(vec![private(1)], vec![])),
            ("b", with(vec![private(1)], vec![])),
            ("z", with(vec![private(3)], vec![peering(3)])),
        ]));
        let pairs: Vec<_> = found.iter().map(|d| d.accounts.clone()).collect();
        assert_eq!(pairs, [("a".to_owned(), "b".to_owned())]);
        let found = declared_twice(&accounts([
            ("c", with(vec![private(4)], vec![peering(1)])),
            ("d", with(vec![private(5)], vec![peering(1)])),
            ("z", with(vec![private(3)], vec![peering(3)])),
        ]));
        let pairs: Vec<_> = found.iter().map(|d| d.accounts.clone()).collect();
        assert_eq!(pairs, [("c".to_owned(), "d".to_owned())]);
    }

    #[test]
    fn the_account_of_a_file_without_accounts_is_never_compared() {
        let seen = Observed {
            networks: vec![network(1, NetworkType::Private)],
            peerings: vec![],
            ..Observed::default()
        };
        let observed = BTreeMap::from([(None, seen.clone()), (Some("a".to_owned()), seen)]);
        assert!(declared_twice(&observed).is_empty());
    }

    #[test]
    fn long_lists_say_how_many_more() {
        let things: Vec<String> = (1..=5).map(|n| n.to_string()).collect();
        assert_eq!(listed(&things[..1]), "1");
        assert_eq!(listed(&things[..2]), "1 and 2");
        assert_eq!(listed(&things[..3]), "1, 2 and 3");
        assert_eq!(listed(&things), "1, 2, 3 and 2 more");
    }
}
