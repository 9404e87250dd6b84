//! Azure OpenAI: the OpenAI wire format behind deployment URLs, `api-version` and its own auth.
//!
//! `azure/<deployment>` → `{api_base}/openai/deployments/{deployment}/chat/completions?api-version={v}`
//! (`AZURE_API_BASE`, `AZURE_API_VERSION`, default [`DEFAULT_API_VERSION`]). A base URL that
//! already ends in `/openai/v1` (the v1 / Azure AI Foundry style) is used as is:
//! `{api_base}/chat/completions`, with the deployment as `model` and no `api-version`.
//!
//! A complete endpoint URL (`.../chat/completions[?api-version=...]`) is also accepted as is.
//!
//! Auth: the key goes in the `api-key` header. A Microsoft Entra ID (Azure AD) token is sent as
//! `Authorization: Bearer` instead; it is recognised by its JWT shape (starts with `eyJ`, has two
//! dots), which an Azure key (32 hex characters) never has. It can come as `apiKey` or from
//! `AZURE_AD_TOKEN`. A caller that sets its own `Authorization` or `api-key` header (e.g. a
//! token from a managed identity) needs no key at all.
//!
//! Request and response bodies are OpenAI's, so this reuses `openai.rs`: the body is the
//! OpenAI body, responses and streams decode with the OpenAI decoders, and errors classify with
//! `classify_error` (Azure content-filter errors carry `code: content_filter` and an
//! `innererror` with `ResponsibleAIPolicyViolation`, both → `ContentPolicyViolationError`).

use serde_json::Value;

use super::openai::{classify_error, parse_response, OpenAiStream};
use super::{header, join_url, Deployment, EnvNames, HttpRequest, HttpResponse, Provider};
use crate::error::{ErrorKind, LlmError};
use crate::stream::ChunkDecoder;
use crate::types::{ChatChunk, ChatRequest, ChatResponse, StreamOptions};

/// The GA `api-version` used when none is configured.
pub const DEFAULT_API_VERSION: &str = "2024-10-21";

pub struct Azure;

/// Whether a credential is an Entra ID access token (a JWT) rather than an Azure API key.
pub fn is_entra_token(key: &str) -> bool {
    key.starts_with("eyJ") && key.bytes().filter(|&b| b == b'.').count() == 2
}

fn url(base: &str, deployment: &str, version: &str) -> String {
    let trimmed = base.trim_end_matches('/');
    // a complete endpoint URL pasted from the portal is used as given
    if trimmed.contains("/chat/completions") {
        return if trimmed.contains("api-version=") || trimmed.contains("/openai/v1/") {
            trimmed.to_owned()
        } else {
            let sep = if trimmed.contains('?') { '&' } else { '?' };
            format!("{trimmed}{sep}api-version={version}")
        };
    }
    if trimmed.ends_with("/openai/v1") {
        return join_url(trimmed, "chat/completions");
    }
    let root = trimmed.strip_suffix("/openai").unwrap_or(trimmed);
    let deployment = percent_encode_segment(deployment);
    format!("{}?api-version={}", join_url(root, &format!("openai/deployments/{deployment}/chat/completions")), version)
}

/// `stream_options` exists from api-version 2024-09-01 (GA 2024-10-21) on. Versions are
/// `YYYY-MM-DD[-preview]`, so comparing the date prefix as text orders them; `v1`-style bases
/// carry no version and always take it.
fn supports_stream_options(version: &str) -> bool {
    let date = version.get(..10).unwrap_or(version);
    !date.starts_with(|c: char| c.is_ascii_digit()) || date >= "2024-09-01"
}

