//! The client against a scripted HTTP server: each test decides exactly what every request gets
//! back, down to dropped connections and stalled bodies.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rusty_fork::rusty_fork_test;

use crate::model::{ConfiguredStatus, NetworkId, PeeringId, PeeringKey, PeeringSpec, PeeringState};

use super::wire::codes;
use super::{Client, Credentials};
use crate::http::scripted::{Reply, Server, closed_port_url, fast, json, response};
use crate::http::{ApiError, ClientOptions, Secret};
use crate::stop::StopSignal;

const PEERING_UUID: &str = "0f7984bc-5d72-4aaf-b587-90e6a8f32efc";
const NETWORK_UUID: &str = "03126dc1-a69f-4bc2-8b24-e31c22d64712";
const PEER_NETWORK_UUID: &str = "03585987-bf7d-4544-8e9b-5a1b4d74a333";
const TOKEN: &str = "ucat_do-not-print-me";
const PASSWORD: &str = "hunter2-do-not-print";

fn client(server: &Server, options: ClientOptions) -> Client {
    Client::new(&server.url, Credentials::Token(Secret::new(TOKEN)), options).unwrap()
}

fn legacy_error(status: &str, code: &str) -> Reply {
    json(
        status,
        &format!(r#"{{"error": {{"error_code": "{code}", "error_message": "No."}}}}"#),
    )
}

fn peering_json(state: &str) -> String {
    format!(
        r#"{{"uuid": "{PEERING_UUID}", "name": "a-b", "configured_status": "active",
        "state": "{state}", "network": {{"uuid": "{NETWORK_UUID}"}},
        "peer_network": {{"uuid": "{PEER_NETWORK_UUID}"}}}}"#
    )
}

fn one_peering(state: &str) -> Reply {
    json(
        "200 OK",
        &format!(r#"{{"network_peering": {}}}"#, peering_json(state)),
    )
}

fn empty_list() -> Reply {
    json("200 OK", r#"{"network_peerings": {"network_peering": []}}"#)
}

fn unavailable() -> Reply {
    response("503 Service Unavailable", &[], "try later")
}

fn peering_id() -> PeeringId {
    PeeringId(PEERING_UUID.parse().unwrap())
}

fn spec() -> PeeringSpec {
    PeeringSpec {
        name: "a-b".into(),
        key: PeeringKey {
            network: NetworkId(NETWORK_UUID.parse().unwrap()),
            peer_network: NetworkId(PEER_NETWORK_UUID.parse().unwrap()),
        },
        configured_status: ConfiguredStatus::Active,
        labels: Default::default(),
    }
}

#[tokio::test]
async fn temporary_failures_are_retried_until_success() {
    let server = Server::start(vec![unavailable(), unavailable(), empty_list()]).await;
    let peerings = client(&server, fast(6)).list_peerings().await.unwrap();
    assert!(peerings.is_empty());
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn rate_limiting_and_gateway_errors_are_retried() {
    let server = Server::start(vec![
        response("429 Too Many Requests", &[], ""),
        response("500 Internal Server Error", &[], ""),
        response("502 Bad Gateway", &[], ""),
        response("504 Gateway Timeout", &[], ""),
        empty_list(),
    ])
    .await;
    client(&server, fast(6)).list_peerings().await.unwrap();
    assert_eq!(server.requests().len(), 5);
}

#[tokio::test]
async fn retry_after_replaces_the_backoff() {
    let server = Server::start(vec![
        response("429 Too Many Requests", &[("Retry-After", "1")], ""),
        empty_list(),
    ])
    .await;
    // The client's own backoff would wait up to ten minutes; the server's one second wins. The
    // test gives up after ten seconds, so a client that ignores `Retry-After` fails here at
    // once instead of hanging.
    let patient = ClientOptions {
        backoff_base: Duration::from_secs(600),
        backoff_cap: Duration::from_secs(600),
        ..fast(1)
    };
    let started = Instant::now();
    let listed = tokio::time::timeout(
        Duration::from_secs(10),
        client(&server, patient).list_peerings(),
    )
    .await
    .expect("the retry waits the server's 1 s, not the client's backoff");
    listed.unwrap();
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_secs(1), "{elapsed:?}");
}

#[tokio::test(start_paused = true)]
async fn a_stop_ends_the_wait_for_a_retry_and_no_attempt_follows() {
    let server = Server::start(vec![response(
        "429 Too Many Requests",
        &[("Retry-After", "120")],
        "",
    )])
    .await;
    let stop = StopSignal::default();
    let client = client(&server, fast(6)).stopped_by(stop.clone());
    let requester = stop.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(1)).await;
        requester.request();
    });
    let started = tokio::time::Instant::now();
    let error = client.create_peering(&spec()).await.unwrap_err();
    assert!(error.is_interrupted(), "{error}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(
        error
            .to_string()
            .contains("interrupted while waiting to retry; the one attempt got HTTP 429"),
        "{error}"
    );
    assert_eq!(server.requests().len(), 1);
    let error = client.list_peerings().await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "list network peerings: interrupted before it was sent"
    );
    assert_eq!(server.requests().len(), 1, "nothing is sent after a stop");
}

