//! The simulator over real HTTP, as the client and the integration tests meet it.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use super::log::LOGGED_BODY_CAPACITY;
use super::serve::simulator_to_serve;
use super::{ErrorAnswer, LoggedRequest, ServeOptions, Simulator, World};
use crate::upcloud::wire;

pub(super) const DEMO_TOKEN: &str = "ucat_demo_0000000000000000";
pub(super) const APP: &str = "03126dc1-a69f-4bc2-8b24-e31c22d64712";
pub(super) const BACKEND: &str = "88ac25ea-0b4f-424e-8668-82b747169590";
pub(super) const LEGACY: &str = "e3bacad0-78d5-4ffb-8d2a-c548e1ffe6f8";
pub(super) const AIVEN: &str = "03585987-bf7d-4544-8e9b-5a1b4d74a333";
pub(super) const SHARED: &str = "85a7e3cd-8ce4-4e86-b8f9-8e7958d5431e";
pub(super) const NOWHERE: &str = "dddddddd-dddd-4ddd-8ddd-dddddddddddd";

#[derive(Clone, Copy)]
pub(super) enum Auth {
    None,
    Bearer(&'static str),
    Basic(&'static str, &'static str),
    /// `Authorization: <this>`, as it is.
    Header(&'static str),
}

pub(super) const DEMO: Auth = Auth::Bearer(DEMO_TOKEN);
pub(super) const AIVEN_ACCOUNT: Auth = Auth::Basic("aiven", "aiven-demo-password");

pub(super) struct Answer {
    pub(super) status: u16,
    pub(super) content_type: Option<String>,
    pub(super) allow: Option<String>,
    pub(super) retry_after: Option<String>,
    pub(super) text: String,
}

impl Answer {
    pub(super) fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("{e}: {}", self.text))
    }

