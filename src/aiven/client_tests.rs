//! The Aiven client against a scripted HTTP server: what it sends, and how it reads every answer
//! the reference allows, lost ones included.

use crate::http::scripted::{Reply, Server, closed_port_url, fast, json, response};
use crate::http::{ApiError, ClientOptions, Secret};
use crate::model::{ConnectionKey, ConnectionState, NetworkId, VpcRef, VpcState};

use super::{AivenClient, Created};

const TOKEN: &str = "aiven-token-do-not-print";
const VPC: &str = "2b7f3f4c-0d5f-4a47-9a1e-8a0f5c2e9d11";
const NETWORK: &str = "03126dc1-a69f-4bc2-8b24-e31c22d64712";
const AIVEN_NETWORK: &str = "03585987-bf7d-4544-8e9b-5a1b4d74a333";

fn client(server: &Server, options: ClientOptions) -> AivenClient {
    AivenClient::new(&server.url, Secret::new(TOKEN), options).unwrap()
}

fn at() -> VpcRef {
    VpcRef {
        project: "my-project".into(),
        vpc: VPC.parse().unwrap(),
    }
}

fn key() -> ConnectionKey {
    ConnectionKey {
        vpc: at(),
        network: NETWORK.parse().unwrap(),
    }
}

fn connection_json(state: &str, state_info: &str) -> String {
    format!(
        r#"{{"peer_cloud_account": "upcloud", "peer_vpc": "{NETWORK}", "peer_region": null,
            "state": "{state}", "state_info": {state_info}, "user_peer_network_cidrs": [],
            "vpc_peering_connection_type": "upcloud-vpc-peering"}}"#
    )
}

fn vpc_json(connections: &[String]) -> String {
    format!(
        r#"{{"project_vpc_id": "{VPC}", "cloud_name": "upcloud-fi-hel1",
            "network_cidr": "172.16.0.0/24", "state": "ACTIVE",
            "peering_connections": [{}]}}"#,
        connections.join(",")
    )
}

fn error(status: &str, message: &str) -> Reply {
    let code: u16 = status[..3].parse().unwrap();
    json(
        status,
        &format!(
            r#"{{"message": "{message}", "errors": [{{"message": "{message}", "status": {code}}}]}}"#
        ),
    )
}

#[tokio::test]
async fn reads_a_vpc_with_its_upcloud_connections_only() {
    let pending = connection_json(
        "PENDING_PEER",
        &format!(
            r#"{{"message": "Pending peer", "type": "pending-peer",
                "warnings": [{{"type": "overlapping-peer-vpc-ip-ranges", "message": "overlap"}}],
                "to-network-id": "{AIVEN_NETWORK}"}}"#
        ),
    );
    let aws = r#"{"peer_cloud_account": "123456789012", "peer_vpc": "vpc-1", "state": "ACTIVE",
        "state_info": {}}"#
        .to_owned();
    let server = Server::start(vec![json("200 OK", &vpc_json(&[pending, aws]))]).await;
    let vpc = client(&server, fast(0)).get_vpc(&at()).await.unwrap();
    assert_eq!(
        server.request_lines(),
        [format!("GET /v1/project/my-project/vpcs/{VPC} HTTP/1.1")]
    );
    assert!(
        server.requests()[0].contains(&format!("authorization: aivenv1 {TOKEN}")),
        "{:?}",
        server.requests()
    );
    assert_eq!(vpc.state, VpcState::Active);
    assert_eq!(vpc.zone(), Some("fi-hel1"));
    assert_eq!(vpc.network_cidr.unwrap().to_string(), "172.16.0.0/24");
    let [connection] = vpc.connections.as_slice() else {
        panic!("{:?}", vpc.connections);
    };
    assert_eq!(connection.key, key());
    assert_eq!(connection.state, ConnectionState::PendingPeer);
    assert_eq!(
        connection.aiven_network,
        Some(AIVEN_NETWORK.parse::<NetworkId>().unwrap())
    );
    assert_eq!(
        connection.warnings[0].kind,
        "overlapping-peer-vpc-ip-ranges"
    );
}

#[tokio::test]
async fn a_project_name_is_one_path_segment() {
    let server = Server::start(vec![json("200 OK", &vpc_json(&[]))]).await;
    let odd = VpcRef {
        project: "a b/c".into(),
        ..at()
    };
    client(&server, fast(0)).get_vpc(&odd).await.unwrap();
    assert_eq!(
        server.request_lines(),
        [format!("GET /v1/project/a%20b%2Fc/vpcs/{VPC} HTTP/1.1")]
    );
}

#[tokio::test]
async fn an_answer_about_another_vpc_is_refused() {
    let other = vpc_json(&[]).replace(VPC, "85a7e3cd-8ce4-4e86-b8f9-8e7958d5431e");
    let server = Server::start(vec![json("200 OK", &other)]).await;
    let error = client(&server, fast(0)).get_vpc(&at()).await.unwrap_err();
    assert!(matches!(error, ApiError::Malformed { .. }), "{error}");
}

