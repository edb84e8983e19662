//! Injected faults and the request log's concurrency figures, over real HTTP.

use std::time::{Duration, Instant};

use reqwest::Method;

use super::http_tests::{
    AIVEN, APP, Api, Auth, BACKEND, DEMO, DEMO_TOKEN, create_body, demo, start,
};
use super::{Faults, Probability, Simulator, World};

fn always(rate: f64) -> Probability {
    Probability::new(rate).unwrap()
}

/// A demo simulator whose every request gets the faults `faults`.
async fn faulty(faults: Faults) -> Api {
    let api = demo().await;
    api.simulator.set_faults(faults);
    api
}

/// Sends a create; the error when not even a status line and headers arrive.
async fn try_create(api: &Api, network: &str, peer: &str) -> Result<u16, reqwest::Error> {
    let response = api
        .client
        .post(format!("{}/1.3/network-peering", api.base))
        .bearer_auth(DEMO_TOKEN)
        .header("content-type", "application/json")
        .body(create_body("x", network, peer).to_string())
        .send()
        .await?;
    Ok(response.status().as_u16())
}

fn faults_logged(api: &Api) -> Vec<(Option<String>, u16, Option<String>)> {
    api.simulator
        .request_log()
        .into_iter()
        .map(|entry| (entry.fault, entry.status, entry.account))
        .collect()
}

#[tokio::test]
async fn error_faults_answer_without_handling_the_request() {
    let cases = [
        (
            Faults {
                rate_429: always(1.0),
                retry_after_s: 3,
                ..Faults::default()
            },
            429,
            "429",
        ),
        (
            Faults {
                rate_500: always(1.0),
                ..Faults::default()
            },
            500,
            "500",
        ),
        (
            Faults {
                rate_503: always(1.0),
                ..Faults::default()
            },
            503,
            "503",
        ),
    ];
    for (faults, status, name) in cases {
        let api = faulty(faults).await;
        let answer = api
            .send(
                Method::POST,
                "/1.3/network-peering",
                DEMO,
                Some(create_body("x", APP, BACKEND)),
            )
            .await;
        assert_eq!(answer.status, status);
        assert_eq!(api.simulator.world().peerings().count(), 0, "{name}");
        assert_eq!(faults_logged(&api), [(Some(name.to_owned()), status, None)]);
        match status {
            429 => {
                assert_eq!(answer.retry_after.as_deref(), Some("3"));
                assert_eq!(answer.error_code(), "TOO_MANY_REQUESTS");
            }
            500 => assert_eq!(answer.error_code(), "INTERNAL_SERVER_ERROR"),
            _ => assert!(
                answer
                    .content_type
                    .as_deref()
                    .is_some_and(|t| t.starts_with("text/html")),
                "a load balancer's page, not JSON"
            ),
        }
    }
}

#[tokio::test]
async fn drop_before_closes_the_connection_and_changes_nothing() {
    let api = faulty(Faults {
        rate_drop_before: always(1.0),
        ..Faults::default()
    })
    .await;
    let error = try_create(&api, APP, BACKEND).await.unwrap_err();
    assert!(error.is_request(), "{error:?}");
    assert_eq!(api.simulator.world().peerings().count(), 0);
    assert_eq!(
        faults_logged(&api),
        [(Some("drop-before".to_owned()), 0, None)],
        "one request, not answered"
    );
    let read = api
        .client
        .get(format!("{}/1.3/network-peering", api.base))
        .bearer_auth(DEMO_TOKEN)
        .send()
        .await;
    assert!(read.is_err(), "reads fail too");
}

