//! `peerings import`: the account's peerings as a desired-state file.

use std::io::Write;

use anyhow::Context;

use crate::cli::ImportArgs;
use crate::exit::Exit;
use crate::import::{self, Scope};

use super::Chatter;
use super::account::{Accounts, Connection};

pub async fn run(
    connection: &Connection,
    args: &ImportArgs,
    chatter: Chatter,
) -> anyhow::Result<Exit> {
    if let Some(path) = &args.output {
        if path.exists() && !args.force {
            anyhow::bail!(
                "{} exists; pass --force to overwrite it, or choose another -o FILE",
                path.display()
            );
        }
    }
    let accounts = Accounts::connect_env(connection).await?;
    let observed = accounts.observe().await?.remove(&None).unwrap_or_default();
    let scope = if args.managed_only {
        Scope::ManagedOnly
    } else {
        Scope::All
    };
    let text = import::render(&observed, scope);
    match &args.output {
        Some(path) => {
            std::fs::write(path, &text)
                .with_context(|| format!("cannot write {}", path.display()))?;
            chatter.say(format_args!(
                "Wrote {}. Next: peerings plan -f {}",
                path.display(),
                path.display()
            ));
        }
        None => std::io::stdout().lock().write_all(text.as_bytes())?,
    }
    Ok(Exit::Success)
}
