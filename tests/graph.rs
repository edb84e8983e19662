//! `peerings graph` and the diagram in Markdown: the built binary against the simulator, drawing
//! the outputs tests' world (every state, every kind of change) read through two accounts. Both
//! languages are parsed back: DOT by a real DOT parser, Mermaid by the flowchart rules in
//! `common/diagrams.rs`. Also an Aiven world: both halves of `[[aiven_peering]]` tables in
//! every kind of state, with their VPCs.

mod common;

use common::aiven::*;
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

/// What both renderings draw, parsed back (Mermaid by its flowchart rules, DOT by a DOT
/// parser), which must be the same.
fn read_both(mermaid: &str, dot: &str) -> Diagram {
    let read = parse_mermaid(mermaid).unwrap_or_else(|e| panic!("{e}\n{mermaid}"));
    assert_eq!(
        Ok(&read),
        parse_dot(dot).as_ref(),
        "the two languages draw the same"
    );
    read
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
    let read = read_both(&mermaid, &dot);

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

/// The file's `[[aiven_peering]]` tables and what the simulator holds for them: an active
/// peering; a connection Aiven built (`PENDING_PEER`) whose UpCloud half the plan creates; one in
/// `ERROR`; a create in a VPC Aiven does not have; and, with prune, an owned UpCloud half whose
/// `[[aiven_peering]]` left the file, deleted with its connection in a VPC the file no longer
/// names (so not read).
fn aiven_graph_world() -> (Sim, tempfile::TempDir) {
    let connection = |vpc: &str, network: &str, state: &str| {
        format!(
            "[[aiven.connection]]\nproject = \"{PROJECT}\"\nvpc = \"{vpc}\"\npeer_vpc = \"{network}\"\nstate = \"{state}\"\n\n"
        )
    };
    let upcloud_half = |name: &str, network: &str, vpc: &str, vpc_net: &str| {
        format!(
            "[[peering]]\naccount = \"team\"\nname = \"{name}\"\nnetwork = \"{network}\"\npeer_network = \"{vpc_net}\"\n\
             labels = {{ managed-by = \"peerings\", aiven-project = \"{PROJECT}\", aiven-vpc = \"{vpc}\" }}\n\n"
        )
    };
    // The UpCloud half Aiven built of a connection past PENDING_PEER, in Aiven's account.
    let aivens_half = |network: &str, vpc_net: &str| {
        format!(
            "[[peering]]\naccount = \"aiven-cloud\"\nname = \"aiven's half\"\nnetwork = \"{vpc_net}\"\npeer_network = \"{network}\"\n\n"
        )
    };
    let world = [
        connection(VPC_HEL1, APP, "ACTIVE"),
        aivens_half(APP, VPC_HEL1_NET),
        upcloud_half("app to aiven", APP, VPC_HEL1, VPC_HEL1_NET),
        connection(VPC_HEL1, BACKEND, "PENDING_PEER"),
        aivens_half(BACKEND, VPC_HEL1_NET),
        connection(VPC_NEW, APP, "ERROR"),
        upcloud_half("app to new vpc", APP, VPC_NEW, VPC_NEW_NET),
        connection(VPC_FRA1, BACKEND, "ACTIVE"),
        aivens_half(BACKEND, VPC_FRA1_NET),
        upcloud_half("backend to fra1", BACKEND, VPC_FRA1, VPC_FRA1_NET),
    ]
    .concat();
    let sim = Sim::with_aiven(&world);
    let file = format!(
        "prune = true\n\n[networks]\napp = \"{APP}\"\nbackend = \"{BACKEND}\"\n\
         aiven-hel1 = \"{VPC_HEL1_NET}\"\naiven-new = \"{VPC_NEW_NET}\"\naiven-fra1 = \"{VPC_FRA1_NET}\"\n\n\
         [aiven]\n\n{}{}{}{}",
        aiven_peering("app to aiven", VPC_HEL1, "app"),
        aiven_peering("backend to aiven", VPC_HEL1, "backend"),
        aiven_peering("app to new vpc", VPC_NEW, "app"),
        aiven_peering("app to nowhere", VPC_NOWHERE, "app"),
    );
    (sim, project(&file))
}

#[test]
fn aiven_vpcs_are_boxes_and_both_halves_of_an_aiven_peering_one_edge_in_both_languages() {
    let (sim, dir) = aiven_graph_world();
    let graph = |args: &[&str]| {
        let run = sim.run_aiven(dir.path(), args);
        assert_eq!(run.code, 0, "{args:?}: {run:?}");
        run.stdout
    };
    let mermaid = graph(&["graph"]);
    insta::assert_snapshot!("graph_mermaid_aiven", mermaid);
    let dot = graph(&["graph", "--format", "dot"]);
    insta::assert_snapshot!("graph_dot_aiven", dot);
    let read = read_both(&mermaid, &dot);

    let boxes: Vec<&str> = read.boxes.iter().map(|(title, _)| title.as_str()).collect();
    assert_eq!(
        boxes,
        [
            "this account",
            "Aiven VPC data-project upcloud-fi-hel1",
            "Aiven VPC data-project upcloud-fi-hel1"
        ],
        "a box per VPC found (Aiven has one per project and cloud; the test world, two)"
    );
    let in_box = |first_line: &str| {
        let node = read
            .nodes
            .iter()
            .find(|n| n.lines[0] == first_line)
            .unwrap_or_else(|| panic!("no node {first_line}: {read:#?}"));
        (
            node.in_box.map(|b| boxes[b]),
            node.lines.clone(),
            node.dashed,
        )
    };
    assert_eq!(
        in_box("aiven-hel1"),
        (
            Some("Aiven VPC data-project upcloud-fi-hel1"),
            vec!["aiven-hel1".to_owned(), "172.20.0.0/24".to_owned()],
            false
        ),
        "the VPC's network, by the file's alias, with the VPC's network_cidr"
    );
    assert_eq!(
        in_box("Aiven VPC 9a5e6c4c…"),
        (
            None,
            vec![
                "Aiven VPC 9a5e6c4c…".to_owned(),
                "not found in project data-project".to_owned()
            ],
            true
        ),
        "a VPC Aiven does not have, dashed"
    );

    let active = edge(&read, "app", "aiven-hel1");
    assert_eq!(active.lines, ["app to aiven"], "both halves, one name");
    assert!(!active.dashed && !active.directed && active.colours.is_none());

    let pending = edge(&read, "backend", "aiven-hel1");
    assert_eq!(
        pending.lines,
        [
            "backend to aiven (Aiven half)",
            "+ backend to aiven",
            "PENDING_PEER"
        ]
    );
    assert!(pending.dashed && pending.directed, "{pending:?}");
    assert_eq!(
        read.node(&pending.from).map(|n| &n.lines[0][..]),
        Some("aiven-hel1"),
        "from the side that created its half: Aiven's"
    );

    let error = edge(&read, "app", "aiven-new");
    assert_eq!(error.lines, ["app to new vpc", "ERROR, pending-peer"]);
    assert_eq!(
        error.colours.as_ref().map(|c| c.1.as_str()),
        Some("#d1242f"),
        "red: someone has to act"
    );

    let created = edge(&read, "app", "Aiven VPC 9a5e6c4c…");
    assert_eq!(created.lines, ["+ app to nowhere"]);
    let pruned = edge(&read, "backend", "aiven-fra1");
    assert_eq!(pruned.lines, ["- backend to fra1", "not in the file"]);
    assert_eq!(
        in_box("aiven-fra1"),
        (
            None,
            vec![
                "aiven-fra1".to_owned(),
                "not read, of project data-project".to_owned()
            ],
            true
        ),
        "its VPC is no longer the file's, so not read"
    );
    for line in read.all_lines() {
        assert!(line.chars().count() <= 40, "{line:?}");
    }
    assert!(sim.writes().is_empty(), "graph is read-only");

    for view in ["--observed", "--desired"] {
        let mermaid = graph(&["graph", view]);
        read_both(&mermaid, &graph(&["graph", view, "--format", "dot"]));
        insta::assert_snapshot!(format!("graph_aiven{}", view.replace("--", "_")), mermaid);
    }
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
