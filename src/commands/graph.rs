//! `peerings graph`: read-only. The diagram of the accounts' networks and peerings, with the
//! plan over them unless asked otherwise.

use std::path::Path;

use crate::cli::{GraphArgs, GraphFormat};
use crate::config;
use crate::exit::Exit;
use crate::render::graph::{self, View};

use super::account::{Accounts, Connection};

pub async fn run(file: &Path, connection: &Connection, args: &GraphArgs) -> anyhow::Result<Exit> {
    let desired = config::load(file)?;
    let accounts = Accounts::connect(&desired, connection).await?;
    let planned = accounts.plan(&desired).await?;
    let view = match (args.observed, args.desired) {
        (true, _) => View::Observed,
        (_, true) => View::Desired,
        (false, false) => View::Both,
    };
    let diagram = planned.graph(view, &desired);
    match args.format {
        GraphFormat::Mermaid => print!("{}", graph::mermaid::render(&diagram)),
        GraphFormat::Dot => print!("{}", graph::dot::render(&diagram)),
    }
    Ok(Exit::Success)
}
