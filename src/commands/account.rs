//! Reaching one account: its API client, and for `sim:` URLs the in-process simulator it talks
//! to.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;

use crate::config::Desired;
use crate::plan::{self, Observed, Plan};
use crate::render::NetworkNames;
use crate::sim;
use crate::upcloud::{Client, ClientOptions, Credentials, Secret};

/// `--api-url sim:PATH` runs the simulator in-process, its state kept in PATH.
const SIM_SCHEME: &str = "sim:";

/// Where and how to reach the API, from the command line.
#[derive(Debug, Clone)]
pub struct Connection {
    pub api_url: String,
    pub client_options: ClientOptions,
}

/// One account's API client, and the in-process simulator serving it for `sim:` URLs.
pub struct Account {
    pub client: Client,
    /// Kept so the simulator lives as long as the client that talks to it.
    _simulator: Option<sim::Simulator>,
}

/// What the account holds, and the plan that would make it match the file.
pub struct Planned {
    pub observed: Observed,
    pub plan: Plan,
    pub names: NetworkNames,
}

impl Account {
    /// Sets up the client. Credentials are checked here, before any request is sent.
    pub async fn connect(connection: &Connection) -> anyhow::Result<Account> {
        let options = connection.client_options.clone();
        let Some(state_path) = connection.api_url.strip_prefix(SIM_SCHEME) else {
            let credentials = Credentials::from_env()?;
            return Ok(Account {
                client: Client::new(&connection.api_url, credentials, options)?,
                _simulator: None,
            });
        };
        let simulator =
            sim::Simulator::with_state_file(PathBuf::from(state_path), sim::World::demo())?;
        let address = simulator
            .spawn(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .context("cannot start the simulator")?;
        let credentials = if Credentials::any_in_env() {
            Credentials::from_env()?
        } else {
            simulator_credentials(&simulator.world())?
        };
        Ok(Account {
            client: Client::new(&format!("http://{address}"), credentials, options)?,
            _simulator: Some(simulator),
        })
    }

    /// Reads the account's peerings and networks, both at once: one round trip.
    pub async fn observe(&self) -> anyhow::Result<Observed> {
        let (peerings, networks) =
            tokio::try_join!(self.client.list_peerings(), self.client.list_networks())?;
        Ok(Observed { peerings, networks })
    }

    pub async fn plan(&self, desired: &Desired) -> anyhow::Result<Planned> {
        let observed = self.observe().await?;
        let names = NetworkNames::new(desired, &observed);
        let plan = plan::plan(desired, &observed);
        Ok(Planned {
            observed,
            plan,
            names,
        })
    }
}

/// With `sim:` and no credentials in the environment, act as the world's default account.
fn simulator_credentials(world: &sim::World) -> anyhow::Result<Credentials> {
    match world.default_credentials() {
        Some(sim::SimCredentials::Token(token)) => Ok(Credentials::Token(Secret::new(token))),
        Some(sim::SimCredentials::Basic { username, password }) => Ok(Credentials::Basic {
            username,
            password: Secret::new(password),
        }),
        None => anyhow::bail!("the simulator's world has no default account to act as"),
    }
}
