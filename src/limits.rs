//! Bounds on everything read from outside: a hostile or broken upstream must not be able to grow
//! memory without bound. Wasm memory never shrinks, so whatever one call reads stays reserved by
//! the instance for good: the defaults are sized for that, not for the largest answer a provider
//! could ever send.
//!
//! Each limit is enforced while reading (the JS driver counts decoded bytes as they arrive, the
//! stream decoders count what they buffer and accumulate), never after the fact. An exceeded limit
//! is a [`LimitExceededError`](crate::error::ErrorKind::LimitExceededError) whose `param` names the
//! limit (`limits.responseBytes`, ...). It is not retryable: the same upstream would send the same
//! answer again. A fallback to another model still runs.
//!
//! The caller sets them per call or per client with one option, `limits: { responseBytes, ... }`.

use serde::Deserialize;

use crate::error::{ErrorKind, LlmError};

/// Limits of one call, in bytes (or counts). Field names are the JS option names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Limits {
    /// A whole non-streamed answer body, counted after decompression (a gzip bomb's
    /// `Content-Length` is small).
    pub response_bytes: usize,
    /// An error answer's body. Past it the body is cut, not refused: the status and headers still
    /// say what went wrong (a 429 stays a `RateLimitError` with its `Retry-After`).
    pub error_bytes: usize,
    /// One event of a stream: one SSE event (all its `data:` lines), one NDJSON line, one
    /// event-stream frame.
    pub event_bytes: usize,
    /// What a stream accumulates for `response()`: content, refusal, reasoning, tool-call names
    /// and argument bytes, thinking blocks and logprobs, summed over all choices.
    pub stream_bytes: usize,
    /// Choices plus tool calls a stream may open.
    pub stream_items: usize,
}

/// The defaults, named in the docs (docs/limits.md) and generated into the JS types.
pub const DEFAULT: Limits = Limits {
    response_bytes: 16 << 20,
    error_bytes: 1 << 20,
    event_bytes: 4 << 20,
    stream_bytes: 8 << 20,
    stream_items: 1024,
};

impl Default for Limits {
    fn default() -> Self {
        DEFAULT
    }
}

/// The JS option name of each limit, with its default and what it bounds (for the docs, the
/// TypeScript types and the JS driver, which are generated from this table).
pub const TABLE: [(&str, usize, &str); 5] = [
    ("responseBytes", DEFAULT.response_bytes, "a whole non-streamed answer body, after decompression"),
    ("errorBytes", DEFAULT.error_bytes, "an error answer's body (cut past it, not refused)"),
    ("eventBytes", DEFAULT.event_bytes, "one stream event (SSE event, NDJSON line, event-stream frame)"),
    ("streamBytes", DEFAULT.stream_bytes, "what a stream accumulates: content, reasoning, tool calls, logprobs"),
    ("streamItems", DEFAULT.stream_items, "choices plus tool calls a stream may open"),
];

impl Limits {
    /// Rejects a limit of 0 (which would refuse every answer); anything else is the caller's call.
    pub fn validate(&self) -> Result<(), LlmError> {
        let all = [self.response_bytes, self.error_bytes, self.event_bytes, self.stream_bytes, self.stream_items];
        match TABLE.iter().zip(all).find(|(_, v)| *v == 0) {
            Some(((name, _, _), _)) => Err(LlmError::bad_request(format!("`limits.{name}` must be a positive number"))
                .with_param(format!("limits.{name}"))),
            None => Ok(()),
        }
    }
}

/// The error for an exceeded limit: `what` was larger than `max` bytes (or items).
pub fn exceeded(name: &str, what: &str, max: usize) -> LlmError {
    let unit = if name == "streamItems" { "" } else { " bytes" };
    LlmError::new(
        ErrorKind::LimitExceededError,
        format!("{what} exceeded `limits.{name}` ({max}{unit}); the answer was not read further"),
    )
    .with_param(format!("limits.{name}"))
    .with_code("limit_exceeded")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_parse_with_defaults_and_reject_unknown_or_zero() {
        let l: Limits = serde_json::from_str(r#"{"eventBytes": 1024}"#).expect("parses");
        assert_eq!(l, Limits { event_bytes: 1024, ..DEFAULT });
        assert!(serde_json::from_str::<Limits>(r#"{"eventbytes": 1}"#).is_err(), "a misspelt limit is an error");
        assert!(serde_json::from_str::<Limits>(r#"{"eventBytes": -1}"#).is_err());
        assert!(serde_json::from_str::<Limits>(r#"{"eventBytes": "1"}"#).is_err());
        let e = Limits { stream_bytes: 0, ..DEFAULT }.validate().expect_err("zero");
        assert_eq!(e.param.as_deref(), Some("limits.streamBytes"));
        assert!(DEFAULT.validate().is_ok());
    }

    #[test]
    fn the_error_names_the_limit_and_is_not_retryable() {
        let e = exceeded("eventBytes", "a stream event", 4096);
        assert_eq!(e.kind, ErrorKind::LimitExceededError);
        assert!(!e.retryable);
        assert_eq!(e.param.as_deref(), Some("limits.eventBytes"));
        assert!(e.message.contains("4096 bytes"), "{}", e.message);
    }
}
