//! OpenAI and the OpenAI-compatible family. Each compatible provider is a row of data
//! ([`CompatSpec`]): base URL, credential names and quirks. Adding one is adding a row.

use super::{header, join_url, Deployment, EnvNames, HttpRequest, HttpResponse, Provider};
use crate::error::{ErrorKind, LlmError};
use crate::stream::sse::{SseDecoder, SseEvent};
use crate::stream::template::RawTemplate;
use crate::stream::ChunkDecoder;
use crate::types::{ChatChunk, ChatRequest, ChatResponse, StreamOptions};

/// What distinguishes one OpenAI-compatible provider from another.
#[derive(Debug)]
pub struct CompatSpec {
    pub id: &'static str,
    pub base_url: &'static str,
    /// Environment variables holding the API key, in order of preference.
    pub key_env: &'static [&'static str],
    /// Environment variables holding a base URL override.
    pub base_env: &'static [&'static str],
    /// A key is needed unless the caller points `apiBase` somewhere else.
    pub key_required: bool,
    /// Accepts `stream_options` (some servers reject the field outright).
    pub stream_options: bool,
    /// Request parameters this provider rejects.
    pub unsupported: &'static [&'static str],
}

pub struct OpenAiCompatible {
    pub spec: CompatSpec,
}

macro_rules! compat {
    ($id:literal, $base:literal, [$($key:literal),*], [$($benv:literal),*], $req:expr, $so:expr, [$($un:literal),*]) => {
        OpenAiCompatible { spec: CompatSpec {
            id: $id, base_url: $base, key_env: &[$($key),*], base_env: &[$($benv),*],
            key_required: $req, stream_options: $so, unsupported: &[$($un),*],
        } }
    };
}

/// The OpenAI-compatible family, as data.
pub static COMPATIBLE: [OpenAiCompatible; 13] = [
    compat!("openai", "https://api.openai.com/v1", ["OPENAI_API_KEY"], ["OPENAI_API_BASE", "OPENAI_BASE_URL"], true, true, []),
    compat!("groq", "https://api.groq.com/openai/v1", ["GROQ_API_KEY"], ["GROQ_API_BASE"], true, true,
        ["logprobs", "top_logprobs", "logit_bias"]),
    compat!("deepseek", "https://api.deepseek.com/v1", ["DEEPSEEK_API_KEY"], ["DEEPSEEK_API_BASE"], true, true, []),
    compat!("mistral", "https://api.mistral.ai/v1", ["MISTRAL_API_KEY"], ["MISTRAL_API_BASE"], true, false,
        ["logit_bias", "logprobs", "top_logprobs", "user"]),
    compat!("together_ai", "https://api.together.xyz/v1", ["TOGETHERAI_API_KEY", "TOGETHER_AI_API_KEY", "TOGETHER_API_KEY"],
        ["TOGETHERAI_API_BASE"], true, true, []),
    compat!("fireworks_ai", "https://api.fireworks.ai/inference/v1", ["FIREWORKS_AI_API_KEY", "FIREWORKS_API_KEY"],
        ["FIREWORKS_AI_API_BASE"], true, true, []),
    compat!("openrouter", "https://openrouter.ai/api/v1", ["OPENROUTER_API_KEY", "OR_API_KEY"], ["OPENROUTER_API_BASE"], true, true, []),
    compat!("xai", "https://api.x.ai/v1", ["XAI_API_KEY"], ["XAI_API_BASE"], true, true, []),
    compat!("perplexity", "https://api.perplexity.ai", ["PERPLEXITYAI_API_KEY", "PERPLEXITY_API_KEY"], ["PERPLEXITY_API_BASE"],
        true, false, ["tools", "tool_choice", "parallel_tool_calls", "logit_bias", "logprobs", "top_logprobs", "n", "seed"]),
    compat!("deepinfra", "https://api.deepinfra.com/v1/openai", ["DEEPINFRA_API_KEY"], ["DEEPINFRA_API_BASE"], true, true, []),
    compat!("cerebras", "https://api.cerebras.ai/v1", ["CEREBRAS_API_KEY"], ["CEREBRAS_API_BASE"], true, true,
        ["frequency_penalty", "presence_penalty", "logit_bias"]),
    compat!("ollama_chat", "http://localhost:11434/v1", ["OLLAMA_API_KEY"], ["OLLAMA_API_BASE"], false, true, []),
    compat!("hosted_vllm", "http://localhost:8000/v1", ["HOSTED_VLLM_API_KEY"], ["HOSTED_VLLM_API_BASE"], false, true, []),
];

