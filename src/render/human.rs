//! The plan and the apply report for a person at a terminal, in Terraform's style. Styles are
//! always written; `anstream` strips them when the output is not a terminal or `NO_COLOR` is set.

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};
use similar::{ChangeTag, TextDiff};

use crate::apply::activated::Activated;
use crate::apply::wait::{HalfState, Place, WaitEvent, WaitVerdict, Waited};
use crate::apply::{Finished, Outcome, Report};
use crate::model::{AivenConnection, ConnectionKey, Labels, NetworkId, Peering, PeeringKey};
use crate::plan::health::{self, Check, CheckVerdict, Health, Judged, JudgedConnection};
use crate::plan::{
    Action, AivenAction, AivenChange, Change, FieldChange, NetworkNames, PendingHalf, Plan, Step,
    Warning, change::format_labels,
};

use super::printable;
use super::wording::{self, NO_CHANGES, NextCommands, count};

const CREATE: Style = AnsiColor::Green.on_default();
const UPDATE: Style = AnsiColor::Yellow.on_default();
const REMOVED: Style = AnsiColor::Red.on_default();
const REMOVED_BOLD: Style = AnsiColor::Red.on_default().bold();
const DELETE_BANNER: Style = AnsiColor::Red.on_default().bold().underline();
const UNCHANGED: Style = Style::new().dimmed();
const WARNING: Style = AnsiColor::Yellow.on_default().bold();
const BOLD: Style = Style::new().bold();

/// The whole plan: every change, the unchanged peerings with their state, the deletes last and
/// set apart, what is left alone, and the summary line.
pub fn plan(plan: &Plan, names: &NetworkNames) -> String {
    let mut out = String::new();
    if !plan.has_changes() {
        let _ = writeln!(out, "{NO_CHANGES}\n");
    } else {
        out.push_str("peerings will make these changes:\n\n");
    }
    let (deletes, others): (Vec<Step>, Vec<Step>) =
        plan.steps().into_iter().partition(Step::is_delete);
    for step in others {
        write_step(&mut out, step, plan, names);
    }
    if !deletes.is_empty() {
        let (headline, why) = wording::deletes_banner(deletes.len(), plain);
        let _ = writeln!(out, "  {DELETE_BANNER}{headline}: {why}{DELETE_BANNER:#}\n");
        for step in deletes {
            write_step(&mut out, step, plan, names);
        }
    }
    write_left_alone(&mut out, plan);
    let _ = writeln!(out, "{BOLD}{}{BOLD:#}", plan.summary());
    for mass in &plan.mass_deletes {
        let _ = writeln!(
            out,
            "{WARNING}warning:{WARNING:#} {}.",
            wording::needs_force(mass, plain)
        );
    }
    out
}

/// What the plan does not touch, and why.
fn write_left_alone(out: &mut String, plan: &Plan) {
    if !plan.kept.is_empty() {
        let _ = writeln!(
            out,
            "  {UNCHANGED}{} not in the file, kept (prune is off):{UNCHANGED:#}",
            count(plan.kept.len(), "owned peering")
        );
        for peering in &plan.kept {
            let account = peering
                .account
                .as_ref()
                .map(|a| format!(" in {a}"))
                .unwrap_or_default();
            let name = printable(&peering.name);
            let _ = writeln!(out, "      {name} ({}){account}", peering.id);
        }
        out.push('\n');
    }
    for line in wording::elsewhere_counts(&plan.elsewhere) {
        let _ = writeln!(out, "  {UNCHANGED}{line}, left alone.{UNCHANGED:#}\n");
    }
    if !plan.unmanaged.is_empty() {
        let _ = writeln!(
            out,
            "  {UNCHANGED}{} not managed by this file, left alone.{UNCHANGED:#}\n",
            count(plan.unmanaged.len(), "peering")
        );
    }
    if !plan.aiven_left.is_empty() {
        let _ = writeln!(
            out,
            "  {WARNING}{} of deleted UpCloud halves left for a person:{WARNING:#} the file has \
             no [aiven] table, so peerings does not delete them; delete each in the Aiven \
             console, or put [aiven] back",
            count(plan.aiven_left.len(), "Aiven connection")
        );
        for left in &plan.aiven_left {
            let _ = writeln!(
                out,
                "      {}: {}",
                printable(&left.name),
                describe_connection(&left.key)
            );
        }
        out.push('\n');
    }
}

