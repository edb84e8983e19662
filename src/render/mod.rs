//! Turning plans and apply reports into text. One module per output format, all fed the same
//! values; none of them decides anything.

pub mod events;
pub mod human;
pub mod json;
pub mod markdown;

use std::collections::BTreeMap;

use crate::config::Desired;
use crate::model::NetworkId;
use crate::plan::Observed;

/// How output names a network: the file's alias where it has one, else the account's name for
/// it, always with the UUID.
#[derive(Debug, Clone, Default)]
pub struct NetworkNames(BTreeMap<NetworkId, String>);

impl NetworkNames {
    pub fn new(desired: &Desired, observed: &Observed) -> Self {
        let mut names: BTreeMap<NetworkId, String> = observed
            .networks
            .iter()
            .map(|network| (network.id, network.name.clone()))
            .collect();
        // Aliases are inserted in alphabetical order; the first alias of a UUID wins.
        for (alias, id) in desired.aliases.iter().rev() {
            names.insert(*id, alias.clone());
        }
        NetworkNames(names)
    }

    pub fn name(&self, id: NetworkId) -> Option<&str> {
        self.0.get(&id).map(String::as_str)
    }

    /// `app-hel1 (03126dc1-...)`, or the bare UUID for a network without a name.
    pub fn describe(&self, id: NetworkId) -> String {
        match self.name(id) {
            Some(name) => format!("{name} ({id})"),
            None => id.to_string(),
        }
    }
}