pub fn compatible(id: &str) -> Option<&'static OpenAiCompatible> {
    COMPATIBLE.iter().find(|p| p.spec.id == id)
}

impl Provider for OpenAiCompatible {
    fn id(&self) -> &'static str {
        self.spec.id
    }

    fn env_names(&self) -> EnvNames {
        EnvNames { api_key: self.spec.key_env, api_base: self.spec.base_env, api_version: &[] }
    }

    fn chat_request(&self, req: &ChatRequest, d: &Deployment) -> Result<HttpRequest, LlmError> {
        let base = d.api_base.as_deref().unwrap_or(self.spec.base_url);
        let mut body = req.clone();
        body.model.clone_from(&d.model);
        drop_unsupported(&mut body, self.spec.unsupported, d.drop_params)?;
        if body.is_stream() {
            if self.spec.stream_options {
                // Always ask for usage: the pipeline needs it for cost, and strips the usage chunk
                // again unless the caller asked for it.
                let so = body.stream_options.get_or_insert_with(StreamOptions::default);
                so.include_usage = Some(true);
            } else {
                body.stream_options = None;
            }
        }
        let mut headers = vec![("content-type".to_owned(), "application/json".to_owned())];
        match d.api_key.as_deref() {
            Some(key) if !key.is_empty() => headers.push(("authorization".to_owned(), format!("Bearer {key}"))),
            _ if self.spec.key_required && d.api_base.is_none() => {
                return Err(LlmError::new(
                    ErrorKind::AuthenticationError,
                    format!("no API key for {}: pass `apiKey` or set {}", self.spec.id, self.spec.key_env.join(" or ")),
                ));
            }
            _ => {}
        }
        if body.is_stream() {
            headers.push(("accept".to_owned(), "text/event-stream".to_owned()));
        }
        super::add_headers(&mut headers, &d.headers);
        let body = serde_json::to_string(&body).map_err(|e| LlmError::bad_request(format!("request: {e}")))?;
        Ok(HttpRequest { method: "POST", url: join_url(base, "chat/completions"), headers, body })
    }

    fn chat_response(&self, resp: &HttpResponse<'_>, _req: &ChatRequest, d: &Deployment) -> Result<ChatResponse, LlmError> {
        parse_response(resp.body).map_err(|e| e.with_provider(self.spec.id).with_model(&d.model))
    }

    fn chat_stream(&self, _req: &ChatRequest, _d: &Deployment) -> Box<dyn ChunkDecoder> {
        Box::new(OpenAiStream::default())
    }

    fn error(&self, resp: &HttpResponse<'_>, d: &Deployment) -> LlmError {
        classify_error(resp.status, resp.headers, resp.body).with_provider(self.spec.id).with_model(&d.model)
    }
}

/// Removes parameters a provider cannot take, or fails naming the first one.
pub fn drop_unsupported(body: &mut ChatRequest, unsupported: &[&str], drop: bool) -> Result<(), LlmError> {
    for &p in unsupported {
        let present = match p {
            "tools" => body.tools.take().is_some(),
            "tool_choice" => body.tool_choice.take().is_some(),
            "parallel_tool_calls" => body.parallel_tool_calls.take().is_some(),
            "logit_bias" => body.logit_bias.take().is_some(),
            "logprobs" => body.logprobs.take().is_some(),
            "top_logprobs" => body.top_logprobs.take().is_some(),
            "n" => body.n.take().is_some(),
            "seed" => body.seed.take().is_some(),
            "user" => body.user.take().is_some(),
            "frequency_penalty" => body.frequency_penalty.take().is_some(),
            "presence_penalty" => body.presence_penalty.take().is_some(),
            "stop" => body.stop.take().is_some(),
            "response_format" => body.response_format.take().is_some(),
            "reasoning_effort" => body.reasoning_effort.take().is_some(),
            other => body.extra.remove(other).is_some(),
        };
        if present && !drop {
            return Err(LlmError::new(
                ErrorKind::UnsupportedParamsError,
                format!("this provider does not support the parameter `{p}`; remove it or pass `dropParams: true` to drop it"),
            )
            .with_param(p));
        }
    }
    Ok(())
}