#[tokio::test]
async fn when_retries_run_out_the_error_says_how_many_attempts_were_made() {
    let server = Server::start(vec![unavailable(), unavailable(), unavailable()]).await;
    let error = client(&server, fast(2)).list_peerings().await.unwrap_err();
    assert_eq!(server.requests().len(), 3);
    assert_eq!(error.status(), Some(503));
    assert_eq!(
        error.to_string(),
        "list network peerings: HTTP 503 Service Unavailable: try later (gave up after 3 attempts)"
    );
}

#[tokio::test]
async fn answers_about_the_request_itself_are_never_retried() {
    for (status, code) in [
        ("400 Bad Request", "NAME_INVALID"),
        ("404 Not Found", codes::PEERING_NOT_FOUND),
        ("409 Conflict", codes::PEERING_NOT_DISABLED),
    ] {
        let server = Server::start(vec![legacy_error(status, code), empty_list()]).await;
        let error = client(&server, fast(6)).list_peerings().await.unwrap_err();
        assert_eq!(server.requests().len(), 1, "{status}");
        assert_eq!(error.code(), Some(code));
        assert_eq!(error.is_not_found(), status.starts_with("404"));
        assert!(!error.to_string().contains("attempts"), "{error}");
    }
}

#[tokio::test]
async fn a_connection_closed_without_an_answer_is_retried() {
    let server = Server::start(vec![Reply::HangUp, empty_list()]).await;
    client(&server, fast(6)).list_peerings().await.unwrap();
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_create_whose_answer_was_lost_ends_in_peering_conflict() {
    // The server creates the peering, then loses the answer; the retry finds it exists.
    let server = Server::start(vec![
        Reply::HangUp,
        legacy_error("409 Conflict", codes::PEERING_CONFLICT),
    ])
    .await;
    let error = client(&server, fast(6))
        .create_peering(&spec())
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(codes::PEERING_CONFLICT));
    assert_eq!(error.status(), Some(409));
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert!(
            request.starts_with("POST /1.3/network-peering "),
            "{request}"
        );
        assert!(request.contains(NETWORK_UUID), "{request}");
    }
}

#[tokio::test]
async fn a_redirect_is_an_error_for_every_method_and_is_never_followed() {
    let redirect = || {
        response(
            "303 See Other",
            &[("Location", "https://user:secret@elsewhere.example/1.3/x")],
            "",
        )
    };
    let server = Server::start(vec![redirect(), redirect(), redirect(), redirect()]).await;
    let client = client(&server, fast(6));
    let errors = [
        client.list_peerings().await.map(drop).unwrap_err(),
        client.create_peering(&spec()).await.map(drop).unwrap_err(),
        client
            .modify_peering(peering_id(), "a-b", &Default::default())
            .await
            .map(drop)
            .unwrap_err(),
        client
            .delete_peering(peering_id(), "a-b")
            .await
            .unwrap_err(),
    ];
    for error in errors {
        let message = error.to_string();
        assert!(
            message.contains(
                "HTTP 303 See Other, redirecting to https://[redacted]@elsewhere.example/1.3/x; \
                 peerings follows no redirects, so this is not confirmed"
            ),
            "{message}"
        );
    }
    assert_eq!(
        server.request_lines(),
        [
            "GET /1.3/network-peering HTTP/1.1",
            "POST /1.3/network-peering HTTP/1.1",
            &format!("PATCH /1.3/network-peering/{PEERING_UUID} HTTP/1.1"),
            &format!("DELETE /1.3/network-peering/{PEERING_UUID} HTTP/1.1"),
        ],
        "one request each, none retried or followed"
    );
}

