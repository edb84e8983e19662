//! The servers that need a DHCP renewal once a peering turns active (#14): the plan names them
//! when it can tell, `apply` when it happens (also while `--wait` watches), `check` lists them
//! for an inventory. The built binary against the simulator over real HTTP.

mod common;

use std::time::Duration;

use common::aiven::*;
use common::*;
use serde_json::Value;

/// Servers on the test world's network `app`.
const WEB: [(&str, &str); 2] = [
    ("5e000000-0000-4000-8000-000000000001", "web-1"),
    ("5e000000-0000-4000-8000-000000000002", "web-2"),
];

/// Servers on the test world's network `backend`.
const API: [(&str, &str); 1] = [("5e000000-0000-4000-8000-000000000011", "api-1")];

/// The test world with these servers attached to its networks, by network name.
fn sim_with_servers(servers: &[(&str, &[(&str, &str)])]) -> Sim {
    let world = world_with_servers(servers);
    Sim::start(peerings::sim::World::from_toml(&world).expect("test world with servers"))
}

/// The test world, as a world file, with these servers attached to its networks.
fn world_with_servers(servers: &[(&str, &[(&str, &str)])]) -> String {
    let mut world = TEST_WORLD.to_owned();
    for (network, attached) in servers {
        let entries: Vec<String> = attached
            .iter()
            .map(|(uuid, title)| format!("{{ uuid = \"{uuid}\", title = \"{title}\" }}"))
            .collect();
        let line = format!("name = \"{network}\"\n");
        assert_eq!(world.matches(&line).count(), 1, "one network {network}");
        world = world.replace(
            &line,
            &format!("{line}servers = [{}]\n", entries.join(", ")),
        );
    }
    world
}

fn peering(name: &str, network: &str, peer_network: &str) -> String {
    format!(
        "[[peering]]\nname = \"{name}\"\nnetwork = \"{network}\"\npeer_network = \"{peer_network}\"\n\n"
    )
}

/// The note `apply` prints about DHCP renewals, from its headline to the end of the output.
fn renewal_note(stdout: &str) -> Option<&str> {
    stdout
        .find("Renew the DHCP lease")
        .map(|start| &stdout[start..])
}

const HOW: &str = "  On each: `dhclient -r IFACE && dhclient IFACE`, or `networkctl renew IFACE` on\n  \
     systemd-networkd, IFACE being its interface on that network.\n  \
     Servers created from now on get the routes at boot.\n";

#[test]
fn a_create_that_turns_active_at_once_names_the_servers_on_its_network() {
    let sim = sim_with_servers(&[("app", &WEB)]);
    // The aiven account creates its half as soon as ours exists.
    let dir = project(&peering("app to aiven", APP, AIVEN));
    let run = sim.run(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        stable(&run.stdout).contains("app to aiven: [uuid], active"),
        "{}",
        run.stdout
    );
    let note = renewal_note(&run.stdout).expect("a note after the apply");
    assert!(
        run.stdout.find("Apply complete") < run.stdout.find("Renew the DHCP lease"),
        "after the summary: {}",
        run.stdout
    );
    insta::assert_snapshot!("renewal_note_after_apply", note);
    assert!(note.ends_with(HOW), "{note}");
    let reads: Vec<String> = sim
        .log()
        .iter()
        .filter(|request| request.method == "GET")
        .map(|request| request.path.clone())
        .collect();
    assert_eq!(
        reads.len(),
        2,
        "the plan's two reads, no request for the servers: {reads:?}"
    );
}