#[tokio::test]
async fn a_create_sends_the_upcloud_body_and_reads_the_answer() {
    let answer = connection_json("APPROVED", "{}");
    let server = Server::start(vec![json("201 Created", &answer)]).await;
    let created = client(&server, fast(0))
        .create_connection(&key())
        .await
        .unwrap();
    let Created::New(Some(connection)) = created else {
        panic!("{created:?}");
    };
    assert_eq!(connection.state, ConnectionState::Approved);
    assert_eq!(connection.aiven_network, None);
    let request = &server.requests()[0];
    assert!(
        request.starts_with(&format!(
            "POST /v1/project/my-project/vpcs/{VPC}/peering-connections HTTP/1.1"
        )),
        "{request}"
    );
    assert!(
        request.ends_with(&format!(
            r#"{{"peer_cloud_account":"upcloud","peer_vpc":"{NETWORK}"}}"#
        )),
        "{request}"
    );
}

#[tokio::test]
async fn a_create_accepted_without_a_connection_in_the_answer_is_still_done() {
    let server = Server::start(vec![response("200 OK", &[], "")]).await;
    let created = client(&server, fast(0))
        .create_connection(&key())
        .await
        .unwrap();
    assert_eq!(created, Created::New(None));
}

#[tokio::test]
async fn a_create_whose_answer_was_lost_is_found_on_the_retry() {
    let server = Server::start(vec![
        Reply::HangUp,
        error("409 Conflict", "Peering connection already exists"),
        json("200 OK", &vpc_json(&[connection_json("APPROVED", "{}")])),
    ])
    .await;
    let created = client(&server, fast(3))
        .create_connection(&key())
        .await
        .unwrap();
    let Created::AlreadyThere(connection) = created else {
        panic!("{created:?}");
    };
    assert_eq!(connection.key, key());
    let lines = server.request_lines();
    assert!(lines[0].starts_with("POST ") && lines[1].starts_with("POST "));
    assert!(lines[2].starts_with(&format!("GET /v1/project/my-project/vpcs/{VPC} ")));
}

#[tokio::test]
async fn a_refused_create_without_the_connection_stays_an_error() {
    let server = Server::start(vec![
        error("400 Bad Request", "Invalid peer_vpc"),
        json("200 OK", &vpc_json(&[])),
    ])
    .await;
    let error = client(&server, fast(0))
        .create_connection(&key())
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(400));
    assert!(
        error
            .to_string()
            .ends_with("HTTP 400 Bad Request: Invalid peer_vpc"),
        "{error}"
    );
}

#[tokio::test]
async fn a_missing_project_is_not_read_again() {
    let server = Server::start(vec![error("404 Not Found", "Project does not exist")]).await;
    let error = client(&server, fast(3))
        .create_connection(&key())
        .await
        .unwrap_err();
    assert!(error.is_not_found());
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn server_errors_and_rate_limits_are_retried() {
    let server = Server::start(vec![
        response("500 Internal Server Error", &[], ""),
        response("502 Bad Gateway", &[], "<html>bad gateway</html>"),
        response("429 Too Many Requests", &[("Retry-After", "0")], ""),
        json("200 OK", &vpc_json(&[])),
    ])
    .await;
    let vpc = client(&server, fast(6)).get_vpc(&at()).await.unwrap();
    assert!(vpc.connections.is_empty());
    assert_eq!(server.requests().len(), 4);
}

#[tokio::test]
async fn a_delete_answers_the_connection_deleting_or_nothing() {
    let deleting = connection_json("DELETING", "{}");
    let server = Server::start(vec![
        json("200 OK", &deleting),
        response("204 No Content", &[], ""),
        error("404 Not Found", "Peering connection does not exist"),
    ])
    .await;
    let client = client(&server, fast(0));
    let answered = client.delete_connection(&key()).await.unwrap();
    assert_eq!(answered.unwrap().state, ConnectionState::Deleting);
    assert_eq!(client.delete_connection(&key()).await.unwrap(), None);
    assert!(
        client
            .delete_connection(&key())
            .await
            .unwrap_err()
            .is_not_found()
    );
    assert_eq!(
        server.request_lines()[0],
        format!(
            "DELETE /v1/project/my-project/vpcs/{VPC}/peering-connections/peer-accounts/upcloud/peer-vpcs/{NETWORK} HTTP/1.1"
        )
    );
}

#[tokio::test]
async fn the_token_appears_in_no_error_and_no_debug_output() {
    let server = Server::start(vec![
        error("401 Unauthorized", "Invalid token"),
        error("403 Forbidden", "Not allowed"),
    ])
    .await;
    let client = client(&server, fast(0));
    let refused = AivenClient::new(&closed_port_url().await, Secret::new(TOKEN), fast(0)).unwrap();
    let errors = [
        client.get_vpc(&at()).await.unwrap_err(),
        client.create_connection(&key()).await.unwrap_err(),
        refused.get_vpc(&at()).await.unwrap_err(),
    ];
    assert_eq!(errors[0].status(), Some(401));
    assert_eq!(errors[1].status(), Some(403));
    let shown = format!(
        "{errors:?} {} {} {} {client:?} {refused:?}",
        errors[0], errors[1], errors[2]
    );
    assert!(!shown.contains(TOKEN), "{shown}");
}
