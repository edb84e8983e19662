//! Both halves of an Aiven peering, from one `[[aiven_peering]]`: the built binary against the
//! simulator's UpCloud and Aiven APIs over real HTTP.

mod common;

use std::time::Duration;

use common::aiven::*;
use common::*;
use peerings::sim::Fault;

/// An interrupt is heard within a second; the bound leaves room for a busy machine.
const PROMPTLY: Duration = Duration::from_secs(3);

fn file(peerings: &str) -> String {
    format!("[aiven]\n\n{peerings}")
}

fn app_to_hel1() -> String {
    file(&aiven_peering("app to aiven", VPC_HEL1, APP))
}

/// The team's halves, as `(name, network, peer_network, state)`.
fn team_halves(sim: &Sim) -> Vec<(String, String, String, String)> {
    sim.peerings_of("team")
        .into_iter()
        .map(|(name, network, peer, _, state)| (name, network, peer, state))
        .collect()
}

fn assert_both_halves_active(sim: &Sim) {
    assert_eq!(
        team_halves(sim),
        [(
            "app to aiven".to_owned(),
            APP.to_owned(),
            VPC_HEL1_NET.to_owned(),
            "active".to_owned()
        )]
    );
    assert_eq!(
        sim.connections(),
        [(VPC_HEL1.to_owned(), APP.to_owned(), "ACTIVE".to_owned())]
    );
    let labels = sim.peering_labels("app to aiven");
    for label in [
        ("aiven-project", PROJECT),
        ("aiven-vpc", VPC_HEL1),
        ("managed-by", "peerings"),
    ] {
        assert!(
            labels.contains(&(label.0.to_owned(), label.1.to_owned())),
            "{labels:?}"
        );
    }
    let world = sim.world();
    let aiven_half = world
        .peering_between(
            "aiven-cloud",
            VPC_HEL1_NET.parse().unwrap(),
            APP.parse().unwrap(),
        )
        .expect("Aiven built its own half");
    assert_eq!(world.state_of(aiven_half).as_str(), "active");
}

#[test]
fn a_fresh_apply_creates_the_aiven_half_then_the_upcloud_half_with_the_learnt_id() {
    let sim = Sim::with_aiven("");
    let dir = project(&app_to_hel1());
    let plan = sim.run_aiven(dir.path(), &["plan"]);
    assert_eq!(plan.code, 0, "{plan:?}");
    insta::assert_snapshot!("fresh_plan", stable(&plan.stdout));
    let reads = sim.aiven_requests();
    assert_eq!(
        reads,
        [format!("GET /v1/project/{PROJECT}/vpcs/{VPC_HEL1}")],
        "the plan reads the VPC once"
    );

    sim.simulator.reset_log();
    let apply = sim.run_aiven(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{apply:?}");
    insta::assert_snapshot!("fresh_apply", stable(&apply.stdout));
    assert_both_halves_active(&sim);
    let writes: Vec<String> = sim
        .writes()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        writes,
        [
            format!("POST /v1/project/{PROJECT}/vpcs/{VPC_HEL1}/peering-connections"),
            "POST /1.3/network-peering".to_owned(),
        ],
        "the Aiven half first"
    );
}