/// `project demo-project, VPC 5c1a..., network 03126dc1-...`.
fn describe_connection(key: &ConnectionKey) -> String {
    format!(
        "project {}, VPC {}, network {}",
        printable(&key.vpc.project),
        key.vpc.vpc,
        key.network
    )
}

fn write_step(out: &mut String, step: Step, plan: &Plan, names: &NetworkNames) {
    match step {
        Step::Upcloud(change) => write_change(out, change, plan, names),
        Step::Aiven(change) => write_aiven_change(out, change, names),
        Step::PendingHalf(change, half) => write_pending_half(out, change, half, names),
    }
}

/// The Aiven half of an `[[aiven_peering]]`: what Aiven creates, has, or deletes.
fn write_aiven_change(out: &mut String, change: &AivenChange, names: &NetworkNames) {
    let name = format!("{} (Aiven half)", printable(&change.name));
    let (style, mark) = match &change.action {
        AivenAction::Create => (CREATE, "+"),
        AivenAction::Noop { .. } => (UNCHANGED, "="),
        AivenAction::Delete { .. } => (REMOVED_BOLD, "-"),
    };
    let _ = writeln!(out, "  {style}{mark} {name}{style:#}");
    if let Some(account) = &change.account {
        field(out, "account", &format!("{account} (of its UpCloud half)"));
    }
    match &change.action {
        AivenAction::Create => {
            connection_fields(out, &change.key, names);
            field(
                out,
                "creates",
                "a peering connection of the VPC; Aiven then builds its own UpCloud half",
            );
        }
        AivenAction::Noop { current } => {
            field(out, "state", &describe_connection_state(current));
        }
        AivenAction::Delete { current } => {
            connection_fields(out, &change.key, names);
            let state = current.as_ref().map_or_else(
                || "not read (its VPC is not among the file's)".to_owned(),
                describe_connection_state,
            );
            field(out, "state", &state);
            field(
                out,
                "procedure",
                "after its UpCloud half: delete the connection; Aiven removes its own half",
            );
        }
    }
    for warning in &change.warnings {
        write_warning(out, warning);
    }
    out.push('\n');
}

fn connection_fields(out: &mut String, key: &ConnectionKey, names: &NetworkNames) {
    field(out, "project", &printable(&key.vpc.project));
    field(out, "vpc", &key.vpc.vpc.to_string());
    field(out, "network", &names.describe(key.network));
}

fn describe_connection_state(connection: &AivenConnection) -> String {
    format!(
        "{}: {}",
        printable(connection.state.as_str()),
        connection.state.explanation()
    )
}

/// The UpCloud half of an `[[aiven_peering]]` whose peer the plan cannot tell yet.
fn write_pending_half(
    out: &mut String,
    change: &AivenChange,
    half: &PendingHalf,
    names: &NetworkNames,
) {
    let _ = writeln!(out, "  {CREATE}+ {}{CREATE:#}", printable(&half.name));
    if let Some(account) = &change.account {
        field(out, "account", account);
    }
    field(out, "network", &names.describe(half.network));
    let peer = if half.undiscoverable {
        "unknown: Aiven does not show it (see the warning)"
    } else {
        "known once the Aiven half is PENDING_PEER"
    };
    field(out, "peer_network", peer);
    field(out, "configured_status", half.configured_status.as_str());
    field(out, "labels", &format_labels(&half.labels));
    for warning in &half.warnings {
        write_warning(out, warning);
    }
    out.push('\n');
}

