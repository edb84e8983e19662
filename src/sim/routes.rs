//! The HTTP face of the simulator: the `/1.3` endpoints, with bodies from `upcloud::wire`, and
//! Aiven's `/v1` endpoints beside them (`aiven::routes`).

use axum::body::Bytes;
use axum::extract::{Extension, Path, RawQuery, Request, State};
use axum::http::{Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router, middleware};
use serde::de::DeserializeOwned;
use url::form_urlencoded;
use uuid::Uuid;

use super::auth::{Caller, authenticate};
use super::error_answers::ErrorAnswer;
use super::faults::inject;
use super::log::record;
use super::state::now_ms;
use super::world::World;
use super::{Simulator, aiven, ops, present};
use crate::upcloud::wire::{
    self, CreatePeeringRequest, ModifyPeering, ModifyPeeringRequest, NetworkEnvelope, NetworkList,
    NetworkListEnvelope, PeeringEnvelope, PeeringList, PeeringListEnvelope, RouterList,
    RouterListEnvelope,
};

/// The fields a PATCH may not name [C: `network` and `peer_network` cannot change].
const IMMUTABLE_FIELDS: [&str; 2] = ["network", "peer_network"];

pub fn router(simulator: Simulator) -> Router {
    let upcloud = upcloud_router(simulator.clone());
    Router::new()
        .nest("/v1", aiven::router(simulator.clone()))
        .fallback_service(upcloud)
        // The last layer added runs first: log everything, including failed authentication
        // and injected faults, which come before authentication as a load balancer's would;
        // then let the platform do what is due before the request is handled.
        .layer(middleware::from_fn_with_state(
            simulator.clone(),
            carry_out_what_is_due,
        ))
        .layer(middleware::from_fn(inject))
        .layer(middleware::from_fn_with_state(simulator.clone(), record))
        .with_state(simulator)
}

/// The UpCloud API: every path that is not Aiven's, unknown ones included.
fn upcloud_router(simulator: Simulator) -> Router {
    Router::new()
        .route(
            "/1.3/network-peering",
            get(list_peerings).post(create_peering),
        )
        .route(
            "/1.3/network-peering/{uuid}",
            get(get_peering)
                .patch(modify_peering)
                .delete(delete_peering),
        )
        // The reference shows the list both with and without the trailing slash [C].
        .route("/1.3/network", get(list_networks))
        .route("/1.3/network/", get(list_networks))
        .route(
            "/1.3/network/{uuid}",
            get(get_network).delete(delete_network),
        )
        .route("/1.3/router", get(list_routers))
        .fallback(unknown_path)
        .method_not_allowed_fallback(wrong_method)
        .layer(middleware::from_fn_with_state(
            simulator.clone(),
            authenticate,
        ))
        .with_state(simulator)
}

/// What the platforms do in the background (Aiven building or removing its halves) happens,
/// as far as anyone can tell, before the next request is handled.
async fn carry_out_what_is_due(
    State(simulator): State<Simulator>,
    request: Request,
    next: Next,
) -> Response {
    let moment = simulator.moment();
    if simulator.read(|world| aiven::is_due(world, moment.now_ms)) {
        let done = simulator.mutate(|world| {
            aiven::advance(world, moment);
            Ok::<(), ErrorAnswer>(())
        });
        if let Err(error) = done {
            return error.into_response();
        }
    }
    next.run(request).await
}

async fn list_peerings(
    State(simulator): State<Simulator>,
    Extension(Caller(account)): Extension<Caller>,
    RawQuery(query): RawQuery,
) -> Json<PeeringListEnvelope> {
    let filters = label_filters(query.as_deref());
    let now = now_ms();
    let network_peering = simulator.read(|world| {
        world
            .peerings()
            .filter(|p| p.account == account && filters.iter().all(|f| f.matches(&p.labels)))
            .map(|p| present::peering(world, p, now))
            .collect()
    });
    Json(PeeringListEnvelope {
        network_peerings: PeeringList { network_peering },
    })
}

async fn get_peering(
    State(simulator): State<Simulator>,
    Extension(Caller(account)): Extension<Caller>,
    Path(uuid): Path<String>,
) -> Result<Json<PeeringEnvelope>, ErrorAnswer> {
    let now = now_ms();
    simulator.read(|world| {
        let peering = ops::own_peering(world, &account, &uuid)?;
        Ok(Json(PeeringEnvelope {
            network_peering: present::peering(world, peering, now),
        }))
    })
}

async fn create_peering(
    State(simulator): State<Simulator>,
    Extension(Caller(account)): Extension<Caller>,
    body: Bytes,
) -> Result<(StatusCode, Json<PeeringEnvelope>), ErrorAnswer> {
    let request: CreatePeeringRequest = parse_body(&body)?;
    let moment = simulator.moment();
    simulator.mutate(|world| {
        let uuid = ops::create_peering(world, &account, request.network_peering, moment)?;
        Ok((StatusCode::CREATED, Json(envelope(world, uuid, moment)?)))
    })
}

async fn modify_peering(
    State(simulator): State<Simulator>,
    Extension(Caller(account)): Extension<Caller>,
    Path(uuid): Path<String>,
    body: Bytes,
) -> Result<Json<PeeringEnvelope>, ErrorAnswer> {
    let change = parse_modify(&body)?;
    let moment = simulator.moment();
    simulator.mutate(|world| {
        let uuid = ops::modify_peering(world, &account, &uuid, change, moment)?;
        Ok(Json(envelope(world, uuid, moment)?))
    })
}

