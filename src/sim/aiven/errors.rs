//! Every error answer of the simulated Aiven API, in Aiven's error body (`aiven::wire::ErrorBody`).
//!
//! INFERRED (the reference gives the body's shape and the "already exists" refusal, both
//! encoded in `aiven::wire`, but no status table):
//! - 401 for a missing or unknown token, on every `/v1` path, before the path is looked at;
//! - 404 for a project no token knows, 403 for one the token may not act on;
//! - 404 for an unknown VPC of a project, and for the delete of a connection it does not have;
//! - 400 for a body that is not a create request, or a `peer_cloud_account` other than
//!   `upcloud` on a VPC in UpCloud;
//! - 409 for a create on a VPC that is not `ACTIVE`;
//! - 404 for an unknown `/v1` path, 405 for a wrong method;
//! - injected faults answer 429 and 500 in this body too (503 stays a load balancer's page).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::aiven::wire::{ALREADY_EXISTS, ErrorBody, ErrorItem};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AivenError {
    InvalidToken,
    ProjectNotFound(String),
    ProjectForbidden(String),
    VpcNotFound(String),
    BodyInvalid(String),
    PeerCloudAccountInvalid(String),
    VpcNotActive(String),
    ConnectionExists(String),
    ConnectionNotFound(String),
    PathNotFound(String),
    MethodNotAllowed(String),
    /// The state file could not be written, so the change was not made.
    StateNotSaved(String),
    /// Injected: the rate limit.
    TooManyRequests,
    /// Injected: the API failed.
    InternalError,
}

impl AivenError {
    pub fn status(&self) -> StatusCode {
        match self {
            AivenError::InvalidToken => StatusCode::UNAUTHORIZED,
            AivenError::ProjectForbidden(_) => StatusCode::FORBIDDEN,
            AivenError::ProjectNotFound(_)
            | AivenError::VpcNotFound(_)
            | AivenError::ConnectionNotFound(_)
            | AivenError::PathNotFound(_) => StatusCode::NOT_FOUND,
            AivenError::BodyInvalid(_) | AivenError::PeerCloudAccountInvalid(_) => {
                StatusCode::BAD_REQUEST
            }
            AivenError::VpcNotActive(_) => StatusCode::CONFLICT,
            AivenError::ConnectionExists(_) => {
                StatusCode::from_u16(ALREADY_EXISTS).unwrap_or(StatusCode::CONFLICT)
            }
            AivenError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            AivenError::StateNotSaved(_) | AivenError::InternalError => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
            AivenError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
        }
    }

    pub fn message(&self) -> String {
        match self {
            AivenError::InvalidToken => "Invalid token".into(),
            AivenError::ProjectNotFound(project) => format!("Project '{project}' does not exist"),
            AivenError::ProjectForbidden(project) => {
                format!("Not allowed to access project '{project}'")
            }
            AivenError::VpcNotFound(vpc) => format!("Project VPC '{vpc}' does not exist"),
            AivenError::BodyInvalid(why) => format!("Invalid request body: {why}"),
            AivenError::PeerCloudAccountInvalid(account) => format!(
                "peer_cloud_account '{account}' is invalid: a VPC in UpCloud peers with 'upcloud'"
            ),
            AivenError::VpcNotActive(state) => {
                format!("Project VPC is {state}: peering connections need an ACTIVE VPC")
            }
            AivenError::ConnectionExists(peer) => {
                format!("Peering connection to '{peer}' already exists")
            }
            AivenError::ConnectionNotFound(peer) => {
                format!("Peering connection to '{peer}' does not exist")
            }
            AivenError::PathNotFound(path) => format!("No such endpoint: {path}"),
            AivenError::MethodNotAllowed(method) => format!("Method {method} not allowed"),
            AivenError::StateNotSaved(why) => format!("The change was not saved: {why}"),
            AivenError::TooManyRequests => "Too many requests; try again later".into(),
            AivenError::InternalError => "Internal server error".into(),
        }
    }
}

impl IntoResponse for AivenError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = self.message();
        let body = ErrorBody {
            message: message.clone(),
            errors: vec![ErrorItem {
                message,
                status: Some(status.as_u16()),
                error_code: None,
            }],
        };
        (status, Json(body)).into_response()
    }
}
