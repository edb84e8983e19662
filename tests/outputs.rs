//! The outputs for people, scripts and code review: `plan` and `check` as text, JSON and
//! Markdown, `apply --output json` events, `check`'s exit codes, completions, the man page and
//! the file's JSON Schema. The built binary against the simulator over real HTTP.

mod common;

use std::time::Duration;

use common::diagrams::parse_mermaid;
use common::every_state::*;
use common::markdown::parse_markdown;
use common::*;
use serde_json::Value;

/// The existing peerings as they are, with their own names and labels: nothing to change.
const AS_THEY_ARE: &str = r#"
[networks]
app = "11111111-1111-4111-8111-111111111111"
backend = "22222222-2222-4222-8222-222222222222"
aiven = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
silent = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"

[[peering]]
name = "healthy active"
network = "app"
peer_network = "aiven"

[[peering]]
name = "healthy disabled"
network = "backend"
peer_network = "aiven"
configured_status = "disabled"
"#;

const UNHEALTHY_AS_THEY_ARE: &str = r#"
[[peering]]
name = "pending peer"
network = "backend"
peer_network = "silent"

[[peering]]
name = "no local router"
network = "33333333-3333-4333-8333-333333333333"
peer_network = "aiven"

[[peering]]
name = "peer network deleted"
network = "backend"
peer_network = "55555555-5555-4555-8555-555555555555"
"#;

