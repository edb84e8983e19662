//! The command line: clap definitions and dispatch to the modules that do the work.

use std::io::{BufRead, IsTerminal, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anstyle::{AnsiColor, Style};
use anyhow::Context;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::{self, Desired, LoadError};
use crate::exit::Exit;
use crate::plan::{self, Observed, Plan};
use crate::render::{self, NetworkNames};
use crate::upcloud::{Client, Credentials, Secret};
use crate::{apply, sim};

const DEFAULT_API_URL: &str = "https://api.upcloud.com";
/// `--api-url sim:PATH` runs the simulator in-process, its state kept in PATH.
const SIM_SCHEME: &str = "sim:";

/// Declarative management of UpCloud network peerings.
///
/// Reads the desired peerings from a TOML file, compares them with what exists in the account
/// (`plan`) and converges (`apply`). Credentials come from UPCLOUD_TOKEN, or UPCLOUD_USERNAME
/// and UPCLOUD_PASSWORD.
#[derive(Debug, Parser)]
#[command(name = "peerings", version, max_term_width = 100)]
pub struct Cli {
    /// The desired-state file.
    #[arg(
        short = 'f',
        long = "file",
        value_name = "PATH",
        default_value = "peerings.toml",
        env = "PEERINGS_FILE",
        global = true
    )]
    file: PathBuf,

    /// The UpCloud API's root URL; the client adds /1.3/... `sim:STATE.json` runs the embedded
    /// simulator instead, with its state kept in STATE.json (no credentials needed).
    #[arg(
        long,
        value_name = "URL",
        default_value = DEFAULT_API_URL,
        env = "UPCLOUD_API_URL",
        global = true
    )]
    api_url: String,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check the file offline: no credentials, no network. Exit 0 when valid, 1 when not.
    Validate,
    /// Show what apply would change. Read-only.
    Plan(PlanArgs),
    /// Make the account match the file, after showing the plan and asking.
    Apply(ApplyArgs),
    /// The UpCloud API simulator, for trying peerings out and for tests.
    #[command(subcommand)]
    Sim(SimCommand),
}

#[derive(Debug, Args)]
struct PlanArgs {
    /// How to print the plan.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    output: OutputFormat,

    /// Exit 0 when there are no changes and 2 when changes are pending (1 stays "error").
    #[arg(long)]
    detailed_exitcode: bool,
}

#[derive(Debug, Args)]
struct ApplyArgs {
    /// Apply without asking. Required when there is no terminal to ask on.
    #[arg(long)]
    auto_approve: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum OutputFormat {
    /// For people, in Terraform's style.
    Human,
    /// One JSON document on stdout, for scripts.
    Json,
}

#[derive(Debug, Subcommand)]
enum SimCommand {
    /// Serve the simulated UpCloud API over HTTP until interrupted.
    Serve {
        /// Address to listen on; port 0 picks a free one (the address is printed).
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Keep the simulator's state in this JSON file, across restarts.
        #[arg(long, value_name = "FILE")]
        state: Option<PathBuf>,
        /// Start from this world (accounts, networks, routers, peerings) instead of the demo.
        #[arg(long, value_name = "WORLD.toml")]
        world: Option<PathBuf>,
    },
}

/// Parses the command line, runs the command, and returns the exit code.
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage_error(&error).into(),
    };
    match execute(cli) {
        Ok(exit) => exit.into(),
        Err(error) => {
            report_error(&error);
            Exit::Failure.into()
        }
    }
}

/// clap exits 2 on a usage error, which `--detailed-exitcode` reserves for "changes pending".
fn usage_error(error: &clap::Error) -> Exit {
    let _ = error.print();
    if error.use_stderr() {
        Exit::Failure
    } else {
        Exit::Success
    }
}

