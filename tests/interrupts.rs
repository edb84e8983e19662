//! Ctrl-C and SIGTERM in every phase of an apply: reading the accounts, the prompt, the changes
//! (a retry's back-off, a delete's wait for `disabled`), and `--wait`. Each time nothing new
//! starts, the run ends within about a second with exit 130, and what it says is what happened.

mod common;

use std::time::Duration;

use common::running::Running;
use common::scripted::{Reply, Scripted, network_list, peering_list};
use common::*;

/// An interrupt is heard within a second; the bound leaves room for a busy machine while still
/// telling "at once" from the minutes of a `Retry-After` or a `--wait-timeout`.
const PROMPTLY: Duration = Duration::from_secs(3);

fn two_peerings_to_the_silent_peer() -> String {
    format!(
        "[[peering]]\nname = \"a\"\nnetwork = \"{APP}\"\npeer_network = \"{SILENT}\"\n\n\
         [[peering]]\nname = \"b\"\nnetwork = \"{BACKEND}\"\npeer_network = \"{SILENT}\"\n"
    )
}

#[test]
fn sigterm_during_a_retry_after_of_minutes_ends_the_run_at_once_and_sends_nothing_new() {
    let server = Scripted::start(|request| match request.method.as_str() {
        "GET" if request.path.starts_with("/1.3/network-peering") => peering_list(&[]),
        "GET" => network_list(&[APP, BACKEND]),
        _ => Reply::json("429 Too Many Requests", "").header("Retry-After", "120"),
    });
    let dir = project(&two_peerings_to_the_silent_peer());
    let running = Running::start(
        dir.path(),
        &["apply", "--auto-approve", "--parallelism", "1"],
        &[("UPCLOUD_API_URL", &server.url), ("UPCLOUD_TOKEN", "t")],
    );
    running.wait_until("the first create", |_| !server.writes().is_empty());
    std::thread::sleep(Duration::from_millis(200));
    running.signal(libc::SIGTERM);
    let (run, took) = running.finish();

    assert_eq!(run.code, 130, "{run:?}");
    assert!(took < PROMPTLY, "took {took:?}");
    assert_eq!(server.writes().len(), 1, "no write after the signal");
    assert!(
        run.stdout.contains(
            "? interrupted a: create peering \"a\": interrupted while waiting to retry; the one \
             attempt got HTTP 429 Too Many Requests"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "Apply interrupted: 0 created, 0 updated, 0 deleted, 0 already converged, 0 failed, \
             1 interrupted, 1 not started."
        ),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("Interrupted: starting nothing new"));
}

#[test]
fn an_interrupt_while_a_delete_waits_for_disabled_stops_the_wait_and_says_it_is_disabled() {
    let sim = Sim::with_peerings(&format!(
        "[[peering]]\naccount = \"team\"\nname = \"old\"\nnetwork = \"{APP}\"\n\
         peer_network = \"{SILENT}\"\nlabels = {{ managed-by = \"peerings\" }}\n"
    ));
    // Disabling takes a minute: the delete polls for `disabled` all that time.
    sim.simulator.set_provisioning(Duration::from_secs(60));
    let dir = project("prune = true\n");
    let running = sim.running(
        dir.path(),
        &["apply", "--auto-approve", "--poll-interval", "200ms"],
    );
    running.wait_until("the disable", |_| !sim.writes().is_empty());
    std::thread::sleep(Duration::from_millis(300));
    running.signal(libc::SIGINT);
    let (run, took) = running.finish();

    assert_eq!(run.code, 130, "{run:?}");
    assert!(took < PROMPTLY, "took {took:?}");
    let writes = sim.write_methods();
    assert_eq!(writes, ["PATCH"], "disabled, never deleted");
    assert!(
        run.stdout.contains(
            "? interrupted old: \"old\" was disabled, but the run was interrupted before it was \
             deleted; run apply again to finish it"
        ),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("Apply interrupted:"), "{}", run.stdout);
    assert_eq!(sim.peerings_of("team")[0].3, "disabled");
}

