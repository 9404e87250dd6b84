//! Anthropic Messages API (`POST {base}/v1/messages`).
//!
//! - `request.rs`: OpenAI chat request → Messages request (system hoisting, same-role merging,
//!   tool_use / tool_result, images, thinking, structured output as a forced tool).
//! - `response.rs`: Messages response → `chat.completion`, plus the stop-reason and usage maps.
//! - `stream.rs`: Messages SSE events → `chat.completion.chunk`s.
//! - `error.rs`: `{type: "error", error: {type, message}}` → typed [`LlmError`].
//!
//! Structured output (`response_format`) uses the classic forced-tool approach (as LiteLLM does):
//! a tool named [`JSON_TOOL`] with the schema as `input_schema` is added and forced with
//! `tool_choice: {type: "tool"}`; its `input` comes back as the message `content` (a JSON string)
//! with finish reason `stop`. It works on every Claude model without a beta header. With extended
//! thinking Anthropic forbids forced tools, so the tool is offered with `tool_choice: auto`.

mod error;
mod request;
mod response;
mod stream;

pub use error::classify_error;

use super::{header, join_url, Deployment, EnvNames, HttpRequest, HttpResponse, Provider};
use crate::error::{ErrorKind, LlmError};
use crate::stream::ChunkDecoder;
use crate::types::{ChatRequest, ChatResponse, ResponseFormat};

/// The `anthropic-version` header value.
pub const API_VERSION: &str = "2023-06-01";
/// The default base URL.
pub const BASE_URL: &str = "https://api.anthropic.com";
/// Name of the tool that carries structured output.
pub const JSON_TOOL: &str = "json_tool_call";

pub struct Anthropic;

/// Whether this request asks for structured output (which travels as the forced [`JSON_TOOL`]).
fn json_mode(req: &ChatRequest) -> bool {
    matches!(req.response_format, Some(ResponseFormat::JsonSchema { .. } | ResponseFormat::JsonObject))
}

impl Provider for Anthropic {
    fn id(&self) -> &'static str {
        "anthropic"
    }

    fn env_names(&self) -> EnvNames {
        EnvNames { api_key: &["ANTHROPIC_API_KEY"], api_base: &["ANTHROPIC_API_BASE", "ANTHROPIC_BASE_URL"], api_version: &[] }
    }

    fn chat_request(&self, req: &ChatRequest, d: &Deployment) -> Result<HttpRequest, LlmError> {
        let body = request::build(req, d)?;
        let mut headers = vec![("content-type".to_owned(), "application/json".to_owned())];
        match d.api_key.as_deref() {
            Some(key) if !key.is_empty() => headers.push(("x-api-key".to_owned(), key.to_owned())),
            _ if d.api_base.is_none() && header(&d.headers, "x-api-key").is_none() && header(&d.headers, "authorization").is_none() => {
                return Err(LlmError::new(
                    ErrorKind::AuthenticationError,
                    "no API key for anthropic: pass `apiKey` or set ANTHROPIC_API_KEY",
                ));
            }
            _ => {}
        }
        headers.push(("anthropic-version".to_owned(), API_VERSION.to_owned()));
        if req.is_stream() {
            headers.push(("accept".to_owned(), "text/event-stream".to_owned()));
        }
        crate::provider::add_headers(&mut headers, &d.headers);
        let base = d.api_base.as_deref().unwrap_or(BASE_URL);
        let path = if base.trim_end_matches('/').ends_with("/v1") { "messages" } else { "v1/messages" };
        let body = serde_json::to_string(&body).map_err(|e| LlmError::bad_request(format!("request: {e}")))?;
        Ok(HttpRequest { method: "POST", url: join_url(base, path), headers, body })
    }

    fn chat_response(&self, resp: &HttpResponse<'_>, req: &ChatRequest, d: &Deployment) -> Result<ChatResponse, LlmError> {
        response::parse(resp.body, json_mode(req)).map_err(|e| e.with_provider("anthropic").with_model(&d.model))
    }

    fn chat_stream(&self, req: &ChatRequest, d: &Deployment) -> Box<dyn ChunkDecoder> {
        Box::new(super::Tagged::new(stream::AnthropicStream::new(json_mode(req)), "anthropic", &d.model))
    }

    fn error(&self, resp: &HttpResponse<'_>, d: &Deployment) -> LlmError {
        classify_error(resp.status, resp.headers, resp.body).with_provider("anthropic").with_model(&d.model)
    }
}
