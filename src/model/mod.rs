//! The program's own vocabulary: what a network, a peering and its states are, independent of
//! both the file format (`config`) and the API's wire format (`upcloud::wire`).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

/// The label every peering this tool creates carries, and by which it recognises its own.
pub const MANAGED_BY_KEY: &str = "managed-by";
pub const MANAGED_BY_VALUE: &str = "peerings";
/// The label that says which file manages a peering: the file's `owner`. Peerings of a file
/// without an owner do not carry it. Which file owns what is decided in `plan::ownership`.
pub const OWNER_KEY: &str = "peerings-owner";

/// Which API a half of a peering is made through. Its name is what scripts read as `platform`
/// (pinned).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Platform {
    Upcloud,
    Aiven,
}

impl Platform {
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Upcloud => "upcloud",
            Platform::Aiven => "aiven",
        }
    }
}

impl serde::Serialize for Platform {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Labels by key. A `BTreeMap` so that comparison ignores order and output is sorted.
pub type Labels = BTreeMap<String, String>;

/// The only UUID form the API uses, and so the only one the file accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a UUID of the form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx")]
pub struct InvalidUuid;

fn parse_hyphenated_uuid(s: &str) -> Result<Uuid, InvalidUuid> {
    if s.len() != 36 {
        return Err(InvalidUuid);
    }
    Uuid::try_parse(s).map_err(|_| InvalidUuid)
}

/// A network's UUID. Displayed in canonical lowercase form, which is also how it compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NetworkId(pub Uuid);

/// A peering's UUID, as assigned by the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PeeringId(pub Uuid);

/// A server's UUID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ServerId(pub Uuid);

macro_rules! uuid_newtype {
    ($name:ident) => {
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = InvalidUuid;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                parse_hyphenated_uuid(s).map(Self)
            }
        }
    };
}
uuid_newtype!(NetworkId);
uuid_newtype!(PeeringId);
uuid_newtype!(ServerId);

/// What identifies a peering: its local network and its peer network. The API allows one
/// peering per pair in an account, so this is the key the differ matches on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PeeringKey {
    pub network: NetworkId,
    pub peer_network: NetworkId,
}

impl PeeringKey {
    /// The key of the other half: from the peer network towards this one.
    pub fn reverse(self) -> PeeringKey {
        PeeringKey {
            network: self.peer_network,
            peer_network: self.network,
        }
    }
}

/// What the owner asks for: the peering administratively up or down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum ConfiguredStatus {
    #[default]
    Active,
    Disabled,
}

impl ConfiguredStatus {
    pub const ALL: [ConfiguredStatus; 2] = [ConfiguredStatus::Active, ConfiguredStatus::Disabled];

    pub fn as_str(self) -> &'static str {
        match self {
            ConfiguredStatus::Active => "active",
            ConfiguredStatus::Disabled => "disabled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == s)
    }
}