#[tokio::test]
async fn drop_after_applies_the_change_so_a_retry_conflicts() {
    let api = faulty(Faults {
        rate_drop_after: always(1.0),
        ..Faults::default()
    })
    .await;
    let error = try_create(&api, APP, BACKEND).await.unwrap_err();
    assert!(error.is_request(), "{error:?}");
    assert_eq!(
        api.simulator.world().peerings().count(),
        1,
        "the change was made"
    );
    assert_eq!(
        faults_logged(&api),
        [(Some("drop-after".to_owned()), 201, Some("demo".to_owned()))]
    );
    api.simulator.set_faults(Faults::default());
    let retry = api.create(DEMO, create_body("x", APP, BACKEND)).await;
    assert_eq!(
        (retry.status, retry.error_code().as_str()),
        (409, "PEERING_CONFLICT")
    );
}

#[tokio::test]
async fn slow_body_sends_the_head_at_once_and_the_body_over_time() {
    let api = demo().await;
    api.create(DEMO, create_body("x", APP, AIVEN)).await;
    let fast = api.get("/1.3/network-peering", DEMO).await.text;
    api.simulator.set_faults(Faults {
        rate_slow_body: always(1.0),
        slow_body_ms: 400,
        ..Faults::default()
    });
    let started = Instant::now();
    let response = api
        .client
        .get(format!("{}/1.3/network-peering", api.base))
        .bearer_auth(DEMO_TOKEN)
        .send()
        .await
        .unwrap();
    let head_after = started.elapsed();
    assert_eq!(response.content_length(), Some(fast.len() as u64));
    let slow = response.text().await.unwrap();
    let body_after = started.elapsed();
    assert!(head_after < Duration::from_millis(300), "{head_after:?}");
    assert!(body_after >= Duration::from_millis(350), "{body_after:?}");
    assert_eq!(slow, fast);
    let last = api.simulator.request_log().pop().unwrap();
    assert_eq!(
        (last.fault.as_deref(), last.status),
        (Some("slow-body"), 200)
    );
}

#[tokio::test]
async fn a_slow_answer_stays_in_flight_until_its_body_is_sent() {
    let api = faulty(Faults {
        rate_slow_body: always(1.0),
        slow_body_ms: 400,
        ..Faults::default()
    })
    .await;
    let slow = api.get("/1.3/network-peering", DEMO);
    let overlapping = async {
        tokio::time::sleep(Duration::from_millis(150)).await;
        api.simulator.set_faults(Faults::default());
        api.get("/1.3/router", DEMO).await
    };
    tokio::join!(slow, overlapping);
    let in_flight: Vec<usize> = api
        .simulator
        .request_log()
        .iter()
        .map(|entry| entry.in_flight)
        .collect();
    assert_eq!(in_flight, [1, 2]);
}

/// The statuses of 40 reads from a simulator with these faults.
async fn statuses(faults: Faults) -> Vec<u16> {
    let api = faulty(faults).await;
    let mut statuses = vec![];
    for _ in 0..40 {
        statuses.push(api.get("/1.3/router", DEMO).await.status);
    }
    statuses
}

#[tokio::test]
async fn the_same_seed_gives_the_same_run() {
    let faults = Faults {
        seed: 42,
        rate_429: always(0.3),
        rate_500: always(0.2),
        ..Faults::default()
    };
    let first = statuses(faults.clone()).await;
    assert_eq!(first, statuses(faults.clone()).await);
    assert!(first.contains(&429) && first.contains(&500) && first.contains(&200));
    let other = statuses(Faults { seed: 43, ..faults }).await;
    assert_ne!(first, other);
}

#[tokio::test]
async fn faults_come_from_the_world_file() {
    let source = format!(
        "provisioning_ms = 0\n{}\n[faults]\nseed = 1\nrate_503 = 1.0\n",
        "default_account = \"a\"\n[accounts.a]\ntoken = \"t\"\n"
    );
    let world = World::from_toml(&source).unwrap();
    assert_eq!(world.faults.rate_503, always(1.0));
    let api = start(Simulator::new(world)).await;
    assert_eq!(api.get("/1.3/router", Auth::Bearer("t")).await.status, 503);
    let refused = World::from_toml(&source.replace("rate_503 = 1.0", "rate_503 = 1.5"))
        .unwrap_err()
        .to_string();
    assert!(refused.contains("not a probability"), "{refused}");
}