#[tokio::test]
async fn get_reads_one_peering_and_keeps_an_unknown_state() {
    let server = Server::start(vec![one_peering("re-provisioning")]).await;
    let peering = client(&server, fast(0))
        .get_peering(peering_id(), "a-b")
        .await
        .unwrap();
    assert_eq!(peering.id, peering_id());
    assert_eq!(
        peering.state,
        PeeringState::Unknown("re-provisioning".into())
    );
    assert_eq!(
        server.request_lines(),
        [format!("GET /1.3/network-peering/{PEERING_UUID} HTTP/1.1")]
    );
}

#[tokio::test]
async fn a_network_lists_its_servers_and_a_bad_server_uuid_is_malformed() {
    let network = |servers: &str| {
        json(
            "200 OK",
            &format!(
                r#"{{"networks": {{"network": [{{"uuid": "{NETWORK_UUID}", "name": "app",
                "type": "private", "zone": "fi-hel1"{servers}}}]}}}}"#
            ),
        )
    };
    let server = Server::start(vec![
        network(
            r#", "servers": {"server": [
                {"uuid": "00798b85-efdc-41ca-8021-f6ef457b8531", "title": "web-2"},
                {"uuid": "0077fa3d-32db-4b09-9f5f-30d9e9afb565", "title": "web-1"}]}"#,
        ),
        network(""),
        network(r#", "servers": {"server": [{"uuid": "web-3", "title": "web-3"}]}"#),
    ])
    .await;
    let client = client(&server, fast(0));
    let networks = client.list_networks().await.unwrap();
    let titles: Vec<(String, String)> = networks[0]
        .servers
        .iter()
        .map(|server| (server.title.clone(), server.id.to_string()))
        .collect();
    assert_eq!(
        titles,
        [
            (
                "web-2".into(),
                "00798b85-efdc-41ca-8021-f6ef457b8531".into()
            ),
            (
                "web-1".into(),
                "0077fa3d-32db-4b09-9f5f-30d9e9afb565".into()
            ),
        ]
    );
    assert!(client.list_networks().await.unwrap()[0].servers.is_empty());
    let error = client.list_networks().await.unwrap_err();
    assert!(matches!(error, ApiError::Malformed { .. }), "{error:?}");
    assert!(
        error.to_string().contains(&format!(
            "network \"{NETWORK_UUID}\": server \"web-3\": its uuid is not a UUID"
        )),
        "{error}"
    );
}

#[tokio::test]
async fn delete_accepts_an_empty_answer() {
    let server = Server::start(vec![response("204 No Content", &[], "")]).await;
    client(&server, fast(0))
        .delete_peering(peering_id(), "a-b")
        .await
        .unwrap();
    assert_eq!(
        server.request_lines(),
        [format!(
            "DELETE /1.3/network-peering/{PEERING_UUID} HTTP/1.1"
        )]
    );
}

#[tokio::test]
async fn deleting_a_missing_peering_is_not_found() {
    let server = Server::start(vec![legacy_error(
        "404 Not Found",
        codes::PEERING_NOT_FOUND,
    )])
    .await;
    let error = client(&server, fast(6))
        .delete_peering(peering_id(), "a-b")
        .await
        .unwrap_err();
    assert!(error.is_not_found());
    assert!(
        error
            .to_string()
            .starts_with("delete peering \"a-b\": HTTP 404"),
        "{error}"
    );
}

/// The error from one request answered with `reply`, which must be a malformed answer.
async fn malformed_answer(reply: Reply) -> String {
    let server = Server::start(vec![reply]).await;
    let error = client(&server, fast(6))
        .get_peering(peering_id(), "a-b")
        .await
        .unwrap_err();
    assert!(matches!(error, ApiError::Malformed { .. }), "{error:?}");
    assert_eq!(server.requests().len(), 1, "not retried");
    error.to_string()
}

#[tokio::test]
async fn invalid_json_is_a_clear_error() {
    let message = malformed_answer(json("200 OK", "{\"network_peering\": ")).await;
    assert!(
        message.starts_with("get peering \"a-b\": unexpected answer: invalid JSON body"),
        "{message}"
    );
}

