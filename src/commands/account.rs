//! Reaching the accounts a file manages: one API client per account, credentials checked
//! before any request is sent, and for `sim:` URLs the in-process simulator they talk to (one
//! per state file, shared by the accounts that name it, so they live in one simulated world).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;

use crate::aiven::{self, AivenClient};
use crate::apply::Clients;
use crate::cli::ApiOptions;
use crate::config::{AccountCredentials, AccountSpec, Desired};
use crate::http::{ApiError, ClientOptions, Secret};
use crate::model::VpcRef;
use crate::plan::NetworkNames;
use crate::plan::VpcSeen;
use crate::plan::{self, Observed, Plan};
use crate::render::graph::{Graph, View};
use crate::sim;
use crate::stop::StopSignal;
use crate::upcloud::{Client, Credentials, PASSWORD_VAR, TOKEN_VAR, USERNAME_VAR};

/// `--api-url sim:PATH` runs the simulator in-process, its state kept in PATH.
const SIM_SCHEME: &str = "sim:";

/// Where and how to reach the API, from the command line.
#[derive(Debug, Clone)]
pub struct Connection {
    pub api_url: String,
    pub client_options: ClientOptions,
    /// `--aiven-api-url` (env `AIVEN_API_URL`), for a file whose `[aiven]` names no API root.
    pub aiven_api_url: Option<String>,
    /// Stops the clients' retries and waits (see [`crate::stop`]).
    pub stop: StopSignal,
}

impl Connection {
    pub fn new(options: &ApiOptions) -> Connection {
        Connection {
            api_url: options.api_url.clone(),
            client_options: ClientOptions {
                timeout: options.timeout,
                max_retries: options.max_retries,
                ..ClientOptions::default()
            },
            aiven_api_url: options.aiven_api_url.clone(),
            stop: StopSignal::default(),
        }
    }

    fn client(&self, url: &Endpoint, credentials: Credentials) -> anyhow::Result<Client> {
        Ok(
            Client::new(url.http(), credentials, self.client_options.clone())?
                .stopped_by(self.stop.clone()),
        )
    }
}

/// The API clients of the accounts in use and of Aiven, and the simulators serving `sim:` URLs.
pub struct Accounts {
    pub clients: Clients,
    /// With the file's `[aiven]` table, when Aiven's token is at hand (always, when the file has
    /// `[[aiven_peering]]` tables: they need it).
    pub aiven: Option<AivenClient>,
    /// Where each account's credentials came from, for a refusal to name what to check.
    sources: BTreeMap<Option<String>, CredentialSource>,
    simulators: BTreeMap<String, (sim::Simulator, SocketAddr)>,
}

/// What the accounts hold, and the plan that would make them match the file.
pub struct Planned {
    /// Every account's plan, as one.
    pub plan: Plan,
    pub names: NetworkNames,
    /// What each account holds (`None`: the account of a file without accounts).
    pub observed: BTreeMap<Option<String>, Observed>,
}

impl Planned {
    /// The diagram of the accounts and the plan.
    pub fn graph(&self, view: View, desired: &Desired) -> Graph {
        Graph::build(view, &self.plan, &self.observed, desired, &self.names)
    }
}

/// Where an account's credentials came from.
#[derive(Debug, Clone)]
enum CredentialSource {
    /// These environment variables, as a person writes them: `UPCLOUD_TOKEN`, or
    /// `UPCLOUD_TOKEN_PROD (token_env of account prod)`.
    Variables(String),
    /// The in-process simulator's own account of this name.
    Simulator(String),
}

impl fmt::Display for CredentialSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredentialSource::Variables(variables) => write!(f, "the credentials in {variables}"),
            CredentialSource::Simulator(account) => {
                write!(f, "the credentials of the simulator's account {account}")
            }
        }
    }
}

impl Accounts {
    fn none() -> Accounts {
        Accounts {
            clients: Clients::new(),
            aiven: None,
            sources: BTreeMap::new(),
            simulators: BTreeMap::new(),
        }
    }

    /// The account the environment's credentials belong to (`None` in `clients`): for a file
    /// without accounts, and for `import`. An in-process simulator (`sim:`) acts as its world's
    /// default account whatever the environment holds: its quick start must work for someone
    /// whose real credentials are exported.
    pub async fn connect_env(connection: &Connection) -> anyhow::Result<Accounts> {
        let mut accounts = Accounts::none();
        let url = accounts.endpoint(&connection.api_url).await?;
        let (credentials, source) = match &url {
            Endpoint::Sim(path, _) => {
                let (account, credentials) = accounts.default_sim_credentials(path)?;
                if Credentials::any_in_env() {
                    tracing::info!(
                        "{}: the simulator acts as its account {account}; the credentials in \
                         the environment are not used",
                        connection.api_url
                    );
                }
                (credentials, CredentialSource::Simulator(account))
            }
            Endpoint::Http(_) => {
                let credentials = Credentials::from_env()?;
                let variables = match &credentials {
                    Credentials::Token(_) => TOKEN_VAR.to_owned(),
                    Credentials::Basic { .. } => format!("{USERNAME_VAR} and {PASSWORD_VAR}"),
                };
                (credentials, CredentialSource::Variables(variables))
            }
        };
        let client = connection.client(&url, credentials)?;
        accounts.clients.insert(None, client);
        accounts.sources.insert(None, source);
        Ok(accounts)
    }