#[tokio::test]
async fn concurrent_requests_are_counted_in_flight() {
    let api = demo().await;
    api.simulator.set_latency(Duration::from_millis(300));
    let requests = (0..8).map(|_| api.get("/1.3/network-peering", DEMO));
    let answers = futures::future::join_all(requests).await;
    assert!(answers.iter().all(|a| a.status == 200));
    assert_eq!(api.simulator.max_in_flight(), 8);
    let log = api.simulator.request_log();
    assert_eq!(log.iter().map(|e| e.in_flight).max(), Some(8));

    api.simulator.reset_log();
    api.simulator.set_latency(Duration::ZERO);
    assert_eq!(api.simulator.max_in_flight(), 0);
    assert!(api.simulator.request_log().is_empty());
    let uuid = api
        .create(DEMO, create_body("x", APP, BACKEND))
        .await
        .peering()
        .uuid;
    api.get(&format!("/1.3/network-peering/{uuid}"), DEMO).await;
    api.get(&format!("/1.3/network-peering/{uuid}?x=1"), DEMO)
        .await;
    api.get("/1.3/network-peering?label=a", DEMO).await;
    let counts: Vec<(String, usize)> = api.simulator.request_counts().into_iter().collect();
    assert_eq!(
        counts,
        [
            ("GET /1.3/network-peering".to_owned(), 1),
            ("GET /1.3/network-peering/{uuid}".to_owned(), 2),
            ("POST /1.3/network-peering".to_owned(), 1),
        ]
    );
    assert_eq!(api.simulator.max_in_flight(), 1);
}

// On a paused clock: on a busy machine, 15 requests can take longer than the 100 ms in which the
// bucket gains a token, and then 11 were accepted.
#[tokio::test(start_paused = true)]
async fn a_rate_limit_accepts_a_burst_of_its_size_then_answers_429_with_retry_after() {
    let api = faulty(Faults {
        rate_limit: Some("10/s".parse().unwrap()),
        ..Faults::default()
    })
    .await;
    let mut statuses = Vec::new();
    for _ in 0..15 {
        let response = api
            .client
            .get(format!("{}/1.3/network-peering", api.base))
            .bearer_auth(DEMO_TOKEN)
            .send()
            .await
            .unwrap();
        let retry_after = response
            .headers()
            .get("retry-after")
            .map(|value| value.to_str().unwrap().to_owned());
        statuses.push((response.status().as_u16(), retry_after));
    }
    let accepted = statuses.iter().filter(|(status, _)| *status == 200).count();
    assert_eq!(accepted, 10, "{statuses:?}");
    assert!(
        statuses[10..]
            .iter()
            .all(|answer| *answer == (429, Some("1".to_owned()))),
        "{statuses:?}"
    );
    let logged: Vec<Option<String>> = api
        .simulator
        .request_log()
        .into_iter()
        .map(|entry| entry.fault)
        .collect();
    assert_eq!(logged[14].as_deref(), Some("rate-limit"));

    // A second later the bucket is full again.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let response = api
        .client
        .get(format!("{}/1.3/network-peering", api.base))
        .bearer_auth(DEMO_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
}

#[test]
fn rate_limits_read_as_requests_per_second() {
    let limit: super::RateLimit = "25/s".parse().unwrap();
    assert_eq!(limit.per_second(), 25);
    assert_eq!(String::from(limit), "25/s");
    for bad in ["0/s", "10", "10/m", "-1/s", "x/s"] {
        assert!(bad.parse::<super::RateLimit>().is_err(), "{bad}");
    }
    let world = World::from_toml(
        "default_account = \"a\"\n[accounts.a]\ntoken = \"t\"\n[faults]\nrate_limit = \"5/s\"\n",
    )
    .unwrap();
    assert_eq!(world.faults.rate_limit, Some("5/s".parse().unwrap()));
}
