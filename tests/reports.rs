//! Nothing is reported that did not happen: answers that do not confirm a change (a redirect,
//! a create answer about other networks, `PEERING_CONFLICT`) are checked against what the
//! account really holds, with the built binary against a scripted API or the simulator.

mod common;

use common::scripted::{Reply, Scripted, network_list, one_peering, peering, peering_list};
use common::*;

const KEPT: &str = "0f7984bc-5d72-4aaf-b587-90e6a8f32efc";
const PRUNED: &str = "1f7984bc-5d72-4aaf-b587-90e6a8f32efc";

fn run_against(server: &Scripted, dir: &std::path::Path, args: &[&str]) -> Run {
    run_peerings(
        dir,
        args,
        &[("UPCLOUD_API_URL", &server.url), ("UPCLOUD_TOKEN", "t")],
    )
}

#[test]
fn a_redirect_is_an_error_for_every_method_and_never_followed() {
    // The account: "kept" (listed in the file under another name: an update) and "pruned" (owned,
    // disabled, no longer listed: a delete). Every write is answered 303 towards the peering,
    // which a client following redirects would read with GET and take for success.
    let server = Scripted::start(|request| {
        let kept = peering(KEPT, "old name", (APP, SILENT), ("active", "active"), true);
        let pruned = peering(
            PRUNED,
            "pruned",
            (BACKEND, SILENT),
            ("disabled", "disabled"),
            true,
        );
        match (request.method.as_str(), request.path.as_str()) {
            ("GET", "/1.3/network-peering") => peering_list(&[kept, pruned]),
            ("GET", "/1.3/network") => network_list(&[APP, BACKEND]),
            ("GET", path) if path.ends_with(KEPT) => one_peering("200 OK", &kept),
            ("GET", path) if path.ends_with(PRUNED) => one_peering("200 OK", &pruned),
            (_, path) => Reply::json("303 See Other", "").header("Location", path),
        }
    });
    let dir = project(&format!(
        "prune = true\n\n[[peering]]\nname = \"new name\"\nnetwork = \"{APP}\"\npeer_network = \"{SILENT}\"\n"
    ));
    let run = run_against(&server, dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout
            .contains("0 created, 0 updated, 0 deleted, 0 already converged, 2 failed"),
        "{}",
        run.stdout
    );
    for uuid in [KEPT, PRUNED] {
        assert!(
            run.stdout.contains(&format!(
                "HTTP 303 See Other, redirecting to /1.3/network-peering/{uuid}"
            )),
            "{}",
            run.stdout
        );
    }
    let mut writes = server.writes();
    writes.sort();
    assert_eq!(
        writes,
        [
            format!("DELETE /1.3/network-peering/{PRUNED}"),
            format!("PATCH /1.3/network-peering/{KEPT}"),
        ],
        "each write was sent once"
    );
    // One read of a single peering: the delete's, before it (is "pruned" still the file's?).
    // A followed redirect would read one after a write.
    let requests = server.requests();
    let singles: Vec<(usize, String)> = requests
        .iter()
        .enumerate()
        .filter(|(_, request)| request.path.contains("/network-peering/"))
        .map(|(at, request)| (at, format!("{} {}", request.method, request.path)))
        .collect();
    let reads: Vec<&(usize, String)> = singles
        .iter()
        .filter(|(_, r)| r.starts_with("GET"))
        .collect();
    let delete_at = singles
        .iter()
        .find(|(_, r)| r.starts_with("DELETE"))
        .unwrap()
        .0;
    assert_eq!(reads.len(), 1, "no redirect was followed: {singles:?}");
    assert_eq!(reads[0].1, format!("GET /1.3/network-peering/{PRUNED}"));
    assert!(reads[0].0 < delete_at, "{singles:?}");
}

/// A file asking for one peering, "wanted", from APP to SILENT.
fn one_wanted_peering() -> tempfile::TempDir {
    project(&format!(
        "[[peering]]\nname = \"wanted\"\nnetwork = \"{APP}\"\npeer_network = \"{SILENT}\"\n"
    ))
}

