//! OpenAI and the OpenAI-compatible family. Each compatible provider is a row of data
//! ([`CompatSpec`]): base URL, credential names and quirks. Adding one is adding a row.

use super::{header, join_url, Deployment, EnvNames, HttpRequest, HttpResponse, Provider};
use crate::error::{ErrorKind, LlmError};
use crate::stream::sse::{SseDecoder, SseEvent};
use crate::stream::template::RawTemplate;
use crate::stream::ChunkDecoder;
use crate::types::{ChatChunk, ChatRequest, ChatResponse, StreamOptions};

/// `"object"`: whether a chunk names its object type (kept verbatim then).
static OBJECT_KEY: crate::util::Needle = crate::util::Needle::new(b"\"object\"");

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

    fn passes_responses_through(&self) -> bool {
        true
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

/// The fields of a `chat.completion` body that [`passthrough`] checks; the rest is not parsed
/// into values (`IgnoredAny` still checks its syntax).
#[derive(serde::Deserialize)]
struct CompletionView<'a> {
    // raw JSON text where a check of the text is enough (fewer serde instantiations in the wasm)
    #[serde(borrow, default)]
    id: Option<&'a serde_json::value::RawValue>,
    #[serde(default)]
    created: Option<u64>,
    #[serde(borrow, default)]
    model: Option<&'a serde_json::value::RawValue>,
    choices: Vec<ChoiceView<'a>>,
    #[serde(borrow, default)]
    usage: Option<&'a serde_json::value::RawValue>,
    #[serde(borrow, default)]
    service_tier: Option<&'a serde_json::value::RawValue>,
}

/// A raw JSON value that is a non-empty string.
fn nonempty_string(v: Option<&serde_json::value::RawValue>) -> bool {
    v.is_some_and(|v| v.get().len() > 2 && v.get().starts_with('"'))
}

#[derive(serde::Deserialize)]
struct ChoiceView<'a> {
    #[serde(borrow)]
    message: &'a serde_json::value::RawValue,
}

/// A 2xx OpenAI-format body as the caller receives it, without a parse into [`ChatResponse`] and
/// a serialisation back: the provider's own bytes, with `"cost"` added to `usage` when `price`
/// knows the model. Every field the provider sent arrives as sent (`refusal: null`,
/// `logprobs: null`, `annotations`, `system_fingerprint`, Perplexity's `citations`, Azure's
/// `prompt_filter_results`...).
///
/// `None` (the caller then takes the typed path, which fills in or rejects) when the body is not
/// UTF-8 JSON, has no `choices` array of objects with a `message` object, lacks a non-empty `id`,
/// `created` or `model`, has a `usage` that is not a usage object, or already carries a
/// `usage.cost` of its own.
pub fn passthrough(body: &[u8], price: impl FnOnce(&crate::types::Usage, Option<&str>) -> Option<f64>) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    let view: CompletionView<'_> = serde_json::from_str(text).ok()?;
    if !nonempty_string(view.id)
        || view.created.is_none_or(|c| c == 0)
        || !nonempty_string(view.model)
        || !view.choices.iter().all(|c| c.message.get().starts_with('{'))
    {
        return None;
    }
    let Some(raw) = view.usage else {
        return Some(text.to_owned());
    };
    let tier: Option<String> = view.service_tier.and_then(|t| serde_json::from_str(t.get()).ok());
    let Some(cost) = passthrough_cost(raw.get(), tier.as_deref(), price)? else {
        return Some(text.to_owned());
    };
    // `raw` borrows from `text`: its offset there is where the usage object is
    let start = (raw.get().as_ptr() as usize).checked_sub(text.as_ptr() as usize)?;
    let close = start + raw.get().rfind('}')?;
    let empty = raw.get().get(1..raw.get().len() - 1)?.trim().is_empty();
    let cost = serde_json::to_string(&cost).ok()?;
    let mut out = String::with_capacity(text.len() + cost.len() + 9);
    out.push_str(text.get(..close)?);
    out.push_str(if empty { "\"cost\":" } else { ",\"cost\":" });
    out.push_str(&cost);
    out.push_str(text.get(close..)?);
    Some(out)
}

