//! Simulated Aiven over real HTTP: the endpoints, the lifecycle of a connection with both its
//! UpCloud halves, and the answers the reference leads a client to expect.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::aiven::wire;
use crate::sim::http_tests::{
    AIVEN, APP, Answer, Api, Auth, BACKEND, DEMO, LEGACY, create_body, demo, start,
};
use crate::sim::world::DEMO_WORLD;
use crate::sim::{Fault, Simulator, World};

const TOKEN: Auth = Auth::Header("aivenv1 aiven-demo-token-0000000000");
const VPC: &str = "5c1a2f0e-7b3d-4e8a-9f61-2d4b8c0e7a15";
const VPC_PATH: &str = "/v1/project/demo-project/vpcs/5c1a2f0e-7b3d-4e8a-9f61-2d4b8c0e7a15";

fn connections_path() -> String {
    format!("{VPC_PATH}/peering-connections")
}

fn connection_path(peer_vpc: &str) -> String {
    format!("{VPC_PATH}/peering-connections/peer-accounts/upcloud/peer-vpcs/{peer_vpc}")
}

fn create_connection_body(peer_vpc: &str) -> Value {
    json!({"peer_cloud_account": "upcloud", "peer_vpc": peer_vpc})
}

impl Api {
    async fn create_connection(&self, peer_vpc: &str) -> Answer {
        self.send(
            Method::POST,
            &connections_path(),
            TOKEN,
            Some(create_connection_body(peer_vpc)),
        )
        .await
    }

    async fn vpc(&self) -> wire::Vpc {
        let answer = self.get(VPC_PATH, TOKEN).await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        serde_json::from_str(&answer.text).unwrap()
    }

    async fn connection(&self, peer_vpc: &str) -> Option<wire::PeeringConnection> {
        self.vpc()
            .await
            .peering_connections
            .into_iter()
            .find(|c| c.peer_vpc == peer_vpc)
    }
}

impl Answer {
    fn aiven_error(&self) -> wire::ErrorBody {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("{e}: {}", self.text))
    }
}

/// The demo world with `[aiven]` settings changed.
async fn demo_with(change: impl FnOnce(&mut World)) -> Api {
    let mut world = World::demo();
    change(&mut world);
    start(Simulator::new(world)).await
}

#[tokio::test]
async fn lists_and_reads_the_project_vpcs() {
    let api = demo().await;
    let list = api.get("/v1/project/demo-project/vpcs", TOKEN).await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(
        list.json(),
        json!({"vpcs": [{"project_vpc_id": VPC, "cloud_name": "upcloud-fi-hel1",
            "network_cidr": "172.16.0.0/24", "state": "ACTIVE"}]})
    );
    let vpc = api.vpc().await;
    assert_eq!(vpc.project_vpc_id, VPC);
    assert!(vpc.peering_connections.is_empty());
}

#[tokio::test]
async fn authenticates_aiven_tokens_and_guards_projects() {
    let limited = demo_with(|world| {
        world.aiven.tokens.push(super::AivenToken {
            token: "other-project-token".into(),
            projects: Some(vec!["other-project".into()]),
        });
    })
    .await;
    let cases = [
        (Auth::None, VPC_PATH.to_owned(), 401),
        (Auth::Header("aivenv1 wrong"), VPC_PATH.to_owned(), 401),
        (DEMO, VPC_PATH.to_owned(), 401),
        (
            Auth::Header("Bearer aiven-demo-token-0000000000"),
            VPC_PATH.to_owned(),
            200,
        ),
        (TOKEN, VPC_PATH.to_owned(), 200),
        (
            Auth::Header("aivenv1 other-project-token"),
            VPC_PATH.to_owned(),
            403,
        ),
        (
            Auth::Header("aivenv1 other-project-token"),
            "/v1/project/other-project/vpcs".into(),
            200,
        ),
        (TOKEN, "/v1/project/nobody/vpcs".into(), 404),
        (
            TOKEN,
            "/v1/project/demo-project/vpcs/not-a-uuid".into(),
            404,
        ),
        (
            TOKEN,
            "/v1/project/demo-project/vpcs/dddddddd-dddd-4ddd-8ddd-dddddddddddd".into(),
            404,
        ),
        (TOKEN, "/v1/nothing/here".into(), 404),
        (Auth::None, "/v1/nothing/here".into(), 401),
    ];
    for (auth, path, status) in cases {
        let answer = limited.get(&path, auth).await;
        assert_eq!(answer.status, status, "{path}: {}", answer.text);
        if status != 200 {
            let error = answer.aiven_error();
            assert_eq!(error.errors[0].status, Some(status), "{}", answer.text);
        }
    }
    let wrong_method = limited.send(Method::PUT, VPC_PATH, TOKEN, None).await;
    assert_eq!(wrong_method.status, 405);
    assert!(
        limited
            .simulator
            .request_log()
            .iter()
            .all(|r| r.status != 401 || r.account.is_none())
    );
}