fn write_change(out: &mut String, change: &Change, plan: &Plan, names: &NetworkNames) {
    let name = printable(&change.name);
    match &change.action {
        Action::Create(target) => {
            let _ = writeln!(out, "  {CREATE}+ {name}{CREATE:#}");
            origin(out, change);
            networks(out, target.key, names);
            field(out, "configured_status", target.configured_status.as_str());
            field(out, "labels", &printable(&format_labels(&target.labels)));
        }
        Action::Update {
            current,
            fields,
            adopt,
            ..
        } => {
            let _ = writeln!(out, "  {UPDATE}~ {name}{UPDATE:#}");
            origin(out, change);
            if *adopt {
                field(out, "adopt", wording::ADOPTION);
            }
            existing(out, current, names);
            for change in fields {
                write_field_change(out, change);
            }
        }
        Action::Noop { current } => {
            let _ = writeln!(out, "  {UNCHANGED}= {name}{UNCHANGED:#}");
            origin(out, change);
            field(out, "state", &describe_state(current, names));
        }
        Action::Delete { current } => {
            let _ = writeln!(out, "  {REMOVED_BOLD}- {name}{REMOVED_BOLD:#}");
            origin(out, change);
            existing(out, current, names);
            field(out, "procedure", wording::delete_procedure(current));
        }
    }
    if let Some(note) = wording::renewal_expected(change, plan, names) {
        field(out, "after apply", &note);
    }
    for warning in &change.warnings {
        write_warning(out, warning);
    }
    out.push('\n');
}

/// Which account and link a change belongs to, in a file that has them.
fn origin(out: &mut String, change: &Change) {
    if let Some(account) = &change.account {
        field(out, "account", account);
    }
    if let Some(link) = &change.link {
        field(
            out,
            "link",
            &format!("{} (both halves are in this plan)", printable(link)),
        );
    }
}

fn networks(out: &mut String, key: PeeringKey, names: &NetworkNames) {
    field(out, "network", &printable(&names.describe(key.network)));
    field(
        out,
        "peer_network",
        &printable(&names.describe(key.peer_network)),
    );
}

fn existing(out: &mut String, current: &Peering, names: &NetworkNames) {
    field(out, "uuid", &current.id.to_string());
    networks(out, current.key, names);
    field(out, "state", &describe_state(current, names));
}

/// `pending-peer: waiting for account shared to create its half`.
fn describe_state(peering: &Peering, names: &NetworkNames) -> String {
    format!(
        "{}: {}",
        printable(peering.state.as_str()),
        wording::explanation(&peering.state, peering.key.peer_network, names)
    )
}

fn field(out: &mut String, label: &str, value: &str) {
    let line = format!("      {label:<18} {value}");
    let _ = writeln!(out, "{}", line.trim_end());
}

fn write_field_change(out: &mut String, change: &FieldChange) {
    match change {
        FieldChange::Name { from, to } => {
            field(
                out,
                "name",
                &format!("{from:?} {UPDATE}->{UPDATE:#} {to:?}"),
            );
        }
        FieldChange::ConfiguredStatus { from, to } => {
            field(
                out,
                "configured_status",
                &format!("{from} {UPDATE}->{UPDATE:#} {to}"),
            );
        }
        FieldChange::Labels { from, to } => {
            field(out, "labels", "");
            write_labels_diff(out, from, to);
        }
    }
}

/// Labels one per line, with `-` and `+` for those that go and come.
fn write_labels_diff(out: &mut String, from: &Labels, to: &Labels) {
    let lines = |labels: &Labels| -> String {
        labels
            .iter()
            .map(|(key, value)| format!("{} = {value:?}\n", printable(key)))
            .collect()
    };
    let (old, new) = (lines(from), lines(to));
    for line in TextDiff::from_lines(&old, &new).iter_all_changes() {
        let text = line.value().trim_end();
        let _ = match line.tag() {
            ChangeTag::Delete => writeln!(out, "        {REMOVED}- {text}{REMOVED:#}"),
            ChangeTag::Insert => writeln!(out, "        {CREATE}+ {text}{CREATE:#}"),
            ChangeTag::Equal => writeln!(out, "          {text}"),
        };
    }
}

fn write_warning(out: &mut String, warning: &Warning) {
    let warning = printable(&warning.to_string()).into_owned();
    let _ = writeln!(out, "      {WARNING}warning:{WARNING:#} {warning}");
}