async fn delete_peering(
    State(simulator): State<Simulator>,
    Extension(Caller(account)): Extension<Caller>,
    Path(uuid): Path<String>,
) -> Result<StatusCode, ErrorAnswer> {
    let now = now_ms();
    simulator.mutate(|world| ops::delete_peering(world, &account, &uuid, now))?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_networks(
    State(simulator): State<Simulator>,
    Extension(Caller(account)): Extension<Caller>,
    RawQuery(query): RawQuery,
) -> Json<NetworkListEnvelope> {
    let zone = query_values(query.as_deref(), "zone").next();
    let network = simulator.read(|world| {
        world
            .networks
            .iter()
            .filter(|n| n.account == account && zone.as_ref().is_none_or(|zone| &n.zone == zone))
            .map(present::network)
            .collect()
    });
    Json(NetworkListEnvelope {
        networks: NetworkList { network },
    })
}

async fn get_network(
    State(simulator): State<Simulator>,
    Extension(Caller(account)): Extension<Caller>,
    Path(uuid): Path<String>,
) -> Result<Json<NetworkEnvelope>, ErrorAnswer> {
    let found = simulator.read(|world| {
        let uuid = Uuid::try_parse(&uuid).ok()?;
        world
            .network(uuid)
            .filter(|n| n.account == account)
            .map(present::network)
    });
    match found {
        Some(network) => Ok(Json(NetworkEnvelope { network })),
        None => Err(ErrorAnswer::ResourceNotFound {
            correlation_id: simulator.next_correlation_id(),
        }),
    }
}

async fn delete_network(
    State(simulator): State<Simulator>,
    Extension(Caller(account)): Extension<Caller>,
    Path(uuid): Path<String>,
) -> Result<StatusCode, ErrorAnswer> {
    simulator.delete_network_of(&account, &uuid)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_routers(
    State(simulator): State<Simulator>,
    Extension(Caller(account)): Extension<Caller>,
) -> Json<RouterListEnvelope> {
    let router = simulator.read(|world| {
        world
            .routers
            .iter()
            .filter(|r| r.account == account)
            .map(|r| present::router(world, r))
            .collect()
    });
    Json(RouterListEnvelope {
        routers: RouterList { router },
    })
}

async fn unknown_path(method: Method, uri: Uri) -> ErrorAnswer {
    ErrorAnswer::PathNotFound(format!("{method} {}", uri.path()))
}

async fn wrong_method(method: Method) -> ErrorAnswer {
    ErrorAnswer::MethodNotAllowed(method.to_string())
}

/// The single-peering answer for a peering that was just created or changed.
fn envelope(
    world: &World,
    uuid: Uuid,
    moment: ops::Moment,
) -> Result<PeeringEnvelope, ErrorAnswer> {
    let peering = world.peering(uuid).ok_or(ErrorAnswer::PeeringNotFound)?;
    Ok(PeeringEnvelope {
        network_peering: present::peering(world, peering, moment.now_ms),
    })
}

/// Reads a JSON body ourselves rather than with axum's `Json`, whose rejections are plain
/// text: the API answers a bad body with its own error body.
fn parse_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, ErrorAnswer> {
    serde_json::from_slice(body).map_err(|e| ErrorAnswer::BodyInvalid(e.to_string()))
}

/// The wire type of a PATCH has no `network` or `peer_network`, so look at the raw JSON to
/// refuse a request that tries to change them instead of silently ignoring it.
fn parse_modify(body: &[u8]) -> Result<ModifyPeering, ErrorAnswer> {
    let value: serde_json::Value = parse_body(body)?;
    let fields = value.get("network_peering");
    if let Some(field) = IMMUTABLE_FIELDS
        .into_iter()
        .find(|field| fields.and_then(|f| f.get(field)).is_some())
    {
        return Err(ErrorAnswer::FieldImmutable(field));
    }
    let request: ModifyPeeringRequest =
        serde_json::from_value(value).map_err(|e| ErrorAnswer::BodyInvalid(e.to_string()))?;
    Ok(request.network_peering)
}

/// The values of every `name=...` pair in the query, decoded.
fn query_values<'q>(query: Option<&'q str>, name: &'q str) -> impl Iterator<Item = String> + 'q {
    form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .filter(move |(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

/// `?label=key` matches any value of `key`; `?label=key%3Dvalue` matches that value only [C].
struct LabelFilter {
    key: String,
    value: Option<String>,
}

impl LabelFilter {
    fn matches(&self, labels: &[wire::Label]) -> bool {
        labels
            .iter()
            .any(|l| l.key == self.key && self.value.as_ref().is_none_or(|value| &l.value == value))
    }
}

fn label_filters(query: Option<&str>) -> Vec<LabelFilter> {
    query_values(query, "label")
        .map(|filter| match filter.split_once('=') {
            Some((key, value)) => LabelFilter {
                key: key.to_owned(),
                value: Some(value.to_owned()),
            },
            None => LabelFilter {
                key: filter,
                value: None,
            },
        })
        .collect()
}
