//! `peerings apply`: plan, show, ask (or refuse), apply, report; and on Ctrl-C or SIGTERM, start
//! nothing new, let what is under way finish, and report.

use std::ffi::OsStr;
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use anyhow::Context;

use crate::apply::{self, ApplyOptions, StopSignal};
use crate::cli::{ApplyArgs, ApplyOutput};
use crate::config;
use crate::exit::Exit;
use crate::files;
use crate::plan::Plan;
use crate::render;
use crate::reviewed::{self, PlanRecord};

use super::account::{Accounts, Connection};
use super::apply_output::ApplyOutputWriter;
use super::{Chatter, Invocation, runtime};

pub fn run(
    file: &Path,
    connection: &Connection,
    args: &ApplyArgs,
    invocation: &Invocation,
    chatter: Chatter,
) -> anyhow::Result<Exit> {
    if args.output == ApplyOutput::Json && !args.auto_approve && args.plan.is_none() {
        anyhow::bail!(
            "--output json asks no questions: pass --auto-approve, or --plan FILE with a \
             reviewed plan; nothing was changed"
        );
    }
    // A reviewed plan that cannot be applied is an error whatever the account holds, so it is
    // read before the account is.
    let reviewed = match &args.plan {
        Some(path) => Some((path.as_path(), read_reviewed(path, invocation)?)),
        None => None,
    };
    let runtime = runtime()?;
    let desired = config::load(file)?;
    let accounts = runtime.block_on(Accounts::connect(&desired, connection))?;
    let planned = runtime.block_on(accounts.plan(&desired))?;
    let plan = &planned.plan;
    let output = ApplyOutputWriter::new(args.output, chatter, plan);
    output.plan(plan, &planned.names);
    if let Some((path, reviewed)) = &reviewed {
        let document = render::json::plan(plan, &planned.names);
        let now = PlanRecord::new(&desired, plan, &document)?;
        check_reviewed(path, reviewed, &now, invocation, chatter)?;
    }
    if !plan.has_changes() {
        output.nothing_to_do();
        return Ok(Exit::Success);
    }
    refuse_mass_delete(&planned.per_account, args.force)?;
    if reviewed.is_none() && !args.auto_approve && !confirm()? {
        return Ok(Exit::Failure);
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
            .any(|s| s.verdict != apply::wait::WaitVerdict::Reached)
        {
            exit = Exit::Failure;
        }
    }
    Ok(exit)
}

/// The plan file at `path`, checked against its own checksum. Every failure says how to write a
/// new one.
fn read_reviewed(path: &Path, invocation: &Invocation) -> anyhow::Result<PlanRecord> {
    let again = || {
        let command =
            invocation.command([OsStr::new("plan"), OsStr::new("--out"), path.as_os_str()]);
        format!("nothing was changed. Write the plan with `{command}` and review it")
    };
    let text = files::read(path).map_err(|error| {
        anyhow::anyhow!(
            "cannot read the plan file {}: {error}; {}",
            path.display(),
            again()
        )
    })?;
    reviewed::parse_plan_file(&text)
        .map_err(|error| anyhow::anyhow!("cannot apply {}: {error}; {}", path.display(), again()))
}

/// Refuses unless the plan file's record is the record of the plan made now: the same facts,
/// the same changes.
fn check_reviewed(
    path: &Path,
    reviewed: &PlanRecord,
    now: &PlanRecord,
    invocation: &Invocation,
    chatter: Chatter,
) -> anyhow::Result<()> {
    let checksum = now.checksum()?;
    if reviewed.checksum()? != checksum {
        let command =
            invocation.command([OsStr::new("plan"), OsStr::new("--out"), path.as_os_str()]);
        anyhow::bail!(
            "plan is stale: the file or the account changed since {} was written; nothing was changed.\n\
             What differs (- reviewed, + now):\n{}\
             Run `{command}` again and review the new plan",
            path.display(),
            reviewed.differences(now),
        );
    }
    chatter.say(format_args!(
        "The plan matches the reviewed plan {} ({checksum}); applying it.",
        path.display(),
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
