//! Aiven in the test world: Aiven's own UpCloud account `aiven-cloud` with the networks of four
//! project VPCs of the project `data-project`, and the binary run with Aiven's token.

use std::path::Path;

use peerings::sim::World;

use super::running::Running;
use super::{Run, Sim, TEAM_TOKEN, TEST_WORLD, run_peerings};

pub const AIVEN_TOKEN: &str = "aiven-test-token-do-not-print-0123";
pub const PROJECT: &str = "data-project";

/// The VPCs, and the network of each in `aiven-cloud`.
pub const VPC_HEL1: &str = "5c1a2f0e-7b3d-4e8a-9f61-2d4b8c0e7a15";
pub const VPC_HEL1_NET: &str = "eeeeeeee-eeee-4eee-8eee-eeeeeeeeeee1";
/// In de-fra1, where the team's networks are not.
pub const VPC_FRA1: &str = "6d2b3f1f-8c4e-4f9b-8a72-3e5c9d1f8b26";
pub const VPC_FRA1_NET: &str = "eeeeeeee-eeee-4eee-8eee-eeeeeeeeeee2";
/// Its range overlaps the team's network `app`.
pub const VPC_OVERLAP: &str = "7e3c4a2a-9d5f-4a0c-9b83-4f6d0e2a9c37";
pub const VPC_OVERLAP_NET: &str = "eeeeeeee-eeee-4eee-8eee-eeeeeeeeeee3";
/// Still `APPROVED`: not ready for connections.
pub const VPC_NEW: &str = "8f4d5b3b-0e6a-4b1d-8c94-5a7e1f3b0d48";
pub const VPC_NEW_NET: &str = "eeeeeeee-eeee-4eee-8eee-eeeeeeeeeee4";
/// A VPC Aiven does not have.
pub const VPC_NOWHERE: &str = "9a5e6c4c-1f7b-4c2e-9da5-6b8f2a4c1e59";

const FIXED: [&str; 9] = [
    VPC_HEL1,
    VPC_HEL1_NET,
    VPC_FRA1,
    VPC_FRA1_NET,
    VPC_OVERLAP,
    VPC_OVERLAP_NET,
    VPC_NEW,
    VPC_NEW_NET,
    VPC_NOWHERE,
];

/// Whether `uuid` is one of this world's own, which outputs show as they are.
pub fn is_fixed(uuid: &str) -> bool {
    FIXED.contains(&uuid)
}

/// What the test world gains for Aiven, in the world file format.
pub const AIVEN_WORLD: &str = r#"
[accounts.aiven-cloud]
token = "ucat_aiven_cloud"

[[router]]
account = "aiven-cloud"
uuid = "0448a70f-0014-4e78-beef-870ab332ad93"
name = "aiven-cloud-router"

[[network]]
account = "aiven-cloud"
uuid = "eeeeeeee-eeee-4eee-8eee-eeeeeeeeeee1"
name = "aiven-vpc-hel1"
zone = "fi-hel1"
router = "0448a70f-0014-4e78-beef-870ab332ad93"
ip_networks = ["172.20.0.0/24"]

[[network]]
account = "aiven-cloud"
uuid = "eeeeeeee-eeee-4eee-8eee-eeeeeeeeeee2"
name = "aiven-vpc-fra1"
zone = "de-fra1"
router = "0448a70f-0014-4e78-beef-870ab332ad93"
ip_networks = ["172.21.0.0/24"]

[[network]]
account = "aiven-cloud"
uuid = "eeeeeeee-eeee-4eee-8eee-eeeeeeeeeee3"
name = "aiven-vpc-overlap"
zone = "fi-hel1"
router = "0448a70f-0014-4e78-beef-870ab332ad93"
ip_networks = ["10.1.0.128/25"]

[[network]]
account = "aiven-cloud"
uuid = "eeeeeeee-eeee-4eee-8eee-eeeeeeeeeee4"
name = "aiven-vpc-new"
zone = "fi-hel1"
router = "0448a70f-0014-4e78-beef-870ab332ad93"
ip_networks = ["172.22.0.0/24"]

