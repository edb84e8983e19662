//! Every error answer the simulator gives, and every choice about errors that the reference
//! (`shared/reference/upcloud-network-peering-api.md`) does not confirm.
//!
//! INFERRED, in one place so that each is a one-line change once the real API is known:
//! - which status and code answer a malformed body, a bad name, status or label, a PATCH that
//!   names a network, a non-private network, the per-account peering limit, an unknown path and
//!   a wrong method;
//! - that `PEERING_NOT_FOUND` and `AUTHENTICATION_FAILED` use the statuses below;
//! - that a path UUID that does not parse is answered as "not found";
//! - that the peering endpoints answer the legacy `{"error": {...}}` body and the network and
//!   router endpoints answer RFC 7807 `application/problem+json`;
//! - that authentication comes first, so an unauthenticated request to an unknown path gets
//!   401, and that 401 is a legacy body on every endpoint;
//! - that create and modify validate the body's own fields (and ignore unknown ones) before
//!   they look at the world, so a bad PATCH to an unknown peering gets 400, not 404;
//! - the order in which create checks its preconditions on the world ([`CREATE_CHECK_ORDER`]).
//!
//! Inferred for the lifecycle and network deletion:
//! - that a peering is `provisioning` after a create (both halves, when a cooperative peer
//!   answers) and after a PATCH that changes `configured_status`, and not after a PATCH of the
//!   name or labels only, nor one that asks for the status the peering already has;
//! - that `provisioning` comes before every other state, `disabled` included, so a DELETE just
//!   after a PATCH to `disabled` gets 409 `PEERING_NOT_DISABLED` (the reference: only a
//!   peering whose *state* is `disabled` can be deleted);
//! - that `DELETE /1.3/network/{uuid}` answers 204, and problem+json like the other network
//!   endpoints: 404 `ERROR_RESOURCE_NOT_FOUND` for a network not in the caller's account, and
//!   409 `NETWORK_HAS_PEERINGS` while one of the caller's own peerings has it as its local
//!   network; peerings of other accounts towards it do not stop it (their owners cannot be
//!   asked), and then report `deleted-peer-network`;
//! - that deleting a network detaches it from its router.
//!
//! Inferred for injected faults (the reference knows nothing of UpCloud's rate limit [C]):
//! - 429 is a legacy body `TOO_MANY_REQUESTS` with `Retry-After` in seconds;
//! - 500 is a legacy body `INTERNAL_SERVER_ERROR`, as the API's own failures would be;
//! - 503 is a short HTML page, not JSON, as a load balancer in front of the API would answer,
//!   so that clients meet a non-JSON error body too;
//! - faults come before authentication, as a rate limiter or load balancer in front of the API
//!   would, so a request with bad credentials can still get 429, 500 or 503;
//! - `Retry-After` defaults to 1 second, and a slow body to 1 second in 16 pieces, with its
//!   full `Content-Length` sent at once (`faults.rs`).

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::upcloud::wire::{self, codes};

/// The most peerings one account can hold [C: `resource_limits.network_peerings`].
pub const PEERING_LIMIT: usize = 100;

/// Create's preconditions on the world, in the order they are checked [I]. The reference lists
/// the four documented errors without an order; this one reads the request left to right.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreateCheck {
    LocalNetworkInAccount,
    PeerNetworkExists,
    /// The caller has no peering between the same two networks yet.
    PairNotYetPeered,
    LocalNetworkHasRouter,
    /// Only private networks can be peered [C]; the answer is inferred.
    LocalNetworkIsPrivate,
    /// Only private networks can be peered [C]; the answer is inferred.
    PeerNetworkIsPrivate,
    /// [`PEERING_LIMIT`] [C]; the answer is inferred.
    BelowPeeringLimit,
}

pub const CREATE_CHECK_ORDER: [CreateCheck; 7] = [
    CreateCheck::LocalNetworkInAccount,
    CreateCheck::PeerNetworkExists,
    CreateCheck::PairNotYetPeered,
    CreateCheck::LocalNetworkHasRouter,
    CreateCheck::LocalNetworkIsPrivate,
    CreateCheck::PeerNetworkIsPrivate,
    CreateCheck::BelowPeeringLimit,
];

impl CreateCheck {
    /// The answer when this check fails.
    pub fn error(self) -> ErrorAnswer {
        match self {
            CreateCheck::LocalNetworkInAccount => ErrorAnswer::NetworkNotFound,
            CreateCheck::PeerNetworkExists => ErrorAnswer::PeerNetworkNotFound,
            CreateCheck::PairNotYetPeered => ErrorAnswer::PeeringConflict,
            CreateCheck::LocalNetworkHasRouter => ErrorAnswer::LocalNetworkNoRouter,
            CreateCheck::LocalNetworkIsPrivate => ErrorAnswer::LocalNetworkNotPrivate,
            CreateCheck::PeerNetworkIsPrivate => ErrorAnswer::PeerNetworkNotPrivate,
            CreateCheck::BelowPeeringLimit => ErrorAnswer::PeeringLimitReached,
        }
    }
}

