//! An UpCloud API simulator: the network peering, network and router endpoints of API 1.3, on
//! a simulated platform of several accounts. It is the quick start for users (`peerings sim
//! serve`, and `--api-url sim:STATE.json`) and the server every integration test talks to.
//!
//! It behaves as `shared/reference/upcloud-network-peering-api.md` describes. Where that
//! reference only infers a behaviour, the choice is made once, in `error_answers.rs`, so it is easy to
//! change. It shares only the wire types (`crate::upcloud::wire`) with the client.
//!
//! # The simulated platform
//!
//! A [`World`] holds accounts, their routers, networks (each listing the servers attached to
//! it, which the world file declares: the simulator has no server endpoints) and peerings.
//! Each account signs in with an API token or a user name and password (and so do its
//! sub-accounts, other API users of the same account), and sees only its own resources. A
//! peering is one account's half, from one of its networks towards a peer network in any
//! account; its `state` is derived from the world, never stored (see [`SimPeeringState`]). An account marked
//! `auto_peer` behaves like a cooperative peer (Aiven, another team): when someone creates a
//! half towards one of its networks, it creates the reverse half at once, so both become
//! `active`. New peerings get UUIDs from a fixed sequence, so runs are reproducible.
//!
//! Without `--world`, the simulator starts from [`World::demo`]: the networks that
//! `peerings.toml.example` and `examples/multi-account.toml` name, in the accounts `demo` (the
//! default, token `ucat_demo_0000000000000000`), `aiven`, `shared-services` and `platform` (a
//! test keeps this list true), with a few servers on the networks, so that `apply` shows which
//! of them need a DHCP renewal.
//!
//! # World files
//!
//! `peerings sim serve --world FILE` starts from a world described in TOML. Unknown keys,
//! references to undefined accounts, routers or networks, reused UUIDs and malformed address
//! ranges are errors that name the line or the item.
//!
//! ```toml
//! # The account whose credentials `sim:` mode uses when the environment has none.
//! default_account = "demo"
//!
//! [accounts.demo]
//! token = "ucat_demo_0000000000000000"   # or: username = "...", password = "..."
//! auto_peer = false                      # the default
//! # Optional: other API users of the same account (UpCloud's sub-accounts), signing in with
//! # their own token or name and password, and seeing and changing what the account does.
//! sub_accounts = [{ username = "demo-ci", password = "demo-ci-password" }]
//!
//! [accounts.aiven]
//! username = "aiven"
//! password = "aiven-demo-password"
//! auto_peer = true    # creates the reverse half by itself, as a cooperative peer would
//!
//! [[router]]
//! account = "demo"
//! uuid = "8a6457ea-1ca3-470a-b508-4d4d38bf8d3e"
//! name = "demo-router-hel1"
//!
//! [[router]]
//! account = "aiven"
//! uuid = "03d8f685-9719-4d7e-8e5e-3b1322a63f64"
//! name = "aiven-router-hel1"
//!
//! [[network]]
//! account = "demo"
//! uuid = "03126dc1-a69f-4bc2-8b24-e31c22d64712"
//! name = "app private network"
//! type = "private"                       # private (the default), public or utility
//! zone = "fi-hel1"
//! router = "8a6457ea-1ca3-470a-b508-4d4d38bf8d3e"   # leave out for a network without router
//! ip_networks = ["192.168.0.0/24", "fc02:c4f3::/64"]
//! labels = { env = "prod" }              # optional
//! # Optional: the servers attached to it, which `GET /1.3/network` lists as
//! # "servers": {"server": [{"uuid": ..., "title": ...}]}. A server attached to several
//! # networks of its account is listed by each, with the same UUID and title.
//! servers = [
//!   { uuid = "00798b85-efdc-41ca-8021-f6ef457b8531", title = "web-1" },
//!   { uuid = "0077fa3d-32db-4b09-9f5f-30d9e9afb565", title = "web-2" },
//! ]
//!
//! [[network]]
//! account = "aiven"
//! uuid = "03585987-bf7d-4544-8e9b-5a1b4d74a333"
//! name = "aiven-project-vpc-hel1"
//! zone = "fi-hel1"
//! router = "03d8f685-9719-4d7e-8e5e-3b1322a63f64"
//! ip_networks = ["172.16.0.0/24"]
//!
//! # Optional: peerings that exist already, in creation order.
//! [[peering]]
//! account = "demo"
//! uuid = "0f7984bc-5d72-4aaf-b587-90e6a8f32efc"   # optional; generated when left out
//! name = "app to aiven"
//! network = "03126dc1-a69f-4bc2-8b24-e31c22d64712"        # one of the account's networks
//! peer_network = "03585987-bf7d-4544-8e9b-5a1b4d74a333"
//! configured_status = "active"                            # or "disabled"; default active
//! labels = { managed-by = "peerings" }                    # optional
//! ```
//!
//! Two optional top-level settings say how the platform behaves; a running simulator starts
//! from them, and `sim serve` flags ([`ServeOptions`]) or [`Simulator::set_provisioning`] and
//! [`Simulator::set_faults`] override them for its lifetime (the world keeps the file's values):
//!
//! ```toml
//! # Top-level, so before the first table: a peering is `provisioning` this long after a
//! # change; default 0.
//! provisioning_ms = 2000
//!
//! [faults]                 # every key optional; the defaults inject no fault
//! seed = 42                # all randomness comes from this seed
//! latency_ms = 50          # every request waits latency_ms + uniform(0..=jitter_ms)
//! jitter_ms = 20
//! rate_429 = 0.05          # the rates are probabilities, and add up to at most 1
//! retry_after_s = 1
//! rate_500 = 0.0
//! rate_503 = 0.0
//! rate_drop_before = 0.0   # connection closed, request not handled
//! rate_drop_after = 0.0    # request handled and saved, connection closed before the answer
//! rate_slow_body = 0.0     # answer's body trickled over slow_body_ms
//! slow_body_ms = 1000
//! rate_limit = "10/s"      # at most 10 requests a second (bursts of 10); the rest get 429
//!                          # with Retry-After until the next would be accepted
//! ```
//!
//! # Aiven
//!
//! Aiven's project VPC endpoints (`/v1/...`) are served beside UpCloud's, as [`aiven`]
//! describes. A world file gives them in `[aiven]`; the demo world has the project
//! `demo-project` with one VPC on the `aiven` account's network, and the token below.
//!
//! ```toml
//! [aiven]
//! approval_ms = 0                    # a new connection is APPROVED this long (at least until
//!                                    # the next request); default 0
//! deletion_ms = 0                    # a deleted one is DELETING this long; default 0
//! network_id_key = "to-network-id"   # the state_info key showing the Aiven network ID
//! discoverable = true                # false: the Aiven network ID is shown nowhere
//!
//! [[aiven.token]]
//! token = "aiven-demo-token-0000000000"   # sent as `Authorization: aivenv1 <token>` (or Bearer)
//! projects = ["demo-project"]             # optional; default every project
//!
//! [[aiven.vpc]]
//! project = "demo-project"
//! uuid = "5c1a2f0e-7b3d-4e8a-9f61-2d4b8c0e7a15"
//! network = "03585987-bf7d-4544-8e9b-5a1b4d74a333"   # a network of the world, in Aiven's account
//! state = "ACTIVE"                   # optional: APPROVED, ACTIVE (default), DELETING or DELETED
//! cloud_name = "upcloud-fi-hel1"     # optional; default `upcloud-` and the network's zone
//!
//! # Optional: connections that exist already. Without `state`, Aiven builds its half at the
//! # first request; with it, the connection shows that state and Aiven leaves it alone.
//! [[aiven.connection]]
//! project = "demo-project"
//! vpc = "5c1a2f0e-7b3d-4e8a-9f61-2d4b8c0e7a15"
//! peer_vpc = "03126dc1-a69f-4bc2-8b24-e31c22d64712"
//! state = "REJECTED_BY_PEER"
//! ```
//!
//! # The lifecycle of a peering
//!
//! After a create, and after a PATCH that changes `configured_status`, a peering is
//! `provisioning` for `provisioning_ms`, and then in the state the world implies. The end of
//! that time is stored with the peering as a wall-clock timestamp, so it holds across a
//! restart from the state file. Only a peering whose state is `disabled` can be deleted, so a
//! DELETE right after a PATCH to `disabled` is refused with 409 `PEERING_NOT_DISABLED` until
//! the change is carried out, as a client that polls for `disabled` expects.
//!
//! `DELETE /1.3/network/{uuid}` deletes one of the caller's networks, unless one of its own
//! peerings has it as its local network; other accounts' peerings towards it then report
//! `deleted-peer-network`. [`Simulator::delete_network`] does the same for tests.
//!
//! # Faults
//!
//! With `[faults]`, requests to any endpoint are delayed, refused (429 with `Retry-After`,
//! 500, 503), dropped before or after they are handled, or answered slowly, each drawn from
//! one random number generator seeded with `seed`, in arrival order; so a run is reproducible
//! given the same order of requests. A dropped connection closes without any answer: after
//! `drop-after` the change is made, and a client that retries its create gets 409
//! `PEERING_CONFLICT`. The request log ([`LoggedRequest`]) names the fault of each request.
//!
//! # State files
//!
//! With a state file, the simulator saves its world as JSON after every change, before it
//! answers, and starts from that file when it exists. The file holds the world's settings
//! too, not the overrides of a running simulator. Several simulators may share one state file,
//! in one process or several (two `--api-url sim:PATH` runs at once, or one beside `sim serve
//! --state PATH`): each change is a read-modify-write of the file under its lock, and each
//! request reads the world the file holds, so every write is kept and every simulator sees it
//! (see `persist`).