/// Escapes the characters that would break a URL path segment (deployment names are usually plain).
fn percent_encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl Provider for Azure {
    fn id(&self) -> &'static str {
        "azure"
    }

    fn env_names(&self) -> EnvNames {
        EnvNames {
            // an Entra ID token in AZURE_AD_TOKEN is recognised by its JWT shape and sent as Bearer
            api_key: &["AZURE_API_KEY", "AZURE_OPENAI_API_KEY", "AZURE_AD_TOKEN"],
            api_base: &["AZURE_API_BASE", "AZURE_OPENAI_ENDPOINT"],
            api_version: &["AZURE_API_VERSION", "OPENAI_API_VERSION"],
        }
    }

    fn chat_request(&self, req: &ChatRequest, d: &Deployment) -> Result<HttpRequest, LlmError> {
        let Some(base) = d.api_base.as_deref().filter(|b| !b.is_empty()) else {
            return Err(LlmError::bad_request(
                "no endpoint for azure: pass `apiBase` (https://<resource>.openai.azure.com) or set AZURE_API_BASE",
            )
            .with_param("apiBase"));
        };
        let version = d.api_version.as_deref().filter(|v| !v.is_empty()).unwrap_or(DEFAULT_API_VERSION);
        let mut body = req.clone();
        body.model.clone_from(&d.model);
        if body.is_stream() {
            if supports_stream_options(version) {
                // always ask for usage; the pipeline strips the usage chunk unless the caller asked
                body.stream_options.get_or_insert_with(StreamOptions::default).include_usage = Some(true);
            } else {
                // older api-versions reject the field (the pipeline then estimates usage)
                body.stream_options = None;
            }
        }
        let mut headers = vec![("content-type".to_owned(), "application/json".to_owned())];
        let caller_auth = header(&d.headers, "authorization").is_some() || header(&d.headers, "api-key").is_some();
        match d.api_key.as_deref() {
            Some(key) if is_entra_token(key) => headers.push(("authorization".to_owned(), format!("Bearer {key}"))),
            Some(key) if !key.is_empty() => headers.push(("api-key".to_owned(), key.to_owned())),
            _ if caller_auth => {}
            _ => {
                return Err(LlmError::new(
                    ErrorKind::AuthenticationError,
                    "no API key for azure: pass `apiKey` (an Azure key or an Entra ID token) or set AZURE_API_KEY",
                ))
            }
        }
        if body.is_stream() {
            headers.push(("accept".to_owned(), "text/event-stream".to_owned()));
        }
        super::add_headers(&mut headers, &d.headers);
        let body = serde_json::to_string(&body).map_err(|e| LlmError::bad_request(format!("request: {e}")))?;
        Ok(HttpRequest { method: "POST", url: url(base, &d.model, version), headers, body })
    }

    fn chat_response(&self, resp: &HttpResponse<'_>, _req: &ChatRequest, d: &Deployment) -> Result<ChatResponse, LlmError> {
        parse_response(resp.body).map_err(|e| e.with_provider("azure").with_model(&d.model))
    }

    fn passes_responses_through(&self) -> bool {
        true
    }

    fn chat_stream(&self, _req: &ChatRequest, d: &Deployment) -> Box<dyn ChunkDecoder> {
        Box::new(super::Tagged::new(AzureStream { inner: OpenAiStream::default(), scratch: Vec::new() }, "azure", &d.model))
    }

    fn error(&self, resp: &HttpResponse<'_>, d: &Deployment) -> LlmError {
        classify(resp.status, resp.headers, resp.body).with_provider("azure").with_model(&d.model)
    }
}

/// OpenAI classification, plus Azure's content-filter `innererror` and request-id headers.
pub fn classify(status: u16, headers: &[(String, String)], body: &[u8]) -> LlmError {
    let mut e = classify_error(status, headers, body);
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let inner = v.pointer("/error/innererror/code").and_then(Value::as_str);
    if inner == Some("ResponsibleAIPolicyViolation") || e.code.as_deref() == Some("content_filter") {
        e.kind = ErrorKind::ContentPolicyViolationError;
        e.retryable = false;
    }
    if e.request_id.is_none() {
        e.request_id = header(headers, "apim-request-id").or_else(|| header(headers, "x-ms-request-id")).map(str::to_owned);
    }
    e
}

/// Azure's stream is OpenAI's, except that it opens with chunks that carry only
/// `prompt_filter_results` (no choices, no usage, empty id); those are dropped.
struct AzureStream {
    inner: OpenAiStream,
    scratch: Vec<ChatChunk>,
}

impl AzureStream {
    fn forward(&mut self, out: &mut Vec<ChatChunk>) {
        out.extend(self.scratch.drain(..).filter(|c| !(c.choices.is_empty() && c.usage.is_none())));
    }
}

impl ChunkDecoder for AzureStream {
    fn feed(&mut self, bytes: &[u8], out: &mut Vec<ChatChunk>) -> Result<(), LlmError> {
        let r = self.inner.feed(bytes, &mut self.scratch);
        self.forward(out);
        r
    }

    fn finish(&mut self, out: &mut Vec<ChatChunk>) -> Result<(), LlmError> {
        let r = self.inner.finish(&mut self.scratch);
        self.forward(out);
        r
    }

    fn done(&self) -> bool {
        self.inner.done()
    }

    fn set_event_limit(&mut self, bytes: usize) {
        self.inner.set_event_limit(bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_tokens() {
        assert_eq!(
            url("https://res.openai.azure.com/", "gpt4o", "2024-10-21"),
            "https://res.openai.azure.com/openai/deployments/gpt4o/chat/completions?api-version=2024-10-21"
        );
        assert_eq!(
            url("https://res.openai.azure.com/openai", "my dep", "v"),
            "https://res.openai.azure.com/openai/deployments/my%20dep/chat/completions?api-version=v"
        );
        assert_eq!(url("https://res.services.ai.azure.com/openai/v1/", "d", "x"), "https://res.services.ai.azure.com/openai/v1/chat/completions");
        assert_eq!(
            url("https://r.openai.azure.com/openai/deployments/d/chat/completions?api-version=2024-06-01", "x", "v"),
            "https://r.openai.azure.com/openai/deployments/d/chat/completions?api-version=2024-06-01"
        );
        assert_eq!(
            url("https://r.openai.azure.com/openai/deployments/d/chat/completions", "x", "v"),
            "https://r.openai.azure.com/openai/deployments/d/chat/completions?api-version=v"
        );
        assert!(supports_stream_options("2024-10-21"));
        assert!(supports_stream_options("2025-04-01-preview"));
        assert!(!supports_stream_options("2024-02-01"));
        assert!(!supports_stream_options("2023-05-15"));
        assert!(supports_stream_options("latest"));
        assert!(is_entra_token("eyJhbGciOi.eyJhdWQiOi.c2ln"));
        assert!(!is_entra_token("0123456789abcdef0123456789abcdef"));
    }
}
