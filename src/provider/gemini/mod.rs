//! Google Gemini, AI Studio flavour (`generativelanguage.googleapis.com`).
//!
//! `POST {base}/v1beta/models/{model}:generateContent`, or `:streamGenerateContent?alt=sse` for
//! streams; the key travels in the `x-goog-api-key` header (never in the URL, so it cannot leak
//! into logs of URLs).
//!
//! - `request.rs`: messages → `contents` / `systemInstruction`, `generationConfig`, tools.
//! - `schema.rs`: JSON Schema → the subset Gemini accepts.
//! - `response.rs`: `GenerateContentResponse` → `chat.completion` (shared with the stream).
//! - `stream.rs`: SSE of `GenerateContentResponse`s → chunks.
//! - `error.rs`: `{error: {code, message, status, details}}` → typed errors.
//!
//! Tool-call ids: Gemini gives function calls no id, so one is derived deterministically from the
//! response id, the candidate and the call's position (FNV-1a; no randomness in the core).
//!
//! Thought signatures: Gemini 2.5+/3 attach an opaque `thoughtSignature` to `functionCall` parts
//! and require it back on the next turn. It is carried inside the tool-call id, as
//! `<id>__thought__<signature>` (LiteLLM's convention): OpenAI clients echo tool-call ids
//! verbatim in the assistant message and in the `tool` results, so the signature survives the
//! round trip with no extra field, and `request.rs` splits it off again. Signatures on text parts
//! are optional for the API and are not kept.

mod error;
mod request;
mod response;
pub mod schema;
mod stream;

pub use error::classify_error;

use super::{header, join_url, Deployment, EnvNames, HttpRequest, HttpResponse, Provider};
use crate::error::{ErrorKind, LlmError};
use crate::stream::ChunkDecoder;
use crate::types::{ChatRequest, ChatResponse};

pub const BASE_URL: &str = "https://generativelanguage.googleapis.com";
/// Separates a tool-call id from the thought signature it carries.
pub const THOUGHT_SEPARATOR: &str = "__thought__";

pub struct Gemini;

impl Provider for Gemini {
    fn id(&self) -> &'static str {
        "gemini"
    }

    fn env_names(&self) -> EnvNames {
        EnvNames { api_key: &["GEMINI_API_KEY", "GOOGLE_API_KEY"], api_base: &["GEMINI_API_BASE"], api_version: &[] }
    }

    fn chat_request(&self, req: &ChatRequest, d: &Deployment) -> Result<HttpRequest, LlmError> {
        let body = request::build(req, d)?;
        let mut headers = vec![("content-type".to_owned(), "application/json".to_owned())];
        match d.api_key.as_deref() {
            Some(key) if !key.is_empty() => headers.push(("x-goog-api-key".to_owned(), key.to_owned())),
            _ if d.api_base.is_none() && header(&d.headers, "x-goog-api-key").is_none() && header(&d.headers, "authorization").is_none() => {
                return Err(LlmError::new(
                    ErrorKind::AuthenticationError,
                    "no API key for gemini: pass `apiKey` or set GEMINI_API_KEY (or GOOGLE_API_KEY)",
                ));
            }
            _ => {}
        }
        if req.is_stream() {
            headers.push(("accept".to_owned(), "text/event-stream".to_owned()));
        }
        crate::provider::add_headers(&mut headers, &d.headers);
        let base = d.api_base.as_deref().unwrap_or(BASE_URL);
        let model = d.model.strip_prefix("models/").unwrap_or(&d.model);
        if model.is_empty() || model.contains(['/', '?', '#', ':']) {
            return Err(LlmError::bad_request(format!("`{model}` is not a valid gemini model name")).with_param("model"));
        }
        let version = if base.trim_end_matches('/').ends_with("/v1beta") || base.trim_end_matches('/').ends_with("/v1") { "" } else { "v1beta/" };
        let path = if req.is_stream() {
            format!("{version}models/{model}:streamGenerateContent?alt=sse")
        } else {
            format!("{version}models/{model}:generateContent")
        };
        let body = serde_json::to_string(&body).map_err(|e| LlmError::bad_request(format!("request: {e}")))?;
        Ok(HttpRequest { method: "POST", url: join_url(base, &path), headers, body })
    }

    fn chat_response(&self, resp: &HttpResponse<'_>, _req: &ChatRequest, d: &Deployment) -> Result<ChatResponse, LlmError> {
        response::parse(resp.body).map_err(|e| e.with_provider("gemini").with_model(&d.model))
    }

    fn chat_stream(&self, _req: &ChatRequest, d: &Deployment) -> Box<dyn ChunkDecoder> {
        Box::new(super::Tagged::new(stream::GeminiStream::default(), "gemini", &d.model))
    }

    fn error(&self, resp: &HttpResponse<'_>, d: &Deployment) -> LlmError {
        classify_error(resp.status, resp.headers, resp.body).with_provider("gemini").with_model(&d.model)
    }
}
