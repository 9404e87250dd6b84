//! The provider contract, and the one place a model string is resolved to a provider.
//!
//! A provider is a set of pure functions: build the HTTP request for an OpenAI-format chat
//! request, translate a response body back, decode a stream, and classify an error answer. No
//! provider sees a socket, a clock or a logger; HTTP is plain data ([`HttpRequest`],
//! [`HttpResponse`]).

pub mod anthropic;
pub mod azure;
pub mod gemini;
pub mod mock;
pub mod openai;

use crate::error::LlmError;
use crate::stream::ChunkDecoder;
use crate::types::{ChatRequest, ChatResponse};

/// An HTTP request as data. One transport (`fetch`) sends it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HttpRequest {
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// An HTTP answer as data.
#[derive(Debug, Clone, Copy)]
pub struct HttpResponse<'a> {
    pub status: u16,
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
}

/// Where and how to reach a model: the resolved provider settings for one call.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Deployment {
    /// Provider id (`openai`, `anthropic`, `mock`, ...).
    pub provider: String,
    /// The model name the provider knows (prefix removed).
    pub model: String,
    pub api_key: Option<String>,
    pub api_base: Option<String>,
    pub api_version: Option<String>,
    /// Extra headers for every request.
    pub headers: Vec<(String, String)>,
    /// Drop parameters the provider cannot take instead of failing with `UnsupportedParamsError`.
    pub drop_params: bool,
}

/// Environment variable names for each setting, in order of preference.
#[derive(Debug, Clone, Copy, Default)]
pub struct EnvNames {
    pub api_key: &'static [&'static str],
    pub api_base: &'static [&'static str],
    pub api_version: &'static [&'static str],
}

impl EnvNames {
    /// Every name, for a caller that collects values from its environment.
    pub fn all(&self) -> impl Iterator<Item = &'static str> {
        self.api_key.iter().chain(self.api_base).chain(self.api_version).copied()
    }
}

/// One provider's translations. Every method is pure.
pub trait Provider: Sync {
    /// The provider id, as used in `provider/model` strings.
    fn id(&self) -> &'static str;

    /// Environment variable names this provider reads credentials and settings from.
    fn env_names(&self) -> EnvNames;

    /// The HTTP request for a chat completion.
    fn chat_request(&self, req: &ChatRequest, d: &Deployment) -> Result<HttpRequest, LlmError>;

