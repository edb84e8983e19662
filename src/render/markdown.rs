//! GitHub-flavoured Markdown for pull-request comments: the plan and the check report. Every
//! text that comes from the file or the account goes through [`escape`], so that a name can
//! neither break a table nor inject HTML, links or emphasis.

use std::fmt::Write as _;

use crate::model::{ConnectionKey, Peering};
use crate::plan::health::{self, Check, Health, JudgedStep};
use crate::plan::{
    Action, AivenAction, AivenChange, Change, Elsewhere, FieldChange, Plan, Step,
    change::format_labels,
};

use super::graph::{self, Graph};
use super::human;
use super::wording::{self, NO_CHANGES, NextCommands};
use crate::plan::NetworkNames;

/// Above this many edges, the diagram is folded into a `<details>` block.
const FOLD_EDGES: usize = 20;

/// The summary line, a table of the changes, the deletes called out, the warnings, the diagram
/// (unless `graph` is `None`), and the whole human plan in a collapsed `<details>` block.
pub fn plan(plan: &Plan, names: &NetworkNames, graph: Option<&Graph>) -> String {
    let mut out = String::from("### peerings plan\n\n");
    let _ = writeln!(out, "**{}**\n", plan.summary());
    if !plan.has_changes() {
        let _ = writeln!(out, "{NO_CHANGES}\n");
    }
    write_deletes(&mut out, plan);
    write_changes_table(&mut out, plan, names);
    write_left_alone(&mut out, &plan.elsewhere);
    write_warnings(&mut out, plan);
    write_renewals(&mut out, plan, names);
    if let Some(graph) = graph {
        write_diagram(&mut out, graph);
    }
    write_details(&mut out, "The full plan", &human::plan(plan, names));
    out
}

/// The verdict, a table of the listed peerings that are not as they should be, and the diagram
/// (unless `graph` is `None`).
pub fn check(
    check: &Check,
    names: &NetworkNames,
    next: &NextCommands,
    graph: Option<&Graph>,
) -> String {
    let mut out = String::from("### peerings check\n\n");
    let words = wording::verdict(check, code, next);
    let _ = write!(out, "**{}**: {}", words.headline, words.meaning);
    if let Some(next) = words.next {
        let _ = write!(out, " {next}");
    }
    out.push_str("\n\n");
    let unhealthy = check.unhealthy_in_order();
    if !unhealthy.is_empty() {
        out.push_str(
            "| Peering | Platform | Network | Peer network | State | What it means | What to do |\n",
        );
        out.push_str("| --- | --- | --- | --- | --- | --- | --- |\n");
        for step in unhealthy {
            let _ = writeln!(out, "{}", judged_row(step, names));
        }
        out.push('\n');
    }
    let _ = writeln!(out, "{}", wording::healthy_count(check));
    for line in wording::elsewhere_counts(check.elsewhere) {
        let _ = writeln!(out, "\nLeft alone: {}.", escape(&line));
    }
    if let Some(graph) = graph {
        out.push('\n');
        write_diagram(&mut out, graph);
    }
    out
}

/// One row of the check's table.
fn judged_row(step: JudgedStep, names: &NetworkNames) -> String {
    match step {
        JudgedStep::Upcloud(judged) => {
            let peering = judged.peering;
            format!(
                "| {} | upcloud | {} | {} | {} | {} | {} |",
                escape(judged.name),
                escape(&names.describe(peering.key.network)),
                escape(&names.describe(peering.key.peer_network)),
                state_cell(peering, judged.health),
                escape(&wording::explanation(
                    &peering.state,
                    peering.key.peer_network,
                    names
                )),
                escape(&wording::advice(
                    &peering.state,
                    peering.configured_status,
                    peering.key.peer_network,
                    names
                )),
            )
        }
        JudgedStep::Aiven(judged) => {
            let connection = judged.connection;
            let transient = if judged.health == Health::Transient {
                " (transient)"
            } else {
                ""
            };
            let mut means = connection.state.explanation().to_owned();
            for warning in &connection.warnings {
                means.push_str(&format!(
                    "; Aiven warns: {}: {}",
                    warning.kind, warning.message
                ));
            }
            format!(
                "| {} (Aiven half) | aiven | {} | {} | {}{transient} | {} | {} |",
                escape(judged.name),
                escape(&names.describe(connection.key.network)),
                escape(&vpc_of(&connection.key)),
                escape(connection.state.as_str()),
                escape(&means),
                escape(health::connection_advice(connection)),
            )
        }
    }
}

