//! `peerings plan`: read-only.

use std::io::Write;
use std::path::Path;

use anyhow::Context;

use crate::cli::{OutputFormat, PlanArgs};
use crate::config;
use crate::exit::Exit;
use crate::render;
use crate::reviewed::{Facts, PlanFile};

use super::Chatter;
use super::account::{Accounts, Connection};

pub async fn run(
    file: &Path,
    connection: &Connection,
    args: &PlanArgs,
    chatter: Chatter,
) -> anyhow::Result<Exit> {
    let desired = config::load(file)?;
    let accounts = Accounts::connect(&desired, connection).await?;
    let planned = accounts.plan(&desired).await?;
    match args.output {
        OutputFormat::Human => {
            anstream::print!("{}", render::human::plan(&planned.plan, &planned.names));
        }
        OutputFormat::Json => {
            let document = render::json::plan(&planned.plan, &planned.names);
            let mut stdout = std::io::stdout().lock();
            serde_json::to_writer_pretty(&mut stdout, &document)?;
            writeln!(stdout)?;
        }
        OutputFormat::Markdown => {
            print!("{}", render::markdown::plan(&planned.plan, &planned.names));
        }
    }
    if let Some(out) = &args.out {
        let saved = PlanFile::new(
            Facts::new(&desired, &planned.plan),
            render::json::plan(&planned.plan, &planned.names),
        );
        let text = serde_json::to_string_pretty(&saved)? + "\n";
        std::fs::write(out, text).with_context(|| format!("cannot write {}", out.display()))?;
        chatter.say(format_args!(
            "Saved the plan to {}. Apply exactly this plan with: peerings apply --plan {}",
            out.display(),
            out.display()
        ));
    }
    Ok(match (args.detailed_exitcode, planned.plan.has_changes()) {
        (true, true) => Exit::ChangesPending,
        _ => Exit::Success,
    })
}