/// Parses an OpenAI-format `chat.completion` body (also used by the mock provider).
pub fn parse_response(body: &[u8]) -> Result<ChatResponse, LlmError> {
    match serde_json::from_slice::<ChatResponse>(body) {
        Ok(r) => Ok(r),
        Err(e) => {
            // some compatible servers answer errors with a 200
            if let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) {
                if v.get("error").is_some() {
                    return Err(classify_error(200, &[], body));
                }
            }
            Err(LlmError::malformed(format!("the provider's response is not a valid chat completion: {e}")))
        }
    }
}

/// Maps an OpenAI-format error answer (`{"error": {message, type, param, code}}`) to a typed error.
pub fn classify_error(status: u16, headers: &[(String, String)], body: &[u8]) -> LlmError {
    let v: serde_json::Value = serde_json::from_slice(body).unwrap_or(serde_json::Value::Null);
    let err = v.get("error").unwrap_or(&v);
    let message = super::error_message(err, body, status);
    let code = err.get("code").and_then(|c| c.as_str().map(str::to_owned).or_else(|| c.as_i64().map(|n| n.to_string())));
    let etype = err.get("type").and_then(|t| t.as_str());
    let param = err.get("param").and_then(|p| p.as_str());
    let status = if status == 200 { err.get("code").and_then(|c| c.as_u64()).map_or(500, |c| c as u16) } else { status };
    let kind = refine_kind(ErrorKind::from_status(status), &message, code.as_deref().or(etype));
    let mut e = LlmError::new(kind, message).with_status(status);
    if let Some(c) = code.as_deref().or(etype) {
        e = e.with_code(c);
    }
    if let Some(p) = param {
        e = e.with_param(p);
    }
    if code.as_deref() == Some("insufficient_quota") {
        // a 429 that waiting will not fix
        e.retryable = false;
    }
    e.request_id = header(headers, "x-request-id").map(str::to_owned);
    e
}

/// Sharpens a status-derived kind with what the provider's message and code say.
pub fn refine_kind(kind: ErrorKind, message: &str, code: Option<&str>) -> ErrorKind {
    let m = message.to_ascii_lowercase();
    let code = code.unwrap_or("");
    if code == "context_length_exceeded"
        || m.contains("maximum context length")
        || m.contains("context length")
        || m.contains("context window")
        || m.contains("prompt is too long")
        || m.contains("too many tokens")
        || m.contains("input is too long")
        || m.contains("exceeds the maximum number of tokens")
        || m.contains("reduce the length of the messages")
    {
        return ErrorKind::ContextWindowExceededError;
    }
    if code == "content_policy_violation"
        || code == "content_filter"
        || m.contains("content management policy")
        || m.contains("content_policy")
        || m.contains("safety system")
    {
        return ErrorKind::ContentPolicyViolationError;
    }
    if matches!(kind, ErrorKind::BadRequestError) && (code == "unsupported_parameter" || code == "unsupported_value") {
        return ErrorKind::UnsupportedParamsError;
    }
    kind
}

/// Decodes an OpenAI chat-completions SSE stream: `data: {chunk}` events, ended by `data: [DONE]`.
#[derive(Default)]
pub struct OpenAiStream {
    sse: SseDecoder,
    events: Vec<SseEvent>,
    done: bool,
    /// The stream's first plain content chunk, as a raw template and as the parsed chunk: a
    /// later event that is the same bytes around another content string is that chunk with that
    /// content, so only the string is decoded (most of a long stream; see `stream::template`).
    template: Option<(RawTemplate, ChatChunk)>,
}

