//! `peerings graph` and the diagram in Markdown: the built binary against the simulator, drawing
//! the outputs tests' world (every state, every kind of change) read through two accounts. Both
//! languages are parsed back: DOT by a real DOT parser, Mermaid by the flowchart rules in
//! `common/diagrams.rs`.

mod common;

use common::diagrams::{Diagram, parse_dot, parse_mermaid};
use common::every_state::*;
use common::markdown::parse_markdown;
use common::*;

/// The outputs tests' file, with the `team` account (where its peerings are) and the `aiven`
/// account (which holds the other halves of two of them) both read.
fn file_with_two_accounts() -> String {
    file_with_every_change().replacen(
        "prune = true\n",
        "prune = true\ndefault_account = \"team\"\n\n[accounts.team]\ntoken_env = \"TEAM_TOKEN\"\n\n\
         [accounts.aiven]\ntoken_env = \"AIVEN_TOKEN\"\n",
        1,
    )
}

fn run_two_accounts(sim: &Sim, dir: &tempfile::TempDir, args: &[&str]) -> Run {
    let url = sim.url();
    let env = [
        ("UPCLOUD_API_URL", url.as_str()),
        ("TEAM_TOKEN", TEAM_TOKEN),
        ("AIVEN_TOKEN", "ucat_aiven"),
    ];
    let run = run_peerings(dir.path(), args, &env);
    assert_eq!(run.code, 0, "{args:?}: {run:?}");
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    run
}

/// The edge between two nodes, by their first lines.
fn edge<'d>(diagram: &'d Diagram, a: &str, b: &str) -> &'d common::diagrams::DiagramEdge {
    let name = |id: &str| diagram.node(id).map(|n| n.lines[0].as_str());
    diagram
        .edges
        .iter()
        .find(|e| {
            let ends = [name(&e.from), name(&e.to)];
            ends == [Some(a), Some(b)] || ends == [Some(b), Some(a)]
        })
        .unwrap_or_else(|| panic!("no edge between {a} and {b}: {diagram:#?}"))
}

#[test]
fn every_state_and_change_in_two_accounts_drawn_alike_in_both_languages() {
    let sim = sim_with_every_state();
    let dir = project(&file_with_two_accounts());

    let mermaid = run_two_accounts(&sim, &dir, &["graph"]).stdout;
    insta::assert_snapshot!("graph_mermaid_every_state", mermaid);
    let dot = run_two_accounts(&sim, &dir, &["graph", "--format", "dot"]).stdout;
    insta::assert_snapshot!("graph_dot_every_state", dot);
    let read = parse_mermaid(&mermaid).unwrap_or_else(|e| panic!("{e}\n{mermaid}"));
    assert_eq!(
        Ok(&read),
        parse_dot(&dot).as_ref(),
        "the two languages draw the same"
    );

    let boxes: Vec<&str> = read.boxes.iter().map(|(title, _)| title.as_str()).collect();
    assert_eq!(boxes, ["account aiven", "account team"]);
    let both_halves = edge(&read, "app", "aiven");
    assert_eq!(
        both_halves.lines,
        ["healthy active", "aiven half of healthy active"]
    );
    assert!(!both_halves.directed && !both_halves.dashed && both_halves.colours.is_none());
    let pending = edge(&read, "backend", "silent");
    assert!(pending.directed && pending.dashed, "{pending:?}");
    assert_eq!(
        read.node(&pending.from).map(|n| &n.lines[0][..]),
        Some("backend")
    );
    let conflict = edge(&read, "app", "overlaps-app");
    assert_eq!(conflict.lines[0], "~ subnet conflict");
    assert!(conflict.lines.contains(&"conflict-subnet".to_owned()));
    assert_eq!(
        conflict.colours,
        Some(("#9a6700".to_owned(), "#d1242f".to_owned())),
        "the update's colour, the label red: someone has to act"
    );
    let by_hand = edge(&read, "backend", "no-router");
    assert_eq!(by_hand.lines.last().map(String::as_str), Some("unmanaged"));
    assert!(
        read.nodes
            .iter()
            .any(|n| n.lines[0] == "silent" && n.dashed && n.in_box.is_none()),
        "the silent account is not read: {read:?}"
    );
    for line in read.all_lines() {
        assert!(line.chars().count() <= 40, "{line:?}");
    }
    assert!(sim.writes().is_empty(), "graph is read-only");
}

