//! Unattended applies on a bad day: rate limits, 5xx answers, dropped connections, kills,
//! concurrent runs, interrupts, stale reviewed plans, hostile answers, and secrets that must
//! never show.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use common::*;
use peerings::sim::{Faults, Probability};

fn probability(p: f64) -> Probability {
    Probability::new(p).unwrap()
}

fn team_peerings(sim: &Sim) -> usize {
    team_peerings_in(&sim.world())
}

#[test]
fn an_apply_of_100_converges_in_one_run_through_rate_limits_5xx_and_dropped_connections() {
    let sim = Sim::start(world_with_networks(100));
    sim.simulator.set_faults(Faults {
        seed: 7,
        rate_429: probability(0.30),
        // "Retry now": a wait of a second on 30 % of the requests would hold the whole account
        // for most of the run (see the account-wide wait's own test below).
        retry_after_s: 0,
        rate_503: probability(0.20),
        rate_drop_before: probability(0.025),
        rate_drop_after: probability(0.025),
        ..Faults::default()
    });
    let dir = project(&file_with_peerings(0..100));
    let args = [
        "apply",
        "--auto-approve",
        "--parallelism",
        "16",
        "--max-retries",
        "20",
    ];
    let run = sim.run(dir.path(), &args);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(team_peerings(&sim), 100, "exactly one peering per pair");

    let log = sim.log();
    let faults = |kind: &str| {
        log.iter()
            .filter(|r| r.fault.as_deref() == Some(kind))
            .count()
    };
    assert!(
        faults("429") > 20 && faults("503") > 10,
        "the faults really happened"
    );
    assert!(
        faults("drop-after") > 0,
        "some creates were applied but their answer lost"
    );
    assert!(run.stdout.contains("already converged"), "{}", run.stdout);

    sim.simulator.reset_log();
    let again = sim.run(dir.path(), &args);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(again.stdout.contains("Nothing to do."), "{}", again.stdout);
    assert!(
        sim.writes().is_empty(),
        "a second apply writes nothing: {:?}",
        sim.writes()
    );
}

#[test]
fn parallelism_bounds_the_requests_in_flight() {
    let sim = Sim::start(world_with_networks(40));
    sim.simulator.set_latency(Duration::from_millis(100));
    let dir = project(&file_with_peerings(0..40));
    let run = sim.run(
        dir.path(),
        &["apply", "--auto-approve", "--parallelism", "8"],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        sim.simulator.max_in_flight(),
        8,
        "at most 8, and 8 were used"
    );
}

#[test]
fn two_applies_at_the_same_moment_both_succeed_and_leave_one_peering_per_pair() {
    let sim = Sim::start(world_with_networks(20));
    sim.simulator.set_latency(Duration::from_millis(50));
    let dir = project(&file_with_peerings(0..20));
    sim.two_successful_applies_at_once(dir.path());
    assert_eq!(team_peerings(&sim), 20);
    assert_eq!(
        sim.run(dir.path(), &["plan", "--detailed-exitcode"]).code,
        0
    );
}

/// How many creates the simulator has received, answered or not.
fn creates_sent(sim: &Sim) -> usize {
    sim.log().iter().filter(|r| r.method == "POST").count()
}

#[test]
fn an_apply_killed_at_any_point_converges_when_run_again() {
    // Killed without warning (SIGKILL) as the k-th create arrives, from early in the creates to
    // late: with 4 in flight, at least k - 4 are done by then, and the 2 rounds of slow answers
    // still to come keep the last ones from being done.
    const PEERINGS: usize = 32;
    for k in [5, 9, 13, 17, 21, 24] {
        let sim = Sim::start(world_with_networks(PEERINGS));
        sim.simulator.set_latency(Duration::from_millis(50));
        let dir = project(&file_with_peerings(0..PEERINGS));
        let apply = sim.running(
            dir.path(),
            &["apply", "--auto-approve", "--parallelism", "4"],
        );
        apply.wait_until(&format!("create {k}"), |_| creates_sent(&sim) >= k);
        assert!(
            apply.kill(),
            "create {k}: the apply had ended before the kill"
        );
        let created_before = team_peerings(&sim);
        assert!(
            created_before > 0 && created_before < PEERINGS,
            "killed at create {k}: {created_before} of {PEERINGS} done, not some of them"
        );

        let rerun = sim.run(dir.path(), &["apply", "--auto-approve"]);
        assert_eq!(rerun.code, 0, "killed at create {k}: {rerun:?}");
        assert_eq!(
            team_peerings(&sim),
            PEERINGS,
            "killed at create {k} ({created_before} done before): one peering per pair"
        );
        assert_eq!(
            sim.run(dir.path(), &["plan", "--detailed-exitcode"]).code,
            0
        );
    }
}

