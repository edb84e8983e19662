//! The command line: clap definitions and nothing else. [`crate::commands`] runs what they
//! describe.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::sim;

const DEFAULT_API_URL: &str = "https://api.upcloud.com";

/// Declarative management of UpCloud network peerings.
///
/// Reads the desired peerings from a TOML file, compares them with what exists in the account
/// (`plan`) and converges (`apply`). Credentials come from UPCLOUD_TOKEN, or UPCLOUD_USERNAME
/// and UPCLOUD_PASSWORD. `peerings help COMMAND` shows a command's options; those that name the
/// file and the API (-f, --api-url, --timeout, --max-retries) go before or after the command.
#[derive(Debug, Parser)]
#[command(name = "peerings", version, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub before: BeforeCommand,

    /// More detail on stderr: -v shows retries, -vv every request. RUST_LOG also works.
    #[arg(short, long, action = clap::ArgAction::Count, global = true, conflicts_with = "quiet", help_heading = OUTPUT)]
    pub verbose: u8,

    /// Only errors on stderr.
    #[arg(short, long, global = true, help_heading = OUTPUT)]
    pub quiet: bool,

    #[command(subcommand)]
    pub command: Command,
}

const OUTPUT: &str = "Output";

/// `-f`, `--api-url`, `--timeout` and `--max-retries` written before the command, where they have
/// always been accepted; a command's own place for them wins when both are given. Hidden from
/// help, which shows each under the commands that use it, with its environment variable and
/// default. No environment variables here: the commands read those, so that a variable for an
/// option a command does not use cannot break it.
#[derive(Debug, Default, Args)]
pub struct BeforeCommand {
    #[arg(short = 'f', long = "file", value_name = "PATH", hide = true)]
    pub file: Option<PathBuf>,
    #[arg(long, value_name = "URL", hide = true)]
    pub api_url: Option<String>,
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, hide = true)]
    pub timeout: Option<Duration>,
    #[arg(long, value_name = "N", hide = true)]
    pub max_retries: Option<u32>,
}

/// The desired-state file, for the commands that read it.
#[derive(Debug, Args)]
#[command(next_help_heading = "Desired state")]
pub struct FileOption {
    /// The desired-state file.
    #[arg(
        short = 'f',
        long = "file",
        value_name = "PATH",
        default_value = "peerings.toml",
        env = "PEERINGS_FILE"
    )]
    pub file: PathBuf,
}

/// Where the API is and how to talk to it, for the commands that do.
#[derive(Debug, Args)]
#[command(next_help_heading = "API")]
pub struct ApiOptions {
    /// The UpCloud API's root URL; the client adds /1.3/... `sim:STATE.json` runs the embedded
    /// simulator instead, with its state kept in STATE.json; it needs no credentials and uses
    /// none from the environment.
    #[arg(
        long,
        value_name = "URL",
        default_value = DEFAULT_API_URL,
        env = "UPCLOUD_API_URL"
    )]
    pub api_url: String,

    /// Aiven's API root, for the file's [[aiven_peering]] tables, when its [aiven] table names
    /// none; the client adds /v1/... Default: the simulator of --api-url when that is
    /// `sim:STATE.json`, else https://api.aiven.io.
    #[arg(long, value_name = "URL", env = "AIVEN_API_URL")]
    pub aiven_api_url: Option<String>,

    /// How long one API request may take, answer included, before it is retried.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration, env = "PEERINGS_TIMEOUT")]
    pub timeout: Duration,

    /// How many more times a request is tried after a rate limit (429), a 5xx answer, a dropped
    /// connection or a timeout.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 6,
        env = "PEERINGS_MAX_RETRIES"
    )]
    pub max_retries: u32,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the file offline: no credentials, no network. Exit 0 when valid, 1 when not.
    Validate(ValidateArgs),
    /// Show what apply would change. Read-only.
    Plan(PlanArgs),
    /// Make the account match the file, after showing the plan and asking.
    Apply(ApplyArgs),
    /// Write a desired-state file from the peerings that exist.
    Import(ImportArgs),
    /// Draw the networks and peerings, with the plan over them, as a Mermaid or Graphviz DOT
    /// diagram on stdout. Read-only.
    Graph(GraphArgs),
    /// For nightly jobs: read-only. Exit 0 when nothing would change and every peering the file
    /// lists is as its configured_status asks (active or disabled), 2 when changes are pending,
    /// 3 when nothing would change but a peering is unhealthy, 1 on error.
    Check(CheckArgs),
    /// Print a shell completion script to stdout.
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to stdout: every command on one page.
    Man(ManArgs),
    /// Print the JSON Schema of the desired-state file, for editors (see schema/).
    Schema,
    /// The UpCloud and Aiven API simulator, for trying peerings out and for tests.
    #[command(subcommand)]
    Sim(SimCommand),
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Instead, write one page per command into this directory (peerings.1, peerings-plan.1,
    /// ...), for a directory of MANPATH such as ~/.local/share/man/man1.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub file: FileOption,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// How to print the plan.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub output: OutputFormat,

    /// Exit 0 when there are no changes and 2 when changes are pending (1 stays "error").
    #[arg(long)]
    pub detailed_exitcode: bool,

    /// Also save the plan, with a checksum of what it was computed from, for `apply --plan`.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Leave the Mermaid diagram out of `--output markdown`.
    #[arg(long)]
    pub no_graph: bool,

    #[command(flatten)]
    pub file: FileOption,

    #[command(flatten)]
    pub api: ApiOptions,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// Apply without asking. Required when there is no terminal to ask on.
    #[arg(long)]
    pub auto_approve: bool,

    /// Apply the plan saved by `plan --out FILE`, without asking, and only if planning afresh
    /// gives exactly that plan; otherwise refuse as stale.
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,

    /// Apply even when the plan deletes more than 30 % of the owned peerings.
    #[arg(long)]
    pub force: bool,

    /// After the changes, wait until each changed peering is active (or disabled, as the file
    /// says), or needs a person's attention, or --wait-timeout has passed.
    #[arg(long)]
    pub wait: bool,

    /// How long to wait for states: a delete waiting to become disabled, an UpCloud half waiting
    /// for Aiven to build its own, and --wait.
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = parse_duration)]
    pub wait_timeout: Duration,

    /// How often to ask for a state while waiting.
    #[arg(long, value_name = "DURATION", default_value = "2s", value_parser = parse_duration)]
    pub poll_interval: Duration,

    /// How many changes run at once.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub parallelism: u16,

    /// Start no more changes after the first failure.
    #[arg(long)]
    pub fail_fast: bool,

    /// How to report: `json` writes JSON Lines events on stdout and needs --auto-approve or
    /// --plan.
    #[arg(long, value_enum, default_value_t = ApplyOutput::Human)]
    pub output: ApplyOutput,

    #[command(flatten)]
    pub file: FileOption,

    #[command(flatten)]
    pub api: ApiOptions,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// How to print the report.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub output: OutputFormat,

    /// Leave the Mermaid diagram out of `--output markdown`.
    #[arg(long)]
    pub no_graph: bool,

    #[command(flatten)]
    pub file: FileOption,

    #[command(flatten)]
    pub api: ApiOptions,
}

