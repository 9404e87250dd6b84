//! Gemini error answers → typed errors.
//!
//! Body: `{"error": {"code": 429, "message": "...", "status": "RESOURCE_EXHAUSTED", "details": [...]}}`
//! (sometimes wrapped in a one-element array). `details` may hold a `google.rpc.RetryInfo` with
//! `retryDelay: "37s"` and a `google.rpc.ErrorInfo` with a `reason` such as `API_KEY_INVALID`.

use serde_json::Value;

use crate::error::{ErrorKind, LlmError};
use crate::provider::header;
use crate::provider::openai::refine_kind;

/// Google's canonical status → kind.
fn kind_of(status_name: &str, http: u16) -> ErrorKind {
    match status_name {
        "INVALID_ARGUMENT" | "FAILED_PRECONDITION" | "OUT_OF_RANGE" => ErrorKind::BadRequestError,
        "UNAUTHENTICATED" => ErrorKind::AuthenticationError,
        "PERMISSION_DENIED" => ErrorKind::PermissionDeniedError,
        "NOT_FOUND" => ErrorKind::NotFoundError,
        "RESOURCE_EXHAUSTED" => ErrorKind::RateLimitError,
        "INTERNAL" | "UNKNOWN" | "DATA_LOSS" => ErrorKind::InternalServerError,
        "UNAVAILABLE" => ErrorKind::ServiceUnavailableError,
        "DEADLINE_EXCEEDED" | "CANCELLED" => ErrorKind::Timeout,
        _ => ErrorKind::from_status(http),
    }
}

/// Parses a protobuf duration string (`"37s"`, `"1.5s"`) into milliseconds.
fn duration_ms(s: &str) -> Option<u64> {
    let secs: f64 = s.trim().strip_suffix('s')?.parse().ok()?;
    if secs.is_finite() && secs >= 0.0 {
        Some((secs * 1000.0).min(86_400_000.0) as u64)
    } else {
        None
    }
}

pub fn classify_error(status: u16, headers: &[(String, String)], body: &[u8]) -> LlmError {
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let root = if let Value::Array(a) = &v { a.first().unwrap_or(&Value::Null) } else { &v };
    let err = root.get("error").unwrap_or(&Value::Null);
    let status = if (200..300).contains(&status) {
        err.get("code").and_then(Value::as_u64).and_then(|c| u16::try_from(c).ok()).unwrap_or(500)
    } else {
        status
    };
    let status_name = err.get("status").and_then(Value::as_str);
    let message = crate::provider::error_message(err, body, status);
    let details = err.get("details").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]);
    let reason = details.iter().find_map(|d| d.get("reason").and_then(Value::as_str));
    let retry_after = details.iter().find_map(|d| d.get("retryDelay").and_then(Value::as_str)).and_then(duration_ms);

    let mut kind = status_name.map_or_else(|| ErrorKind::from_status(status), |s| kind_of(s, status));
    // Google answers a bad key with 400 INVALID_ARGUMENT
    if reason == Some("API_KEY_INVALID") || message.contains("API key not valid") || message.contains("API key expired") {
        kind = ErrorKind::AuthenticationError;
    }
    let kind = refine_kind(kind, &message, status_name);
    let mut e = LlmError::new(kind, message).with_status(status).with_retry_after_ms(retry_after);
    if let Some(s) = reason.or(status_name) {
        e = e.with_code(s);
    }
    e.request_id = header(headers, "x-request-id").map(str::to_owned);
    e
}
