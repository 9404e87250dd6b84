//! One error taxonomy for every provider and every layer.
//!
//! An [`LlmError`] carries what a caller can act on: the [`ErrorKind`] (which becomes a JS class),
//! the HTTP status, the provider and model, whether a retry can help, and how long to wait. It
//! renders as an OpenAI-format error body for the gateway, and it never carries a credential:
//! messages that came from outside pass through [`redact`] before they are stored.

use serde::{Deserialize, Serialize};

/// The taxonomy, written once: each row is a kind (= the JS class name), the class it extends in
/// JS, the HTTP status a gateway answers with when the provider gave none, whether a retry of the
/// same call can help, and its doc. `js/errors.js`'s classes and `index.d.ts`'s declarations are
/// generated from [`ErrorKind::ALL`] at build time (`examples/js_tables.rs`), so the three agree.
macro_rules! error_kinds {
    ($($(#[doc = $doc:literal])+ $kind:ident : $parent:ident, $status:literal, $retryable:literal;)+) => {
        /// What went wrong, independent of the provider. Each kind is one JS error class.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
        #[non_exhaustive]
        pub enum ErrorKind {
            $($(#[doc = $doc])+ $kind,)+
        }

        impl ErrorKind {
            /// Every kind, in declaration order (parents before their subclasses).
            pub const ALL: &'static [ErrorKind] = &[$(ErrorKind::$kind),+];

            /// The JS class name (also the `type` of the OpenAI error body for the gateway).
            pub fn name(self) -> &'static str {
                match self { $(ErrorKind::$kind => stringify!($kind),)+ }
            }

            /// The JS class this kind's class extends (`UnillmError` at the root).
            pub fn parent(self) -> &'static str {
                match self { $(ErrorKind::$kind => stringify!($parent),)+ }
            }

            /// The HTTP status a gateway answers with for this kind when the provider gave none.
            pub fn default_status(self) -> u16 {
                match self { $(ErrorKind::$kind => $status,)+ }
            }

            /// Whether trying the same call again later can succeed.
            pub fn retryable(self) -> bool {
                match self { $(ErrorKind::$kind => $retryable,)+ }
            }

            /// The kind's doc comment (for the generated TypeScript declarations).
            pub fn doc(self) -> &'static str {
                match self { $(ErrorKind::$kind => concat!($($doc),+),)+ }
            }
        }
    };
}

error_kinds! {
    /// 400 that is none of the more specific kinds below; also bad input from JS.
    BadRequestError: UnillmError, 400, false;
    /// 401: missing or invalid credentials.
    AuthenticationError: UnillmError, 401, false;
    /// 403.
    PermissionDeniedError: UnillmError, 403, false;
    /// 404: unknown model or endpoint.
    NotFoundError: UnillmError, 404, false;
    /// The prompt does not fit the model's context window.
    ContextWindowExceededError: BadRequestError, 400, false;
    /// The provider refused the input or output on safety grounds.
    ContentPolicyViolationError: BadRequestError, 400, false;
    /// A parameter the target provider cannot take (and `dropParams` was not set).
    UnsupportedParamsError: BadRequestError, 400, false;
    /// 422.
    UnprocessableEntityError: UnillmError, 422, false;
    /// 429.
    RateLimitError: UnillmError, 429, true;
    /// The call took longer than its `timeout`.
    Timeout: UnillmError, 408, true;
    /// The request never got an HTTP answer (DNS, refused connection, reset, CORS), or the answer was cut off.
    APIConnectionError: UnillmError, 500, true;
    /// The caller aborted with an `AbortSignal`.
    APIUserAbortError: UnillmError, 499, false;
    /// 500 and other 5xx without a more specific kind; also a malformed provider answer.
    InternalServerError: UnillmError, 500, true;
    /// 503 / 529: the provider is overloaded or down.
    ServiceUnavailableError: UnillmError, 503, true;
    /// The answer exceeded one of the call's `limits` (`param` names it, e.g. `limits.responseBytes`); not retried on the same upstream.
    LimitExceededError: UnillmError, 502, false;
}

impl ErrorKind {
    /// The kind for a bare HTTP status, before looking at the body.
    pub fn from_status(status: u16) -> ErrorKind {
        match status {
            400 => ErrorKind::BadRequestError,
            401 => ErrorKind::AuthenticationError,
            403 => ErrorKind::PermissionDeniedError,
            404 => ErrorKind::NotFoundError,
            408 => ErrorKind::Timeout,
            413 => ErrorKind::ContextWindowExceededError,
            422 => ErrorKind::UnprocessableEntityError,
            429 => ErrorKind::RateLimitError,
            503 | 529 => ErrorKind::ServiceUnavailableError,
            500..=599 => ErrorKind::InternalServerError,
            _ => ErrorKind::BadRequestError,
        }
    }
}

/// A typed error with everything a caller or a router needs to decide what to do next.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LlmError {
    pub kind: ErrorKind,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    pub retryable: bool,
    /// Milliseconds to wait before retrying, from `Retry-After` or a provider header/body.
    #[serde(skip_serializing_if = "Option::is_none", rename = "retryAfterMs")]
    pub retry_after_ms: Option<u64>,
    /// The provider's own error code or type string, when it gave one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The request parameter the error is about, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub param: Option<String>,
    /// The provider's request id, for support tickets.
    #[serde(skip_serializing_if = "Option::is_none", rename = "requestId")]
    pub request_id: Option<String>,
}