/// An error the simulator answers with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorAnswer {
    AuthenticationFailed,
    /// Not JSON, or not the shape of the request (a missing or mistyped field).
    BodyInvalid(String),
    NameInvalid,
    ConfiguredStatusInvalid(String),
    LabelKeyInvalid(String),
    LabelValueInvalid(String),
    LabelKeyDuplicate(String),
    /// A PATCH that tries to change `network` or `peer_network`.
    FieldImmutable(&'static str),
    NetworkNotFound,
    PeerNetworkNotFound,
    PeeringConflict,
    LocalNetworkNoRouter,
    LocalNetworkNotPrivate,
    PeerNetworkNotPrivate,
    PeeringLimitReached,
    PeeringNotFound,
    PeeringNotDisabled,
    /// A network or router that does not exist in the caller's account.
    ResourceNotFound {
        correlation_id: String,
    },
    PathNotFound(String),
    MethodNotAllowed(String),
    /// The state file could not be written, so the change was not made.
    StateNotSaved(String),
    /// DELETE of a network that one of the caller's peerings has as its local network.
    NetworkHasPeerings {
        correlation_id: String,
    },
    /// Injected: the rate limit.
    TooManyRequests,
    /// Injected: the API failed.
    InternalError,
    /// Injected: the load balancer found no API server.
    ServiceUnavailable,
}

/// The two error body shapes the API uses [C], and the page a load balancer answers with.
enum Shape {
    Legacy,
    Problem { correlation_id: String },
    Html,
}

/// What a load balancer answers when no API server is there [I].
const UNAVAILABLE_PAGE: &str = "<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n";

impl ErrorAnswer {
    pub fn status(&self) -> StatusCode {
        match self {
            ErrorAnswer::AuthenticationFailed => StatusCode::UNAUTHORIZED,
            ErrorAnswer::BodyInvalid(_)
            | ErrorAnswer::NameInvalid
            | ErrorAnswer::ConfiguredStatusInvalid(_)
            | ErrorAnswer::LabelKeyInvalid(_)
            | ErrorAnswer::LabelValueInvalid(_)
            | ErrorAnswer::LabelKeyDuplicate(_)
            | ErrorAnswer::FieldImmutable(_) => StatusCode::BAD_REQUEST,
            ErrorAnswer::NetworkNotFound
            | ErrorAnswer::PeerNetworkNotFound
            | ErrorAnswer::PeeringNotFound
            | ErrorAnswer::ResourceNotFound { .. }
            | ErrorAnswer::PathNotFound(_) => StatusCode::NOT_FOUND,
            ErrorAnswer::PeeringConflict
            | ErrorAnswer::LocalNetworkNoRouter
            | ErrorAnswer::LocalNetworkNotPrivate
            | ErrorAnswer::PeerNetworkNotPrivate
            | ErrorAnswer::PeeringLimitReached
            | ErrorAnswer::PeeringNotDisabled
            | ErrorAnswer::NetworkHasPeerings { .. } => StatusCode::CONFLICT,
            ErrorAnswer::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ErrorAnswer::StateNotSaved(_) | ErrorAnswer::InternalError => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
            ErrorAnswer::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            ErrorAnswer::ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ErrorAnswer::AuthenticationFailed => codes::AUTHENTICATION_FAILED,
            ErrorAnswer::BodyInvalid(_) => "REQUEST_BODY_INVALID",
            ErrorAnswer::NameInvalid => "NAME_INVALID",
            ErrorAnswer::ConfiguredStatusInvalid(_) => "CONFIGURED_STATUS_INVALID",
            ErrorAnswer::LabelKeyInvalid(_) => "LABEL_KEY_INVALID",
            ErrorAnswer::LabelValueInvalid(_) => "LABEL_VALUE_INVALID",
            ErrorAnswer::LabelKeyDuplicate(_) => "LABEL_KEY_DUPLICATE",
            ErrorAnswer::FieldImmutable(_) => "FIELD_IMMUTABLE",
            ErrorAnswer::NetworkNotFound => codes::NETWORK_NOT_FOUND,
            ErrorAnswer::PeerNetworkNotFound => codes::PEER_NETWORK_NOT_FOUND,
            ErrorAnswer::PeeringConflict => codes::PEERING_CONFLICT,
            ErrorAnswer::LocalNetworkNoRouter => codes::LOCAL_NETWORK_NO_ROUTER,
            ErrorAnswer::LocalNetworkNotPrivate => "LOCAL_NETWORK_NOT_PRIVATE",
            ErrorAnswer::PeerNetworkNotPrivate => "PEER_NETWORK_NOT_PRIVATE",
            ErrorAnswer::PeeringLimitReached => "PEERING_LIMIT_REACHED",
            ErrorAnswer::PeeringNotFound => codes::PEERING_NOT_FOUND,
            ErrorAnswer::PeeringNotDisabled => codes::PEERING_NOT_DISABLED,
            ErrorAnswer::ResourceNotFound { .. } => "ERROR_RESOURCE_NOT_FOUND",
            ErrorAnswer::PathNotFound(_) => "NOT_FOUND",
            ErrorAnswer::MethodNotAllowed(_) => "METHOD_NOT_ALLOWED",
            ErrorAnswer::StateNotSaved(_) => "INTERNAL_ERROR",
            ErrorAnswer::NetworkHasPeerings { .. } => "NETWORK_HAS_PEERINGS",
            ErrorAnswer::TooManyRequests => "TOO_MANY_REQUESTS",
            ErrorAnswer::InternalError => "INTERNAL_SERVER_ERROR",
            ErrorAnswer::ServiceUnavailable => "SERVICE_UNAVAILABLE",
        }
    }

