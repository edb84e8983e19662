//! The simulated platform: accounts, routers, networks and peerings. A `World` is plain data;
//! it is what the state file holds, and what a world file describes. The states of its peerings
//! are derived from it, in `state`.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::aiven::AivenCloud;
use super::faults::Faults;
use crate::cidr::Cidr;
use crate::upcloud::wire::Label;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct World {
    /// The account whose credentials `sim:` mode uses when the environment has none.
    pub default_account: String,
    /// By account name.
    pub accounts: BTreeMap<String, SimAccount>,
    pub routers: Vec<SimRouter>,
    pub networks: Vec<SimNetwork>,
    /// The UUIDs of networks deleted through the API. Peerings of other accounts may still
    /// name one as their peer network (their state is `deleted-peer-network`), and none is
    /// handed out again.
    #[serde(default)]
    pub deleted_networks: Vec<Uuid>,
    /// In creation order, which is the order the list endpoint answers in.
    pub peerings: Vec<SimPeering>,
    /// How many UUIDs this world has generated: the next one derives from this count, so a
    /// run from the same world assigns the same UUIDs.
    pub uuids_generated: u64,
    /// How long a peering is `provisioning` after a create or a change of its
    /// `configured_status`; 0 means never. A simulator starts with it and may override it.
    #[serde(default)]
    pub provisioning_ms: u64,
    /// The faults a simulator starts with; it may override them.
    #[serde(default)]
    pub faults: Faults,
    /// Aiven's API: its tokens, project VPCs and their peering connections.
    #[serde(default)]
    pub aiven: AivenCloud,
}

/// How an account signs in: an API token, or an API user's name and password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SimCredentials {
    Token(String),
    Basic { username: String, password: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimAccount {
    pub credentials: SimCredentials,
    /// Whether this account, like a cooperative peer (Aiven, another team), creates its half
    /// of a peering as soon as someone else creates theirs towards one of its networks.
    pub auto_peer: bool,
    /// The credentials of its sub-accounts: other API users of the same main account, who see
    /// and change the same resources (as UpCloud's sub-accounts with full permissions do).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sub_accounts: Vec<SimCredentials>,
}

impl SimAccount {
    /// Every set of credentials that signs in as this account: its own, then its sub-accounts'.
    pub fn all_credentials(&self) -> impl Iterator<Item = &SimCredentials> {
        std::iter::once(&self.credentials).chain(&self.sub_accounts)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimRouter {
    pub uuid: Uuid,
    pub name: String,
    pub account: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NetworkKind {
    #[default]
    Private,
    Public,
    Utility,
}

impl NetworkKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NetworkKind::Private => "private",
            NetworkKind::Public => "public",
            NetworkKind::Utility => "utility",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimNetwork {
    pub uuid: Uuid,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: NetworkKind,
    pub zone: String,
    pub router: Option<Uuid>,
    pub ip_networks: Vec<Cidr>,
    pub account: String,
    pub labels: Vec<Label>,
    /// The servers attached to it, which the network lists. A server on several networks is
    /// listed by each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub servers: Vec<SimServer>,
}

/// A server of the network's account, as the networks it is attached to list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimServer {
    pub uuid: Uuid,
    pub title: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SimConfiguredStatus {
    #[default]
    Active,
    Disabled,
}

impl SimConfiguredStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SimConfiguredStatus::Active => "active",
            SimConfiguredStatus::Disabled => "disabled",
        }
    }

    /// The API's spelling, exactly: `active` or `disabled` \[C\].
    pub fn from_api(text: &str) -> Option<SimConfiguredStatus> {
        match text {
            "active" => Some(SimConfiguredStatus::Active),
            "disabled" => Some(SimConfiguredStatus::Disabled),
            _ => None,
        }
    }
}

/// One half of a peering: what one account created from its network towards a peer network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimPeering {
    pub uuid: Uuid,
    pub account: String,
    pub name: String,
    /// The local network, which belongs to `account`.
    pub network: Uuid,
    pub peer_network: Uuid,
    pub configured_status: SimConfiguredStatus,
    pub labels: Vec<Label>,
    /// Until when (wall-clock milliseconds since the Unix epoch) the platform is still
    /// carrying out the last create or change of `configured_status`; wall-clock so that it
    /// survives a restart from the state file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning_until: Option<u64>,
}

