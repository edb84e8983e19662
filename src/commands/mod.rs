//! Running the command line that [`crate::cli`] parses: what each subcommand does, in terms of
//! the library's modules (load, read, plan, render, apply), and how errors reach the person.
//! Errors here are for a person, so they are `anyhow` with context.

mod account;
mod apply;
mod apply_output;
mod check;
mod graph;
mod import;
mod invocation;
mod manuals;
mod plan;
mod validate;

use account::Connection;
pub use invocation::Invocation;

use std::ffi::OsStr;
use std::fmt::Display;
use std::path::Path;
use std::process::ExitCode;

use anstyle::{AnsiColor, Style};
use anyhow::Context;
use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches};

use crate::cli::{Cli, Command, SimCommand};
use crate::config::LoadError;
use crate::exit::Exit;
use crate::sim;

/// Parses the command line, runs the command, and returns the exit code.
pub fn run() -> ExitCode {
    let matches = match Cli::command().try_get_matches() {
        Ok(matches) => matches,
        Err(error) => return usage_error(&error).into(),
    };
    let mut cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(error) => return usage_error(&error.format(&mut Cli::command())).into(),
    };
    place_options_before_command(&mut cli, &matches);
    let invocation = Invocation::from_matches(&matches);
    crate::logging::init(cli.verbose, cli.quiet);
    match execute(cli, &invocation) {
        Ok(exit) => exit.into(),
        Err(error) => {
            report_error(&error, &invocation);
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

fn report_error(error: &anyhow::Error, invocation: &Invocation) {
    const ERROR: Style = AnsiColor::Red.on_default().bold();
    match error.downcast_ref::<LoadError>() {
        Some(LoadError::Invalid(problems)) => anstream::eprint!("{}", problems.render(true)),
        Some(read @ LoadError::Read { .. }) => {
            anstream::eprintln!("{ERROR}error:{ERROR:#} {read}");
            let import = |file: &Path| {
                invocation.command([OsStr::new("import"), OsStr::new("-o"), file.as_os_str()])
            };
            if let Some(help) = read.help(import) {
                anstream::eprintln!("  = help: {help}");
            }
        }
        None => anstream::eprintln!("{ERROR}error:{ERROR:#} {error:#}"),
    }
}

/// Runs the parsed command line; `invocation` is how it was given, for the commands that
/// messages suggest running next.
fn execute(cli: Cli, invocation: &Invocation) -> anyhow::Result<Exit> {
    let chatter = Chatter { quiet: cli.quiet };
    match cli.command {
        Command::Validate(args) => validate::run(&args.file.file),
        Command::Plan(args) => {
            let connection = Connection::new(&args.api);
            let run = plan::run(&args.file.file, &connection, &args, invocation, chatter);
            runtime()?.block_on(run)
        }
        Command::Apply(args) => {
            let connection = Connection::new(&args.api);
            apply::run(&args.file.file, &connection, &args, invocation, chatter)
        }
        Command::Import(args) => {
            let connection = Connection::new(&args.api);
            runtime()?.block_on(import::run(&connection, &args, invocation, chatter))
        }
        Command::Check(args) => {
            let connection = Connection::new(&args.api);
            runtime()?.block_on(check::run(&args.file.file, &connection, &args, invocation))
        }
        Command::Graph(args) => {
            let connection = Connection::new(&args.api);
            runtime()?.block_on(graph::run(&args.file.file, &connection, &args))
        }
        Command::Completions { shell } => manuals::completions(shell),
        Command::Man(args) => manuals::man(args.dir.as_deref()),
        Command::Schema => manuals::schema(),
        Command::Sim(SimCommand::Serve {
            listen,
            state,
            world,
            options,
        }) => {
            runtime()?.block_on(sim::serve(listen, state, world, options))?;
            Ok(Exit::Success)
        }
    }
}

/// Puts the options written before the command (`peerings -f x.toml plan`) in the command's own
/// place for them, unless the command line also gives them there: after the command, the later
/// word wins; over an environment variable or a default, the command line does.
fn place_options_before_command(cli: &mut Cli, matches: &ArgMatches) {
    let Some((_, command_matches)) = matches.subcommand() else {
        return;
    };
    let given_after = |id: &str| command_matches.value_source(id) == Some(ValueSource::CommandLine);
    let before = std::mem::take(&mut cli.before);
    let (file, api) = match &mut cli.command {
        Command::Validate(args) => (Some(&mut args.file), None),
        Command::Plan(args) => (Some(&mut args.file), Some(&mut args.api)),
        Command::Apply(args) => (Some(&mut args.file), Some(&mut args.api)),
        Command::Check(args) => (Some(&mut args.file), Some(&mut args.api)),
        Command::Graph(args) => (Some(&mut args.file), Some(&mut args.api)),
        Command::Import(args) => (None, Some(&mut args.api)),
        Command::Completions { .. } | Command::Man(_) | Command::Schema | Command::Sim(_) => {
            (None, None)
        }
    };
    if let (Some(option), Some(value)) = (file, before.file) {
        if !given_after("file") {
            option.file = value;
        }
    }
    let Some(api) = api else {
        return;
    };
    if let Some(value) = before.api_url.filter(|_| !given_after("api_url")) {
        api.api_url = value;
    }
    if let Some(value) = before.timeout.filter(|_| !given_after("timeout")) {
        api.timeout = value;
    }
    if let Some(value) = before.max_retries.filter(|_| !given_after("max_retries")) {
        api.max_retries = value;
    }
}

/// Messages on stderr that help a person along but say nothing essential; `-q` silences them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Chatter {
    quiet: bool,
}

impl Chatter {
    pub(crate) fn is_quiet(self) -> bool {
        self.quiet
    }

    pub(crate) fn say(self, message: impl Display) {
        if !self.quiet {
            anstream::eprintln!("{message}");
        }
    }
}

/// One thread is plenty: the work is waiting on the network, and start-up stays fast.
fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}
