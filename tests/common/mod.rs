//! The test harness: a simulator on an ephemeral loopback port in this process, and the built
//! `peerings` binary run against it over real HTTP.

#![allow(dead_code)] // Each test crate uses a different part of the harness.

pub mod aiven;
pub mod diagrams;
pub mod every_state;
pub mod markdown;
pub mod running;
pub mod scripted;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use peerings::sim::{LoggedRequest, Simulator, World};

/// The credentials of the test world's accounts.
pub const TEAM_TOKEN: &str = "ucat_team_secret_token_0123456789";
pub const BASIC_USER: &str = "basic-api-user";
pub const BASIC_PASSWORD: &str = "basic-secret-password-9876";

/// What HTTP Basic authentication sends for `user` and `password` (RFC 7617): the base64 of
/// `user:password`, which is as secret as the password and must never show either.
pub fn basic_credentials(user: &str, password: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
}

/// Networks of the test world.
pub const APP: &str = "11111111-1111-4111-8111-111111111111";
pub const BACKEND: &str = "22222222-2222-4222-8222-222222222222";
pub const NO_ROUTER: &str = "33333333-3333-4333-8333-333333333333";
pub const PUBLIC: &str = "44444444-4444-4444-8444-444444444444";
pub const BASIC_NET: &str = "55555555-5555-4555-8555-555555555555";
pub const AIVEN: &str = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
pub const SILENT: &str = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb";
pub const OVERLAPPING: &str = "cccccccc-cccc-4ccc-8ccc-cccccccccccc";
/// A UUID no network has.
pub const NOWHERE: &str = "dddddddd-dddd-4ddd-8ddd-dddddddddddd";

/// Accounts `team` (token) and `basic` (HTTP Basic), a cooperative peer `aiven` (auto_peer), and
/// a peer `silent` that never creates its half.
pub const TEST_WORLD: &str = r#"
default_account = "team"

[accounts.team]
token = "ucat_team_secret_token_0123456789"

[accounts.basic]
username = "basic-api-user"
password = "basic-secret-password-9876"

[accounts.aiven]
token = "ucat_aiven"
auto_peer = true

[accounts.silent]
token = "ucat_silent"

[[router]]
account = "team"
uuid = "0448a70f-0014-4e78-beef-870ab332ad9f"
name = "team-router"

[[router]]
account = "basic"
uuid = "0448a70f-0014-4e78-beef-870ab332ad90"
name = "basic-router"

[[router]]
account = "aiven"
uuid = "0448a70f-0014-4e78-beef-870ab332ad91"
name = "aiven-router"

[[router]]
account = "silent"
uuid = "0448a70f-0014-4e78-beef-870ab332ad92"
name = "silent-router"

[[network]]
account = "team"
uuid = "11111111-1111-4111-8111-111111111111"
name = "app"
zone = "fi-hel1"
router = "0448a70f-0014-4e78-beef-870ab332ad9f"
ip_networks = ["10.1.0.0/24"]

[[network]]
account = "team"
uuid = "22222222-2222-4222-8222-222222222222"
name = "backend"
zone = "fi-hel1"
router = "0448a70f-0014-4e78-beef-870ab332ad9f"
ip_networks = ["10.2.0.0/24"]

[[network]]
account = "team"
uuid = "33333333-3333-4333-8333-333333333333"
name = "no-router"
zone = "fi-hel1"
ip_networks = ["10.3.0.0/24"]

[[network]]
account = "team"
uuid = "44444444-4444-4444-8444-444444444444"
name = "public"
type = "public"
zone = "fi-hel1"
router = "0448a70f-0014-4e78-beef-870ab332ad9f"
ip_networks = ["203.0.113.0/24"]

[[network]]
account = "basic"
uuid = "55555555-5555-4555-8555-555555555555"
name = "basic-net"
zone = "de-fra1"
router = "0448a70f-0014-4e78-beef-870ab332ad90"
ip_networks = ["10.5.0.0/24"]

[[network]]
account = "aiven"
uuid = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
name = "aiven-vpc"
zone = "fi-hel1"
router = "0448a70f-0014-4e78-beef-870ab332ad91"
ip_networks = ["172.16.0.0/24"]

[[network]]
account = "silent"
uuid = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
name = "silent-net"
zone = "fi-hel1"
router = "0448a70f-0014-4e78-beef-870ab332ad92"
ip_networks = ["172.17.0.0/24"]

[[network]]
account = "aiven"
uuid = "cccccccc-cccc-4ccc-8ccc-cccccccccccc"
name = "overlaps-app"
zone = "fi-hel1"
router = "0448a70f-0014-4e78-beef-870ab332ad91"
ip_networks = ["10.1.0.128/25"]
"#;