    pub fn message(&self) -> String {
        match self {
            ErrorAnswer::AuthenticationFailed => {
                "Authentication failed using the given username and password or token.".into()
            }
            ErrorAnswer::BodyInvalid(why) => format!("The request body is invalid: {why}"),
            ErrorAnswer::NameInvalid => "The name must be 1 to 255 characters long.".into(),
            ErrorAnswer::ConfiguredStatusInvalid(value) => {
                format!(
                    "The configured_status '{value}' is invalid; it must be 'active' or 'disabled'."
                )
            }
            ErrorAnswer::LabelKeyInvalid(key) => format!(
                "The label key '{key}' is invalid; it must be 2 to 32 characters of letters, digits, '_' and '-'."
            ),
            ErrorAnswer::LabelValueInvalid(key) => {
                format!("The value of label '{key}' is invalid; it must be at most 255 characters.")
            }
            ErrorAnswer::LabelKeyDuplicate(key) => {
                format!("The label key '{key}' is given more than once.")
            }
            ErrorAnswer::FieldImmutable(field) => {
                format!("The attribute '{field}' cannot be changed.")
            }
            ErrorAnswer::NetworkNotFound => "The local network was not found.".into(),
            ErrorAnswer::PeerNetworkNotFound => "Peer network was not found.".into(),
            ErrorAnswer::PeeringConflict => {
                "The peering between these networks already exists.".into()
            }
            ErrorAnswer::LocalNetworkNoRouter => "The local network has no router.".into(),
            ErrorAnswer::LocalNetworkNotPrivate => {
                "Only networks of type private can be peered.".into()
            }
            ErrorAnswer::PeerNetworkNotPrivate => "The peer network is not of type private.".into(),
            ErrorAnswer::PeeringLimitReached => {
                format!("The account already has the maximum of {PEERING_LIMIT} network peerings.")
            }
            ErrorAnswer::PeeringNotFound => "The network peering was not found.".into(),
            ErrorAnswer::PeeringNotDisabled => {
                "Only a disabled network peering can be deleted.".into()
            }
            ErrorAnswer::ResourceNotFound { .. } => "Resource not found".into(),
            ErrorAnswer::PathNotFound(path) => format!("No such endpoint: {path}"),
            ErrorAnswer::MethodNotAllowed(method) => {
                format!("The method {method} is not allowed here.")
            }
            ErrorAnswer::StateNotSaved(why) => format!("The change was not saved: {why}"),
            ErrorAnswer::NetworkHasPeerings { .. } => {
                "The network is the local network of network peerings; delete them first.".into()
            }
            ErrorAnswer::TooManyRequests => "Too many requests; try again later.".into(),
            ErrorAnswer::InternalError => "An internal error occurred.".into(),
            ErrorAnswer::ServiceUnavailable => "Service Unavailable".into(),
        }
    }

    fn shape(&self) -> Shape {
        match self {
            ErrorAnswer::ResourceNotFound { correlation_id }
            | ErrorAnswer::NetworkHasPeerings { correlation_id } => Shape::Problem {
                correlation_id: correlation_id.clone(),
            },
            ErrorAnswer::ServiceUnavailable => Shape::Html,
            _ => Shape::Legacy,
        }
    }
}

impl IntoResponse for ErrorAnswer {
    fn into_response(self) -> Response {
        let status = self.status();
        match self.shape() {
            Shape::Legacy => {
                let body = wire::LegacyErrorBody {
                    error: wire::LegacyError {
                        error_code: self.code().into(),
                        error_message: self.message(),
                    },
                };
                (status, Json(body)).into_response()
            }
            Shape::Problem { correlation_id } => {
                let body = wire::ProblemBody {
                    kind: format!("https://developers.upcloud.com/1.3/errors#{}", self.code()),
                    title: self.message(),
                    status: Some(status.as_u16()),
                    correlation_id: Some(correlation_id),
                };
                let mut response = (status, Json(body)).into_response();
                response.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/problem+json"),
                );
                response
            }
            Shape::Html => (status, axum::response::Html(UNAVAILABLE_PAGE)).into_response(),
        }
    }
}
