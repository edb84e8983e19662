//! The request log: every request the simulator received, for tests to assert on.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::Simulator;
use super::auth::Caller;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    pub method: String,
    /// The path with its query, as sent.
    pub path: String,
    /// The authenticated account; `None` when authentication failed.
    pub account: Option<String>,
    /// The answer's status; 0 while the request is still being answered.
    pub status: u16,
}

/// Appends the request when it arrives, so the log is in arrival order even when answers
/// overtake one another, and fills in the account and status once answered.
pub async fn record(State(simulator): State<Simulator>, request: Request, next: Next) -> Response {
    let path = request
        .uri()
        .path_and_query()
        .map_or_else(|| request.uri().path().to_owned(), |p| p.to_string());
    let entry = LoggedRequest {
        method: request.method().to_string(),
        path,
        account: None,
        status: 0,
    };
    let index = simulator.log_arrival(entry);
    let response = next.run(request).await;
    let account = response
        .extensions()
        .get::<Caller>()
        .map(|caller| caller.0.clone());
    simulator.log_answer(index, account, response.status().as_u16());
    response
}