#[test]
fn the_observed_and_desired_views_leave_the_plan_out() {
    let sim = sim_with_every_state();
    let dir = project(&file_with_two_accounts());
    let observed = run_two_accounts(&sim, &dir, &["graph", "--observed"]).stdout;
    insta::assert_snapshot!("graph_observed_every_state", observed);
    let desired = run_two_accounts(&sim, &dir, &["graph", "--desired"]).stdout;
    insta::assert_snapshot!("graph_desired_every_state", desired);
    for text in [&observed, &desired] {
        let read = parse_mermaid(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        for line in read.all_lines() {
            assert!(
                !["+ ", "~ ", "- "].iter().any(|mark| line.starts_with(mark)),
                "{line:?}"
            );
        }
    }
    let observed = parse_mermaid(&observed).expect("Mermaid");
    assert!(observed.all_lines().contains(&"dropped from the file"));
    assert!(!observed.all_lines().contains(&"not a private network"));
    let desired = parse_mermaid(&desired).expect("Mermaid");
    assert!(!desired.all_lines().contains(&"dropped from the file"));
    assert!(desired.all_lines().contains(&"not a private network"));

    let both = run_peerings(dir.path(), &["graph", "--observed", "--desired"], &[]);
    assert_eq!(both.code, 1, "{both:?}");
    assert!(
        both.stderr.contains("cannot be used with"),
        "{}",
        both.stderr
    );
}

#[test]
fn a_hundred_peerings_stay_readable_and_fold_away_in_markdown() {
    let sim = Sim::start(world_with_networks(100));
    let dir = project(&file_with_peerings(0..100));
    let graph = sim.run(dir.path(), &["graph"]);
    assert_eq!(graph.code, 0, "{graph:?}");
    let read = parse_mermaid(&graph.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(read.edges.len(), 100);
    for line in read.all_lines() {
        assert!(line.chars().count() <= 40, "{line:?}");
    }

    let plan = sim.run(dir.path(), &["plan", "--output", "markdown"]);
    assert_eq!(plan.code, 0, "{plan:?}");
    let parsed = parse_markdown(&plan.stdout);
    assert_eq!(
        parsed.html[..3],
        [
            "<details>\n",
            "<summary>Topology: 100 peerings between 101 networks</summary>\n",
            "</details>\n"
        ],
        "more than 20 edges: folded"
    );
    assert_eq!(parsed.code_blocks[0].0, "mermaid");
    assert_eq!(parse_mermaid(&parsed.code_blocks[0].1), Ok(read));

    for command in ["plan", "check"] {
        let without = sim.run(dir.path(), &[command, "--output", "markdown", "--no-graph"]);
        assert!(without.code == 0 || without.code == 2, "{without:?}");
        let parsed = parse_markdown(&without.stdout);
        assert!(
            parsed
                .code_blocks
                .iter()
                .all(|(language, _)| language != "mermaid"),
            "{command}: {}",
            without.stdout
        );
        assert!(!without.stdout.contains("Topology"), "{}", without.stdout);
    }
}

#[test]
fn a_file_with_problems_draws_nothing() {
    let sim = Sim::with_peerings("");
    let dir = project("[[peering]]\nname = \"no networks\"\n");
    let run = sim.run(dir.path(), &["graph"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(sim.log().is_empty(), "nothing was read");
}

/// The README's diagram is what `graph` draws after the quick start.
#[test]
fn the_readme_shows_the_quick_start_as_graph_draws_it() {
    let dir = project(include_str!("../peerings.toml.example"));
    let run = |args: &[&str]| run_quick_start(dir.path(), args);
    assert_eq!(run(&["apply", "--auto-approve"]).code, 0);
    let graph = run(&["graph"]);
    assert_eq!(graph.code, 0, "{graph:?}");
    parse_mermaid(&graph.stdout).unwrap_or_else(|e| panic!("{e}\n{}", graph.stdout));

    let readme = include_str!("../README.md");
    let shown = readme
        .split_once("```mermaid\n")
        .and_then(|(_, rest)| rest.split_once("```\n"))
        .map(|(diagram, _)| diagram);
    assert!(
        shown == Some(graph.stdout.as_str()),
        "README.md's Mermaid block is out of date; after the quick start, replace it with what\n  \
         cargo run -- --api-url sim:demo-state.json graph -f peerings.toml.example\nprints:\n{}",
        graph.stdout
    );
}
