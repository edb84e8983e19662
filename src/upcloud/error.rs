//! How UpCloud's error answers are read: the legacy `{"error": ...}` body or an RFC 7807
//! problem [C], and anything else (a load balancer's page) by a short excerpt.

use crate::http::excerpt;

use super::wire::{LegacyErrorBody, ProblemBody};

/// The code and message of an error answer.
pub(super) fn decode_error_body(body: &[u8]) -> (Option<String>, String) {
    if let Ok(legacy) = serde_json::from_slice::<LegacyErrorBody>(body) {
        return (Some(legacy.error.error_code), legacy.error.error_message);
    }
    if let Ok(problem) = serde_json::from_slice::<ProblemBody>(body) {
        let code = problem_code(&problem.kind);
        let message = match problem.correlation_id {
            Some(id) => format!("{} (correlation id {id})", problem.title),
            None => problem.title,
        };
        return (code, message);
    }
    (None, excerpt(body))
}

/// `https://developers.upcloud.com/1.3/errors#ERROR_RESOURCE_NOT_FOUND` -> the fragment.
fn problem_code(kind: &str) -> Option<String> {
    let code = kind.rsplit(['#', '/']).next().unwrap_or(kind);
    (!code.is_empty()).then(|| code.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_legacy_error_body() {
        let body = br#"{"error": {"error_code": "PEERING_CONFLICT", "error_message": "The peering already exists."}}"#;
        assert_eq!(
            decode_error_body(body),
            (
                Some("PEERING_CONFLICT".into()),
                "The peering already exists.".into()
            )
        );
    }

    #[test]
    fn reads_an_rfc7807_problem() {
        let body =
            br#"{"type": "https://developers.upcloud.com/1.3/errors#ERROR_RESOURCE_NOT_FOUND",
            "title": "Resource not found.", "status": 404, "correlation_id": "01J"}"#;
        assert_eq!(
            decode_error_body(body),
            (
                Some("ERROR_RESOURCE_NOT_FOUND".into()),
                "Resource not found. (correlation id 01J)".into()
            )
        );
    }

    #[test]
    fn anything_else_is_quoted() {
        assert_eq!(
            decode_error_body(b"<html>Bad gateway</html>"),
            (None, "<html>Bad gateway</html>".into())
        );
    }
}