#[test]
fn an_interrupt_while_apply_waits_stops_watching_and_shows_the_states_last_seen() {
    let sim = Sim::with_peerings("");
    let dir = project(&two_peerings_to_the_silent_peer());
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
    // The silent peer never creates its half: without the signal this waits 5 minutes.
    running.wait_until("the first look", |running| {
        running.stdout().contains("  b: pending-peer")
    });
    running.signal(libc::SIGINT);
    let (run, took) = running.finish();

    assert_eq!(run.code, 130, "{run:?}");
    assert!(took < PROMPTLY, "took {took:?}");
    assert!(
        run.stdout.contains(
            "Waiting up to 300 s for 2 peerings to settle:\n  - a, until active\n  - b, until active\n"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("Waiting interrupted; the states last seen:"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("still waiting"), "{}", run.stdout);
    assert!(run.stderr.contains("no longer waiting"), "{}", run.stderr);
}

#[test]
fn an_interrupt_while_the_accounts_are_read_changes_nothing_and_exits_130() {
    let sim = Sim::with_peerings("");
    sim.simulator.set_latency(Duration::from_secs(10));
    let dir = project(&two_peerings_to_the_silent_peer());
    let running = sim.running(dir.path(), &["apply", "--auto-approve"]);
    running.wait_until("the reads", |_| !sim.log().is_empty());
    running.signal(libc::SIGINT);
    let (run, took) = running.finish();

    assert_eq!(run.code, 130, "{run:?}");
    assert!(took < PROMPTLY, "took {took:?}");
    assert!(
        run.stderr
            .contains("Interrupted while reading the accounts; nothing was changed."),
        "{}",
        run.stderr
    );
    assert!(sim.writes().is_empty());
}

#[test]
fn a_second_interrupt_aborts_at_once_without_waiting_for_the_request_under_way() {
    // Creates take ten seconds to answer.
    let server = Scripted::start(|request| match request.method.as_str() {
        "GET" if request.path.starts_with("/1.3/network-peering") => peering_list(&[]),
        "GET" => network_list(&[APP, BACKEND]),
        _ => {
            std::thread::sleep(Duration::from_secs(10));
            Reply::json("503 Service Unavailable", "")
        }
    });
    let dir = project(&two_peerings_to_the_silent_peer());
    let running = Running::start(
        dir.path(),
        &["apply", "--auto-approve", "--parallelism", "1"],
        &[("UPCLOUD_API_URL", &server.url), ("UPCLOUD_TOKEN", "t")],
    );
    running.wait_until("the first create", |_| !server.writes().is_empty());
    running.signal(libc::SIGINT);
    running.wait_until("the notice", |running| {
        running
            .stderr()
            .contains("Interrupted: starting nothing new")
    });
    running.signal(libc::SIGINT);
    let (run, took) = running.finish();

    assert_eq!(run.code, 130, "{run:?}");
    assert!(took < PROMPTLY, "took {took:?}");
    assert!(run.stderr.contains("Aborted at once"), "{}", run.stderr);
    assert_eq!(server.writes().len(), 1);
}

#[test]
fn ctrl_c_at_the_prompt_says_nothing_was_changed_and_exits_130() {
    let sim = Sim::with_peerings("");
    let dir = project(&two_peerings_to_the_silent_peer());
    let running = sim.apply_at_the_prompt(dir.path(), &[]);
    running.signal(libc::SIGINT);
    let (run, took) = running.finish();

    assert_eq!(run.code, 130, "{run:?}");
    assert!(took < PROMPTLY, "took {took:?}");
    assert!(
        run.stderr
            .contains("[y/N] \r\nInterrupted at the prompt; nothing was changed.\r\n"),
        "{:?}",
        run.stderr
    );
    assert!(sim.writes().is_empty());
}

#[test]
fn ctrl_d_at_the_prompt_declines_on_a_line_of_its_own() {
    let sim = Sim::with_peerings("");
    let dir = project(&two_peerings_to_the_silent_peer());
    let running = sim.apply_at_the_prompt(dir.path(), &[]);
    running.type_keys(b"\x04");
    let (run, _) = running.finish();

    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr
            .ends_with("[y/N] \r\nNot applied; nothing was changed.\r\n"),
        "{:?}",
        run.stderr
    );
    assert!(sim.writes().is_empty());
}

#[test]
fn sigterm_while_a_found_peering_waits_to_be_updated_ends_the_run_at_once() {
    // The create conflicts; the peering found differs; its update is told to wait two minutes.
    let created = std::sync::atomic::AtomicBool::new(false);
    let server = Scripted::start(move |request| {
        use std::sync::atomic::Ordering;
        let found = common::scripted::peering(
            "0f7984bc-5d72-4aaf-b587-90e6a8f32efc",
            "manual",
            (APP, SILENT),
            ("active", "pending-peer"),
            true,
        );
        match request.method.as_str() {
            "GET" if request.path.starts_with("/1.3/network-peering") => {
                if created.load(Ordering::SeqCst) {
                    peering_list(&[found])
                } else {
                    peering_list(&[])
                }
            }
            "GET" => network_list(&[APP]),
            "POST" => {
                created.store(true, Ordering::SeqCst);
                common::scripted::api_error("409 Conflict", "PEERING_CONFLICT")
            }
            _ => Reply::json("429 Too Many Requests", "").header("Retry-After", "120"),
        }
    });
    let dir = project(&format!(
        "[[peering]]\nname = \"wanted\"\nnetwork = \"{APP}\"\npeer_network = \"{SILENT}\"\n"
    ));
    let running = Running::start(
        dir.path(),
        &["apply", "--auto-approve"],
        &[("UPCLOUD_API_URL", &server.url), ("UPCLOUD_TOKEN", "t")],
    );
    running.wait_until("the update", |_| server.writes().len() == 2);
    std::thread::sleep(Duration::from_millis(200));
    running.signal(libc::SIGTERM);
    let (run, took) = running.finish();

    assert_eq!(run.code, 130, "{run:?}");
    assert!(took < PROMPTLY, "took {took:?}");
    assert_eq!(
        server.writes().len(),
        2,
        "the create and one update, nothing after"
    );
    assert!(
        run.stdout.contains(
            "? interrupted wanted: modify peering \"wanted\": interrupted while waiting to retry"
        ),
        "{}",
        run.stdout
    );
}