/// JSON Lines output as written, each timestamp replaced after checking its form and that
/// each line is one JSON object that starts with its `event`.
fn without_timestamps(lines: &str) -> String {
    const KEY: &str = "\"timestamp\":\"";
    lines
        .lines()
        .map(|line| {
            let event: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{line:?} is not one JSON object: {e}"));
            let timestamp = event["timestamp"].as_str().expect("a timestamp");
            assert!(is_rfc3339_utc(timestamp), "{timestamp}");
            assert!(line.starts_with("{\"event\":\""), "{line}");
            line.replacen(
                &format!("{KEY}{timestamp}\""),
                &format!("{KEY}[timestamp]\""),
                1,
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `2024-05-01T12:34:56.789Z`.
fn is_rfc3339_utc(text: &str) -> bool {
    let shape = text
        .chars()
        .map(|c| if c.is_ascii_digit() { '9' } else { c })
        .collect::<String>();
    shape == "9999-99-99T99:99:99.999Z"
}

#[test]
fn plan_in_every_format_for_every_kind_of_change_warning_and_state() {
    let sim = sim_with_every_state();
    let dir = project(&file_with_every_change());

    let human = sim.run(dir.path(), &["plan", "--detailed-exitcode"]);
    assert_eq!(human.code, 2, "{human:?}");
    insta::assert_snapshot!("plan_human_every_kind", stable(&human.stdout));

    let json = sim.run(dir.path(), &["plan", "--output", "json"]);
    assert_eq!(json.code, 0, "{json:?}");
    let document: Value = serde_json::from_str(&json.stdout).expect("one JSON document");
    assert_eq!(
        document["summary"],
        serde_json::json!({"create": 4, "update": 4, "delete": 1, "noop": 5})
    );
    insta::assert_snapshot!("plan_json_every_kind", stable(&json.stdout));

    let markdown = sim.run(dir.path(), &["plan", "--output", "markdown"]);
    assert_eq!(markdown.code, 0, "{markdown:?}");
    assert!(markdown.stderr.is_empty(), "{}", markdown.stderr);
    insta::assert_snapshot!("plan_markdown_every_kind", stable(&markdown.stdout));
    assert_markdown_plan_structure(&markdown.stdout, 9);
    assert!(sim.writes().is_empty(), "plan is read-only");
}

/// The Markdown, as a renderer reads it: one table of the changes with the hostile name intact
/// in its own cell, the diagram, no HTML but the `<details>` block, and the full plan inside it.
fn assert_markdown_plan_structure(markdown: &str, changes: usize) {
    let parsed = parse_markdown(markdown);
    assert_eq!(parsed.tables.len(), 1, "{markdown}");
    let table = &parsed.tables[0];
    assert_eq!(
        table[0],
        [
            "Action",
            "Name",
            "Platform",
            "Network",
            "Peer network",
            "What changes"
        ]
    );
    assert_eq!(table.len(), 1 + changes, "{table:?}");
    assert!(table.iter().all(|row| row.len() == 6), "{table:?}");
    assert!(
        table.iter().any(|row| row[1] == HOSTILE_NAME),
        "the name survives escaping: {table:?}"
    );
    let deletes: Vec<&Vec<String>> = table.iter().filter(|row| row[0] == "delete").collect();
    assert_eq!(deletes.len(), 1);
    assert_eq!(deletes[0][1], "dropped from the file");
    assert!(
        parsed.links.is_empty(),
        "no link was injected: {:?}",
        parsed.links
    );
    assert_eq!(
        parsed.html,
        [
            "<details>\n",
            "<summary>The full plan</summary>\n",
            "</details>\n"
        ],
        "the only HTML is the details block"
    );
    assert_eq!(parsed.code_blocks.len(), 2, "the diagram and the full plan");
    let (language, diagram) = &parsed.code_blocks[0];
    assert_eq!(language, "mermaid");
    let diagram = parse_mermaid(diagram).unwrap_or_else(|e| panic!("{e}\n{diagram}"));
    assert!(
        diagram
            .all_lines()
            .iter()
            .any(|line| line.starts_with("+ new <b>|peering|</b> `x`")),
        "the name survives escaping, shortened: {diagram:?}"
    );
    let (language, full_plan) = &parsed.code_blocks[1];
    assert_eq!(language, "text");
    assert!(full_plan.starts_with("peerings will make these changes:"));
    assert!(full_plan.contains(HOSTILE_NAME));
}

#[test]
fn check_in_every_format_reports_drift_and_still_lists_the_unhealthy() {
    let sim = sim_with_every_state();
    let dir = project(&file_with_every_change());

    let human = sim.run(dir.path(), &["check"]);
    assert_eq!(human.code, 2, "changes pending win: {human:?}");
    insta::assert_snapshot!("check_human_every_state", stable(&human.stdout));

    let json = sim.run(dir.path(), &["check", "--output", "json"]);
    assert_eq!(json.code, 2, "{json:?}");
    let document: Value = serde_json::from_str(&json.stdout).expect("one JSON document");
    assert_eq!(document["verdict"], "drift");
    let health: Vec<(&str, &str, &str)> = document["peerings"]
        .as_array()
        .expect("peerings")
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap_or_default(),
                p["state"].as_str().unwrap_or_default(),
                p["health"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        health,
        [
            ("being provisioned", "provisioning", "transient"),
            ("healthy active", "active", "healthy"),
            ("healthy disabled", "disabled", "healthy"),
            ("no local router", "missing-local-router", "unhealthy"),
            ("no peer router", "missing-peer-router", "unhealthy"),
            ("peer disabled", "peer-disabled", "unhealthy"),
            ("peer network deleted", "deleted-peer-network", "unhealthy"),
            ("pending peer", "pending-peer", "unhealthy"),
            ("subnet conflict", "conflict-subnet", "unhealthy"),
        ]
    );
    insta::assert_snapshot!("check_json_every_state", stable(&json.stdout));

    let markdown = sim.run(dir.path(), &["check", "--output", "markdown"]);
    assert_eq!(markdown.code, 2, "{markdown:?}");
    insta::assert_snapshot!("check_markdown_every_state", stable(&markdown.stdout));
    let parsed = parse_markdown(&markdown.stdout);
    assert_eq!(parsed.tables.len(), 1);
    assert_eq!(
        parsed.tables[0].len(),
        1 + 7,
        "the header and the 7 not healthy"
    );
    assert!(sim.writes().is_empty(), "check is read-only");
}

#[test]
fn check_exits_0_when_in_sync() {
    let sim = Sim::with_peerings(EVERY_STATE);
    let dir = project(AS_THEY_ARE);
    let run = sim.run(dir.path(), &["check"]);
    assert_eq!(run.code, 0, "{run:?}");
    insta::assert_snapshot!("check_in_sync", stable(&run.stdout));
}

#[test]
fn check_exits_3_when_nothing_would_change_but_a_peering_is_unhealthy() {
    let sim = Sim::with_peerings(EVERY_STATE);
    sim.simulator
        .delete_network(BASIC_NET.parse().expect("a UUID"))
        .expect("deletable");
    let dir = project(&format!("{AS_THEY_ARE}{UNHEALTHY_AS_THEY_ARE}"));
    let run = sim.run(dir.path(), &["check"]);
    assert_eq!(run.code, 3, "{run:?}");
    insta::assert_snapshot!("check_unhealthy", stable(&run.stdout));
    let json = sim.run(dir.path(), &["check", "--output", "json"]);
    assert_eq!(json.code, 3);
    let document: Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(document["verdict"], "unhealthy");
}

#[test]
fn check_exits_3_while_a_peering_is_still_provisioning() {
    let sim = Sim::with_peerings("");
    sim.simulator.set_provisioning(Duration::from_secs(600));
    let dir = project(&format!(
        "[[peering]]\nname = \"fresh\"\nnetwork = \"{APP}\"\npeer_network = \"{AIVEN}\"\n"
    ));
    assert_eq!(sim.run(dir.path(), &["apply", "--auto-approve"]).code, 0);
    let run = sim.run(dir.path(), &["check"]);
    assert_eq!(run.code, 3, "{run:?}");
    assert!(
        run.stdout
            .contains("fresh: provisioning (configured active, transient)")
    );
}

#[test]
fn check_exits_2_on_drift_and_1_on_error() {
    let sim = Sim::with_peerings(EVERY_STATE);
    let drift = project(&format!(
        "{AS_THEY_ARE}\n[[peering]]\nname = \"new\"\nnetwork = \"app\"\npeer_network = \"silent\"\n"
    ));
    assert_eq!(sim.run(drift.path(), &["check"]).code, 2);

    let invalid = project("[[peering]]\nname = \"no networks\"\n");
    let run = sim.run(invalid.path(), &["check"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.is_empty());

    let url = sim.url();
    let refused = run_peerings(
        drift.path(),
        &["check", "--output", "json"],
        &[("UPCLOUD_API_URL", &url), ("UPCLOUD_TOKEN", "ucat_wrong")],
    );
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(refused.stdout.is_empty(), "{}", refused.stdout);
    assert!(refused.stderr.contains("AUTHENTICATION_FAILED"));
}

#[test]
fn apply_json_is_one_event_a_line_and_nothing_else_on_stdout() {
    let sim = sim_with_every_state();
    let dir = project(&file_with_every_change());
    // One at a time, so that the started and finished events interleave the same on every run.
    let run = sim.run(
        dir.path(),
        &[
            "apply",
            "--output",
            "json",
            "--auto-approve",
            "--parallelism",
            "1",
        ],
    );
    assert_eq!(
        run.code, 1,
        "the creates the plan warned about fail: {run:?}"
    );
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let events = without_timestamps(&run.stdout);
    insta::assert_snapshot!("apply_json_events", stable(&events));
    let kinds: Vec<String> = events
        .lines()
        .map(|line| {
            let event: Value = serde_json::from_str(line).expect("JSON");
            event["event"].as_str().unwrap_or_default().to_owned()
        })
        .collect();
    assert_eq!(kinds.first().map(String::as_str), Some("plan"));
    assert_eq!(kinds.last().map(String::as_str), Some("summary"));
    assert_eq!(kinds.iter().filter(|k| *k == "change_started").count(), 9);
    assert_eq!(kinds.iter().filter(|k| *k == "change_finished").count(), 9);
}

#[test]
fn apply_json_asks_no_questions_and_applies_a_reviewed_plan() {
    let sim = Sim::with_peerings("");
    let dir = project(&format!(
        "[[peering]]\nname = \"reviewed\"\nnetwork = \"{APP}\"\npeer_network = \"{AIVEN}\"\n"
    ));
    let refused = sim.run(dir.path(), &["apply", "--output", "json"]);
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(refused.stdout.is_empty());
    assert!(
        refused.stderr.contains("--auto-approve"),
        "{}",
        refused.stderr
    );
    assert!(sim.log().is_empty(), "refused before reading the account");

    let plan = sim.run(dir.path(), &["-q", "plan", "--out", "plan.json"]);
    assert_eq!(plan.code, 0, "{plan:?}");
    assert!(
        plan.stderr.is_empty(),
        "-q silences the chatter: {}",
        plan.stderr
    );
    let planned = sim.run(dir.path(), &["plan", "--output", "json"]);
    let planned: Value = serde_json::from_str(&planned.stdout).expect("JSON");
    let apply = sim.run(
        dir.path(),
        &["apply", "--output", "json", "--plan", "plan.json"],
    );
    assert_eq!(apply.code, 0, "{apply:?}");
    let events = without_timestamps(&apply.stdout);
    let first: Value =
        serde_json::from_str(events.lines().next().unwrap_or_default()).expect("JSON");
    assert_eq!(
        first["plan"], planned,
        "the plan event holds what plan --output json prints"
    );
    let last: Value =
        serde_json::from_str(events.lines().last().unwrap_or_default()).expect("JSON");
    assert_eq!(last["event"], "summary");
    assert_eq!(last["created"], 1);
    assert_eq!(last["succeeded"], true);

    let again = sim.run(dir.path(), &["apply", "--output", "json", "--auto-approve"]);
    assert_eq!(again.code, 0);
    let kinds: Vec<String> = without_timestamps(&again.stdout)
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).expect("JSON")["event"].to_string())
        .collect();
    assert_eq!(kinds, ["\"plan\"", "\"summary\""], "nothing to do");
}

#[test]
fn apply_json_with_wait_reports_each_state_change_and_where_each_peering_settled() {
    let sim = Sim::with_peerings("");
    sim.simulator.set_provisioning(Duration::from_millis(1000));
    let dir = project(&format!(
        "[[peering]]\nname = \"to aiven\"\nnetwork = \"{APP}\"\npeer_network = \"{AIVEN}\"\n"
    ));
    let run = sim.run(
        dir.path(),
        &[
            "apply",
            "--output",
            "json",
            "--auto-approve",
            "--wait",
            "--poll-interval",
            "100ms",
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
    let events = without_timestamps(&run.stdout);
    let after_summary: Vec<&str> = events
        .lines()
        .skip_while(|line| !line.contains(r#""event":"summary""#))
        .skip(1)
        .collect();
    assert_eq!(
        after_summary,
        [
            r#"{"event":"wait_started","timestamp":"[timestamp]","peerings":[{"goal":"active","name":"to aiven","platform":"upcloud"}],"timeout_s":300}"#,
            r#"{"event":"state_changed","timestamp":"[timestamp]","from":null,"name":"to aiven","platform":"upcloud","to":"provisioning"}"#,
            r#"{"event":"state_changed","timestamp":"[timestamp]","from":"provisioning","name":"to aiven","platform":"upcloud","to":"active"}"#,
            r#"{"event":"settled","timestamp":"[timestamp]","name":"to aiven","platform":"upcloud","state":"active","verdict":"reached"}"#,
            r#"{"event":"became_active","timestamp":"[timestamp]","account":null,"name":"to aiven","network":"11111111-1111-4111-8111-111111111111","network_name":"app","platform":"upcloud","renew_dhcp":[]}"#,
            r#"{"event":"wait_finished","timestamp":"[timestamp]","interrupted":false}"#,
        ]
    );
}

#[test]
fn no_progress_bar_when_stderr_is_not_a_terminal() {
    let sim = sim_with_every_state();
    let dir = project(&file_with_every_change());
    let run = sim.run(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    assert!(run.stdout.contains("Apply failed"), "{}", run.stdout);
}

#[test]
fn completions_and_the_man_page_generate() {
    let dir = tempfile::tempdir().expect("a directory");
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let run = run_peerings(dir.path(), &["completions", shell], &[]);
        assert_eq!(run.code, 0, "{shell}: {run:?}");
        assert!(run.stdout.contains("peerings"), "{shell}");
        assert!(
            run.stdout.contains("check") && run.stdout.contains("graph"),
            "{shell}: the subcommands are there"
        );
    }
    let man = run_peerings(dir.path(), &["man"], &[]);
    assert_eq!(man.code, 0, "{man:?}");
    assert!(man.stdout.starts_with(".ie"), "roff: {}", &man.stdout[..40]);
    assert!(man.stdout.contains(".TH peerings"));
}

#[test]
fn the_schema_in_the_repository_is_current() {
    let dir = tempfile::tempdir().expect("a directory");
    let run = run_peerings(dir.path(), &["schema"], &[]);
    assert_eq!(run.code, 0, "{run:?}");
    let kept = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/schema/peerings.schema.json"
    ))
    .unwrap_or_default();
    assert!(
        kept == run.stdout,
        "schema/peerings.schema.json is out of date: regenerate it with\n  \
         cargo run -- schema > schema/peerings.schema.json"
    );
    assert!(
        include_str!("../peerings.toml.example")
            .starts_with("#:schema ./schema/peerings.schema.json\n"),
        "the example names the schema for editors (taplo)"
    );
}

#[test]
fn the_ci_examples_use_only_flags_the_binary_documents() {
    let dir = tempfile::tempdir().expect("a directory");
    let examples = [
        include_str!("../examples/github/peerings-plan.yml"),
        include_str!("../examples/github/peerings-apply.yml"),
        include_str!("../examples/github/peerings-check.yml"),
        include_str!("../examples/gitlab/.gitlab-ci.yml"),
    ];
    let mut checked = 0;
    for line in examples.iter().flat_map(|text| text.lines()) {
        let Some((subcommand, flags)) = peerings_invocation(line) else {
            continue;
        };
        let help = run_peerings(dir.path(), &[subcommand.as_str(), "--help"], &[]);
        assert_eq!(help.code, 0, "{line}: {help:?}");
        let documented: Vec<&str> = help
            .stdout
            .split(|c: char| c.is_whitespace() || c == ',' || c == '[' || c == ']')
            .collect();
        for flag in flags {
            assert!(
                documented.contains(&flag.as_str()),
                "{line}: {flag} is not documented"
            );
            checked += 1;
        }
    }
    assert!(checked >= 10, "the examples were read: {checked} flags");
}

/// `peerings [flags] SUBCOMMAND [flags]` in a line of a CI file: the subcommand and every flag.
fn peerings_invocation(line: &str) -> Option<(String, Vec<String>)> {
    if line.trim_start().starts_with('#') {
        return None;
    }
    let words: Vec<&str> = line
        .split_whitespace()
        .skip_while(|word| *word != "peerings")
        .skip(1)
        .take_while(|word| !matches!(*word, "|" | ">" | ">>" | "#"))
        .collect();
    let subcommand = words
        .iter()
        .find(|word| ["plan", "apply", "check"].contains(word))?;
    let flags = words
        .iter()
        .filter(|word| word.starts_with('-'))
        .map(|word| word.split('=').next().unwrap_or(word).to_owned())
        .collect();
    Some(((*subcommand).to_owned(), flags))
}
