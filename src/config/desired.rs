//! What the file asks for, after loading and validation: every alias resolved, every value checked.

use std::collections::BTreeMap;

use crate::model::{ConfiguredStatus, Labels, NetworkId, PeeringKey};

/// The desired state of one account's peerings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Desired {
    /// `prune = true`: owned peerings the file no longer lists are deleted.
    pub prune: bool,
    /// The `[networks]` table: alias -> UUID. Kept so that output can name networks the way the
    /// file does.
    pub aliases: BTreeMap<String, NetworkId>,
    /// In file order.
    pub peerings: Vec<DesiredPeering>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredPeering {
    pub name: String,
    pub key: PeeringKey,
    pub configured_status: ConfiguredStatus,
    /// The file's own labels; `managed-by` is never among them (the loader rejects it).
    pub labels: Labels,
}

impl Desired {
    /// The alias the file gives a network, if any (the first in alphabetical order when a UUID has
    /// several).
    pub fn alias_of(&self, network: NetworkId) -> Option<&str> {
        self.aliases
            .iter()
            .find(|(_, id)| **id == network)
            .map(|(alias, _)| alias.as_str())
    }
}
