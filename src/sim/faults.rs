//! Seeded fault injection: latency, error answers and broken connections, so that a client's
//! retries, timeouts and idempotence can be tested against the simulator, reproducibly.
//!
//! Every request draws its fate from one random number generator, seeded from
//! [`Faults::seed`], when it arrives (see `log::record`): the same settings and the same
//! order of requests give the same faults. The fault kinds are disjoint outcomes of one draw,
//! taken in the order of [`FAULT_ORDER`]; if their rates add up to more than 1, the kinds later
//! in that order get what is left (world files and `sim serve` refuse such rates).

use std::convert::Infallible;
use std::str::FromStr;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use super::aiven::AivenError;
use super::error::SimError;
use super::error_answers::ErrorAnswer;

/// The paths of Aiven's API on the simulated server.
const AIVEN_PREFIX: &str = "/v1/";

/// A probability: a number from 0 to 1, never NaN, so fault rates can be compared and summed.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct Probability(f64);

// Equality is total: `Probability::new` refuses NaN.
impl Eq for Probability {}

impl Probability {
    pub const ZERO: Probability = Probability(0.0);

    pub fn new(value: f64) -> Result<Probability, SimError> {
        if (0.0..=1.0).contains(&value) {
            Ok(Probability(value))
        } else {
            Err(SimError::NotProbability(value))
        }
    }

    pub fn get(self) -> f64 {
        self.0
    }
}

impl TryFrom<f64> for Probability {
    type Error = SimError;

    fn try_from(value: f64) -> Result<Probability, SimError> {
        Probability::new(value)
    }
}

impl From<Probability> for f64 {
    fn from(probability: Probability) -> f64 {
        probability.0
    }
}

/// For command-line flags.
impl FromStr for Probability {
    type Err = SimError;

    fn from_str(text: &str) -> Result<Probability, SimError> {
        let value: f64 = text
            .trim()
            .parse()
            .map_err(|_| SimError::NotNumber(text.to_owned()))?;
        Probability::new(value)
    }
}

/// What can go wrong, and how often: the `[faults]` table of a world file. Every field is
/// optional; the defaults inject no fault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Seeds the one random number generator all faults and jitter come from.
    pub seed: u64,
    /// Every request waits this long before it is handled.
    pub latency_ms: u64,
    /// ... plus a uniformly drawn 0 to `jitter_ms` more.
    pub jitter_ms: u64,
    /// Answers 429 with `Retry-After`, without handling the request.
    pub rate_429: Probability,
    /// The `Retry-After` of a 429, in seconds.
    pub retry_after_s: u64,
    /// Answers 500 without handling the request.
    pub rate_500: Probability,
    /// Answers 503 without handling the request.
    pub rate_503: Probability,
    /// Closes the connection without handling the request or answering.
    pub rate_drop_before: Probability,
    /// Handles the request (the change is made and saved), then closes the connection without
    /// answering: the client cannot know whether its request took effect.
    pub rate_drop_after: Probability,
    /// Handles the request, sends the status and headers at once, then trickles the body.
    pub rate_slow_body: Probability,
    /// How long the body of a slow answer takes to arrive.
    pub slow_body_ms: u64,
    /// At most this many requests a second (`"10/s"`), in bursts of up to that many; beyond it,
    /// 429 with the `Retry-After` (whole seconds) until the next would be accepted.
    pub rate_limit: Option<RateLimit>,
}

/// A rate limit of the whole simulated API, as a load balancer in front of it enforces one
/// [I: the real limit is not documented].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RateLimit {
    per_second: u32,
}

impl RateLimit {
    pub fn per_second(self) -> u32 {
        self.per_second
    }
}

/// `"10/s"`, in world files and on the command line.
impl FromStr for RateLimit {
    type Err = String;

    fn from_str(text: &str) -> Result<RateLimit, String> {
        let invalid =
            || format!("{text:?} is not a rate like \"10/s\" (requests per second, at least 1)");
        let count = text.trim().strip_suffix("/s").ok_or_else(invalid)?;
        match count.trim().parse::<u32>() {
            Ok(per_second) if per_second > 0 => Ok(RateLimit { per_second }),
            _ => Err(invalid()),
        }
    }
}

impl TryFrom<String> for RateLimit {
    type Error = String;

    fn try_from(text: String) -> Result<RateLimit, String> {
        text.parse()
    }
}

impl From<RateLimit> for String {
    fn from(limit: RateLimit) -> String {
        format!("{}/s", limit.per_second)
    }
}

