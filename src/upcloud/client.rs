//! The HTTP client for one UpCloud account.

use std::time::Duration;

use reqwest::{Method, header};
use serde::Serialize;
use serde::de::DeserializeOwned;
use url::Url;

use crate::model::{Network, Peering, PeeringId, PeeringPatch, PeeringSpec};

use super::credentials::Credentials;
use super::error::{ApiError, decode_error_body};
use super::{convert, wire};

/// The API version every path starts with [C].
const API_PREFIX: &str = "1.3/";
/// Answers larger than this are refused rather than read into memory. A full account's 100
/// peerings are well under 1 MiB.
const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Talks to the API as one account. Cheap to clone; clones share connections.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base: Url,
    credentials: Credentials,
}

#[derive(Debug, thiserror::Error)]
pub enum ClientSetupError {
    #[error("invalid API URL {url:?}: {reason}")]
    InvalidUrl { url: String, reason: String },
    #[error("cannot set up the HTTP client: {0}")]
    Http(#[from] reqwest::Error),
}

impl Client {
    /// `api_url` is the API's root (`https://api.upcloud.com`, a trailing slash accepted); the
    /// client adds `/1.3/...`.
    pub fn new(api_url: &str, credentials: Credentials) -> Result<Self, ClientSetupError> {
        let base = base_url(api_url)?;
        let http = reqwest::Client::builder()
            .user_agent(concat!("peerings/", env!("CARGO_PKG_VERSION")))
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .build()?;
        Ok(Client {
            http,
            base,
            credentials,
        })
    }

    pub async fn list_peerings(&self) -> Result<Vec<Peering>, ApiError> {
        let operation = "list network peerings";
        let list: wire::PeeringListEnvelope = self
            .request(operation, Method::GET, "network-peering", None::<&()>)
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
            .request(operation, Method::GET, "network", None::<&()>)
            .await?;
        list.networks
            .network
            .into_iter()
            .map(|network| convert::network(operation, network))
            .collect()
    }

    pub async fn create_peering(&self, spec: &PeeringSpec) -> Result<Peering, ApiError> {
        let operation = format!("create peering {:?}", spec.name);
        let body = convert::create_request(spec);
        let created: wire::PeeringEnvelope = self
            .request(&operation, Method::POST, "network-peering", Some(&body))
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
        let path = format!("network-peering/{id}");
        let modified: wire::PeeringEnvelope = self
            .request(&operation, Method::PATCH, &path, Some(&body))
            .await?;
        convert::peering(&operation, modified.network_peering)
    }

    /// One request: send, check the status, read a bounded body, decode it.
    async fn request<B: Serialize, T: DeserializeOwned>(
        &self,
        operation: &str,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<T, ApiError> {
        let url = self.url(path);
        let transport = |error: reqwest::Error| ApiError::Transport {
            operation: operation.to_owned(),
            url: url.to_string(),
            reason: describe_transport_error(&error),
        };
        let mut request = self
            .authenticate(self.http.request(method, url.clone()))
            .header(header::ACCEPT, "application/json");
        if let Some(body) = body {
            let json = serde_json::to_vec(body).map_err(|error| ApiError::Malformed {
                operation: operation.to_owned(),
                detail: format!("cannot encode the request: {error}"),
            })?;
            request = request
                .header(header::CONTENT_TYPE, "application/json")
                .body(json);
        }
        let mut response = request.send().await.map_err(transport)?;
        let status = response.status();
        let bytes = read_bounded(&mut response)
            .await
            .map_err(|error| match error {
                BodyError::Transport(error) => transport(error),
                BodyError::TooLarge => ApiError::Malformed {
                    operation: operation.to_owned(),
                    detail: format!("the answer is larger than {MAX_BODY_BYTES} bytes"),
                },
            })?;
        if !status.is_success() {
            let (code, message) = decode_error_body(&bytes);
            return Err(ApiError::Status {
                operation: operation.to_owned(),
                status: status.as_u16(),
                code,
                message,
            });
        }
        serde_json::from_slice(&bytes).map_err(|error| ApiError::Malformed {
            operation: operation.to_owned(),
            detail: format!("invalid JSON body: {error}"),
        })
    }

    fn url(&self, path: &str) -> Url {
        let mut url = self.base.clone();
        url.set_path(&format!("{}{API_PREFIX}{path}", self.base.path()));
        url
    }

    fn authenticate(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.credentials {
            Credentials::Token(token) => request.bearer_auth(token.expose()),
            Credentials::Basic { username, password } => {
                request.basic_auth(username, Some(password.expose()))
            }
        }
    }
}

/// Parses the API root and makes sure its path ends in `/`, so `/1.3/...` is appended to it.
fn base_url(api_url: &str) -> Result<Url, ClientSetupError> {
    let invalid = |reason: &str| ClientSetupError::InvalidUrl {
        url: without_userinfo(api_url),
        reason: reason.to_owned(),
    };
    let mut url = Url::parse(api_url).map_err(|error| invalid(&error.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid(
            "the scheme must be https (or http, or sim: for the simulator)",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("it must not have a query or fragment"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            "credentials belong in UPCLOUD_TOKEN or UPCLOUD_USERNAME/UPCLOUD_PASSWORD, not in the URL",
        ));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// The URL as it may be shown: a password someone put in it is cut out.
fn without_userinfo(api_url: &str) -> String {
    match (api_url.find("://"), api_url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            format!(
                "{}://[redacted]@{}",
                &api_url[..scheme_end],
                &api_url[at + 1..]
            )
        }
        _ => api_url.to_owned(),
    }
}

enum BodyError {
    Transport(reqwest::Error),
    TooLarge,
}

async fn read_bounded(response: &mut reqwest::Response) -> Result<Vec<u8>, BodyError> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Transport)? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// reqwest's own message names only the outermost layer ("error sending request"); the cause
/// (connection refused, timed out) is what a person needs.
fn describe_transport_error(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        return "timed out".to_owned();
    }
    let mut reason = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        reason = cause.to_string();
        source = cause.source();
    }
    reason
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_api_root_may_end_with_a_slash_or_have_a_prefix() {
        let url = |root| {
            let client =
                Client::new(root, Credentials::Token(super::super::Secret::new("t"))).unwrap();
            client.url("network-peering").to_string()
        };
        assert_eq!(
            url("https://api.upcloud.com"),
            "https://api.upcloud.com/1.3/network-peering"
        );
        assert_eq!(
            url("https://api.upcloud.com/"),
            "https://api.upcloud.com/1.3/network-peering"
        );
        assert_eq!(
            url("http://127.0.0.1:8080/proxy"),
            "http://127.0.0.1:8080/proxy/1.3/network-peering"
        );
    }

    #[test]
    fn unusable_api_urls_are_refused() {
        for bad in [
            "api.upcloud.com",
            "ftp://api.upcloud.com",
            "https://user:pw@api.upcloud.com",
        ] {
            assert!(base_url(bad).is_err(), "{bad}");
        }
        for with_password in [
            "https://user:hunter2@api.upcloud.com",
            "https://user:hunter2@bad host",
        ] {
            let message = base_url(with_password).unwrap_err().to_string();
            assert!(!message.contains("hunter2"), "{message}");
        }
    }
}