#[test]
fn with_aiven_network_in_the_file_the_plan_knows_the_peer_and_apply_still_waits_for_aiven() {
    let sim = Sim::with_aiven("");
    let dir = project(&app_to_hel1().replace(
        &format!("network = \"{APP}\"\n"),
        &format!("network = \"{APP}\"\naiven_network = \"{VPC_HEL1_NET}\"\n"),
    ));
    let plan = sim.run_aiven(dir.path(), &["plan", "--output", "json"]);
    assert_eq!(plan.code, 0, "{plan:?}");
    let document: serde_json::Value = serde_json::from_str(&plan.stdout).unwrap();
    let changes = document["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 2);
    assert_eq!(changes[0]["platform"], "aiven");
    assert_eq!(changes[0]["action"], "create");
    assert_eq!(changes[0]["state"], serde_json::Value::Null);
    assert_eq!(changes[0]["uuid"], serde_json::Value::Null);
    assert_eq!(changes[0]["project"], PROJECT);
    assert_eq!(changes[0]["vpc"], VPC_HEL1);
    assert_eq!(changes[0]["network"], APP);
    assert_eq!(changes[1]["platform"], "upcloud");
    assert_eq!(changes[1]["peer_network"], VPC_HEL1_NET);
    // The keys, and their order, are pinned for scripts.
    insta::assert_snapshot!("plan_json", stable(&plan.stdout));

    let apply = sim.run_aiven(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{apply:?}");
    assert_both_halves_active(&sim);
    let order: Vec<String> = sim
        .log()
        .iter()
        .filter(|r| r.method != "GET" || r.path.starts_with("/v1/"))
        .map(|r| r.method.clone() + " " + r.path.split('/').nth(1).unwrap_or_default())
        .collect();
    assert_eq!(
        order[order.len() - 3..],
        ["POST v1", "GET v1", "POST 1.3"],
        "created, read until Aiven built its half, then the UpCloud half: {order:?}"
    );
}

#[test]
fn a_second_apply_writes_nothing() {
    let sim = Sim::with_aiven("");
    let dir = project(&app_to_hel1());
    assert_eq!(
        sim.run_aiven(dir.path(), &["apply", "--auto-approve"]).code,
        0
    );
    sim.simulator.reset_log();
    let again = sim.run_aiven(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(again.stdout.contains("Nothing to do."), "{}", again.stdout);
    assert!(sim.writes().is_empty(), "{:?}", sim.writes());
    let check = sim.run_aiven(dir.path(), &["check"]);
    assert_eq!(check.code, 0, "{check:?}");
    // One [[aiven_peering]] is one peering, of two halves.
    let in_sync = "nothing would change, and the 1 existing peering the file lists (2 halves) is \
                   as its";
    assert!(check.stdout.contains(in_sync), "{}", check.stdout);
    let markdown = sim.run_aiven(dir.path(), &["check", "--output", "markdown"]);
    assert!(markdown.stdout.contains(in_sync), "{}", markdown.stdout);
    assert!(
        markdown
            .stdout
            .contains("2 of the 2 halves of the 1 existing peering the file lists are healthy."),
        "{}",
        markdown.stdout
    );
    let json = sim.run_aiven(dir.path(), &["check", "--output", "json"]);
    let document: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(
        document["listed"],
        serde_json::json!({"peerings": 1, "halves": 2, "healthy_halves": 2})
    );
    assert_eq!(document["peerings"].as_array().map(Vec::len), Some(2));
}

#[test]
fn an_aiven_network_id_that_cannot_be_told_is_asked_for_and_the_aiven_half_is_still_made() {
    let mut world = aiven_world("");
    world.aiven.network_id_key = None;
    let sim = Sim::start(world);
    let dir = project(&app_to_hel1());
    let apply = sim.run_aiven(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(apply.code, 1, "{apply:?}");
    insta::assert_snapshot!("undiscoverable_apply", stable(&apply.stdout));
    assert_eq!(
        sim.connections(),
        [(
            VPC_HEL1.to_owned(),
            APP.to_owned(),
            "PENDING_PEER".to_owned()
        )]
    );
    assert!(team_halves(&sim).is_empty(), "no UpCloud half was guessed");

    let plan = sim.run_aiven(dir.path(), &["plan"]);
    assert!(
        plan.stdout.contains(
            "write it in the [[aiven_peering]] named \"app to aiven\" as `aiven_network = \"<that ID>\"`"
        ),
        "{}",
        plan.stdout
    );
    std::fs::write(
        dir.path().join("peerings.toml"),
        app_to_hel1().replace(
            &format!("network = \"{APP}\"\n"),
            &format!("network = \"{APP}\"\naiven_network = \"{VPC_HEL1_NET}\"\n"),
        ),
    )
    .unwrap();
    let fixed = sim.run_aiven(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(fixed.code, 0, "{fixed:?}");
    assert_both_halves_active(&sim);
}

/// A connection Aiven has built towards `app` in the VPC in fi-hel1: `PENDING_PEER`, showing
/// the Aiven network ID.
fn app_connection_built() -> String {
    format!(
        "[[aiven.connection]]\nproject = \"{PROJECT}\"\nvpc = \"{VPC_HEL1}\"\npeer_vpc = \"{APP}\"\n"
    )
}

/// `app_to_hel1` with `aiven_network` given.
fn app_to_hel1_towards(aiven_network: &str) -> String {
    app_to_hel1().replace(
        &format!("network = \"{APP}\"\n"),
        &format!("network = \"{APP}\"\naiven_network = \"{aiven_network}\"\n"),
    )
}

#[test]
fn an_aiven_network_in_the_file_that_aiven_contradicts_is_named_with_both_ids_in_every_output() {
    let sim = Sim::with_aiven(&app_connection_built());
    let dir = project(&app_to_hel1_towards(VPC_FRA1_NET));
    let plan = sim.run_aiven(dir.path(), &["plan"]);
    assert_eq!(plan.code, 0, "{plan:?}");
    insta::assert_snapshot!("aiven_network_differs", stable(&plan.stdout));

    let json = sim.run_aiven(dir.path(), &["plan", "--output", "json"]);
    let document: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let warnings: Vec<(String, String, String)> = document["changes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|change| {
            let platform = change["platform"].as_str().unwrap().to_owned();
            change["warnings"].as_array().unwrap().iter().map(move |w| {
                let code = w["code"].as_str().unwrap().to_owned();
                let message = w["message"].as_str().unwrap().to_owned();
                (platform.clone(), code, message)
            })
        })
        .collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let (platform, code, message) = &warnings[0];
    assert_eq!(
        (platform.as_str(), code.as_str()),
        ("aiven", "aiven_network_differs")
    );
    let markdown = sim.run_aiven(dir.path(), &["plan", "--output", "markdown"]);
    for text in [message, &plan.stdout, &markdown.stdout] {
        assert!(
            text.contains(VPC_FRA1_NET) && text.contains(VPC_HEL1_NET),
            "both IDs: {text}"
        );
        assert!(text.contains("Aiven network ID"), "where to look: {text}");
    }
    assert!(sim.writes().is_empty());

    let agreeing = project(&app_to_hel1_towards(VPC_HEL1_NET));
    let plan = sim.run_aiven(agreeing.path(), &["plan", "--output", "json"]);
    assert!(
        !plan.stdout.contains("aiven_network_differs"),
        "{}",
        plan.stdout
    );
}

/// `app to aiven`, applied, then dropped from the file, which sets `prune = true`.
fn applied_then_dropped_from_a_pruning_file(sim: &Sim) -> tempfile::TempDir {
    let dir = project(&app_to_hel1());
    assert_eq!(
        sim.run_aiven(dir.path(), &["apply", "--auto-approve"]).code,
        0
    );
    std::fs::write(dir.path().join("peerings.toml"), "prune = true\n[aiven]\n").unwrap();
    dir
}

#[test]
fn prune_deletes_the_upcloud_half_then_its_aiven_connection() {
    let sim = Sim::with_aiven("");
    let dir = applied_then_dropped_from_a_pruning_file(&sim);
    let plan = sim.run_aiven(dir.path(), &["plan"]);
    assert_eq!(plan.code, 0, "{plan:?}");
    insta::assert_snapshot!("prune_plan", stable(&plan.stdout));

    sim.simulator.reset_log();
    let apply = sim.run_aiven(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{apply:?}");
    insta::assert_snapshot!("prune_apply", stable(&apply.stdout));
    let writes = sim.write_methods();
    assert_eq!(
        writes,
        ["PATCH", "DELETE", "DELETE"],
        "UpCloud half, then connection"
    );
    assert!(
        sim.writes()[2]
            .path
            .ends_with(&format!("/peer-accounts/upcloud/peer-vpcs/{APP}"))
    );
    let after = sim.run_aiven(dir.path(), &["plan", "--detailed-exitcode"]);
    assert_eq!(after.code, 0, "{after:?}");
    assert!(sim.connections().is_empty());
    assert!(
        sim.world().peerings().next().is_none(),
        "Aiven removed its own half"
    );
}

#[test]
fn prune_leaves_both_halves_alone_when_another_file_took_them_over_at_the_prompt() {
    let sim = Sim::with_aiven("");
    let dir = applied_then_dropped_from_a_pruning_file(&sim);
    let env = sim.aiven_env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let running = apply_at_the_prompt(dir.path(), &[], &env);
    // While the prompt waits, team-b's file, which lists the same Aiven peering, takes it over.
    let team_b = format!("owner = \"team-b\"\n{}", app_to_hel1());
    std::fs::write(dir.path().join("team-b.toml"), team_b).unwrap();
    let b = sim.run_aiven(
        dir.path(),
        &["-f", "team-b.toml", "apply", "--auto-approve"],
    );
    assert_eq!(b.code, 0, "{b:?}");
    let before = sim.writes().len();
    running.type_keys(b"y\n");
    let (run, _) = running.finish();

    assert_eq!(run.code, 0, "{run:?}");
    assert!(sim.writes()[before..].is_empty(), "{:?}", sim.writes());
    assert_eq!(sim.connections().len(), 1);
    assert!(
        sim.peering_labels("app to aiven")
            .contains(&("peerings-owner".to_owned(), "team-b".to_owned()))
    );
    for line in [
        "= left alone app to aiven: since the plan, it became managed by another file (owner \
         team-b); not deleted",
        "= left alone app to aiven (Aiven half): since the plan, its UpCloud half became managed \
         by another file (owner team-b); the connection is kept",
        "Apply complete: 0 created, 0 updated, 0 deleted, 2 already converged, 0 failed.",
    ] {
        assert!(run.stdout.contains(line), "{line}\n{}", run.stdout);
    }
}

#[test]
fn prune_leaves_the_connection_alone_when_another_file_takes_the_half_over_while_it_disables() {
    let sim = Sim::with_aiven("");
    let dir = applied_then_dropped_from_a_pruning_file(&sim);
    // Disabling takes a minute: the delete polls for `disabled` all that time.
    sim.simulator.set_provisioning(Duration::from_secs(60));
    let running = sim.running_aiven(
        dir.path(),
        &["apply", "--auto-approve", "--poll-interval", "100ms"],
    );
    running.wait_until("the disable", |_| {
        sim.writes().iter().any(|r| r.method == "PATCH")
    });
    // Meanwhile team-b's file, which lists the same Aiven peering, takes it over.
    let team_b = format!("owner = \"team-b\"\n{}", app_to_hel1());
    std::fs::write(dir.path().join("team-b.toml"), team_b).unwrap();
    let b = sim.run_aiven(
        dir.path(),
        &["-f", "team-b.toml", "apply", "--auto-approve"],
    );
    assert_eq!(b.code, 0, "{b:?}");
    let (run, _) = running.finish();

    assert_eq!(
        run.code, 1,
        "the half was disabled and not deleted: {run:?}"
    );
    assert!(
        !sim.writes().iter().any(|r| r.method == "DELETE"),
        "{:?}",
        sim.writes()
    );
    assert_eq!(sim.connections().len(), 1);
    let line = "= left alone app to aiven (Aiven half): since the plan, its UpCloud half became \
                managed by another file (owner team-b); the connection is kept";
    assert!(run.stdout.contains(line), "{line}\n{}", run.stdout);
}

#[test]
fn prune_without_aivens_token_changes_nothing_rather_than_delete_only_the_upcloud_half() {
    let sim = Sim::with_aiven("");
    let dir = applied_then_dropped_from_a_pruning_file(&sim);
    sim.simulator.reset_log();
    // The file keeps its [aiven] table, but AIVEN_TOKEN is not set.
    let apply = sim.run(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(apply.code, 1, "{apply:?}");
    assert!(
        apply.stderr.contains(
            "AIVEN_TOKEN is not set: the plan deletes 1 Aiven connection with their UpCloud \
             halves, which needs Aiven's API token in it; nothing was changed"
        ),
        "{}",
        apply.stderr
    );
    assert!(sim.writes().is_empty(), "{:?}", sim.writes());
    assert_eq!(team_halves(&sim).len(), 1);
    assert_eq!(sim.connections().len(), 1);
}

#[test]
fn the_delete_safety_counts_an_aiven_peering_as_its_two_halves() {
    let sim = Sim::with_aiven("");
    let plain = format!(
        "[[peering]]\nname = \"app to aiven\"\nnetwork = \"{APP}\"\npeer_network = \"{AIVEN}\"\n\n\
         [[peering]]\nname = \"backend to silent\"\nnetwork = \"{BACKEND}\"\n\
         peer_network = \"{SILENT}\"\n\n"
    );
    let dir = project(&format!(
        "{plain}{}",
        file(&aiven_peering("app to hel1", VPC_HEL1, APP))
    ));
    let apply = sim.run_aiven(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{apply:?}");
    // Without the Aiven peering: prune deletes its two halves, of the four the file owns.
    std::fs::write(
        dir.path().join("peerings.toml"),
        format!("prune = true\n{plain}[aiven]\n"),
    )
    .unwrap();
    let plan = sim.run_aiven(dir.path(), &["plan", "--output", "json"]);
    assert_eq!(plan.code, 0, "{plan:?}");
    let document: serde_json::Value = serde_json::from_str(&plan.stdout).unwrap();
    assert_eq!(document["needs_force"], true, "{}", plan.stdout);
    assert_eq!(
        document["mass_deletes"],
        serde_json::json!([{
            "account": null,
            "deletes": 2,
            "owned": 4,
            "message": "apply will refuse to delete 2 of the 4 peerings this file manages (more \
                        than 30 %) unless it is given --force"
        }]),
        "{}",
        plan.stdout
    );
}

#[test]
fn prune_without_the_aiven_table_leaves_the_connection_for_a_person() {
    let sim = Sim::with_aiven("");
    let dir = project(&app_to_hel1());
    assert_eq!(
        sim.run_aiven(dir.path(), &["apply", "--auto-approve"]).code,
        0
    );
    std::fs::write(dir.path().join("peerings.toml"), "prune = true\n").unwrap();
    sim.simulator.reset_log();
    let plan = sim.run_aiven(dir.path(), &["plan"]);
    assert!(
        plan.stdout
            .contains("1 Aiven connection of deleted UpCloud halves left for a person"),
        "{}",
        plan.stdout
    );
    let apply = sim.run_aiven(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{apply:?}");
    assert!(team_halves(&sim).is_empty());
    assert_eq!(
        sim.connections().len(),
        1,
        "the connection is a person's to delete"
    );
    assert!(
        sim.aiven_requests().is_empty(),
        "without [aiven], Aiven is not asked: {:?}",
        sim.aiven_requests()
    );
}

#[test]
fn a_connection_not_tied_to_an_owned_upcloud_half_is_never_deleted() {
    // A connection made by a person, and an UpCloud half towards it without the ownership
    // label (but with the tie labels): prune leaves both alone.
    let sim = Sim::with_aiven(&format!(
        "[[aiven.connection]]\nproject = \"{PROJECT}\"\nvpc = \"{VPC_HEL1}\"\npeer_vpc = \"{BACKEND}\"\n\n\
         [[peering]]\naccount = \"team\"\nname = \"made by hand\"\nnetwork = \"{BACKEND}\"\n\
         peer_network = \"{VPC_HEL1_NET}\"\n\
         labels = {{ aiven-project = \"{PROJECT}\", aiven-vpc = \"{VPC_HEL1}\" }}\n\n\
         [[aiven.connection]]\nproject = \"{PROJECT}\"\nvpc = \"{VPC_HEL1}\"\npeer_vpc = \"{PUBLIC}\"\n"
    ));
    let dir = project("prune = true\n[aiven]\n");
    let plan = sim.run_aiven(dir.path(), &["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "nothing to do: {plan:?}");
    let apply = sim.run_aiven(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{apply:?}");
    assert!(sim.writes().is_empty(), "{:?}", sim.writes());
    assert_eq!(sim.connections().len(), 2);
    assert_eq!(team_halves(&sim).len(), 1);
}

#[test]
fn another_files_upcloud_half_and_its_connection_are_left_alone() {
    // team-b's file made this peering (both its labels say so); team-a's file, with prune,
    // neither deletes the half nor the connection tied to it.
    let sim = Sim::with_aiven(&format!(
        "[[aiven.connection]]\nproject = \"{PROJECT}\"\nvpc = \"{VPC_HEL1}\"\npeer_vpc = \"{APP}\"\n\n\
         [[peering]]\naccount = \"team\"\nname = \"team-b's\"\nnetwork = \"{APP}\"\n\
         peer_network = \"{VPC_HEL1_NET}\"\n\
         labels = {{ managed-by = \"peerings\", peerings-owner = \"team-b\", \
         aiven-project = \"{PROJECT}\", aiven-vpc = \"{VPC_HEL1}\" }}\n"
    ));
    let dir = project("owner = \"team-a\"\nprune = true\n[aiven]\n");
    let plan = sim.run_aiven(dir.path(), &["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "nothing to do: {plan:?}");
    assert!(
        plan.stdout
            .contains("managed by another file (owner team-b)"),
        "{}",
        plan.stdout
    );
    let apply = sim.run_aiven(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{apply:?}");
    assert!(sim.writes().is_empty(), "{:?}", sim.writes());
    assert_eq!(sim.connections().len(), 1);
    assert_eq!(team_halves(&sim).len(), 1);

    // The same file, its owner team-b's: it prunes both halves.
    std::fs::write(
        dir.path().join("peerings.toml"),
        "owner = \"team-b\"\nprune = true\n[aiven]\n",
    )
    .unwrap();
    let apply = sim.run_aiven(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{apply:?}");
    let after = sim.run_aiven(dir.path(), &["plan", "--detailed-exitcode"]);
    assert_eq!(after.code, 0, "{after:?}");
    assert!(sim.connections().is_empty());
    assert!(team_halves(&sim).is_empty());
}

#[test]
fn check_explains_every_aiven_state_and_aivens_warnings() {
    // Each existing connection pinned to a state (or, for the overlap, with its warnings), with
    // the UpCloud halves in place, so nothing would change and check judges health only.
    let pinned = [
        (VPC_HEL1, VPC_HEL1_NET, APP, "ACTIVE"),
        (VPC_HEL1, VPC_HEL1_NET, BACKEND, "APPROVED"),
        (VPC_HEL1, VPC_HEL1_NET, NO_ROUTER, "APPROVED_PEER_REQUESTED"),
        (VPC_HEL1, VPC_HEL1_NET, PUBLIC, "PENDING_PEER"),
        (VPC_FRA1, VPC_FRA1_NET, APP, "DELETING"),
        (VPC_FRA1, VPC_FRA1_NET, BACKEND, "DELETED"),
        (VPC_FRA1, VPC_FRA1_NET, NO_ROUTER, "DELETED_BY_PEER"),
        (VPC_FRA1, VPC_FRA1_NET, PUBLIC, "REJECTED_BY_PEER"),
        (VPC_NEW, VPC_NEW_NET, APP, "INVALID_SPECIFICATION"),
        (VPC_NEW, VPC_NEW_NET, BACKEND, "ERROR"),
        (VPC_NEW, VPC_NEW_NET, NO_ROUTER, "SIDEWAYS"),
        (VPC_OVERLAP, VPC_OVERLAP_NET, APP, ""),
    ];
    let mut world = String::new();
    let mut desired = String::from("[aiven]\n\n");
    for (vpc, vpc_net, network, state) in pinned {
        let name = if state.is_empty() {
            "overlap".to_owned()
        } else {
            state.to_lowercase()
        };
        let state_line = if state.is_empty() {
            String::new()
        } else {
            format!("state = \"{state}\"\n")
        };
        world.push_str(&format!(
            "[[aiven.connection]]\nproject = \"{PROJECT}\"\nvpc = \"{vpc}\"\npeer_vpc = \"{network}\"\n{state_line}\n\
             [[peering]]\naccount = \"team\"\nname = \"{name}\"\nnetwork = \"{network}\"\npeer_network = \"{vpc_net}\"\n\
             labels = {{ managed-by = \"peerings\", aiven-project = \"{PROJECT}\", aiven-vpc = \"{vpc}\" }}\n\n"
        ));
        desired.push_str(&aiven_peering(&name, vpc, network));
    }
    let sim = Sim::with_aiven(&world);
    let dir = project(&desired);
    let check = sim.run_aiven(dir.path(), &["check"]);
    assert_eq!(check.code, 3, "unhealthy, no drift: {check:?}");
    let aiven_part: String = check
        .stdout
        .split("\n\n")
        .filter(|block| block.contains("(Aiven half)") || block.contains("healthy."))
        .map(|block| format!("{block}\n\n"))
        .collect();
    insta::assert_snapshot!("check_every_aiven_state", stable(&aiven_part));

    let json = sim.run_aiven(dir.path(), &["check", "--output", "json"]);
    assert_eq!(json.code, 3);
    let document: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    // The keys of an Aiven half's entry (sorted here), pinned for scripts.
    let active = document["peerings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["platform"] == "aiven" && entry["state"] == "ACTIVE")
        .unwrap();
    insta::assert_snapshot!(
        "check_json_aiven_entry",
        serde_json::to_string_pretty(active).unwrap()
    );
    let aiven: Vec<(String, String)> = document["peerings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["platform"] == "aiven")
        .map(|entry| {
            (
                entry["state"].as_str().unwrap().to_owned(),
                entry["health"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expect = |state: &str, health: &str| (state.to_owned(), health.to_owned());
    assert_eq!(
        aiven,
        [
            expect("ACTIVE", "healthy"),
            expect("APPROVED", "transient"),
            expect("APPROVED_PEER_REQUESTED", "transient"),
            expect("DELETED", "unhealthy"),
            expect("DELETED_BY_PEER", "unhealthy"),
            expect("DELETING", "unhealthy"),
            expect("ERROR", "unhealthy"),
            expect("INVALID_SPECIFICATION", "unhealthy"),
            expect("ACTIVE", "unhealthy"),
            expect("PENDING_PEER", "transient"),
            expect("REJECTED_BY_PEER", "unhealthy"),
            expect("SIDEWAYS", "unhealthy"),
        ]
    );
    let overlap = document["peerings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["platform"] == "aiven" && entry["name"] == "overlap")
        .unwrap();
    let kinds: Vec<&str> = overlap["aiven_warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["overlapping-peer-vpc-ip-ranges", "upcloud-peering-in-error"]
    );
}

#[test]
fn the_plan_warns_before_any_write_about_what_aiven_would_refuse() {
    let sim = Sim::with_aiven("");
    let dir = project(&file(&format!(
        "{}{}{}{}{}",
        aiven_peering("no such vpc", VPC_NOWHERE, APP),
        aiven_peering("vpc not active", VPC_NEW, APP),
        aiven_peering("other zone", VPC_FRA1, APP),
        aiven_peering("overlapping", VPC_OVERLAP, APP),
        aiven_peering("no router", VPC_HEL1, NO_ROUTER),
    )));
    let plan = sim.run_aiven(dir.path(), &["plan"]);
    assert_eq!(plan.code, 0, "{plan:?}");
    insta::assert_snapshot!("preflight_warnings", stable(&plan.stdout));
    assert!(sim.writes().is_empty());
    let json = sim.run_aiven(dir.path(), &["plan", "--output", "json"]);
    let codes: Vec<String> =
        serde_json::from_str::<serde_json::Value>(&json.stdout).unwrap()["changes"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|change| change["warnings"].as_array().unwrap().clone())
            .map(|warning| warning["code"].as_str().unwrap().to_owned())
            .collect();
    for code in [
        "aiven_vpc_not_found",
        "aiven_vpc_not_active",
        "aiven_vpc_other_zone",
        "aiven_vpc_ranges_overlap",
        "local_network_no_router",
    ] {
        assert!(codes.iter().any(|c| c == code), "{code} in {codes:?}");
    }
}

#[test]
fn a_create_whose_answer_was_lost_is_found_on_the_retry_and_never_made_twice() {
    let sim = Sim::with_aiven("");
    sim.simulator.script_fault(
        "POST",
        &format!("/v1/project/{PROJECT}/vpcs/"),
        Fault::DropAfter,
    );
    let dir = project(&app_to_hel1());
    let apply = sim.run_aiven(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{apply:?}");
    assert!(
        apply.stdout.contains(
            "= exists    app to aiven (Aiven half): Aiven refused the create and its VPC has the \
             connection, so it exists already; counted as converged"
        ),
        "{}",
        apply.stdout
    );
    let posts: Vec<(u16, Option<String>)> = sim
        .log()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path.starts_with("/v1/"))
        .map(|r| (r.status, r.fault))
        .collect();
    assert_eq!(
        posts,
        [(201, Some("drop-after".to_owned())), (409, None)],
        "the retry met the connection the lost attempt made"
    );
    assert_both_halves_active(&sim);
}

#[test]
fn aiven_5xx_and_429_are_retried_like_upclouds() {
    let sim = Sim::with_aiven("");
    let vpcs = format!("/v1/project/{PROJECT}/vpcs/");
    for fault in [
        Fault::Unavailable,
        Fault::TooManyRequests { retry_after_s: 0 },
        Fault::InternalError,
    ] {
        sim.simulator.script_fault("GET", &vpcs, fault);
        sim.simulator.script_fault("POST", &vpcs, fault);
    }
    let dir = project(&app_to_hel1());
    let apply = sim.run_aiven(dir.path(), &["-v", "apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{apply:?}");
    assert_both_halves_active(&sim);
    let faults: Vec<String> = sim
        .log()
        .into_iter()
        .filter(|r| r.path.starts_with("/v1/"))
        .filter_map(|r| r.fault)
        .collect();
    assert_eq!(faults.len(), 6, "{faults:?}");
    assert!(
        apply
            .stderr
            .contains("retrying read Aiven VPC data-project/"),
        "{}",
        apply.stderr
    );
    assert!(
        apply
            .stderr
            .contains("retrying create the Aiven peering connection of VPC"),
        "{}",
        apply.stderr
    );
}

#[test]
fn the_aiven_token_never_appears_in_any_output() {
    let sim = Sim::with_aiven("");
    let dir = project(&app_to_hel1());
    let env = sim.aiven_env();
    // Each command with its exit code, in this order: a plan of the create, the apply, then
    // the plans and checks of a converged file.
    let commands: [(&[&str], i32); 5] = [
        (&["plan", "--out", "plan.json"], 0),
        (&["apply", "--auto-approve", "--output", "json"], 0),
        (&["plan"], 0),
        (&["plan", "--output", "json"], 0),
        (&["check", "--output", "json"], 0),
    ];
    for (command, code) in commands {
        for verbosity in [None, Some("-v"), Some("-vv"), Some("-vvv")] {
            for rust_log in [None, Some("trace")] {
                let mut args: Vec<&str> = command.to_vec();
                args.extend(verbosity);
                let mut all_env: Vec<(&str, &str)> = env
                    .iter()
                    .map(|(key, value)| (*key, value.as_str()))
                    .collect();
                all_env.extend(rust_log.map(|level| ("RUST_LOG", level)));
                let run = run_peerings(dir.path(), &args, &all_env);
                assert_eq!(run.code, code, "{args:?} {rust_log:?}: {run:?}");
                assert!(
                    !run.output().contains(AIVEN_TOKEN),
                    "{args:?} {rust_log:?} printed the token"
                );
            }
        }
    }
    let plan_file = std::fs::read_to_string(path_in(&dir, "plan.json")).unwrap();
    assert!(!plan_file.contains(AIVEN_TOKEN));
    let wrong = "aiven-wrong-token-do-not-print";
    let refused = run_peerings(
        dir.path(),
        &["-vv", "plan"],
        &[
            ("UPCLOUD_API_URL", &sim.url()),
            ("UPCLOUD_TOKEN", TEAM_TOKEN),
            ("AIVEN_API_URL", &sim.url()),
            ("AIVEN_TOKEN", wrong),
        ],
    );
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(!refused.output().contains(wrong), "{refused:?}");
    assert!(
        refused
            .stderr
            .contains("HTTP 401 Unauthorized: Invalid token")
            && refused
                .stderr
                .contains("Aiven refused the token: check the one in AIVEN_TOKEN"),
        "{}",
        refused.stderr
    );
}

#[test]
fn validate_needs_no_credentials_and_plan_needs_the_aiven_token_only_with_aiven_peerings() {
    let dir = project(&app_to_hel1());
    let validate = run_peerings(dir.path(), &["validate"], &[]);
    assert_eq!(validate.code, 0, "{validate:?}");
    assert!(
        validate.stdout.contains("1 Aiven peering"),
        "{}",
        validate.stdout
    );

    let sim = Sim::with_aiven("");
    let without = sim.run(dir.path(), &["plan"]);
    assert_eq!(without.code, 1, "{without:?}");
    assert!(
        without.stderr.contains("AIVEN_TOKEN is not set")
            && without.stderr.contains("nothing was sent"),
        "{}",
        without.stderr
    );
    assert!(sim.log().is_empty(), "{:?}", sim.log());

    let upcloud_only = project(&format!(
        "[aiven]\n[[peering]]\nname = \"p\"\nnetwork = \"{APP}\"\npeer_network = \"{SILENT}\"\n"
    ));
    let plan = sim.run(upcloud_only.path(), &["plan"]);
    assert_eq!(
        plan.code, 0,
        "no Aiven peerings, no Aiven token needed: {plan:?}"
    );
}

#[test]
fn a_create_aiven_refuses_is_reported_failed_and_its_upcloud_half_is_not_made() {
    // The VPC is not ACTIVE: Aiven refuses the connection; the UpCloud half is not attempted.
    let sim = Sim::with_aiven("");
    let dir = project(&file(&aiven_peering("to a new vpc", VPC_NEW, APP)));
    let apply = sim.run_aiven(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(apply.code, 1, "{apply:?}");
    insta::assert_snapshot!("refused_create", stable(&apply.stdout));
    assert!(sim.connections().is_empty());
    assert!(team_halves(&sim).is_empty());
}

#[test]
fn among_several_aiven_creates_each_upcloud_half_follows_its_own_aiven_half() {
    // "a ..." sorts first, so its UpCloud half is the plan's first: the refused "b ..." must not
    // be paired with it, or its own half would wait for a connection that was never made.
    let sim = Sim::with_aiven("");
    let dir = project(&file(&format!(
        "{}{}",
        aiven_peering("a to hel1", VPC_HEL1, APP),
        aiven_peering("b to a new vpc", VPC_NEW, APP),
    )));
    let apply = sim.run_aiven(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(apply.code, 1, "{apply:?}");
    let line = |start: &str| {
        apply
            .stdout
            .lines()
            .find(|line| line.trim_start().starts_with(start))
            .unwrap_or_else(|| panic!("a line {start:?} in {}", apply.stdout))
            .to_owned()
    };
    assert!(
        line("! failed    b to a new vpc (UpCloud half)")
            .ends_with("its Aiven half was not created, so the UpCloud half was not either"),
        "{}",
        apply.stdout
    );
    line("+ created   a to hel1:");
    let connections: Vec<(String, String)> = sim
        .connections()
        .into_iter()
        .map(|(vpc, network, _)| (vpc, network))
        .collect();
    assert_eq!(connections, [(VPC_HEL1.to_owned(), APP.to_owned())]);
    let halves: Vec<String> = team_halves(&sim).into_iter().map(|half| half.0).collect();
    assert_eq!(halves, ["a to hel1"]);
}

#[test]
fn apply_reports_the_halves_it_made_and_not_the_aiven_peering_that_was_already_there() {
    let sim = Sim::with_aiven("");
    let dir = project(&app_to_hel1());
    assert_eq!(
        sim.run_aiven(dir.path(), &["apply", "--auto-approve"]).code,
        0
    );
    std::fs::write(
        dir.path().join("peerings.toml"),
        file(&format!(
            "{}{}",
            aiven_peering("app to aiven", VPC_HEL1, APP),
            aiven_peering("backend to aiven", VPC_HEL1, BACKEND),
        )),
    )
    .unwrap();
    let apply = sim.run_aiven(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{apply:?}");
    let (_, report) = apply
        .stdout
        .split_once("\nPlan: ")
        .expect("a plan, then its apply");
    let done: Vec<&str> = report
        .lines()
        .map(str::trim_start)
        .filter(|line| line.starts_with("+ created") || line.starts_with("= "))
        .collect();
    assert_eq!(done.len(), 2, "{}", apply.stdout);
    assert!(
        done.iter().all(|line| line.contains("backend to aiven")),
        "{}",
        apply.stdout
    );
    assert!(
        apply.stdout.contains(
            "Apply complete: 2 created, 0 updated, 0 deleted, 0 already converged, 0 failed."
        ),
        "{}",
        apply.stdout
    );
}

#[test]
fn wait_follows_both_halves_until_each_is_active() {
    let mut world = aiven_world("");
    world.aiven.approval_ms = 300;
    let sim = Sim::start(world);
    let dir = project(&app_to_hel1());
    let apply = sim.run_aiven(
        dir.path(),
        &[
            "apply",
            "--auto-approve",
            "--wait",
            "--poll-interval",
            "100ms",
        ],
    );
    assert_eq!(apply.code, 0, "{apply:?}");
    let settled = apply
        .stdout
        .split("Final states:")
        .nth(1)
        .unwrap_or_default();
    assert!(
        settled.contains("ok              app to aiven: active")
            && settled.contains("ok              app to aiven (Aiven half): ACTIVE"),
        "{}",
        apply.stdout
    );
    // One read of the VPC per round while waiting: never two in one poll interval.
    let vpc_reads = sim
        .aiven_requests()
        .iter()
        .filter(|r| r.starts_with("GET "))
        .count();
    assert!(vpc_reads <= 6, "{:?}", sim.aiven_requests());
}

#[test]
fn one_read_per_vpc_per_round_however_many_connections_wait_on_it() {
    let mut world = aiven_world("");
    world.aiven.approval_ms = 1000;
    let sim = Sim::start(world);
    let dir = project(&file(&format!(
        "{}{}",
        aiven_peering("app to aiven", VPC_HEL1, APP),
        aiven_peering("backend to aiven", VPC_HEL1, BACKEND),
    )));
    let apply = sim.run_aiven(
        dir.path(),
        &["apply", "--auto-approve", "--poll-interval", "200ms"],
    );
    assert_eq!(apply.code, 0, "{apply:?}");
    assert_eq!(team_halves(&sim).len(), 2);
    let vpc_reads: Vec<_> = sim
        .log()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path.starts_with("/v1/"))
        .collect();
    // The plan's read, then a round every 200 ms for about 1000 ms: one read each, shared by
    // both connections (each reading for itself would make twice as many).
    assert!(
        (3..=9).contains(&vpc_reads.len()),
        "{} reads: {vpc_reads:?}",
        vpc_reads.len()
    );
}

#[test]
fn sigterm_while_waiting_for_aiven_ends_the_run_at_once_without_the_upcloud_half() {
    let mut world = aiven_world("");
    world.aiven.approval_ms = 120_000;
    let sim = Sim::start(world);
    let dir = project(&app_to_hel1());
    let running = sim.running_aiven(
        dir.path(),
        &["apply", "--auto-approve", "--poll-interval", "200ms"],
    );
    running.wait_until("the Aiven half's create", |_| !sim.writes().is_empty());
    std::thread::sleep(Duration::from_millis(500));
    running.signal(libc::SIGTERM);
    let (run, took) = running.finish();

    assert_eq!(run.code, 130, "{run:?}");
    assert!(took < PROMPTLY, "took {took:?}");
    let writes = sim.write_methods();
    assert_eq!(writes, ["POST"], "the UpCloud half was never sent");
    assert!(
        run.stdout
            .contains("+ created   app to aiven (Aiven half): APPROVED"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "? interrupted app to aiven (UpCloud half): interrupted while waiting for Aiven to \
             build its half; the UpCloud half was not created"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("Apply interrupted: 1 created"),
        "{}",
        run.stdout
    );
}

#[test]
fn sigint_in_the_back_off_of_an_aiven_create_sends_nothing_more() {
    let sim = Sim::with_aiven("");
    sim.simulator.script_fault(
        "POST",
        &format!("/v1/project/{PROJECT}/vpcs/"),
        Fault::TooManyRequests { retry_after_s: 120 },
    );
    let dir = project(&app_to_hel1());
    let running = sim.running_aiven(dir.path(), &["apply", "--auto-approve"]);
    running.wait_until("the first create", |_| !sim.writes().is_empty());
    std::thread::sleep(Duration::from_millis(300));
    running.signal(libc::SIGINT);
    let (run, took) = running.finish();

    assert_eq!(run.code, 130, "{run:?}");
    assert!(took < PROMPTLY, "took {took:?}");
    assert_eq!(sim.writes().len(), 1, "no write after the signal");
    assert!(sim.connections().is_empty());
    assert!(
        run.stdout
            .contains("? interrupted app to aiven (Aiven half)")
            && run.stdout.contains("? not started app to aiven"),
        "{}",
        run.stdout
    );
}

#[test]
fn sigterm_while_wait_watches_an_aiven_half_stops_watching() {
    let sim = Sim::with_aiven(&format!(
        "[[aiven.connection]]\nproject = \"{PROJECT}\"\nvpc = \"{VPC_HEL1}\"\npeer_vpc = \"{APP}\"\nstate = \"PENDING_PEER\"\n"
    ));
    let dir = project(&app_to_hel1().replace(
        &format!("network = \"{APP}\"\n"),
        &format!("network = \"{APP}\"\naiven_network = \"{VPC_HEL1_NET}\"\n"),
    ));
    let running = sim.running_aiven(
        dir.path(),
        &[
            "apply",
            "--auto-approve",
            "--wait",
            "--poll-interval",
            "200ms",
        ],
    );
    running.wait_until("watching", |run| run.stdout().contains("Waiting up to"));
    std::thread::sleep(Duration::from_millis(500));
    running.signal(libc::SIGTERM);
    let (run, took) = running.finish();
    assert_eq!(run.code, 130, "{run:?}");
    assert!(took < PROMPTLY, "took {took:?}");
    assert!(
        run.stdout.contains("Waiting interrupted;"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("app to aiven (Aiven half): PENDING_PEER"),
        "{}",
        run.stdout
    );
}