/// The requests a [`RateLimit`] still lets through: a bucket of up to `per_second` tokens,
/// refilled at `per_second` a second; each accepted request takes one.
///
/// Its clock is tokio's, which is the system's, except in a test that pauses it: there the bucket
/// refills only as the test lets time pass, however slowly the machine answers.
#[derive(Debug, Clone)]
struct Bucket {
    limit: RateLimit,
    tokens: f64,
    filled_at: Instant,
}

impl Bucket {
    fn new(limit: RateLimit) -> Bucket {
        Bucket {
            limit,
            tokens: f64::from(limit.per_second),
            filled_at: Instant::now(),
        }
    }

    /// Takes a token, or says how many whole seconds until there is one (at least 1).
    fn take(&mut self) -> Result<(), u64> {
        let now = Instant::now();
        let rate = f64::from(self.limit.per_second);
        let elapsed = now.duration_since(self.filled_at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * rate).min(rate);
        self.filled_at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            return Ok(());
        }
        let wait = (1.0 - self.tokens) / rate;
        // At most a second: the bucket gains `rate` tokens a second, and lacks less than one.
        Err(wait.ceil().max(1.0) as u64)
    }
}

/// One `Retry-After` second, as a rate limiter that refills every second would answer [I].
const DEFAULT_RETRY_AFTER_S: u64 = 1;
/// Long enough to trip a client's short read timeout, short enough for a test [I].
const DEFAULT_SLOW_BODY_MS: u64 = 1000;

impl Default for Faults {
    fn default() -> Faults {
        Faults {
            seed: 0,
            latency_ms: 0,
            jitter_ms: 0,
            rate_429: Probability::ZERO,
            retry_after_s: DEFAULT_RETRY_AFTER_S,
            rate_500: Probability::ZERO,
            rate_503: Probability::ZERO,
            rate_drop_before: Probability::ZERO,
            rate_drop_after: Probability::ZERO,
            rate_slow_body: Probability::ZERO,
            slow_body_ms: DEFAULT_SLOW_BODY_MS,
            rate_limit: None,
        }
    }
}

/// The kinds of fault, in the order a draw walks through their rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FaultKind {
    TooManyRequests,
    InternalError,
    Unavailable,
    DropBefore,
    DropAfter,
    SlowBody,
}

const FAULT_ORDER: [FaultKind; 6] = [
    FaultKind::TooManyRequests,
    FaultKind::InternalError,
    FaultKind::Unavailable,
    FaultKind::DropBefore,
    FaultKind::DropAfter,
    FaultKind::SlowBody,
];

impl Faults {
    fn rate(&self, kind: FaultKind) -> f64 {
        let rate = match kind {
            FaultKind::TooManyRequests => self.rate_429,
            FaultKind::InternalError => self.rate_500,
            FaultKind::Unavailable => self.rate_503,
            FaultKind::DropBefore => self.rate_drop_before,
            FaultKind::DropAfter => self.rate_drop_after,
            FaultKind::SlowBody => self.rate_slow_body,
        };
        rate.get()
    }

    /// The rates are of disjoint outcomes of one request, so together they are at most 1.
    pub fn check(&self) -> Result<(), SimError> {
        let total: f64 = FAULT_ORDER.iter().map(|&kind| self.rate(kind)).sum();
        // Allow for rounding: 0.1 + 0.2 + 0.7 is a little over 1 in floating point.
        if total > 1.0 + 1e-9 {
            return Err(SimError::FaultRatesAbove1(total));
        }
        Ok(())
    }

    fn fault(&self, kind: FaultKind) -> Fault {
        match kind {
            FaultKind::TooManyRequests => Fault::TooManyRequests {
                retry_after_s: self.retry_after_s,
            },
            FaultKind::InternalError => Fault::InternalError,
            FaultKind::Unavailable => Fault::Unavailable,
            FaultKind::DropBefore => Fault::DropBefore,
            FaultKind::DropAfter => Fault::DropAfter,
            FaultKind::SlowBody => Fault::SlowBody {
                over: Duration::from_millis(self.slow_body_ms),
            },
        }
    }
}

/// A fault injected into one request, with what it needs to be carried out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    TooManyRequests {
        retry_after_s: u64,
    },
    /// Over the [`RateLimit`].
    RateLimited {
        retry_after_s: u64,
    },
    InternalError,
    Unavailable,
    DropBefore,
    DropAfter,
    SlowBody {
        over: Duration,
    },
}

