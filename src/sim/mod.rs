//! An UpCloud API simulator: the network peering, network and router endpoints of API 1.3, on
//! a simulated platform of several accounts. It is the quick start for users (`peerings sim
//! serve`, and `--api-url sim:STATE.json`) and the server every integration test talks to.
//!
//! It behaves as `shared/reference/upcloud-network-peering-api.md` describes. Where that
//! reference only infers a behaviour, the choice is made once, in [`errors`], so it is easy to
//! change. It shares only the wire types (`crate::upcloud::wire`) with the client.
//!
//! # The simulated platform
//!
//! A [`World`] holds accounts, their routers, networks and peerings. Each account signs in with
//! an API token or a user name and password, and sees only its own resources. A peering is one
//! account's half, from one of its networks towards a peer network in any account; its `state`
//! is derived from the world, never stored (see [`PeeringState`]). An account marked
//! `auto_peer` behaves like a cooperative peer (Aiven, another team): when someone creates a
//! half towards one of its networks, it creates the reverse half at once, so both become
//! `active`. New peerings get UUIDs from a fixed sequence, so runs are reproducible.
//!
//! Without `--world`, the simulator starts from [`World::demo`]: the networks that
//! `peerings.toml.example` names, in the accounts `demo` (the default, token
//! `ucat_demo_0000000000000000`), `aiven` and `shared-services`.
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
//! # State files
//!
//! With a state file, the simulator saves its world as JSON after every change, before it
//! answers, and starts from that file when it exists.

mod auth;
mod cidr;
pub mod errors;
mod log;
mod ops;
mod persist;
mod present;
mod routes;
mod rules;
mod state;
mod world;
mod world_file;

#[cfg(test)]
mod http_tests;

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use anyhow::{Context, bail};
use tokio::net::TcpListener;

pub use cidr::{Cidr, CidrError};
pub use errors::ApiError;
pub use log::LoggedRequest;
pub use state::PeeringState;
pub use world::{
    ConfiguredStatus, NetworkKind, SimAccount, SimCredentials, SimNetwork, SimPeering, SimRouter,
    World,
};
pub use world_file::WorldError;

/// A running simulated platform: the world, the optional state file and the request log.
/// Cheap to clone; clones share everything.
#[derive(Clone)]
pub struct Simulator {
    shared: Arc<Shared>,
}

struct Shared {
    world: Mutex<World>,
    state_file: Option<PathBuf>,
    log: Mutex<Vec<LoggedRequest>>,
    correlation_ids_issued: AtomicU64,
    /// How long every request waits before it is handled.
    latency: Mutex<Duration>,
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
    pub fn with_state_file(path: PathBuf, initial: World) -> anyhow::Result<Simulator> {
        let world = match persist::load(&path)? {
            Some(world) => world,
            None => {
                persist::save(&path, &initial).with_context(|| {
                    format!("cannot create the simulator state file {}", path.display())
                })?;
                initial
            }
        };
        Ok(Simulator::with_shared(world, Some(path)))
    }

    fn with_shared(world: World, state_file: Option<PathBuf>) -> Simulator {
        let shared = Shared {
            world: Mutex::new(world),
            state_file,
            log: Mutex::new(Vec::new()),
            correlation_ids_issued: AtomicU64::new(0),
            latency: Mutex::new(Duration::ZERO),
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
        lock(&self.shared.world).clone()
    }

    /// Every request so far, in arrival order.
    pub fn request_log(&self) -> Vec<LoggedRequest> {
        lock(&self.shared.log).clone()
    }

    /// Makes every request from now on wait `latency` before it is handled, as a slow API
    /// would, so that tests can make concurrent clients overlap.
    pub fn set_latency(&self, latency: Duration) {
        *lock(&self.shared.latency) = latency;
    }

    fn latency(&self) -> Duration {
        *lock(&self.shared.latency)
    }

    fn read<T>(&self, look: impl FnOnce(&World) -> T) -> T {
        look(&lock(&self.shared.world))
    }

    /// Applies `change` to a copy of the world and, if it succeeds and the copy is saved, makes
    /// the copy the world. A failed request or a failed save leaves the world as it was.
    fn mutate<T>(
        &self,
        change: impl FnOnce(&mut World) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let mut world = lock(&self.shared.world);
        let mut changed = world.clone();
        let answer = change(&mut changed)?;
        if let Some(path) = &self.shared.state_file {
            persist::save(path, &changed).map_err(|e| ApiError::StateNotSaved(e.to_string()))?;
        }
        *world = changed;
        Ok(answer)
    }

    fn log_arrival(&self, entry: LoggedRequest) -> usize {
        let mut log = lock(&self.shared.log);
        log.push(entry);
        log.len() - 1
    }

    fn log_answer(&self, index: usize, account: Option<String>, status: u16) {
        if let Some(entry) = lock(&self.shared.log).get_mut(index) {
            entry.account = account;
            entry.status = status;
        }
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

/// `peerings sim serve`: serves until Ctrl-C. Once bound, prints `listening on http://ADDR` to
/// stdout, so scripts and tests can read the port.
///
/// It starts from the world file if one is given (refusing to overwrite an existing state
/// file with it), else from the state file if it exists, else from the demo world.
pub async fn serve(
    listen: SocketAddr,
    state: Option<PathBuf>,
    world: Option<PathBuf>,
) -> anyhow::Result<()> {
    let simulator = simulator_to_serve(state, world)?;
    let listener = TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let bound = listener.local_addr()?;
    announce(bound)?;
    axum::serve(listener, routes::router(simulator))
        .with_graceful_shutdown(ctrl_c())
        .await
        .context("the simulator stopped")
}

fn simulator_to_serve(state: Option<PathBuf>, world: Option<PathBuf>) -> anyhow::Result<Simulator> {
    if let (Some(state), Some(_)) = (&state, &world) {
        if state.exists() {
            bail!(
                "the state file {} exists; remove it or leave out --world",
                state.display()
            );
        }
    }
    let initial = match &world {
        Some(path) => World::load_toml(path)?,
        None => World::demo(),
    };
    match state {
        Some(state) => Simulator::with_state_file(state, initial),
        None => Ok(Simulator::new(initial)),
    }
}

fn announce(bound: SocketAddr) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "listening on http://{bound}")?;
    stdout.flush()
}

/// Resolves on Ctrl-C. If the signal handler cannot be installed, never resolves: stopping
/// the server at once would be worse than needing another way to stop it.
async fn ctrl_c() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}