/// `VPC 5c1a... of project demo-project`.
fn vpc_of(key: &ConnectionKey) -> String {
    format!("VPC {} of project {}", key.vpc.vpc, key.vpc.project)
}

/// Markdown marks a key of the file as inline code.
fn code(text: &str) -> String {
    format!("`{text}`")
}

/// `pending-peer (configured active)`, with a note for states that pass by themselves.
fn state_cell(peering: &Peering, health: Health) -> String {
    let transient = if health == Health::Transient {
        ", transient"
    } else {
        ""
    };
    format!(
        "{} (configured {}{transient})",
        escape(peering.state.as_str()),
        peering.configured_status
    )
}

/// Deletes are the dangerous part of a plan: they go first, in a caution box.
fn write_deletes(out: &mut String, plan: &Plan) {
    let deletes: Vec<Step> = plan.steps().into_iter().filter(Step::is_delete).collect();
    if deletes.is_empty() {
        return;
    }
    let (headline, why) = wording::deletes_banner(deletes.len(), code);
    let _ = writeln!(out, "> [!CAUTION]\n> **{headline}**: {why}.\n>");
    for mass in &plan.mass_deletes {
        let _ = writeln!(out, "> **{}.**\n>", wording::needs_force(mass, code));
    }
    for step in deletes {
        match step {
            Step::Upcloud(change) => {
                if let Some(current) = change.action.current() {
                    let _ = writeln!(
                        out,
                        "> - **{}** ({})",
                        escape(&super::change_name(change)),
                        current.id
                    );
                }
            }
            Step::Aiven(change) => {
                let _ = writeln!(
                    out,
                    "> - **{} (Aiven half)** (the connection of {})",
                    escape(&aiven_name(change)),
                    escape(&vpc_of(&change.key))
                );
            }
            Step::PendingHalf(..) => {}
        }
    }
    out.push('\n');
}

/// An Aiven change's name, with its UpCloud half's account where the file has several.
fn aiven_name(change: &AivenChange) -> String {
    match &change.account {
        Some(account) => format!("{} [{account}]", change.name),
        None => change.name.clone(),
    }
}

fn write_changes_table(out: &mut String, plan: &Plan, names: &NetworkNames) {
    let steps: Vec<Step> = plan
        .steps()
        .into_iter()
        .filter(|step| !step.is_noop())
        .collect();
    if steps.is_empty() {
        return;
    }
    out.push_str("| Action | Name | Platform | Network | Peer network | What changes |\n");
    out.push_str("| --- | --- | --- | --- | --- | --- |\n");
    for step in steps {
        let action = if step.is_delete() {
            "**delete**".to_owned()
        } else {
            step.action().to_owned()
        };
        let (name, network, peer, what) = match step {
            Step::Upcloud(change) => (
                super::change_name(change),
                names.describe(change.key.network),
                names.describe(change.key.peer_network),
                what_changes(&change.action),
            ),
            Step::Aiven(change) => (
                format!("{} (Aiven half)", aiven_name(change)),
                names.describe(change.key.network),
                vpc_of(&change.key),
                match change.action {
                    AivenAction::Delete { .. } => {
                        "delete the peering connection, after its UpCloud half".to_owned()
                    }
                    _ => "new peering connection of the VPC; Aiven then builds its own half"
                        .to_owned(),
                },
            ),
            Step::PendingHalf(change, half) => (
                aiven_name(change),
                names.describe(half.network),
                "known once the Aiven half is PENDING_PEER".to_owned(),
                format!(
                    "new peering, configured_status {}, labels {}",
                    half.configured_status,
                    format_labels(&half.labels)
                ),
            ),
        };
        let _ = writeln!(
            out,
            "| {action} | {} | {} | {} | {} | {} |",
            escape(&name),
            step.platform(),
            escape(&network),
            escape(&peer),
            escape(&what),
        );
    }
    out.push('\n');
}

/// The peerings of other files, which the plan leaves alone: reviewers should know they exist.
fn write_left_alone(out: &mut String, elsewhere: &[Elsewhere]) {
    for line in wording::elsewhere_counts(elsewhere) {
        let _ = writeln!(out, "{}, left alone.\n", escape(&line));
    }
}