impl LlmError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        LlmError {
            kind,
            message: redact(&message.into()),
            status: None,
            provider: None,
            model: None,
            retryable: kind.retryable(),
            retry_after_ms: None,
            code: None,
            param: None,
            request_id: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::BadRequestError, message)
    }

    /// A provider answer we could not make sense of (malformed JSON, broken stream framing).
    pub fn malformed(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InternalServerError, message)
    }

    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    pub fn with_provider(mut self, provider: &str) -> Self {
        if self.provider.is_none() {
            self.provider = Some(provider.to_owned());
        }
        self
    }

    pub fn with_model(mut self, model: &str) -> Self {
        if self.model.is_none() {
            self.model = Some(model.to_owned());
        }
        self
    }

    pub fn with_param(mut self, param: impl Into<String>) -> Self {
        self.param = Some(param.into());
        self
    }

    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }

    pub fn with_retry_after_ms(mut self, ms: Option<u64>) -> Self {
        if ms.is_some() {
            self.retry_after_ms = ms;
        }
        self
    }

    /// The error with every occurrence of `secret` (the call's own credential, which an upstream
    /// may echo in any form `redact` does not know, e.g. an Azure key's bare hex) replaced.
    pub fn without_secret(mut self, secret: Option<&str>) -> Self {
        let Some(secret) = secret.filter(|s| s.len() >= 8) else { return self };
        let scrub = |s: &mut String| {
            if s.contains(secret) {
                *s = s.replace(secret, "[redacted]");
            }
        };
        scrub(&mut self.message);
        for field in [&mut self.code, &mut self.param, &mut self.request_id, &mut self.provider, &mut self.model] {
            if let Some(s) = field.as_mut() {
                scrub(s);
            }
        }
        self
    }

    /// The status a gateway answers with.
    pub fn http_status(&self) -> u16 {
        self.status.unwrap_or_else(|| self.kind.default_status())
    }

    /// The error as an OpenAI-format error body: `{"error": {"message", "type", "param", "code"}}`.
    pub fn to_openai_body(&self) -> serde_json::Value {
        serde_json::json!({
            "error": {
                "message": self.message,
                "type": self.kind.name(),
                "param": self.param,
                "code": self.code.clone().map(serde_json::Value::String)
                    .unwrap_or_else(|| serde_json::Value::from(self.http_status())),
            }
        })
    }

    /// Serialized for the JS layer, which turns it into an instance of the matching class.
    pub fn to_json(&self) -> String {
        // Serializing a struct of strings and numbers cannot fail; fall back to a fixed text anyway.
        serde_json::to_string(self).unwrap_or_else(|_| {
            r#"{"kind":"InternalServerError","message":"error serialization failed","retryable":false}"#.to_owned()
        })
    }
}