impl Fault {
    /// The name the request log uses.
    pub fn name(self) -> &'static str {
        match self {
            Fault::TooManyRequests { .. } => "429",
            Fault::RateLimited { .. } => "rate-limit",
            Fault::InternalError => "500",
            Fault::Unavailable => "503",
            Fault::DropBefore => "drop-before",
            Fault::DropAfter => "drop-after",
            Fault::SlowBody { .. } => "slow-body",
        }
    }

    /// Whether the simulator decides on an answer: every fault but `drop-before`, which
    /// closes the connection before the request is looked at.
    pub fn decides_answer(self) -> bool {
        self != Fault::DropBefore
    }
}

/// One request's fate, drawn when it arrives.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Draw {
    pub delay: Duration,
    pub fault: Option<Fault>,
}

/// A fault a test asks for: the next request of `method` whose path starts with `path` gets
/// it, whatever the draw says.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Scripted {
    method: String,
    path: String,
    fault: Fault,
}

/// The fault settings in force and the generator that draws from them.
pub struct FaultDice {
    faults: Faults,
    rng: StdRng,
    bucket: Option<Bucket>,
    /// In the order they were asked for; each is used once.
    scripted: Vec<Scripted>,
}

impl FaultDice {
    pub fn new(faults: Faults) -> FaultDice {
        let rng = StdRng::seed_from_u64(faults.seed);
        let bucket = faults.rate_limit.map(Bucket::new);
        FaultDice {
            faults,
            rng,
            bucket,
            scripted: Vec::new(),
        }
    }

    /// The next request of `method` to a path starting with `path` gets `fault`.
    pub fn script(&mut self, method: &str, path: &str, fault: Fault) {
        self.scripted.push(Scripted {
            method: method.to_owned(),
            path: path.to_owned(),
            fault,
        });
    }

    /// [`FaultDice::draw`], with a scripted fault for this request in place of the drawn one.
    pub fn draw_for(&mut self, method: &str, path: &str) -> Draw {
        let mut draw = self.draw();
        let scripted = self
            .scripted
            .iter()
            .position(|s| s.method == method && path.starts_with(&s.path));
        if let Some(index) = scripted {
            draw.fault = Some(self.scripted.remove(index).fault);
        }
        draw
    }

    /// Changes the latency alone; the sequence of draws goes on.
    pub fn set_latency_ms(&mut self, latency_ms: u64) {
        self.faults.latency_ms = latency_ms;
    }

    pub fn draw(&mut self) -> Draw {
        let jitter = self.rng.random_range(0..=self.faults.jitter_ms);
        let delay = Duration::from_millis(self.faults.latency_ms.saturating_add(jitter));
        let roll: f64 = self.rng.random();
        let mut below = 0.0;
        let kind = FAULT_ORDER.into_iter().find(|&kind| {
            below += self.faults.rate(kind);
            roll < below
        });
        let mut fault = kind.map(|kind| self.faults.fault(kind));
        if let Some(Err(retry_after_s)) = self.bucket.as_mut().map(Bucket::take) {
            fault = Some(Fault::RateLimited { retry_after_s });
        }
        Draw { delay, fault }
    }
}

/// Waits the request's delay, then carries out its fault, if it has one. The fault goes into
/// the response's extensions for the request log.
pub async fn inject(request: Request, next: Next) -> Response {
    let draw = request
        .extensions()
        .get::<Draw>()
        .copied()
        .unwrap_or_default();
    if !draw.delay.is_zero() {
        tokio::time::sleep(draw.delay).await;
    }
    let Some(fault) = draw.fault else {
        return next.run(request).await;
    };
    // Each API's error body, as the API itself (or its rate limiter) would answer.
    let aiven = request.uri().path().starts_with(AIVEN_PREFIX);
    let mut response = match fault {
        Fault::TooManyRequests { retry_after_s } | Fault::RateLimited { retry_after_s } => {
            too_many_requests(aiven, retry_after_s)
        }
        Fault::InternalError if aiven => AivenError::InternalError.into_response(),
        Fault::InternalError => ErrorAnswer::InternalError.into_response(),
        Fault::Unavailable => ErrorAnswer::ServiceUnavailable.into_response(),
        Fault::DropBefore => Response::new(broken_body()),
        Fault::DropAfter => {
            let (parts, _) = next.run(request).await.into_parts();
            Response::from_parts(parts, broken_body())
        }
        Fault::SlowBody { over } => trickle(next.run(request).await, over).await,
    };
    response.extensions_mut().insert(fault);
    response
}