impl OpenAiStream {
    fn drain(&mut self, out: &mut Vec<ChatChunk>) -> Result<(), LlmError> {
        for ev in self.events.drain(..) {
            let data = ev.data.trim();
            if data.is_empty() {
                continue;
            }
            if data == "[DONE]" {
                self.done = true;
                continue;
            }
            if ev.event.as_deref() == Some("error") || memchr::memmem::find(data.as_bytes(), b"\"error\"").is_some() {
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(data) {
                    if v.get("error").is_some() || ev.event.as_deref() == Some("error") {
                        let status = v.pointer("/error/code").and_then(|c| c.as_u64()).unwrap_or(500) as u16;
                        return Err(classify_error(status, &[], data.as_bytes()));
                    }
                }
            }
            let untrimmed = data.len() == ev.data.len();
            if let Some((t, proto)) = &self.template {
                if let Some(Ok(text)) = t.literal(data).map(serde_json::from_str::<String>) {
                    let mut chunk = proto.clone();
                    if let Some(choice) = chunk.choices.first_mut() {
                        choice.delta.content = Some(text);
                    }
                    chunk.raw = Some(if untrimmed { ev.data } else { data.to_owned() });
                    out.push(chunk);
                    continue;
                }
            }
            let mut chunk: ChatChunk = serde_json::from_str(data)
                .map_err(|e| LlmError::malformed(format!("a stream event is not a valid chat chunk: {e}")))?;
            if memchr::memmem::find(data.as_bytes(), b"\"object\"").is_some() {
                // the event's own buffer becomes the verbatim copy (no second allocation)
                chunk.raw = Some(if untrimmed { ev.data } else { data.to_owned() });
                if self.template.is_none() {
                    if let Some(t) = RawTemplate::from_chunk(&chunk) {
                        self.template = Some((t, ChatChunk { raw: None, ..chunk.clone() }));
                    }
                }
            }
            out.push(chunk);
        }
        Ok(())
    }
}

impl ChunkDecoder for OpenAiStream {
    fn feed(&mut self, bytes: &[u8], out: &mut Vec<ChatChunk>) -> Result<(), LlmError> {
        self.sse.feed(bytes, &mut self.events)?;
        self.drain(out)
    }

    fn finish(&mut self, out: &mut Vec<ChatChunk>) -> Result<(), LlmError> {
        let mid_event = self.sse.finish_body(&mut self.events)?;
        let drained = self.drain(out);
        crate::stream::sse::or_cut_off(drained, mid_event && !self.done, "openai")
    }

    fn done(&self) -> bool {
        self.done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Chunks decoded through the template fast path are exactly what a full parse gives.
    #[test]
    fn template_fast_path_equals_a_full_parse() {
        let env = |id: &str, delta: &str, finish: &str| {
            format!(r#"{{"id":"{id}","object":"chat.completion.chunk","created":7,"model":"gpt-4o","service_tier":"default","system_fingerprint":"fp_x","choices":[{{"index":0,"delta":{delta},"logprobs":null,"finish_reason":{finish}}}]}}"#)
        };
        let events = [
            env("c1", r#"{"role":"assistant","content":"","refusal":null}"#, "null"),
            env("c1", r#"{"content":"Hello"}"#, "null"),
            env("c1", r#"{"content":" \"quoted\" \\ \u00e9 \ud83d\ude00\n"}"#, "null"),
            env("c1", r#"{"content":""}"#, "null"),
            env("c2", r#"{"content":"other id"}"#, "null"),
            env("c1", r#"{"content":"a","refusal":"b"}"#, "null"),
            env("c1", r#"{"content":null}"#, "null"),
            env("c1", r#"{"content":"again"}"#, "null"),
            env("c1", r#"{}"#, r#""stop""#),
        ];
        let body: String = events.iter().map(|e| format!("data: {e}\n\n")).collect::<String>() + "data: [DONE]\n\n";
        let mut dec = OpenAiStream::default();
        let mut out = Vec::new();
        for piece in body.as_bytes().chunks(37) {
            dec.feed(piece, &mut out).expect("feed");
        }
        dec.finish(&mut out).expect("finish");
        assert!(dec.template.is_some(), "the template was learnt");
        let expected: Vec<ChatChunk> = events
            .iter()
            .map(|e| {
                let mut c: ChatChunk = serde_json::from_str(e).expect("chunk");
                c.raw = Some(e.clone());
                c
            })
            .collect();
        assert_eq!(out, expected);
        assert_eq!(out[2].choices[0].delta.content.as_deref(), Some(" \"quoted\" \\ é 😀\n"));
    }
}
