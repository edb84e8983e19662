//! The HTTP client for one UpCloud account: the endpoints it uses, on the shared HTTP session.

use reqwest::Method;

use crate::http::{ApiError, ClientOptions, ClientSetupError, Dialect, Session};
use crate::model::{Network, Peering, PeeringId, PeeringPatch, PeeringSpec};
use crate::stop::StopSignal;

use super::credentials::Credentials;
use super::error::decode_error_body;
use super::{convert, wire};

/// How the UpCloud API speaks: every path starts with `/1.3` [C], and errors come in either of
/// its two bodies.
const UPCLOUD: Dialect = Dialect {
    version: "1.3",
    decode_error: decode_error_body,
    credentials_belong_in: "UPCLOUD_TOKEN or UPCLOUD_USERNAME/UPCLOUD_PASSWORD",
};

/// Talks to the API as one account. Cheap to clone; clones share connections and the stop
/// signal.
#[derive(Debug, Clone)]
pub struct Client {
    session: Session,
}

impl Client {
    /// `api_url` is the API's root (`https://api.upcloud.com`, a trailing slash accepted); the
    /// client adds `/1.3/...`.
    pub fn new(
        api_url: &str,
        credentials: Credentials,
        options: ClientOptions,
    ) -> Result<Self, ClientSetupError> {
        let session = Session::new(api_url, &UPCLOUD, credentials.authorization(), options)?;
        Ok(Client { session })
    }

    /// Stops retries and waits when `stop` is requested (see [`Session::stopped_by`]).
    pub fn stopped_by(self, stop: StopSignal) -> Self {
        Client {
            session: self.session.stopped_by(stop),
        }
    }

    pub async fn list_peerings(&self) -> Result<Vec<Peering>, ApiError> {
        let operation = "list network peerings";
        let list: wire::PeeringListEnvelope = self
            .session
            .request(operation, Method::GET, &["network-peering"], None::<&()>)
            .await?;
        list.network_peerings
            .network_peering
            .into_iter()
            .map(|peering| convert::peering(operation, peering))
            .collect()
    }

    pub async fn list_networks(&self) -> Result<Vec<Network>, ApiError> {
        let operation = "list networks";
        let list: wire::NetworkListEnvelope = self
            .session
            .request(operation, Method::GET, &["network"], None::<&()>)
            .await?;
        list.networks
            .network
            .into_iter()
            .map(|network| convert::network(operation, network))
            .collect()
    }

    pub async fn get_peering(&self, id: PeeringId, name: &str) -> Result<Peering, ApiError> {
        let operation = format!("get peering {name:?}");
        let id = id.to_string();
        let found: wire::PeeringEnvelope = self
            .session
            .request(
                &operation,
                Method::GET,
                &["network-peering", &id],
                None::<&()>,
            )
            .await?;
        convert::peering(&operation, found.network_peering)
    }

    /// Creates a peering. Retried like every request: when an earlier attempt did create it but
    /// its answer was lost, the retry answers 409 `PEERING_CONFLICT`, which callers treat as
    /// "already exists".
    pub async fn create_peering(&self, spec: &PeeringSpec) -> Result<Peering, ApiError> {
        let operation = format!("create peering {:?}", spec.name);
        let body = convert::create_request(spec);
        let created: wire::PeeringEnvelope = self
            .session
            .request(&operation, Method::POST, &["network-peering"], Some(&body))
            .await?;
        convert::peering(&operation, created.network_peering)
    }

    pub async fn modify_peering(
        &self,
        id: PeeringId,
        name: &str,
        patch: &PeeringPatch,
    ) -> Result<Peering, ApiError> {
        let operation = format!("modify peering {name:?}");
        let body = convert::modify_request(patch);
        let id = id.to_string();
        let modified: wire::PeeringEnvelope = self
            .session
            .request(
                &operation,
                Method::PATCH,
                &["network-peering", &id],
                Some(&body),
            )
            .await?;
        convert::peering(&operation, modified.network_peering)
    }

    /// Deletes a peering, which the API allows only once its state is `disabled` [C]. When an
    /// earlier attempt did delete it but its answer was lost, the retry answers 404
    /// (see [`ApiError::is_not_found`]).
    pub async fn delete_peering(&self, id: PeeringId, name: &str) -> Result<(), ApiError> {
        let operation = format!("delete peering {name:?}");
        let id = id.to_string();
        // 204 No Content [I]: whatever body comes with success is ignored, never decoded.
        self.session
            .send(
                &operation,
                Method::DELETE,
                &["network-peering", &id],
                None::<&()>,
            )
            .await
            .map(drop)
    }
}