impl fmt::Display for ConfiguredStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of states an API spells as strings: the known ones, each with its spelling, and
/// `Unknown` keeping any other string as it is, so that a new state on the API's side is shown
/// rather than rejected.
macro_rules! api_states {
    ($(#[$doc:meta])* $name:ident { $($(#[$variant_doc:meta])* $variant:ident => $text:literal,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $($(#[$variant_doc])* $variant,)*
            Unknown(String),
        }

        impl $name {
            const KNOWN: &[($name, &'static str)] = &[$(($name::$variant, $text),)*];

            pub fn from_api(s: &str) -> Self {
                Self::KNOWN
                    .iter()
                    .find(|(_, name)| *name == s)
                    .map(|(state, _)| state.clone())
                    .unwrap_or_else(|| $name::Unknown(s.to_owned()))
            }

            pub fn as_str(&self) -> &str {
                match self {
                    $name::Unknown(s) => s,
                    known => Self::KNOWN
                        .iter()
                        .find(|(state, _)| state == known)
                        .map_or("", |(_, name)| name),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

api_states! {
    /// What the platform reports about a peering.
    PeeringState {
        Provisioning => "provisioning",
        PendingPeer => "pending-peer",
        Active => "active",
        Disabled => "disabled",
        PeerDisabled => "peer-disabled",
        ConflictSubnet => "conflict-subnet",
        MissingLocalRouter => "missing-local-router",
        MissingPeerRouter => "missing-peer-router",
        DeletedPeerNetwork => "deleted-peer-network",
        Error => "error",
    }
}

impl PeeringState {
    /// The state in words a person understands, with what to do about it where that is known.
    pub fn explanation(&self) -> &'static str {
        match self {
            PeeringState::Provisioning => "being set up by UpCloud; wait a moment",
            PeeringState::PendingPeer => {
                "waiting for the peer side to create its half; for Aiven, that is the peering connection in the Aiven project VPC"
            }
            PeeringState::Active => "established both ways; traffic flows",
            PeeringState::Disabled => "disabled on this side",
            PeeringState::PeerDisabled => "the peer side disabled its half",
            PeeringState::ConflictSubnet => {
                "the two networks' address ranges overlap; change one of them"
            }
            PeeringState::MissingLocalRouter => "the local network has no router; attach one to it",
            PeeringState::MissingPeerRouter => {
                "the peer network has no router; its owner must attach one"
            }
            PeeringState::DeletedPeerNetwork => "the peer network was deleted",
            PeeringState::Error => "UpCloud reports an error; contact UpCloud support",
            PeeringState::Unknown(_) => "a state this version of peerings does not know",
        }
    }
}

/// A network's type as the API reports it. Only `private` networks can be peered.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NetworkType {
    Private,
    Public,
    Utility,
    Other(String),
}

impl NetworkType {
    pub fn from_api(s: &str) -> Self {
        match s {
            "private" => NetworkType::Private,
            "public" => NetworkType::Public,
            "utility" => NetworkType::Utility,
            other => NetworkType::Other(other.to_owned()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            NetworkType::Private => "private",
            NetworkType::Public => "public",
            NetworkType::Utility => "utility",
            NetworkType::Other(s) => s,
        }
    }
}

impl fmt::Display for NetworkType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A peering as it exists in an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peering {
    /// The file's name for the account it is in; `None` for the one account of a file that
    /// declares none.
    pub account: Option<String>,
    pub id: PeeringId,
    pub name: String,
    pub key: PeeringKey,
    pub configured_status: ConfiguredStatus,
    pub state: PeeringState,
    pub labels: Labels,
}

/// A network as it exists in an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    pub id: NetworkId,
    pub name: String,
    pub kind: NetworkType,
    pub zone: String,
    /// The attached router's UUID, if any. A peering needs one on each side.
    pub router: Option<String>,
    /// Its address ranges. Two peered networks' ranges must not overlap.
    pub ranges: Vec<crate::cidr::Cidr>,
    /// The servers attached to it, as the API lists them. Those already there when a peering
    /// becomes active learn its route only when they renew their DHCP lease.
    pub servers: Vec<AttachedServer>,
}

/// A server attached to a network, as the network lists it. Ordered by title, then UUID.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AttachedServer {
    pub title: String,
    pub id: ServerId,
}

impl AttachedServer {
    /// How output names it: its title, or its UUID when it has none.
    pub fn label(&self) -> String {
        if self.title.is_empty() {
            self.id.to_string()
        } else {
            self.title.clone()
        }
    }
}

/// The writable fields of a peering, as a create sends them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeeringSpec {
    pub name: String,
    pub key: PeeringKey,
    pub configured_status: ConfiguredStatus,
    pub labels: Labels,
}

/// The fields a modify changes; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeeringPatch {
    pub name: Option<String>,
    pub configured_status: Option<ConfiguredStatus>,
    pub labels: Option<Labels>,
}

// After the macros, which it uses.
mod aiven;

pub use aiven::{
    AIVEN_PROJECT_KEY, AIVEN_VPC_KEY, AivenConnection, AivenVpc, ConnectionKey, ConnectionState,
    ConnectionWarning, VpcId, VpcRef, VpcState,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_compare_in_canonical_lowercase_form() {
        let upper: NetworkId = "03126DC1-A69F-4BC2-8B24-E31C22D64712".parse().unwrap();
        let lower: NetworkId = "03126dc1-a69f-4bc2-8b24-e31c22d64712".parse().unwrap();
        assert_eq!(upper, lower);
        assert_eq!(upper.to_string(), "03126dc1-a69f-4bc2-8b24-e31c22d64712");
    }

    #[test]
    fn only_the_hyphenated_form_is_a_uuid() {
        assert!(
            "03126dc1a69f4bc28b24e31c22d64712"
                .parse::<NetworkId>()
                .is_err()
        );
        assert!(
            "{03126dc1-a69f-4bc2-8b24-e31c22d64712}"
                .parse::<NetworkId>()
                .is_err()
        );
        assert!(
            "03126dc1-a69f-4bc2-8b24-e31c22d6471"
                .parse::<NetworkId>()
                .is_err()
        );
    }

    #[test]
    fn states_round_trip_and_unknown_ones_are_kept() {
        // The API's words written out here, not read from `KNOWN`: a table with two names
        // swapped still round-trips through itself, but not to these.
        let states = [
            (PeeringState::Provisioning, "provisioning"),
            (PeeringState::PendingPeer, "pending-peer"),
            (PeeringState::Active, "active"),
            (PeeringState::Disabled, "disabled"),
            (PeeringState::PeerDisabled, "peer-disabled"),
            (PeeringState::ConflictSubnet, "conflict-subnet"),
            (PeeringState::MissingLocalRouter, "missing-local-router"),
            (PeeringState::MissingPeerRouter, "missing-peer-router"),
            (PeeringState::DeletedPeerNetwork, "deleted-peer-network"),
            (PeeringState::Error, "error"),
        ];
        assert_eq!(states.len(), PeeringState::KNOWN.len(), "every known state");
        for (state, name) in states {
            assert_eq!(PeeringState::from_api(name), state, "{name}");
            assert_eq!(state.as_str(), name);
            assert_eq!(state.to_string(), name);
        }
        let odd = PeeringState::from_api("half-moon");
        assert_eq!(odd, PeeringState::Unknown("half-moon".into()));
        assert_eq!(odd.to_string(), "half-moon");
    }
}