#[derive(Debug, Args)]
pub struct GraphArgs {
    /// The diagram's language.
    #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
    pub format: GraphFormat,

    /// Only what exists now, without the plan.
    #[arg(long, conflicts_with = "desired")]
    pub observed: bool,

    /// What exists once `apply` has run, without the plan's marks.
    #[arg(long)]
    pub desired: bool,

    #[command(flatten)]
    pub file: FileOption,

    #[command(flatten)]
    pub api: ApiOptions,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Only peerings that carry the label managed-by = peerings.
    #[arg(long)]
    pub managed_only: bool,

    /// Write the file here instead of to stdout, as `plan --out` does.
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// The old name of --out, kept for one release: a deprecation warning goes with it. (Every
    /// other `--output` names a format.)
    #[arg(
        long = "output",
        value_name = "FILE",
        hide = true,
        conflicts_with = "out"
    )]
    pub output_deprecated: Option<PathBuf>,

    /// Overwrite the --out file if it exists.
    #[arg(long)]
    pub force: bool,

    #[command(flatten)]
    pub api: ApiOptions,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum OutputFormat {
    /// For people, in Terraform's style.
    Human,
    /// One JSON document on stdout, for scripts.
    Json,
    /// GitHub-flavoured Markdown, for a pull-request comment.
    Markdown,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum GraphFormat {
    /// A Mermaid flowchart: GitHub and GitLab draw it in a ```mermaid block.
    Mermaid,
    /// Graphviz DOT, for `dot -Tsvg` and other tools.
    Dot,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ApplyOutput {
    /// For people, in Terraform's style.
    Human,
    /// JSON Lines on stdout, one event per line, for CI logs.
    Json,
}

#[derive(Debug, Subcommand)]
pub enum SimCommand {
    /// Serve the simulated UpCloud and Aiven APIs over HTTP until interrupted (Ctrl-C).
    Serve {
        /// Address to listen on, HOST:PORT; port 0 picks a free one (the address is printed).
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
        listen: String,
        /// Keep the simulator's state in this JSON file, across restarts.
        #[arg(long, value_name = "FILE")]
        state: Option<PathBuf>,
        /// Start from this world (accounts, routers, networks and their servers, peerings, Aiven
        /// projects and VPCs) instead of the demo.
        #[arg(long, value_name = "WORLD.toml")]
        world: Option<PathBuf>,
        #[command(flatten)]
        options: sim::ServeOptions,
    },
}

/// `500ms`, `30s`, `5m`, `1h`, or a plain number of seconds; more than zero. No duration option
/// can work with zero: every request would time out before it is sent, polling would never
/// pause, and waiting would give up before the first look.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration such as 30s, 5m or 500ms"))?;
    let millis = match unit {
        "ms" => 1,
        "" | "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        other => return Err(format!("unknown unit {other:?}: use ms, s, m or h")),
    };
    if number == 0 {
        return Err("it must be more than zero, such as 500ms, 30s or 5m".to_owned());
    }
    number
        .checked_mul(millis)
        .map(Duration::from_millis)
        .ok_or_else(|| format!("{text:?} is too long"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_write_them() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("30"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert!(parse_duration("5 minutes").is_err());
        assert!(parse_duration("m").is_err());
        assert!(parse_duration("99999999999999999999h").is_err());
        for zero in ["0", "0s", "0ms", "00m"] {
            assert!(parse_duration(zero).is_err(), "{zero}");
        }
    }

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