pub mod aiven;
mod auth;
mod error;
mod error_answers;
mod faults;
mod hold;
mod log;
mod ops;
mod persist;
mod present;
mod routes;
mod rules;
mod serve;
mod state;
mod world;
mod world_file;

#[cfg(test)]
mod fault_tests;
#[cfg(test)]
mod http_tests;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::net::TcpListener;
use uuid::Uuid;

pub use error::SimError;
pub use error_answers::ErrorAnswer;
pub use faults::{Fault, Faults, Probability, RateLimit};
pub use hold::Held;
pub use log::LoggedRequest;
pub use serve::{ServeOptions, serve};
pub use state::SimPeeringState;
pub use world::{
    NetworkKind, SimAccount, SimConfiguredStatus, SimCredentials, SimNetwork, SimPeering,
    SimRouter, SimServer, World,
};

/// A running simulated platform: the world, the optional state file and the request log.
/// Cheap to clone; clones share everything.
#[derive(Clone)]
pub struct Simulator {
    shared: Arc<Shared>,
}

struct Shared {
    world: Mutex<World>,
    state_file: Option<PathBuf>,
    log: Mutex<log::RequestLog>,
    correlation_ids_issued: AtomicU64,
    /// The faults in force and the random numbers they are drawn with. Locked only while the
    /// log is locked, so draws happen in the order of the log.
    dice: Mutex<faults::FaultDice>,
    /// How long a peering is `provisioning` after a change; 0 means never.
    provisioning_ms: AtomicU64,
    /// The requests tests asked to hold, in the order they asked; each is used once.
    holds: Mutex<Vec<hold::Hold>>,
}