#[tokio::test]
async fn a_connection_goes_approved_pending_peer_active_and_away_with_both_halves() {
    let api = demo().await;
    let created = api.create_connection(BACKEND).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let connection: wire::PeeringConnection = serde_json::from_str(&created.text).unwrap();
    assert_eq!(connection.state, "APPROVED");
    assert_eq!(
        wire::aiven_network_id(&connection.state_info, BACKEND),
        None
    );
    assert_eq!(
        api.simulator.world().peerings().count(),
        0,
        "Aiven has not acted yet"
    );

    // The next request finds Aiven's half built, in Aiven's account, towards the network.
    let pending = api.connection(BACKEND).await.unwrap();
    assert_eq!(pending.state, "PENDING_PEER");
    assert_eq!(
        wire::aiven_network_id(&pending.state_info, BACKEND),
        Some(AIVEN.parse().unwrap())
    );
    assert_eq!(pending.state_info.other["to-network-id"], AIVEN);
    let world = api.simulator.world();
    let half = world
        .peering_between("aiven", AIVEN.parse().unwrap(), BACKEND.parse().unwrap())
        .expect("Aiven's UpCloud half");
    assert_eq!(world.state_of(half).as_str(), "pending-peer");

    // The customer's half makes it active.
    let customer = api
        .create(DEMO, create_body("backend to aiven", BACKEND, AIVEN))
        .await;
    assert_eq!(customer.status, 201, "{}", customer.text);
    assert_eq!(customer.peering().state, "active");
    assert_eq!(api.connection(BACKEND).await.unwrap().state, "ACTIVE");

    let again = api.create_connection(BACKEND).await;
    assert_eq!(again.status, wire::ALREADY_EXISTS, "{}", again.text);
    assert!(again.aiven_error().message.contains("already exists"));

    let deleted = api
        .send(Method::DELETE, &connection_path(BACKEND), TOKEN, None)
        .await;
    assert_eq!(deleted.status, 200, "{}", deleted.text);
    let deleting: wire::PeeringConnection = serde_json::from_str(&deleted.text).unwrap();
    assert_eq!(deleting.state, "DELETING");
    assert!(
        api.connection(BACKEND).await.is_none(),
        "gone at the next request"
    );
    let world = api.simulator.world();
    assert!(
        world
            .peering_between("aiven", AIVEN.parse().unwrap(), BACKEND.parse().unwrap())
            .is_none(),
        "Aiven's half went with the connection"
    );
    let left = world.peerings().next().unwrap();
    assert_eq!(
        (left.account.as_str(), world.state_of(left).as_str()),
        ("demo", "pending-peer")
    );
    let gone = api
        .send(Method::DELETE, &connection_path(BACKEND), TOKEN, None)
        .await;
    assert_eq!(gone.status, 404, "{}", gone.text);
}

#[tokio::test]
async fn aiven_takes_its_time_when_the_world_says_so() {
    let api = demo_with(|world| {
        world.aiven.approval_ms = 300;
        world.aiven.deletion_ms = 300;
    })
    .await;
    api.create_connection(BACKEND).await;
    assert_eq!(api.connection(BACKEND).await.unwrap().state, "APPROVED");
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(api.connection(BACKEND).await.unwrap().state, "PENDING_PEER");
    api.send(Method::DELETE, &connection_path(BACKEND), TOKEN, None)
        .await;
    assert_eq!(api.connection(BACKEND).await.unwrap().state, "DELETING");
    let again = api
        .send(Method::DELETE, &connection_path(BACKEND), TOKEN, None)
        .await;
    assert_eq!(
        again.status, 200,
        "a second delete answers it, still DELETING"
    );
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert!(api.connection(BACKEND).await.is_none());
}

#[tokio::test]
async fn the_aiven_network_id_can_be_shown_nowhere() {
    let api = demo_with(|world| world.aiven.network_id_key = None).await;
    api.create_connection(BACKEND).await;
    let pending = api.connection(BACKEND).await.unwrap();
    assert_eq!(pending.state, "PENDING_PEER");
    assert_eq!(wire::aiven_network_id(&pending.state_info, BACKEND), None);
    assert!(
        pending.state_info.other.is_empty(),
        "{:?}",
        pending.state_info
    );
}

#[tokio::test]
async fn a_network_aiven_cannot_peer_is_an_invalid_specification() {
    let api = demo_with(|world| {
        world.networks[1].zone = "de-fra1".into();
    })
    .await;
    for peer in [BACKEND, "dddddddd-dddd-4ddd-8ddd-dddddddddddd"] {
        let created = api.create_connection(peer).await;
        assert_eq!(
            created.status, 201,
            "created first, judged later: {}",
            created.text
        );
        let connection = api.connection(peer).await.unwrap();
        assert_eq!(connection.state, "INVALID_SPECIFICATION", "{peer}");
        assert!(connection.state_info.message.unwrap().contains(peer));
    }
    assert_eq!(api.simulator.world().peerings().count(), 0);
}