/// One line (and advice) for a finished change of an apply.
pub fn outcome(finished: &Finished, names: &NetworkNames) -> String {
    let name = printable(&super::finished_name(finished)).into_owned();
    let aiven = matches!(finished, Finished::Aiven(result) if !result.upcloud_half);
    match finished.outcome() {
        Outcome::ConnectionCreated(connection) => format!(
            "  {CREATE}+ created{CREATE:#}   {name}: {}\n",
            describe_connection_state(connection)
        ),
        Outcome::ConnectionDeleted(answered) => {
            let state = answered
                .as_ref()
                .map_or_else(|| "accepted by Aiven".to_owned(), describe_connection_state);
            format!(
                "  {REMOVED}- deleted{REMOVED:#}   {name}: {state}; Aiven removes its own UpCloud half\n"
            )
        }
        Outcome::AlreadyExists if aiven => format!(
            "  {UNCHANGED}= exists{UNCHANGED:#}    {name}: Aiven refused the create and its VPC \
             has the connection, so it exists already; counted as converged\n"
        ),
        Outcome::Created(peering) => format!(
            "  {CREATE}+ created{CREATE:#}   {name}: {}, {}\n",
            peering.id,
            describe_state(peering, names)
        ),
        Outcome::Updated(peering) => format!(
            "  {UPDATE}~ updated{UPDATE:#}   {name}: {}\n",
            describe_state(peering, names)
        ),
        Outcome::Deleted => format!("  {REMOVED}- deleted{REMOVED:#}   {name}\n"),
        Outcome::AlreadyExists => format!(
            "  {UNCHANGED}= exists{UNCHANGED:#}    {name}: the API answered PEERING_CONFLICT, and \
             the account holds it as the file says; counted as converged\n"
        ),
        Outcome::ExistsUnseen => format!(
            "  {UNCHANGED}= exists{UNCHANGED:#}    {name}: the API answered PEERING_CONFLICT, but \
             this account cannot see a peering of these networks (another account's, or deleted \
             meanwhile); counted as converged\n"
        ),
        Outcome::FoundAndUpdated {
            peering,
            fields,
            adopted,
            warnings,
        } => {
            let fields: Vec<&str> = fields.iter().map(FieldChange::field).collect();
            let adopted = if *adopted { "; adopted" } else { "" };
            let mut line = format!(
                "  {UPDATE}~ updated{UPDATE:#}   {name}: it existed already with other fields \
                 (found after its create), brought to the file's {}{adopted}: {}\n",
                fields.join(", "),
                describe_state(peering, names)
            );
            for warning in warnings {
                let warning = printable(&warning.to_string()).into_owned();
                let _ = writeln!(line, "              {WARNING}warning:{WARNING:#} {warning}");
            }
            line
        }
        Outcome::AlreadyGone => format!(
            "  {UNCHANGED}= gone{UNCHANGED:#}      {name}: deleted by someone else meanwhile; counted as converged\n"
        ),
        Outcome::LeftAlone(ownership) if aiven => format!(
            "  {UNCHANGED}= left alone{UNCHANGED:#} {name}: since the plan, its UpCloud half \
             became {}; the connection is kept\n",
            printable(&ownership.to_string())
        ),
        Outcome::LeftAlone(ownership) => format!(
            "  {UNCHANGED}= left alone{UNCHANGED:#} {name}: since the plan, it became {}; not \
             deleted\n",
            printable(&ownership.to_string())
        ),
        Outcome::NotStarted => format!(
            "  {UNCHANGED}? not started{UNCHANGED:#} {name}: the run stopped before it began; run apply again\n"
        ),
        Outcome::Interrupted { error } => format!(
            "  {UPDATE}? interrupted{UPDATE:#} {name}: {}; run apply again to finish it\n",
            printable(&error.to_string())
        ),
        Outcome::Failed { error, advice } => {
            let error = printable(&error.to_string()).into_owned();
            let mut line = format!("  {REMOVED}! failed{REMOVED:#}    {name}: {error}\n");
            if let Some(advice) = advice {
                let advice = printable(advice);
                let _ = writeln!(line, "              {BOLD}what to do:{BOLD:#} {advice}");
            }
            line
        }
    }
}