/// The `team` account with `count` private networks, each with a router and its own range, and
/// a peer network in the `silent` account.
pub fn world_with_networks(count: usize) -> World {
    let mut world = String::from(
        r#"
default_account = "team"
[accounts.team]
token = "ucat_team_secret_token_0123456789"
[accounts.silent]
token = "ucat_silent"
[[router]]
account = "team"
uuid = "0448a70f-0014-4e78-beef-870ab332ad9f"
name = "team-router"
[[router]]
account = "silent"
uuid = "0448a70f-0014-4e78-beef-870ab332ad92"
name = "silent-router"
[[network]]
account = "silent"
uuid = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
name = "silent-net"
zone = "fi-hel1"
router = "0448a70f-0014-4e78-beef-870ab332ad92"
ip_networks = ["172.17.0.0/24"]
"#,
    );
    for n in 0..count {
        world.push_str(&format!(
            "[[network]]\naccount = \"team\"\nuuid = \"{}\"\nname = \"net-{n}\"\nzone = \"fi-hel1\"\n\
             router = \"0448a70f-0014-4e78-beef-870ab332ad9f\"\nip_networks = [\"10.{}.{}.0/24\"]\n",
            network_uuid(n),
            n / 256,
            n % 256
        ));
    }
    World::from_toml(&world).expect("generated world")
}

pub fn network_uuid(n: usize) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

/// A file with one peering from each network of `networks` to the silent peer.
pub fn file_with_peerings(networks: std::ops::Range<usize>) -> String {
    networks
        .map(|n| {
            format!(
                "[[peering]]\nname = \"peering {n:03}\"\nnetwork = \"{}\"\npeer_network = \"{SILENT}\"\nlabels = {{ index = \"{n:03}\" }}\n\n",
                network_uuid(n)
            )
        })
        .collect()
}

/// How many peerings the `team` account holds.
pub fn team_peerings_in(world: &World) -> usize {
    world.peerings().filter(|p| p.account == "team").count()
}

/// A simulator serving on 127.0.0.1 with an ephemeral port, for the life of the value.
pub struct Sim {
    runtime: tokio::runtime::Runtime,
    pub simulator: Simulator,
    pub address: SocketAddr,
}

impl Sim {
    pub fn start(world: World) -> Sim {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("tokio runtime");
        let simulator = Simulator::new(world);
        let address = runtime
            .block_on(simulator.spawn(SocketAddr::from(([127, 0, 0, 1], 0))))
            .expect("simulator binds a loopback port");
        Sim {
            runtime,
            simulator,
            address,
        }
    }

    /// The test world with these peerings added (TOML `[[peering]]` tables).
    pub fn with_peerings(peerings: &str) -> Sim {
        Sim::start(World::from_toml(&format!("{TEST_WORLD}\n{peerings}")).expect("test world"))
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    pub fn world(&self) -> World {
        self.simulator.world()
    }

    pub fn log(&self) -> Vec<LoggedRequest> {
        self.simulator.request_log()
    }

    /// Requests that change something.
    pub fn writes(&self) -> Vec<LoggedRequest> {
        self.log()
            .into_iter()
            .filter(|request| request.method != "GET")
            .collect()
    }

    /// The methods of [`Sim::writes`], in order.
    pub fn write_methods(&self) -> Vec<String> {
        self.writes()
            .into_iter()
            .map(|request| request.method)
            .collect()
    }

    /// The peerings of one account as `(name, network, peer_network, status, state)`.
    pub fn peerings_of(&self, account: &str) -> Vec<(String, String, String, String, String)> {
        let world = self.world();
        world
            .peerings()
            .filter(|peering| peering.account == account)
            .map(|peering| {
                (
                    peering.name.clone(),
                    peering.network.to_string(),
                    peering.peer_network.to_string(),
                    peering.configured_status.as_str().to_owned(),
                    world.state_of(peering).to_string(),
                )
            })
            .collect()
    }

    /// Runs the binary as the `team` account (Bearer token) against this simulator.
    pub fn run(&self, dir: &Path, args: &[&str]) -> Run {
        run_peerings(
            dir,
            args,
            &[
                ("UPCLOUD_API_URL", &self.url()),
                ("UPCLOUD_TOKEN", TEAM_TOKEN),
            ],
        )
    }

    /// Starts the binary as [`Sim::run`] runs it, to watch and signal it while it runs.
    pub fn running(&self, dir: &Path, args: &[&str]) -> running::Running {
        running::Running::start(
            dir,
            args,
            &[
                ("UPCLOUD_API_URL", &self.url()),
                ("UPCLOUD_TOKEN", TEAM_TOKEN),
            ],
        )
    }

    /// `apply` (then `args`) as [`Sim::run`] runs it, but on a terminal, waiting at its prompt.
    pub fn apply_at_the_prompt(&self, dir: &Path, args: &[&str]) -> running::Running {
        apply_at_the_prompt(
            dir,
            args,
            &[
                ("UPCLOUD_API_URL", &self.url()),
                ("UPCLOUD_TOKEN", TEAM_TOKEN),
            ],
        )
    }

    /// Runs the binary as [`Sim::run`] does, but holds its first request of `method` to a path
    /// starting with `path` before the simulator handles it, until `meanwhile` has run: what
    /// `meanwhile` does to the account happens between the run's plan and that request, as when
    /// another pipeline applies its own file while this one waits at the prompt.
    pub fn run_holding(
        &self,
        (method, path): (&str, &str),
        dir: &Path,
        args: &[&str],
        meanwhile: impl FnOnce(),
    ) -> Run {
        let held = self.simulator.hold(method, path);
        let running = self.running(dir, args);
        assert!(
            held.arrived_within(running::PATIENCE),
            "{method} {path} never came: {}",
            running.stdout()
        );
        meanwhile();
        held.release();
        running.finish().0
    }

    /// Starts two `apply --auto-approve` at the same moment and checks both exit 0.
    pub fn two_successful_applies_at_once(&self, dir: &Path) -> Vec<Run> {
        let runs: Vec<Run> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..2)
                .map(|_| scope.spawn(|| self.run(dir, &["apply", "--auto-approve"])))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for run in &runs {
            assert_eq!(run.code, 0, "{run:?}");
        }
        runs
    }