/// Fixed so that UUIDs are reproducible across runs; any value would do.
const UUID_SEED: u64 = 0x7065_6572_696e_6773;
const SPLITMIX_GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

/// The splitmix64 output function: a good 64-bit mix of a counter.
fn splitmix64(state: u64) -> u64 {
    let mut z = state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The `n`th UUID of the sequence every world shares: a version 4 UUID made of two splitmix64
/// outputs, so it looks like one the API would assign.
pub fn nth_uuid(n: u64) -> Uuid {
    let draw = |k: u64| splitmix64(UUID_SEED.wrapping_add(k.wrapping_mul(SPLITMIX_GAMMA)));
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&draw(2 * n + 1).to_be_bytes());
    bytes[8..].copy_from_slice(&draw(2 * n + 2).to_be_bytes());
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

impl World {
    /// The built-in demo world: the networks `peerings.toml.example` names, in three accounts.
    pub fn demo() -> World {
        World::from_toml(DEMO_WORLD).expect("the built-in demo world is a valid world file")
    }

    /// The token `sim:` mode uses for Aiven's API when the environment has none.
    pub fn default_aiven_token(&self) -> Option<&str> {
        self.aiven.tokens.first().map(|token| token.token.as_str())
    }

    /// The credentials of the default account.
    pub fn default_credentials(&self) -> Option<SimCredentials> {
        self.accounts
            .get(&self.default_account)
            .map(|account| account.credentials.clone())
    }

    pub fn peerings(&self) -> impl Iterator<Item = &SimPeering> {
        self.peerings.iter()
    }

    pub fn network(&self, uuid: Uuid) -> Option<&SimNetwork> {
        self.networks.iter().find(|network| network.uuid == uuid)
    }

    pub fn peering(&self, uuid: Uuid) -> Option<&SimPeering> {
        self.peerings.iter().find(|peering| peering.uuid == uuid)
    }

    /// The half of `account` from `network` towards `peer_network`, if it exists.
    pub fn peering_between(
        &self,
        account: &str,
        network: Uuid,
        peer_network: Uuid,
    ) -> Option<&SimPeering> {
        self.peerings.iter().find(|p| {
            p.account == account && p.network == network && p.peer_network == peer_network
        })
    }

    /// A fresh UUID, different from every UUID in the world.
    pub fn next_uuid(&mut self) -> Uuid {
        let in_use = self.uuids_in_use();
        loop {
            let uuid = nth_uuid(self.uuids_generated);
            self.uuids_generated += 1;
            if !in_use.contains(&uuid) {
                return uuid;
            }
        }
    }

    fn uuids_in_use(&self) -> HashSet<Uuid> {
        let routers = self.routers.iter().map(|r| r.uuid);
        let networks = self.networks.iter().map(|n| n.uuid);
        let deleted = self.deleted_networks.iter().copied();
        let peerings = self.peerings.iter().map(|p| p.uuid);
        let servers = self.servers().map(|(_, server)| server.uuid);
        routers
            .chain(networks)
            .chain(deleted)
            .chain(peerings)
            .chain(servers)
            .collect()
    }

    /// Every server with the network that lists it, once per network.
    pub fn servers(&self) -> impl Iterator<Item = (&SimNetwork, &SimServer)> {
        self.networks
            .iter()
            .flat_map(|network| network.servers.iter().map(move |server| (network, server)))
    }
}

/// The demo world, in the world file format documented in the module docs.
pub(in crate::sim) const DEMO_WORLD: &str = r#"
default_account = "demo"

[accounts.demo]
token = "ucat_demo_0000000000000000"

[accounts.aiven]
username = "aiven"
password = "aiven-demo-password"
auto_peer = true

[accounts.shared-services]
token = "ucat_shared_services_0000000"
auto_peer = true

# A second account of the same team, for examples/multi-account.toml: it creates its halves
# only when told to, as any account managed by peerings does.
[accounts.platform]
token = "ucat_platform_00000000000000"

[[router]]
account = "demo"
uuid = "8a6457ea-1ca3-470a-b508-4d4d38bf8d3e"
name = "demo-router-hel1"

[[router]]
account = "aiven"
uuid = "03d8f685-9719-4d7e-8e5e-3b1322a63f64"
name = "aiven-router-hel1"

[[router]]
account = "shared-services"
uuid = "7d518653-37c8-4d7a-98ad-5f5b316f5910"
name = "shared-services-router-hel1"

[[router]]
account = "platform"
uuid = "844e0e99-6b69-4776-8206-cc95a63bfd77"
name = "platform-router-hel1"

[[network]]
account = "demo"
uuid = "03126dc1-a69f-4bc2-8b24-e31c22d64712"
name = "app private network"
zone = "fi-hel1"
router = "8a6457ea-1ca3-470a-b508-4d4d38bf8d3e"
ip_networks = ["192.168.0.0/24", "fc02:c4f3::/64"]
servers = [
  { uuid = "00798b85-efdc-41ca-8021-f6ef457b8531", title = "web-1" },
  { uuid = "0077fa3d-32db-4b09-9f5f-30d9e9afb565", title = "web-2" },
]

[[network]]
account = "demo"
uuid = "88ac25ea-0b4f-424e-8668-82b747169590"
name = "backend private network"
zone = "fi-hel1"
router = "8a6457ea-1ca3-470a-b508-4d4d38bf8d3e"
ip_networks = ["10.10.0.0/24"]
servers = [
  { uuid = "00b7f6a4-5f2e-4c8c-9a0b-3c1d2e4f5a61", title = "api-1" },
  { uuid = "00b7f6a4-5f2e-4c8c-9a0b-3c1d2e4f5a62", title = "api-2" },
  { uuid = "00b7f6a4-5f2e-4c8c-9a0b-3c1d2e4f5a63", title = "worker-1" },
]

[[network]]
account = "demo"
uuid = "e3bacad0-78d5-4ffb-8d2a-c548e1ffe6f8"
name = "legacy private network"
zone = "fi-hel1"
ip_networks = ["10.20.0.0/24"]
servers = [{ uuid = "00c3d9e2-6a1b-4f7e-8d2c-5b4a3f2e1d01", title = "legacy-1" }]

[[network]]
account = "aiven"
uuid = "03585987-bf7d-4544-8e9b-5a1b4d74a333"
name = "aiven-project-vpc-hel1"
zone = "fi-hel1"
router = "03d8f685-9719-4d7e-8e5e-3b1322a63f64"
ip_networks = ["172.16.0.0/24"]

[[network]]
account = "shared-services"
uuid = "85a7e3cd-8ce4-4e86-b8f9-8e7958d5431e"
name = "shared services network"
zone = "fi-hel1"
router = "7d518653-37c8-4d7a-98ad-5f5b316f5910"
ip_networks = ["10.50.0.0/24"]
servers = [{ uuid = "00d4e1f3-7b2c-4a8f-9e3d-6c5b4a3f2e01", title = "ldap-1" }]

[[network]]
account = "platform"
uuid = "2c03fbbf-28db-43a2-923c-46166392fb53"
name = "platform network"
zone = "fi-hel1"
router = "844e0e99-6b69-4776-8206-cc95a63bfd77"
ip_networks = ["10.60.0.0/24"]
servers = [{ uuid = "00e5f2a4-8c3d-4b9a-8f4e-7d6c5b4a3f01", title = "ci-runner-1" }]

# Aiven's API: the project VPC `demo-project` on UpCloud, whose network is the one above in
# Aiven's own UpCloud account. `sim:` mode uses the token when AIVEN_TOKEN is not set.
[[aiven.token]]
token = "aiven-demo-token-0000000000"

[[aiven.vpc]]
project = "demo-project"
uuid = "5c1a2f0e-7b3d-4e8a-9f61-2d4b8c0e7a15"
network = "03585987-bf7d-4544-8e9b-5a1b4d74a333"
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_reproducible_distinct_and_version_4() {
        let first: Vec<Uuid> = (0..100).map(nth_uuid).collect();
        let again: Vec<Uuid> = (0..100).map(nth_uuid).collect();
        assert_eq!(first, again);
        assert_eq!(first.iter().collect::<HashSet<_>>().len(), 100);
        assert!(first.iter().all(|u| u.get_version_num() == 4));
    }

    #[test]
    fn a_world_hands_out_the_sequence_in_order_and_counts() {
        let mut world = World::demo();
        let start = world.uuids_generated;
        assert_eq!(world.next_uuid(), nth_uuid(start));
        assert_eq!(world.next_uuid(), nth_uuid(start + 1));
        assert_eq!(world.uuids_generated, start + 2);
    }

    #[test]
    fn a_world_skips_a_uuid_already_in_use() {
        let mut world = World::demo();
        let taken = nth_uuid(world.uuids_generated);
        world.routers[0].uuid = taken;
        assert_ne!(world.next_uuid(), taken);
    }

    #[test]
    fn the_demo_world_holds_exactly_the_networks_of_the_examples() {
        let example = include_str!("../../peerings.toml.example");
        let example: toml::Table = toml::from_str(example).unwrap();
        let mut named: Vec<String> = example["networks"]
            .as_table()
            .unwrap()
            .values()
            .map(|uuid| uuid.as_str().unwrap().to_owned())
            .collect();
        // The multi-account example adds the platform account's network.
        named.push("2c03fbbf-28db-43a2-923c-46166392fb53".to_owned());
        assert!(
            include_str!("../../examples/multi-account.toml").contains(&named[named.len() - 1])
        );
        named.sort();
        let mut demo: Vec<String> = World::demo()
            .networks
            .iter()
            .map(|n| n.uuid.to_string())
            .collect();
        demo.sort();
        assert_eq!(named, demo);
    }

    /// The module docs name the demo world's accounts, in the sentence that starts "Without
    /// `--world`"; they must be exactly the accounts it has.
    #[test]
    fn the_module_docs_name_the_demo_worlds_accounts() {
        let docs = include_str!("mod.rs");
        let sentence = docs
            .split("//! Without `--world`")
            .nth(1)
            .and_then(|rest| rest.split("with a few servers").next())
            .expect("the sentence about the demo world");
        let sentence = sentence
            .split("in the accounts")
            .nth(1)
            .expect("its accounts");
        let mut named: Vec<&str> = sentence
            .split('`')
            .skip(1)
            .step_by(2)
            .filter(|word| !word.starts_with("ucat_"))
            .collect();
        named.sort_unstable();
        let demo = World::demo();
        let accounts: Vec<&str> = demo.accounts.keys().map(String::as_str).collect();
        assert_eq!(named, accounts);
        assert!(
            sentence.contains(&format!("`{}` (the", demo.default_account)),
            "the default account is named as such: {sentence}"
        );
    }

    #[test]
    fn the_demo_world_has_the_promised_shape() {
        let world = World::demo();
        assert_eq!(
            world.default_credentials(),
            Some(SimCredentials::Token("ucat_demo_0000000000000000".into()))
        );
        assert!(!world.accounts["demo"].auto_peer);
        assert!(world.accounts["aiven"].auto_peer);
        assert!(matches!(
            world.accounts["aiven"].credentials,
            SimCredentials::Basic { .. }
        ));
        assert!(world.accounts["shared-services"].auto_peer);
        let legacy = world
            .network("e3bacad0-78d5-4ffb-8d2a-c548e1ffe6f8".parse().unwrap())
            .unwrap();
        assert_eq!(legacy.router, None);
        let app = world
            .network("03126dc1-a69f-4bc2-8b24-e31c22d64712".parse().unwrap())
            .unwrap();
        assert_eq!(app.ip_networks.len(), 2);
        assert!(
            world
                .networks
                .iter()
                .all(|n| n.zone == "fi-hel1" && n.kind == NetworkKind::Private)
        );
        assert_eq!(world.peerings().count(), 0);
        let titles = |uuid: &str| -> Vec<String> {
            let network = world.network(uuid.parse().unwrap()).unwrap();
            network.servers.iter().map(|s| s.title.clone()).collect()
        };
        assert_eq!(
            titles("03126dc1-a69f-4bc2-8b24-e31c22d64712"),
            ["web-1", "web-2"]
        );
        assert_eq!(
            titles("03585987-bf7d-4544-8e9b-5a1b4d74a333"),
            Vec::<String>::new(),
            "Aiven's servers are not the demo account's"
        );
    }
}
