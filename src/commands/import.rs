//! `peerings import`: the account's peerings as a desired-state file.

use std::io::Write;
use std::path::Path;

use crate::cli::ImportArgs;
use crate::config::Desired;
use crate::desired_file::{self, Scope};
use crate::exit::Exit;
use crate::files::{self, Existing, WriteError};

use super::account::{Accounts, Connection};
use super::{Chatter, Invocation};

pub async fn run(
    connection: &Connection,
    args: &ImportArgs,
    invocation: &Invocation,
    chatter: Chatter,
) -> anyhow::Result<Exit> {
    let existing = if args.force {
        Existing::Replace
    } else {
        Existing::Keep
    };
    let out = out_file(args, chatter)?;
    if let Some(path) = out {
        files::check_target(path, existing).map_err(|error| refusal(path, &error))?;
    }
    let accounts = Accounts::connect_env(connection).await?;
    let observed = accounts
        .observe(&Desired::default())
        .await?
        .remove(&None)
        .unwrap_or_default();
    let scope = if args.managed_only {
        Scope::ManagedOnly
    } else {
        Scope::All
    };
    let text = desired_file::from_observed(&observed, scope);
    match out {
        Some(path) => {
            files::write(path, text.as_bytes(), existing).map_err(|error| refusal(path, &error))?;
            chatter.say(format_args!(
                "Wrote {}. Next: {}",
                path.display(),
                invocation.with_file(path).command(["plan"])
            ));
        }
        None => std::io::stdout().lock().write_all(text.as_bytes())?,
    }
    Ok(Exit::Success)
}

/// `-o/--out FILE`, or the deprecated `--output FILE` with a warning. Everywhere else
/// `--output` names a format, so `--output json` is refused rather than written to a file named
/// `json`.
fn out_file(args: &ImportArgs, chatter: Chatter) -> anyhow::Result<Option<&Path>> {
    let Some(path) = &args.output_deprecated else {
        return Ok(args.out.as_deref());
    };
    let text = path.to_string_lossy();
    if ["human", "json", "markdown", "toml"].contains(&text.as_ref()) {
        anyhow::bail!(
            "import writes the desired-state file as TOML and has no --output format; to write \
             it to a file, use -o FILE (or --out FILE); nothing was written"
        );
    }
    chatter.say(format_args!(
        "warning: --output FILE is deprecated and will go in a later release: use -o FILE (or \
         --out FILE), as plan --out does"
    ));
    Ok(Some(path))
}

/// Why `-o FILE` was not written, and what to do instead.
fn refusal(path: &Path, error: &WriteError) -> anyhow::Error {
    let help = match error {
        WriteError::Exists => "Pass --force to replace it, or choose another -o FILE",
        WriteError::Symlink => "Name the file itself, or choose another -o FILE",
        _ => "Choose another -o FILE",
    };
    anyhow::anyhow!(
        "not writing {}: {error}; nothing was written. {help}",
        path.display()
    )
}
