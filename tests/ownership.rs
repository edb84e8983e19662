//! Ownership belongs to one file: two files (or pipelines) with their own `owner` manage one
//! account side by side, neither updating nor deleting the other's peerings.

mod common;

use common::*;
use serde_json::Value;

/// A file with `owner` (when given), `prune = true`, and one peering from `network` to the
/// Aiven network.
fn team_file(owner: Option<&str>, name: &str, network: &str) -> String {
    let owner = owner
        .map(|o| format!("owner = \"{o}\"\n"))
        .unwrap_or_default();
    format!(
        "{owner}prune = true\n\n[[peering]]\nname = \"{name}\"\nnetwork = \"{network}\"\npeer_network = \"{AIVEN}\"\n"
    )
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) {
    std::fs::write(path_in(dir, name), text).unwrap();
}

fn names(sim: &Sim) -> Vec<String> {
    let mut names: Vec<String> = sim.peerings_of("team").into_iter().map(|p| p.0).collect();
    names.sort();
    names
}

fn labels(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The test world with `b-1`, from the app network to Aiven, as team-b's file made it.
fn sim_with_team_b_peering() -> Sim {
    Sim::with_peerings(&format!(
        "[[peering]]\naccount = \"team\"\nname = \"b-1\"\nnetwork = \"{APP}\"\npeer_network = \"{AIVEN}\"\n\
         labels = {{ managed-by = \"peerings\", peerings-owner = \"team-b\" }}\n"
    ))
}

#[test]
fn two_files_with_their_own_owners_never_prune_each_other() {
    let sim = Sim::with_peerings("");
    let dir = tempfile::tempdir().unwrap();
    write(&dir, "team-b.toml", &team_file(Some("team-b"), "b-1", APP));
    write(
        &dir,
        "team-a.toml",
        &team_file(Some("team-a"), "a-1", BACKEND),
    );

    team_b_applies(&sim, &dir);
    assert_eq!(
        sim.peering_labels("b-1"),
        labels(&[("managed-by", "peerings"), ("peerings-owner", "team-b")])
    );

    let plan = sim.run(dir.path(), &["-f", "team-a.toml", "plan"]);
    assert_eq!(plan.code, 0, "{plan:?}");
    assert!(
        plan.stdout
            .contains("  1 peering managed by another file (owner team-b), left alone.\n"),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout
            .contains("Plan: 1 to create, 0 to update, 0 to delete, 0 unchanged."),
        "{}",
        plan.stdout
    );
    let writes_before = sim.writes().len();
    let a = sim.run(
        dir.path(),
        &["-f", "team-a.toml", "apply", "--auto-approve"],
    );
    assert_eq!(a.code, 0, "{a:?}");
    let writes: Vec<String> = sim.writes()[writes_before..]
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(writes, ["POST /1.3/network-peering"], "only a-1 is created");
    assert_eq!(names(&sim), ["a-1", "b-1"]);
    assert_eq!(
        sim.peering_labels("a-1"),
        labels(&[("managed-by", "peerings"), ("peerings-owner", "team-a")])
    );

    // And the other way round: team-b's file leaves a-1 alone.
    let b_again = sim.run(
        dir.path(),
        &["-f", "team-b.toml", "apply", "--auto-approve"],
    );
    assert_eq!(b_again.code, 0, "{b_again:?}");
    assert!(
        b_again.stdout.contains("Nothing to do."),
        "{}",
        b_again.stdout
    );
    assert_eq!(names(&sim), ["a-1", "b-1"]);
}

#[test]
fn a_file_without_an_owner_leaves_the_peerings_of_owners_alone() {
    let sim = Sim::with_peerings("");
    let dir = tempfile::tempdir().unwrap();
    write(&dir, "team-b.toml", &team_file(Some("team-b"), "b-1", APP));
    write(&dir, "legacy.toml", &team_file(None, "legacy", BACKEND));
    assert_eq!(
        sim.run(
            dir.path(),
            &["-f", "team-b.toml", "apply", "--auto-approve"]
        )
        .code,
        0
    );
    let legacy = sim.run(
        dir.path(),
        &["-f", "legacy.toml", "apply", "--auto-approve"],
    );
    assert_eq!(legacy.code, 0, "{legacy:?}");
    assert_eq!(names(&sim), ["b-1", "legacy"]);
    assert_eq!(
        sim.peering_labels("legacy"),
        labels(&[("managed-by", "peerings")])
    );

    // The owner-less file's peering is not team-b's either.
    let b = sim.run(
        dir.path(),
        &["-f", "team-b.toml", "plan", "--output", "json"],
    );
    let plan: Value = serde_json::from_str(&b.stdout).unwrap();
    assert_eq!(plan["summary"]["delete"], 0, "{plan}");
    assert_eq!(plan["managed_elsewhere"][0]["name"], "legacy");
    assert_eq!(plan["managed_elsewhere"][0]["owner"], Value::Null);
}

#[test]
fn every_output_counts_the_peerings_of_other_files() {
    let sim = sim_with_team_b_peering();
    let dir = project(&team_file(Some("team-a"), "a-1", BACKEND));
    let json = sim.run(dir.path(), &["plan", "--output", "json"]);
    let plan: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(plan["managed_elsewhere"][0]["owner"], "team-b");
    assert_eq!(plan["managed_elsewhere"][0]["name"], "b-1");
    let markdown = sim.run(dir.path(), &["plan", "--output", "markdown"]);
    assert!(
        markdown
            .stdout
            .contains("1 peering managed by another file (owner team-b), left alone.\n"),
        "{}",
        markdown.stdout
    );
    assert_eq!(sim.run(dir.path(), &["apply", "--auto-approve"]).code, 0);
    let check = sim.run(dir.path(), &["check"]);
    assert_eq!(check.code, 0, "{check:?}");
    assert!(
        check
            .stdout
            .contains("Left alone: 1 peering managed by another file (owner team-b).\n"),
        "{}",
        check.stdout
    );
    let check_json = sim.run(dir.path(), &["check", "--output", "json"]);
    let report: Value = serde_json::from_str(&check_json.stdout).unwrap();
    assert_eq!(report["managed_elsewhere"][0]["owner"], "team-b");
    let check_markdown = sim.run(dir.path(), &["check", "--output", "markdown"]);
    assert!(
        check_markdown
            .stdout
            .contains("Left alone: 1 peering managed by another file (owner team-b)."),
        "{}",
        check_markdown.stdout
    );
}

#[test]
fn a_listed_peering_of_another_file_moves_to_this_file_with_a_warning() {
    let sim = sim_with_team_b_peering();
    let dir = project(&team_file(Some("team-a"), "taken", APP));
    let plan = sim.run(dir.path(), &["plan", "--output", "json"]);
    let plan: Value = serde_json::from_str(&plan.stdout).unwrap();
    let change = &plan["changes"][0];
    assert_eq!(change["action"], "update");
    assert_eq!(change["adopt"], true);
    assert_eq!(change["warnings"][0]["code"], "ownership_moves");
    assert_eq!(
        change["warnings"][0]["message"],
        "managed by another file (owner team-b); this file lists it, so applying moves it to \
         this file (owner team-a), and that file will no longer manage it (remove it from one \
         of the two files)"
    );
    let apply = sim.run(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{apply:?}");
    assert_eq!(
        sim.peering_labels("taken"),
        labels(&[("managed-by", "peerings"), ("peerings-owner", "team-a")])
    );
}

#[test]
fn import_writes_the_owner_its_peerings_share() {
    let sim = Sim::with_peerings(&format!(
        "[[peering]]\naccount = \"team\"\nname = \"b-1\"\nnetwork = \"{APP}\"\npeer_network = \"{AIVEN}\"\n\
         labels = {{ managed-by = \"peerings\", peerings-owner = \"team-b\", env = \"prod\" }}\n"
    ));
    let dir = tempfile::tempdir().unwrap();
    let import = sim.run(dir.path(), &["import", "-o", "peerings.toml"]);
    assert_eq!(import.code, 0, "{import:?}");
    let text = std::fs::read_to_string(path_in(&dir, "peerings.toml")).unwrap();
    assert!(text.contains("\nowner = \"team-b\"\n"), "{text}");
    assert!(text.contains("labels = { env = \"prod\" }"), "{text}");
    let plan = sim.run(dir.path(), &["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "the imported file changes nothing: {plan:?}");
}

/// The test world with `b-2`, from the backend network to Aiven, as team-b's file made it.
fn sim_with_b_2() -> Sim {
    Sim::with_peerings(&format!(
        "[[peering]]\naccount = \"team\"\nname = \"b-2\"\nnetwork = \"{BACKEND}\"\npeer_network = \"{AIVEN}\"\n\
         labels = {{ managed-by = \"peerings\", peerings-owner = \"team-b\" }}\n"
    ))
}

/// Team-b's file: `b-1` from the app network to Aiven, and `b-2`.
fn team_b_file() -> String {
    format!(
        "owner = \"team-b\"\nprune = true\n\n\
         [[peering]]\nname = \"b-1\"\nnetwork = \"{APP}\"\npeer_network = \"{AIVEN}\"\n\n\
         [[peering]]\nname = \"b-2\"\nnetwork = \"{BACKEND}\"\npeer_network = \"{AIVEN}\"\n"
    )
}

/// Runs `args` in `dir` while team-b's pipeline, between this run's reads and its create,
/// applies its file and so creates `b-1` of the very pair this run is about to create. Returns
/// the run and the writes it sent (team-b's left out).
fn apply_racing_team_b(sim: &Sim, dir: &tempfile::TempDir, args: &[&str]) -> (Run, Vec<String>) {
    write(dir, "team-b.toml", &team_b_file());
    let mut team_b_writes = 0;
    let create = ("POST", "/1.3/network-peering");
    let run = sim.run_holding(create, dir.path(), args, || {
        team_b_applies(sim, dir);
        team_b_writes = sim.writes().len() - 1;
    });
    let held_create = sim.writes().into_iter().take(1);
    let after_team_b = sim.writes().into_iter().skip(1 + team_b_writes);
    let writes = held_create
        .chain(after_team_b)
        .map(|r| format!("{} {} {}", r.method, r.path, r.status))
        .collect();
    (run, writes)
}

/// Team-b's pipeline applies its file, `team-b.toml` in `dir`.
fn team_b_applies(sim: &Sim, dir: &tempfile::TempDir) {
    let b = sim.run(
        dir.path(),
        &["-f", "team-b.toml", "apply", "--auto-approve"],
    );
    assert_eq!(b.code, 0, "{b:?}");
}

fn uuid_of(sim: &Sim, name: &str) -> String {
    sim.world()
        .peerings()
        .find(|peering| peering.name == name)
        .map(|peering| peering.uuid.to_string())
        .unwrap_or_else(|| panic!("no peering named {name:?}"))
}

#[test]
fn a_peering_another_file_creates_meanwhile_moves_only_when_listed_and_apply_says_so() {
    let sim = sim_with_b_2();
    let dir = project(&team_file(Some("team-a"), "a-1", APP));
    let (run, writes) = apply_racing_team_b(&sim, &dir, &["apply", "--auto-approve"]);

    assert_eq!(run.code, 0, "{run:?}");
    let b_1 = uuid_of(&sim, "a-1");
    assert_eq!(
        writes,
        [
            "POST /1.3/network-peering 409".to_owned(),
            format!("PATCH /1.3/network-peering/{b_1} 200"),
        ],
        "the listed pair is brought to the file; b-2, which it does not list, is not touched"
    );
    assert!(
        run.stdout.contains(
            "~ updated   a-1: it existed already with other fields (found after its create), \
             brought to the file's name, labels; adopted"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "\n              warning: managed by another file (owner team-b); this file lists \
             it, so applying moves it to this file (owner team-a), and that file will no longer \
             manage it (remove it from one of the two files)\n"
        ),
        "{}",
        run.stdout
    );
    assert_eq!(
        sim.peering_labels("a-1"),
        labels(&[("managed-by", "peerings"), ("peerings-owner", "team-a")])
    );
    assert_eq!(
        sim.peering_labels("b-2"),
        labels(&[("managed-by", "peerings"), ("peerings-owner", "team-b")])
    );
}

#[test]
fn the_move_of_a_peering_found_after_its_create_is_a_warning_of_its_change_finished_event() {
    let sim = sim_with_b_2();
    let dir = project(&team_file(Some("team-a"), "a-1", APP));
    let (run, _) =
        apply_racing_team_b(&sim, &dir, &["apply", "--auto-approve", "--output", "json"]);

    assert_eq!(run.code, 0, "{run:?}");
    let finished: Vec<Value> = run
        .stdout
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .filter(|event| event["event"] == "change_finished")
        .collect();
    assert_eq!(finished.len(), 1, "{}", run.stdout);
    assert_eq!(finished[0]["existing"], "brought_to_the_file");
    assert_eq!(
        finished[0]["warnings"],
        serde_json::json!([{
            "code": "ownership_moves",
            "message": "managed by another file (owner team-b); this file lists it, so applying \
                        moves it to this file (owner team-a), and that file will no longer \
                        manage it (remove it from one of the two files)",
        }]),
        "{}",
        run.stdout
    );
}

#[test]
fn a_file_without_an_owner_takes_a_peering_found_after_its_create_only_with_the_warning() {
    let sim = sim_with_b_2();
    let dir = project(&team_file(None, "legacy", APP));
    let (run, writes) = apply_racing_team_b(&sim, &dir, &["apply", "--auto-approve"]);

    assert_eq!(run.code, 0, "{run:?}");
    let found = uuid_of(&sim, "legacy");
    assert_eq!(
        writes,
        [
            "POST /1.3/network-peering 409".to_owned(),
            format!("PATCH /1.3/network-peering/{found} 200"),
        ],
        "b-2 (managed by peerings, owner team-b) belongs to another file, prune or not"
    );
    assert!(
        run.stdout.contains(
            "warning: managed by another file (owner team-b); this file lists it, so applying \
             moves it to this file (which has no owner)"
        ),
        "{}",
        run.stdout
    );
    assert_eq!(
        sim.peering_labels("legacy"),
        labels(&[("managed-by", "peerings")])
    );
    assert_eq!(
        sim.peering_labels("b-2"),
        labels(&[("managed-by", "peerings"), ("peerings-owner", "team-b")])
    );
}

/// Team-a's peering `x`, which team-a's file (in `peerings.toml`) no longer lists, so that its
/// plan deletes it; and team-b's file (`team-b.toml`), which lists `x`.
fn team_a_pruning_x_that_team_b_lists() -> (Sim, tempfile::TempDir) {
    let sim = Sim::with_peerings(&format!(
        "[[peering]]\naccount = \"team\"\nname = \"x\"\nnetwork = \"{APP}\"\npeer_network = \"{AIVEN}\"\n\
         labels = {{ managed-by = \"peerings\", peerings-owner = \"team-a\" }}\n"
    ));
    let dir = project(&team_file(Some("team-a"), "a-1", BACKEND));
    write(&dir, "team-b.toml", &team_file(Some("team-b"), "x", APP));
    (sim, dir)
}

#[test]
fn a_peering_another_file_takes_over_while_the_prompt_waits_is_not_pruned() {
    let (sim, dir) = team_a_pruning_x_that_team_b_lists();
    let running = sim.apply_at_the_prompt(dir.path(), &[]);
    assert!(running.stdout().contains("- x"), "{}", running.stdout());
    // While the person reads the plan, team-b's pipeline takes `x` over: its file lists it.
    team_b_applies(&sim, &dir);
    let x = uuid_of(&sim, "x");
    let before = sim.writes().len();
    running.type_keys(b"y\n");
    let (run, _) = running.finish();

    assert_eq!(run.code, 0, "{run:?}");
    let touched: Vec<String> = sim.writes()[before..]
        .iter()
        .filter(|r| r.path.contains(&x))
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        touched,
        Vec::<String>::new(),
        "team-b's peering is not touched"
    );
    assert_eq!(
        sim.peering_labels("x"),
        labels(&[("managed-by", "peerings"), ("peerings-owner", "team-b")])
    );
    assert!(
        run.stdout.contains(
            "= left alone x: since the plan, it became managed by another file (owner team-b); \
             not deleted"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("Apply complete: 1 created, 0 updated, 0 deleted, 1 already converged"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_peering_another_file_takes_over_while_its_delete_waits_for_disabled_is_not_deleted() {
    let (sim, dir) = team_a_pruning_x_that_team_b_lists();
    // Disabling takes a minute: the delete polls for `disabled` all that time.
    sim.simulator
        .set_provisioning(std::time::Duration::from_secs(60));
    let x = uuid_of(&sim, "x");
    let running = sim.running(
        dir.path(),
        &["apply", "--auto-approve", "--poll-interval", "100ms"],
    );
    let disabled = format!("PATCH /1.3/network-peering/{x}");
    running.wait_until("the disable", |_| {
        sim.writes()
            .iter()
            .any(|r| format!("{} {}", r.method, r.path) == disabled)
    });
    team_b_applies(&sim, &dir);
    let (run, _) = running.finish();

    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        !sim.writes().iter().any(|r| r.method == "DELETE"),
        "{:?}",
        sim.writes()
    );
    assert!(
        run.stdout.contains(
            "! failed    x: \"x\" was disabled, but before its delete it became managed by \
             another file (owner team-b): not deleted (its configured_status is now active)"
        ),
        "{}",
        run.stdout
    );
    assert_eq!(
        sim.peering_labels("x"),
        labels(&[("managed-by", "peerings"), ("peerings-owner", "team-b")])
    );
}

#[test]
fn a_delete_that_finds_its_peering_taken_over_says_where_it_went_in_json() {
    let (sim, dir) = team_a_pruning_x_that_team_b_lists();
    // The delete's read of `x` waits until team-b's pipeline has taken it over.
    let read_of_one = ("GET", "/1.3/network-peering/");
    let args = ["apply", "--auto-approve", "--output", "json"];
    let run = sim.run_holding(read_of_one, dir.path(), &args, || {
        team_b_applies(&sim, &dir);
    });

    assert_eq!(run.code, 0, "{run:?}");
    let events: Vec<Value> = run
        .stdout
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .collect();
    let x = events
        .iter()
        .find(|e| e["event"] == "change_finished" && e["name"] == "x")
        .unwrap_or_else(|| panic!("{}", run.stdout));
    assert_eq!(x["action"], "delete");
    assert_eq!(x["result"], "already_converged");
    assert_eq!(x["existing"], "managed_elsewhere");
    assert!(!sim.writes().iter().any(|r| r.method == "DELETE"));
}