    pub(super) fn error_code(&self) -> String {
        self.json()["error"]["error_code"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The RFC 7807 body of an error answer, after checking it is labelled as one.
    pub(super) fn problem(&self) -> wire::ProblemBody {
        assert_eq!(
            self.content_type.as_deref(),
            Some("application/problem+json"),
            "{}",
            self.text
        );
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("{e}: {}", self.text))
    }

    pub(super) fn peering(&self) -> wire::Peering {
        serde_json::from_str::<wire::PeeringEnvelope>(&self.text)
            .unwrap()
            .network_peering
    }

    pub(super) fn peerings(&self) -> Vec<wire::Peering> {
        serde_json::from_str::<wire::PeeringListEnvelope>(&self.text)
            .unwrap()
            .network_peerings
            .network_peering
    }
}

pub(super) struct Api {
    pub(super) simulator: Simulator,
    pub(super) base: String,
    pub(super) client: reqwest::Client,
}

pub(super) async fn start(simulator: Simulator) -> Api {
    let address = simulator
        .spawn(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    Api {
        simulator,
        base: format!("http://{address}"),
        client: reqwest::Client::new(),
    }
}

pub(super) async fn demo() -> Api {
    start(Simulator::new(World::demo())).await
}

pub(super) fn create_body(name: &str, network: &str, peer_network: &str) -> Value {
    json!({"network_peering": {"name": name, "network": {"uuid": network}, "peer_network": {"uuid": peer_network}}})
}

impl Api {
    pub(super) async fn send(
        &self,
        method: Method,
        path: &str,
        auth: Auth,
        body: Option<Value>,
    ) -> Answer {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        request = match auth {
            Auth::None => request,
            Auth::Bearer(token) => request.bearer_auth(token),
            Auth::Basic(user, password) => request.basic_auth(user, Some(password)),
            Auth::Header(value) => request.header("authorization", value),
        };
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        let response = request.send().await.unwrap();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
        };
        let (content_type, allow) = (header("content-type"), header("allow"));
        let retry_after = header("retry-after");
        let status = response.status().as_u16();
        Answer {
            status,
            content_type,
            allow,
            retry_after,
            text: response.text().await.unwrap(),
        }
    }

    pub(super) async fn get(&self, path: &str, auth: Auth) -> Answer {
        self.send(Method::GET, path, auth, None).await
    }

    pub(super) async fn create(&self, auth: Auth, body: Value) -> Answer {
        self.send(Method::POST, "/1.3/network-peering", auth, Some(body))
            .await
    }

    pub(super) async fn patch(&self, uuid: &str, auth: Auth, body: Value) -> Answer {
        self.send(
            Method::PATCH,
            &format!("/1.3/network-peering/{uuid}"),
            auth,
            Some(body),
        )
        .await
    }

    pub(super) async fn delete(&self, uuid: &str, auth: Auth) -> Answer {
        self.send(
            Method::DELETE,
            &format!("/1.3/network-peering/{uuid}"),
            auth,
            None,
        )
        .await
    }
}

#[tokio::test]
async fn authenticates_by_token_or_basic_and_refuses_anything_else() {
    let api = demo().await;
    let by_token = api.get("/1.3/network", DEMO).await;
    assert_eq!(by_token.status, 200);
    assert_eq!(
        by_token.json()["networks"]["network"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let by_basic = api.get("/1.3/network", AIVEN_ACCOUNT).await;
    assert_eq!(by_basic.status, 200);
    assert_eq!(by_basic.json()["networks"]["network"][0]["uuid"], AIVEN);

    for auth in [
        Auth::None,
        Auth::Bearer("ucat_wrong"),
        Auth::Basic("aiven", "guess"),
        Auth::Basic("demo", DEMO_TOKEN),
    ] {
        let refused = api.get("/1.3/network-peering", auth).await;
        assert_eq!(refused.status, 401);
        assert_eq!(refused.content_type.as_deref(), Some("application/json"));
        assert_eq!(refused.error_code(), "AUTHENTICATION_FAILED");
    }
    let log = api.simulator.request_log();
    assert_eq!(log[0].account.as_deref(), Some("demo"));
    assert_eq!(log[1].account.as_deref(), Some("aiven"));
    assert!(
        log[2..]
            .iter()
            .all(|entry| entry.account.is_none() && entry.status == 401)
    );
}

#[tokio::test]
async fn creates_a_half_that_waits_for_its_peer() {
    let api = demo().await;
    let labels = json!([{"key": "managed-by", "value": "peerings"}]);
    let mut body = create_body("app to backend", APP, BACKEND);
    body["network_peering"]["labels"] = labels.clone();
    let created = api.create(DEMO, body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.content_type.as_deref(), Some("application/json"));
    let json = created.json()["network_peering"].clone();
    assert_eq!(json["state"], "pending-peer");
    assert_eq!(json["configured_status"], "active");
    assert_eq!(json["labels"], labels);
    assert_eq!(
        json["network"]["ip_networks"]["ip_network"],
        json!([{"address": "192.168.0.0/24", "family": "IPv4"}, {"address": "fc02:c4f3::/64", "family": "IPv6"}])
    );
    assert_eq!(
        json["peer_network"],
        json!({"uuid": BACKEND}),
        "no peer addresses before both halves exist"
    );

    let uuid = json["uuid"].as_str().unwrap().to_owned();
    let fetched = api.get(&format!("/1.3/network-peering/{uuid}"), DEMO).await;
    assert_eq!(
        (fetched.status, fetched.json()["network_peering"].clone()),
        (200, json)
    );
    assert_eq!(api.simulator.world().peerings().count(), 1);
}

#[tokio::test]
async fn create_answers_the_documented_errors() {
    let api = demo().await;
    assert_eq!(
        api.create(DEMO, create_body("ok", APP, BACKEND))
            .await
            .status,
        201
    );
    let cases = [
        (create_body("x", AIVEN, APP), 404, "NETWORK_NOT_FOUND"),
        (create_body("x", NOWHERE, APP), 404, "NETWORK_NOT_FOUND"),
        (
            create_body("x", APP, NOWHERE),
            404,
            "PEER_NETWORK_NOT_FOUND",
        ),
        (create_body("x", APP, BACKEND), 409, "PEERING_CONFLICT"),
        (
            create_body("x", LEGACY, AIVEN),
            409,
            "LOCAL_NETWORK_NO_ROUTER",
        ),
    ];
    for (body, status, code) in cases {
        let answer = api.create(DEMO, body).await;
        assert_eq!(
            (answer.status, answer.error_code().as_str()),
            (status, code),
            "{}",
            answer.text
        );
        assert_eq!(answer.content_type.as_deref(), Some("application/json"));
    }
    let conflict = api
        .create(DEMO, create_body("x", APP, BACKEND))
        .await
        .json();
    assert_eq!(
        conflict["error"]["error_message"],
        "The peering between these networks already exists."
    );
    assert_eq!(api.simulator.world().peerings().count(), 1);
}

#[tokio::test]
async fn create_refuses_a_malformed_request() {
    let api = demo().await;
    let long_name = "n".repeat(256);
    let cases = [
        (json!("not an object"), "REQUEST_BODY_INVALID"),
        (
            json!({"network_peering": {"network": {"uuid": APP}, "peer_network": {"uuid": BACKEND}}}),
            "REQUEST_BODY_INVALID",
        ),
        (create_body(&long_name, APP, BACKEND), "NAME_INVALID"),
        (create_body("", APP, BACKEND), "NAME_INVALID"),
    ];
    for (body, code) in cases {
        let answer = api.create(DEMO, body).await;
        assert_eq!(
            (answer.status, answer.error_code().as_str()),
            (400, code),
            "{}",
            answer.text
        );
    }
    let mut bad_status = create_body("x", APP, BACKEND);
    bad_status["network_peering"]["configured_status"] = json!("up");
    assert_eq!(
        api.create(DEMO, bad_status).await.error_code(),
        "CONFIGURED_STATUS_INVALID"
    );
    let mut bad_label = create_body("x", APP, BACKEND);
    bad_label["network_peering"]["labels"] = json!([{"key": "k", "value": "v"}]);
    assert_eq!(
        api.create(DEMO, bad_label).await.error_code(),
        "LABEL_KEY_INVALID"
    );
    let not_json = api
        .send(Method::POST, "/1.3/network-peering", DEMO, None)
        .await;
    assert_eq!(
        (not_json.status, not_json.error_code().as_str()),
        (400, "REQUEST_BODY_INVALID")
    );
    assert_eq!(api.simulator.world().peerings().count(), 0);
}

#[tokio::test]
async fn a_cooperative_peer_makes_both_halves_active() {
    let api = demo().await;
    let created = api
        .create(DEMO, create_body("app to aiven", APP, AIVEN))
        .await;
    assert_eq!(created.status, 201);
    let mine = created.peering();
    assert_eq!(mine.state, "active");
    let peer_ranges = mine.peer_network.ip_networks.unwrap().ip_network;
    assert_eq!(
        peer_ranges
            .iter()
            .map(|r| r.address.as_str())
            .collect::<Vec<_>>(),
        ["172.16.0.0/24"]
    );

    let theirs = api
        .get("/1.3/network-peering", AIVEN_ACCOUNT)
        .await
        .peerings();
    assert_eq!(theirs.len(), 1);
    assert_eq!(
        (theirs[0].name.as_str(), theirs[0].state.as_str()),
        ("auto: app to aiven", "active")
    );
    assert_eq!(
        (
            theirs[0].network.uuid.as_str(),
            theirs[0].peer_network.uuid.as_str()
        ),
        (AIVEN, APP)
    );
    let mine_listed = api.get("/1.3/network-peering", DEMO).await.peerings();
    assert_eq!(
        mine_listed
            .iter()
            .map(|p| p.uuid.as_str())
            .collect::<Vec<_>>(),
        [mine.uuid.as_str()]
    );
}

#[tokio::test]
async fn patch_changes_only_what_is_given() {
    let api = demo().await;
    let mut body = create_body("app to shared", APP, SHARED);
    body["network_peering"]["labels"] = json!([{"key": "team", "value": "platform"}]);
    let uuid = api.create(DEMO, body).await.peering().uuid;

    let renamed = api
        .patch(&uuid, DEMO, json!({"network_peering": {"name": "renamed"}}))
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    let renamed = renamed.peering();
    assert_eq!(
        (
            renamed.name.as_str(),
            renamed.labels.len(),
            renamed.state.as_str()
        ),
        ("renamed", 1, "active")
    );

    let cleared = api
        .patch(&uuid, DEMO, json!({"network_peering": {"labels": []}}))
        .await
        .peering();
    assert!(cleared.labels.is_empty());
    assert_eq!(cleared.name, "renamed");

    let disabled = api
        .patch(
            &uuid,
            DEMO,
            json!({"network_peering": {"configured_status": "disabled"}}),
        )
        .await
        .peering();
    assert_eq!(
        (disabled.configured_status.as_str(), disabled.state.as_str()),
        ("disabled", "disabled")
    );
    assert!(disabled.peer_network.ip_networks.is_none());
    let shared = Auth::Bearer("ucat_shared_services_0000000");
    let theirs = api.get("/1.3/network-peering", shared).await.peerings();
    assert_eq!(theirs[0].state, "peer-disabled");
}

#[tokio::test]
async fn patch_refuses_what_it_cannot_do() {
    let api = demo().await;
    let uuid = api
        .create(DEMO, create_body("x", APP, BACKEND))
        .await
        .peering()
        .uuid;
    for field in ["network", "peer_network"] {
        let body = json!({"network_peering": {field: {"uuid": LEGACY}}});
        let answer = api.patch(&uuid, DEMO, body).await;
        assert_eq!(
            (answer.status, answer.error_code().as_str()),
            (400, "FIELD_IMMUTABLE")
        );
    }
    let bad_status = api
        .patch(
            &uuid,
            DEMO,
            json!({"network_peering": {"configured_status": "off"}}),
        )
        .await;
    assert_eq!(
        (bad_status.status, bad_status.error_code().as_str()),
        (400, "CONFIGURED_STATUS_INVALID")
    );
    let unknown = api
        .patch(NOWHERE, DEMO, json!({"network_peering": {"name": "y"}}))
        .await;
    assert_eq!(
        (unknown.status, unknown.error_code().as_str()),
        (404, "PEERING_NOT_FOUND")
    );
    let not_mine = api
        .patch(
            &uuid,
            AIVEN_ACCOUNT,
            json!({"network_peering": {"name": "y"}}),
        )
        .await;
    assert_eq!(
        (not_mine.status, not_mine.error_code().as_str()),
        (404, "PEERING_NOT_FOUND")
    );
    assert_eq!(api.simulator.world().peerings[0].name, "x");
}

#[tokio::test]
async fn only_a_disabled_peering_is_deleted() {
    let api = demo().await;
    let uuid = api
        .create(DEMO, create_body("x", APP, BACKEND))
        .await
        .peering()
        .uuid;
    let refused = api.delete(&uuid, DEMO).await;
    assert_eq!(
        (refused.status, refused.error_code().as_str()),
        (409, "PEERING_NOT_DISABLED")
    );
    let not_mine = api.delete(&uuid, AIVEN_ACCOUNT).await;
    assert_eq!(
        (not_mine.status, not_mine.error_code().as_str()),
        (404, "PEERING_NOT_FOUND")
    );

    api.patch(
        &uuid,
        DEMO,
        json!({"network_peering": {"configured_status": "disabled"}}),
    )
    .await;
    let deleted = api.delete(&uuid, DEMO).await;
    assert_eq!((deleted.status, deleted.text.as_str()), (204, ""));
    assert_eq!(api.simulator.world().peerings().count(), 0);
    let again = api.delete(&uuid, DEMO).await;
    assert_eq!(
        (again.status, again.error_code().as_str()),
        (404, "PEERING_NOT_FOUND")
    );
    let gone = api.get(&format!("/1.3/network-peering/{uuid}"), DEMO).await;
    assert_eq!(
        (gone.status, gone.error_code().as_str()),
        (404, "PEERING_NOT_FOUND")
    );
}

#[tokio::test]
async fn lists_in_creation_order_filtered_by_labels() {
    let api = demo().await;
    for (name, network, peer, labels) in [
        (
            "one",
            APP,
            BACKEND,
            json!([{"key": "team", "value": "data"}, {"key": "env", "value": "prod"}]),
        ),
        (
            "two",
            BACKEND,
            APP,
            json!([{"key": "team", "value": "platform"}]),
        ),
        ("three", APP, SHARED, json!([])),
    ] {
        let mut body = create_body(name, network, peer);
        body["network_peering"]["labels"] = labels;
        assert_eq!(api.create(DEMO, body).await.status, 201);
    }
    let names = |answer: Answer| {
        answer
            .peerings()
            .into_iter()
            .map(|p| p.name)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(api.get("/1.3/network-peering", DEMO).await),
        ["one", "two", "three"]
    );
    assert_eq!(
        names(api.get("/1.3/network-peering?label=team", DEMO).await),
        ["one", "two"]
    );
    assert_eq!(
        names(
            api.get("/1.3/network-peering?label=team%3Ddata", DEMO)
                .await
        ),
        ["one"]
    );
    assert_eq!(
        names(
            api.get("/1.3/network-peering?label=team&label=env%3Dprod", DEMO)
                .await
        ),
        ["one"]
    );
    assert!(names(api.get("/1.3/network-peering?label=env%3Ddev", DEMO).await).is_empty());
    assert!(names(api.get("/1.3/network-peering", AIVEN_ACCOUNT).await).is_empty());
}

#[tokio::test]
async fn networks_and_routers_belong_to_their_account() {
    let api = demo().await;
    let in_zone = api.get("/1.3/network/?zone=fi-hel1", DEMO).await.json();
    assert_eq!(in_zone["networks"]["network"].as_array().unwrap().len(), 3);
    let elsewhere = api.get("/1.3/network?zone=de-fra1", DEMO).await.json();
    assert!(
        elsewhere["networks"]["network"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    let legacy: wire::NetworkEnvelope =
        serde_json::from_str(&api.get(&format!("/1.3/network/{LEGACY}"), DEMO).await.text).unwrap();
    assert_eq!(
        (legacy.network.kind.as_str(), legacy.network.router),
        ("private", None)
    );
    let app = api.get(&format!("/1.3/network/{APP}"), DEMO).await.json();
    assert_eq!(
        app["network"]["servers"],
        json!({"server": [
            {"uuid": "00798b85-efdc-41ca-8021-f6ef457b8531", "title": "web-1"},
            {"uuid": "0077fa3d-32db-4b09-9f5f-30d9e9afb565", "title": "web-2"},
        ]}),
        "the servers attached, as the reference shows them"
    );
    let aiven = api.get("/1.3/network", AIVEN_ACCOUNT).await.json();
    assert_eq!(
        aiven["networks"]["network"][0]["servers"],
        json!({"server": []}),
        "a network without servers lists none"
    );

    let not_mine = api.get(&format!("/1.3/network/{AIVEN}"), DEMO).await;
    assert_eq!(not_mine.status, 404);
    let problem = not_mine.problem();
    assert_eq!(
        problem.kind,
        "https://developers.upcloud.com/1.3/errors#ERROR_RESOURCE_NOT_FOUND"
    );
    assert_eq!(problem.status, Some(404));
    assert!(problem.correlation_id.is_some());

    let routers: wire::RouterListEnvelope =
        serde_json::from_str(&api.get("/1.3/router", DEMO).await.text).unwrap();
    let router = &routers.routers.router[..];
    assert_eq!(router.len(), 1);
    assert_eq!(
        (router[0].name.as_str(), router[0].kind.as_str()),
        ("demo-router-hel1", "normal")
    );
    let attached: Vec<&str> = router[0]
        .attached_networks
        .network
        .iter()
        .map(|n| n.uuid.as_str())
        .collect();
    assert_eq!(attached, [APP, BACKEND]);
}

#[tokio::test]
async fn unknown_paths_and_methods_are_refused() {
    let api = demo().await;
    let unknown = api.get("/1.3/server", DEMO).await;
    assert_eq!(
        (unknown.status, unknown.error_code().as_str()),
        (404, "NOT_FOUND")
    );
    let wrong = api
        .send(Method::PUT, "/1.3/network-peering", DEMO, None)
        .await;
    assert_eq!(
        (wrong.status, wrong.error_code().as_str()),
        (405, "METHOD_NOT_ALLOWED")
    );
    assert!(wrong.allow.unwrap().contains("POST"));
}

#[tokio::test]
async fn logs_every_request_in_order() {
    let api = demo().await;
    api.get("/1.3/network-peering?label=team%3Ddata", DEMO)
        .await;
    api.create(DEMO, create_body("x", APP, BACKEND)).await;
    api.get("/1.3/router", Auth::None).await;
    let created = create_body("x", APP, BACKEND).to_string();
    let expected = [
        (
            "GET",
            "/1.3/network-peering?label=team%3Ddata",
            "",
            Some("demo"),
            200,
        ),
        ("POST", "/1.3/network-peering", &created, Some("demo"), 201),
        ("GET", "/1.3/router", "", None, 401),
    ];
    let expected: Vec<LoggedRequest> = expected
        .into_iter()
        .map(|(method, path, body, account, status)| LoggedRequest {
            method: method.into(),
            path: path.into(),
            body: body.to_owned(),
            account: account.map(str::to_owned),
            status,
            fault: None,
            in_flight: 1,
        })
        .collect();
    assert_eq!(api.simulator.request_log(), expected);
}

#[tokio::test]
async fn the_log_keeps_the_start_of_a_long_body() {
    let api = demo().await;
    let long_name = "n".repeat(3 * LOGGED_BODY_CAPACITY);
    let sent = create_body(&long_name, APP, BACKEND).to_string();
    let answer = api
        .create(DEMO, create_body(&long_name, APP, BACKEND))
        .await;
    assert_eq!(answer.status, 400, "{}", answer.text);
    let logged = &api.simulator.request_log()[0].body;
    assert_eq!(logged.as_str(), &sent[..LOGGED_BODY_CAPACITY]);
}

#[tokio::test]
async fn latency_delays_every_answer() {
    let api = demo().await;
    let latency = Duration::from_millis(200);
    api.simulator.set_latency(latency);
    let created = create_body("slow", APP, BACKEND);
    // Reads, a write and a refusal, one after the other: each waits its own latency.
    let requests = [
        (Method::GET, "/1.3/router", DEMO, None, 200),
        (Method::GET, "/1.3/network-peering", DEMO, None, 200),
        (
            Method::POST,
            "/1.3/network-peering",
            DEMO,
            Some(created),
            201,
        ),
        (Method::GET, "/1.3/network", Auth::None, None, 401),
    ];
    for (method, path, auth, body, status) in requests {
        let started = Instant::now();
        let answer = api.send(method.clone(), path, auth, body).await;
        assert_eq!(answer.status, status, "{method} {path}: {}", answer.text);
        let took = started.elapsed();
        assert!(took >= latency, "{method} {path} answered in {took:?}");
    }
    assert_eq!(api.simulator.request_log().len(), 4);
}

#[tokio::test]
async fn the_state_file_carries_the_world_from_one_simulator_to_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let first = start(Simulator::with_state_file(path.clone(), World::demo()).unwrap()).await;
    assert!(path.exists(), "the state file is created at once");
    let created = first
        .create(DEMO, create_body("kept", APP, AIVEN))
        .await
        .peering();

    // A different initial world is ignored: the file wins.
    let mut other = World::demo();
    other.accounts.remove("aiven");
    other.networks.retain(|n| n.account != "aiven");
    other.routers.retain(|r| r.account != "aiven");
    let second = start(Simulator::with_state_file(path.clone(), other).unwrap()).await;
    assert_eq!(second.simulator.world(), first.simulator.world());
    let listed = second.get("/1.3/network-peering", DEMO).await.peerings();
    assert_eq!(
        (listed[0].uuid.as_str(), listed[0].state.as_str()),
        (created.uuid.as_str(), "active")
    );

    // The UUID sequence goes on where it stopped, so no UUID is handed out twice.
    let next = second
        .create(DEMO, create_body("next", APP, BACKEND))
        .await
        .peering();
    let uuids: Vec<String> = second
        .simulator
        .world()
        .peerings()
        .map(|p| p.uuid.to_string())
        .collect();
    assert_eq!(uuids.len(), 3);
    assert_eq!(uuids.iter().filter(|u| **u == next.uuid).count(), 1);
    assert!(!dir.path().join(".state.json.tmp").exists());
}

#[test]
fn a_broken_state_file_is_named_in_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.json");
    std::fs::write(&path, "{not json").unwrap();
    let message = format!(
        "{:#}",
        Simulator::with_state_file(path.clone(), World::demo())
            .err()
            .unwrap()
    );
    assert!(
        message.contains("broken.json") && message.contains("not a simulator state"),
        "{message}"
    );

    let mut inconsistent = serde_json::to_value(World::demo()).unwrap();
    inconsistent["default_account"] = json!("nobody");
    std::fs::write(&path, inconsistent.to_string()).unwrap();
    let message = Simulator::with_state_file(path, World::demo())
        .err()
        .unwrap()
        .with_causes();
    assert!(
        message.contains("broken.json") && message.contains("nobody"),
        "{message}"
    );
}

#[test]
fn serve_refuses_a_world_file_over_an_existing_state_file() {
    let dir = tempfile::tempdir().unwrap();
    let world_file = dir.path().join("world.toml");
    std::fs::write(
        &world_file,
        "default_account = \"a\"\n[accounts.a]\ntoken = \"t\"\n",
    )
    .unwrap();
    let state = dir.path().join("state.json");
    let no_flags = ServeOptions::default();

    let fresh =
        simulator_to_serve(Some(state.clone()), Some(world_file.clone()), &no_flags).unwrap();
    assert_eq!(fresh.world().default_account, "a");
    assert!(state.exists());

    let message = simulator_to_serve(Some(state.clone()), Some(world_file), &no_flags)
        .err()
        .unwrap()
        .to_string();
    assert!(
        message.contains("state.json exists; remove it or leave out --world"),
        "{message}"
    );

    let resumed = simulator_to_serve(Some(state), None, &no_flags).unwrap();
    assert_eq!(resumed.world().default_account, "a");
    assert_eq!(
        simulator_to_serve(None, None, &no_flags).unwrap().world(),
        World::demo()
    );
}

async fn disable_and_delete(api: &Api, uuid: &str, auth: Auth) {
    let disable = json!({"network_peering": {"configured_status": "disabled"}});
    assert_eq!(api.patch(uuid, auth, disable).await.status, 200);
    assert_eq!(api.delete(uuid, auth).await.status, 204);
}

#[tokio::test]
async fn deleting_a_half_leaves_the_other_pending_and_deleting_its_network_gone() {
    let api = demo().await;
    let mine = api
        .create(DEMO, create_body("app to aiven", APP, AIVEN))
        .await
        .peering();
    let theirs = api
        .get("/1.3/network-peering", AIVEN_ACCOUNT)
        .await
        .peerings();
    let network = |uuid: &str| format!("/1.3/network/{uuid}");
    let mine_now = || async {
        api.get(&format!("/1.3/network-peering/{}", mine.uuid), DEMO)
            .await
            .peering()
    };

    let refused = api
        .send(Method::DELETE, &network(AIVEN), AIVEN_ACCOUNT, None)
        .await;
    assert_eq!(refused.status, 409);
    let problem = refused.problem();
    assert_eq!(
        problem.kind,
        "https://developers.upcloud.com/1.3/errors#NETWORK_HAS_PEERINGS"
    );

    disable_and_delete(&api, &theirs[0].uuid, AIVEN_ACCOUNT).await;
    assert_eq!(mine_now().await.state, "pending-peer");

    let not_mine = api.send(Method::DELETE, &network(AIVEN), DEMO, None).await;
    assert_eq!(not_mine.status, 404);
    not_mine.problem();
    let deleted = api
        .send(Method::DELETE, &network(AIVEN), AIVEN_ACCOUNT, None)
        .await;
    assert_eq!((deleted.status, deleted.text.as_str()), (204, ""));
    assert_eq!(api.get(&network(AIVEN), AIVEN_ACCOUNT).await.status, 404);
    let routers: wire::RouterListEnvelope =
        serde_json::from_str(&api.get("/1.3/router", AIVEN_ACCOUNT).await.text).unwrap();
    assert!(
        routers.routers.router[0]
            .attached_networks
            .network
            .is_empty()
    );
    let gone = mine_now().await;
    assert_eq!(gone.state, "deleted-peer-network");
    assert!(gone.peer_network.ip_networks.is_none());

    // The owner's network can still be cleaned up: disable, delete, as with any peering.
    disable_and_delete(&api, &mine.uuid, DEMO).await;
}

#[tokio::test]
async fn delete_network_for_tests_acts_as_the_owner() {
    let api = demo().await;
    api.create(DEMO, create_body("app to backend", APP, BACKEND))
        .await;
    let refused = api.simulator.delete_network(APP.parse().unwrap());
    assert!(
        matches!(refused, Err(ErrorAnswer::NetworkHasPeerings { .. })),
        "{refused:?}"
    );
    assert!(matches!(
        api.simulator.delete_network(NOWHERE.parse().unwrap()),
        Err(ErrorAnswer::ResourceNotFound { .. })
    ));
    // The demo account's own half towards it does not stop it: only its local network does.
    assert_eq!(
        api.simulator.delete_network(BACKEND.parse().unwrap()),
        Ok(())
    );
    let listed = api.get("/1.3/network-peering", DEMO).await.peerings();
    assert_eq!(listed[0].state, "deleted-peer-network");
}

#[tokio::test]
async fn a_change_is_provisioning_for_a_while_and_blocks_delete() {
    let api = demo().await;
    api.simulator.set_provisioning(Duration::from_millis(300));
    let created = api
        .create(DEMO, create_body("x", APP, BACKEND))
        .await
        .peering();
    assert_eq!(created.state, "provisioning");
    let path = format!("/1.3/network-peering/{}", created.uuid);
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(api.get(&path, DEMO).await.peering().state, "pending-peer");

    let renamed = api
        .patch(
            &created.uuid,
            DEMO,
            json!({"network_peering": {"name": "y"}}),
        )
        .await
        .peering();
    assert_eq!(
        renamed.state, "pending-peer",
        "a new name needs no provisioning"
    );
    let disabled = api
        .patch(
            &created.uuid,
            DEMO,
            json!({"network_peering": {"configured_status": "disabled"}}),
        )
        .await
        .peering();
    assert_eq!(
        (disabled.configured_status.as_str(), disabled.state.as_str()),
        ("disabled", "provisioning")
    );
    let early = api.delete(&created.uuid, DEMO).await;
    assert_eq!(
        (early.status, early.error_code().as_str()),
        (409, "PEERING_NOT_DISABLED")
    );
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(api.get(&path, DEMO).await.peering().state, "disabled");
    assert_eq!(api.delete(&created.uuid, DEMO).await.status, 204);
}

#[tokio::test]
async fn provisioning_comes_from_the_world_and_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let mut world = World::demo();
    world.provisioning_ms = 60_000;
    let first = start(Simulator::with_state_file(path.clone(), world).unwrap()).await;
    let created = first
        .create(DEMO, create_body("x", APP, AIVEN))
        .await
        .peering();
    assert_eq!(created.state, "provisioning");
    let second = start(Simulator::with_state_file(path, World::demo()).unwrap()).await;
    let listed = second.get("/1.3/network-peering", DEMO).await.peerings();
    assert_eq!(listed[0].state, "provisioning");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_request_is_handled_only_once_released_while_the_others_go_on() {
    let api = std::sync::Arc::new(demo().await);
    let held = api.simulator.hold("POST", "/1.3/network-peering");
    let creating = tokio::spawn({
        let api = std::sync::Arc::clone(&api);
        async move { api.create(DEMO, create_body("held", APP, BACKEND)).await }
    });
    let held = tokio::task::spawn_blocking(move || {
        assert!(
            held.arrived_within(Duration::from_secs(20)),
            "the create arrives"
        );
        held
    })
    .await
    .unwrap();
    // Held: logged as arrived, not handled, while a read is answered.
    let listed = api.get("/1.3/network-peering", DEMO).await;
    assert!(listed.peerings().iter().all(|p| p.name != "held"));
    let log = api.simulator.request_log();
    assert_eq!((log[0].method.as_str(), log[0].status), ("POST", 0));
    assert_eq!((log[1].method.as_str(), log[1].status), ("GET", 200));

    held.release();
    assert_eq!(creating.await.unwrap().status, 201);
    // Each hold is used once; one dropped before its request arrives holds nothing either.
    drop(api.simulator.hold("POST", "/1.3/network-peering"));
    let again = api.create(DEMO, create_body("again", BACKEND, AIVEN)).await;
    assert_eq!(again.status, 201, "{}", again.text);
}