fn too_many_requests(aiven: bool, retry_after_s: u64) -> Response {
    let mut response = if aiven {
        AivenError::TooManyRequests.into_response()
    } else {
        ErrorAnswer::TooManyRequests.into_response()
    };
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_s));
    response
}

/// A body that fails before its first byte. hyper then drops the connection without flushing
/// the status line and headers it had buffered, so the client sees the connection close
/// without any answer, as after a crash or a network failure.
fn broken_body() -> Body {
    let failure = std::io::Error::other("the simulator dropped the connection (fault injection)");
    Body::from_stream(futures::stream::once(
        async move { Err::<Bytes, _>(failure) },
    ))
}

/// How many pieces a slow body arrives in.
const SLOW_PIECES: usize = 16;

/// The same answer, but its body arrives in pieces spread over `over`. The status and headers
/// go at once, with the full `Content-Length`, so the client waits for the rest.
async fn trickle(response: Response, over: Duration) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return Response::from_parts(parts, broken_body());
    };
    if bytes.is_empty() {
        return Response::from_parts(parts, Body::empty());
    }
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    let piece_length = bytes.len().div_ceil(SLOW_PIECES);
    let pieces: Vec<Bytes> = (0..bytes.len())
        .step_by(piece_length)
        .map(|start| bytes.slice(start..bytes.len().min(start + piece_length)))
        .collect();
    let pause = over / u32::try_from(pieces.len()).unwrap_or(u32::MAX);
    let stream = futures::stream::iter(pieces).then(move |piece| async move {
        tokio::time::sleep(pause).await;
        Ok::<Bytes, Infallible>(piece)
    });
    Response::from_parts(parts, Body::from_stream(stream))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draws(faults: Faults, n: usize) -> Vec<Draw> {
        let mut dice = FaultDice::new(faults);
        (0..n).map(|_| dice.draw()).collect()
    }

    #[test]
    fn probabilities_are_0_to_1() {
        assert_eq!(
            "0.25".parse::<Probability>().map(Probability::get).ok(),
            Some(0.25)
        );
        assert!("1".parse::<Probability>().is_ok());
        for bad in ["-0.1", "1.5", "NaN", "often"] {
            assert!(bad.parse::<Probability>().is_err(), "{bad}");
        }
    }

    #[test]
    fn no_faults_by_default() {
        assert!(
            draws(Faults::default(), 1000)
                .iter()
                .all(|d| *d == Draw::default())
        );
    }

    #[test]
    fn the_same_seed_gives_the_same_faults() {
        let faults = Faults {
            seed: 7,
            jitter_ms: 50,
            rate_429: Probability(0.2),
            rate_drop_after: Probability(0.2),
            ..Faults::default()
        };
        assert_eq!(draws(faults.clone(), 200), draws(faults.clone(), 200));
        let other_seed = Faults {
            seed: 8,
            ..faults.clone()
        };
        assert_ne!(draws(faults, 200), draws(other_seed, 200));
    }

    #[test]
    fn rates_are_roughly_kept_and_delays_stay_in_range() {
        let faults = Faults {
            latency_ms: 10,
            jitter_ms: 5,
            rate_500: Probability(0.3),
            rate_slow_body: Probability(0.1),
            ..Faults::default()
        };
        let all = draws(faults, 10_000);
        let count = |name: &str| {
            all.iter()
                .filter(|d| d.fault.map(Fault::name) == Some(name))
                .count()
        };
        assert!((2700..3300).contains(&count("500")), "{}", count("500"));
        assert!((800..1200).contains(&count("slow-body")));
        assert_eq!(count("429") + count("drop-before"), 0);
        assert!(all.iter().all(|d| (10..=15).contains(&d.delay.as_millis())));
    }

    #[test]
    fn rates_above_1_in_total_are_refused() {
        let faults = Faults {
            rate_429: Probability(0.6),
            rate_503: Probability(0.5),
            ..Faults::default()
        };
        let refusal = faults.check().unwrap_err().to_string();
        assert!(refusal.contains("add up to"), "{refusal}");
        let exact = Faults {
            rate_429: Probability(0.1),
            rate_500: Probability(0.2),
            rate_503: Probability(0.7),
            ..Faults::default()
        };
        assert!(exact.check().is_ok());
    }
}