#[test]
fn a_create_left_pending_names_no_server_until_the_wait_sees_it_turn_active() {
    let sim = sim_with_servers(&[("app", &WEB)]);
    let dir = project(&peering("app to silent", APP, SILENT));
    let running = sim.running(
        dir.path(),
        &[
            "apply",
            "--auto-approve",
            "--wait",
            "--poll-interval",
            "100ms",
        ],
    );
    running.wait_until("the first look", |running| {
        running.stdout().contains("  app to silent: pending-peer\n")
    });
    assert!(
        renewal_note(&running.stdout()).is_none(),
        "pending-peer is not active: {}",
        running.stdout()
    );

    // The silent account's owner creates their half; their network has no servers, so their
    // apply has nothing to say about renewals.
    let theirs = project(&peering("silent to app", SILENT, APP));
    let their_apply = run_peerings(
        theirs.path(),
        &["apply", "--auto-approve"],
        &[
            ("UPCLOUD_API_URL", &sim.url()),
            ("UPCLOUD_TOKEN", "ucat_silent"),
        ],
    );
    assert_eq!(their_apply.code, 0, "{their_apply:?}");
    assert!(
        stable(&their_apply.stdout).contains("silent to app: [uuid], active"),
        "{their_apply:?}"
    );
    assert!(!their_apply.output().contains("DHCP"), "{their_apply:?}");

    let (run, _) = running.finish();
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout
            .contains("  app to silent: pending-peer -> active\n"),
        "{}",
        run.stdout
    );
    let final_states = run.stdout.find("Final states:").expect("final states");
    let note = renewal_note(&run.stdout).expect("a note once it turned active");
    assert!(
        run.stdout.find("Renew the DHCP lease") > Some(final_states),
        "{}",
        run.stdout
    );
    insta::assert_snapshot!("renewal_note_while_waiting", note);
    assert_eq!(run.stdout.matches("Renew the DHCP lease").count(), 1);
}

#[test]
fn a_network_without_servers_prints_nothing() {
    let sim = sim_with_servers(&[("app", &WEB)]);
    let dir = project(&peering("backend to aiven", BACKEND, AIVEN));
    let plan = sim.run(dir.path(), &["plan"]);
    assert!(!plan.output().contains("DHCP"), "{plan:?}");
    let apply = sim.run(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{apply:?}");
    assert!(apply.stdout.contains("active"), "{apply:?}");
    assert!(!apply.output().contains("DHCP"), "{apply:?}");
    assert!(!apply.output().contains("dhclient"), "{apply:?}");
}

/// The events of `apply --output json` that carry `renew_dhcp`, as (event, name, titles).
fn renewals_in_events(stdout: &str) -> Vec<(String, String, Vec<String>)> {
    stdout
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).expect("one JSON event a line"))
        .filter(|event| event.get("renew_dhcp").is_some())
        .map(|event| {
            (
                event["event"].as_str().unwrap_or_default().to_owned(),
                event["name"].as_str().unwrap_or_default().to_owned(),
                titles(&event["renew_dhcp"]),
            )
        })
        .collect()
}

