//! The main loop end to end: the built binary against the simulator over real HTTP.

mod common;

use common::*;

const TWO_PEERINGS: &str = r#"
[networks]
app = "11111111-1111-4111-8111-111111111111"
aiven = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"

[[peering]]
name = "app to aiven"
network = "app"
peer_network = "aiven"
labels = { team = "data" }

[[peering]]
name = "backend to silent"
network = "22222222-2222-4222-8222-222222222222"
peer_network = "BBBBBBBB-BBBB-4BBB-8BBB-BBBBBBBBBBBB"
"#;

#[test]
fn plan_apply_and_plan_again_converge() {
    let sim = Sim::with_peerings("");
    let dir = project(TWO_PEERINGS);

    let plan = sim.run(dir.path(), &["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 2, "{plan:?}");
    insta::assert_snapshot!("plan_on_empty_account", stable(&plan.stdout));
    assert!(sim.writes().is_empty(), "plan is read-only");

    let apply = sim.run(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{apply:?}");
    insta::assert_snapshot!("apply_on_empty_account", stable(&apply.stdout));

    let mut peerings = sim.peerings_of("team");
    peerings.sort();
    assert_eq!(
        peerings,
        [
            (
                "app to aiven".into(),
                APP.into(),
                AIVEN.into(),
                "active".into(),
                "active".into()
            ),
            (
                "backend to silent".into(),
                BACKEND.into(),
                SILENT.into(),
                "active".into(),
                "pending-peer".into()
            ),
        ]
    );
    assert_eq!(
        sim.peering_labels("app to aiven"),
        [
            ("managed-by".into(), "peerings".into()),
            ("team".into(), "data".into())
        ]
    );

    let again = sim.run(dir.path(), &["plan", "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "{again:?}");
    insta::assert_snapshot!("plan_after_apply", stable(&again.stdout));

    let nothing = sim.run(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(nothing.code, 0);
    assert!(
        nothing.stdout.contains("Nothing to do."),
        "{}",
        nothing.stdout
    );
    assert_eq!(
        sim.writes().len(),
        2,
        "only the first apply wrote: {:?}",
        sim.writes()
    );
}

#[test]
fn plan_reads_peerings_and_networks_with_one_request_each() {
    let sim = Sim::with_peerings("");
    let dir = project(TWO_PEERINGS);
    assert_eq!(sim.run(dir.path(), &["plan"]).code, 0);
    let mut paths: Vec<String> = sim
        .log()
        .into_iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    paths.sort();
    assert_eq!(paths, ["GET /1.3/network", "GET /1.3/network-peering"]);
}

#[test]
fn json_plan_has_the_pinned_keys_and_nothing_else_on_stdout() {
    let sim = Sim::with_peerings(
        r#"
[[peering]]
account = "team"
name = "old name"
network = "11111111-1111-4111-8111-111111111111"
peer_network = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
labels = { managed-by = "peerings", team = "data" }
"#,
    );
    let dir = project(TWO_PEERINGS);
    let run = sim.run(dir.path(), &["plan", "--output", "json"]);
    assert_eq!(run.code, 0, "{run:?}");
    let document: serde_json::Value =
        serde_json::from_str(&run.stdout).expect("stdout is one JSON document");
    assert_eq!(document["format_version"], 1);
    assert_eq!(
        document["summary"],
        serde_json::json!({"create": 1, "update": 1, "delete": 0, "noop": 0})
    );
    let changes = document["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 2);
    for change in changes {
        for key in ["action", "name", "network", "peer_network", "uuid", "state"] {
            assert!(change.get(key).is_some(), "{key} missing in {change}");
        }
    }
    assert_eq!(changes[0]["action"], "update");
    assert_eq!(changes[0]["name"], "app to aiven");
    assert_eq!(changes[0]["network"], APP);
    assert_eq!(
        changes[0]["state"], "pending-peer",
        "the world holds no reverse half"
    );
    assert!(changes[0]["uuid"].is_string());
    assert_eq!(changes[1]["action"], "create");
    assert_eq!(
        changes[1]["peer_network"], SILENT,
        "UUIDs are canonical lowercase"
    );
    assert_eq!(changes[1]["uuid"], serde_json::Value::Null);
    assert_eq!(changes[1]["state"], serde_json::Value::Null);
    insta::assert_snapshot!("json_plan", stable(&run.stdout));
}

#[test]
fn update_changes_name_status_and_labels_with_only_the_changed_fields() {
    let sim = Sim::with_peerings(
        r#"
[[peering]]
account = "team"
name = "old name"
network = "11111111-1111-4111-8111-111111111111"
peer_network = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
labels = { managed-by = "peerings", team = "ops", env = "dev" }

[[peering]]
account = "team"
name = "to disable"
network = "22222222-2222-4222-8222-222222222222"
peer_network = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
labels = { managed-by = "peerings" }
"#,
    );
    let dir = project(
        r#"
[[peering]]
name = "new name"
network = "11111111-1111-4111-8111-111111111111"
peer_network = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
labels = { team = "data" }

[[peering]]
name = "to disable"
network = "22222222-2222-4222-8222-222222222222"
peer_network = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
configured_status = "disabled"
"#,
    );
    let plan = sim.run(dir.path(), &["plan"]);
    insta::assert_snapshot!("plan_of_updates", stable(&plan.stdout));

    let apply = sim.run(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{apply:?}");
    let mut peerings = sim.peerings_of("team");
    peerings.sort();
    assert_eq!(
        peerings,
        [
            (
                "new name".into(),
                APP.into(),
                AIVEN.into(),
                "active".into(),
                "pending-peer".into()
            ),
            (
                "to disable".into(),
                BACKEND.into(),
                AIVEN.into(),
                "disabled".into(),
                "disabled".into()
            ),
        ]
    );
    assert_eq!(
        sim.peering_labels("new name"),
        [
            ("managed-by".into(), "peerings".into()),
            ("team".into(), "data".into())
        ]
    );
    // Each PATCH names only what changes: a field left out is left as it is.
    let world = sim.world();
    let path_of = |name: &str| {
        let peering = world.peerings().find(|p| p.name == name).unwrap();
        format!("/1.3/network-peering/{}", peering.uuid)
    };
    let mut patches: Vec<(String, String, serde_json::Value)> = sim
        .writes()
        .into_iter()
        .map(|r| (r.method, r.path, serde_json::from_str(&r.body).unwrap()))
        .collect();
    patches.sort_by_key(|(_, _, body)| body.to_string());
    assert_eq!(
        patches,
        [
            (
                "PATCH".to_owned(),
                path_of("to disable"),
                serde_json::json!({"network_peering": {"configured_status": "disabled"}})
            ),
            (
                "PATCH".to_owned(),
                path_of("new name"),
                serde_json::json!({"network_peering": {
                    "name": "new name",
                    "labels": [
                        {"key": "managed-by", "value": "peerings"},
                        {"key": "team", "value": "data"}
                    ]
                }})
            ),
        ]
    );
    assert_eq!(
        sim.run(dir.path(), &["plan", "--detailed-exitcode"]).code,
        0
    );
}

#[test]
fn each_documented_create_error_fails_its_change_with_advice_and_the_others_still_run() {
    let sim = Sim::with_peerings("");
    let dir = project(&format!(
        r#"
[[peering]]
name = "a good one"
network = "{APP}"
peer_network = "{AIVEN}"

[[peering]]
name = "no router"
network = "{NO_ROUTER}"
peer_network = "{AIVEN}"

[[peering]]
name = "not my network"
network = "{BASIC_NET}"
peer_network = "{AIVEN}"

[[peering]]
name = "peer nowhere"
network = "{BACKEND}"
peer_network = "{NOWHERE}"
"#
    ));
    let plan = sim.run(dir.path(), &["plan"]);
    assert_eq!(plan.code, 0);
    assert!(
        plan.stdout
            .contains("has no router: the create will fail with LOCAL_NETWORK_NO_ROUTER"),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout.contains("is not in this account"),
        "{}",
        plan.stdout
    );

    let apply = sim.run(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(apply.code, 1, "one failure fails the run: {apply:?}");
    insta::assert_snapshot!("apply_with_failures", stable(&apply.stdout));
    assert_eq!(
        sim.peerings_of("team"),
        [(
            "a good one".into(),
            APP.into(),
            AIVEN.into(),
            "active".into(),
            "active".into()
        )]
    );
}

#[test]
fn peering_conflict_counts_as_converged() {
    // Two applies at once: both plan a create (the simulator answers every request after 300 ms,
    // so both have read the account before either write lands); one creates, the other is told
    // PEERING_CONFLICT.
    let sim = Sim::with_peerings("");
    sim.simulator
        .set_latency(std::time::Duration::from_millis(300));
    let dir = project(&format!(
        r#"
[[peering]]
name = "raced"
network = "{APP}"
peer_network = "{SILENT}"
"#
    ));
    let runs = sim.two_successful_applies_at_once(dir.path());
    let conflicted: Vec<&Run> = runs
        .iter()
        .filter(|r| r.stdout.contains("PEERING_CONFLICT"))
        .collect();
    assert_eq!(conflicted.len(), 1, "{runs:?}");
    assert!(
        conflicted[0]
            .stdout
            .contains("1 already converged, 0 failed"),
        "{}",
        conflicted[0].stdout
    );
    assert_eq!(sim.peerings_of("team").len(), 1);
    let statuses: Vec<u16> = sim.writes().iter().map(|r| r.status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        1,
        "{statuses:?}"
    );
}

#[test]
fn apply_without_a_terminal_refuses_and_changes_nothing() {
    let sim = Sim::with_peerings("");
    let dir = project(TWO_PEERINGS);
    let run = sim.run(dir.path(), &["apply"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("Plan: 2 to create"),
        "the plan is shown: {}",
        run.stdout
    );
    assert!(run.stderr.contains("--auto-approve"), "{}", run.stderr);
    assert!(sim.writes().is_empty());
}

#[test]
fn basic_and_bearer_authentication_both_work() {
    let sim = Sim::with_peerings("");
    let dir = project(&format!(
        r#"
[[peering]]
name = "basic to aiven"
network = "{BASIC_NET}"
peer_network = "{AIVEN}"
"#
    ));
    let basic = [
        ("UPCLOUD_API_URL", sim.url()),
        ("UPCLOUD_USERNAME", BASIC_USER.to_owned()),
        ("UPCLOUD_PASSWORD", BASIC_PASSWORD.to_owned()),
    ];
    let env: Vec<(&str, &str)> = basic.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let run = run_peerings(dir.path(), &["apply", "--auto-approve"], &env);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(sim.peerings_of("basic").len(), 1);
    assert!(
        sim.log()
            .iter()
            .all(|r| r.account.as_deref() == Some("basic"))
    );

    // The same file as the token account: that network is not in its account.
    let bearer = sim.run(dir.path(), &["plan"]);
    assert_eq!(bearer.code, 0);
    assert!(
        bearer.stdout.contains("is not in this account"),
        "{}",
        bearer.stdout
    );
    assert_eq!(sim.log().last().unwrap().account.as_deref(), Some("team"));
}

#[test]
fn wrong_credentials_are_an_error_that_never_shows_them() {
    let sim = Sim::with_peerings("");
    let dir = project(TWO_PEERINGS);
    let url = sim.url();
    let run = run_peerings(
        dir.path(),
        &["plan"],
        &[
            ("UPCLOUD_API_URL", &url),
            ("UPCLOUD_TOKEN", "ucat_wrong_and_secret"),
        ],
    );
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("401"), "{}", run.stderr);
    assert!(
        run.stderr.contains("AUTHENTICATION_FAILED"),
        "{}",
        run.stderr
    );
    assert!(!run.output().contains("ucat_wrong_and_secret"));

    let basic = run_peerings(
        dir.path(),
        &["plan"],
        &[
            ("UPCLOUD_API_URL", &url),
            ("UPCLOUD_USERNAME", "u"),
            ("UPCLOUD_PASSWORD", "pw_very_secret"),
        ],
    );
    assert_eq!(basic.code, 1, "{basic:?}");
    assert!(basic.stderr.contains("401"), "{}", basic.stderr);
    assert!(!basic.output().contains("pw_very_secret"));
    assert!(
        !basic
            .output()
            .contains(&basic_credentials("u", "pw_very_secret"))
    );
}

#[test]
fn credentials_must_be_exactly_one_kind_and_are_checked_before_any_request() {
    let sim = Sim::with_peerings("");
    let dir = project(TWO_PEERINGS);
    let url = sim.url();
    let cases: [&[(&str, &str)]; 3] = [
        &[("UPCLOUD_API_URL", &url)],
        &[
            ("UPCLOUD_API_URL", &url),
            ("UPCLOUD_TOKEN", "t0k3n_x"),
            ("UPCLOUD_USERNAME", "u"),
            ("UPCLOUD_PASSWORD", "p4ss_x"),
        ],
        &[("UPCLOUD_API_URL", &url), ("UPCLOUD_USERNAME", "u")],
    ];
    let mut messages = Vec::new();
    for env in cases {
        let run = run_peerings(dir.path(), &["plan"], env);
        assert_eq!(run.code, 1, "{run:?}");
        for secret in ["t0k3n_x", "p4ss_x", &basic_credentials("u", "p4ss_x")] {
            assert!(!run.output().contains(secret), "{run:?}");
        }
        messages.push(run.stderr);
    }
    assert!(sim.log().is_empty(), "no request was sent: {:?}", sim.log());
    insta::assert_snapshot!("credential_errors", messages.join(""));
}

#[test]
fn an_unreachable_api_is_a_clear_error() {
    let dir = project(TWO_PEERINGS);
    // A port nothing listens on: bind one, then free it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/");
    let run = run_peerings(
        dir.path(),
        &["plan"],
        &[("UPCLOUD_API_URL", &url), ("UPCLOUD_TOKEN", "t")],
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains(&format!("no answer from http://127.0.0.1:{port}/1.3/")),
        "{}",
        run.stderr
    );
}

#[test]
fn usage_errors_exit_1_not_2_so_detailed_exitcode_stays_unambiguous() {
    let dir = project(TWO_PEERINGS);
    let run = run_peerings(dir.path(), &["plan", "--detailed-exitcod"], &[]);
    assert_eq!(run.code, 1, "{run:?}");
    let help = run_peerings(dir.path(), &["--help"], &[]);
    assert_eq!(help.code, 0);
    assert!(help.stdout.contains("validate"));
}

#[test]
fn refused_credentials_name_the_variables_to_check_and_the_same_request_every_time() {
    let sim = Sim::with_peerings("");
    let dir = project("");
    let cases = [
        (
            &[("UPCLOUD_TOKEN", "ucat_wrong")][..],
            "the credentials in UPCLOUD_TOKEN",
        ),
        (
            &[
                ("UPCLOUD_USERNAME", "nobody"),
                ("UPCLOUD_PASSWORD", "wrong"),
            ],
            "the credentials in UPCLOUD_USERNAME and UPCLOUD_PASSWORD",
        ),
    ];
    for (credentials, named) in cases {
        let url = sim.url();
        let mut env = vec![("UPCLOUD_API_URL", url.as_str())];
        env.extend_from_slice(credentials);
        let runs: Vec<Run> = (0..6)
            .map(|_| run_peerings(dir.path(), &["plan"], &env))
            .collect();
        for run in &runs {
            assert_eq!(run.code, 1, "{run:?}");
            assert!(run.stderr.contains(named), "{named}: {}", run.stderr);
            assert!(run.stderr.contains("HTTP 401"), "{}", run.stderr);
            assert!(!run.output().contains("ucat_wrong") && !run.output().contains("wrong\n"));
            assert_eq!(run.stderr, runs[0].stderr, "the same words on every run");
        }
        assert!(
            runs[0].stderr.contains("list network peerings"),
            "peerings are read first: {}",
            runs[0].stderr
        );
    }
}

#[test]
fn names_with_line_breaks_controls_or_bidirectional_overrides_are_escaped_in_the_plan() {
    let sim = Sim::with_peerings("");
    let dir = project(&format!(
        r#"[networks]
"app\u202Enet" = "{APP}"

[[peering]]
name = "two\nlines"
network = "app\u202Enet"
peer_network = "{AIVEN}"
labels = {{ team = "a\u202Eb" }}

[[peering]]
name = "evil\u202Egnirts \u001b[31mred"
network = "{BACKEND}"
peer_network = "{AIVEN}"
"#
    ));
    let run = sim.run(dir.path(), &["plan"]);
    assert_eq!(run.code, 0, "{run:?}");
    for raw in ['\u{202e}', '\u{1b}'] {
        assert!(
            !run.stdout.contains(raw),
            "{raw:?} printed raw:\n{}",
            run.stdout
        );
    }
    assert!(!run.stdout.contains("two\nlines"), "{}", run.stdout);
    for shown in [
        "+ two\\nlines",
        "+ evil\\u{202e}gnirts \\u{1b}[31mred",
        "app\\u{202e}net (11111111-1111-4111-8111-111111111111)",
    ] {
        assert!(run.stdout.contains(shown), "{shown}:\n{}", run.stdout);
    }
    let markdown = sim.run(dir.path(), &["plan", "--output", "markdown"]);
    assert!(!markdown.stdout.contains('\u{202e}'), "{}", markdown.stdout);
}
