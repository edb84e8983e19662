//! Ownership, pruning, disable-then-delete, adoption, import and `--wait`, against the simulator.

mod common;

use std::time::Duration;

use common::*;

/// Three peerings of the `team` account: two owned, one made by hand.
const THREE_EXISTING: &str = r#"
[[peering]]
account = "team"
name = "kept"
network = "11111111-1111-4111-8111-111111111111"
peer_network = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
labels = { managed-by = "peerings" }

[[peering]]
account = "team"
name = "dropped from the file"
network = "22222222-2222-4222-8222-222222222222"
peer_network = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
labels = { managed-by = "peerings" }

[[peering]]
account = "team"
name = "made by hand"
network = "11111111-1111-4111-8111-111111111111"
peer_network = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
"#;

fn file_listing_kept(prune: bool) -> String {
    format!(
        r#"prune = {prune}

[[peering]]
name = "kept"
network = "{APP}"
peer_network = "{AIVEN}"
"#
    )
}

fn names(sim: &Sim) -> Vec<String> {
    let mut names: Vec<String> = sim.peerings_of("team").into_iter().map(|p| p.0).collect();
    names.sort();
    names
}

fn methods(sim: &Sim) -> Vec<String> {
    sim.writes().into_iter().map(|r| r.method).collect()
}

