//! The request log: the requests the simulator received, for tests and benchmarks to assert on,
//! with the body each one sent, the fault it got and how many requests were in flight when it
//! arrived.
//!
//! It keeps the last [`LOG_CAPACITY`] requests, and of each body its first
//! [`LOGGED_BODY_CAPACITY`] bytes, and forgets older requests, so that a `sim serve` running
//! for days holds a bounded amount of memory. A test or benchmark sends far fewer between two
//! resets of the log.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::body::{Body, HttpBody};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use futures::StreamExt;
use uuid::Uuid;

use super::auth::Caller;
use super::faults::Fault;
use super::{Simulator, lock};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    pub method: String,
    /// The path with its query, as sent.
    pub path: String,
    /// The body as the simulator read it, up to its first `LOGGED_BODY_CAPACITY` bytes (as
    /// UTF-8, lossily). Empty for a request without a body, and for one whose body was never
    /// read because a fault or failed authentication answered first.
    pub body: String,
    /// The authenticated account; `None` when authentication failed or never ran (a fault
    /// answered first).
    pub account: Option<String>,
    /// The answer's status; 0 while the request is still being answered, and for a
    /// `drop-before` fault, which answers nothing. For `drop-after`, the status of the answer
    /// that was never sent.
    pub status: u16,
    /// The fault injected into this request: "429", "500", "503", "drop-before",
    /// "drop-after", "slow-body", or "rate-limit" (a 429 for going over the rate limit).
    pub fault: Option<String>,
    /// How many requests were in flight when this one arrived, itself included. A request is
    /// in flight from its arrival until its answer is sent in full or its connection dropped.
    pub in_flight: usize,
}

/// How many requests the log keeps: the most recent ones.
pub const LOG_CAPACITY: usize = 10_000;

/// How much of each request's body the log keeps: far more than any body this API takes (a
/// create with labels is a few hundred bytes), while a full log stays within tens of megabytes.
pub const LOGGED_BODY_CAPACITY: usize = 2048;

/// The log and the in-flight count, kept together so that every entry's `in_flight` agrees
/// with the order of the log.
#[derive(Default)]
pub struct RequestLog {
    /// With each entry, its arrival number: a request's answer finds its entry by number,
    /// which stays right when the log is reset, or the entry forgotten, while the request is in
    /// flight. At most [`LOG_CAPACITY`], oldest first.
    entries: VecDeque<(u64, LoggedRequest)>,
    arrivals: u64,
    in_flight: usize,
    max_in_flight: usize,
}

impl RequestLog {
    /// Logs an arriving request; returns its arrival number.
    fn arrive(&mut self, mut entry: LoggedRequest) -> u64 {
        self.in_flight += 1;
        self.max_in_flight = self.max_in_flight.max(self.in_flight);
        entry.in_flight = self.in_flight;
        let number = self.arrivals;
        self.arrivals += 1;
        if self.entries.len() == LOG_CAPACITY {
            self.entries.pop_front();
        }
        self.entries.push_back((number, entry));
        number
    }

    fn entry_mut(&mut self, number: u64) -> Option<&mut LoggedRequest> {
        let index = self
            .entries
            .binary_search_by_key(&number, |(n, _)| *n)
            .ok()?;
        self.entries.get_mut(index).map(|(_, entry)| entry)
    }

    pub fn entries(&self) -> Vec<LoggedRequest> {
        self.entries
            .iter()
            .map(|(_, entry)| entry.clone())
            .collect()
    }

    pub fn max_in_flight(&self) -> usize {
        self.max_in_flight
    }

    /// Forgets the entries and the highest concurrency; requests still in flight stay counted,
    /// so the count goes on being right.
    pub fn reset(&mut self) {
        self.entries.clear();
        self.max_in_flight = self.in_flight;
    }

    /// How many requests each endpoint received, keyed `"METHOD /path"` with UUIDs in the
    /// path shown as `{uuid}` and the query left out.
    pub fn counts(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for (_, entry) in &self.entries {
            let key = format!("{} {}", entry.method, endpoint_of(&entry.path));
            *counts.entry(key).or_default() += 1;
        }
        counts
    }
}