    /// Translates a successful (2xx) non-streaming answer.
    fn chat_response(&self, resp: &HttpResponse<'_>, req: &ChatRequest, d: &Deployment) -> Result<ChatResponse, LlmError>;

    /// Whether a 2xx non-streaming body is already an OpenAI `chat.completion` that reaches the
    /// caller as sent, with `usage.cost` added ([`openai::passthrough`]), instead of being parsed
    /// into [`ChatResponse`] and serialised again.
    fn passes_responses_through(&self) -> bool {
        false
    }

    /// A decoder for the streaming answer's body.
    fn chat_stream(&self, req: &ChatRequest, d: &Deployment) -> Box<dyn ChunkDecoder>;

    /// Classifies a non-2xx answer.
    fn error(&self, resp: &HttpResponse<'_>, d: &Deployment) -> LlmError;
}

/// The provider registry: the only `match` over provider ids in the crate.
pub fn by_id(id: &str) -> Option<&'static dyn Provider> {
    match id {
        "mock" => return Some(&mock::MockProvider),
        "anthropic" => return Some(&anthropic::Anthropic),
        "gemini" => return Some(&gemini::Gemini),
        "azure" => return Some(&azure::Azure),
        _ => {}
    }
    openai::compatible(id).map(|p| p as &'static dyn Provider)
}

/// Every provider id this build knows.
pub fn ids() -> Vec<&'static str> {
    let mut v = vec!["mock", "anthropic", "gemini", "azure"];
    v.extend(openai::COMPATIBLE.iter().map(|p| p.spec.id));
    v
}

/// Splits `provider/model` and resolves bare well-known model names to their provider.
///
/// `has_api_base` lets an unknown bare name go to an OpenAI-compatible server the caller named.
pub fn resolve_model(model: &str, has_api_base: bool) -> Result<(&'static dyn Provider, String), LlmError> {
    let model = model.trim();
    if model.is_empty() {
        return Err(LlmError::bad_request("`model` is required").with_param("model"));
    }
    if let Some((prefix, rest)) = model.split_once('/') {
        if let Some(p) = by_id(prefix) {
            if rest.is_empty() && prefix != "mock" {
                return Err(LlmError::bad_request(format!("`{model}` names a provider but no model")).with_param("model"));
            }
            return Ok((p, rest.to_owned()));
        }
    }
    if let Some(p) = by_id(bare_model_provider(model).unwrap_or("")) {
        return Ok((p, model.to_owned()));
    }
    if has_api_base {
        if let Some(p) = by_id("openai") {
            return Ok((p, model.to_owned()));
        }
    }
    Err(LlmError::bad_request(format!(
        "cannot tell which provider serves `{model}`: prefix it with the provider (e.g. `openai/{model}`), or give `apiBase` for an OpenAI-compatible server"
    ))
    .with_param("model"))
}

/// The provider of a bare, well-known model name.
fn bare_model_provider(model: &str) -> Option<&'static str> {
    const OPENAI: [&str; 8] = ["gpt-", "o1", "o3", "o4", "chatgpt-", "text-embedding-", "davinci", "babbage"];
    if OPENAI.iter().any(|p| model.starts_with(p)) {
        return Some("openai");
    }
    if model.starts_with("claude") {
        return Some("anthropic");
    }
    if model.starts_with("gemini") || model.starts_with("gemma") {
        return Some("gemini");
    }
    if model.starts_with("mistral-") || model.starts_with("codestral") || model.starts_with("pixtral") {
        return Some("mistral");
    }
    if model.starts_with("deepseek-") {
        return Some("deepseek");
    }
    if model.starts_with("grok-") {
        return Some("xai");
    }
    None
}

/// The message of a provider's error object (`err.message`, or `err` itself when it is a string),
/// else the start of the body, else `HTTP <status>`. The caller redacts (via `LlmError::new`).
pub(crate) fn error_message(err: &serde_json::Value, body: &[u8], status: u16) -> String {
    if let Some(m) = err.get("message").and_then(serde_json::Value::as_str).or_else(|| err.as_str()) {
        return m.to_owned();
    }
    let text = String::from_utf8_lossy(body.get(..body.len().min(500)).unwrap_or_default()).trim().to_owned();
    if text.is_empty() {
        format!("HTTP {status}")
    } else {
        text
    }
}

/// Adds the caller's headers to a request's: each replaces any header of the same name (compared
/// case-insensitively), so `anthropic-version` or `authorization` can be overridden rather than
/// sent twice (an HTTP client would join two values into one invalid `a, b`).
pub fn add_headers(headers: &mut Vec<(String, String)>, extra: &[(String, String)]) {
    for (k, v) in extra {
        headers.retain(|(have, _)| !have.eq_ignore_ascii_case(k));
        headers.push((k.clone(), v.clone()));
    }
}

/// Finds a header value, case-insensitively.
pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// A stream decoder whose errors name the provider and model (as non-streaming errors do).
pub struct Tagged<D> {
    inner: D,
    provider: &'static str,
    model: String,
}

impl<D: ChunkDecoder> Tagged<D> {
    pub fn new(inner: D, provider: &'static str, model: &str) -> Self {
        Tagged { inner, provider, model: model.to_owned() }
    }

    fn tag(&self, e: LlmError) -> LlmError {
        e.with_provider(self.provider).with_model(&self.model)
    }
}

impl<D: ChunkDecoder> ChunkDecoder for Tagged<D> {
    fn feed(&mut self, bytes: &[u8], out: &mut Vec<crate::types::ChatChunk>) -> Result<(), LlmError> {
        self.inner.feed(bytes, out).map_err(|e| self.tag(e))
    }