#[tokio::test]
async fn warnings_tell_overlapping_ranges_and_an_upcloud_half_in_error() {
    let api = demo_with(|world| {
        world.networks[0].ip_networks = vec!["172.16.0.128/25".parse().unwrap()];
    })
    .await;
    api.create_connection(APP).await;
    api.create(DEMO, create_body("app to aiven", APP, AIVEN))
        .await;
    let connection = api.connection(APP).await.unwrap();
    let kinds: Vec<&str> = connection
        .state_info
        .warnings
        .iter()
        .map(|w| w.kind.as_str())
        .collect();
    assert_eq!(
        kinds,
        ["overlapping-peer-vpc-ip-ranges", "upcloud-peering-in-error"]
    );
    assert!(
        connection.state_info.warnings[1]
            .message
            .contains("conflict-subnet")
    );
}

#[tokio::test]
async fn aiven_without_a_router_on_its_network_is_an_error() {
    let api = demo_with(|world| {
        world.networks[3].router = None;
    })
    .await;
    api.create_connection(BACKEND).await;
    assert_eq!(api.connection(BACKEND).await.unwrap().state, "ERROR");
}

#[tokio::test]
async fn create_refuses_what_it_cannot_do() {
    let api = demo_with(|world| {
        world.aiven.vpcs.push(super::SimVpc {
            project: "demo-project".into(),
            uuid: "6d2b3f1f-8c4e-4f9b-8a72-3e5c9d1f8b26".parse().unwrap(),
            cloud_name: "upcloud-fi-hel1".into(),
            network: LEGACY.parse().unwrap(),
            state: super::SimVpcState::Approved,
        });
    })
    .await;
    let send = |path: String, body: Value| {
        let api = &api;
        async move { api.send(Method::POST, &path, TOKEN, Some(body)).await }
    };
    let not_json = api
        .send(Method::POST, &connections_path(), TOKEN, None)
        .await;
    assert_eq!(not_json.status, 400, "{}", not_json.text);
    let aws = send(
        connections_path(),
        json!({"peer_cloud_account": "123456789012", "peer_vpc": "vpc-1"}),
    )
    .await;
    assert_eq!(aws.status, 400, "{}", aws.text);
    let inactive = send(
        "/v1/project/demo-project/vpcs/6d2b3f1f-8c4e-4f9b-8a72-3e5c9d1f8b26/peering-connections"
            .into(),
        create_connection_body(BACKEND),
    )
    .await;
    assert_eq!(inactive.status, 409, "{}", inactive.text);
    assert!(api.simulator.world().aiven.connections.is_empty());
}

#[tokio::test]
async fn a_world_file_may_pin_any_state() {
    let pinned = format!(
        "{DEMO_WORLD}\n[[aiven.connection]]\nproject = \"demo-project\"\nvpc = \"{VPC}\"\npeer_vpc = \"{APP}\"\nstate = \"REJECTED_BY_PEER\"\n\n[[aiven.connection]]\nproject = \"demo-project\"\nvpc = \"{VPC}\"\npeer_vpc = \"{BACKEND}\"\n"
    );
    let api = start(Simulator::new(World::from_toml(&pinned).unwrap())).await;
    assert_eq!(api.connection(APP).await.unwrap().state, "REJECTED_BY_PEER");
    assert_eq!(
        api.connection(BACKEND).await.unwrap().state,
        "PENDING_PEER",
        "an unpinned one is built at the first request"
    );
    let deleted = api
        .send(Method::DELETE, &connection_path(APP), TOKEN, None)
        .await;
    assert_eq!(deleted.status, 200, "{}", deleted.text);
    assert!(api.connection(APP).await.is_none());
}

#[tokio::test]
async fn faults_on_aiven_paths_answer_in_aivens_body() {
    let api = demo().await;
    api.simulator
        .script_fault("GET", "/v1/", Fault::TooManyRequests { retry_after_s: 2 });
    api.simulator
        .script_fault("GET", "/v1/", Fault::InternalError);
    let limited = api.get(VPC_PATH, TOKEN).await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.retry_after.as_deref(), Some("2"));
    assert_eq!(limited.aiven_error().errors[0].status, Some(429));
    let failed = api.get(VPC_PATH, TOKEN).await;
    assert_eq!(failed.status, 500);
    failed.aiven_error();
    assert_eq!(api.get(VPC_PATH, TOKEN).await.status, 200);
    let log = api.simulator.request_log();
    let faults: Vec<Option<&str>> = log.iter().map(|r| r.fault.as_deref()).collect();
    assert_eq!(faults, [Some("429"), Some("500"), None]);
}

#[tokio::test]
async fn the_state_file_keeps_aivens_world() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let first = start(Simulator::with_state_file(path.clone(), World::demo()).unwrap()).await;
    first.create_connection(BACKEND).await;
    first.vpc().await;
    let second = start(Simulator::with_state_file(path, World::demo()).unwrap()).await;
    assert_eq!(second.simulator.world(), first.simulator.world());
    assert_eq!(
        second.connection(BACKEND).await.unwrap().state,
        "PENDING_PEER"
    );
}
