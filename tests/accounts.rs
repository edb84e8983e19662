//! One file, several accounts: both halves of a link converged together, predictions that need
//! both sides, and credentials checked before anything is sent.

mod common;

use common::*;

const ACCOUNTS: &str = r#"
[accounts.team]
token_env = "TEAM_TOKEN"

[accounts.basic]
username_env = "BASIC_USER"
password_env = "BASIC_PASSWORD"
"#;

fn env(sim: &Sim) -> Vec<(&'static str, String)> {
    vec![
        ("UPCLOUD_API_URL", sim.url()),
        ("TEAM_TOKEN", TEAM_TOKEN.to_owned()),
        ("BASIC_USER", BASIC_USER.to_owned()),
        ("BASIC_PASSWORD", BASIC_PASSWORD.to_owned()),
    ]
}

fn run(sim: &Sim, dir: &tempfile::TempDir, args: &[&str]) -> Run {
    let env = env(sim);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    run_peerings(dir.path(), args, &env)
}

fn link(a_account: &str, a: &str, b_account: &str, b: &str) -> String {
    format!(
        "{ACCOUNTS}\n[[link]]\nname = \"{a_account} <-> {b_account}\"\n\
         a = {{ account = \"{a_account}\", network = \"{a}\" }}\n\
         b = {{ account = \"{b_account}\", network = \"{b}\" }}\n\
         labels = {{ team = \"platform\" }}\n"
    )
}

