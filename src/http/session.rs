//! One API root with one set of credentials: each request is sent, retried while the failure is
//! likely to pass, and its answer read within bounds. The platforms' clients (`upcloud`,
//! `aiven`) say which endpoints to call; this says how.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use rand::SeedableRng;
use rand::rngs::SmallRng;
use reqwest::{Method, StatusCode, header};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tracing::{debug, info};
use url::Url;

use crate::stop::StopSignal;

use super::error::{ApiError, describe_redirect, describe_status};
use super::gate::Gate;
use super::retry::{backoff_delay, is_retryable_status, retry_after_delay};
use super::secret::Secret;

/// Answers larger than this are refused rather than read into memory. A full account's 100
/// peerings, or a VPC's peering connections, are well under 1 MiB.
const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;
/// A host that does not accept a connection this quickly is unlikely to later; failing the
/// attempt early leaves time for a retry within the attempt's own timeout.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How patient the client is. The defaults suit the real API; tests shrink them.
///
/// Failures likely to pass (HTTP 429, 500, 502, 503, 504, no complete answer) are retried after
/// a random wait in `[0, min(backoff_cap, backoff_base * 2^retry)]`, or after the server's
/// `Retry-After` when it sends one (obeyed up to 60 s).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientOptions {
    /// Bounds each attempt as a whole: connecting, sending and reading the entire answer.
    pub timeout: Duration,
    /// Attempts after the first one, for failures that are likely temporary.
    pub max_retries: u32,
    /// The backoff ceiling before the first retry; it doubles with every further retry.
    pub backoff_base: Duration,
    /// The backoff ceiling never grows beyond this.
    pub backoff_cap: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            timeout: Duration::from_secs(30),
            max_retries: 6,
            backoff_base: Duration::from_millis(250),
            backoff_cap: Duration::from_secs(20),
        }
    }
}

/// What differs between the APIs a session can talk to.
#[derive(Debug)]
pub struct Dialect {
    /// The first segment of every path: `1.3`, `v1`.
    pub version: &'static str,
    /// Reads an error answer's body: its error code, if it has one, and its message.
    pub decode_error: fn(&[u8]) -> (Option<String>, String),
    /// Where the credentials go instead of the URL, for the message refusing a URL with them.
    pub credentials_belong_in: &'static str,
}