impl LlmError {
    /// The same JSON as [`LlmError::to_json`], written without serde: the tokens wasm module
    /// (`tokens-only`) uses it to keep a serializer out of its code.
    pub fn to_json_plain(&self) -> String {
        fn string(out: &mut String, s: &str) {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push('"');
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    '\u{8}' => out.push_str("\\b"),
                    '\u{c}' => out.push_str("\\f"),
                    c if (c as u32) < 0x20 => {
                        let b = c as usize;
                        out.push_str("\\u00");
                        out.push(HEX[b >> 4] as char);
                        out.push(HEX[b & 15] as char);
                    }
                    c => out.push(c),
                }
            }
            out.push('"');
        }
        fn key(out: &mut String, k: &str) {
            out.push_str(",\"");
            out.push_str(k);
            out.push_str("\":");
        }
        let mut out = String::with_capacity(self.message.len() + 96);
        out.push_str("{\"kind\":\"");
        out.push_str(self.kind.name());
        out.push_str("\",\"message\":");
        string(&mut out, &self.message);
        if let Some(s) = self.status {
            key(&mut out, "status");
            out.push_str(&s.to_string());
        }
        for (k, v) in [("provider", &self.provider), ("model", &self.model)] {
            if let Some(v) = v {
                key(&mut out, k);
                string(&mut out, v);
            }
        }
        key(&mut out, "retryable");
        out.push_str(if self.retryable { "true" } else { "false" });
        if let Some(ms) = self.retry_after_ms {
            key(&mut out, "retryAfterMs");
            out.push_str(&ms.to_string());
        }
        for (k, v) in [("code", &self.code), ("param", &self.param), ("requestId", &self.request_id)] {
            if let Some(v) = v {
                key(&mut out, k);
                string(&mut out, v);
            }
        }
        out.push('}');
        out
    }
}

impl std::fmt::Display for LlmError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.kind.name(), self.message)
    }
}

impl std::error::Error for LlmError {}

/// Removes anything that looks like a credential from a message that may echo a request.
///
/// Providers sometimes quote the key they were given ("Incorrect API key provided: sk-abc...").
/// Any run of 20+ key-like characters that starts with a known key prefix, and any bearer token,
/// is replaced. Short messages without such runs come back unchanged and unallocated-in-spirit.
pub fn redact(message: &str) -> String {
    const PREFIXES: [&str; 9] = ["sk-", "sk_", "AKIA", "AIza", "gsk_", "xai-", "pplx-", "key-", "Bearer "];
    if !PREFIXES.iter().any(|p| message.contains(p)) {
        return message.to_owned();
    }
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    'outer: while !rest.is_empty() {
        for p in PREFIXES {
            if rest.starts_with(p) {
                let body = &rest[p.len()..];
                let len = body
                    .char_indices()
                    .find(|(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '*')))
                    .map(|(i, _)| i)
                    .unwrap_or(body.len());
                if len >= 8 {
                    out.push_str(p.trim_end());
                    out.push_str(if p == "Bearer " { " [redacted]" } else { "[redacted]" });
                    rest = &body[len..];
                    continue 'outer;
                }
            }
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            out.push(c);
        }
        rest = chars.as_str();
    }
    out
}

/// Parses an HTTP `Retry-After` (seconds) or `retry-after-ms` value into milliseconds.
/// HTTP-date values need a clock, so the caller passes `now_ms` (Unix epoch milliseconds).
pub fn parse_retry_after(headers: &[(String, String)], now_ms: u64) -> Option<u64> {
    const MAX_MS: u64 = 24 * 3600 * 1000;
    let get = |name: &str| headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim());
    if let Some(v) = get("retry-after-ms") {
        if let Ok(ms) = v.parse::<f64>() {
            if ms.is_finite() && ms >= 0.0 {
                return Some((ms as u64).min(MAX_MS));
            }
        }
    }
    let v = get("retry-after")?;
    if let Ok(secs) = v.parse::<f64>() {
        if secs.is_finite() && secs >= 0.0 {
            return Some(((secs * 1000.0) as u64).min(MAX_MS));
        }
        return None;
    }
    let at = crate::util::parse_http_date(v)?;
    Some(at.saturating_sub(now_ms).min(MAX_MS))
}