#[test]
fn an_interrupt_finishes_what_is_under_way_reports_and_exits_130() {
    let sim = Sim::start(world_with_networks(30));
    sim.simulator.set_latency(Duration::from_millis(150));
    let dir = project(&file_with_peerings(0..30));
    let running = sim.running(
        dir.path(),
        &["apply", "--auto-approve", "--parallelism", "2"],
    );
    running.wait_until("a few creates", |_| sim.writes().len() >= 3);
    running.signal(libc::SIGINT);
    let (run, _) = running.finish();
    assert_eq!(run.code, 130, "{run:?}");
    assert!(run.stderr.contains("Interrupted"), "{}", run.stderr);
    assert!(run.stdout.contains("not started"), "{}", run.stdout);
    let done = team_peerings(&sim);
    assert!(done > 0 && done < 30, "{done} created before stopping");
    assert!(
        run.stdout
            .contains(&format!("Apply interrupted: {done} created")),
        "every create that happened is reported: {}",
        run.stdout
    );

    let rerun = sim.run(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(rerun.code, 0);
    assert_eq!(team_peerings(&sim), 30);
}

#[test]
fn fail_fast_starts_nothing_after_the_first_failure() {
    let sim = Sim::with_peerings("");
    let dir = project(&format!(
        "[[peering]]\nname = \"a fails\"\nnetwork = \"{NO_ROUTER}\"\npeer_network = \"{SILENT}\"\n\n\
         [[peering]]\nname = \"b\"\nnetwork = \"{APP}\"\npeer_network = \"{SILENT}\"\n\n\
         [[peering]]\nname = \"c\"\nnetwork = \"{BACKEND}\"\npeer_network = \"{SILENT}\"\n"
    ));
    let run = sim.run(
        dir.path(),
        &[
            "apply",
            "--auto-approve",
            "--fail-fast",
            "--parallelism",
            "1",
        ],
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains(
            "0 created, 0 updated, 0 deleted, 0 already converged, 1 failed, 2 not started"
        ),
        "{}",
        run.stdout
    );
    assert_eq!(sim.writes().len(), 1);
}

#[test]
fn a_reviewed_plan_applies_only_while_it_is_still_what_was_reviewed() {
    let sim = Sim::with_peerings("");
    let dir = project(&file_with_team_peering("reviewed name"));
    let saved = sim.run(dir.path(), &["plan", "--out", "plan.json"]);
    assert_eq!(saved.code, 0, "{saved:?}");
    let plan_file = std::fs::read_to_string(path_in(&dir, "plan.json")).unwrap();
    assert!(!plan_file.contains(TEAM_TOKEN));
    let document: serde_json::Value = serde_json::from_str(&plan_file).unwrap();
    assert!(
        document["checksum"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
    assert_eq!(document["plan"]["summary"]["create"], 1);

    // The file changes after the review: the plan is stale.
    std::fs::write(
        path_in(&dir, "peerings.toml"),
        file_with_team_peering("edited name"),
    )
    .unwrap();
    let stale = sim.run(dir.path(), &["apply", "--plan", "plan.json"]);
    assert_eq!(stale.code, 1);
    let stderr = stale.stderr.replace(&sim.url(), "[api-url]");
    insta::assert_snapshot!("stale_plan", stable(&stderr));
    assert!(sim.writes().is_empty());

    // A fresh plan applies without asking (there is no terminal here), because it was reviewed.
    assert_eq!(sim.run(dir.path(), &["plan", "--out", "plan.json"]).code, 0);
    let applied = sim.run(dir.path(), &["apply", "--plan", "plan.json"]);
    assert_eq!(applied.code, 0, "{applied:?}");
    assert_eq!(sim.peerings_of("team")[0].0, "edited name");
}

fn file_with_team_peering(name: &str) -> String {
    format!("[[peering]]\nname = \"{name}\"\nnetwork = \"{APP}\"\npeer_network = \"{SILENT}\"\n")
}

#[test]
fn no_credential_appears_in_any_output_of_any_command_at_any_verbosity() {
    let sim = Sim::with_peerings("");
    let dir = project(&file_with_team_peering("p"));
    let url = sim.url();
    // What each kind of credential must never show: the secret, and for HTTP Basic also the
    // base64 of `user:password` that goes into the `Authorization` header.
    let basic = basic_credentials(BASIC_USER, BASIC_PASSWORD);
    let wrong_token = "ucat_wrong_secret_value";
    type Environment<'a> = &'a [(&'a str, &'a str)];
    let credentials: [(Environment, Vec<&str>); 3] = [
        (&[("UPCLOUD_TOKEN", TEAM_TOKEN)], vec![TEAM_TOKEN]),
        (
            &[
                ("UPCLOUD_USERNAME", BASIC_USER),
                ("UPCLOUD_PASSWORD", BASIC_PASSWORD),
            ],
            vec![BASIC_PASSWORD, &basic],
        ),
        (&[("UPCLOUD_TOKEN", wrong_token)], vec![wrong_token]),
    ];
    // Each command's exit code with each credential above: the `basic` account does not hold
    // the file's network, so its create is refused; a wrong token is refused everywhere.
    let commands: [(&[&str], [i32; 3]); 5] = [
        (&["plan"], [0, 0, 1]),
        (&["plan", "--output", "json"], [0, 0, 1]),
        (&["apply", "--auto-approve"], [0, 1, 1]),
        (&["import"], [0, 0, 1]),
        (&["plan", "--out", "plan.json"], [0, 0, 1]),
    ];
    for (index, (env, secrets)) in credentials.iter().enumerate() {
        for (command, codes) in commands {
            for verbosity in [None, Some("-v"), Some("-vv"), Some("-vvv")] {
                let mut args: Vec<&str> = command.to_vec();
                args.extend(verbosity);
                for rust_log in [None, Some("trace")] {
                    let mut all_env: Vec<(&str, &str)> = env.to_vec();
                    all_env.push(("UPCLOUD_API_URL", &url));
                    if let Some(level) = rust_log {
                        all_env.push(("RUST_LOG", level));
                    }
                    let run = run_peerings(dir.path(), &args, &all_env);
                    assert_eq!(run.code, codes[index], "{args:?} {rust_log:?}: {run:?}");
                    assert!(!run.output().contains("panicked"), "{run:?}");
                    let written =
                        std::fs::read_to_string(path_in(&dir, "plan.json")).unwrap_or_default();
                    for secret in secrets {
                        assert!(
                            !run.output().contains(secret),
                            "{args:?} {rust_log:?} printed a secret"
                        );
                        assert!(!written.contains(secret), "the plan file holds a secret");
                    }
                }
            }
        }
    }
}

/// A server that answers every request with `response` (a raw HTTP/1.1 answer), and after
/// `delay` for the body where given.
fn hostile_server(response: Vec<u8>, stall_body: bool) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let response = response.clone();
            std::thread::spawn(move || {
                let mut request = [0u8; 4096];
                let _ = stream.read(&mut request);
                if stall_body {
                    let head_end = response.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
                    let _ = stream.write_all(&response[..head_end]);
                    std::thread::sleep(Duration::from_secs(5));
                } else {
                    let _ = stream.write_all(&response);
                }
            });
        }
    });
    format!("http://{address}")
}

