//! `peerings check`: read-only, for nightly jobs. The exit code tells in sync (0), drift (2)
//! and unhealthy peerings (3) apart from errors (1).

use std::io::Write;
use std::path::Path;

use crate::cli::{CheckArgs, OutputFormat};
use crate::config;
use crate::exit::Exit;
use crate::plan::health::{self, CheckVerdict};
use crate::render::graph::View;
use crate::render::{self, NextCommands};

use super::Invocation;
use super::account::{Accounts, Connection};

pub async fn run(
    file: &Path,
    connection: &Connection,
    args: &CheckArgs,
    invocation: &Invocation,
) -> anyhow::Result<Exit> {
    let desired = config::load(file)?;
    let accounts = Accounts::connect(&desired, connection).await?;
    let planned = accounts.plan(&desired).await?;
    let check = health::check(&planned.plan);
    let next = NextCommands {
        plan: invocation.command(["plan"]),
        apply: invocation.command(["apply"]),
    };
    match args.output {
        OutputFormat::Human => {
            anstream::print!("{}", render::human::check(&check, &planned.names, &next));
        }
        OutputFormat::Json => {
            let document = render::json::check(&planned.plan, &check, &planned.names);
            let mut stdout = std::io::stdout().lock();
            serde_json::to_writer_pretty(&mut stdout, &document)?;
            writeln!(stdout)?;
        }
        OutputFormat::Markdown => {
            let graph = (!args.no_graph).then(|| planned.graph(View::Both, &desired));
            let markdown = render::markdown::check(&check, &planned.names, &next, graph.as_ref());
            print!("{markdown}");
        }
    }
    Ok(match check.verdict() {
        CheckVerdict::InSync => Exit::Success,
        CheckVerdict::Drift => Exit::ChangesPending,
        CheckVerdict::Unhealthy => Exit::Unhealthy,
    })
}
