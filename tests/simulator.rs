//! The README's quick start: `--api-url sim:STATE` runs the simulator in-process with its state
//! in a file, and `sim serve` serves it to any client.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::*;
use peerings::sim::World;

const EXAMPLE: &str = include_str!("../peerings.toml.example");

#[test]
fn the_quick_start_converges_across_invocations_with_the_state_in_a_file() {
    let dir = project(EXAMPLE);
    let run = |args: &[&str]| run_quick_start(dir.path(), args);

    let plan = run(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 2, "{plan:?}");
    let apply = run(&["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{apply:?}");
    insta::assert_snapshot!("quick_start_apply", stable(&apply.stdout));
    assert!(path_in(&dir, "demo-state.json").exists());

    let again = run(&["plan", "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(
        again.stdout.contains("active: established both ways"),
        "{}",
        again.stdout
    );
}

#[test]
fn the_commented_out_example_peering_shows_the_missing_router_and_what_to_do() {
    let uncommented = EXAMPLE
        .replace("# [[peering]]", "[[peering]]")
        .replace("# name = \"legacy-hel1", "name = \"legacy-hel1")
        .replace("# network = \"legacy-hel1\"", "network = \"legacy-hel1\"")
        .replace(
            "# peer_network = \"aiven-hel1\"",
            "peer_network = \"aiven-hel1\"",
        );
    assert_ne!(uncommented, EXAMPLE);
    let dir = project(&uncommented);
    let sim_url = format!("sim:{}", path_in(&dir, "state.json").display());
    let run = run_peerings(
        dir.path(),
        &["--api-url", &sim_url, "apply", "--auto-approve"],
        &[],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.contains("LOCAL_NETWORK_NO_ROUTER"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("attach a router to network legacy-hel1"),
        "{}",
        run.stdout
    );
}

#[test]
fn sim_serve_serves_any_client_and_keeps_its_state() {
    let dir = project(EXAMPLE);
    let state = path_in(&dir, "served.json");
    let mut server = Command::new(env!("CARGO_BIN_EXE_peerings"))
        .args(["sim", "serve", "--listen", "127.0.0.1:0", "--state"])
        .arg(&state)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("sim serve starts");
    let mut first_line = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut first_line)
        .expect("sim serve prints its address");
    let url = first_line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {first_line:?}"))
        .to_owned();

    let env = [
        ("UPCLOUD_API_URL", url.as_str()),
        ("UPCLOUD_TOKEN", "ucat_demo_0000000000000000"),
        ("AIVEN_API_URL", url.as_str()),
        ("AIVEN_TOKEN", "aiven-demo-token-0000000000"),
    ];
    let apply = run_peerings(dir.path(), &["apply", "--auto-approve"], &env);
    let plan = run_peerings(dir.path(), &["plan", "--detailed-exitcode"], &env);
    server.kill().ok();
    server.wait().ok();
    assert_eq!(apply.code, 0, "{apply:?}");
    assert_eq!(plan.code, 0, "{plan:?}");
    let saved = std::fs::read_to_string(&state).expect("state file written");
    assert!(saved.contains("app-hel1 to aiven-hel1"));
    assert!(
        saved.contains("\"peer_vpc\": \"88ac25ea-0b4f-424e-8668-82b747169590\""),
        "the Aiven half of the example's [[aiven_peering]]"
    );
}

#[test]
fn two_processes_sharing_one_state_file_keep_every_write() {
    // Each run adds 15 peerings to one state file at the same moment, 20 ms a request, so
    // their writes interleave.
    let dir = tempfile::tempdir().unwrap();
    let mut world = world_with_networks(30);
    world.faults.latency_ms = 20;
    let state = dir.path().join("shared.json");
    std::fs::write(&state, serde_json::to_string(&world).unwrap()).unwrap();
    std::fs::write(dir.path().join("a.toml"), file_with_peerings(0..15)).unwrap();
    std::fs::write(dir.path().join("b.toml"), file_with_peerings(15..30)).unwrap();
    let sim_url = format!("sim:{}", state.display());
    let apply = |file: &'static str| {
        let (dir, sim_url) = (dir.path(), sim_url.as_str());
        move || {
            run_peerings(
                dir,
                &["--api-url", sim_url, "-f", file, "apply", "--auto-approve"],
                &[("UPCLOUD_TOKEN", TEAM_TOKEN)],
            )
        }
    };
    let runs: Vec<Run> = std::thread::scope(|scope| {
        let a = scope.spawn(apply("a.toml"));
        let b = scope.spawn(apply("b.toml"));
        vec![a.join().unwrap(), b.join().unwrap()]
    });
    for run in &runs {
        assert_eq!(run.code, 0, "{run:?}");
        assert!(run.stdout.contains("15 created"), "{}", run.stdout);
    }
    let saved: World = serde_json::from_str(&std::fs::read_to_string(&state).unwrap()).unwrap();
    assert_eq!(team_peerings_in(&saved), 30, "both runs' creates survive");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_world_file_error_is_said_once() {
    let dir = project("");
    std::fs::write(
        path_in(&dir, "world.toml"),
        "default_account = \"a\"\nbogus = 1\n\n[accounts.a]\ntoken = \"x\"\n",
    )
    .expect("write the world");
    let run = run_peerings(
        dir.path(),
        &[
            "sim",
            "serve",
            "--world",
            "world.toml",
            "--listen",
            "127.0.0.1:0",
        ],
        &[],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("world.toml is not valid"), "{run:?}");
    assert_eq!(
        run.stderr.matches("unknown field `bogus`").count(),
        1,
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.matches("line 2").count(), 1, "{}", run.stderr);
}

#[test]
fn the_quick_start_ignores_credentials_in_the_environment_and_says_so() {
    let dir = project(EXAMPLE);
    let sim_url = format!("sim:{}", path_in(&dir, "state.json").display());
    for credentials in [
        &[("UPCLOUD_TOKEN", "ucat_x")][..],
        &[
            ("UPCLOUD_USERNAME", "someone"),
            ("UPCLOUD_PASSWORD", "secret"),
        ],
    ] {
        let run = run_peerings(
            dir.path(),
            &["-v", "--api-url", &sim_url, "plan", "--detailed-exitcode"],
            credentials,
        );
        assert_eq!(run.code, 2, "{credentials:?}: {run:?}");
        assert!(
            run.stderr
                .contains("the simulator acts as its account demo; the credentials in the environment are not used"),
            "-v says so: {}",
            run.stderr
        );
    }
    let quiet = run_peerings(
        dir.path(),
        &["--api-url", &sim_url, "apply", "--auto-approve"],
        &[("UPCLOUD_TOKEN", "ucat_x")],
    );
    assert_eq!(quiet.code, 0, "{quiet:?}");
    assert_eq!(quiet.stderr, "", "without -v, nothing on stderr");
}
