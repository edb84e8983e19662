//! The HTTP face of simulated Aiven: the project VPC endpoints under `/v1`, with bodies from
//! `aiven::wire`, behind Aiven's own authentication.

use axum::body::Bytes;
use axum::extract::{Extension, Path, Request, State};
use axum::http::header::AUTHORIZATION;
use axum::http::{Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use uuid::Uuid;

use super::errors::AivenError;
use super::lifecycle;
use super::world::AivenToken;
use crate::aiven::wire::{self, CREATED, CreatePeeringConnection};
use crate::sim::auth::Caller;
use crate::sim::world::World;
use crate::sim::{NotSaved, Simulator};

/// The name the request log gives a caller of Aiven's API.
const CALLER: &str = "aiven-api";
/// Schemes of the `Authorization` header: what Aiven's clients send, and what its documentation's
/// examples send [C].
const SCHEMES: [&str; 2] = ["aivenv1", "bearer"];

/// The projects an authenticated token may act on; `None`: all.
#[derive(Debug, Clone)]
struct Grant(Option<Vec<String>>);

pub fn router(simulator: Simulator) -> Router<Simulator> {
    Router::new()
        .route("/project/{project}/vpcs", get(list_vpcs))
        .route("/project/{project}/vpcs/{vpc}", get(get_vpc))
        .route(
            "/project/{project}/vpcs/{vpc}/peering-connections",
            post(create_connection),
        )
        .route(
            "/project/{project}/vpcs/{vpc}/peering-connections/peer-accounts/{account}/peer-vpcs/{peer_vpc}",
            delete(delete_connection),
        )
        .fallback(unknown_path)
        .method_not_allowed_fallback(wrong_method)
        .layer(middleware::from_fn_with_state(simulator, authenticate))
}

impl From<NotSaved> for AivenError {
    fn from(NotSaved(why): NotSaved) -> Self {
        AivenError::StateNotSaved(why)
    }
}

async fn authenticate(
    State(simulator): State<Simulator>,
    mut request: Request,
    next: Next,
) -> Response {
    let presented = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().split_once(' '))
        .filter(|(scheme, _)| SCHEMES.iter().any(|s| s.eq_ignore_ascii_case(scheme)))
        .map(|(_, token)| token.trim().to_owned());
    let grant = presented.and_then(|token| {
        simulator.read(|world| {
            world
                .aiven
                .tokens
                .iter()
                .find(|known: &&AivenToken| known.token == token)
                .map(|known| Grant(known.projects.clone()))
        })
    });
    let Some(grant) = grant else {
        return AivenError::InvalidToken.into_response();
    };
    request.extensions_mut().insert(grant);
    let mut response = next.run(request).await;
    response.extensions_mut().insert(Caller(CALLER.to_owned()));
    response
}

/// The project exists (a VPC or a token names it), and the token may act on it.
fn check_project(world: &World, grant: &Grant, project: &str) -> Result<(), AivenError> {
    let aiven = &world.aiven;
    let known = aiven.vpcs.iter().any(|vpc| vpc.project == project)
        || aiven
            .tokens
            .iter()
            .filter_map(|token| token.projects.as_ref())
            .any(|projects| projects.iter().any(|p| p == project));
    if !known {
        return Err(AivenError::ProjectNotFound(project.to_owned()));
    }
    match &grant.0 {
        Some(projects) if !projects.iter().any(|p| p == project) => {
            Err(AivenError::ProjectForbidden(project.to_owned()))
        }
        _ => Ok(()),
    }
}

fn vpc_uuid(text: &str) -> Result<Uuid, AivenError> {
    Uuid::try_parse(text).map_err(|_| AivenError::VpcNotFound(text.to_owned()))
}

async fn list_vpcs(
    State(simulator): State<Simulator>,
    Extension(grant): Extension<Grant>,
    Path(project): Path<String>,
) -> Result<Json<wire::VpcList>, AivenError> {
    simulator.read(|world| {
        check_project(world, &grant, &project)?;
        let vpcs = world
            .aiven
            .vpcs
            .iter()
            .filter(|vpc| vpc.project == project)
            .map(|vpc| lifecycle::present_vpc(world, vpc, false))
            .collect();
        Ok(Json(wire::VpcList { vpcs }))
    })
}

async fn get_vpc(
    State(simulator): State<Simulator>,
    Extension(grant): Extension<Grant>,
    Path((project, vpc)): Path<(String, String)>,
) -> Result<Json<wire::Vpc>, AivenError> {
    simulator.read(|world| {
        check_project(world, &grant, &project)?;
        let found = lifecycle::vpc(world, &project, vpc_uuid(&vpc)?)
            .ok_or_else(|| AivenError::VpcNotFound(vpc.clone()))?;
        Ok(Json(lifecycle::present_vpc(world, found, true)))
    })
}

async fn create_connection(
    State(simulator): State<Simulator>,
    Extension(grant): Extension<Grant>,
    Path((project, vpc)): Path<(String, String)>,
    body: Bytes,
) -> Result<(StatusCode, Json<wire::PeeringConnection>), AivenError> {
    let moment = simulator.moment();
    simulator.mutate(|world| {
        check_project(world, &grant, &project)?;
        let vpc = vpc_uuid(&vpc)?;
        let request: CreatePeeringConnection =
            serde_json::from_slice(&body).map_err(|e| AivenError::BodyInvalid(e.to_string()))?;
        let index = lifecycle::create(world, &project, vpc, request, moment.now_ms)?;
        let answer = lifecycle::present_connection(world, &world.aiven.connections[index]);
        let status = StatusCode::from_u16(CREATED).unwrap_or(StatusCode::CREATED);
        Ok((status, Json(answer)))
    })
}

async fn delete_connection(
    State(simulator): State<Simulator>,
    Extension(grant): Extension<Grant>,
    Path((project, vpc, account, peer_vpc)): Path<(String, String, String, String)>,
) -> Result<Json<wire::PeeringConnection>, AivenError> {
    let now = simulator.moment().now_ms;
    simulator.mutate(|world| {
        check_project(world, &grant, &project)?;
        let vpc = vpc_uuid(&vpc)?;
        let index = lifecycle::delete(world, &project, vpc, &account, &peer_vpc, now)?;
        Ok(Json(lifecycle::present_connection(
            world,
            &world.aiven.connections[index],
        )))
    })
}

async fn unknown_path(method: Method, uri: Uri) -> AivenError {
    AivenError::PathNotFound(format!("{method} {}", uri.path()))
}

async fn wrong_method(method: Method) -> AivenError {
    AivenError::MethodNotAllowed(method.to_string())
}