fn execute(cli: Cli) -> anyhow::Result<Exit> {
    match cli.command {
        Command::Validate => validate(&cli.file),
        Command::Plan(args) => runtime()?.block_on(plan_command(&cli.file, &cli.api_url, args)),
        Command::Apply(args) => apply_command(&cli.file, &cli.api_url, args),
        Command::Sim(SimCommand::Serve {
            listen,
            state,
            world,
        }) => {
            runtime()?.block_on(sim::serve(listen, state, world))?;
            Ok(Exit::Success)
        }
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn validate(file: &Path) -> anyhow::Result<Exit> {
    let desired = config::load(file)?;
    anstream::println!(
        "{} is valid: {} peerings, {} network aliases.",
        file.display(),
        desired.peerings.len(),
        desired.aliases.len()
    );
    Ok(Exit::Success)
}

async fn plan_command(file: &Path, api_url: &str, args: PlanArgs) -> anyhow::Result<Exit> {
    let desired = config::load(file)?;
    let account = Account::connect(api_url).await?;
    let (plan, names) = account.plan(&desired).await?;
    match args.output {
        OutputFormat::Human => anstream::print!("{}", render::human::plan(&plan, &names)),
        OutputFormat::Json => {
            let document = render::json::plan(&plan, &names);
            let mut stdout = std::io::stdout().lock();
            serde_json::to_writer_pretty(&mut stdout, &document)?;
            writeln!(stdout)?;
        }
    }
    Ok(match (args.detailed_exitcode, plan.has_changes()) {
        (true, true) => Exit::ChangesPending,
        _ => Exit::Success,
    })
}

fn apply_command(file: &Path, api_url: &str, args: ApplyArgs) -> anyhow::Result<Exit> {
    let runtime = runtime()?;
    let desired = config::load(file)?;
    let account = runtime.block_on(Account::connect(api_url))?;
    let (plan, names) = runtime.block_on(account.plan(&desired))?;
    anstream::print!("{}", render::human::plan(&plan, &names));
    if !plan.has_changes() {
        anstream::println!("Nothing to do.");
        return Ok(Exit::Success);
    }
    if !args.auto_approve && !confirm()? {
        return Ok(Exit::Failure);
    }
    anstream::println!();
    let report = runtime.block_on(apply::apply(&account.client, &plan, &names, |result| {
        anstream::print!("{}", render::human::outcome(result));
    }));
    anstream::print!("\n{}", render::human::apply_summary(&report));
    Ok(if report.succeeded() {
        Exit::Success
    } else {
        Exit::Failure
    })
}

/// Asks on the terminal. Without one, refuses: an unattended apply must say `--auto-approve`.
fn confirm() -> anyhow::Result<bool> {
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        anyhow::bail!(
            "refusing to apply without confirmation: there is no terminal to ask on. \
             Review the plan above and run again with --auto-approve; nothing was changed"
        );
    }
    anstream::eprint!("Apply these changes? [y/N] ");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    let approved = matches!(answer.trim(), "y" | "Y" | "yes" | "Yes" | "YES");
    if !approved {
        anstream::eprintln!("Not applied; nothing was changed.");
    }
    Ok(approved)
}

/// One account's API client, and the in-process simulator serving it for `sim:` URLs.
struct Account {
    client: Client,
    /// Kept so the simulator lives as long as the client that talks to it.
    _simulator: Option<sim::Simulator>,
}

impl Account {
    async fn connect(api_url: &str) -> anyhow::Result<Account> {
        let Some(state_path) = api_url.strip_prefix(SIM_SCHEME) else {
            let credentials = Credentials::from_env()?;
            return Ok(Account {
                client: Client::new(api_url, credentials)?,
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
            client: Client::new(&format!("http://{address}"), credentials)?,
            _simulator: Some(simulator),
        })
    }

    /// Reads the account (peerings and networks at once: one round trip) and plans against it.
    async fn plan(&self, desired: &Desired) -> anyhow::Result<(Plan, NetworkNames)> {
        let (peerings, networks) =
            tokio::try_join!(self.client.list_peerings(), self.client.list_networks())?;
        let observed = Observed { peerings, networks };
        let names = NetworkNames::new(desired, &observed);
        Ok((plan::plan(desired, &observed), names))
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

fn report_error(error: &anyhow::Error) {
    const ERROR: Style = AnsiColor::Red.on_default().bold();
    match error.downcast_ref::<LoadError>() {
        Some(LoadError::Invalid(problems)) => anstream::eprint!("{}", problems.render(true)),
        _ => anstream::eprintln!("{ERROR}error:{ERROR:#} {error:#}"),
    }
}