/// How a request proves who sends it. Every form keeps its secret in a [`Secret`].
#[derive(Debug, Clone)]
pub enum Authorization {
    /// `Authorization: Bearer <token>`.
    Bearer(Secret),
    /// HTTP Basic.
    Basic { username: String, password: Secret },
    /// `Authorization: <scheme> <token>`, such as Aiven's `aivenv1`.
    Scheme { scheme: &'static str, token: Secret },
}

/// Talks to one API root with one set of credentials. Cheap to clone; clones share connections
/// and the stop signal.
#[derive(Debug, Clone)]
pub struct Session {
    http: reqwest::Client,
    base: Url,
    dialect: &'static Dialect,
    credential: Credential,
    options: ClientOptions,
    stop: StopSignal,
    /// One account's requests slow down together (see `gate`).
    gate: Arc<Gate>,
}

/// An [`Authorization`] as the session sends it; a header built once is marked sensitive, so
/// neither `Debug` nor reqwest's own logging shows it.
#[derive(Debug, Clone)]
enum Credential {
    Bearer(Secret),
    Basic { username: String, password: Secret },
    Header(header::HeaderValue),
}

impl Credential {
    fn new(authorization: Authorization) -> Result<Credential, ClientSetupError> {
        Ok(match authorization {
            Authorization::Bearer(token) => Credential::Bearer(token),
            Authorization::Basic { username, password } => Credential::Basic { username, password },
            Authorization::Scheme { scheme, token } => {
                let mut value =
                    header::HeaderValue::from_str(&format!("{scheme} {}", token.expose()))
                        .map_err(|_| ClientSetupError::UnsendableToken { scheme })?;
                value.set_sensitive(true);
                Credential::Header(value)
            }
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ClientSetupError {
    #[error("invalid API URL {url:?}: {reason}")]
    InvalidUrl { url: String, reason: String },
    #[error("cannot set up the HTTP client: {0}")]
    Http(#[from] reqwest::Error),
    #[error("the {scheme} token holds characters an HTTP header cannot carry")]
    UnsendableToken { scheme: &'static str },
}

/// One request as every attempt sends it: the body is encoded once, up front.
struct Call<'a> {
    operation: &'a str,
    method: Method,
    url: Url,
    json_body: Option<Vec<u8>>,
}

/// What one attempt got back, before it is judged.
struct Answer {
    status: StatusCode,
    retry_after: Option<Duration>,
    /// The `Location` of a redirect.
    location: Option<String>,
    body: Vec<u8>,
}

/// Why one attempt failed, kept apart from [`ApiError`] until it is known whether another
/// attempt follows and how many were made.
enum Failure {
    /// No complete answer: connection, timeout, or the body broke off.
    NoAnswer { reason: String },
    /// An error status, with the error body and the server's `Retry-After`, if any.
    Status {
        status: StatusCode,
        retry_after: Option<Duration>,
        body: Vec<u8>,
    },
    /// The answer is over [`MAX_BODY_BYTES`]; downloading it again would not make it smaller.
    TooLarge,
    /// A 3xx: never followed, since a write redirected and then read with GET would look done.
    Redirect {
        status: StatusCode,
        location: Option<String>,
    },
}

impl Session {
    /// `api_url` is the API's root (`https://api.upcloud.com`, a trailing slash accepted); the
    /// session adds the dialect's version to every path.
    pub fn new(
        api_url: &str,
        dialect: &'static Dialect,
        authorization: Authorization,
        options: ClientOptions,
    ) -> Result<Self, ClientSetupError> {
        let base = base_url(api_url, dialect)?;
        let credential = Credential::new(authorization)?;
        // No reqwest-wide timeout: each attempt is bounded by `options.timeout` as a whole,
        // in `attempt`, so that a slow body is a timeout too.
        let http = reqwest::Client::builder()
            .user_agent(concat!("peerings/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(CONNECT_TIMEOUT)
            // A redirected write followed as a GET would answer 200 and be taken for done.
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Session {
            http,
            base,
            dialect,
            credential,
            options,
            stop: StopSignal::default(),
            gate: Arc::new(Gate::default()),
        })
    }

    /// Once `stop` is requested, no attempt starts and no wait for a retry goes on: the request
    /// ends with [`ApiError::Interrupted`]. An attempt already sent finishes (see
    /// [`crate::stop`]).
    pub fn stopped_by(mut self, stop: StopSignal) -> Self {
        self.stop = stop;
        self
    }

    /// One request whose successful answer is a JSON body. `path` is the path's segments after
    /// the version, each percent-encoded as needed.
    pub async fn request<B: Serialize, T: DeserializeOwned>(
        &self,
        operation: &str,
        method: Method,
        path: &[&str],
        body: Option<&B>,
    ) -> Result<T, ApiError> {
        let answer = self.send(operation, method, path, body).await?;
        serde_json::from_slice(&answer).map_err(|error| ApiError::Malformed {
            operation: operation.to_owned(),
            detail: format!("invalid JSON body: {error}"),
        })
    }

    /// One request, retried as needed; the body of its successful answer, undecoded.
    pub async fn send<B: Serialize>(
        &self,
        operation: &str,
        method: Method,
        path: &[&str],
        body: Option<&B>,
    ) -> Result<Vec<u8>, ApiError> {
        let call = self.call(operation, method, path, body)?;
        self.send_call(&call).await
    }

    fn call<'a, B: Serialize>(
        &self,
        operation: &'a str,
        method: Method,
        path: &[&str],
        body: Option<&B>,
    ) -> Result<Call<'a>, ApiError> {
        let encode = |body| {
            serde_json::to_vec(body).map_err(|error| ApiError::Malformed {
                operation: operation.to_owned(),
                detail: format!("cannot encode the request: {error}"),
            })
        };
        let json_body = body.map(encode).transpose()?;
        Ok(Call {
            operation,
            method,
            url: self.url(path),
            json_body,
        })
    }

    /// Sends the call until it succeeds, fails for good, the retries run out or a stop is
    /// requested; returns the successful answer's body.
    async fn send_call(&self, call: &Call<'_>) -> Result<Vec<u8>, ApiError> {
        let mut rng = SmallRng::from_os_rng();
        let mut retries = 0;
        let mut last_failure = None;
        loop {
            if self.stop.is_requested() {
                return Err(interrupted(call, retries, last_failure));
            }
            let Ok(started) = self.gate.turn(&self.stop).await else {
                return Err(interrupted(call, retries, last_failure));
            };
            let failure = match self.attempt(call).await {
                Ok(body) => {
                    self.gate.accepted(started);
                    return Ok(body);
                }
                Err(failure) => failure,
            };
            let attempts = retries.saturating_add(1);
            if !failure.is_retryable() || retries >= self.options.max_retries {
                return Err(failure.into_error(call, self.dialect, attempts));
            }
            let delay = failure.retry_after().unwrap_or_else(|| {
                backoff_delay(
                    retries,
                    self.options.backoff_base,
                    self.options.backoff_cap,
                    &mut rng,
                )
            });
            if failure.asks_to_wait() {
                self.gate.told_to_wait(delay);
            } else {
                self.gate.accepted(started);
            }
            info!(
                "retrying {} in {:.1} s (attempt {} of {}): {}",
                call.operation,
                delay.as_secs_f64(),
                retries.saturating_add(2),
                self.options.max_retries.saturating_add(1),
                failure.describe(self.dialect),
            );
            let waited = self.stop.sleep(delay).await;
            retries = attempts;
            last_failure = Some(failure.describe(self.dialect));
            if waited.is_err() {
                return Err(interrupted(call, retries, last_failure));
            }
        }
    }

    /// One attempt: the body of a success, or why there was none.
    async fn attempt(&self, call: &Call<'_>) -> Result<Vec<u8>, Failure> {
        let started = Instant::now();
        let answer = self.exchange_in_time(call).await;
        log_attempt(call, self.dialect, &answer, started.elapsed());
        let answer = answer?;
        if answer.status.is_success() {
            return Ok(answer.body);
        }
        if answer.status.is_redirection() {
            return Err(Failure::Redirect {
                status: answer.status,
                location: answer.location,
            });
        }
        Err(Failure::Status {
            status: answer.status,
            retry_after: answer.retry_after,
            body: answer.body,
        })
    }

    /// [`Self::exchange`], bounded as a whole by the timeout, so a stalled body ends too.
    async fn exchange_in_time(&self, call: &Call<'_>) -> Result<Answer, Failure> {
        let timeout = self.options.timeout;
        tokio::time::timeout(timeout, self.exchange(call))
            .await
            .unwrap_or_else(|_| {
                Err(Failure::NoAnswer {
                    reason: format!("no complete answer within {:.1} s", timeout.as_secs_f64()),
                })
            })
    }

    /// Sends the request and reads the whole, bounded answer.
    async fn exchange(&self, call: &Call<'_>) -> Result<Answer, Failure> {
        let mut request = self
            .authenticate(self.http.request(call.method.clone(), call.url.clone()))
            .header(header::ACCEPT, "application/json");
        if let Some(json) = &call.json_body {
            request = request
                .header(header::CONTENT_TYPE, "application/json")
                .body(json.clone());
        }
        let mut response = request.send().await.map_err(Failure::no_answer)?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| retry_after_delay(value, SystemTime::now()));
        let location = response
            .headers()
            .get(header::LOCATION)
            .map(|value| without_userinfo(&String::from_utf8_lossy(value.as_bytes())));
        let body = read_bounded(&mut response).await?;
        Ok(Answer {
            status,
            retry_after,
            location,
            body,
        })
    }

    /// The base URL, the dialect's version, then `path`'s segments, each percent-encoded.
    fn url(&self, path: &[&str]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments
                .pop_if_empty()
                .push(self.dialect.version)
                .extend(path);
        }
        url
    }

    fn authenticate(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.credential {
            Credential::Bearer(token) => request.bearer_auth(token.expose()),
            Credential::Basic { username, password } => {
                request.basic_auth(username, Some(password.expose()))
            }
            Credential::Header(value) => request.header(header::AUTHORIZATION, value.clone()),
        }
    }
}

impl Failure {
    fn no_answer(error: reqwest::Error) -> Self {
        Failure::NoAnswer {
            reason: describe_transport_error(&error),
        }
    }

    fn is_retryable(&self) -> bool {
        match self {
            Failure::NoAnswer { .. } => true,
            Failure::Status { status, .. } => is_retryable_status(status.as_u16()),
            Failure::TooLarge | Failure::Redirect { .. } => false,
        }
    }

    /// The API asked for a wait: rate limiting (429), or any answer with `Retry-After`. The
    /// whole session waits then, not just this request.
    fn asks_to_wait(&self) -> bool {
        match self {
            Failure::Status {
                status,
                retry_after,
                ..
            } => *status == StatusCode::TOO_MANY_REQUESTS || retry_after.is_some(),
            Failure::NoAnswer { .. } | Failure::TooLarge | Failure::Redirect { .. } => false,
        }
    }

    /// The server's own wait, which replaces the computed backoff.
    fn retry_after(&self) -> Option<Duration> {
        match self {
            Failure::Status { retry_after, .. } => *retry_after,
            Failure::NoAnswer { .. } | Failure::TooLarge | Failure::Redirect { .. } => None,
        }
    }

    /// For log lines; the final error says the same through [`ApiError`].
    fn describe(&self, dialect: &Dialect) -> String {
        match self {
            Failure::NoAnswer { reason } => format!("no answer: {reason}"),
            Failure::Status { status, body, .. } => {
                let (code, message) = (dialect.decode_error)(body);
                describe_status(status.as_u16(), code.as_deref(), &message)
            }
            Failure::TooLarge => too_large(),
            Failure::Redirect { status, location } => {
                describe_redirect(status.as_u16(), location.as_deref())
            }
        }
    }

    fn into_error(self, call: &Call<'_>, dialect: &Dialect, attempts: u32) -> ApiError {
        let operation = call.operation.to_owned();
        match self {
            Failure::NoAnswer { reason } => ApiError::Transport {
                operation,
                url: call.url.to_string(),
                reason,
                attempts,
            },
            Failure::Status { status, body, .. } => {
                let (code, message) = (dialect.decode_error)(&body);
                ApiError::Status {
                    operation,
                    status: status.as_u16(),
                    code,
                    message,
                    attempts,
                }
            }
            Failure::TooLarge => ApiError::Malformed {
                operation,
                detail: too_large(),
            },
            Failure::Redirect { status, location } => ApiError::Redirected {
                operation,
                status: status.as_u16(),
                location,
            },
        }
    }
}

/// The error of a call stopped before its next attempt: `attempts` were sent, the last of
/// which failed as `last_failure` says.
fn interrupted(call: &Call<'_>, attempts: u32, last_failure: Option<String>) -> ApiError {
    ApiError::Interrupted {
        operation: call.operation.to_owned(),
        attempts,
        last_failure,
    }
}

/// Method, URL and outcome only: never the headers, which carry the credentials.
fn log_attempt(
    call: &Call<'_>,
    dialect: &Dialect,
    answer: &Result<Answer, Failure>,
    elapsed: Duration,
) {
    let (method, url) = (&call.method, &call.url);
    match answer {
        Ok(answer) => debug!("{method} {url} -> {} in {elapsed:.1?}", answer.status),
        Err(failure) => debug!(
            "{method} {url} -> {} after {elapsed:.1?}",
            failure.describe(dialect)
        ),
    }
}

fn too_large() -> String {
    format!("the answer is larger than {MAX_BODY_BYTES} bytes")
}

/// Parses the API root and makes sure its path ends in `/`, so the version and the path are
/// appended to it.
fn base_url(api_url: &str, dialect: &Dialect) -> Result<Url, ClientSetupError> {
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
        return Err(invalid(&format!(
            "credentials belong in {}, not in the URL",
            dialect.credentials_belong_in
        )));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// The URL as it may be shown: a password someone put in it is cut out.
pub(crate) fn without_userinfo(api_url: &str) -> String {
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

/// Reads the body, refusing it as soon as it is known to be too large: from `Content-Length`
/// when the server sends one, and while reading when it does not.
async fn read_bounded(response: &mut reqwest::Response) -> Result<Vec<u8>, Failure> {
    if response
        .content_length()
        .is_some_and(|announced| announced > MAX_BODY_BYTES as u64)
    {
        return Err(Failure::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(Failure::no_answer)? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(Failure::TooLarge);
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

    const TEST: Dialect = Dialect {
        version: "1.3",
        decode_error: |_| (None, String::new()),
        credentials_belong_in: "TEST_TOKEN",
    };

    fn session(root: &str, authorization: Authorization) -> Result<Session, ClientSetupError> {
        Session::new(root, &TEST, authorization, ClientOptions::default())
    }

    fn token(value: &str) -> Authorization {
        Authorization::Bearer(Secret::new(value))
    }

    #[test]
    fn the_api_root_may_end_with_a_slash_or_have_a_prefix() {
        let url = |root, path: &[&str]| session(root, token("t")).unwrap().url(path).to_string();
        assert_eq!(
            url("https://api.upcloud.com", &["network-peering"]),
            "https://api.upcloud.com/1.3/network-peering"
        );
        assert_eq!(
            url("https://api.upcloud.com/", &["network-peering"]),
            "https://api.upcloud.com/1.3/network-peering"
        );
        assert_eq!(
            url("http://127.0.0.1:8080/proxy", &["network-peering"]),
            "http://127.0.0.1:8080/proxy/1.3/network-peering"
        );
    }

    #[test]
    fn path_segments_are_percent_encoded() {
        let session = session("https://api.aiven.io", token("t")).unwrap();
        assert_eq!(
            session.url(&["project", "a b/c?d", "vpcs"]).to_string(),
            "https://api.aiven.io/1.3/project/a%20b%2Fc%3Fd/vpcs"
        );
    }

    #[test]
    fn unusable_api_urls_are_refused() {
        for bad in [
            "api.upcloud.com",
            "ftp://api.upcloud.com",
            "https://user:pw@api.upcloud.com",
        ] {
            assert!(base_url(bad, &TEST).is_err(), "{bad}");
        }
        for with_password in [
            "https://user:hunter2@api.upcloud.com",
            "https://user:hunter2@bad host",
        ] {
            let message = base_url(with_password, &TEST).unwrap_err().to_string();
            assert!(!message.contains("hunter2"), "{message}");
        }
        let message = base_url("https://user:pw@api.upcloud.com", &TEST)
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("credentials belong in TEST_TOKEN, not in the URL"),
            "{message}"
        );
    }

    #[test]
    fn a_token_a_header_cannot_carry_is_refused_without_showing_it() {
        let authorization = Authorization::Scheme {
            scheme: "aivenv1",
            token: Secret::new("secret\nwith a newline"),
        };
        let error = session("https://api.aiven.io", authorization).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the aivenv1 token holds characters an HTTP header cannot carry"
        );
    }

    #[test]
    fn a_session_never_shows_its_credential() {
        let session = session(
            "https://api.aiven.io",
            Authorization::Scheme {
                scheme: "aivenv1",
                token: Secret::new("do-not-print-me"),
            },
        )
        .unwrap();
        let shown = format!("{session:?}");
        assert!(!shown.contains("do-not-print-me"), "{shown}");
    }
}
