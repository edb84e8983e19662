//! What the file asks for, after loading and validation: every alias resolved, every value checked.

use std::collections::BTreeMap;

use crate::model::{ConfiguredStatus, ConnectionKey, Labels, NetworkId, PeeringKey, VpcRef};

/// The desired state of the peerings of the account from the environment, or, when the file
/// declares `[accounts.NAME]` tables, of those accounts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Desired {
    /// `prune = true`: owned peerings the file no longer lists are deleted (in every account the
    /// file declares).
    pub prune: bool,
    /// `owner = "ID"`: the name under which this file owns peerings, so that several files (or
    /// pipelines) can manage one account without touching each other's. `None`: the file owns
    /// the peerings labelled `managed-by = peerings` that carry no owner.
    pub owner: Option<String>,
    /// The `[networks]` table: alias -> UUID. Kept so that output can name networks the way the
    /// file does. Only the global aliases; see [`Desired::account_aliases`] for the others.
    pub aliases: BTreeMap<String, NetworkId>,
    /// In file order. A `[[link]]` contributes its two halves, `a`'s side first, at the link's
    /// place in the file.
    pub peerings: Vec<DesiredPeering>,
    /// The `[accounts.NAME]` tables, by name. Empty for a file without accounts: then every
    /// peering belongs to the account from the environment, as before accounts existed.
    pub accounts: BTreeMap<String, AccountSpec>,
    /// `default_account = "NAME"`: the account of a `[[peering]]` that names none. Always one of
    /// [`Desired::accounts`]. Already applied to each peering's `account`.
    pub default_account: Option<String>,
    /// The `[accounts.NAME.networks]` tables: account -> alias -> UUID. In the file such an alias
    /// is written `NAME:alias`, or bare where that is unambiguous (see the module docs of
    /// `config`). Accounts without aliases are left out.
    pub account_aliases: BTreeMap<String, BTreeMap<String, NetworkId>>,
    /// The `[aiven]` table: how to reach Aiven's API. Its presence also says that the file
    /// manages Aiven connections, which prune then deletes with their UpCloud halves.
    pub aiven: Option<AivenSpec>,
    /// The `[[aiven_peering]]` tables, in file order.
    pub aiven_peerings: Vec<DesiredAivenPeering>,
}

/// The `[aiven]` table. Like an account's, it names the variable holding the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AivenSpec {
    /// `token_env`, `AIVEN_TOKEN` when left out.
    pub token_env: String,
    /// `api_url`: an `http(s)://` API root, or `sim:STATE.json`. `None`: `AIVEN_API_URL`, else
    /// Aiven's own root.
    pub api_url: Option<String>,
}

/// An `[[aiven_peering]]`: the Aiven half (a peering connection of `vpc` to `network`) and the
/// UpCloud half (from `network` to the VPC's network, the "Aiven network ID"), planned together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredAivenPeering {
    /// The UpCloud half's name; unique in the file, like every peering's.
    pub name: String,
    pub vpc: VpcRef,
    /// The customer's network: the UpCloud half's local network, and Aiven's `peer_vpc`.
    pub network: NetworkId,
    /// The Aiven network ID, when the file gives it; otherwise it is learnt from the Aiven half.
    pub aiven_network: Option<NetworkId>,
    /// The account of the UpCloud half, as for a `[[peering]]`.
    pub account: Option<String>,
    /// The UpCloud half's.
    pub configured_status: ConfiguredStatus,
    /// The UpCloud half's, besides the ownership labels and `aiven-project` and `aiven-vpc`.
    pub labels: Labels,
}

impl DesiredAivenPeering {
    /// Its Aiven half's identity.
    pub fn connection(&self) -> ConnectionKey {
        ConnectionKey {
            vpc: self.vpc.clone(),
            network: self.network,
        }
    }
}

/// The keys of a `[[peering]]` table, for spotting them where they do not belong.
pub(super) const PEERING_KEYS: [&str; 5] = [
    "name",
    "network",
    "peer_network",
    "configured_status",
    "labels",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredPeering {
    pub name: String,
    pub key: PeeringKey,
    pub configured_status: ConfiguredStatus,
    /// The file's own labels; the ownership labels `managed-by` and `peerings-owner` are never
    /// among them (the loader rejects them).
    pub labels: Labels,
    /// The account the peering is created in, with `default_account` applied: always a key of
    /// [`Desired::accounts`] when the file declares accounts, and `None` when it declares none
    /// (the account from the environment).
    pub account: Option<String>,
    /// For one half of a `[[link]]`: the link's name, shared by both halves, so that output can
    /// show them together. `None` for a `[[peering]]`.
    pub link: Option<String>,
}

/// One `[accounts.NAME]` table: how to reach the account. The file holds only the names of
/// environment variables, never the secrets themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSpec {
    pub credentials: AccountCredentials,
    /// `api_url`, like `--api-url`: an `http(s)://` API root, or `sim:STATE.json` for the
    /// embedded simulator. `None`: whatever `--api-url` says (or its default).
    pub api_url: Option<String>,
}

/// Which environment variables hold an account's credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountCredentials {
    /// `token_env = "VAR"`: an API token.
    Token { env: String },
    /// `username_env = "VAR"` and `password_env = "VAR"`: an API user's name and password.
    Basic {
        username_env: String,
        password_env: String,
    },
}

impl Desired {
    /// Whether the file declares `[accounts.NAME]` tables. If not, every peering's `account` is
    /// `None` and the file means the account from the environment.
    pub fn uses_accounts(&self) -> bool {
        !self.accounts.is_empty()
    }

    /// The peerings of one account (`None`: those of a file without accounts), in file order.
    pub fn peerings_of<'s>(
        &'s self,
        account: Option<&'s str>,
    ) -> impl Iterator<Item = &'s DesiredPeering> + 's {
        self.peerings
            .iter()
            .filter(move |peering| peering.account.as_deref() == account)
    }
}
