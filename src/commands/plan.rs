//! `peerings plan`: read-only, except for the plan file `--out` writes.

use std::ffi::OsStr;
use std::io::Write;
use std::path::Path;

use anyhow::Context;

use crate::cli::{OutputFormat, PlanArgs};
use crate::config;
use crate::exit::Exit;
use crate::files::{self, Existing};
use crate::render;
use crate::render::graph::View;
use crate::reviewed::{self, PlanFile, PlanRecord};

use super::account::{Accounts, Connection};
use super::{Chatter, Invocation};

pub async fn run(
    file: &Path,
    connection: &Connection,
    args: &PlanArgs,
    invocation: &Invocation,
    chatter: Chatter,
) -> anyhow::Result<Exit> {
    let desired = config::load(file)?;
    if let Some(out) = &args.out {
        check_out(out, file)?;
    }
    let accounts = Accounts::connect(&desired, connection).await?;
    let planned = accounts.plan(&desired).await?;
    let document = render::json::plan(&planned.plan, &planned.names);
    match args.output {
        OutputFormat::Human => {
            anstream::print!("{}", render::human::plan(&planned.plan, &planned.names));
        }
        OutputFormat::Json => {
            let mut stdout = std::io::stdout().lock();
            serde_json::to_writer_pretty(&mut stdout, &document)?;
            writeln!(stdout)?;
        }
        OutputFormat::Markdown => {
            let graph = (!args.no_graph).then(|| planned.graph(View::Both, &desired));
            let markdown = render::markdown::plan(&planned.plan, &planned.names, graph.as_ref());
            print!("{markdown}");
        }
    }
    if let Some(out) = &args.out {
        let record = PlanRecord::new(&desired, &planned.plan, &document)?;
        let text = serde_json::to_string_pretty(&PlanFile::new(&record, &document)?)? + "\n";
        files::write(out, text.as_bytes(), Existing::Replace).with_context(|| {
            format!(
                "cannot write the plan to {}; nothing was written",
                out.display()
            )
        })?;
        chatter.say(format_args!(
            "Saved the plan to {}. Apply exactly this plan with: {}",
            out.display(),
            invocation.command([OsStr::new("apply"), OsStr::new("--plan"), out.as_os_str()])
        ));
    }
    Ok(match (args.detailed_exitcode, planned.plan.has_changes()) {
        (true, true) => Exit::ChangesPending,
        _ => Exit::Success,
    })
}

/// `--out` may replace an earlier plan file, and nothing else: never the desired-state file,
/// never another file, never through a link. Checked before any account is read.
fn check_out(out: &Path, file: &Path) -> anyhow::Result<()> {
    let refuse = |why: String| {
        anyhow::anyhow!(
            "not writing the plan to {}: {why}; nothing was read or written. \
             Choose another --out FILE, such as plan.json",
            out.display()
        )
    };
    if files::same_file(out, file) {
        return Err(refuse(format!(
            "it is the desired-state file {}",
            file.display()
        )));
    }
    let existing =
        files::check_target(out, Existing::Replace).map_err(|error| refuse(error.to_string()))?;
    if existing.is_some() {
        let text = files::read(out).map_err(|error| refuse(error.to_string()))?;
        if !reviewed::is_plan_file(&text) {
            return Err(refuse(
                "it exists and is not a plan file written by `peerings plan --out`".to_owned(),
            ));
        }
    }
    Ok(())
}