fn http_answer(status: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

#[test]
fn hostile_answers_end_in_a_clear_error_and_never_a_panic() {
    let peering = |state: &str| {
        format!(
            r#"{{"network_peerings": {{"network_peering": [{{"uuid": "0f7984bc-5d72-4aaf-b587-90e6a8f32efc",
            "name": "odd", "configured_status": "active", "state": "{state}",
            "network": {{"uuid": "{APP}"}}, "peer_network": {{"uuid": "{SILENT}"}}}}]}},
            "networks": {{"network": []}}}}"#
        )
    };
    let huge = format!("{{\"x\": \"{}\"}}", "a".repeat(17 * 1024 * 1024));
    let cases: Vec<(&str, Vec<u8>, bool, &str)> = vec![
        (
            "invalid JSON",
            http_answer("200 OK", "{not json"),
            false,
            "invalid JSON body",
        ),
        (
            "missing fields",
            http_answer("200 OK", r#"{"network_peerings": {}}"#),
            false,
            "unexpected answer",
        ),
        (
            "wrong types",
            http_answer("200 OK", r#"{"network_peerings": {"network_peering": 5}}"#),
            false,
            "unexpected answer",
        ),
        (
            "huge body",
            http_answer("200 OK", &huge),
            false,
            "larger than",
        ),
        (
            "slow body",
            http_answer("200 OK", "{}"),
            true,
            "no complete answer within 1.0 s",
        ),
        (
            "HTML error page",
            {
                let body = "<html><body>502 Bad Gateway</body></html>";
                format!("HTTP/1.1 418 I'm a teapot\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()).into_bytes()
            },
            false,
            "HTTP 418",
        ),
        (
            "unknown state",
            http_answer("200 OK", &peering("half-moon")),
            false,
            "",
        ),
    ];
    let dir = project(&file_with_team_peering("odd"));
    for (case, response, stall, expected) in cases {
        let url = hostile_server(response, stall);
        let run = run_peerings(
            dir.path(),
            &["plan", "--timeout", "1s", "--max-retries", "1"],
            &[("UPCLOUD_API_URL", &url), ("UPCLOUD_TOKEN", "t")],
        );
        assert!(!run.output().contains("panicked"), "{case}: {run:?}");
        if expected.is_empty() {
            // An unknown state is shown as it is.
            assert_eq!(run.code, 0, "{case}: {run:?}");
            assert!(
                run.stdout
                    .contains("half-moon: a state this version of peerings does not know"),
                "{case}: {}",
                run.stdout
            );
        } else {
            assert_eq!(run.code, 1, "{case}: {run:?}");
            assert!(run.stderr.contains(expected), "{case}: {}", run.stderr);
        }
    }
}

#[test]
fn when_the_api_tells_one_request_to_wait_no_request_of_the_account_starts_until_it_is_over() {
    use common::scripted::{Reply, Scripted, network_list, one_peering, peering, peering_list};
    // The first create is told to wait two seconds; the others are answered after 300 ms.
    let told = std::sync::atomic::AtomicBool::new(false);
    let server = Scripted::start(move |request| {
        use std::sync::atomic::Ordering;
        match request.method.as_str() {
            "GET" if request.path.starts_with("/1.3/network-peering") => peering_list(&[]),
            "GET" => network_list(&[APP, BACKEND, NO_ROUTER]),
            _ if !told.swap(true, Ordering::SeqCst) => {
                Reply::json("429 Too Many Requests", "").header("Retry-After", "2")
            }
            _ => {
                std::thread::sleep(Duration::from_millis(300));
                let sent: serde_json::Value = serde_json::from_str(&request.body).unwrap();
                let network = sent["network_peering"]["network"]["uuid"].as_str().unwrap();
                let created = peering(
                    "0f7984bc-5d72-4aaf-b587-90e6a8f32efc",
                    "created",
                    (network, SILENT),
                    ("active", "pending-peer"),
                    true,
                );
                one_peering("201 Created", &created)
            }
        }
    });
    let dir = project(&format!(
        "[[peering]]\nname = \"a\"\nnetwork = \"{APP}\"\npeer_network = \"{SILENT}\"\n\n\
         [[peering]]\nname = \"b\"\nnetwork = \"{BACKEND}\"\npeer_network = \"{SILENT}\"\n\n\
         [[peering]]\nname = \"c\"\nnetwork = \"{NO_ROUTER}\"\npeer_network = \"{SILENT}\"\n"
    ));
    let run = run_peerings(
        dir.path(),
        &["apply", "--auto-approve", "--parallelism", "2"],
        &[("UPCLOUD_API_URL", &server.url), ("UPCLOUD_TOKEN", "t")],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("3 created"), "{}", run.stdout);
    let posts: Vec<std::time::Instant> = server
        .requests()
        .iter()
        .filter(|request| request.method == "POST")
        .map(|request| request.at)
        .collect();
    assert_eq!(posts.len(), 4, "three creates, one of them twice");
    let told_at = posts[0];
    let during_the_wait: Vec<Duration> = posts[1..]
        .iter()
        .map(|at| at.duration_since(told_at))
        .filter(|since| *since > Duration::from_millis(100) && *since < Duration::from_secs(2))
        .collect();
    assert!(
        during_the_wait.is_empty(),
        "requests started {during_the_wait:?} after the 429 asked for 2 s"
    );
}
