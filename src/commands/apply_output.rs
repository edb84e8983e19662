//! What `peerings apply` writes while it runs: Terraform-style text (with a progress bar on a
//! terminal for longer applies), or JSON Lines events on stdout and nothing else.

use std::io::IsTerminal;
use std::time::SystemTime;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use crate::apply::activated::Activated;
use crate::apply::wait::{WaitEvent, Waited};
use crate::apply::{Event, Report};
use crate::cli::ApplyOutput;
use crate::plan::NetworkNames;
use crate::plan::Plan;
use crate::render;
use crate::render::events::EventLine;

use super::Chatter;

/// Below this many changes an apply is over before a bar would tell anything.
const PROGRESS_MIN_CHANGES: usize = 5;

pub(super) struct ApplyOutputWriter {
    format: ApplyOutput,
    /// Only for human output on a terminal, for applies of at least `PROGRESS_MIN_CHANGES`.
    bar: Option<ProgressBar>,
}

impl ApplyOutputWriter {
    pub(super) fn new(format: ApplyOutput, chatter: Chatter, plan: &Plan) -> Self {
        let changes = plan.summary().changes();
        let wants_bar = format == ApplyOutput::Human
            && !chatter.is_quiet()
            && changes >= PROGRESS_MIN_CHANGES
            && std::io::stderr().is_terminal();
        ApplyOutputWriter {
            format,
            bar: wants_bar.then(|| progress_bar(changes)),
        }
    }

    pub(super) fn plan(&self, plan: &Plan, names: &NetworkNames) {
        match self.format {
            ApplyOutput::Human => anstream::print!("{}", render::human::plan(plan, names)),
            ApplyOutput::Json => emit(render::events::plan(
                &render::json::plan(plan, names),
                SystemTime::now(),
            )),
        }
    }

    /// The plan has no changes: say so and end.
    pub(super) fn nothing_to_do(&self) {
        match self.format {
            ApplyOutput::Human => anstream::println!("Nothing to do."),
            ApplyOutput::Json => self.summary(&Report::default(), false),
        }
    }

    /// Changes are about to start.
    pub(super) fn begin(&self) {
        if self.format == ApplyOutput::Human {
            anstream::println!();
        }
    }

    pub(super) fn event(&self, event: Event<'_>, names: &NetworkNames) {
        match (self.format, event) {
            (ApplyOutput::Human, Event::Started(change)) => {
                if let Some(bar) = &self.bar {
                    bar.set_message(change.name().to_owned());
                }
            }
            (ApplyOutput::Human, Event::Finished(result)) => {
                let line = render::human::outcome(result, names);
                match &self.bar {
                    Some(bar) => {
                        bar.suspend(|| anstream::print!("{line}"));
                        bar.inc(1);
                    }
                    None => anstream::print!("{line}"),
                }
            }
            (ApplyOutput::Json, Event::Started(change)) => {
                emit(render::events::change_started(change, SystemTime::now()));
            }
            (ApplyOutput::Json, Event::Finished(result)) => {
                emit(render::events::change_finished(result, SystemTime::now()));
            }
        }
    }

    /// The changes are over: the summary, and the peerings they turned active (in JSON before
    /// the summary, which ends a run without `--wait`).
    pub(super) fn changes_done(
        &self,
        report: &Report,
        interrupted: bool,
        activated: &[Activated],
        names: &NetworkNames,
    ) {
        match self.format {
            ApplyOutput::Human => {
                self.summary(report, interrupted);
                self.activated(activated, names, false);
            }
            ApplyOutput::Json => {
                self.activated(activated, names, false);
                self.summary(report, interrupted);
            }
        }
    }

    fn summary(&self, report: &Report, interrupted: bool) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        match self.format {
            ApplyOutput::Human => {
                anstream::print!("\n{}", render::human::apply_summary(report, interrupted));
            }
            ApplyOutput::Json => emit(render::events::summary(
                report,
                interrupted,
                SystemTime::now(),
            )),
        }
    }

    /// The peerings that turned active (by the changes, or `while_waiting`), and the servers
    /// that need a DHCP renewal.
    fn activated(&self, activated: &[Activated], names: &NetworkNames, while_waiting: bool) {
        match self.format {
            ApplyOutput::Human => anstream::print!(
                "{}",
                render::human::activated(activated, names, while_waiting)
            ),
            ApplyOutput::Json => {
                for peering in activated {
                    emit(render::events::became_active(
                        peering,
                        names,
                        SystemTime::now(),
                    ));
                }
            }
        }
    }

    /// What `--wait` watches, and each state as it is seen.
    pub(super) fn wait_event(&self, event: &WaitEvent<'_>) {
        match self.format {
            ApplyOutput::Human => anstream::print!("{}", render::human::wait_event(event)),
            ApplyOutput::Json => emit(render::events::wait_event(event, SystemTime::now())),
        }
    }

    /// Where `--wait` left the changed peerings, and those it saw turn active.
    pub(super) fn settled(&self, waited: &Waited, activated: &[Activated], names: &NetworkNames) {
        match self.format {
            ApplyOutput::Human => anstream::print!("{}", render::human::settled(waited, names)),
            ApplyOutput::Json => {
                for peering in &waited.settled {
                    emit(render::events::settled(peering, SystemTime::now()));
                }
            }
        }
        self.activated(activated, names, true);
        if self.format == ApplyOutput::Json {
            emit(render::events::wait_finished(
                waited.interrupted,
                SystemTime::now(),
            ));
        }
    }
}

/// The run was interrupted `when` (reading the accounts, at the prompt), before any change.
pub(super) fn interrupted_before_changes(format: ApplyOutput, when: &str) {
    match format {
        ApplyOutput::Human => anstream::eprintln!("\nInterrupted {when}; nothing was changed."),
        ApplyOutput::Json => emit(render::events::summary(
            &Report::default(),
            true,
            SystemTime::now(),
        )),
    }
}

fn progress_bar(changes: usize) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(
        Some(u64::try_from(changes).unwrap_or(u64::MAX)),
        ProgressDrawTarget::stderr(),
    );
    // The template is a constant; should it ever fail to parse, the default style will do.
    if let Ok(style) = ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {wide_msg}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// One event, one line; stdout is line-buffered, so a CI log shows it at once.
fn emit(event: EventLine<impl Serialize>) {
    match serde_json::to_string(&event) {
        Ok(line) => println!("{line}"),
        // Only strings, numbers and maps with string keys: this cannot happen.
        Err(error) => tracing::error!("cannot write an event as JSON: {error}"),
    }
}
