//! The world file format (documented with an example in the module docs of `sim`), and the
//! rules every world obeys, whether it comes from a world file or a state file.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde::Deserialize;
use uuid::Uuid;

use super::aiven::{AivenCloud, AivenToken, SimConnection, SimVpc, SimVpcState};
use super::error::SimError;
use super::faults::Faults;
use super::rules;
use super::world::{
    NetworkKind, SimAccount, SimConfiguredStatus, SimCredentials, SimNetwork, SimPeering,
    SimRouter, SimServer, World,
};
use crate::cidr::Cidr;
use crate::upcloud::wire::Label;

fn invalid(place: impl Into<String>, problem: impl Into<String>) -> SimError {
    SimError::invalid(place, problem)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WorldFile {
    default_account: String,
    accounts: BTreeMap<String, AccountFile>,
    #[serde(default)]
    router: Vec<RouterFile>,
    #[serde(default)]
    network: Vec<NetworkFile>,
    #[serde(default)]
    peering: Vec<PeeringFile>,
    #[serde(default)]
    provisioning_ms: u64,
    #[serde(default)]
    faults: Faults,
    #[serde(default)]
    aiven: AivenFile,
}

/// The `[aiven]` table: Aiven's API, its tokens, VPCs and existing connections.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AivenFile {
    #[serde(default)]
    approval_ms: u64,
    #[serde(default)]
    deletion_ms: u64,
    #[serde(default = "default_network_id_key")]
    network_id_key: String,
    #[serde(default = "yes")]
    discoverable: bool,
    #[serde(default)]
    token: Vec<AivenToken>,
    #[serde(default)]
    vpc: Vec<VpcFile>,
    #[serde(default)]
    connection: Vec<ConnectionFile>,
}

impl Default for AivenFile {
    fn default() -> Self {
        AivenFile {
            approval_ms: 0,
            deletion_ms: 0,
            network_id_key: default_network_id_key(),
            discoverable: true,
            token: Vec::new(),
            vpc: Vec::new(),
            connection: Vec::new(),
        }
    }
}

