//! The HTTP client for Aiven's project VPC endpoints, on the shared HTTP session.

use reqwest::Method;

use crate::http::{
    ApiError, Authorization, ClientOptions, ClientSetupError, Dialect, Secret, Session,
};
use crate::model::{AivenConnection, AivenVpc, ConnectionKey, VpcRef};
use crate::stop::StopSignal;

use super::convert;
use super::wire;

/// How Aiven's API speaks: every path starts with `/v1` [C], errors are [`wire::ErrorBody`].
const AIVEN: Dialect = Dialect {
    version: "v1",
    decode_error: convert::decode_error_body,
    credentials_belong_in: "AIVEN_TOKEN (or the variable [aiven] token_env names)",
};

/// The scheme of the `Authorization` header Aiven's own clients send [C].
const AUTH_SCHEME: &str = "aivenv1";

/// Talks to Aiven's API with one token. Cheap to clone; clones share connections.
#[derive(Debug, Clone)]
pub struct AivenClient {
    session: Session,
}

/// How a create ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Created {
    /// Aiven accepted it; the connection as answered, when the answer is one.
    New(Option<AivenConnection>),
    /// Aiven refused it, and a read of the VPC found the pair's connection: it was there
    /// already (created by someone else, or by an earlier attempt whose answer was lost).
    AlreadyThere(AivenConnection),
}

impl AivenClient {
    /// `api_url` is the API's root (`https://api.aiven.io`); the client adds `/v1/...` and sends
    /// `Authorization: aivenv1 <token>`.
    pub fn new(
        api_url: &str,
        token: Secret,
        options: ClientOptions,
    ) -> Result<Self, ClientSetupError> {
        let authorization = Authorization::Scheme {
            scheme: AUTH_SCHEME,
            token,
        };
        let session = Session::new(api_url, &AIVEN, authorization, options)?;
        Ok(AivenClient { session })
    }

    /// Once `stop` is requested, no attempt starts and no retry waits (see [`crate::stop`]).
    pub fn stopped_by(self, stop: StopSignal) -> Self {
        AivenClient {
            session: self.session.stopped_by(stop),
        }
    }

    /// The VPC with all its connections: there is no read of one connection [C].
    pub async fn get_vpc(&self, at: &VpcRef) -> Result<AivenVpc, ApiError> {
        let operation = format!("read Aiven VPC {at}");
        let vpc = at.vpc.to_string();
        let found: wire::Vpc = self
            .session
            .request(
                &operation,
                Method::GET,
                &vpc_path(&at.project, &vpc),
                None::<&()>,
            )
            .await?;
        convert::vpc(&operation, at, found)
    }

    /// Creates the connection from the key's VPC to its UpCloud network. Retried like every
    /// request; a create that Aiven refuses with a 4xx that may mean "exists already" is
    /// settled by reading the VPC (see `wire`).
    pub async fn create_connection(&self, key: &ConnectionKey) -> Result<Created, ApiError> {
        let at = &key.vpc;
        let operation = format!(
            "create the Aiven peering connection of VPC {at} to network {}",
            key.network
        );
        let vpc = at.vpc.to_string();
        let mut path = vpc_path(&at.project, &vpc);
        path.push("peering-connections");
        let body = convert::create_request(key);
        match self
            .session
            .send(&operation, Method::POST, &path, Some(&body))
            .await
        {
            Ok(answer) => Ok(Created::New(
                serde_json::from_slice(&answer)
                    .ok()
                    .and_then(|connection| convert::connection(at, connection))
                    .filter(|connection| connection.key == *key),
            )),
            Err(error) if may_mean_exists(&error) => {
                let vpc = self.get_vpc(at).await?;
                match vpc.connection_to(key.network) {
                    Some(found) => Ok(Created::AlreadyThere(found.clone())),
                    None => Err(error),
                }
            }
            Err(error) => Err(error),
        }
    }

    /// Deletes the connection; Aiven then removes its half. The answer, when it is the
    /// connection, shows it `DELETING` [I]. A 404 means it is gone already
    /// ([`ApiError::is_not_found`]).
    pub async fn delete_connection(
        &self,
        key: &ConnectionKey,
    ) -> Result<Option<AivenConnection>, ApiError> {
        let at = &key.vpc;
        let operation = format!(
            "delete the Aiven peering connection of VPC {at} to network {}",
            key.network
        );
        let vpc = at.vpc.to_string();
        let network = key.network.to_string();
        let mut path = vpc_path(&at.project, &vpc);
        path.extend([
            "peering-connections",
            "peer-accounts",
            wire::UPCLOUD,
            "peer-vpcs",
            &network,
        ]);
        let answer = self
            .session
            .send(&operation, Method::DELETE, &path, None::<&()>)
            .await?;
        Ok(serde_json::from_slice(&answer)
            .ok()
            .and_then(|connection| convert::connection(at, connection)))
    }
}

fn vpc_path<'a>(project: &'a str, vpc: &'a str) -> Vec<&'a str> {
    vec!["project", project, "vpcs", vpc]
}

/// A refusal about the request itself that is not about the credentials, the project or the
/// VPC: possibly "a connection for this pair exists".
fn may_mean_exists(error: &ApiError) -> bool {
    error.status().is_some_and(|status| {
        (400..500).contains(&status) && !matches!(status, 401 | 403 | 404 | 429)
    })
}