#[test]
fn a_link_goes_from_nothing_to_both_halves_active_in_one_apply() {
    let sim = Sim::with_peerings("");
    let dir = project(&link("team", APP, "basic", BASIC_NET));
    let plan = run(&sim, &dir, &["plan"]);
    assert_eq!(plan.code, 0, "{plan:?}");
    insta::assert_snapshot!("link_plan", stable(&plan.stdout));

    let apply = run(
        &sim,
        &dir,
        &[
            "apply",
            "--auto-approve",
            "--wait",
            "--poll-interval",
            "100ms",
        ],
    );
    assert_eq!(apply.code, 0, "{apply:?}");
    assert!(
        apply
            .stdout
            .contains("ok              team <-> basic (team side): active"),
        "{}",
        apply.stdout
    );
    assert!(
        apply
            .stdout
            .contains("ok              team <-> basic (basic side): active"),
        "{}",
        apply.stdout
    );
    assert_eq!(sim.peerings_of("team")[0].4, "active");
    assert_eq!(sim.peerings_of("basic")[0].4, "active");
    assert_eq!(
        sim.peering_labels("team <-> basic (basic side)"),
        [
            ("managed-by".into(), "peerings".into()),
            ("team".into(), "platform".into())
        ]
    );

    let again = run(&sim, &dir, &["plan", "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "{again:?}");
    let json = run(&sim, &dir, &["plan", "--output", "json"]);
    let document: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let changes = document["changes"].as_array().unwrap();
    let mut halves: Vec<(&str, &str, &str)> = changes
        .iter()
        .map(|change| {
            assert_eq!(change["link"], "team <-> basic", "{change}");
            (
                change["account"].as_str().unwrap(),
                change["action"].as_str().unwrap(),
                change["name"].as_str().unwrap(),
            )
        })
        .collect();
    halves.sort();
    assert_eq!(
        halves,
        [
            ("basic", "noop", "team <-> basic (basic side)"),
            ("team", "noop", "team <-> basic (team side)")
        ],
        "one converged half in each account"
    );
}

#[test]
fn every_event_and_pending_change_names_the_account_of_its_half() {
    let sim = Sim::with_peerings("");
    let dir = project(&link("team", APP, "basic", BASIC_NET));
    let side = |account: &str| format!("team <-> basic ({account} side)");
    let expected = |event: &str| {
        let mut expected = vec![
            (event.to_owned(), "basic".to_owned(), side("basic")),
            (event.to_owned(), "team".to_owned(), side("team")),
        ];
        expected.sort();
        expected
    };

    let check = run(&sim, &dir, &["check", "--output", "json"]);
    let document: serde_json::Value = serde_json::from_str(&check.stdout).unwrap();
    let mut pending: Vec<(String, String, String)> = document["changes"]
        .as_array()
        .unwrap_or_else(|| panic!("{}", check.stdout))
        .iter()
        .map(|change| {
            (
                "pending".to_owned(),
                change["account"].as_str().unwrap_or("null").to_owned(),
                change["name"].as_str().unwrap_or("null").to_owned(),
            )
        })
        .collect();
    pending.sort();
    assert_eq!(pending, expected("pending"), "{}", check.stdout);

    let apply = run(&sim, &dir, &["apply", "--auto-approve", "--output", "json"]);
    assert_eq!(apply.code, 0, "{apply:?}");
    for event in ["change_started", "change_finished"] {
        let mut seen: Vec<(String, String, String)> = apply
            .stdout
            .lines()
            .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
            .filter(|line| line["event"] == event)
            .map(|line| {
                (
                    event.to_owned(),
                    line["account"].as_str().unwrap_or("null").to_owned(),
                    line["name"].as_str().unwrap_or("null").to_owned(),
                )
            })
            .collect();
        seen.sort();
        assert_eq!(seen, expected(event), "{}", apply.stdout);
    }
}

#[test]
fn plan_reads_each_account_with_two_requests_all_at_once() {
    let sim = Sim::with_peerings("");
    let dir = project(&link("team", APP, "basic", BASIC_NET));
    assert_eq!(run(&sim, &dir, &["plan"]).code, 0);
    let mut requests: Vec<String> = sim
        .log()
        .iter()
        .map(|r| {
            format!(
                "{} {} {}",
                r.account.clone().unwrap_or_default(),
                r.method,
                r.path
            )
        })
        .collect();
    requests.sort();
    assert_eq!(
        requests,
        [
            "basic GET /1.3/network",
            "basic GET /1.3/network-peering",
            "team GET /1.3/network",
            "team GET /1.3/network-peering"
        ]
    );
}

#[test]
fn a_one_sided_declaration_stays_pending_and_check_says_which_side_is_missing() {
    let sim = Sim::with_peerings("");
    let dir = project(&format!(
        "{ACCOUNTS}\n[[peering]]\naccount = \"team\"\nname = \"team to basic\"\nnetwork = \"{APP}\"\npeer_network = \"{BASIC_NET}\"\n"
    ));
    assert_eq!(run(&sim, &dir, &["apply", "--auto-approve"]).code, 0);
    let check = run(&sim, &dir, &["check"]);
    assert_eq!(check.code, 3, "{check:?}");
    insta::assert_snapshot!("one_sided_check", stable(&check.stdout));
    assert!(check.stdout.contains("pending-peer"), "{}", check.stdout);
    assert!(
        check.stdout.contains("account basic has no half"),
        "{}",
        check.stdout
    );
}

#[test]
fn overlapping_ranges_and_a_far_side_without_router_are_predicted_before_any_write() {
    let sim = Sim::with_peerings("");
    let file = format!(
        "{ACCOUNTS}\n[accounts.aiven]\ntoken_env = \"AIVEN_TOKEN\"\n\n\
         [[link]]\nname = \"overlap\"\na = {{ account = \"team\", network = \"{APP}\" }}\nb = {{ account = \"aiven\", network = \"{OVERLAPPING}\" }}\n\n\
         [[link]]\nname = \"no router\"\na = {{ account = \"basic\", network = \"{BASIC_NET}\" }}\nb = {{ account = \"team\", network = \"{NO_ROUTER}\" }}\n"
    );
    let dir = project(&file);
    let mut env = env(&sim);
    env.push(("AIVEN_TOKEN", "ucat_aiven".to_owned()));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let plan = run_peerings(dir.path(), &["plan"], &env);
    assert_eq!(plan.code, 0, "{plan:?}");
    insta::assert_snapshot!("cross_account_warnings", stable(&plan.stdout));
    assert!(
        plan.stdout.contains("will be conflict-subnet"),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout.contains("stay missing-peer-router"),
        "{}",
        plan.stdout
    );
    assert!(sim.writes().is_empty());
}

#[test]
fn a_missing_credential_variable_names_itself_and_nothing_is_sent() {
    let sim = Sim::with_peerings("");
    let dir = project(&link("team", APP, "basic", BASIC_NET));
    let url = sim.url();
    let run = run_peerings(
        dir.path(),
        &["plan"],
        &[
            ("UPCLOUD_API_URL", &url),
            ("TEAM_TOKEN", TEAM_TOKEN),
            ("BASIC_USER", BASIC_USER),
        ],
    );
    assert_eq!(run.code, 1);
    insta::assert_snapshot!("missing_credential_variable", run.stderr);
    assert!(sim.log().is_empty(), "{:?}", sim.log());
    assert!(!run.output().contains(TEAM_TOKEN));
}

#[test]
fn pruning_and_ownership_work_per_account() {
    let sim = Sim::with_peerings(&format!(
        "[[peering]]\naccount = \"basic\"\nname = \"owned in basic\"\nnetwork = \"{BASIC_NET}\"\npeer_network = \"{SILENT}\"\nlabels = {{ managed-by = \"peerings\" }}\n\n\
         [[peering]]\naccount = \"basic\"\nname = \"by hand in basic\"\nnetwork = \"{BASIC_NET}\"\npeer_network = \"{AIVEN}\"\n"
    ));
    let dir = project(&format!(
        "prune = true\n{}",
        link("team", APP, "basic", BASIC_NET)
    ));
    let apply = run(&sim, &dir, &["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{apply:?}");
    let mut basic: Vec<String> = sim.peerings_of("basic").into_iter().map(|p| p.0).collect();
    basic.sort();
    assert_eq!(basic, ["by hand in basic", "team <-> basic (basic side)"]);
}

#[test]
fn the_multi_account_example_runs_against_the_simulator() {
    let dir = project(include_str!("../examples/multi-account.toml"));
    // Variables for real accounts, exported in the shell, are not sent to the simulator.
    let apply = run_peerings(
        dir.path(),
        &[
            "apply",
            "--auto-approve",
            "--wait",
            "--poll-interval",
            "100ms",
        ],
        &[
            ("UPCLOUD_TOKEN_DEMO", "ucat_real_token"),
            ("UPCLOUD_USERNAME_PLATFORM", "real-user"),
            ("UPCLOUD_PASSWORD_PLATFORM", "real-password"),
        ],
    );
    insta::assert_snapshot!("multi_account_example_apply", stable(&apply.stdout));
    // The one-sided peering is reported at once, not waited for until the timeout.
    assert_eq!(apply.code, 1, "{apply:?}");
    assert!(apply.stdout.contains("4 created"), "{}", apply.stdout);
    assert!(
        apply
            .stdout
            .contains("needs attention platform hel1 to demo backend: pending-peer"),
        "{}",
        apply.stdout
    );

    let check = run_peerings(dir.path(), &["check"], &[]);
    assert_eq!(check.code, 3, "{check:?}");
    assert!(
        check.stdout.contains("account demo has no half towards it"),
        "{}",
        check.stdout
    );
    assert_eq!(
        run_peerings(dir.path(), &["plan", "--detailed-exitcode"], &[]).code,
        0
    );
}

#[test]
fn refused_credentials_name_the_accounts_variables() {
    let sim = Sim::with_peerings("");
    let dir = project(&format!(
        "{ACCOUNTS}\n[[peering]]\naccount = \"basic\"\nname = \"p\"\nnetwork = \"{BASIC_NET}\"\npeer_network = \"{AIVEN}\"\n"
    ));
    let url = sim.url();
    let env = [
        ("UPCLOUD_API_URL", url.as_str()),
        ("TEAM_TOKEN", TEAM_TOKEN),
        ("BASIC_USER", BASIC_USER),
        ("BASIC_PASSWORD", "not-the-password"),
    ];
    let run = run_peerings(dir.path(), &["plan"], &env);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains(
            "the API refused the credentials in BASIC_USER and BASIC_PASSWORD (username_env and \
             password_env of account basic)"
        ),
        "{}",
        run.stderr
    );
    assert!(!run.output().contains("not-the-password"));
}