#[test]
fn without_prune_owned_peerings_missing_from_the_file_are_kept() {
    let sim = Sim::with_peerings(THREE_EXISTING);
    let dir = project(&file_listing_kept(false));
    let plan = sim.run(dir.path(), &["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{plan:?}");
    insta::assert_snapshot!("prune_off", stable(&plan.stdout));
    let apply = sim.run(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0);
    assert!(sim.writes().is_empty());
    assert_eq!(
        names(&sim),
        ["dropped from the file", "kept", "made by hand"]
    );
}

#[test]
fn with_prune_owned_peerings_missing_from_the_file_are_deleted_and_others_survive() {
    let sim = Sim::with_peerings(THREE_EXISTING);
    let dir = project(&file_listing_kept(true));
    let plan = sim.run(dir.path(), &["plan", "--output", "json"]);
    let document: serde_json::Value = serde_json::from_str(&plan.stdout).unwrap();
    assert_eq!(document["summary"]["delete"], 1);
    assert_eq!(document["changes"][1]["action"], "delete");
    assert_eq!(document["changes"][1]["name"], "dropped from the file");
    assert_eq!(document["unmanaged"][0]["name"], "made by hand");

    let apply = sim.run(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{apply:?}");
    insta::assert_snapshot!("prune_on_apply", stable(&apply.stdout));
    assert_eq!(names(&sim), ["kept", "made by hand"]);
    assert_eq!(methods(&sim), ["PATCH", "DELETE"], "disable, then delete");
    assert_eq!(
        sim.run(dir.path(), &["plan", "--detailed-exitcode"]).code,
        0
    );
}

#[test]
fn delete_from_active_reads_it_again_disables_polls_until_disabled_then_deletes() {
    let sim = Sim::with_peerings(THREE_EXISTING);
    sim.simulator.set_provisioning(Duration::from_millis(400));
    let dir = project(&file_listing_kept(true));
    let apply = sim.run(
        dir.path(),
        &["apply", "--auto-approve", "--poll-interval", "100ms"],
    );
    assert_eq!(apply.code, 0, "{apply:?}");
    let sequence: Vec<String> = sim
        .log()
        .into_iter()
        .filter(|r| r.path.contains("/network-peering/"))
        .map(|r| format!("{} {}", r.method, r.status))
        .collect();
    // Read again (the plan may be old: is it still the file's?), disabled, polled, deleted.
    let (read, rest) = sequence.split_first().unwrap();
    let (disable, rest) = rest.split_first().unwrap();
    let (last, polls) = rest.split_last().unwrap();
    assert_eq!(read, "GET 200");
    assert_eq!(disable, "PATCH 200");
    assert!(
        !polls.is_empty() && polls.iter().all(|p| p == "GET 200"),
        "{sequence:?}"
    );
    assert_eq!(last, "DELETE 204");
}

#[test]
fn delete_of_a_disabled_peering_is_a_single_delete() {
    let sim = Sim::with_peerings(&THREE_EXISTING.replacen(
        "name = \"dropped from the file\"",
        "name = \"dropped from the file\"\nconfigured_status = \"disabled\"",
        1,
    ));
    let dir = project(&file_listing_kept(true));
    assert_eq!(sim.run(dir.path(), &["apply", "--auto-approve"]).code, 0);
    assert_eq!(methods(&sim), ["DELETE"]);
}

#[test]
fn a_peering_that_vanished_meanwhile_counts_as_deleted() {
    // Two applies at once both plan the delete; whichever comes second finds it gone (404).
    let sim = Sim::with_peerings(THREE_EXISTING);
    sim.simulator.set_latency(Duration::from_millis(300));
    let dir = project(&file_listing_kept(true));
    let runs = sim.two_successful_applies_at_once(dir.path());
    assert_eq!(
        runs.iter()
            .filter(|r| r.stdout.contains("deleted by someone else meanwhile"))
            .count(),
        1,
        "{runs:?}"
    );
    assert_eq!(names(&sim), ["kept", "made by hand"]);
}

#[test]
fn deleting_most_owned_peerings_needs_force() {
    let mut world = String::new();
    for (n, network) in [APP, BACKEND, NO_ROUTER, PUBLIC].iter().enumerate() {
        world.push_str(&format!(
            "[[peering]]\naccount = \"team\"\nname = \"owned {n}\"\nnetwork = \"{network}\"\n\
             peer_network = \"{AIVEN}\"\nlabels = {{ managed-by = \"peerings\" }}\n\n"
        ));
    }
    let sim = Sim::with_peerings(&world);
    let dir = project(&format!(
        "prune = true\n\n[[peering]]\nname = \"owned 0\"\nnetwork = \"{APP}\"\npeer_network = \"{AIVEN}\"\n"
    ));
    // The plan says beforehand that apply will refuse, in every format.
    let warning = "apply will refuse to delete 3 of the 4 peerings this file manages (more than \
                   30 %) unless it is given --force";
    let human = sim.run(dir.path(), &["plan"]);
    assert!(
        human.stdout.contains(&format!("warning: {warning}.")),
        "{}",
        human.stdout
    );
    let markdown = sim.run(dir.path(), &["plan", "--output", "markdown"]);
    assert!(
        markdown
            .stdout
            .contains(&warning.replace("--force", "`--force`")),
        "{}",
        markdown.stdout
    );
    let json = sim.run(dir.path(), &["plan", "--output", "json"]);
    let document: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(document["needs_force"], true);
    assert_eq!(
        document["mass_deletes"],
        serde_json::json!([{"account": null, "deletes": 3, "owned": 4, "message": warning}])
    );
    let refused = sim.run(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(refused.code, 1);
    insta::assert_snapshot!("mass_delete_refused", stable(&refused.stderr));
    assert!(sim.writes().is_empty());

    let forced = sim.run(dir.path(), &["apply", "--auto-approve", "--force"]);
    assert_eq!(forced.code, 0, "{forced:?}");
    assert_eq!(names(&sim), ["owned 0"]);
}

#[test]
fn a_matching_peering_without_the_label_is_adopted_not_created() {
    let sim = Sim::with_peerings(THREE_EXISTING);
    let dir = project(&format!(
        "[[peering]]\nname = \"made by hand\"\nnetwork = \"{APP}\"\npeer_network = \"{SILENT}\"\nlabels = {{ team = \"ops\" }}\n"
    ));
    let plan = sim.run(dir.path(), &["plan"]);
    insta::assert_snapshot!("adopt", stable(&plan.stdout));
    assert_eq!(sim.run(dir.path(), &["apply", "--auto-approve"]).code, 0);
    assert_eq!(methods(&sim), ["PATCH"]);
    assert_eq!(
        sim.peering_labels("made by hand"),
        [
            ("managed-by".into(), "peerings".into()),
            ("team".into(), "ops".into())
        ]
    );
    assert_eq!(
        sim.run(dir.path(), &["plan", "--detailed-exitcode"]).code,
        0
    );
}

#[test]
fn disabling_and_re_enabling_in_the_file() {
    let sim = Sim::with_peerings("");
    let file = |status: &str| {
        format!(
            "[[peering]]\nname = \"p\"\nnetwork = \"{APP}\"\npeer_network = \"{AIVEN}\"\nconfigured_status = \"{status}\"\n"
        )
    };
    let dir = project(&file("active"));
    assert_eq!(sim.run(dir.path(), &["apply", "--auto-approve"]).code, 0);
    let state_of = |account: &str| sim.peerings_of(account)[0].4.clone();
    assert_eq!(state_of("team"), "active");

    std::fs::write(path_in(&dir, "peerings.toml"), file("disabled")).unwrap();
    let disable = sim.run(dir.path(), &["apply", "--auto-approve"]);
    assert!(
        disable
            .stdout
            .contains("configured_status  active -> disabled"),
        "{}",
        disable.stdout
    );
    assert_eq!(state_of("team"), "disabled");
    assert_eq!(state_of("aiven"), "peer-disabled");

    std::fs::write(path_in(&dir, "peerings.toml"), file("active")).unwrap();
    assert_eq!(sim.run(dir.path(), &["apply", "--auto-approve"]).code, 0);
    assert_eq!(state_of("team"), "active");
    assert_eq!(state_of("aiven"), "active");
}

#[test]
fn import_writes_a_file_that_plans_to_nothing_but_adoption() {
    let sim = Sim::with_peerings(THREE_EXISTING);
    let dir = tempfile::tempdir().unwrap();
    let import = sim.run(dir.path(), &["import", "-o", "imported.toml"]);
    assert_eq!(import.code, 0, "{import:?}");
    let text = std::fs::read_to_string(dir.path().join("imported.toml")).unwrap();
    insta::assert_snapshot!("imported", stable(&text));

    let plan = sim.run(
        dir.path(),
        &["-f", "imported.toml", "plan", "--output", "json"],
    );
    let document: serde_json::Value = serde_json::from_str(&plan.stdout).unwrap();
    assert_eq!(
        document["summary"],
        serde_json::json!({"create": 0, "update": 1, "delete": 0, "noop": 2})
    );
    let update = document["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["action"] == "update")
        .unwrap();
    assert_eq!(update["adopt"], true);
    assert_eq!(update["fields"].as_array().unwrap().len(), 1);
    assert_eq!(update["fields"][0]["field"], "labels");

    let again = sim.run(dir.path(), &["import", "-o", "imported.toml"]);
    assert_eq!(again.code, 1);
    assert!(again.stderr.contains("--force"), "{}", again.stderr);
    assert_eq!(
        sim.run(dir.path(), &["import", "-o", "imported.toml", "--force"])
            .code,
        0
    );

    let managed = sim.run(dir.path(), &["import", "--managed-only"]);
    assert_eq!(managed.code, 0);
    assert!(
        !managed.stdout.contains("made by hand"),
        "{}",
        managed.stdout
    );
    assert!(managed.stdout.contains("name = \"kept\""));
}

#[test]
fn import_writes_to_out_like_plan_and_output_is_not_a_file_name() {
    let sim = Sim::with_peerings(THREE_EXISTING);
    let dir = tempfile::tempdir().unwrap();
    let out = sim.run(dir.path(), &["import", "--out", "imported.toml"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(dir.path().join("imported.toml").exists());
    assert!(!out.stderr.contains("deprecated"), "{}", out.stderr);

    let format = sim.run(dir.path(), &["import", "--output", "json"]);
    assert_eq!(format.code, 1, "{format:?}");
    assert!(format.stderr.contains("use -o FILE"), "{}", format.stderr);
    assert!(!dir.path().join("json").exists(), "no file named json");

    let old = sim.run(dir.path(), &["import", "--output", "legacy.toml"]);
    assert_eq!(old.code, 0, "{old:?}");
    assert!(dir.path().join("legacy.toml").exists());
    assert!(
        old.stderr
            .contains("--output FILE is deprecated and will go in a later release: use -o FILE"),
        "{}",
        old.stderr
    );
}

#[test]
fn wait_follows_a_cooperative_peer_to_active() {
    let sim = Sim::with_peerings("");
    sim.simulator.set_provisioning(Duration::from_millis(300));
    let dir = project(&format!(
        "[[peering]]\nname = \"to aiven\"\nnetwork = \"{APP}\"\npeer_network = \"{AIVEN}\"\n"
    ));
    let run = sim.run(
        dir.path(),
        &[
            "apply",
            "--auto-approve",
            "--wait",
            "--poll-interval",
            "100ms",
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("created   to aiven: ") && run.stdout.contains("provisioning"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("ok              to aiven: active"),
        "{}",
        run.stdout
    );
}

#[test]
fn wait_times_out_on_a_peer_that_never_answers_and_says_why() {
    let sim = Sim::with_peerings("");
    let dir = project(&format!(
        "[[peering]]\nname = \"to silent\"\nnetwork = \"{APP}\"\npeer_network = \"{SILENT}\"\n"
    ));
    let run = sim.run(
        dir.path(),
        &[
            "apply",
            "--auto-approve",
            "--wait",
            "--wait-timeout",
            "1s",
            "--poll-interval",
            "200ms",
        ],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout
            .contains("timed out       to silent: pending-peer: waiting for the peer side"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_deleted_peer_network_shows_in_the_plan() {
    let sim = Sim::with_peerings("");
    let dir = project(&format!(
        "[[peering]]\nname = \"to silent\"\nnetwork = \"{APP}\"\npeer_network = \"{SILENT}\"\n"
    ));
    assert_eq!(sim.run(dir.path(), &["apply", "--auto-approve"]).code, 0);
    sim.simulator
        .delete_network(SILENT.parse().unwrap())
        .expect("the peer deletes its network");
    let plan = sim.run(dir.path(), &["plan"]);
    assert!(
        plan.stdout
            .contains("deleted-peer-network: the peer network was deleted"),
        "{}",
        plan.stdout
    );
}