/// The closing line of an apply: complete, failed, or interrupted (Ctrl-C, SIGTERM).
pub fn apply_summary(report: &Report, interrupted: bool) -> String {
    let tally = report.tally();
    let (style, verdict) = if interrupted {
        (UPDATE, "Apply interrupted")
    } else if report.succeeded() {
        (CREATE, "Apply complete")
    } else {
        (REMOVED, "Apply failed")
    };
    let mut line = format!(
        "{style}{verdict}:{style:#} {} created, {} updated, {} deleted, {} already converged, {} failed",
        tally.created, tally.updated, tally.deleted, tally.converged, tally.failed
    );
    if tally.interrupted > 0 {
        let _ = write!(line, ", {} interrupted", tally.interrupted);
    }
    if tally.not_started > 0 {
        let _ = write!(line, ", {} not started", tally.not_started);
    }
    line.push_str(".\n");
    line
}

/// One line as `apply --wait` goes: what it watches, then each state as first seen and as it
/// changes.
pub fn wait_event(event: &WaitEvent<'_>) -> String {
    let state = |state: Option<&HalfState>| {
        state.map_or_else(
            || "gone".to_owned(),
            |state| printable(state.as_str()).into_owned(),
        )
    };
    match event {
        WaitEvent::Watching { peerings, timeout } => {
            let mut out = format!(
                "\nWaiting up to {} s for {} to settle:\n",
                timeout.as_secs(),
                count(peerings.len(), "peering")
            );
            for watched in *peerings {
                let _ = writeln!(out, "  - {}, {}", printable(&watched.name), watched.goal);
            }
            out
        }
        WaitEvent::Seen {
            name, state: now, ..
        } => {
            format!("  {}: {}\n", printable(name), state(*now))
        }
        WaitEvent::Changed { name, from, to, .. } => {
            format!(
                "  {}: {} -> {}\n",
                printable(name),
                state(*from),
                state(*to)
            )
        }
    }
}

/// Where `--wait` left each changed peering.
pub fn settled(waited: &Waited, names: &NetworkNames) -> String {
    let mut out = if waited.interrupted {
        format!("\n{UPDATE}Waiting interrupted;{UPDATE:#} the states last seen:\n")
    } else {
        String::from("\nFinal states:\n")
    };
    for peering in &waited.settled {
        let (style, mark) = match peering.verdict {
            WaitVerdict::Reached => (CREATE, "ok"),
            WaitVerdict::Waiting if waited.interrupted => (UPDATE, "still waiting"),
            WaitVerdict::Waiting => (UPDATE, "timed out"),
            WaitVerdict::NeedsAttention => (REMOVED, "needs attention"),
        };
        let state = match (&peering.state, &peering.place) {
            (Some(HalfState::Upcloud(state)), Place::Upcloud(_, key)) => format!(
                "{}: {}",
                printable(state.as_str()),
                wording::explanation(state, key.peer_network, names)
            ),
            (Some(state), _) => format!("{}: {}", printable(state.as_str()), state.explanation()),
            (None, _) => "gone".to_owned(),
        };
        let _ = writeln!(
            out,
            "  {style}{mark:<15}{style:#} {}: {state}",
            printable(&peering.name)
        );
    }
    out
}

/// After peerings turned active: the servers already on their networks, under one heading per
/// network (the networks without servers left out), and how to renew a lease. Empty when no
/// server needs a renewal.
pub fn activated(activated: &[Activated], names: &NetworkNames, while_waiting: bool) -> String {
    let mut by_network: Vec<(NetworkId, Vec<&Activated>)> = Vec::new();
    for peering in activated.iter().filter(|a| !a.servers.is_empty()) {
        let network = peering.change.key.network;
        match by_network.iter_mut().find(|(id, _)| *id == network) {
            Some((_, peerings)) => peerings.push(peering),
            None => by_network.push((network, vec![peering])),
        }
    }
    if by_network.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "\n{BOLD}{}{BOLD:#}\n\n",
        wording::renewal_headline(while_waiting)
    );
    for (network, peerings) in &by_network {
        let peering_names: Vec<String> = peerings
            .iter()
            .map(|a| super::change_name(a.change))
            .collect();
        let _ = writeln!(
            out,
            "  {}, now peered by {}:",
            names.describe(*network),
            peering_names.join(", ")
        );
        for server in peerings[0].servers {
            let _ = writeln!(out, "      {:<18} {}", server.label(), server.id);
        }
        out.push('\n');
    }
    for line in wording::RENEWAL_HOW {
        let _ = writeln!(out, "  {line}");
    }
    out
}