#[tokio::test]
async fn a_missing_field_is_a_clear_error() {
    let body = format!(r#"{{"network_peering": {{"uuid": "{PEERING_UUID}"}}}}"#);
    let message = malformed_answer(json("200 OK", &body)).await;
    assert!(message.contains("missing field `name`"), "{message}");
}

#[tokio::test]
async fn a_field_of_the_wrong_type_is_a_clear_error() {
    let body = format!(
        r#"{{"network_peering": {}}}"#,
        peering_json("active").replace(r#""state": "active""#, r#""state": 5"#)
    );
    let message = malformed_answer(json("200 OK", &body)).await;
    assert!(message.contains("invalid type"), "{message}");
}

#[tokio::test]
async fn a_huge_body_without_content_length_is_refused() {
    let message = malformed_answer(Reply::Flood).await;
    assert!(message.contains("larger than 16777216 bytes"), "{message}");
}

#[tokio::test]
async fn a_huge_announced_body_is_refused_before_reading_it() {
    let head = "HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\nConnection: close\r\n\r\n{";
    let message = malformed_answer(Reply::Stall(head.into())).await;
    assert!(message.contains("larger than 16777216 bytes"), "{message}");
}

#[tokio::test]
async fn a_stalled_body_times_out_and_is_retried() {
    let head = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n{\"network";
    let server = Server::start(vec![Reply::Stall(head.into()), Reply::Stall(head.into())]).await;
    let impatient = ClientOptions {
        timeout: Duration::from_millis(200),
        ..fast(1)
    };
    let error = client(&server, impatient)
        .list_peerings()
        .await
        .unwrap_err();
    assert_eq!(server.requests().len(), 2);
    assert!(matches!(error, ApiError::Transport { .. }), "{error:?}");
    assert!(
        error
            .to_string()
            .ends_with("no complete answer within 0.2 s (gave up after 2 attempts)"),
        "{error}"
    );
}

#[tokio::test]
async fn no_credential_appears_in_errors_or_debug_output() {
    let server = Server::start(vec![
        legacy_error("401 Unauthorized", codes::AUTHENTICATION_FAILED),
        json("200 OK", "not json"),
    ])
    .await;
    let token_client = client(&server, fast(0));
    let basic_client = Client::new(&server.url, basic_credentials(), fast(0)).unwrap();
    let refused_client = Client::new(&closed_port_url().await, basic_credentials(), fast(0));
    let errors = [
        token_client.list_peerings().await.unwrap_err(),
        basic_client.list_networks().await.unwrap_err(),
        refused_client.unwrap().list_peerings().await.unwrap_err(),
    ];
    let requests = server.requests().join("\n");
    assert!(
        requests.contains(&format!("Bearer {TOKEN}")),
        "the token was sent"
    );
    assert!(requests.contains("Basic "), "the password was sent");
    let shown = format!(
        "{errors:?} {} {} {} {token_client:?} {basic_client:?}",
        errors[0], errors[1], errors[2]
    );
    assert!(!shown.contains(TOKEN), "{shown}");
    assert!(!shown.contains(PASSWORD), "{shown}");
}

fn basic_credentials() -> Credentials {
    Credentials::Basic {
        username: "api-user".into(),
        password: Secret::new(PASSWORD),
    }
}

// Tracing decides once per call site, for the whole process, whether any subscriber wants its
// events, and caches the answer. While this test's subscriber is set, a test on another thread
// that reaches a call site first (the client's own, in every client test) has no subscriber on
// its thread, caches "nobody", and this test's events from that call site are then dropped: it
// failed now and then, and at once beside a test that made a request while it ran. In a process
// of its own, no other test shares the call sites.
rusty_fork_test! {
    #[test]
    fn retries_and_requests_are_logged_without_credentials() {
        let log = Arc::new(Mutex::new(Vec::new()));
        let writer_log = Arc::clone(&log);
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .with_writer(move || CapturedLog(Arc::clone(&writer_log)))
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        // On this thread only, so the client's events reach this subscriber.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let server = Server::start(vec![unavailable(), empty_list()]).await;
            client(&server, fast(6)).list_peerings().await.unwrap();
        });
        let log = String::from_utf8(log.lock().unwrap().clone()).unwrap();
        assert!(
            log.contains("retrying list network peerings in 0.0 s (attempt 2 of 7): HTTP 503"),
            "{log}"
        );
        assert!(
            log.contains("GET http://127.0.0.1:") && log.contains("-> 200 OK in"),
            "{log}"
        );
        assert!(!log.contains(TOKEN), "{log}");
        assert!(!log.to_ascii_lowercase().contains("authorization"), "{log}");
    }
}

/// Log output kept in memory for a test to read.
struct CapturedLog(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for CapturedLog {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
