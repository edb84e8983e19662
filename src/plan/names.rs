//! How output names networks: the file's aliases where it has them, else the accounts' own
//! names; and which of the accounts read holds each, so that output can say who must act on
//! it. Worked out with the plan, from the same desired and observed state, so that the
//! applier's advice and every renderer name a network alike.

use std::collections::BTreeMap;

use crate::config::Desired;
use crate::model::NetworkId;

use super::Observed;

/// How output names a network: the file's alias where it has one, else the account's name for
/// it, always with the UUID.
#[derive(Debug, Clone, Default)]
pub struct NetworkNames {
    names: BTreeMap<NetworkId, String>,
    /// The account read that holds each network (`None`: the account of a file without
    /// accounts). A network in none of them (Aiven's, another team's) is not here.
    holders: BTreeMap<NetworkId, Option<String>>,
}

impl NetworkNames {
    /// Names from every account read: the file's global aliases first, then its per-account
    /// aliases (as `account:alias`), then the accounts' own names for their networks.
    pub fn across<'o>(desired: &Desired, observed: impl IntoIterator<Item = &'o Observed>) -> Self {
        let mut names: BTreeMap<NetworkId, String> = observed
            .into_iter()
            .flat_map(|seen| seen.networks.iter())
            .map(|network| (network.id, network.name.clone()))
            .collect();
        // Inserted in reverse alphabetical order, so the first alias of a UUID wins.
        for (account, aliases) in desired.account_aliases.iter().rev() {
            for (alias, id) in aliases.iter().rev() {
                names.insert(*id, format!("{account}:{alias}"));
            }
        }
        for (alias, id) in desired.aliases.iter().rev() {
            names.insert(*id, alias.clone());
        }
        NetworkNames {
            names,
            holders: BTreeMap::new(),
        }
    }

    /// [`NetworkNames::across`] the accounts read, knowing which holds each network.
    pub fn of_accounts(desired: &Desired, observed: &BTreeMap<Option<String>, Observed>) -> Self {
        let mut names = NetworkNames::across(desired, observed.values());
        names.holders = observed
            .iter()
            .flat_map(|(account, seen)| seen.networks.iter().map(move |n| (n.id, account.clone())))
            .collect();
        names
    }

    pub fn name(&self, id: NetworkId) -> Option<&str> {
        self.names.get(&id).map(String::as_str)
    }

    /// The account read that holds the network: `Some(None)` for the account of a file without
    /// accounts, `None` for a network in none of them.
    pub fn holder(&self, id: NetworkId) -> Option<Option<&str>> {
        self.holders.get(&id).map(Option::as_deref)
    }

    /// `app-hel1 (03126dc1-...)`, or the bare UUID for a network without a name.
    pub fn describe(&self, id: NetworkId) -> String {
        match self.name(id) {
            Some(name) => format!("{name} ({id})"),
            None => id.to_string(),
        }
    }
}