/// The check's verdict, then each listed peering that is not as it should be, with what its
/// state means and what to do.
pub fn check(check: &Check, names: &NetworkNames, next: &NextCommands) -> String {
    let mut out = String::new();
    let words = wording::verdict(check, plain, next);
    let style = match check.verdict() {
        CheckVerdict::Drift => UPDATE,
        CheckVerdict::Unhealthy => REMOVED_BOLD,
        CheckVerdict::InSync => CREATE,
    };
    let _ = write!(out, "{style}{}:{style:#} {}", words.headline, words.meaning);
    match words.next {
        Some(next) => {
            let _ = writeln!(out, "\n  {next}\n");
        }
        // In sync has nothing more to say; unhealthy lists the peerings, after an empty line.
        None if check.verdict() == CheckVerdict::InSync => out.push('\n'),
        None => out.push_str("\n\n"),
    }
    if check.unhealthy_count() > 0 {
        for step in check.unhealthy_in_order() {
            match step {
                health::JudgedStep::Upcloud(judged) => write_unhealthy(&mut out, judged, names),
                health::JudgedStep::Aiven(judged) => {
                    write_unhealthy_connection(&mut out, judged, names)
                }
            }
        }
        let _ = writeln!(out, "{}", wording::healthy_count(check));
    }
    for line in wording::elsewhere_counts(check.elsewhere) {
        let _ = writeln!(out, "{UNCHANGED}Left alone: {line}.{UNCHANGED:#}");
    }
    out
}

/// Human output marks nothing as code.
fn plain(text: &str) -> String {
    text.to_owned()
}

fn write_unhealthy_connection(out: &mut String, judged: &JudgedConnection, names: &NetworkNames) {
    let connection = judged.connection;
    let (style, mark, note) = match judged.health {
        Health::Transient => (UPDATE, "~", " (transient)"),
        _ => (REMOVED, "!", ""),
    };
    let _ = writeln!(
        out,
        "  {style}{mark} {} (Aiven half){style:#}: {}{note}",
        printable(judged.name),
        printable(connection.state.as_str())
    );
    connection_fields(out, &connection.key, names);
    field(out, "means", connection.state.explanation());
    if let Some(message) = &connection.message {
        field(out, "Aiven says", &printable(message));
    }
    field(out, "what to do", health::connection_advice(connection));
    for warning in &connection.warnings {
        let _ = writeln!(
            out,
            "      {WARNING}Aiven warns:{WARNING:#} {}: {}",
            printable(&warning.kind),
            printable(&warning.message)
        );
    }
    out.push('\n');
}

fn write_unhealthy(out: &mut String, judged: &Judged, names: &NetworkNames) {
    let peering = judged.peering;
    let (style, mark, note) = match judged.health {
        Health::Transient => (UPDATE, "~", ", transient"),
        _ => (REMOVED, "!", ""),
    };
    let _ = writeln!(
        out,
        "  {style}{mark} {}{style:#}: {} (configured {}{note})",
        printable(judged.name),
        printable(peering.state.as_str()),
        peering.configured_status
    );
    field(out, "uuid", &peering.id.to_string());
    networks(out, peering.key, names);
    let peer = peering.key.peer_network;
    field(
        out,
        "means",
        &wording::explanation(&peering.state, peer, names),
    );
    field(
        out,
        "what to do",
        &wording::advice(&peering.state, peering.configured_status, peer, names),
    );
    for warning in judged.warnings {
        write_warning(out, warning);
    }
    out.push('\n');
}
