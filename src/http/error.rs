//! What can go wrong talking to an API, in terms that hold for either platform.

use reqwest::StatusCode;

use super::retry::is_retryable_status;

/// How much of a non-JSON error body is quoted in a message.
const EXCERPT_CHARS: usize = 200;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No complete answer: DNS, connection, TLS, timeout, or the body broke off. `attempts`
    /// counts every request sent, retries included.
    #[error("{operation}: no answer from {url}: {reason}{}", gave_up_note(*.attempts))]
    Transport {
        operation: String,
        url: String,
        reason: String,
        attempts: u32,
    },
    /// The API answered with an error status. `attempts` counts every request sent, retries
    /// included.
    #[error(
        "{operation}: {}{}",
        describe_status(*.status, .code.as_deref(), .message),
        status_attempts_note(*.status, *.attempts)
    )]
    Status {
        operation: String,
        status: u16,
        code: Option<String>,
        message: String,
        attempts: u32,
    },
    /// The API answered with a redirect, which the client never follows: whatever the request
    /// was, it is not confirmed.
    #[error(
        "{operation}: {}; peerings follows no redirects, so this is not confirmed",
        describe_redirect(*.status, .location.as_deref())
    )]
    Redirected {
        operation: String,
        status: u16,
        location: Option<String>,
    },
    /// A stop was requested (Ctrl-C, SIGTERM) before the next attempt: `attempts` were sent,
    /// and the last one failed as `last_failure` says. After an attempt without an answer,
    /// whether the request took effect is unknown.
    #[error("{operation}: {}", describe_interrupted(*.attempts, .last_failure.as_deref()))]
    Interrupted {
        operation: String,
        attempts: u32,
        last_failure: Option<String>,
    },
    /// The API answered with success but a body this client cannot use.
    #[error("{operation}: unexpected answer: {detail}")]
    Malformed { operation: String, detail: String },
}

impl ApiError {
    /// The API's error code (UpCloud's `PEERING_CONFLICT`, ...), when the answer carried one.
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Status { code, .. } => code.as_deref(),
            _ => None,
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The request was stopped by an interrupt, not refused.
    pub fn is_interrupted(&self) -> bool {
        matches!(self, ApiError::Interrupted { .. })
    }

    /// HTTP 404, whatever the code: the resource (or an endpoint) is not there.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }
}

fn describe_interrupted(attempts: u32, last_failure: Option<&str>) -> String {
    match (attempts, last_failure) {
        (0, _) | (_, None) => "interrupted before it was sent".to_owned(),
        (1, Some(failure)) => {
            format!("interrupted while waiting to retry; the one attempt got {failure}")
        }
        (attempts, Some(failure)) => format!(
            "interrupted while waiting to retry; the last of {attempts} attempts got {failure}"
        ),
    }
}

/// A failure that is always retried is only final once the retries ran out.
fn gave_up_note(attempts: u32) -> String {
    if attempts > 1 {
        format!(" (gave up after {attempts} attempts)")
    } else {
        String::new()
    }
}

/// An error status after retries either ran out of retries (a retryable status) or ended them
/// (any other status, e.g. 404 after two 503s).
fn status_attempts_note(status: u16, attempts: u32) -> String {
    if attempts <= 1 {
        String::new()
    } else if is_retryable_status(status) {
        gave_up_note(attempts)
    } else {
        format!(" (after {attempts} attempts)")
    }
}

pub(crate) fn describe_status(status: u16, code: Option<&str>, message: &str) -> String {
    let status = status_line(status);
    match code {
        Some(code) => format!("{status} ({code}): {message}"),
        None => format!("{status}: {message}"),
    }
}

pub(crate) fn describe_redirect(status: u16, location: Option<&str>) -> String {
    let status = status_line(status);
    match location {
        Some(location) => format!("{status}, redirecting to {location}"),
        None => format!("{status}, a redirect without a Location"),
    }
}

/// `HTTP 303 See Other`.
fn status_line(status: u16) -> String {
    let reason = StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    format!("HTTP {status} {reason}")
}

/// A short excerpt of an error body that is not in the API's own shape, such as a load
/// balancer's HTML page: on one line, without control characters.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let flat: String = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    if flat.is_empty() {
        return "(empty body)".to_owned();
    }
    match flat.char_indices().nth(EXCERPT_CHARS) {
        Some((cut, _)) => format!("{}…", &flat[..cut]),
        None => flat,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_a_short_excerpt_of_anything_else() {
        let html = format!("<html>\n<body>Bad gateway{}</body></html>", "!".repeat(500));
        let message = excerpt(html.as_bytes());
        assert!(message.starts_with("<html> <body>Bad gateway!!"));
        assert!(message.chars().count() <= EXCERPT_CHARS + 1);
        assert_eq!(excerpt(b""), "(empty body)");
    }

    #[test]
    fn a_status_error_says_status_code_and_message() {
        let error = ApiError::Status {
            operation: "create peering \"a\"".into(),
            status: 409,
            code: Some("LOCAL_NETWORK_NO_ROUTER".into()),
            message: "The local network has no router.".into(),
            attempts: 1,
        };
        assert_eq!(
            error.to_string(),
            "create peering \"a\": HTTP 409 Conflict (LOCAL_NETWORK_NO_ROUTER): The local network has no router."
        );
    }

    #[test]
    fn an_error_after_retries_says_how_many_attempts_were_made() {
        let status = |status, attempts| ApiError::Status {
            operation: "list network peerings".into(),
            status,
            code: None,
            message: "try later".into(),
            attempts,
        };
        assert_eq!(
            status(503, 7).to_string(),
            "list network peerings: HTTP 503 Service Unavailable: try later (gave up after 7 attempts)"
        );
        assert_eq!(
            status(404, 3).to_string(),
            "list network peerings: HTTP 404 Not Found: try later (after 3 attempts)"
        );
        let transport = ApiError::Transport {
            operation: "list networks".into(),
            url: "https://api.upcloud.com/1.3/network".into(),
            reason: "connection refused".into(),
            attempts: 2,
        };
        assert_eq!(
            transport.to_string(),
            "list networks: no answer from https://api.upcloud.com/1.3/network: connection refused (gave up after 2 attempts)"
        );
        assert!(status(404, 1).is_not_found());
        assert!(!status(503, 1).is_not_found());
        assert!(!transport.is_not_found());
    }
}
