//! Anthropic error answers → typed errors.
//!
//! Body: `{"type": "error", "error": {"type": "...", "message": "..."}, "request_id": "..."}`.
//! See <https://docs.anthropic.com/en/api/errors>.

use serde_json::Value;

use crate::error::{ErrorKind, LlmError};
use crate::provider::header;
use crate::provider::openai::refine_kind;

/// Anthropic's error `type` → kind (the status decides when the type is unknown).
pub fn kind_of(error_type: &str, status: u16) -> ErrorKind {
    match error_type {
        "invalid_request_error" => ErrorKind::BadRequestError,
        "authentication_error" => ErrorKind::AuthenticationError,
        "permission_error" | "billing_error" => ErrorKind::PermissionDeniedError,
        "not_found_error" => ErrorKind::NotFoundError,
        // 413: the request exceeds the byte limit, practically always an oversized prompt
        "request_too_large" => ErrorKind::ContextWindowExceededError,
        "rate_limit_error" => ErrorKind::RateLimitError,
        "api_error" => ErrorKind::InternalServerError,
        "overloaded_error" => ErrorKind::ServiceUnavailableError,
        "timeout_error" => ErrorKind::Timeout,
        _ => ErrorKind::from_status(status),
    }
}

/// The status Anthropic uses for an error type (for errors that arrive inside a 200 stream).
pub fn status_of(error_type: &str) -> u16 {
    match error_type {
        "invalid_request_error" => 400,
        "authentication_error" => 401,
        "billing_error" => 402,
        "permission_error" => 403,
        "not_found_error" => 404,
        "request_too_large" => 413,
        "rate_limit_error" => 429,
        "timeout_error" => 504,
        "overloaded_error" => 529,
        _ => 500,
    }
}

pub fn classify_error(status: u16, headers: &[(String, String)], body: &[u8]) -> LlmError {
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let err = v.get("error").unwrap_or(&Value::Null);
    let etype = err.get("type").and_then(Value::as_str);
    let status = if (200..300).contains(&status) { etype.map_or(500, status_of) } else { status };
    let message = crate::provider::error_message(err, body, status);
    let kind = refine_kind(etype.map_or_else(|| ErrorKind::from_status(status), |t| kind_of(t, status)), &message, etype);
    let mut e = LlmError::new(kind, message).with_status(status);
    if let Some(t) = etype {
        e = e.with_code(t);
    }
    e.request_id = header(headers, "request-id")
        .or_else(|| v.get("request_id").and_then(Value::as_str))
        .map(str::to_owned);
    e
}