/// The path without its query, with every segment that is a UUID replaced by `{uuid}`.
fn endpoint_of(path: &str) -> String {
    let path = path.split_once('?').map_or(path, |(path, _)| path);
    path.split('/')
        .map(|segment| {
            if Uuid::try_parse(segment).is_ok() {
                "{uuid}"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Counts a request in flight until dropped: it lives in the answer's body, which hyper drops
/// once the body is sent or the connection is gone.
struct InFlight {
    simulator: Simulator,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut log = lock(&self.simulator.shared.log);
        log.in_flight = log.in_flight.saturating_sub(1);
    }
}

/// Appends the request when it arrives, so the log is in arrival order even when answers
/// overtake one another, draws its fate (delay and fault) in that same order, keeps it while a
/// test holds it, and fills in the account, status and fault once answered.
pub async fn record(
    State(simulator): State<Simulator>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request
        .uri()
        .path_and_query()
        .map_or_else(|| request.uri().path().to_owned(), |p| p.to_string());
    let entry = LoggedRequest {
        method: request.method().to_string(),
        path: path.clone(),
        body: String::new(),
        account: None,
        status: 0,
        fault: None,
        in_flight: 0,
    };
    let in_flight = InFlight {
        simulator: simulator.clone(),
    };
    let (number, draw) = {
        let mut log = lock(&simulator.shared.log);
        let number = log.arrive(entry);
        let draw = lock(&simulator.shared.dice).draw_for(request.method().as_str(), &path);
        (number, draw)
    };
    request.extensions_mut().insert(draw);
    if let Some(hold) = simulator.take_hold(request.method().as_str(), &path) {
        hold.keep().await;
    }
    let (request, body) = copy_body(request);
    let response = next.run(request).await;
    log_answer(&simulator, number, &response, &lock(&body));
    hold_until_sent(response, in_flight)
}

/// Passes the request's body on unchanged, as it is read, keeping a copy of its first
/// [`LOGGED_BODY_CAPACITY`] bytes.
fn copy_body(request: Request) -> (Request, Arc<Mutex<Vec<u8>>>) {
    let copy = Arc::new(Mutex::new(Vec::new()));
    let filled = Arc::clone(&copy);
    let (parts, body) = request.into_parts();
    let stream = body.into_data_stream().map(move |chunk| {
        if let Ok(bytes) = &chunk {
            let mut kept = lock(&filled);
            let room = LOGGED_BODY_CAPACITY.saturating_sub(kept.len());
            kept.extend_from_slice(&bytes[..room.min(bytes.len())]);
        }
        chunk
    });
    (Request::from_parts(parts, Body::from_stream(stream)), copy)
}

fn log_answer(simulator: &Simulator, number: u64, response: &Response, body: &[u8]) {
    let fault = response.extensions().get::<Fault>().copied();
    let mut log = lock(&simulator.shared.log);
    let Some(entry) = log.entry_mut(number) else {
        return;
    };
    entry.body = String::from_utf8_lossy(body).into_owned();
    entry.account = response
        .extensions()
        .get::<Caller>()
        .map(|caller| caller.0.clone());
    if fault.is_none_or(Fault::decides_answer) {
        entry.status = response.status().as_u16();
    }
    entry.fault = fault.map(|fault| fault.name().to_owned());
}

/// Moves `in_flight` into the response's body. The body becomes a stream, whose length hyper
/// cannot know, so a known length goes into `Content-Length` for the client, as before.
fn hold_until_sent(response: Response, in_flight: InFlight) -> Response {
    let (mut parts, body) = response.into_parts();
    if let Some(length) = body.size_hint().exact().filter(|&length| length > 0) {
        parts
            .headers
            .entry(header::CONTENT_LENGTH)
            .or_insert(HeaderValue::from(length));
    }
    let stream = body.into_data_stream().map(move |chunk| {
        // Mentioned so that the closure owns it, and drops it with the stream.
        let _ = &in_flight;
        chunk
    });
    Response::from_parts(parts, Body::from_stream(stream))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(path: &str) -> LoggedRequest {
        LoggedRequest {
            method: "GET".into(),
            path: path.into(),
            body: String::new(),
            account: None,
            status: 0,
            fault: None,
            in_flight: 0,
        }
    }

    #[test]
    fn the_log_keeps_the_most_recent_requests_only() {
        let mut log = RequestLog::default();
        let first = log.arrive(request("/1.3/network"));
        for _ in 0..LOG_CAPACITY {
            log.arrive(request("/1.3/network-peering"));
        }
        let entries = log.entries();
        assert_eq!(entries.len(), LOG_CAPACITY);
        assert!(entries.iter().all(|e| e.path == "/1.3/network-peering"));
        assert_eq!(log.counts()["GET /1.3/network-peering"], LOG_CAPACITY);
        // The answer to a forgotten request finds nothing to fill in; the others still do.
        assert!(log.entry_mut(first).is_none());
        assert!(log.entry_mut(first + 1).is_some());
        assert_eq!(log.max_in_flight(), LOG_CAPACITY + 1);
    }

    #[test]
    fn endpoints_hide_uuids_and_queries() {
        let cases = [
            ("/1.3/network-peering?label=a%3Db", "/1.3/network-peering"),
            (
                "/1.3/network-peering/03126dc1-a69f-4bc2-8b24-e31c22d64712",
                "/1.3/network-peering/{uuid}",
            ),
            (
                "/1.3/network-peering/nonsense",
                "/1.3/network-peering/nonsense",
            ),
            ("/1.3/network/", "/1.3/network/"),
        ];
        for (path, endpoint) in cases {
            assert_eq!(endpoint_of(path), endpoint);
        }
    }
}