/// One line on what the action does, in the words the human plan uses.
fn what_changes(action: &Action) -> String {
    match action {
        Action::Create(target) => format!(
            "new peering, configured_status {}, labels {}",
            target.configured_status,
            format_labels(&target.labels)
        ),
        Action::Update { fields, adopt, .. } => {
            let mut parts: Vec<String> = Vec::new();
            if *adopt {
                parts.push(format!("adopt: {}", wording::ADOPTION));
            }
            parts.extend(fields.iter().map(FieldChange::to_string));
            parts.join("; ")
        }
        Action::Delete { current } => wording::delete_procedure(current).to_owned(),
        Action::Noop { .. } => "nothing".to_owned(),
    }
}

fn write_warnings(out: &mut String, plan: &Plan) {
    let warned: Vec<Step> = plan
        .steps()
        .into_iter()
        .filter(|step| !step.warnings().is_empty())
        .collect();
    if warned.is_empty() {
        return;
    }
    out.push_str("#### Warnings\n\n");
    for step in warned {
        let name = match step {
            Step::Upcloud(change) => super::change_name(change),
            Step::Aiven(change) => format!("{} (Aiven half)", aiven_name(change)),
            Step::PendingHalf(change, _) => aiven_name(change),
        };
        for warning in step.warnings() {
            let _ = writeln!(
                out,
                "- **{}**: {}",
                escape(&name),
                escape(&warning.to_string())
            );
        }
    }
    out.push('\n');
}

/// The diagram as a ```` ```mermaid ```` block, which GitHub and GitLab draw, under a heading;
/// folded into a `<details>` block when it has more than [`FOLD_EDGES`] edges.
fn write_diagram(out: &mut String, graph: &Graph) {
    if graph.nodes.is_empty() {
        return;
    }
    let block = fenced(&graph::mermaid::render(graph), "mermaid");
    if graph.edges.len() > FOLD_EDGES {
        let summary = format!("Topology: {}", graph::describe(graph));
        let _ = writeln!(
            out,
            "<details>\n<summary>{}</summary>\n\n{block}\n</details>\n",
            escape(&summary)
        );
    } else {
        let _ = writeln!(out, "#### Topology\n\n{block}\n");
    }
}

/// The peerings expected to turn active, and the servers that will need a DHCP renewal then.
fn write_renewals(out: &mut String, plan: &Plan, names: &NetworkNames) {
    let notes: Vec<(&Change, String)> = plan
        .changes
        .iter()
        .filter_map(|change| Some((change, wording::renewal_expected(change, plan, names)?)))
        .collect();
    if notes.is_empty() {
        return;
    }
    out.push_str("#### DHCP renewals\n\n");
    for (change, note) in notes {
        let _ = writeln!(
            out,
            "- **{}**: {}",
            escape(&super::change_name(change)),
            escape(&note)
        );
    }
    out.push('\n');
}

/// `text`, styles stripped, as a code block in a collapsed `<details>`.
fn write_details(out: &mut String, summary: &str, text: &str) {
    let plain = anstream::adapter::strip_str(text).to_string();
    let _ = writeln!(
        out,
        "<details>\n<summary>{}</summary>\n\n{}\n</details>",
        escape(summary),
        fenced(&plain, "text")
    );
}

/// A fenced code block of `language` that `text` cannot close: the fence is longer than any run
/// of backticks in it (CommonMark's rule).
fn fenced(text: &str, language: &str) -> String {
    let longest_run = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest_run.max(2) + 1);
    format!("{fence}{language}\n{}\n{fence}", text.trim_end())
}

/// Text for a table cell or a line of prose: HTML is written as entities, Markdown's inline
/// punctuation is backslash-escaped (which also keeps `|` from ending a cell), line breaks
/// become spaces so a cell stays on its row, and other control characters and bidirectional
/// overrides are written as escapes (`\u{202e}`), as [`super::printable`] does.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            c if super::needs_escape(c) => out.extend(c.escape_debug()),
            '|' | '`' | '\\' | '*' | '_' | '[' | ']' | '~' | '!' | '#' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_keeps_names_from_breaking_tables_or_injecting_html() {
        assert_eq!(
            escape("a|b <script>`x` *y* [l](u)"),
            r"a\|b &lt;script&gt;\`x\` \*y\* \[l\](u)"
        );
        assert_eq!(escape("line\nbreak"), "line break");
        assert_eq!(escape("abc\u{202e}fed\u{1b}"), "abc\\u{202e}fed\\u{1b}");
        assert_eq!(escape("app-hel1 to aiven"), "app-hel1 to aiven");
    }

    #[test]
    fn a_fence_is_longer_than_any_backtick_run_inside() {
        assert_eq!(fenced("plain", "text"), "```text\nplain\n```");
        assert_eq!(fenced("a ```` b", "text"), "`````text\na ```` b\n`````");
    }
}
