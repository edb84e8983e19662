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
    let followed = server
        .requests()
        .iter()
        .filter(|request| request.method == "GET" && request.path.contains("/network-peering/"))
        .count();
    assert_eq!(followed, 0, "no redirect was followed");
}
