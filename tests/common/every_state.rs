//! The world the outputs tests show: one existing peering for every state the simulator can
//! produce, and a file with every kind of change and warning. `outputs.rs` renders it in every
//! format, `graph.rs` draws it.

use std::time::Duration;

use super::*;

/// Existing peerings of the `team` account (and the reverse halves of some peers), one for
/// every state the simulator can produce, plus one to delete and one made by hand.
pub const EVERY_STATE: &str = r#"
[[peering]]
account = "team"
name = "healthy active"
network = "11111111-1111-4111-8111-111111111111"
peer_network = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
labels = { managed-by = "peerings" }

[[peering]]
account = "aiven"
name = "aiven half of healthy active"
network = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
peer_network = "11111111-1111-4111-8111-111111111111"

[[peering]]
account = "team"
name = "healthy disabled"
network = "22222222-2222-4222-8222-222222222222"
peer_network = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
configured_status = "disabled"
labels = { managed-by = "peerings" }

[[peering]]
account = "team"
name = "pending peer"
network = "22222222-2222-4222-8222-222222222222"
peer_network = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
labels = { managed-by = "peerings" }

[[peering]]
account = "team"
name = "old name of peer disabled"
network = "11111111-1111-4111-8111-111111111111"
peer_network = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
labels = { managed-by = "peerings" }

[[peering]]
account = "silent"
name = "silent half, switched off"
network = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
peer_network = "11111111-1111-4111-8111-111111111111"
configured_status = "disabled"

[[peering]]
account = "team"
name = "subnet conflict"
network = "11111111-1111-4111-8111-111111111111"
peer_network = "cccccccc-cccc-4ccc-8ccc-cccccccccccc"

[[peering]]
account = "aiven"
name = "aiven half of subnet conflict"
network = "cccccccc-cccc-4ccc-8ccc-cccccccccccc"
peer_network = "11111111-1111-4111-8111-111111111111"

[[peering]]
account = "team"
name = "no local router"
network = "33333333-3333-4333-8333-333333333333"
peer_network = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
labels = { managed-by = "peerings" }

[[peering]]
account = "team"
name = "no peer router"
network = "11111111-1111-4111-8111-111111111111"
peer_network = "33333333-3333-4333-8333-333333333333"
labels = { managed-by = "peerings", env = "dev" }

[[peering]]
account = "team"
name = "peer network deleted"
network = "22222222-2222-4222-8222-222222222222"
peer_network = "55555555-5555-4555-8555-555555555555"
labels = { managed-by = "peerings" }

[[peering]]
account = "team"
name = "dropped from the file"
network = "22222222-2222-4222-8222-222222222222"
peer_network = "11111111-1111-4111-8111-111111111111"
labels = { managed-by = "peerings" }

[[peering]]
account = "team"
name = "made by hand"
network = "22222222-2222-4222-8222-222222222222"
peer_network = "33333333-3333-4333-8333-333333333333"
"#;

/// A name that would break a Markdown table and inject HTML if it were not escaped.
pub const HOSTILE_NAME: &str = "new <b>|peering|</b> `x` [link](http://example.com)";

/// Every kind of change (create, update of each field, adopt, delete, no-op), every warning,
/// and every state; with prune, so the owned peering the file leaves out is deleted.
pub fn file_with_every_change() -> String {
    format!(
        r#"prune = true

[networks]
app = "{APP}"
backend = "{BACKEND}"
aiven = "{AIVEN}"
silent = "{SILENT}"

[[peering]]
name = "healthy active"
network = "app"
peer_network = "aiven"

[[peering]]
name = "healthy disabled"
network = "backend"
peer_network = "aiven"
configured_status = "disabled"

[[peering]]
name = "pending peer"
network = "backend"
peer_network = "silent"

[[peering]]
name = "peer disabled"
network = "app"
peer_network = "silent"

[[peering]]
name = "subnet conflict"
network = "app"
peer_network = "{OVERLAPPING}"

[[peering]]
name = "no local router"
network = "{NO_ROUTER}"
peer_network = "aiven"
configured_status = "disabled"

[[peering]]
name = "no peer router"
network = "app"
peer_network = "{NO_ROUTER}"
labels = {{ env = "prod" }}

[[peering]]
name = "peer network deleted"
network = "backend"
peer_network = "{BASIC_NET}"

[[peering]]
name = "being provisioned"
network = "app"
peer_network = "backend"

[[peering]]
name = "{hostile}"
network = "backend"
peer_network = "{OVERLAPPING}"
labels = {{ team = "data" }}

[[peering]]
name = "not a private network"
network = "{PUBLIC}"
peer_network = "aiven"

[[peering]]
name = "no router yet"
network = "{NO_ROUTER}"
peer_network = "silent"

[[peering]]
name = "not in this account"
network = "{BASIC_NET}"
peer_network = "aiven"
"#,
        hostile = HOSTILE_NAME.replace('\\', "\\\\").replace('"', "\\\"")
    )
}

/// The simulator with every state: `being provisioned` is created by an apply while creates
/// take ten minutes to provision, and the `basic` account's network is deleted after being
/// peered to.
pub fn sim_with_every_state() -> Sim {
    let sim = Sim::with_peerings(EVERY_STATE);
    sim.simulator.set_provisioning(Duration::from_secs(600));
    let dir = project(&format!(
        "[[peering]]\nname = \"being provisioned\"\nnetwork = \"{APP}\"\npeer_network = \"{BACKEND}\"\n"
    ));
    let apply = sim.run(dir.path(), &["apply", "--auto-approve"]);
    assert_eq!(apply.code, 0, "{apply:?}");
    sim.simulator.set_provisioning(Duration::ZERO);
    sim.simulator
        .delete_network(BASIC_NET.parse().expect("a UUID"))
        .expect("the basic account's network can be deleted");
    sim.simulator.reset_log();
    sim
}
