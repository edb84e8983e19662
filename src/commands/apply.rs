//! `peerings apply`: plan, show, ask (or refuse), apply, report, and with `--wait` watch.
//!
//! Ctrl-C and SIGTERM are heard from the first read to the last (see [`crate::stop`]): while
//! the accounts are read or the prompt waits, nothing has changed and the run ends at once;
//! while changes run, nothing new starts, what is under way finishes, and the summary says
//! "Apply interrupted"; while `--wait` watches, it stops watching. Each ends with exit 130.

use std::ffi::OsStr;
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use anyhow::Context;

use crate::apply::{self, ApplyOptions};
use crate::cli::{ApplyArgs, ApplyOutput};
use crate::config;
use crate::exit::Exit;
use crate::files;
use crate::plan::Plan;
use crate::render;
use crate::reviewed::{self, PlanRecord};
use crate::stop::StopSignal;

use super::account::{Accounts, Connection, Planned};
use super::apply_output::{self, ApplyOutputWriter};
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
    let stop = &connection.stop;
    runtime
        .block_on(async { stop.listen(invocation.command(["plan"])) })
        .context("cannot listen for Ctrl-C and SIGTERM")?;
    let desired = config::load(file)?;
    let read = runtime.block_on(stop.unless_requested(async {
        let accounts = Accounts::connect(&desired, connection).await?;
        let planned = accounts.plan(&desired).await?;
        Ok::<_, anyhow::Error>((accounts, planned))
    }));
    let Ok(read) = read else {
        apply_output::interrupted_before_changes(args.output, "while reading the accounts");
        return Ok(Exit::Interrupted);
    };
    let (accounts, planned) = read?;
    let output = ApplyOutputWriter::new(args.output, chatter, &planned.plan);
    output.plan(&planned.plan, &planned.names);
    let gate = ApplyPreconditions {
        desired: &desired,
        planned: &planned,
        reviewed: reviewed.as_ref().map(|(path, record)| (*path, record)),
        aiven_reachable: accounts.aiven.is_some(),
        invocation,
        chatter,
    };
    if let Some(exit) = gate.pass(&runtime, &output, args, stop)? {
        return Ok(exit);
    }

    let options = ApplyOptions {
        parallelism: usize::from(args.parallelism),
        fail_fast: args.fail_fast,
        wait_timeout: args.wait_timeout,
        poll_interval: args.poll_interval,
    };
    let report = make_changes(&runtime, &accounts, &planned, &options, stop, &output);
    if stop.is_requested() {
        return Ok(Exit::Interrupted);
    }
    let exit = if report.succeeded() {
        Exit::Success
    } else {
        Exit::Failure
    };
    if !args.wait {
        return Ok(exit);
    }
    let waited = wait_for_states(&runtime, &accounts, &report, &options, stop, &output)?;
    output.settled(
        &waited,
        &apply::activated::while_waiting(&planned.plan, &report, &waited),
        &planned.names,
    );
    if waited.interrupted {
        return Ok(Exit::Interrupted);
    }
    let all_reached = waited
        .settled
        .iter()
        .all(|s| s.verdict == apply::wait::WaitVerdict::Reached);
    Ok(if all_reached { exit } else { Exit::Failure })
}

/// What stands between a plan and its changes: the reviewed plan it must match, a plan with
/// nothing to do, the delete safety check, Aiven's token for the Aiven deletes, and the
/// person's answer.
struct ApplyPreconditions<'a> {
    desired: &'a config::Desired,
    planned: &'a Planned,
    reviewed: Option<(&'a Path, &'a PlanRecord)>,
    /// Whether Aiven's client is at hand (its token is set).
    aiven_reachable: bool,
    invocation: &'a Invocation,
    chatter: Chatter,
}

impl ApplyPreconditions<'_> {
    /// `Some(exit)` when the run ends here; `None` when the changes may start.
    fn pass(
        &self,
        runtime: &tokio::runtime::Runtime,
        output: &ApplyOutputWriter,
        args: &ApplyArgs,
        stop: &StopSignal,
    ) -> anyhow::Result<Option<Exit>> {
        let plan = &self.planned.plan;
        if let Some((path, reviewed)) = self.reviewed {
            let document = render::json::plan(plan, &self.planned.names);
            let now = PlanRecord::new(self.desired, plan, &document)?;
            check_reviewed(path, reviewed, &now, self.invocation, self.chatter)?;
        }
        if !plan.has_changes() {
            output.nothing_to_do();
            return Ok(Some(Exit::Success));
        }
        refuse_mass_delete(plan, args.force)?;
        self.refuse_aiven_deletes_without_token()?;
        if self.reviewed.is_some() || args.auto_approve {
            return Ok(None);
        }
        Ok(match runtime.block_on(confirm(stop))? {
            Confirmation::Approved => None,
            Confirmation::Declined => Some(Exit::Failure),
            Confirmation::Interrupted => {
                apply_output::interrupted_before_changes(args.output, "at the prompt");
                Some(Exit::Interrupted)
            }
        })
    }
}