[aiven]

[[aiven.token]]
token = "aiven-test-token-do-not-print-0123"

[[aiven.vpc]]
project = "data-project"
uuid = "5c1a2f0e-7b3d-4e8a-9f61-2d4b8c0e7a15"
network = "eeeeeeee-eeee-4eee-8eee-eeeeeeeeeee1"

[[aiven.vpc]]
project = "data-project"
uuid = "6d2b3f1f-8c4e-4f9b-8a72-3e5c9d1f8b26"
network = "eeeeeeee-eeee-4eee-8eee-eeeeeeeeeee2"

[[aiven.vpc]]
project = "data-project"
uuid = "7e3c4a2a-9d5f-4a0c-9b83-4f6d0e2a9c37"
network = "eeeeeeee-eeee-4eee-8eee-eeeeeeeeeee3"

[[aiven.vpc]]
project = "data-project"
uuid = "8f4d5b3b-0e6a-4b1d-8c94-5a7e1f3b0d48"
network = "eeeeeeee-eeee-4eee-8eee-eeeeeeeeeee4"
state = "APPROVED"
"#;

/// The test world with Aiven, and `extra` (world file tables: `[[peering]]`,
/// `[[aiven.connection]]`) after it.
pub fn aiven_world(extra: &str) -> World {
    World::from_toml(&format!("{TEST_WORLD}\n{AIVEN_WORLD}\n{extra}")).expect("Aiven test world")
}

/// An `[[aiven_peering]]` of the team's `network` with `vpc`, named `name`.
pub fn aiven_peering(name: &str, vpc: &str, network: &str) -> String {
    format!(
        "[[aiven_peering]]\nname = \"{name}\"\nproject = \"{PROJECT}\"\nvpc = \"{vpc}\"\nnetwork = \"{network}\"\n\n"
    )
}

impl Sim {
    pub fn with_aiven(extra: &str) -> Sim {
        Sim::start(aiven_world(extra))
    }

    /// Runs the binary as the `team` account, with Aiven's API on the same simulator.
    pub fn run_aiven(&self, dir: &Path, args: &[&str]) -> Run {
        let env = self.aiven_env();
        let env: Vec<(&str, &str)> = env
            .iter()
            .map(|(key, value)| (*key, value.as_str()))
            .collect();
        run_peerings(dir, args, &env)
    }

    /// Starts the binary as [`Sim::run_aiven`] runs it, to watch and signal it while it runs.
    pub fn running_aiven(&self, dir: &Path, args: &[&str]) -> Running {
        let env = self.aiven_env();
        let env: Vec<(&str, &str)> = env
            .iter()
            .map(|(key, value)| (*key, value.as_str()))
            .collect();
        Running::start(dir, args, &env)
    }

    pub fn aiven_env(&self) -> [(&'static str, String); 4] {
        [
            ("UPCLOUD_API_URL", self.url()),
            ("UPCLOUD_TOKEN", TEAM_TOKEN.to_owned()),
            ("AIVEN_API_URL", self.url()),
            ("AIVEN_TOKEN", AIVEN_TOKEN.to_owned()),
        ]
    }

    /// The Aiven connections, as `(vpc, peer_vpc, state)`, the state as the API shows it.
    pub fn connections(&self) -> Vec<(String, String, String)> {
        let world = self.world();
        world
            .aiven
            .connections
            .iter()
            .map(|c| {
                (
                    c.vpc.to_string(),
                    c.peer_vpc.clone(),
                    world.connection_state(c),
                )
            })
            .collect()
    }

    /// The requests to Aiven's API, as `METHOD path`.
    pub fn aiven_requests(&self) -> Vec<String> {
        self.log()
            .into_iter()
            .filter(|r| r.path.starts_with("/v1/"))
            .map(|r| format!("{} {}", r.method, r.path))
            .collect()
    }
}