/// For a rate-limited answer without `Retry-After`: how long until the exhausted rate-limit
/// bucket refills, from the provider's headers. OpenAI and the OpenAI-compatible family send
/// `x-ratelimit-remaining-{requests,tokens}` with `x-ratelimit-reset-*` durations (`6m0s`);
/// Anthropic sends `anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-remaining`
/// with `-reset` RFC 3339 times. The longest wait among buckets whose remaining count is 0 wins;
/// without an exhausted bucket nothing is guessed.
pub fn parse_ratelimit_reset(headers: &[(String, String)], now_ms: u64) -> Option<u64> {
    const MAX_MS: u64 = 24 * 3600 * 1000;
    let get = |name: &str| headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim());
    let exhausted = |name: String| get(&name).and_then(|v| v.parse::<f64>().ok()).is_some_and(|n| n <= 0.0);
    let mut wait: Option<u64> = None;
    for bucket in ["requests", "tokens"] {
        if exhausted(format!("x-ratelimit-remaining-{bucket}")) {
            if let Some(ms) = get(&format!("x-ratelimit-reset-{bucket}")).and_then(crate::util::parse_go_duration) {
                wait = Some(wait.unwrap_or(0).max(ms));
            }
        }
    }
    for bucket in ["requests", "tokens", "input-tokens", "output-tokens"] {
        if exhausted(format!("anthropic-ratelimit-{bucket}-remaining")) {
            if let Some(at) = get(&format!("anthropic-ratelimit-{bucket}-reset")).and_then(crate::util::parse_rfc3339) {
                wait = Some(wait.unwrap_or(0).max(at.saturating_sub(now_ms)));
            }
        }
    }
    wait.map(|w| w.min(MAX_MS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_json_is_the_serde_json() {
        let bare = LlmError::bad_request("unknown encoding \"x\\y\"\n\r\t\u{8}\u{c}\u{1}\u{1f}\u{7f} é 😀").with_param("encoding");
        let full = LlmError::new(ErrorKind::RateLimitError, "slow down")
            .with_status(429)
            .with_provider("openai")
            .with_model("gpt-4o")
            .with_retry_after_ms(Some(1500))
            .with_code("rate_limit_exceeded")
            .with_param("model");
        let mut full = full;
        full.request_id = Some("req_1".into());
        for e in [bare, full, LlmError::malformed("")] {
            assert_eq!(e.to_json_plain(), e.to_json());
        }
    }

    /// A credential of no known shape (an Azure key is bare hex) is removed by value.
    #[test]
    fn the_calls_own_secret_is_removed_by_value() {
        let key = "0123456789abcdef0123456789abcdef";
        let e = LlmError::bad_request(format!("key {key} is not valid for this resource")).with_code(key).without_secret(Some(key));
        assert_eq!(e.message, "key [redacted] is not valid for this resource");
        assert_eq!(e.code.as_deref(), Some("[redacted]"));
        // a short or absent secret changes nothing (it could match ordinary words)
        let e = LlmError::bad_request("the key abc is short").without_secret(Some("abc"));
        assert_eq!(e.message, "the key abc is short");
        assert_eq!(LlmError::bad_request("x").without_secret(None).message, "x");
    }

    #[test]
    fn redacts_keys_and_bearer_tokens() {
        let m = redact("Incorrect API key provided: sk-proj-abcdefghijklmnop1234. Bearer abcdefghijklmnopqrstu ok");
        assert!(!m.contains("abcdefghijklmnop1234"), "{m}");
        assert!(!m.contains("abcdefghijklmnopqrstu"), "{m}");
        assert!(m.starts_with("Incorrect API key provided: sk-[redacted]."), "{m}");
        assert_eq!(redact("plain message, no secrets"), "plain message, no secrets");
        assert_eq!(redact("sk-short"), "sk-short");
        assert_eq!(redact("émoji 🎉 sk-"), "émoji 🎉 sk-");
    }

    #[test]
    fn status_mapping_and_retryability() {
        assert_eq!(ErrorKind::from_status(429), ErrorKind::RateLimitError);
        assert_eq!(ErrorKind::from_status(529), ErrorKind::ServiceUnavailableError);
        assert_eq!(ErrorKind::from_status(502), ErrorKind::InternalServerError);
        assert!(ErrorKind::RateLimitError.retryable());
        assert!(!ErrorKind::AuthenticationError.retryable());
        let e = LlmError::new(ErrorKind::AuthenticationError, "bad key").with_status(401);
        assert_eq!(e.to_openai_body()["error"]["type"], "AuthenticationError");
        assert_eq!(e.to_openai_body()["error"]["code"], 401);
    }

    #[test]
    fn retry_after_forms() {
        let h = |k: &str, v: &str| vec![(k.to_owned(), v.to_owned())];
        assert_eq!(parse_retry_after(&h("Retry-After", "3"), 0), Some(3000));
        assert_eq!(parse_retry_after(&h("retry-after-ms", "250"), 0), Some(250));
        assert_eq!(parse_retry_after(&h("retry-after", "-1"), 0), None);
        assert_eq!(parse_retry_after(&h("retry-after", "nonsense"), 0), None);
        assert_eq!(parse_retry_after(&h("retry-after", "1e300"), 0), Some(24 * 3600 * 1000));
        // Wed, 21 Oct 2015 07:28:00 GMT = 1445412480000 ms
        assert_eq!(
            parse_retry_after(&h("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT"), 1_445_412_470_000),
            Some(10_000)
        );
    }

    #[test]
    fn rate_limit_reset_headers() {
        let h = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>();
        // OpenAI: the exhausted bucket's reset
        let openai = h(&[
            ("x-ratelimit-remaining-requests", "0"), ("x-ratelimit-reset-requests", "1m30.5s"),
            ("x-ratelimit-remaining-tokens", "1200"), ("x-ratelimit-reset-tokens", "6m0s"),
        ]);
        assert_eq!(parse_ratelimit_reset(&openai, 0), Some(90_500));
        let both = h(&[
            ("x-ratelimit-remaining-requests", "0"), ("x-ratelimit-reset-requests", "20ms"),
            ("x-ratelimit-remaining-tokens", "0"), ("x-ratelimit-reset-tokens", "2s"),
        ]);
        assert_eq!(parse_ratelimit_reset(&both, 0), Some(2000));
        // nothing exhausted: no guess
        assert_eq!(parse_ratelimit_reset(&h(&[("x-ratelimit-remaining-requests", "3"), ("x-ratelimit-reset-requests", "1s")]), 0), None);
        // Anthropic: RFC 3339 reset times against the caller's clock
        let now = crate::util::parse_rfc3339("2025-01-20T18:30:00Z").unwrap();
        let anthropic = h(&[
            ("anthropic-ratelimit-requests-remaining", "12"), ("anthropic-ratelimit-requests-reset", "2025-01-20T18:31:00Z"),
            ("anthropic-ratelimit-output-tokens-remaining", "0"), ("anthropic-ratelimit-output-tokens-reset", "2025-01-20T18:30:07.250Z"),
        ]);
        assert_eq!(parse_ratelimit_reset(&anthropic, now), Some(7250));
        // a reset in the past means "now"; garbage is ignored
        let past = h(&[("anthropic-ratelimit-tokens-remaining", "0"), ("anthropic-ratelimit-tokens-reset", "2025-01-20T18:29:00Z")]);
        assert_eq!(parse_ratelimit_reset(&past, now), Some(0));
        let junk = h(&[("x-ratelimit-remaining-tokens", "0"), ("x-ratelimit-reset-tokens", "soon"), ("anthropic-ratelimit-tokens-remaining", "0"), ("anthropic-ratelimit-tokens-reset", "2025-13-01T00:00:00Z")]);
        assert_eq!(parse_ratelimit_reset(&junk, now), None);
    }

    #[test]
    fn rfc3339_and_go_durations() {
        use crate::util::{parse_go_duration as d, parse_rfc3339 as t};
        assert_eq!(t("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(t("2015-10-21T07:28:00Z"), Some(1_445_412_480_000));
        assert_eq!(t("2015-10-21T09:28:00.5+02:00"), Some(1_445_412_480_500));
        assert_eq!(t("2015-10-21T02:28:00-05:00"), Some(1_445_412_480_000));
        for bad in ["", "2015-10-21", "2015-10-21T07:28:00", "2015-10-21T07:28:00.Z", "2015-10-21T07:28:0xZ", "2015-10-21T07:28:00+0200", "２０１５-10-21T07:28:00Z"] {
            assert_eq!(t(bad), None, "{bad}");
        }
        assert_eq!(d("1s"), Some(1000));
        assert_eq!(d("6m0s"), Some(360_000));
        assert_eq!(d("1h2m3.5s"), Some(3_723_500));
        assert_eq!(d("20ms"), Some(20));
        assert_eq!(d("1500us"), Some(2));
        for bad in ["", "s", "1", "1x", "-1s", "1.2.3s"] {
            assert_eq!(d(bad), None, "{bad}");
        }
    }
}