/// Where the simulator shows the Aiven network ID unless told otherwise; any key would do, as
/// the client's discovery rule does not depend on it (`aiven::wire::aiven_network_id`).
fn default_network_id_key() -> String {
    "to-network-id".to_owned()
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VpcFile {
    project: String,
    uuid: Uuid,
    network: Uuid,
    /// Default: `upcloud-` and the network's zone.
    cloud_name: Option<String>,
    #[serde(default)]
    state: SimVpcState,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConnectionFile {
    project: String,
    vpc: Uuid,
    peer_vpc: String,
    state: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountFile {
    token: Option<String>,
    username: Option<String>,
    password: Option<String>,
    #[serde(default)]
    auto_peer: bool,
    #[serde(default)]
    sub_accounts: Vec<CredentialsFile>,
}

/// The credentials of a sub-account: `token`, or `username` and `password`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CredentialsFile {
    token: Option<String>,
    username: Option<String>,
    password: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RouterFile {
    account: String,
    uuid: Uuid,
    name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NetworkFile {
    account: String,
    uuid: Uuid,
    name: String,
    #[serde(rename = "type", default)]
    kind: NetworkKind,
    zone: String,
    router: Option<Uuid>,
    #[serde(default)]
    ip_networks: Vec<Cidr>,
    #[serde(default)]
    labels: BTreeMap<String, String>,
    #[serde(default)]
    servers: Vec<SimServer>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PeeringFile {
    account: String,
    uuid: Option<Uuid>,
    name: String,
    network: Uuid,
    peer_network: Uuid,
    #[serde(default)]
    configured_status: SimConfiguredStatus,
    #[serde(default)]
    labels: BTreeMap<String, String>,
}

impl AccountFile {
    fn into_account(self, name: &str) -> Result<SimAccount, SimError> {
        let place = format!("[accounts.{name}]");
        let own = credentials(self.token, self.username, self.password, &place)?;
        let sub_accounts = self
            .sub_accounts
            .into_iter()
            .map(|sub| {
                let place = format!("{place} sub_accounts");
                credentials(sub.token, sub.username, sub.password, &place)
            })
            .collect::<Result<_, _>>()?;
        Ok(SimAccount {
            credentials: own,
            auto_peer: self.auto_peer,
            sub_accounts,
        })
    }
}

fn credentials(
    token: Option<String>,
    username: Option<String>,
    password: Option<String>,
    place: &str,
) -> Result<SimCredentials, SimError> {
    match (token, username, password) {
        (Some(token), None, None) => Ok(SimCredentials::Token(token)),
        (None, Some(username), Some(password)) => Ok(SimCredentials::Basic { username, password }),
        _ => Err(invalid(
            place,
            "give either `token`, or `username` and `password`",
        )),
    }
}

fn labels_from_table(table: BTreeMap<String, String>) -> Vec<Label> {
    table
        .into_iter()
        .map(|(key, value)| Label { key, value })
        .collect()
}

impl WorldFile {
    fn into_world(self) -> Result<World, SimError> {
        let mut accounts = BTreeMap::new();
        for (name, account) in self.accounts {
            let account = account.into_account(&name)?;
            accounts.insert(name, account);
        }
        let routers = self
            .router
            .into_iter()
            .map(RouterFile::into_router)
            .collect();
        let networks: Vec<SimNetwork> = self
            .network
            .into_iter()
            .map(NetworkFile::into_network)
            .collect();
        // A peering without a UUID gets the next one of the world's sequence, in file order.
        let without_uuid: Vec<usize> = self
            .peering
            .iter()
            .enumerate()
            .filter(|(_, p)| p.uuid.is_none())
            .map(|(i, _)| i)
            .collect();
        let peerings = self
            .peering
            .into_iter()
            .map(PeeringFile::into_peering)
            .collect();
        let aiven = self.aiven.into_cloud(&networks);
        let mut world = World {
            aiven,
            default_account: self.default_account,
            accounts,
            routers,
            networks,
            deleted_networks: vec![],
            peerings,
            uuids_generated: 0,
            provisioning_ms: self.provisioning_ms,
            faults: self.faults,
        };
        for index in without_uuid {
            let uuid = world.next_uuid();
            world.peerings[index].uuid = uuid;
        }
        Ok(world)
    }
}

impl AivenFile {
    fn into_cloud(self, networks: &[SimNetwork]) -> AivenCloud {
        let vpcs = self
            .vpc
            .into_iter()
            .map(|vpc| {
                let zone = networks
                    .iter()
                    .find(|network| network.uuid == vpc.network)
                    .map_or("", |network| network.zone.as_str());
                SimVpc {
                    cloud_name: vpc.cloud_name.unwrap_or_else(|| format!("upcloud-{zone}")),
                    project: vpc.project,
                    uuid: vpc.uuid,
                    network: vpc.network,
                    state: vpc.state,
                }
            })
            .collect();
        let connections = self
            .connection
            .into_iter()
            .map(|connection| SimConnection {
                project: connection.project,
                vpc: connection.vpc,
                peer_cloud_account: crate::aiven::wire::UPCLOUD.to_owned(),
                peer_vpc: connection.peer_vpc,
                acts_at_ms: 0,
                acted: false,
                aiven_half: None,
                deleting_until: None,
                pinned_state: connection.state,
            })
            .collect();
        AivenCloud {
            tokens: self.token,
            network_id_key: self.discoverable.then_some(self.network_id_key),
            approval_ms: self.approval_ms,
            deletion_ms: self.deletion_ms,
            vpcs,
            connections,
        }
    }
}

impl RouterFile {
    fn into_router(self) -> SimRouter {
        SimRouter {
            uuid: self.uuid,
            name: self.name,
            account: self.account,
        }
    }
}

impl NetworkFile {
    fn into_network(self) -> SimNetwork {
        SimNetwork {
            uuid: self.uuid,
            name: self.name,
            kind: self.kind,
            zone: self.zone,
            router: self.router,
            ip_networks: self.ip_networks,
            account: self.account,
            labels: labels_from_table(self.labels),
            servers: self.servers,
        }
    }
}

impl PeeringFile {
    fn into_peering(self) -> SimPeering {
        SimPeering {
            // Replaced by a generated UUID in `WorldFile::into_world` when absent.
            uuid: self.uuid.unwrap_or_default(),
            account: self.account,
            name: self.name,
            network: self.network,
            peer_network: self.peer_network,
            configured_status: self.configured_status,
            labels: labels_from_table(self.labels),
            provisioning_until: None,
        }
    }
}

impl World {
    /// Reads a world file (see the module docs for the format).
    pub fn from_toml(source: &str) -> Result<World, SimError> {
        let file: WorldFile = toml::from_str(source)?;
        let world = file.into_world()?;
        world.validate()?;
        Ok(world)
    }

    pub fn load_toml(path: &Path) -> Result<World, SimError> {
        let source = std::fs::read_to_string(path).map_err(|source| SimError::File {
            action: "read",
            what: "world file",
            path: path.to_owned(),
            source,
        })?;
        World::from_toml(&source).map_err(|source| SimError::InvalidWorldFile {
            path: path.to_owned(),
            source: Box::new(source),
        })
    }

    /// Checks what makes a world consistent: every reference resolves, each UUID names one
    /// thing, credentials name one account, and peerings obey the API's own rules.
    pub fn validate(&self) -> Result<(), SimError> {
        if !self.accounts.contains_key(&self.default_account) {
            return Err(invalid(
                "default_account",
                format!("there is no account \"{}\"", self.default_account),
            ));
        }
        self.validate_credentials()?;
        self.validate_uuids_unique()?;
        self.faults
            .check()
            .map_err(|problem| invalid("[faults]", problem.to_string()))?;
        for router in &self.routers {
            self.validate_account_exists(&describe_router(router), &router.account)?;
        }
        for network in &self.networks {
            self.validate_network(network)?;
        }
        self.validate_servers()?;
        self.validate_aiven()?;
        let mut pairs = HashSet::new();
        for peering in &self.peerings {
            self.validate_peering(peering)?;
            if !pairs.insert((&peering.account, peering.network, peering.peer_network)) {
                return Err(invalid(
                    describe_peering(peering),
                    "the account already has a peering between these networks",
                ));
            }
        }
        Ok(())
    }

    /// Tokens are distinct, each VPC's network exists and serves one VPC, and each connection
    /// belongs to a VPC, once per peer network.
    fn validate_aiven(&self) -> Result<(), SimError> {
        let aiven = &self.aiven;
        let mut tokens = HashSet::new();
        for token in &aiven.tokens {
            if token.token.is_empty() || !tokens.insert(&token.token) {
                return Err(invalid(
                    "[[aiven.token]]",
                    "each token is a distinct, non-empty string",
                ));
            }
        }
        let mut vpcs = HashSet::new();
        let mut networks = HashSet::new();
        for vpc in &aiven.vpcs {
            let place = format!("Aiven VPC {} of project \"{}\"", vpc.uuid, vpc.project);
            if !vpcs.insert(vpc.uuid) {
                return Err(invalid(place, "another VPC has the same UUID"));
            }
            // Its network may have been deleted through the API since.
            if self.network(vpc.network).is_none() && !self.deleted_networks.contains(&vpc.network)
            {
                return Err(invalid(
                    place,
                    format!("there is no network {}", vpc.network),
                ));
            }
            if !networks.insert(vpc.network) {
                return Err(invalid(
                    place,
                    format!("network {} is another VPC's", vpc.network),
                ));
            }
        }
        let mut pairs = HashSet::new();
        for connection in &aiven.connections {
            let place = format!(
                "Aiven connection of VPC {} to {}",
                connection.vpc, connection.peer_vpc
            );
            let owned = aiven
                .vpcs
                .iter()
                .any(|vpc| vpc.uuid == connection.vpc && vpc.project == connection.project);
            if !owned {
                return Err(invalid(
                    place,
                    format!("project \"{}\" has no such VPC", connection.project),
                ));
            }
            if !pairs.insert((
                connection.vpc,
                &connection.peer_cloud_account,
                &connection.peer_vpc,
            )) {
                return Err(invalid(place, "the VPC has a connection to it already"));
            }
        }
        Ok(())
    }

    fn validate_account_exists(&self, place: &str, account: &str) -> Result<(), SimError> {
        if self.accounts.contains_key(account) {
            Ok(())
        } else {
            Err(invalid(place, format!("there is no account \"{account}\"")))
        }
    }

    /// Authentication finds the account by its credentials, so no two sets of credentials (of
    /// accounts or sub-accounts) may share a token or a user name.
    fn validate_credentials(&self) -> Result<(), SimError> {
        let mut seen = HashSet::new();
        for (name, account) in &self.accounts {
            for credentials in account.all_credentials() {
                let (kind, identity) = match credentials {
                    SimCredentials::Token(token) => ("token", token),
                    SimCredentials::Basic { username, .. } => ("username", username),
                };
                if identity.is_empty() {
                    return Err(invalid(
                        format!("account \"{name}\""),
                        format!("the {kind} is empty"),
                    ));
                }
                if !seen.insert((kind, identity)) {
                    return Err(invalid(
                        format!("account \"{name}\""),
                        format!("another account or sub-account has the same {kind}"),
                    ));
                }
            }
        }
        Ok(())
    }

    fn validate_uuids_unique(&self) -> Result<(), SimError> {
        let routers = self.routers.iter().map(|r| (r.uuid, describe_router(r)));
        let networks = self.networks.iter().map(|n| (n.uuid, describe_network(n)));
        let deleted = self
            .deleted_networks
            .iter()
            .map(|&uuid| (uuid, format!("deleted network {uuid}")));
        let peerings = self.peerings.iter().map(|p| (p.uuid, describe_peering(p)));
        // A server on several networks is one server: checked once, by `validate_servers`.
        let mut servers: Vec<(Uuid, String)> = self
            .servers()
            .map(|(_, s)| (s.uuid, describe_server(s)))
            .collect();
        servers.sort();
        servers.dedup_by_key(|(uuid, _)| *uuid);
        let mut seen = HashSet::new();
        for (uuid, place) in routers
            .chain(networks)
            .chain(deleted)
            .chain(peerings)
            .chain(servers)
        {
            if !seen.insert(uuid) {
                return Err(invalid(
                    place,
                    format!(
                        "the UUID {uuid} is already used by another router, network, peering \
                         or server"
                    ),
                ));
            }
        }
        Ok(())
    }

    fn validate_network(&self, network: &SimNetwork) -> Result<(), SimError> {
        let place = describe_network(network);
        self.validate_account_exists(&place, &network.account)?;
        if let Some(router) = network.router {
            match self.routers.iter().find(|r| r.uuid == router) {
                None => return Err(invalid(place, format!("there is no router {router}"))),
                Some(r) if r.account != network.account => {
                    return Err(invalid(
                        place,
                        format!("router {router} belongs to account \"{}\"", r.account),
                    ));
                }
                Some(_) => {}
            }
        }
        rules::check_labels(&network.labels).map_err(|e| invalid(place, e.message()))
    }

    /// A server attached to several networks is one server: one account's, with one title,
    /// listed once by each network.
    fn validate_servers(&self) -> Result<(), SimError> {
        let mut first: BTreeMap<Uuid, (&SimNetwork, &SimServer)> = BTreeMap::new();
        for (network, server) in self.servers() {
            let place = describe_server(server);
            let Some((seen_on, seen)) = first.get(&server.uuid) else {
                first.insert(server.uuid, (network, server));
                continue;
            };
            let problem = if seen_on.uuid == network.uuid {
                format!("{} lists it twice", describe_network(network))
            } else if seen_on.account != network.account {
                format!(
                    "it is on networks of two accounts, \"{}\" and \"{}\"",
                    seen_on.account, network.account
                )
            } else if seen.title != server.title {
                format!(
                    "{} calls it \"{}\", {} \"{}\"",
                    describe_network(seen_on),
                    seen.title,
                    describe_network(network),
                    server.title
                )
            } else {
                continue;
            };
            return Err(invalid(place, problem));
        }
        Ok(())
    }

    fn validate_peering(&self, peering: &SimPeering) -> Result<(), SimError> {
        let place = describe_peering(peering);
        self.validate_account_exists(&place, &peering.account)?;
        match self.network(peering.network) {
            None => {
                return Err(invalid(
                    place,
                    format!("there is no network {}", peering.network),
                ));
            }
            Some(n) if n.account != peering.account => {
                return Err(invalid(
                    place,
                    format!(
                        "network {} belongs to account \"{}\", not \"{}\"",
                        n.uuid, n.account, peering.account
                    ),
                ));
            }
            Some(_) => {}
        }
        // A peer network deleted through the API stays named: the peering then reports
        // `deleted-peer-network`.
        let peer_network = peering.peer_network;
        if self.network(peer_network).is_none() && !self.deleted_networks.contains(&peer_network) {
            return Err(invalid(
                place,
                format!("there is no peer network {}", peering.peer_network),
            ));
        }
        rules::check_name(&peering.name)
            .and_then(|()| rules::check_labels(&peering.labels))
            .map_err(|e| invalid(place, e.message()))
    }
}

fn describe_router(router: &SimRouter) -> String {
    format!("router {} (\"{}\")", router.uuid, router.name)
}

fn describe_network(network: &SimNetwork) -> String {
    format!("network {} (\"{}\")", network.uuid, network.name)
}

fn describe_server(server: &SimServer) -> String {
    format!("server {} (\"{}\")", server.uuid, server.title)
}

fn describe_peering(peering: &SimPeering) -> String {
    format!(
        "peering \"{}\" of account \"{}\"",
        peering.name, peering.account
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP: &str = "03126dc1-a69f-4bc2-8b24-e31c22d64712";
    const AIVEN: &str = "03585987-bf7d-4544-8e9b-5a1b4d74a333";
    const WEB_1: &str = "00798b85-efdc-41ca-8021-f6ef457b8531";

    /// A small valid world; each rejection test breaks one thing in it.
    const SMALL: &str = r#"
default_account = "me"

[accounts.me]
token = "ucat_me"

[accounts.peer]
username = "peer"
password = "secret"
auto_peer = true

[[router]]
account = "me"
uuid = "8a6457ea-1ca3-470a-b508-4d4d38bf8d3e"
name = "my router"

[[network]]
account = "me"
uuid = "03126dc1-a69f-4bc2-8b24-e31c22d64712"
name = "app"
zone = "fi-hel1"
router = "8a6457ea-1ca3-470a-b508-4d4d38bf8d3e"
ip_networks = ["192.168.0.0/24", "fc02:c4f3::/64"]
labels = { env = "prod" }
servers = [{ uuid = "00798b85-efdc-41ca-8021-f6ef457b8531", title = "web-1" }]

[[network]]
account = "peer"
uuid = "03585987-bf7d-4544-8e9b-5a1b4d74a333"
name = "peer vpc"
type = "public"
zone = "fi-hel1"
ip_networks = ["172.16.0.0/24"]

[[peering]]
account = "me"
name = "app to peer"
network = "03126dc1-a69f-4bc2-8b24-e31c22d64712"
peer_network = "03585987-bf7d-4544-8e9b-5a1b4d74a333"
configured_status = "disabled"
labels = { managed-by = "peerings" }
"#;

    fn rejection(source: &str) -> String {
        World::from_toml(source)
            .expect_err("the world should be rejected")
            .to_string()
    }

    #[test]
    fn reads_every_part_of_a_world_file() {
        let world = World::from_toml(SMALL).unwrap();
        assert_eq!(world.default_account, "me");
        assert_eq!(
            world.default_credentials(),
            Some(SimCredentials::Token("ucat_me".into()))
        );
        assert_eq!(
            world.accounts["peer"],
            SimAccount {
                credentials: SimCredentials::Basic {
                    username: "peer".into(),
                    password: "secret".into()
                },
                auto_peer: true,
                sub_accounts: vec![],
            }
        );
        assert!(!world.accounts["me"].auto_peer);
        let app = world.network(APP.parse().unwrap()).unwrap();
        assert_eq!(app.kind, NetworkKind::Private);
        assert_eq!(
            app.router,
            Some("8a6457ea-1ca3-470a-b508-4d4d38bf8d3e".parse().unwrap())
        );
        assert_eq!(
            app.ip_networks
                .iter()
                .map(|c| c.family())
                .collect::<Vec<_>>(),
            ["IPv4", "IPv6"]
        );
        assert_eq!(
            app.labels,
            vec![Label {
                key: "env".into(),
                value: "prod".into()
            }]
        );
        assert_eq!(
            app.servers,
            vec![SimServer {
                uuid: WEB_1.parse().unwrap(),
                title: "web-1".into()
            }]
        );
        let peer = world.network(AIVEN.parse().unwrap()).unwrap();
        assert_eq!((peer.kind, peer.router), (NetworkKind::Public, None));
        assert!(peer.servers.is_empty());
        let peering = world.peerings().next().unwrap();
        assert_eq!(peering.configured_status, SimConfiguredStatus::Disabled);
        assert_eq!(peering.uuid, super::super::world::nth_uuid(0));
        assert_eq!(world.uuids_generated, 1);
        assert_eq!(
            peering.labels,
            vec![Label {
                key: "managed-by".into(),
                value: "peerings".into()
            }]
        );
    }

    #[test]
    fn a_server_on_two_networks_of_its_account_is_listed_by_both() {
        let source = format!(
            "{SMALL}\n[[network]]\naccount = \"me\"\nuuid = \"13126dc1-a69f-4bc2-8b24-e31c22d64712\"\n\
             name = \"db\"\nzone = \"fi-hel1\"\nservers = [{{ uuid = \"{WEB_1}\", title = \"web-1\" }}]\n"
        );
        let world = World::from_toml(&source).unwrap();
        let listed: Vec<(&str, &str)> = world
            .servers()
            .map(|(network, server)| (network.name.as_str(), server.title.as_str()))
            .collect();
        assert_eq!(listed, [("app", "web-1"), ("db", "web-1")]);
    }

    #[test]
    fn the_same_file_gives_the_same_world() {
        assert_eq!(
            World::from_toml(SMALL).unwrap(),
            World::from_toml(SMALL).unwrap()
        );
    }

    #[test]
    fn syntax_and_shape_errors_name_the_line() {
        let unknown_key =
            rejection(&SMALL.replace("zone = \"fi-hel1\"\nrouter", "zone = \"fi-hel1\"\nrouterr"));
        assert!(
            unknown_key.contains("unknown field `routerr`"),
            "{unknown_key}"
        );
        assert!(unknown_key.contains("line"), "{unknown_key}");
        let bad_cidr = rejection(&SMALL.replace("192.168.0.0/24", "192.168.0.1/24"));
        assert!(
            bad_cidr.contains("host bits set") && bad_cidr.contains("line"),
            "{bad_cidr}"
        );
        let bad_type = rejection(&SMALL.replace("\"public\"", "\"secret\""));
        assert!(bad_type.contains("unknown variant `secret`"), "{bad_type}");
        let bad_uuid = rejection(&SMALL.replace("uuid = \"03585987", "uuid = \"x3585987"));
        assert!(bad_uuid.contains("line"), "{bad_uuid}");
        let bad_status = rejection(&SMALL.replace("\"disabled\"", "\"off\""));
        assert!(bad_status.contains("unknown variant `off`"), "{bad_status}");
        let bad_server = rejection(&SMALL.replace("title = \"web-1\"", "name = \"web-1\""));
        assert!(
            bad_server.contains("unknown field `name`") && bad_server.contains("line"),
            "{bad_server}"
        );
    }

    #[test]
    fn rejects_what_does_not_hold_together() {
        let cases = [
            (
                SMALL.replace("default_account = \"me\"", "default_account = \"you\""),
                "default_account: there is no account \"you\"",
            ),
            (
                SMALL.replace(
                    "token = \"ucat_me\"",
                    "token = \"ucat_me\"\nusername = \"me\"",
                ),
                "[accounts.me]: give either `token`, or `username` and `password`",
            ),
            (
                SMALL.replace("password = \"secret\"\n", ""),
                "[accounts.peer]: give either `token`, or `username` and `password`",
            ),
            (
                SMALL.replace(
                    "token = \"ucat_me\"",
                    "username = \"peer\"\npassword = \"x\"",
                ),
                "account \"peer\": another account or sub-account has the same username",
            ),
            (
                SMALL.replace("token = \"ucat_me\"", "token = \"\""),
                "account \"me\": the token is empty",
            ),
            (
                SMALL.replace(
                    "token = \"ucat_me\"",
                    "token = \"ucat_me\"\nsub_accounts = [{ username = \"peer\", password = \"x\" }]",
                ),
                "another account or sub-account has the same username",
            ),
            (
                SMALL.replace(
                    "token = \"ucat_me\"",
                    "token = \"ucat_me\"\nsub_accounts = [{ token = \"t\", username = \"u\" }]",
                ),
                "[accounts.me] sub_accounts: give either `token`, or `username` and `password`",
            ),
            (
                SMALL.replace(
                    "account = \"me\"\nuuid = \"8a64",
                    "account = \"nobody\"\nuuid = \"8a64",
                ),
                "router 8a6457ea-1ca3-470a-b508-4d4d38bf8d3e (\"my router\"): there is no account \"nobody\"",
            ),
            (
                SMALL.replace("router = \"8a6457ea", "router = \"9a6457ea"),
                "network 03126dc1-a69f-4bc2-8b24-e31c22d64712 (\"app\"): there is no router 9a6457ea-1ca3-470a-b508-4d4d38bf8d3e",
            ),
            (
                SMALL.replace(
                    "name = \"peer vpc\"\ntype = \"public\"",
                    "name = \"peer vpc\"\nrouter = \"8a6457ea-1ca3-470a-b508-4d4d38bf8d3e\"",
                ),
                "network 03585987-bf7d-4544-8e9b-5a1b4d74a333 (\"peer vpc\"): router 8a6457ea-1ca3-470a-b508-4d4d38bf8d3e belongs to account \"me\"",
            ),
            (
                SMALL.replace("labels = { env = \"prod\" }", "labels = { e = \"prod\" }"),
                "(\"app\"): The label key 'e' is invalid",
            ),
            (
                SMALL.replace(
                    "uuid = \"03585987-bf7d-4544-8e9b-5a1b4d74a333\"",
                    "uuid = \"03126dc1-a69f-4bc2-8b24-e31c22d64712\"",
                ),
                "network 03126dc1-a69f-4bc2-8b24-e31c22d64712 (\"peer vpc\"): the UUID 03126dc1-a69f-4bc2-8b24-e31c22d64712 is already used",
            ),
            (
                SMALL.replace(
                    "title = \"web-1\" }]",
                    "title = \"web-1\" }, { uuid = \"00798b85-efdc-41ca-8021-f6ef457b8531\", title = \"web-1\" }]",
                ),
                "server 00798b85-efdc-41ca-8021-f6ef457b8531 (\"web-1\"): network 03126dc1-a69f-4bc2-8b24-e31c22d64712 (\"app\") lists it twice",
            ),
            (
                SMALL.replace(
                    "ip_networks = [\"172.16.0.0/24\"]",
                    "ip_networks = [\"172.16.0.0/24\"]\nservers = [{ uuid = \"00798b85-efdc-41ca-8021-f6ef457b8531\", title = \"web-1\" }]",
                ),
                "server 00798b85-efdc-41ca-8021-f6ef457b8531 (\"web-1\"): it is on networks of two accounts, \"me\" and \"peer\"",
            ),
            (
                format!(
                    "{SMALL}\n[[network]]\naccount = \"me\"\nuuid = \"13126dc1-a69f-4bc2-8b24-e31c22d64712\"\nname = \"db\"\nzone = \"fi-hel1\"\nservers = [{{ uuid = \"{WEB_1}\", title = \"db-1\" }}]\n"
                ),
                "network 03126dc1-a69f-4bc2-8b24-e31c22d64712 (\"app\") calls it \"web-1\", network 13126dc1-a69f-4bc2-8b24-e31c22d64712 (\"db\") \"db-1\"",
            ),
            (
                SMALL.replace(WEB_1, "8a6457ea-1ca3-470a-b508-4d4d38bf8d3e"),
                "the UUID 8a6457ea-1ca3-470a-b508-4d4d38bf8d3e is already used by another router, network, peering or server",
            ),
            (
                SMALL.replace("network = \"03126dc1", "network = \"13126dc1"),
                "peering \"app to peer\" of account \"me\": there is no network 13126dc1-a69f-4bc2-8b24-e31c22d64712",
            ),
            (
                SMALL.replace("peer_network = \"03585987", "peer_network = \"13585987"),
                "peering \"app to peer\" of account \"me\": there is no peer network 13585987-bf7d-4544-8e9b-5a1b4d74a333",
            ),
            (
                format!(
                    "{SMALL}\n[[peering]]\naccount = \"peer\"\nname = \"x\"\nnetwork = \"{APP}\"\npeer_network = \"{AIVEN}\"\n"
                ),
                "peering \"x\" of account \"peer\": network 03126dc1-a69f-4bc2-8b24-e31c22d64712 belongs to account \"me\", not \"peer\"",
            ),
            (
                format!(
                    "{SMALL}\n[[peering]]\naccount = \"me\"\nname = \"again\"\nnetwork = \"{APP}\"\npeer_network = \"{AIVEN}\"\n"
                ),
                "peering \"again\" of account \"me\": the account already has a peering between these networks",
            ),
            (
                SMALL.replace("name = \"app to peer\"", "name = \"\""),
                "peering \"\" of account \"me\": The name must be 1 to 255 characters long.",
            ),
        ];
        for (source, expected) in cases {
            let message = rejection(&source);
            assert!(
                message.contains(expected),
                "expected {expected:?} in {message:?}"
            );
        }
    }

    /// The text of `mod.rs`'s docs after `marker`, up to the end of that code block, without
    /// the `//!` of each line.
    fn module_docs_from(marker: &str) -> String {
        let docs = include_str!("mod.rs");
        let start = docs.find(marker).unwrap() + marker.len();
        let length = docs[start..].find("//! ```\n").unwrap();
        docs[start..start + length]
            .lines()
            .map(|line| {
                format!(
                    "{}\n",
                    line.trim_start_matches("//!").trim_start_matches(' ')
                )
            })
            .collect()
    }

    #[test]
    fn the_example_in_the_module_docs_is_a_valid_world() {
        let example = module_docs_from("//! ```toml\n");
        let world = World::from_toml(&example).unwrap();
        assert_eq!(world.peerings().count(), 1);
        assert_eq!(world.accounts["demo"].sub_accounts.len(), 1);
        assert_eq!(
            world.peerings[0].uuid.to_string(),
            "0f7984bc-5d72-4aaf-b587-90e6a8f32efc"
        );
    }

    #[test]
    fn the_settings_example_in_the_module_docs_is_valid() {
        let settings = format!(
            "provisioning_ms = {}",
            module_docs_from("//! provisioning_ms = ")
        );
        let (top_level, faults) = settings.split_once("[faults]").unwrap();
        let source = format!("{top_level}{SMALL}\n[faults]{faults}");
        let world = World::from_toml(&source).unwrap();
        assert_eq!(world.provisioning_ms, 2000);
        assert_eq!((world.faults.seed, world.faults.rate_429.get()), (42, 0.05));
        let message = rejection(&source.replace("rate_500 = 0.0", "rate_500 = 0.99"));
        assert!(
            message.starts_with("[faults]: the fault rates add up to"),
            "{message}"
        );
    }

    #[test]
    fn the_aiven_example_in_the_module_docs_is_valid() {
        let example = module_docs_from("//! ```toml\n//! [aiven]\n");
        let world = World::from_toml(&format!("{SMALL}\n[aiven]\n{example}")).unwrap();
        let aiven = &world.aiven;
        assert_eq!(aiven.network_id_key.as_deref(), Some("to-network-id"));
        assert_eq!(aiven.tokens[0].projects, Some(vec!["demo-project".into()]));
        assert_eq!(aiven.vpcs[0].network.to_string(), AIVEN);
        assert_eq!(
            aiven.connections[0].pinned_state.as_deref(),
            Some("REJECTED_BY_PEER")
        );
        let hidden = World::from_toml(&format!(
            "{SMALL}\n[aiven]\ndiscoverable = false\n[[aiven.token]]\ntoken = \"t\"\n"
        ))
        .unwrap();
        assert_eq!(hidden.aiven.network_id_key, None);
    }

    #[test]
    fn rejects_an_aiven_world_that_does_not_hold_together() {
        let vpc = |uuid: &str, network: &str| {
            format!("[[aiven.vpc]]\nproject = \"p\"\nuuid = \"{uuid}\"\nnetwork = \"{network}\"\n")
        };
        let connection = |vpc: &str| {
            format!(
                "[[aiven.connection]]\nproject = \"p\"\nvpc = \"{vpc}\"\npeer_vpc = \"{APP}\"\n"
            )
        };
        let one = "5c1a2f0e-7b3d-4e8a-9f61-2d4b8c0e7a15";
        let two = "6d2b3f1f-8c4e-4f9b-8a72-3e5c9d1f8b26";
        let cases = [
            (
                "[[aiven.token]]\ntoken = \"t\"\n[[aiven.token]]\ntoken = \"t\"\n".to_owned(),
                "[[aiven.token]]: each token is a distinct, non-empty string",
            ),
            (
                vpc(one, "13126dc1-a69f-4bc2-8b24-e31c22d64712"),
                "there is no network 13126dc1-a69f-4bc2-8b24-e31c22d64712",
            ),
            (
                vpc(one, AIVEN) + &vpc(one, APP),
                "another VPC has the same UUID",
            ),
            (vpc(one, AIVEN) + &vpc(two, AIVEN), "is another VPC's"),
            (connection(one), "project \"p\" has no such VPC"),
            (
                vpc(one, AIVEN) + &connection(one) + &connection(one),
                "the VPC has a connection to it already",
            ),
        ];
        for (aiven, expected) in cases {
            let message = rejection(&format!("{SMALL}\n{aiven}"));
            assert!(
                message.contains(expected),
                "expected {expected:?} in {message:?}"
            );
        }
    }

    #[test]
    fn load_toml_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.toml");
        let message = World::load_toml(&missing).unwrap_err().with_causes();
        assert!(message.contains("missing.toml"), "{message}");
        let broken = dir.path().join("broken.toml");
        std::fs::write(&broken, "default_account = 1").unwrap();
        let message = World::load_toml(&broken).unwrap_err().with_causes();
        assert!(
            message.contains("broken.toml") && message.contains("line 1"),
            "{message}"
        );
        let good = dir.path().join("good.toml");
        std::fs::write(&good, SMALL).unwrap();
        assert_eq!(
            World::load_toml(&good).unwrap(),
            World::from_toml(SMALL).unwrap()
        );
    }
}
