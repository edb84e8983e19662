//! `peerings apply`: plan, show, ask (or refuse), apply, report; and on Ctrl-C or SIGTERM, start
//! nothing new, let what is under way finish, and report.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use anyhow::Context;

use crate::apply::{self, ApplyOptions, StopSignal};
use crate::cli::{ApplyArgs, ApplyOutput};
use crate::config;
use crate::exit::Exit;
use crate::plan::Plan;
use crate::reviewed::{Facts, PLAN_FILE_VERSION, ReadPlanFile};

use super::account::{Accounts, Connection};
use super::apply_output::ApplyOutputWriter;
use super::{Chatter, runtime};

pub fn run(
    file: &Path,
    connection: &Connection,
    args: &ApplyArgs,
    chatter: Chatter,
) -> anyhow::Result<Exit> {
    if args.output == ApplyOutput::Json && !args.auto_approve && args.plan.is_none() {
        anyhow::bail!(
            "--output json asks no questions: pass --auto-approve, or --plan FILE with a \
             reviewed plan; nothing was changed"
        );
    }
    let runtime = runtime()?;
    let desired = config::load(file)?;
    let accounts = runtime.block_on(Accounts::connect(&desired, connection))?;
    let planned = runtime.block_on(accounts.plan(&desired))?;
    let plan = &planned.plan;
    let output = ApplyOutputWriter::new(args.output, chatter, plan);
    output.plan(plan, &planned.names);
    if !plan.has_changes() {
        output.nothing_to_do();
        return Ok(Exit::Success);
    }
    refuse_mass_delete(&planned.per_account, args.force)?;
    match &args.plan {
        Some(reviewed) => check_reviewed(reviewed, &Facts::new(&desired, plan), chatter)?,
        None if !args.auto_approve && !confirm()? => return Ok(Exit::Failure),
        None => {}
    }

    let options = ApplyOptions {
        parallelism: usize::from(args.parallelism),
        fail_fast: args.fail_fast,
        wait_timeout: args.wait_timeout,
        poll_interval: args.poll_interval,
    };
    let stop = StopSignal::default();
    let report = runtime.block_on(async {
        let interrupts = tokio::spawn(stop_on_interrupt(stop.clone()));
        output.begin();
        let report = apply::apply(
            &accounts.clients,
            plan,
            &planned.names,
            &options,
            &stop,
            |event| output.event(event),
        )
        .await;
        interrupts.abort();
        report
    });
    output.summary(&report, stop.was_interrupted());
    if stop.was_interrupted() {
        return Ok(Exit::Interrupted);
    }
    let mut exit = if report.succeeded() {
        Exit::Success
    } else {
        Exit::Failure
    };
    if args.wait {
        let settled = runtime
            .block_on(apply::wait::settle(&accounts.clients, &report, &options))
            .context("cannot read the peerings' states while waiting")?;
        output.settled(&settled);
        if settled
            .iter()
            .any(|s| s.verdict != apply::wait::Verdict::Reached)
        {
            exit = Exit::Failure;
        }
    }
    Ok(exit)
}

/// Refuses unless `plan_file` was computed from exactly what this plan was computed from.
fn check_reviewed(plan_file: &Path, now: &Facts, chatter: Chatter) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(plan_file)
        .with_context(|| format!("cannot read the plan file {}", plan_file.display()))?;
    let reviewed: ReadPlanFile = serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is not a plan file written by `peerings plan --out`",
            plan_file.display()
        )
    })?;
    if reviewed.plan_file_version != PLAN_FILE_VERSION {
        anyhow::bail!(
            "{} has plan file version {}; this peerings reads version {PLAN_FILE_VERSION}: run plan --out again",
            plan_file.display(),
            reviewed.plan_file_version
        );
    }
    // The recorded facts must also match the recorded checksum: an edited plan file is stale.
    if reviewed.checksum != now.checksum() || reviewed.facts.checksum() != reviewed.checksum {
        anyhow::bail!(
            "plan is stale: the file or the account changed since {} was written; nothing was changed.\n\
             What differs (- reviewed, + now):\n{}\
             Run `peerings plan --out {}` again and review the new plan",
            plan_file.display(),
            reviewed.facts.differences(now),
            plan_file.display()
        );
    }
    chatter.say(format_args!(
        "The plan matches the reviewed plan {} ({}); applying it.",
        plan_file.display(),
        now.checksum()
    ));
    Ok(())
}

/// The safety net for a file that lost most of its entries by mistake, account by account.
fn refuse_mass_delete(plans: &[Plan], force: bool) -> anyhow::Result<()> {
    let Some(plan) = plans.iter().find(|plan| plan.deletes_too_many()) else {
        return Ok(());
    };
    if force {
        return Ok(());
    }
    let names: Vec<String> = plan
        .deletes()
        .map(|change| format!("  - {}", change.name))
        .collect();
    let account = match plan
        .deletes()
        .next()
        .and_then(|change| change.account.as_deref())
    {
        Some(account) => format!(" in account {account}"),
        None => String::new(),
    };
    anyhow::bail!(
        "refusing to delete {} of the {} peerings this file manages{account} (more than 30 %):\n{}\n\
         If that is intended, run again with --force; nothing was changed",
        names.len(),
        plan.owned,
        names.join("\n")
    )
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

/// The first Ctrl-C or SIGTERM stops new changes from starting; a second one ends the process
/// at once.
async fn stop_on_interrupt(stop: StopSignal) {
    interrupted().await;
    stop.interrupt();
    anstream::eprintln!(
        "\nInterrupted: starting nothing new, finishing the requests under way. Interrupt again to abort at once."
    );
    interrupted().await;
    anstream::eprintln!("Aborted; run apply again to converge.");
    std::process::exit(Exit::Interrupted as i32);
}

async fn interrupted() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