    pub fn peering_labels(&self, name: &str) -> Vec<(String, String)> {
        let world = self.world();
        let peering = world
            .peerings()
            .find(|peering| peering.name == name)
            .unwrap_or_else(|| panic!("no peering named {name:?}"));
        peering
            .labels
            .iter()
            .map(|label| (label.key.clone(), label.value.clone()))
            .collect()
    }
}

/// `peerings apply` (then `args`) in `dir` with `env`, on a terminal, waiting at its prompt.
pub fn apply_at_the_prompt(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> running::Running {
    let running = running::Running::start_on_terminal(dir, &[&["apply"], args].concat(), env);
    running.wait_until("the prompt", |running| running.stderr().contains("[y/N] "));
    running
}

/// What a run of the binary printed and returned.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Both streams, for checks that something appears nowhere.
    pub fn output(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

/// `peerings` to run in `dir` with a clean environment: only `env` and what a process needs;
/// no input.
pub fn peerings_command(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_peerings"));
    command
        .current_dir(dir)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    for (key, value) in env {
        command.env(key, value);
    }
    command
}

/// Runs `peerings` in `dir` with a clean environment: only `env` and what a process needs.
pub fn run_peerings(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let output = peerings_command(dir, args, env)
        .output()
        .expect("the peerings binary runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs `peerings --api-url sim:demo-state.json ARGS` in `dir`, as the quick start does: the
/// embedded simulator, its state kept in the directory across runs, no credentials.
pub fn run_quick_start(dir: &Path, args: &[&str]) -> Run {
    let sim_url = format!("sim:{}", dir.join("demo-state.json").display());
    let mut all = vec!["--api-url", sim_url.as_str()];
    all.extend_from_slice(args);
    run_peerings(dir, &all, &[])
}

/// A temporary directory holding `peerings.toml` with this content.
pub fn project(file: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    std::fs::write(dir.path().join("peerings.toml"), file).expect("write peerings.toml");
    dir
}

pub fn path_in(dir: &tempfile::TempDir, name: &str) -> PathBuf {
    dir.path().join(name)
}

/// `text` with every UUID the simulator generated (peerings' UUIDs, assigned in the order
/// concurrent requests happen to arrive) replaced by `[uuid]`, and the simulator's URL (its port
/// differs on every run) by `[simulator]`. The test world's own UUIDs stay.
pub fn stable(text: &str) -> String {
    let text = without_simulator_port(text);
    let text = text.as_str();
    const FIXED: [&str; 9] = [
        APP,
        BACKEND,
        NO_ROUTER,
        PUBLIC,
        BASIC_NET,
        AIVEN,
        SILENT,
        OVERLAPPING,
        NOWHERE,
    ];
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        let candidate = rest
            .get(..36)
            .filter(|c| uuid::Uuid::try_parse(c).is_ok() && c.len() == 36);
        match candidate {
            Some(uuid)
                if !FIXED.contains(&uuid) && !is_demo_uuid(uuid) && !aiven::is_fixed(uuid) =>
            {
                out.push_str("[uuid]");
                rest = &rest[36..];
            }
            _ => {
                let next = rest.chars().next().map_or(1, char::len_utf8);
                out.push_str(&rest[..next]);
                rest = &rest[next..];
            }
        }
    }
    out
}

/// The demo world's networks (see the example files) and servers, which are part of what a
/// person reads.
fn is_demo_uuid(uuid: &str) -> bool {
    static DEMO_SERVERS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    let servers = DEMO_SERVERS.get_or_init(|| {
        World::demo()
            .servers()
            .map(|(_, server)| server.uuid.to_string())
            .collect()
    });
    include_str!("../../peerings.toml.example").contains(uuid)
        || include_str!("../../examples/multi-account.toml").contains(uuid)
        || servers.iter().any(|server| server == uuid)
}

/// `http://127.0.0.1:PORT` replaced by `[simulator]`.
fn without_simulator_port(text: &str) -> String {
    const LOOPBACK: &str = "http://127.0.0.1:";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(LOOPBACK) {
        out.push_str(&rest[..at]);
        let after = &rest[at + LOOPBACK.len()..];
        let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        out.push_str("[simulator]");
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}