    /// Every account the file declares, or the environment's account if it declares none, and
    /// Aiven's client for a file with `[aiven]`. Every credential variable is read before
    /// anything is sent; all missing ones are named. An account on an in-process simulator acts
    /// as the simulator's account of its name, and needs no variables.
    pub async fn connect(desired: &Desired, connection: &Connection) -> anyhow::Result<Accounts> {
        let mut accounts = if desired.uses_accounts() {
            Accounts::connect_declared(desired, connection).await?
        } else {
            Accounts::connect_env(connection).await?
        };
        accounts.aiven = accounts.connect_aiven(desired, connection).await?;
        Ok(accounts)
    }

    /// The accounts a file declares.
    async fn connect_declared(
        desired: &Desired,
        connection: &Connection,
    ) -> anyhow::Result<Accounts> {
        let mut accounts = Accounts::none();
        let mut missing = Vec::new();
        for (name, spec) in &desired.accounts {
            let url = accounts
                .endpoint(spec.api_url.as_deref().unwrap_or(&connection.api_url))
                .await?;
            let (credentials, source) = match (&url, read_account_credentials(spec)) {
                (Endpoint::Sim(path, _), given) => {
                    if given.is_ok() {
                        tracing::info!(
                            "account {name}: the simulator acts as its account {name}; the \
                             credentials in {} are not used",
                            variables_of(name, spec)
                        );
                    }
                    let credentials = accounts.sim_credentials(path, name)?;
                    (credentials, CredentialSource::Simulator(name.clone()))
                }
                (Endpoint::Http(_), Ok(credentials)) => (
                    credentials,
                    CredentialSource::Variables(variables_of(name, spec)),
                ),
                (Endpoint::Http(_), Err(variables)) => {
                    missing.extend(variables.into_iter().map(|variable| (name, variable)));
                    continue;
                }
            };
            let client = connection.client(&url, credentials)?;
            accounts.clients.insert(Some(name.clone()), client);
            accounts.sources.insert(Some(name.clone()), source);
        }
        if !missing.is_empty() {
            let lines: Vec<String> = missing
                .iter()
                .map(|(account, variable)| format!("  {variable} (for account {account})"))
                .collect();
            anyhow::bail!(
                "credentials missing from the environment; nothing was sent:\n{}\n\
                 Set these variables, as the file's [accounts] tables name them",
                lines.join("\n")
            );
        }
        Ok(accounts)
    }

    /// Aiven's client, for a file with `[aiven]`: its API root is the table's `api_url`, else
    /// `--aiven-api-url` (`AIVEN_API_URL`), else the simulator of `--api-url` when that is one,
    /// else Aiven's. Its token is in the variable `token_env` names; an in-process simulator
    /// uses its world's own whatever the environment holds, as it does for UpCloud's
    /// credentials. Without a token, a file without `[[aiven_peering]]` reads nothing of Aiven;
    /// one with them is refused before anything is sent.
    async fn connect_aiven(
        &mut self,
        desired: &Desired,
        connection: &Connection,
    ) -> anyhow::Result<Option<AivenClient>> {
        let Some(spec) = &desired.aiven else {
            return Ok(None);
        };
        let url = match (&spec.api_url, &connection.aiven_api_url) {
            (Some(url), _) | (None, Some(url)) => url.clone(),
            (None, None) if connection.api_url.starts_with(SIM_SCHEME) => {
                connection.api_url.clone()
            }
            (None, None) => aiven::DEFAULT_API_URL.to_owned(),
        };
        let url = self.endpoint(&url).await?;
        let from_env = std::env::var(&spec.token_env)
            .ok()
            .filter(|token| !token.is_empty());
        let token = match (&url, from_env) {
            (Endpoint::Sim(path, _), from_env) => {
                if from_env.is_some() {
                    tracing::info!(
                        "Aiven: the simulator uses its own token; the one in {} is not used",
                        spec.token_env
                    );
                }
                self.world(path)?
                    .default_aiven_token()
                    .with_context(|| {
                        format!("the simulator's world ({path}) has no Aiven token to use")
                    })?
                    .to_owned()
            }
            (Endpoint::Http(_), Some(token)) => token,
            (Endpoint::Http(_), None) if desired.aiven_peerings.is_empty() => return Ok(None),
            (Endpoint::Http(_), None) => anyhow::bail!(
                "{} is not set: the file's [[aiven_peering]] tables need Aiven's API token in \
                 it (the variable [aiven] token_env names); nothing was sent",
                spec.token_env
            ),
        };
        let client = AivenClient::new(
            url.http(),
            Secret::new(token),
            connection.client_options.clone(),
        )?;
        Ok(Some(client.stopped_by(connection.stop.clone())))
    }