impl ApplyPreconditions<'_> {
    /// Prune deletes the Aiven connections tied to the UpCloud halves it deletes: without
    /// Aiven's token, the run would delete the UpCloud halves and leave their connections, so it
    /// changes nothing. (A file without `[aiven]` lists those connections for a person instead.)
    fn refuse_aiven_deletes_without_token(&self) -> anyhow::Result<()> {
        let plan = &self.planned.plan;
        let deletes = plan.aiven_deletes().count();
        if self.aiven_reachable || deletes == 0 {
            return Ok(());
        }
        let token_env = self
            .desired
            .aiven
            .as_ref()
            .map_or(crate::aiven::TOKEN_VAR, |aiven| &aiven.token_env);
        anyhow::bail!(
            "{token_env} is not set: the plan deletes {} with their UpCloud halves, which needs \
             Aiven's API token in it; nothing was changed",
            render::count(deletes, "Aiven connection")
        )
    }
}

/// Runs the plan's changes, reporting each as it ends, and what they turned active.
fn make_changes(
    runtime: &tokio::runtime::Runtime,
    accounts: &Accounts,
    planned: &Planned,
    options: &ApplyOptions,
    stop: &StopSignal,
    output: &ApplyOutputWriter,
) -> apply::Report {
    let plan = &planned.plan;
    let report = runtime.block_on(async {
        let notice = tokio::spawn(say_when_stopped(
            stop.clone(),
            "Interrupted: starting nothing new; the requests under way finish (each within \
             --timeout). Interrupt again to abort at once.",
        ));
        output.begin();
        let report = apply::apply(
            &accounts.clients,
            accounts.aiven.as_ref(),
            plan,
            &planned.names,
            options,
            stop,
            |event| output.event(event, &planned.names),
        )
        .await;
        notice.abort();
        report
    });
    output.changes_done(
        &report,
        stop.is_requested(),
        &apply::activated::by_the_changes(plan, &report),
        &planned.names,
    );
    report
}

/// `--wait`: follows the changed peerings until they settle, the time is up, or a stop.
fn wait_for_states(
    runtime: &tokio::runtime::Runtime,
    accounts: &Accounts,
    report: &apply::Report,
    options: &ApplyOptions,
    stop: &StopSignal,
    output: &ApplyOutputWriter,
) -> anyhow::Result<apply::wait::Waited> {
    runtime
        .block_on(async {
            let notice = tokio::spawn(say_when_stopped(
                stop.clone(),
                "Interrupted: no longer waiting; the changes above are made.",
            ));
            let waited = apply::wait::settle(
                &accounts.clients,
                accounts.aiven.as_ref(),
                report,
                options,
                stop,
                |event| output.wait_event(&event),
            )
            .await;
            notice.abort();
            waited
        })
        .context("cannot read the peerings' states while waiting")
}

/// Says on stderr, as soon as a stop is requested, what it means where the run stands.
async fn say_when_stopped(stop: StopSignal, meaning: &'static str) {
    stop.requested().await;
    anstream::eprintln!("\n{meaning}");
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
fn refuse_mass_delete(plan: &Plan, force: bool) -> anyhow::Result<()> {
    let Some(mass) = plan.mass_deletes.first() else {
        return Ok(());
    };
    if force {
        return Ok(());
    }
    let names: Vec<String> = mass
        .names
        .iter()
        .map(|name| format!("  - {name}"))
        .collect();
    anyhow::bail!(
        "refusing to delete {}:\n{}\n\
         If that is intended, run again with --force; nothing was changed",
        render::mass_delete(mass),
        names.join("\n")
    )
}

/// What the person at the prompt said.
enum Confirmation {
    Approved,
    /// Anything but yes, or the end of input (Ctrl-D).
    Declined,
    /// Ctrl-C or SIGTERM while the prompt waited.
    Interrupted,
}

/// Asks on the terminal. Without one, refuses: an unattended apply must say `--auto-approve`.
/// The answer is read on a thread of its own, so that a stop ends the wait for it.
async fn confirm(stop: &StopSignal) -> anyhow::Result<Confirmation> {
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        anyhow::bail!(
            "refusing to apply without confirmation: there is no terminal to ask on. \
             Review the plan above and run again with --auto-approve; nothing was changed"
        );
    }
    anstream::eprint!("Apply these changes? [y/N] ");
    std::io::stderr().flush()?;
    let (sender, answer) = tokio::sync::oneshot::channel();
    // Not a tokio blocking task: the runtime would wait for it when it shuts down, and a read
    // of the terminal does not end when the run does.
    std::thread::spawn(move || {
        let mut answer = String::new();
        let read = std::io::stdin().lock().read_line(&mut answer);
        let _ = sender.send(read.map(|bytes| (bytes, answer)));
    });
    let Ok(answer) = stop.unless_requested(answer).await else {
        return Ok(Confirmation::Interrupted);
    };
    let (bytes, answer) = answer
        .context("the terminal closed before it answered")?
        .context("cannot read the answer")?;
    if bytes == 0 {
        // End of input: the cursor is still on the prompt's line.
        anstream::eprintln!();
    }
    if matches!(answer.trim(), "y" | "Y" | "yes" | "Yes" | "YES") {
        return Ok(Confirmation::Approved);
    }
    anstream::eprintln!("Not applied; nothing was changed.");
    Ok(Confirmation::Declined)
}