/// The state file could not be written, so a change was not made; each API answers it in its
/// own error body.
struct NotSaved(String);

impl From<NotSaved> for ErrorAnswer {
    fn from(NotSaved(why): NotSaved) -> Self {
        ErrorAnswer::StateNotSaved(why)
    }
}

/// A lock whose holder panicked still guards consistent data: every change is made on a copy
/// and swapped in whole.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Simulator {
    /// A simulator that keeps its world in memory only.
    pub fn new(world: World) -> Simulator {
        Simulator::with_shared(world, None)
    }

    /// A simulator that saves its world to `path` after every change. If `path` exists, the
    /// world is read from it; otherwise the simulator starts from `initial` and creates it.
    pub fn with_state_file(path: PathBuf, initial: World) -> Result<Simulator, SimError> {
        let world = match persist::load(&path)? {
            Some(world) => world,
            None => persist::create(&path, initial)?,
        };
        Ok(Simulator::with_shared(world, Some(path)))
    }

    /// Starts with the world's own settings.
    fn with_shared(world: World, state_file: Option<PathBuf>) -> Simulator {
        let shared = Shared {
            dice: Mutex::new(faults::FaultDice::new(world.faults.clone())),
            provisioning_ms: AtomicU64::new(world.provisioning_ms),
            world: Mutex::new(world),
            state_file,
            log: Mutex::new(log::RequestLog::default()),
            correlation_ids_issued: AtomicU64::new(0),
            holds: Mutex::new(Vec::new()),
        };
        Simulator {
            shared: Arc::new(shared),
        }
    }

    /// Binds `addr` (port 0 picks a free one), serves on a task of the current tokio runtime,
    /// and returns the bound address.
    pub async fn spawn(&self, addr: SocketAddr) -> std::io::Result<SocketAddr> {
        let listener = TcpListener::bind(addr).await?;
        let bound = listener.local_addr()?;
        let app = routes::router(self.clone());
        tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, app).await {
                eprintln!("the simulator on {bound} stopped: {error}");
            }
        });
        Ok(bound)
    }

    /// A copy of the world as it is now.
    pub fn world(&self) -> World {
        self.read(World::clone)
    }

    /// The requests since the last [`Simulator::reset_log`], in arrival order: all of them, up
    /// to the most recent 10,000 (older ones are forgotten, so a long `sim serve` stays small).
    pub fn request_log(&self) -> Vec<LoggedRequest> {
        lock(&self.shared.log).entries()
    }

    /// The most requests that were in flight at once (since the last reset).
    pub fn max_in_flight(&self) -> usize {
        lock(&self.shared.log).max_in_flight()
    }

    /// How many requests each endpoint received (since the last reset, of those the log keeps),
    /// keyed like `"GET /1.3/network-peering/{uuid}"`: UUIDs in the path replaced, the query
    /// left out.
    pub fn request_counts(&self) -> BTreeMap<String, usize> {
        lock(&self.shared.log).counts()
    }

    /// Forgets the log, the counts and the highest concurrency, between phases of a test.
    pub fn reset_log(&self) {
        lock(&self.shared.log).reset();
    }

    /// Makes every request from now on wait `latency` (in whole milliseconds) before it is
    /// handled, as a slow API would, so that tests can make concurrent clients overlap. The
    /// same as the `latency_ms` of [`Faults`]; the other fault settings stay.
    pub fn set_latency(&self, latency: Duration) {
        let latency_ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
        lock(&self.shared.dice).set_latency_ms(latency_ms);
    }

    /// Replaces the fault settings, and restarts the random numbers from their seed.
    pub fn set_faults(&self, faults: Faults) {
        *lock(&self.shared.dice) = faults::FaultDice::new(faults);
    }

    /// Gives `fault` to the next request of `method` (`"POST"`) whose path (with its query)
    /// starts with `path`, instead of whatever the fault settings draw; for a test that needs a
    /// fault at one exact place. [`Simulator::set_faults`] forgets the faults asked for so far.
    pub fn script_fault(&self, method: &str, path: &str, fault: Fault) {
        lock(&self.shared.dice).script(method, path, fault);
    }

    /// Holds the next request of `method` (`"POST"`) whose path (with its query) starts with
    /// `path` once it has arrived (and is logged), before anything else happens to it, until
    /// the returned [`Held`] releases it: for a test that must make something happen at that
    /// exact place, such as another client's change between a plan's reads and its create.
    pub fn hold(&self, method: &str, path: &str) -> Held {
        let (hold, held) = hold::new(method, path);
        lock(&self.shared.holds).push(hold);
        held
    }

    /// The first hold asked for that `method` and `path` match, taken: it is used once.
    fn take_hold(&self, method: &str, path: &str) -> Option<hold::Hold> {
        let mut holds = lock(&self.shared.holds);
        let index = holds.iter().position(|hold| hold.matches(method, path))?;
        Some(holds.remove(index))
    }

    /// How long a peering is `provisioning` after a create or a change of its
    /// `configured_status`, from now on (in whole milliseconds); zero means never.
    pub fn set_provisioning(&self, duration: Duration) {
        let ms = u64::try_from(duration.as_millis()).unwrap_or(u64::MAX);
        self.shared.provisioning_ms.store(ms, Ordering::Relaxed);
    }

    /// Deletes a network as its owner would through `DELETE /1.3/network/{uuid}`, with the
    /// same refusals.
    pub fn delete_network(&self, uuid: Uuid) -> Result<(), ErrorAnswer> {
        let owner = self.read(|world| world.network(uuid).map(|n| n.account.clone()));
        let Some(owner) = owner else {
            return Err(ErrorAnswer::ResourceNotFound {
                correlation_id: self.next_correlation_id(),
            });
        };
        self.delete_network_of(&owner, &uuid.to_string())
    }

    fn delete_network_of(&self, account: &str, uuid: &str) -> Result<(), ErrorAnswer> {
        self.mutate(|world| {
            ops::delete_network(world, account, uuid).map_err(|refusal| {
                let correlation_id = self.next_correlation_id();
                match refusal {
                    ops::NetworkRefusal::NotFound => {
                        ErrorAnswer::ResourceNotFound { correlation_id }
                    }
                    ops::NetworkRefusal::HasPeerings => {
                        ErrorAnswer::NetworkHasPeerings { correlation_id }
                    }
                }
            })
        })
    }

    /// The moment a request is handled, with the provisioning time in force.
    fn moment(&self) -> ops::Moment {
        ops::Moment {
            now_ms: state::now_ms(),
            provisioning_ms: self.shared.provisioning_ms.load(Ordering::Relaxed),
        }
    }

    /// Looks at the world as it is now: with a state file, as the file holds it, since another
    /// simulator sharing the file may have changed it.
    fn read<T>(&self, look: impl FnOnce(&World) -> T) -> T {
        let mut world = lock(&self.shared.world);
        if let Some(path) = &self.shared.state_file {
            match persist::load(path) {
                Ok(Some(saved)) => *world = saved,
                // The world as this simulator last saw it is the best answer left.
                Ok(None) => tracing::warn!("the simulator state file {} is gone", path.display()),
                Err(error) => tracing::warn!("{error:#}"),
            }
        }
        look(&world)
    }

    /// Applies `change` to a copy of the world and, if it succeeds and the copy is saved, makes
    /// the copy the world. A failed request or a failed save leaves the world as it was. With a
    /// state file, the change is made to the world the file holds, under its lock.
    fn mutate<T, E: From<NotSaved>>(
        &self,
        change: impl FnOnce(&mut World) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut world = lock(&self.shared.world);
        let (answer, changed) = match &self.shared.state_file {
            Some(path) => persist::update(path, change)?,
            None => {
                let mut changed = world.clone();
                (change(&mut changed)?, changed)
            }
        };
        *world = changed;
        Ok(answer)
    }

    /// A correlation id for a problem answer, reproducible like the world's UUIDs. Drawn from
    /// the far end of the UUID sequence, so it never equals a peering's UUID.
    fn next_correlation_id(&self) -> String {
        let n = self
            .shared
            .correlation_ids_issued
            .fetch_add(1, Ordering::Relaxed);
        world::nth_uuid(u64::MAX / 4 - n).to_string()
    }
}
