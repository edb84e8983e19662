//! `peerings validate`: offline, with every problem of the file reported at once.

mod common;

use common::*;

#[test]
fn a_valid_file_validates_offline() {
    let dir = project(include_str!("../peerings.toml.example"));
    // An API URL that cannot answer and no credentials: validate needs neither.
    let run = run_peerings(
        dir.path(),
        &["validate"],
        &[
            ("UPCLOUD_API_URL", "http://127.0.0.1:9"),
            ("AIVEN_API_URL", "http://127.0.0.1:9"),
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        "peerings.toml is valid: 2 peerings, 1 Aiven peering, 5 network aliases.\n"
    );
}

#[test]
fn validate_counts_in_the_singular_and_per_account() {
    let one = r#"[networks]
app = "11111111-1111-4111-8111-111111111111"

[[peering]]
name = "p"
network = "app"
peer_network = "22222222-2222-4222-8222-222222222222"
"#;
    let dir = project(one);
    let run = run_peerings(dir.path(), &["validate"], &[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        "peerings.toml is valid: 1 peering, 1 network alias.\n"
    );
    let dir = project(include_str!("../examples/multi-account.toml"));
    let run = run_peerings(dir.path(), &["validate"], &[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        "peerings.toml is valid: 4 peerings (2 in demo, 2 in platform), 1 link (2 of the \
         peerings), 4 network aliases.\n",
        "the aliases of [accounts.NAME.networks] count too"
    );
}

#[test]
fn every_problem_is_reported_with_file_line_and_what_to_do() {
    let dir = project(
        r#"[networks]
app = "11111111-1111-4111-8111-111111111111"

[[peering]]
name = "first"
network = "app"
peer_netwrok = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"

[[peering]]
name = "second"
network = "ap"
peer_network = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaa"
configured_status = "enabled"
labels = { managed-by = "me" }
"#,
    );
    let run = run_peerings(dir.path(), &["validate"], &[]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, "");
    insta::assert_snapshot!(stable(&run.stderr));
}

#[test]
fn a_missing_file_says_which_and_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_peerings(dir.path(), &["validate", "-f", "nope.toml"], &[]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        "error: cannot read nope.toml: there is no such file\n  \
         = help: create it (peerings.toml.example shows the format), write one with \
         `peerings import -o nope.toml`, or name another with -f PATH\n"
    );
    assert_eq!(run.stdout, "");
}

#[test]
fn plan_stops_at_an_invalid_file_before_any_request() {
    let sim = Sim::with_peerings("");
    let dir = project("[[peering]]\nname = \"\"\n");
    let run = sim.run(dir.path(), &["plan"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("peerings.toml:2:"), "{}", run.stderr);
    assert!(sim.log().is_empty());
}