/// The cost [`passthrough`] adds to a body whose `usage` object is `usage_json`: `None` when
/// the usage is not one it passes through (not an object, not [`crate::types::Usage`]'s shape,
/// or a `cost` already there), `Some(None)` when `price` does not know the model. JS, which
/// parses a passed-through body itself, asks for only this (`Call.usageCost`).
pub fn passthrough_cost(
    usage_json: &str,
    service_tier: Option<&str>,
    price: impl FnOnce(&crate::types::Usage, Option<&str>) -> Option<f64>,
) -> Option<Option<f64>> {
    if !usage_json.trim_start().starts_with('{') {
        return None;
    }
    let usage: crate::types::Usage = serde_json::from_str(usage_json).ok()?;
    if usage.cost.is_some() {
        return None;
    }
    Some(price(&usage, service_tier))
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
            if ev.event.as_deref() == Some("error") || crate::util::ERROR_KEY.is_in(data.as_bytes()) {
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
            if OBJECT_KEY.is_in(data.as_bytes()) {
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
        // the events framed before a framing error are decoded first, as they would be had the
        // body arrived split just before the bad line
        let framed = self.sse.feed(bytes, &mut self.events);
        self.drain(out)?;
        framed
    }

    fn finish(&mut self, out: &mut Vec<ChatChunk>) -> Result<(), LlmError> {
        let mid_event = self.sse.finish_body(&mut self.events)?;
        let drained = self.drain(out);
        crate::stream::sse::or_cut_off(drained, mid_event && !self.done, "openai")
    }

    fn done(&self) -> bool {
        self.done
    }

    fn template(&self) -> Option<&RawTemplate> {
        self.template.as_ref().map(|(t, _)| t)
    }

    fn set_event_limit(&mut self, bytes: usize) {
        self.sse.set_max_event(bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMPLETION: &str = r#"{
  "id": "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
  "object": "chat.completion",
  "created": 1741570283,
  "model": "gpt-4o-2024-08-06",
  "choices": [
    {
      "index": 0,
      "message": {
        "role": "assistant",
        "content": "The image shows a wooden boardwalk path running through a lush green field or meadow.",
        "refusal": null,
        "annotations": []
      },
      "logprobs": null,
      "finish_reason": "stop"
    }
  ],
  "usage": {
    "prompt_tokens": 1117,
    "completion_tokens": 46,
    "total_tokens": 1163,
    "prompt_tokens_details": { "cached_tokens": 0, "audio_tokens": 0 },
    "completion_tokens_details": { "reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0 }
  },
  "service_tier": "default",
  "system_fingerprint": "fp_fc9f1d7035"
}"#;

    fn value(s: &str) -> serde_json::Value {
        serde_json::from_str(s).expect("json")
    }

    /// The provider's bytes arrive as sent, `usage.cost` added; nothing else changes.
    #[test]
    fn passthrough_adds_the_cost_and_keeps_every_field() {
        let mut seen = None;
        let out = passthrough(COMPLETION.as_bytes(), |u, tier| {
            seen = Some((u.prompt_tokens, u.completion_tokens, tier.map(str::to_owned)));
            Some(0.0032525)
        })
        .expect("passes through");
        assert_eq!(seen, Some((1117, 46, Some("default".to_owned()))));
        let mut want = value(COMPLETION);
        want["usage"]["cost"] = serde_json::json!(0.0032525);
        assert_eq!(value(&out), want);
        let at = out.find(",\"cost\":").expect("cost spliced in");
        assert_eq!(out[..at], COMPLETION[..at], "the bytes before the cost are the provider's");
        assert_eq!(out[at..].trim_start_matches(",\"cost\":0.0032525"), &COMPLETION[at..], "and after it");
        // fields the typed response would drop or omit are kept
        assert_eq!(value(&out)["choices"][0]["message"]["refusal"], serde_json::Value::Null);
        assert!(value(&out)["choices"][0].as_object().expect("choice").contains_key("logprobs"));
        // an unpriced model: the body as sent
        assert_eq!(passthrough(COMPLETION.as_bytes(), |_, _| None).as_deref(), Some(COMPLETION));
    }

    #[test]
    fn passthrough_without_usage_or_with_an_empty_one() {
        let no_usage = r#"{"id":"x","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"citations":["https://a.example"]}"#;
        assert_eq!(passthrough(no_usage.as_bytes(), |_, _| Some(1.0)).as_deref(), Some(no_usage));
        let empty = r#"{"id":"x","created":1,"model":"m","choices":[],"usage":{ }}"#;
        let out = passthrough(empty.as_bytes(), |_, _| Some(0.5)).expect("passes");
        assert_eq!(value(&out)["usage"], serde_json::json!({"cost": 0.5}));
        let null_usage = r#"{"id":"x","created":1,"model":"m","choices":[],"usage":null}"#;
        assert_eq!(passthrough(null_usage.as_bytes(), |_, _| Some(0.5)).as_deref(), Some(null_usage));
    }

    /// Anything unusual goes to the typed path, which fills in defaults or raises typed errors.
    #[test]
    fn passthrough_declines_what_the_typed_path_must_handle() {
        let ok = |s: &str| passthrough(s.as_bytes(), |_, _| Some(1.0));
        for bad in [
            "",
            "{not json",
            r#"{"error":{"message":"overloaded","code":503}}"#,
            r#"{"id":"","created":1,"model":"m","choices":[]}"#,
            r#"{"id":"x","created":0,"model":"m","choices":[]}"#,
            r#"{"id":"x","model":"m","choices":[]}"#,
            r#"{"id":"x","created":1,"model":"","choices":[]}"#,
            r#"{"id":"x","created":1,"model":"m"}"#,
            r#"{"id":"x","created":1,"model":"m","choices":{}}"#,
            r#"{"id":"x","created":1,"model":"m","choices":[{"message":"hi"}]}"#,
            r#"{"id":"x","created":1,"model":"m","choices":[{}]}"#,
            r#"{"id":"x","created":1,"model":"m","choices":[],"usage":[1]}"#,
            r#"{"id":"x","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":"many"}}"#,
            r#"{"id":"x","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":1,"cost":0.2}}"#,
            r#"{"id":"x","created":1,"model":"m","choices":[],"usage":{}} trailing"#,
            r#"{"id":"x","id":"y","created":1,"model":"m","choices":[]}"#,
        ] {
            assert_eq!(ok(bad), None, "{bad}");
        }
        assert_eq!(passthrough(b"{\"id\":\"\xff\",\"created\":1,\"model\":\"m\",\"choices\":[]}", |_, _| None), None);
    }

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
