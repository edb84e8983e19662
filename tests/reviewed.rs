//! Reviewed plans: `apply --plan FILE` checks FILE before it reads any account, the checksum
//! covers the plan's own changes, and the command `plan --out` suggests applies the same plan.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

fn file_with_peering(name: &str) -> String {
    format!("[[peering]]\nname = \"{name}\"\nnetwork = \"{APP}\"\npeer_network = \"{SILENT}\"\n")
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn write_json(path: &Path, value: &Value) {
    std::fs::write(path, serde_json::to_string_pretty(value).unwrap()).unwrap();
}

#[test]
fn a_plan_file_that_cannot_be_applied_is_an_error_even_when_nothing_is_to_do() {
    let sim = Sim::with_peerings("");
    // An empty file: the fresh plan has nothing to do, which once ended "Nothing to do.", exit 0.
    let dir = project("");
    std::fs::create_dir(path_in(&dir, "folder")).unwrap();
    let cases = [
        ("missing.json", "there is no such file"),
        ("folder", "it is a directory, not a file"),
        (
            "peerings.toml",
            "it is not a plan file written by `peerings plan --out`",
        ),
    ];
    for (plan_file, cause) in cases {
        let run = sim.run(dir.path(), &["apply", "--plan", plan_file]);
        assert_eq!(run.code, 1, "{plan_file}: {run:?}");
        assert!(run.stderr.contains(cause), "{plan_file}: {}", run.stderr);
        assert!(
            run.stderr.contains(&format!(
                "nothing was changed. Write the plan with `peerings --api-url {} plan --out {plan_file}` and review it",
                sim.url()
            )),
            "{}",
            run.stderr
        );
        assert!(!run.stdout.contains("Nothing to do"), "{}", run.stdout);
        assert!(sim.log().is_empty(), "{plan_file}: read before any account");
    }
}

#[test]
fn a_reviewed_plan_with_nothing_to_do_still_applies_as_nothing_to_do() {
    let sim = Sim::with_peerings("");
    let dir = project("");
    assert_eq!(sim.run(dir.path(), &["plan", "--out", "plan.json"]).code, 0);
    let run = sim.run(dir.path(), &["apply", "--plan", "plan.json"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("Nothing to do."), "{}", run.stdout);
}

#[test]
fn editing_a_plan_file_by_hand_makes_it_stale() {
    let sim = Sim::with_peerings("");
    let dir = project(&file_with_peering("reviewed"));
    let plan_path = path_in(&dir, "plan.json");
    assert_eq!(sim.run(dir.path(), &["plan", "--out", "plan.json"]).code, 0);
    let original = read_json(&plan_path);
    assert_eq!(original["plan_file_version"], 2);
    let requests = sim.log().len();
    type Edit = fn(&mut Value);
    let edits: [(&str, Edit); 4] = [
        ("the name a change creates", |plan| {
            plan["plan"]["changes"][0]["name"] = "not reviewed".into();
        }),
        ("the status a change sets", |plan| {
            plan["plan"]["changes"][0]["configured_status"] = "disabled".into();
        }),
        ("the labels a change sets", |plan| {
            plan["plan"]["changes"][0]["labels"]["team"] = "someone else".into();
        }),
        ("the facts", |plan| plan["facts"]["prune"] = true.into()),
    ];
    for (what, edit) in edits {
        let mut edited = original.clone();
        edit(&mut edited);
        write_json(&plan_path, &edited);
        let run = sim.run(dir.path(), &["apply", "--plan", "plan.json"]);
        assert_eq!(run.code, 1, "{what}: {run:?}");
        assert!(
            run.stderr.contains(
                "cannot apply plan.json: it was changed after `peerings plan --out` wrote it: \
                 its checksum does not match its content; nothing was changed"
            ),
            "{what}: {}",
            run.stderr
        );
        assert_eq!(
            sim.log().len(),
            requests,
            "{what}: refused before reading the account"
        );
    }
    write_json(&plan_path, &original);
    let run = sim.run(dir.path(), &["apply", "--plan", "plan.json"]);
    assert_eq!(run.code, 0, "the file as written applies: {run:?}");
    assert_eq!(sim.peerings_of("team")[0].0, "reviewed");
}

#[test]
fn a_plan_file_of_another_version_is_refused_with_what_to_do() {
    let sim = Sim::with_peerings("");
    let dir = project(&file_with_peering("p"));
    let plan_path = path_in(&dir, "plan.json");
    assert_eq!(sim.run(dir.path(), &["plan", "--out", "plan.json"]).code, 0);
    let requests = sim.log().len();
    let mut plan = read_json(&plan_path);
    plan["plan_file_version"] = 1.into();
    write_json(&plan_path, &plan);
    let run = sim.run(dir.path(), &["apply", "--plan", "plan.json"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr
            .contains("it has plan file version 1, and this version of peerings reads version 2"),
        "{}",
        run.stderr
    );
    assert_eq!(
        sim.log().len(),
        requests,
        "refused before reading the account"
    );
}

#[test]
fn a_change_applied_meanwhile_makes_the_reviewed_plan_stale_not_nothing_to_do() {
    let sim = Sim::with_peerings("");
    let dir = project(&file_with_peering("reviewed"));
    assert_eq!(sim.run(dir.path(), &["plan", "--out", "plan.json"]).code, 0);
    assert_eq!(sim.run(dir.path(), &["apply", "--auto-approve"]).code, 0);
    let writes = sim.writes().len();
    let run = sim.run(dir.path(), &["apply", "--plan", "plan.json"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("plan is stale"), "{}", run.stderr);
    assert_eq!(sim.writes().len(), writes);
}

#[test]
fn a_change_in_the_account_to_what_the_plan_only_keeps_makes_it_stale() {
    // A peering of this file that the file no longer lists, kept because `prune` is off: the
    // plan shows it and changes nothing about it, so only the facts record it.
    let sim = Sim::with_peerings(&format!(
        "[[peering]]\naccount = \"team\"\nname = \"kept\"\nnetwork = \"{BACKEND}\"\n\
         peer_network = \"{SILENT}\"\nlabels = {{ managed-by = \"peerings\" }}\n"
    ));
    let dir = project(&file_with_peering("reviewed"));
    assert_eq!(sim.run(dir.path(), &["plan", "--out", "plan.json"]).code, 0);
    let plan = read_json(&path_in(&dir, "plan.json"));
    assert_eq!(plan["plan"]["kept"][0]["name"], "kept", "{plan}");

    // Someone renames the kept peering by hand (here through another file, as a PATCH).
    let elsewhere = project(&format!(
        "[[peering]]\nname = \"renamed by hand\"\nnetwork = \"{BACKEND}\"\npeer_network = \"{SILENT}\"\n"
    ));
    assert_eq!(
        sim.run(elsewhere.path(), &["apply", "--auto-approve"]).code,
        0
    );
    let writes = sim.writes().len();

    let run = sim.run(dir.path(), &["apply", "--plan", "plan.json"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("plan is stale"), "{}", run.stderr);
    assert!(
        run.stderr.contains("-         \"name\": \"kept\",")
            && run
                .stderr
                .contains("+         \"name\": \"renamed by hand\","),
        "says what changed: {}",
        run.stderr
    );
    assert_eq!(sim.writes().len(), writes, "no write: {:?}", sim.writes());
}

/// The binary's folder first on PATH, so that a suggested `peerings ...` line runs this build.
fn path_with_binary() -> String {
    let binary = Path::new(env!("CARGO_BIN_EXE_peerings"));
    let folder = binary.parent().unwrap().display().to_string();
    format!("{folder}:{}", std::env::var("PATH").unwrap_or_default())
}

#[test]
fn the_command_plan_out_suggests_applies_the_same_plan() {
    let sim = Sim::with_peerings("");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(path_in(&dir, "team a.toml"), file_with_peering("reviewed")).unwrap();
    // Another file at the default place, which a suggestion without -f would read instead.
    std::fs::write(path_in(&dir, "peerings.toml"), file_with_peering("other")).unwrap();
    let url = sim.url();
    let saved = run_peerings(
        dir.path(),
        &[
            "-f",
            "team a.toml",
            "plan",
            "--api-url",
            &url,
            "--timeout",
            "10s",
            "--out",
            "reviewed plan.json",
        ],
        &[("UPCLOUD_TOKEN", TEAM_TOKEN)],
    );
    assert_eq!(saved.code, 0, "{saved:?}");
    let suggested = format!(
        "peerings -f 'team a.toml' --api-url {url} --timeout 10s apply --plan 'reviewed plan.json'"
    );
    assert!(
        saved
            .stderr
            .contains(&format!("Apply exactly this plan with: {suggested}\n")),
        "{}",
        saved.stderr
    );
    let path = path_with_binary();
    let shell = std::process::Command::new("sh")
        .current_dir(dir.path())
        .args(["-c", &suggested])
        .env_clear()
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .env("UPCLOUD_TOKEN", TEAM_TOKEN)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&shell.stderr);
    assert_eq!(shell.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("The plan matches the reviewed plan"),
        "{stderr}"
    );
    let names: Vec<String> = sim.peerings_of("team").into_iter().map(|p| p.0).collect();
    assert_eq!(names, ["reviewed"]);
}

#[test]
fn options_given_in_the_environment_are_repeated_too() {
    let sim = Sim::with_peerings("");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(path_in(&dir, "team.toml"), file_with_peering("p")).unwrap();
    let url = sim.url();
    let saved = run_peerings(
        dir.path(),
        &["plan", "--out", "plan.json"],
        &[
            ("UPCLOUD_TOKEN", TEAM_TOKEN),
            ("UPCLOUD_API_URL", &url),
            ("PEERINGS_FILE", "team.toml"),
        ],
    );
    assert_eq!(saved.code, 0, "{saved:?}");
    assert!(
        saved.stderr.contains(&format!(
            "Apply exactly this plan with: peerings -f team.toml --api-url {url} apply --plan plan.json\n"
        )),
        "{}",
        saved.stderr
    );
}