    /// Reads every account's peerings and networks, and every Aiven VPC the file's
    /// `[[aiven_peering]]` tables name, all at once: one round trip. When reads fail, the first
    /// in a fixed order (accounts by name, peerings before networks, then the VPCs) is
    /// reported, so that the same failure reads the same on every run. Refuses, before
    /// anything is written, when two declared accounts turn out to be one.
    pub async fn observe(
        &self,
        desired: &Desired,
    ) -> anyhow::Result<BTreeMap<Option<String>, Observed>> {
        let reads = self.clients.iter().map(|(account, client)| async move {
            let (peerings, networks) = tokio::join!(client.list_peerings(), client.list_networks());
            (
                account,
                peerings.and_then(|peerings| Ok((peerings, networks?))),
            )
        });
        let (accounts, vpcs) =
            tokio::join!(futures::future::join_all(reads), self.read_vpcs(desired));
        let mut observed = BTreeMap::new();
        for (account, read) in accounts {
            let (mut peerings, networks) =
                read.map_err(|error| self.read_failed(account, error))?;
            for peering in &mut peerings {
                peering.account = account.clone();
            }
            let seen = Observed {
                peerings,
                networks,
                vpcs: BTreeMap::new(),
            };
            observed.insert(account.clone(), seen);
        }
        let vpcs = vpcs?;
        for peering in &desired.aiven_peerings {
            let (Some(seen), Some(account)) =
                (vpcs.get(&peering.vpc), observed.get_mut(&peering.account))
            else {
                continue;
            };
            account.vpcs.insert(peering.vpc.clone(), seen.clone());
        }
        refuse_declared_twice(&observed)?;
        Ok(observed)
    }

    /// Each VPC the file names, once, all at once. A VPC Aiven does not know is an observation
    /// (the plan warns about it), not an error. Of failed reads, the first VPC's is reported.
    async fn read_vpcs(&self, desired: &Desired) -> anyhow::Result<BTreeMap<VpcRef, VpcSeen>> {
        let Some(client) = &self.aiven else {
            return Ok(BTreeMap::new());
        };
        let named: BTreeSet<&VpcRef> = desired.aiven_peerings.iter().map(|p| &p.vpc).collect();
        let token_env = desired
            .aiven
            .as_ref()
            .map_or(aiven::TOKEN_VAR, |aiven| aiven.token_env.as_str());
        let reads = named.into_iter().map(|at| async move {
            let seen = match client.get_vpc(at).await {
                Ok(vpc) => VpcSeen::Found(vpc),
                Err(ApiError::Status {
                    status: 404,
                    message,
                    ..
                }) => VpcSeen::NotFound { message },
                Err(error) => {
                    let hint = aiven_hint(&error, &at.project, token_env);
                    return Err(
                        anyhow::Error::new(error).context(format!("reading Aiven VPC {at}{hint}"))
                    );
                }
            };
            Ok((at.clone(), seen))
        });
        futures::future::join_all(reads).await.into_iter().collect()
    }

    /// A failed read, saying which account; for refused credentials, also where they came from.
    fn read_failed(&self, account: &Option<String>, error: ApiError) -> anyhow::Error {
        let reading = describe(account);
        let refused = error.status() == Some(401);
        match self.sources.get(account).filter(|_| refused) {
            Some(source) => anyhow::Error::new(error)
                .context(format!("the API refused {source} ({reading}); check them")),
            None => anyhow::Error::new(error).context(reading),
        }
    }

    pub async fn plan(&self, desired: &Desired) -> anyhow::Result<Planned> {
        let observed = self.observe(desired).await?;
        let names = NetworkNames::of_accounts(desired, &observed);
        let plan = Plan::merge(plan::plan_accounts(desired, &observed));
        Ok(Planned {
            plan,
            names,
            observed,
        })
    }