/// The changes of `plan --output json` that carry `renew_dhcp`, as (name, titles).
fn renewals_in_plan(stdout: &str) -> Vec<(String, Vec<String>)> {
    let plan: Value = serde_json::from_str(stdout).expect("JSON");
    plan["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|change| change.get("renew_dhcp").is_some())
        .map(|change| {
            (
                change["name"].as_str().unwrap_or_default().to_owned(),
                titles(&change["renew_dhcp"]),
            )
        })
        .collect()
}

fn titles(servers: &Value) -> Vec<String> {
    servers
        .as_array()
        .expect("a list of servers")
        .iter()
        .map(|server| {
            assert!(server["uuid"].is_string(), "{server}");
            server["title"].as_str().unwrap_or_default().to_owned()
        })
        .collect()
}

#[test]
fn the_json_key_is_present_exactly_when_a_peering_turns_active() {
    let sim = sim_with_servers(&[("app", &WEB)]);
    // Both halves of app <-> backend are in this account and this file: the plan can tell they
    // turn active. Aiven's account is not read: the plan cannot tell, the apply sees it. The
    // silent peer never creates its half.
    let dir = project(&format!(
        "{}{}{}{}",
        peering("app to backend", APP, BACKEND),
        peering("backend to app", BACKEND, APP),
        peering("app to aiven", APP, AIVEN),
        peering("backend to silent", BACKEND, SILENT),
    ));
    let plan = sim.run(dir.path(), &["plan", "--output", "json"]);
    assert_eq!(plan.code, 0, "{plan:?}");
    assert_eq!(
        renewals_in_plan(&plan.stdout),
        [
            (
                "app to backend".to_owned(),
                vec!["web-1".into(), "web-2".into()]
            ),
            ("backend to app".to_owned(), vec![]),
        ]
    );

    let apply = sim.run(dir.path(), &["apply", "--output", "json", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{apply:?}");
    let web = || vec!["web-1".to_owned(), "web-2".to_owned()];
    assert_eq!(
        renewals_in_events(&apply.stdout),
        [
            ("became_active".to_owned(), "app to aiven".to_owned(), web()),
            (
                "became_active".to_owned(),
                "app to backend".to_owned(),
                web()
            ),
            (
                "became_active".to_owned(),
                "backend to app".to_owned(),
                vec![]
            ),
        ],
        "only peerings that turned active, once each, the plan event aside: {}",
        apply.stdout
    );
    let kinds: Vec<String> = apply
        .stdout
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).expect("JSON")["event"].to_string())
        .collect();
    assert_eq!(kinds.last().map(String::as_str), Some("\"summary\""));
}

#[test]
fn the_upcloud_half_of_an_aiven_peering_aiven_waits_for_is_expected_active_and_turns_so() {
    // Aiven built its half towards `app` before this plan: the connection is PENDING_PEER and
    // shows the Aiven network ID, so the UpCloud half the plan creates turns active at once.
    let world = format!(
        "{}\n{AIVEN_WORLD}\n[[aiven.connection]]\nproject = \"{PROJECT}\"\nvpc = \"{VPC_HEL1}\"\npeer_vpc = \"{APP}\"\n",
        world_with_servers(&[("app", &WEB)])
    );
    let sim = Sim::start(peerings::sim::World::from_toml(&world).expect("Aiven world"));
    let dir = project(&format!(
        "[aiven]\n\n{}",
        aiven_peering("app to aiven", VPC_HEL1, APP)
    ));
    let expected = "expected to turn active: 2 servers on app will then need a DHCP renewal \
                    (web-1, web-2)";

    let human = sim.run_aiven(dir.path(), &["plan"]);
    assert_eq!(human.code, 0, "{human:?}");
    insta::assert_snapshot!("plan_of_an_aiven_half_with_renewals", stable(&human.stdout));
    assert!(human.stdout.contains(expected), "{}", human.stdout);
    let markdown = sim.run_aiven(dir.path(), &["plan", "--output", "markdown"]);
    assert!(
        markdown.stdout.contains(&format!(
            "#### DHCP renewals\n\n- **app to aiven**: {expected}\n"
        )),
        "{}",
        markdown.stdout
    );
    let json = sim.run_aiven(dir.path(), &["plan", "--output", "json"]);
    assert_eq!(
        renewals_in_plan(&json.stdout),
        [(
            "app to aiven".to_owned(),
            vec!["web-1".to_owned(), "web-2".to_owned()]
        )]
    );
    let document: Value = serde_json::from_str(&json.stdout).expect("JSON");
    let upcloud_half = document["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .find(|change| change["platform"] == "upcloud")
        .expect("the UpCloud half");
    assert!(upcloud_half.get("renew_dhcp").is_some(), "{upcloud_half}");
    assert!(sim.writes().is_empty());

    let apply = sim.run_aiven(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{apply:?}");
    let note = renewal_note(&apply.stdout).expect("the apply saw it turn active");
    assert!(
        note.contains("now peered by app to aiven:") && note.contains("web-2"),
        "as the plan said: {note}"
    );
}

#[test]
fn the_plan_names_five_servers_and_counts_the_rest_in_text_and_markdown() {
    let many: Vec<(String, String)> = (1..=7)
        .map(|n| {
            (
                format!("5e000000-0000-4000-8000-00000000010{n}"),
                format!("web-{n}"),
            )
        })
        .collect();
    let many: Vec<(&str, &str)> = many.iter().map(|(u, t)| (u.as_str(), t.as_str())).collect();
    let sim = sim_with_servers(&[("app", &many)]);
    let dir = project(&format!(
        "[networks]\napp = \"{APP}\"\nbackend = \"{BACKEND}\"\n\n{}{}",
        peering("app to backend", "app", "backend"),
        peering("backend to app", "backend", "app"),
    ));
    let human = sim.run(dir.path(), &["plan"]);
    assert_eq!(human.code, 0, "{human:?}");
    insta::assert_snapshot!("plan_with_renewals", human.stdout);
    let markdown = sim.run(dir.path(), &["plan", "--output", "markdown"]);
    assert_eq!(markdown.code, 0, "{markdown:?}");
    assert!(
        markdown.stdout.contains(
            "#### DHCP renewals\n\n- **app to backend**: expected to turn active: 7 servers on app \
             will then need a DHCP renewal (web-1, web-2, web-3, web-4, web-5 + 2 more)\n\n"
        ),
        "{}",
        markdown.stdout
    );
    assert!(
        !markdown.stdout.contains("- **backend to app**"),
        "no servers on backend: {}",
        markdown.stdout
    );
}

#[test]
fn check_lists_the_servers_on_the_network_of_each_active_peering_with_the_same_exit_codes() {
    let sim = sim_with_servers(&[("app", &WEB)]);
    let dir = project(&peering("app to aiven", APP, AIVEN));
    assert_eq!(sim.run(dir.path(), &["apply", "--auto-approve"]).code, 0);
    let in_sync = sim.run(dir.path(), &["check", "--output", "json"]);
    assert_eq!(in_sync.code, 0, "{in_sync:?}");
    let report: Value = serde_json::from_str(&in_sync.stdout).expect("JSON");
    assert_eq!(
        titles(&report["peerings"][0]["network_servers"]),
        ["web-1", "web-2"]
    );

    let dir = project(&format!(
        "{}{}",
        peering("app to aiven", APP, AIVEN),
        peering("app to silent", APP, SILENT)
    ));
    assert_eq!(sim.run(dir.path(), &["apply", "--auto-approve"]).code, 0);
    let unhealthy = sim.run(dir.path(), &["check", "--output", "json"]);
    assert_eq!(unhealthy.code, 3, "{unhealthy:?}");
    let report: Value = serde_json::from_str(&unhealthy.stdout).expect("JSON");
    let pending = &report["peerings"][1];
    assert_eq!(pending["state"], "pending-peer");
    assert!(pending["network_servers"].is_null(), "{pending}");
}

#[test]
fn an_interrupt_while_waiting_still_names_what_turned_active_and_nothing_else() {
    let sim = sim_with_servers(&[("app", &WEB), ("backend", &API)]);
    let dir = project(&format!(
        "{}{}",
        peering("app to aiven", APP, AIVEN),
        peering("backend to silent", BACKEND, SILENT)
    ));
    let running = sim.running(
        dir.path(),
        &[
            "apply",
            "--auto-approve",
            "--wait",
            "--poll-interval",
            "200ms",
        ],
    );
    running.wait_until("the first look", |running| {
        running
            .stdout()
            .contains("  backend to silent: pending-peer\n")
    });
    running.signal(libc::SIGINT);
    let (run, took) = running.finish();

    assert_eq!(run.code, 130, "{run:?}");
    assert!(took < Duration::from_secs(3), "took {took:?}");
    assert_eq!(sim.writes().len(), 2, "the two creates, nothing after");
    let note = renewal_note(&run.stdout).expect("the note of the changes");
    assert!(note.contains("now peered by app to aiven:"), "{note}");
    assert!(note.contains("web-1"), "{note}");
    assert!(
        !run.stdout.contains("api-1"),
        "backend to silent is pending: {}",
        run.stdout
    );
    assert_eq!(run.stdout.matches("Renew the DHCP lease").count(), 1);
    assert!(
        run.stdout.find("Renew the DHCP lease") < run.stdout.find("Waiting up to"),
        "said before the wait began: {}",
        run.stdout
    );
}