/// An API whose account holds no peering until the create, and `after` once it was sent; the
/// create is answered with `answer`. Modifies answer the peering they were sent.
fn api_answering_the_create(answer: Reply, after: Option<serde_json::Value>) -> Scripted {
    let created = std::sync::atomic::AtomicBool::new(false);
    Scripted::start(move |request| {
        use std::sync::atomic::Ordering;
        match (request.method.as_str(), request.path.as_str()) {
            ("GET", "/1.3/network-peering") if created.load(Ordering::SeqCst) => {
                peering_list(after.as_slice())
            }
            ("GET", "/1.3/network-peering") => peering_list(&[]),
            ("GET", _) => network_list(&[APP, BACKEND]),
            ("POST", _) => {
                created.store(true, Ordering::SeqCst);
                answer.clone()
            }
            ("PATCH", _) => {
                let sent: serde_json::Value = serde_json::from_str(&request.body).unwrap();
                let mut peering = after.clone().unwrap();
                for (field, value) in sent["network_peering"].as_object().unwrap() {
                    peering[field] = value.clone();
                }
                one_peering("200 OK", &peering)
            }
            _ => Reply::json("405 Method Not Allowed", ""),
        }
    })
}

#[test]
fn a_create_answer_naming_other_networks_is_not_reported_as_created() {
    let elsewhere = peering(
        KEPT,
        "wanted",
        (BACKEND, AIVEN),
        ("active", "pending-peer"),
        true,
    );
    let server = api_answering_the_create(one_peering("201 Created", &elsewhere), None);
    let dir = one_wanted_peering();
    let run = run_against(&server, dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.contains(&format!(
            "! failed    wanted: the API answered the create with a peering of other networks \
             ({BACKEND} to {AIVEN}), and the account shows no peering of these networks: it was \
             not created"
        )),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("0 created"), "{}", run.stdout);
    let reads = server
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path == "/1.3/network-peering")
        .count();
    assert_eq!(reads, 2, "the plan's read, and the check after the create");
}