    /// An http(s) URL as it is, or for `sim:PATH` the simulator of that state file, started on
    /// first use.
    async fn endpoint(&mut self, api_url: &str) -> anyhow::Result<Endpoint> {
        let Some(path) = api_url.strip_prefix(SIM_SCHEME) else {
            return Ok(Endpoint::Http(api_url.to_owned()));
        };
        if let Some((_, address)) = self.simulators.get(path) {
            return Ok(Endpoint::Sim(path.to_owned(), format!("http://{address}")));
        }
        let simulator = sim::Simulator::with_state_file(PathBuf::from(path), sim::World::demo())?;
        let address = simulator
            .spawn(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .context("cannot start the simulator")?;
        self.simulators
            .insert(path.to_owned(), (simulator, address));
        Ok(Endpoint::Sim(path.to_owned(), format!("http://{address}")))
    }

    fn world(&self, path: &str) -> anyhow::Result<sim::World> {
        let (simulator, _) = self
            .simulators
            .get(path)
            .with_context(|| format!("no simulator for {path}"))?;
        Ok(simulator.world())
    }

    /// The world's default account, and its credentials, to act as with `sim:`.
    fn default_sim_credentials(&self, path: &str) -> anyhow::Result<(String, Credentials)> {
        let world = self.world(path)?;
        let credentials = world
            .default_credentials()
            .context("the simulator's world has no default account to act as")?;
        Ok((world.default_account, client_credentials(credentials)))
    }

    /// The credentials of the world's account of this name, to act as with `sim:`.
    fn sim_credentials(&self, path: &str, account: &str) -> anyhow::Result<Credentials> {
        let world = self.world(path)?;
        let found = world.accounts.get(account).with_context(|| {
            format!(
                "the simulator's world ({path}) has no account named {account} to act as for \
                 account {account}"
            )
        })?;
        Ok(client_credentials(found.credentials.clone()))
    }
}

/// Two `[accounts.NAME]` tables for one UpCloud account would prune each other's peerings.
fn refuse_declared_twice(observed: &BTreeMap<Option<String>, Observed>) -> anyhow::Result<()> {
    let found = plan::declared_twice(observed);
    if found.is_empty() {
        return Ok(());
    }
    let lines: Vec<String> = found.iter().map(|twice| format!("  {twice}")).collect();
    anyhow::bail!(
        "the file declares one UpCloud account twice; nothing was changed:\n{}\n\
         Each account's plan would take the other's peerings for its own, and with prune = true \
         delete them. Declare each UpCloud account once, in one [accounts.NAME] table (its API \
         users and tokens all reach the same peerings)",
        lines.join("\n")
    )
}

/// Where an account's API is.
enum Endpoint {
    Http(String),
    /// A simulator's state file and the address it serves on.
    Sim(String, String),
}

impl Endpoint {
    fn http(&self) -> &str {
        match self {
            Endpoint::Http(url) | Endpoint::Sim(_, url) => url,
        }
    }
}

/// The variables an account's credentials come from, as messages name them.
fn variables_of(account: &str, spec: &AccountSpec) -> String {
    match &spec.credentials {
        AccountCredentials::Token { env } => format!("{env} (token_env of account {account})"),
        AccountCredentials::Basic {
            username_env,
            password_env,
        } => format!(
            "{username_env} and {password_env} (username_env and password_env of account \
             {account})"
        ),
    }
}

/// The credentials an account's `_env` variables hold, or the names of those that are unset.
fn read_account_credentials(spec: &AccountSpec) -> Result<Credentials, Vec<String>> {
    let read = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
    match &spec.credentials {
        AccountCredentials::Token { env } => read(env)
            .map(|token| Credentials::Token(Secret::new(token)))
            .ok_or_else(|| vec![env.clone()]),
        AccountCredentials::Basic {
            username_env,
            password_env,
        } => match (read(username_env), read(password_env)) {
            (Some(username), Some(password)) => Ok(Credentials::Basic {
                username,
                password: Secret::new(password),
            }),
            (username, password) => Err([(username, username_env), (password, password_env)]
                .into_iter()
                .filter(|(value, _)| value.is_none())
                .map(|(_, name)| name.clone())
                .collect()),
        },
    }
}

fn client_credentials(credentials: sim::SimCredentials) -> Credentials {
    match credentials {
        sim::SimCredentials::Token(token) => Credentials::Token(Secret::new(token)),
        sim::SimCredentials::Basic { username, password } => Credentials::Basic {
            username,
            password: Secret::new(password),
        },
    }
}

fn describe(account: &Option<String>) -> String {
    match account {
        Some(name) => format!("reading account {name}"),
        None => "reading the account".to_owned(),
    }
}

/// What to check when Aiven refuses a read for its credentials: the token in `token_env`, and
/// its access to the project.
fn aiven_hint(error: &ApiError, project: &str, token_env: &str) -> String {
    match error.status() {
        Some(401) => format!(" (Aiven refused the token: check the one in {token_env})"),
        Some(403) => format!(
            " (the token may not act on project {project}: use a token of a user with access \
             to it)"
        ),
        _ => String::new(),
    }
}