    fn finish(&mut self, out: &mut Vec<crate::types::ChatChunk>) -> Result<(), LlmError> {
        self.inner.finish(out).map_err(|e| self.tag(e))
    }

    fn done(&self) -> bool {
        self.inner.done()
    }

    fn set_event_limit(&mut self, bytes: usize) {
        self.inner.set_event_limit(bytes);
    }
}

/// Splits a `data:<mime>;base64,<data>` URL into its media type and base64 payload.
pub fn parse_data_url(url: &str) -> Option<(&str, &str)> {
    let rest = url.strip_prefix("data:")?;
    let (meta, data) = rest.split_once(',')?;
    let mime = meta.strip_suffix(";base64")?;
    let mime = if mime.is_empty() { "application/octet-stream" } else { mime };
    Some((mime, data))
}

/// Joins a base URL and a path with exactly one slash between them.
pub fn join_url(base: &str, path: &str) -> String {
    let base = base.trim_end_matches('/');
    let path = path.trim_start_matches('/');
    format!("{base}/{path}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_prefixes_and_bare_names() {
        let id = |m: &str, base: bool| resolve_model(m, base).map(|(p, m)| (p.id(), m));
        assert_eq!(id("openai/gpt-4o", false), Ok(("openai", "gpt-4o".into())));
        assert_eq!(id("gpt-4o-mini", false), Ok(("openai", "gpt-4o-mini".into())));
        assert_eq!(id("groq/llama-3.3-70b-versatile", false), Ok(("groq", "llama-3.3-70b-versatile".into())));
        assert_eq!(id("openrouter/anthropic/claude-3.5-sonnet", false), Ok(("openrouter", "anthropic/claude-3.5-sonnet".into())));
        assert_eq!(id("mock/anything", false), Ok(("mock", "anything".into())));
        assert_eq!(id("my-local-model", true), Ok(("openai", "my-local-model".into())));
        assert!(id("my-local-model", false).is_err());
        assert!(id("", false).is_err());
        assert!(id("openai/", false).is_err());
        assert_eq!(id("claude-sonnet-4-5", false), Ok(("anthropic", "claude-sonnet-4-5".into())));
        assert_eq!(id("anthropic/claude-3-5-haiku-latest", false), Ok(("anthropic", "claude-3-5-haiku-latest".into())));
        assert_eq!(id("gemini-2.5-flash", false), Ok(("gemini", "gemini-2.5-flash".into())));
        assert_eq!(id("gemini/gemini-2.0-flash", false), Ok(("gemini", "gemini-2.0-flash".into())));
        assert_eq!(id("azure/my-gpt4o", false), Ok(("azure", "my-gpt4o".into())));
    }

    #[test]
    fn caller_headers_replace_same_named_ones() {
        let pair = |k: &str, v: &str| (k.to_owned(), v.to_owned());
        let mut h = vec![pair("content-type", "application/json"), pair("anthropic-version", "2023-06-01"), pair("x-api-key", "k")];
        add_headers(&mut h, &[pair("Anthropic-Version", "2024-01-01"), pair("x-extra", "1"), pair("X-EXTRA", "2")]);
        assert_eq!(h, vec![pair("content-type", "application/json"), pair("x-api-key", "k"), pair("Anthropic-Version", "2024-01-01"), pair("X-EXTRA", "2")]);
    }

    #[test]
    fn data_urls() {
        assert_eq!(parse_data_url("data:image/png;base64,AAAA"), Some(("image/png", "AAAA")));
        assert_eq!(parse_data_url("data:text/plain,hi"), None);
        assert_eq!(parse_data_url("https://x/y.png"), None);
    }

    #[test]
    fn url_join() {
        assert_eq!(join_url("http://x/v1/", "/chat/completions"), "http://x/v1/chat/completions");
        assert_eq!(join_url("http://x/v1", "chat/completions"), "http://x/v1/chat/completions");
    }
}