#[test]
fn a_create_answer_without_a_peering_is_judged_by_what_the_account_holds() {
    let there = peering(
        KEPT,
        "wanted",
        (APP, SILENT),
        ("active", "pending-peer"),
        true,
    );
    let server = api_answering_the_create(Reply::json("201 Created", "{}"), Some(there));
    let dir = one_wanted_peering();
    let run = run_against(&server, dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout
            .contains(&format!("+ created   wanted: {KEPT}, pending-peer")),
        "{}",
        run.stdout
    );

    let nothing = api_answering_the_create(Reply::json("201 Created", ""), None);
    let run = run_against(&nothing, dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout
            .contains("invalid JSON body: EOF while parsing a value at line 1 column 0, and the account shows no peering of these networks: it was not created"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_conflict_with_a_peering_that_differs_brings_it_to_the_file_in_the_same_run() {
    // Someone else's half-done work: the pair exists, disabled, named otherwise, unlabelled.
    let there = peering(
        KEPT,
        "manual",
        (APP, SILENT),
        ("disabled", "disabled"),
        false,
    );
    let api = || {
        api_answering_the_create(
            common::scripted::api_error("409 Conflict", "PEERING_CONFLICT"),
            Some(there.clone()),
        )
    };
    let server = api();
    let dir = one_wanted_peering();
    let run = run_against(&server, dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains(
            "~ updated   wanted: it existed already with other fields (found after its create), \
             brought to the file's name, configured_status, labels; adopted"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("Apply complete: 0 created, 1 updated, 0 deleted, 0 already converged"),
        "{}",
        run.stdout
    );
    let patch = server
        .requests()
        .into_iter()
        .find(|r| r.method == "PATCH")
        .expect("the found peering is updated");
    assert_eq!(patch.path, format!("/1.3/network-peering/{KEPT}"));
    let sent: serde_json::Value = serde_json::from_str(&patch.body).unwrap();
    assert_eq!(
        sent,
        serde_json::json!({"network_peering": {
            "name": "wanted",
            "configured_status": "active",
            "labels": [{"key": "managed-by", "value": "peerings"}],
        }})
    );

    let json = run_against(
        &api(),
        dir.path(),
        &["apply", "--auto-approve", "--output", "json"],
    );
    assert!(
        json.stdout.contains(r#""existing":"brought_to_the_file""#),
        "{}",
        json.stdout
    );
}

#[test]
fn a_conflict_counts_as_converged_only_when_the_peering_matches_or_cannot_be_seen() {
    let matching = peering(
        KEPT,
        "wanted",
        (APP, SILENT),
        ("active", "pending-peer"),
        true,
    );
    let conflict = || common::scripted::api_error("409 Conflict", "PEERING_CONFLICT");
    let dir = one_wanted_peering();

    let server = api_answering_the_create(conflict(), Some(matching));
    let run = run_against(&server, dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains(
            "= exists    wanted: the API answered PEERING_CONFLICT, and the account holds it as \
             the file says; counted as converged"
        ),
        "{}",
        run.stdout
    );
    assert_eq!(server.writes().len(), 1, "the create only");

    let unseen = api_answering_the_create(conflict(), None);
    let run = run_against(
        &unseen,
        dir.path(),
        &["apply", "--auto-approve", "--output", "json"],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout
            .contains(r#""existing":"not_visible","name":"wanted","platform":"upcloud","result":"already_converged""#),
        "{}",
        run.stdout
    );
    let unseen = api_answering_the_create(conflict(), None);
    let human = run_against(&unseen, dir.path(), &["apply", "--auto-approve"]);
    assert!(
        human.stdout.contains(
            "the API answered PEERING_CONFLICT, but this account cannot see a peering of these \
             networks"
        ),
        "{}",
        human.stdout
    );
}

/// An UpCloud account holding no peering and an Aiven VPC (`VPC_HEL1`) holding no connection
/// until the create, which is answered 201 with `answer`; after it, the VPC shows `after` (a
/// connection state), if anything. The UpCloud half's create is answered as made.
fn aiven_api_answering_the_create(answer: &'static str, after: Option<&'static str>) -> Scripted {
    use common::aiven::{PROJECT, VPC_HEL1};
    let created = std::sync::atomic::AtomicBool::new(false);
    Scripted::start(move |request| {
        use std::sync::atomic::Ordering;
        let vpc = format!("/v1/project/{PROJECT}/vpcs/{VPC_HEL1}");
        match (request.method.as_str(), request.path.as_str()) {
            ("GET", "/1.3/network-peering") => peering_list(&[]),
            ("GET", "/1.3/network") => network_list(&[APP]),
            ("GET", path) if path == vpc => {
                let connections: Vec<serde_json::Value> = after
                    .filter(|_| created.load(Ordering::SeqCst))
                    .map(|state| {
                        serde_json::json!({"peer_cloud_account": "upcloud", "peer_vpc": APP,
                            "state": state, "state_info": {"message": "scripted", "type": "x"}})
                    })
                    .into_iter()
                    .collect();
                let body = serde_json::json!({"project_vpc_id": VPC_HEL1,
                    "cloud_name": "upcloud-fi-hel1", "network_cidr": "172.16.0.0/24",
                    "state": "ACTIVE", "peering_connections": connections});
                Reply::json("200 OK", body.to_string())
            }
            ("POST", path) if path == format!("{vpc}/peering-connections") => {
                created.store(true, Ordering::SeqCst);
                Reply::json("201 Created", answer)
            }
            ("POST", "/1.3/network-peering") => one_peering(
                "201 Created",
                &peering(
                    KEPT,
                    "app to aiven",
                    (APP, AIVEN),
                    ("active", "active"),
                    true,
                ),
            ),
            _ => Reply::json("405 Method Not Allowed", ""),
        }
    })
}

fn apply_to_aiven(server: &Scripted) -> Run {
    use common::aiven::{AIVEN_TOKEN, VPC_HEL1, aiven_peering};
    let file = format!(
        "[aiven]\n\n{}aiven_network = \"{AIVEN}\"\n",
        aiven_peering("app to aiven", VPC_HEL1, APP)
    );
    let dir = project(&file);
    let args = [
        "apply",
        "--auto-approve",
        "--wait-timeout",
        "2s",
        "--poll-interval",
        "100ms",
    ];
    let env = [
        ("UPCLOUD_API_URL", server.url.as_str()),
        ("UPCLOUD_TOKEN", "t"),
        ("AIVEN_API_URL", server.url.as_str()),
        ("AIVEN_TOKEN", AIVEN_TOKEN),
    ];
    run_peerings(dir.path(), &args, &env)
}

#[test]
fn an_aiven_create_answer_without_the_connection_is_judged_by_what_the_vpc_holds() {
    // Aiven says nothing about the connection and the VPC shows none: not created, and the
    // UpCloud half is not attempted.
    let nothing = aiven_api_answering_the_create("{}", None);
    let run = apply_to_aiven(&nothing);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.contains(
            "! failed    app to aiven (Aiven half): Aiven answered the create without the \
             connection, and the VPC shows no connection to this network: it was not created"
        ),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("0 created"), "{}", run.stdout);
    assert!(
        !nothing.writes().iter().any(|w| w.contains("/1.3/")),
        "{:?}",
        nothing.writes()
    );

    // The VPC shows it, with Aiven's half built: created, as the VPC shows it, and the UpCloud
    // half follows.
    let there = aiven_api_answering_the_create(r#"{"message": "created"}"#, Some("PENDING_PEER"));
    let run = apply_to_aiven(&there);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout
            .contains("+ created   app to aiven (Aiven half): PENDING_PEER"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("2 created"), "{}", run.stdout);
}
