//! One chat completion call as a sans-IO state machine.
//!
//! The driver (the JS layer, or a test) does:
//! 1. [`Call::new`] with the request JSON and the call options (credentials, clock, randomness);
//! 2. [`Call::transport`]: either an [`HttpRequest`] to send, or the mock's reply bytes;
//! 3. on a 2xx answer, [`Call::parse`] (whole body) or [`Call::pipeline`] (streamed body);
//!    on any other status, [`Call::error`].
//!
//! Retrying and falling back are decisions too: [`retry_delay_ms`] says whether and when.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::error::{parse_ratelimit_reset, parse_retry_after, ErrorKind, LlmError};
use crate::pricing::{CostOptions, ModelRegistry};
use crate::provider::{self, mock, Deployment, HttpRequest, HttpResponse, Provider};
use crate::stream::{PipelineConfig, StreamPipeline};
use crate::types::{ChatRequest, ChatResponse, Role, Usage};

/// Per-call settings from the caller. Field names are the JS option names.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CallOptions {
    pub api_key: Option<String>,
    pub api_base: Option<String>,
    pub api_version: Option<String>,
    /// Extra HTTP headers, `[[name, value], ...]` or `{name: value}`.
    pub headers: Option<Headers>,
    /// Values of the provider's environment variables that the caller found (see [`env_names`]).
    pub env: BTreeMap<String, String>,
    pub drop_params: bool,
    /// Answer with this text instead of calling the provider.
    pub mock_response: Option<String>,
    /// Unix epoch milliseconds (the caller's clock).
    pub now_ms: u64,
    /// Randomness from the caller, for ids.
    pub seed: u64,
    /// Bounds on what is read from the provider (see [`crate::limits`]).
    pub limits: crate::limits::Limits,
}

/// Extra request headers: `[[name, value], ...]` or `{name: value}`.
#[derive(Debug, Clone)]
pub enum Headers {
    Pairs(Vec<(String, String)>),
    Map(BTreeMap<String, String>),
}

impl<'de> Deserialize<'de> for Headers {
    /// By hand rather than `untagged` (see `types::chat` for why).
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{self, MapAccess, SeqAccess, Visitor};
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Headers;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of header values or an array of [name, value] pairs")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Headers, A::Error> {
                crate::types::seq_to_vec(seq).map(Headers::Pairs)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Headers, A::Error> {
                BTreeMap::deserialize(de::value::MapAccessDeserializer::new(map)).map(Headers::Map)
            }
        }
        d.deserialize_any(V)
    }
}

impl Headers {
    fn into_pairs(self) -> Vec<(String, String)> {
        match self {
            Headers::Pairs(p) => p,
            Headers::Map(m) => m.into_iter().collect(),
        }
    }
}

/// What the driver must do to get the provider's answer.
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub enum Transport {
    /// Send this request and feed the answer back.
    Http(HttpRequest),
    /// No network: this is the answer (status 200), as a whole body or as SSE frames.
    Mock(mock::MockReply),
}

pub struct Call {
    provider: &'static dyn Provider,
    deployment: Deployment,
    request: ChatRequest,
    mock_response: Option<String>,
    now_ms: u64,
    seed: u64,
    /// Prices responses (`usage.cost`); the built-in table unless the caller gives its own.
    models: ModelRegistry,
    limits: crate::limits::Limits,
}

/// The limit on a request body we accept from the caller.
pub const MAX_REQUEST_BYTES: usize = 64 * 1024 * 1024;

/// Parses and validates an OpenAI-format request.
pub fn parse_request(json: &[u8]) -> Result<ChatRequest, LlmError> {
    if json.len() > MAX_REQUEST_BYTES {
        return Err(LlmError::bad_request("the request is larger than 64 MiB"));
    }
    // JSON.stringify escapes a lone surrogate (a string cut inside an emoji); serde_json would
    // reject the request, so such escapes become U+FFFD, as TextEncoder does for the tokenizer
    let json = &*crate::util::repaired(json);
    let req: ChatRequest = serde_json::from_slice(json).map_err(|e| {
        let path = crate::util::error_path(json, &e);
        let msg = e.to_string();
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
        if path.is_empty() {
            LlmError::bad_request(format!("invalid request: {msg}"))
        } else {
            LlmError::bad_request(format!("invalid request: `{path}`: {msg}")).with_param(path)
        }
    })?;
    validate(&req)?;
    Ok(req)
}

fn validate(req: &ChatRequest) -> Result<(), LlmError> {
    if req.messages.is_empty() {
        return Err(LlmError::bad_request("`messages` must contain at least one message").with_param("messages"));
    }
    for (i, m) in req.messages.iter().enumerate() {
        match m.role {
            Role::Tool if m.tool_call_id.is_none() => {
                return Err(LlmError::bad_request(format!("`messages[{i}]`: a tool message needs `tool_call_id`"))
                    .with_param(format!("messages[{i}].tool_call_id")));
            }
            Role::Assistant => {}
            _ if m.content.is_none() => {
                return Err(LlmError::bad_request(format!("`messages[{i}]`: `content` is required for role {:?}", m.role))
                    .with_param(format!("messages[{i}].content")));
            }
            _ => {}
        }
    }
    if let Some(t) = req.temperature {
        if !(0.0..=2.0).contains(&t) {
            return Err(LlmError::bad_request("`temperature` must be between 0 and 2").with_param("temperature"));
        }
    }
    Ok(())
}

/// The variables that [`Call::new`] would read for `model`, less those of settings the caller
/// gives itself (`apiKey`, `apiBase`, `apiVersion`): each is a `process.env` lookup in JS.
pub fn env_names(model: &str, has_api_base: bool, has_api_key: bool, has_api_version: bool) -> Vec<&'static str> {
    let Ok((p, _)) = provider::resolve_model(model, has_api_base) else {
        return Vec::new();
    };
    let n = p.env_names();
    let pick = |given: bool, names: &'static [&'static str]| if given { &[][..] } else { names };
    pick(has_api_key, n.api_key).iter().chain(pick(has_api_base, n.api_base)).chain(pick(has_api_version, n.api_version)).copied().collect()
}

/// Request bodies from this size cross to JS as bytes ([`Call::wire_split`]) instead of inside
/// the wire string: a string of megabytes (an image as a data: URL) costs a UTF-8 decode into a JS
/// string and an encode back to UTF-8 when it is sent, ~2 ms each for 2 MB; bytes cost nothing
/// more here (the body built is handed over), and `fetch` and the Node transport send them as
/// they are.
pub const WIRE_BYTES_FROM: usize = 64 * 1024;

impl Call {
    pub fn new(request_json: &[u8], opts: CallOptions) -> Result<Call, LlmError> {
        opts.limits.validate()?;
        let request = parse_request(request_json)?;
        let (provider, model) = provider::resolve_model(&request.model, opts.api_base.is_some())?;
        let env = provider.env_names();
        let from_env = |names: &[&str]| names.iter().find_map(|n| opts.env.get(*n).filter(|v| !v.is_empty()).cloned());
        let deployment = Deployment {
            provider: provider.id().to_owned(),
            model,
            api_key: opts.api_key.clone().filter(|k| !k.is_empty()).or_else(|| from_env(env.api_key)),
            api_base: opts.api_base.clone().filter(|b| !b.is_empty()).or_else(|| from_env(env.api_base)),
            api_version: opts.api_version.clone().or_else(|| from_env(env.api_version)),
            headers: opts.headers.clone().map(Headers::into_pairs).unwrap_or_default(),
            drop_params: opts.drop_params,
        };
        if let Some(base) = &deployment.api_base {
            if !(base.starts_with("http://") || base.starts_with("https://")) {
                return Err(LlmError::bad_request(format!("`apiBase` must be an http(s) URL, got `{base}`")).with_param("apiBase"));
            }
        }
        Ok(Call {
            provider,
            deployment,
            request,
            mock_response: opts.mock_response,
            now_ms: opts.now_ms,
            seed: opts.seed,
            models: ModelRegistry::new(),
            limits: opts.limits,
        })
    }

    /// Prices with `models` (the caller's registry, with its `register_model` entries).
    pub fn with_models(mut self, models: ModelRegistry) -> Call {
        self.models = models;
        self
    }

    pub fn set_models(&mut self, models: ModelRegistry) {
        self.models = models;
    }

    /// The prompt's tokens by the model's tokenizer (OpenAI's chat accounting), if countable.
    pub fn prompt_tokens(&self) -> Option<u64> {
        count_prompt(&self.deployment.model, &self.request)
    }

    /// [`Call::prompt_tokens`] for later, if ever: the stream pipeline counts only when the
    /// provider reports no usage.
    fn prompt_counter(&self) -> crate::stream::PromptCounter {
        let model = self.deployment.model.clone();
        let request = ChatRequest {
            messages: self.request.messages.clone(),
            tools: self.request.tools.clone(),
            tool_choice: self.request.tool_choice.clone(),
            ..ChatRequest::default()
        };
        Box::new(move || count_prompt(&model, &request))
    }

    /// The cost of a call with this usage, if the model is priced (never for the mock provider).
    pub fn cost(&self, usage: &Usage, service_tier: Option<&str>) -> Option<f64> {
        price(&self.models, self.provider.id(), &self.deployment.model, usage, service_tier, self.now_ms)
    }

    pub fn provider(&self) -> &'static str {
        self.provider.id()
    }

    pub fn model(&self) -> &str {
        &self.deployment.model
    }

    pub fn request(&self) -> &ChatRequest {
        &self.request
    }

    pub fn is_stream(&self) -> bool {
        self.request.is_stream()
    }

    fn id(&self) -> String {
        crate::util::make_id("chatcmpl-", self.seed)
    }

    fn created(&self) -> u64 {
        self.now_ms / 1000
    }

    pub fn transport(&self) -> Result<Transport, LlmError> {
        if self.mock_response.is_some() || self.provider.id() == "mock" {
            // build the provider request anyway, so that parameter errors surface as they would
            // (a missing key does not matter: no request is sent)
            if self.provider.id() != "mock" {
                match self.provider.chat_request(&self.request, &self.deployment) {
                    Err(e) if e.kind != ErrorKind::AuthenticationError => return Err(self.tag(e)),
                    _ => {}
                }
            }
            let reply = mock::reply(
                &self.request,
                &self.deployment.model,
                self.mock_response.as_deref(),
                &self.id(),
                self.created(),
                self.prompt_tokens().unwrap_or(0),
            );
            return Ok(Transport::Mock(reply));
        }
        self.provider.chat_request(&self.request, &self.deployment).map(Transport::Http).map_err(|e| self.tag(e))
    }

    /// The request to make, as JS takes it in one string: one line of JSON, then (for HTTP) a
    /// newline and the body as is. The line is
    /// `{"provider","model","stream","http":{"method","url","headers":{name: value}}}`, or with
    /// `"json": body` / `"events": [frame, ...]` (the mock's answer) in place of `"http"`.
    /// `"pass":true` after `"stream"` says a 2xx answer passes through ([`Call::passes_through`]).
    /// Header names are unique ([`provider::add_headers`]); a repeat would be joined with `, `.
    pub fn wire(&self) -> Result<String, LlmError> {
        self.wire_split(usize::MAX).map(|(wire, _)| wire)
    }

    /// [`Call::wire`], except that an HTTP body of `bytes_from` bytes or more is not appended:
    /// the line alone, with `"bytes":true` after `"stream"` (and `"pass"`), and the body as the
    /// bytes beside it (empty otherwise).
    pub fn wire_split(&self, bytes_from: usize) -> Result<(String, Vec<u8>), LlmError> {
        // written by hand: a derived Serialize and a map for the headers cost ~2 KB of wasm
        fn string(out: &mut String, s: &str) {
            match serde_json::to_string(s) {
                Ok(q) => out.push_str(&q),
                Err(_) => out.push_str("\"\""),
            }
        }
        let t = self.transport()?;
        let mut out = String::with_capacity(256);
        out.push_str("{\"provider\":");
        string(&mut out, self.provider());
        out.push_str(",\"model\":");
        string(&mut out, self.model());
        out.push_str(if self.is_stream() { ",\"stream\":true" } else { ",\"stream\":false" });
        match t {
            Transport::Http(h) => {
                if self.passes_through() {
                    out.push_str(",\"pass\":true");
                }
                let bytes = h.body.len() >= bytes_from;
                if bytes {
                    out.push_str(",\"bytes\":true");
                }
                out.push_str(",\"http\":{\"method\":");
                string(&mut out, h.method);
                out.push_str(",\"url\":");
                string(&mut out, &h.url);
                out.push_str(",\"headers\":{");
                for (i, (k, v)) in h.headers.iter().enumerate() {
                    // a name seen before: its values joined with ", " under the first one
                    if h.headers[..i].iter().any(|(k0, _)| k0 == k) {
                        continue;
                    }
                    let mut value = std::borrow::Cow::Borrowed(v.as_str());
                    for (_, v2) in h.headers[i + 1..].iter().filter(|(k2, _)| k2 == k) {
                        value = format!("{value}, {v2}").into();
                    }
                    if i > 0 && !out.ends_with('{') {
                        out.push(',');
                    }
                    string(&mut out, k);
                    out.push(':');
                    string(&mut out, &value);
                }
                if bytes {
                    out.push_str("}}}");
                    return Ok((out, h.body.into_bytes()));
                }
                out.reserve(h.body.len() + 4);
                out.push_str("}}}\n");
                out.push_str(&h.body);
            }
            Transport::Mock(mock::MockReply::Json(j)) => {
                out.push_str(",\"json\":");
                string(&mut out, &j);
                out.push('}');
            }
            Transport::Mock(mock::MockReply::Events(ev)) => {
                out.push_str(",\"events\":[");
                for (i, e) in ev.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    string(&mut out, e);
                }
                out.push_str("]}");
            }
        }
        Ok((out, Vec::new()))
    }

    /// The call's limits (the driver bounds its reads of the body with them).
    pub fn limits(&self) -> &crate::limits::Limits {
        &self.limits
    }

    fn check_body(&self, body: &[u8]) -> Result<(), LlmError> {
        if body.len() > self.limits.response_bytes {
            return Err(self.tag(crate::limits::exceeded("responseBytes", "the answer", self.limits.response_bytes)));
        }
        Ok(())
    }

    /// Translates a 2xx non-streaming body.
    pub fn parse(&self, status: u16, body: &[u8]) -> Result<ChatResponse, LlmError> {
        self.check_body(body)?;
        let body = &*crate::util::repaired(body);
        let resp = HttpResponse { status, headers: &[], body };
        let mut r = if self.mock_response.is_some() {
            mock::MockProvider.chat_response(&resp, &self.request, &self.deployment)
        } else {
            self.provider.chat_response(&resp, &self.request, &self.deployment)
        }
        .map_err(|e| self.tag(e))?;
        if r.id.is_empty() {
            r.id = self.id();
        }
        if r.created == 0 {
            r.created = self.created();
        }
        if r.model.is_empty() {
            r.model.clone_from(&self.deployment.model);
        }
        if let Some(usage) = &r.usage {
            let cost = self.cost(usage, r.service_tier.as_deref());
            if let Some(u) = r.usage.as_mut() {
                u.cost = cost;
            }
        }
        Ok(r)
    }

    /// [`Call::parse`] as the JSON the caller receives. A provider whose answers are already
    /// OpenAI's format passes them through as sent, with the cost added ([`provider::openai::passthrough`]).
    pub fn parse_json(&self, status: u16, body: &[u8]) -> Result<String, LlmError> {
        self.check_body(body)?;
        let body = &*crate::util::repaired(body);
        if self.mock_response.is_none() && self.provider.passes_responses_through() {
            if let Some(out) = provider::openai::passthrough(body, |u, tier| self.cost(u, tier)) {
                return Ok(out);
            }
        }
        let r = self.parse(status, body)?;
        serde_json::to_string(&r).map_err(|e| LlmError::malformed(format!("serialization failed: {e}")))
    }

    /// For a body JS parsed itself because the head said `"pass":true` (see [`Call::wire`]): the
    /// cost to add to its `usage` (whose JSON text is `usage_json`), `Some(None)` for a model
    /// without a price, `None` when the usage is not one [`Call::parse_json`] passes through
    /// (then JS takes [`Call::parse_json`] with the body's bytes).
    pub fn usage_cost(&self, usage_json: &str, service_tier: Option<&str>) -> Option<Option<f64>> {
        provider::openai::passthrough_cost(usage_json, service_tier, |u, tier| self.cost(u, tier))
    }

    /// Whether a 2xx non-streaming answer reaches the caller as the provider sent it (plus the
    /// cost), so that JS may parse it itself ([`Call::usage_cost`]).
    pub fn passes_through(&self) -> bool {
        self.mock_response.is_none() && !self.is_stream() && self.provider.passes_responses_through()
    }

    /// Classifies a non-2xx answer, with the wait a retry should honour.
    pub fn error(&self, status: u16, headers: &[(String, String)], body: &[u8]) -> LlmError {
        // past `limits.errorBytes` the body is cut: status and headers still classify it
        let body = &body[..body.len().min(self.limits.error_bytes)];
        let e = self.provider.error(&HttpResponse { status, headers, body }, &self.deployment);
        let e = if e.retry_after_ms.is_none() {
            let wait = parse_retry_after(headers, self.now_ms)
                .or_else(|| (e.kind == ErrorKind::RateLimitError).then(|| parse_ratelimit_reset(headers, self.now_ms)).flatten());
            e.with_retry_after_ms(wait)
        } else {
            e
        };
        self.tag(e)
    }

    /// The streaming state machine for a 2xx streamed body.
    pub fn pipeline(&self) -> StreamPipeline {
        let decoder = if self.mock_response.is_some() {
            mock::MockProvider.chat_stream(&self.request, &self.deployment)
        } else {
            self.provider.chat_stream(&self.request, &self.deployment)
        };
        StreamPipeline::new(
            decoder,
            PipelineConfig {
                include_usage: self.request.include_usage(),
                fallback_id: String::new(),
                model: self.deployment.model.clone(),
                created: self.created(),
                prompt_chars: self.request.messages.iter().map(|m| m.text().len()).sum(),
                prompt_tokens: Some(self.prompt_counter()),
                pricer: {
                    let (models, provider, model, now) =
                        (self.models.clone(), self.provider.id(), self.deployment.model.clone(), self.now_ms);
                    Some(Box::new(move |u: &Usage| price(&models, provider, &model, u, None, now)))
                },
                limits: self.limits,
                secret: self.deployment.api_key.clone(),
            },
        )
    }

    fn tag(&self, e: LlmError) -> LlmError {
        e.with_provider(self.provider.id()).with_model(&self.deployment.model).without_secret(self.deployment.api_key.as_deref())
    }
}

/// The price of `usage` on `provider/model`, if the table knows the model.
fn price(models: &ModelRegistry, provider: &str, model: &str, usage: &Usage, tier: Option<&str>, now_ms: u64) -> Option<f64> {
    if provider == "mock" {
        return None;
    }
    let options = CostOptions { provider: Some(provider), service_tier: tier, now_ms: i64::try_from(now_ms).ok().filter(|&t| t > 0) };
    models.completion_cost_with(model, usage, &options).ok()
}

fn count_prompt(model: &str, request: &ChatRequest) -> Option<u64> {
    let tools: Option<Vec<serde_json::Value>> =
        request.tools.as_ref().map(|t| t.iter().filter_map(|x| serde_json::to_value(x).ok()).collect());
    let choice = request.tool_choice.as_ref().and_then(|c| serde_json::to_value(c).ok());
    crate::token_count::token_counter(model, Some(&request.messages), None, tools.as_deref(), choice.as_ref())
        .ok()
        .map(|c| c.tokens)
}

/// Whether to retry after `error` on attempt `attempt` (0 = the first retry), and after how long.
///
/// Exponential backoff from `base_ms` with full jitter (`rand` in `[0, 1)` from the caller), never
/// shorter than the provider's `Retry-After`, capped at `max_ms`. `None`: do not retry.
pub fn retry_delay_ms(error: &LlmError, attempt: u32, max_retries: u32, rand: f64, base_ms: u64, max_ms: u64) -> Option<u64> {
    if attempt >= max_retries || !error.retryable || error.kind == ErrorKind::APIUserAbortError {
        return None;
    }
    let exp = base_ms.saturating_mul(1u64 << attempt.min(20)).min(max_ms);
    let rand = if rand.is_finite() { rand.clamp(0.0, 1.0) } else { 0.5 };
    // "equal jitter": half fixed, half random, so retries neither stampede nor collapse to zero
    let jittered = exp / 2 + ((exp / 2) as f64 * rand) as u64;
    Some(jittered.max(error.retry_after_ms.unwrap_or(0)).min(max_ms.max(error.retry_after_ms.unwrap_or(0))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn call(req: serde_json::Value, opts: CallOptions) -> Result<Call, LlmError> {
        Call::new(req.to_string().as_bytes(), opts)
    }

    /// A body of `bytes_from` bytes or more leaves beside the wire string as bytes, byte for byte;
    /// the head line says so and stays JSON; anything smaller, and a mock's answer, stay as `wire`.
    #[test]
    fn wire_split_takes_big_bodies_out_as_bytes() {
        let opts = || CallOptions { api_key: Some("sk-test".into()), ..CallOptions::default() };
        let image = |n: usize| json!({"model": "openai/gpt-4o", "messages": [{"role": "user", "content": [
            {"type": "text", "text": "what is this \u{e9}\u{1f389}"},
            {"type": "image_url", "image_url": {"url": format!("data:image/png;base64,{}", "A".repeat(n))}}]}]});
        // small: the wire string unchanged, no bytes
        let c = call(image(10), opts()).expect("call");
        assert_eq!(c.wire_split(WIRE_BYTES_FROM).expect("wire"), (c.wire().expect("wire"), Vec::new()));
        // big: the same body, as bytes; the head line alone, marked
        let c = call(image(WIRE_BYTES_FROM), opts()).expect("call");
        let w = c.wire().expect("wire");
        let nl = w.find('\n').expect("newline");
        let (head, body) = c.wire_split(WIRE_BYTES_FROM).expect("wire");
        assert!(!head.contains('\n'));
        assert_eq!(body, w.as_bytes()[nl + 1..]);
        let h: serde_json::Value = serde_json::from_str(&head).expect("head is JSON");
        let mut want: serde_json::Value = serde_json::from_str(&w[..nl]).expect("head");
        want["bytes"] = json!(true);
        assert_eq!(h, want);
        // the threshold: one byte under stays, at it leaves
        let n = w.len() - (nl + 1);
        assert_eq!(c.wire_split(n + 1).expect("wire"), (w.clone(), Vec::new()));
        assert_eq!(c.wire_split(n).expect("wire").1.len(), n);
        // a mock's answer has no body line
        let c = call(image(WIRE_BYTES_FROM), CallOptions { mock_response: Some("hi".into()), ..opts() }).expect("call");
        assert_eq!(c.wire_split(WIRE_BYTES_FROM).expect("wire"), (c.wire().expect("wire"), Vec::new()));
    }

    /// `util::error_path` names the same place as serde_path_to_error, on requests with every
    /// kind of mistake at every depth.
    #[test]
    fn error_paths_match_serde_path_to_error() {
        let cases = [
            r#"{"model":"gpt-4o","messages":[{"role":"user","content":5}]}"#,
            r#"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"},{"role":"wizard","content":"x"}]}"#,
            r#"{"model":"gpt-4o","messages":[{"content":"hi"}]}"#,
            r#"{"model":"gpt-4o","messages":{"role":"user"}}"#,
            r#"{"model":7,"messages":[]}"#,
            r#"{"messages":[]}"#,
            r#"{"model":"gpt-4o","messages":[],"temperature":"hot"}"#,
            r#"{"model":"gpt-4o","messages":[],"stop":[1,2]}"#,
            r#"{"model":"gpt-4o","messages":[],"tools":[{"type":"function","function":{"name":5}}]}"#,
            r#"{"model":"gpt-4o","messages":[],"tools":[{"type":"function"}]}"#,
            r#"{"model":"gpt-4o","messages":[],"tool_choice":{"type":"function","function":{}}}"#,
            r#"{"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"image_url","image_url":7}]}]}"#,
            r#"{"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"text"}]}]}"#,
            r#"{"model":"gpt-4o","messages":[{"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":{}}}]}]}"#,
            r#"{"model":"gpt-4o","messages":[],"response_format":{"type":"json_schema","json_schema":{"name":3}}}"#,
            r#"{"model":"gpt-4o","messages":[],"stream_options":{"include_usage":"yes"}}"#,
            r#"{"model":"gpt-4o","messages":[],"n":-1}"#,
            r#"{"model":"gpt-4o","messages":[],"logit_bias":{"50256":"x"}}"#,
            r#"{"model":"gpt-4o", "messages": [ {"role": "user", "content": "a \"quoted\" \\ text"} , {"role":"user","content":{}} ]}"#,
            "{\"model\":\"gpt-4o\",\n \"messages\": [\n  {\"role\": \"user\",\n   \"content\": 5}\n ]\n}",
            r#"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"max_tokens":1.5}"#,
            r#"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}"#,
            r#"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]} x"#,
            r#"[]"#,
            r#"{"model":"gpt-4o","messages":[{"role":"tool","tool_call_id":5,"content":"x"}]}"#,
            r#"{"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":1}}]}]}"#,
            r#"{"model":"gpt-4o","messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b","tool_calls":[{"id":"1","type":"function","function":{"name":"f","arguments":"{}"}},{"id":2}]}]}"#,
            r#"  {  "model" : "gpt-4o" , "messages" : [ { "role" : "user" , "content" : [ { "type" : "text" , "text" : false } ] } ] }  "#,
            r#"{"model":"gpt-4o","messages":[{"role":"user","content":"hi","name":["x"]}]}"#,
            r#"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"metadata":[]}"#,
            r#"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"parallel_tool_calls":"no"}"#,
            r#"{"model":"gpt-4o","messages":[{"role":"user","content":"h\u00e9 \ud83d\ude00"},{"role":5}]}"#,
            r#"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"},]}"#,
            r#"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],}"#,
            r#"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"seed":1e400}"#,
        ];
        let mut checked = 0;
        for case in cases {
            let de = &mut serde_json::Deserializer::from_str(case);
            let Err(oracle) = serde_path_to_error::deserialize::<_, ChatRequest>(de) else { continue };
            let want = oracle.path().to_string();
            // serde_path_to_error writes `?` for a key it never read; error_path leaves it out
            let want = want.trim_end_matches('?').trim_end_matches('.');
            let want = if want == "." { String::new() } else { want.to_owned() };
            let e = serde_json::from_str::<ChatRequest>(case).expect_err("fails the same way");
            assert_eq!(crate::util::error_path(case.as_bytes(), &e), want, "{case}\n  error: {e}");
            checked += 1;
        }
        assert!(checked >= 20, "{checked} cases failed to parse");
    }

    #[test]
    fn bad_input_is_a_bad_request_with_a_path() {
        let e = call(json!({"model": "gpt-4o", "messages": [{"role": "user", "content": 5}]}), CallOptions::default())
            .err()
            .expect("error");
        assert_eq!(e.kind, ErrorKind::BadRequestError);
        assert!(e.message.contains("messages[0].content"), "{}", e.message);
        let e = call(json!({"messages": []}), CallOptions::default()).err().expect("error");
        assert_eq!(e.kind, ErrorKind::BadRequestError);
        let e = call(json!({"model": "gpt-4o", "messages": []}), CallOptions::default()).err().expect("error");
        assert!(e.message.contains("at least one"), "{}", e.message);
        assert!(Call::new(b"{not json", CallOptions::default()).is_err());
        assert!(Call::new(b"", CallOptions::default()).is_err());
        assert!(Call::new(b"[]", CallOptions::default()).is_err());
    }

    #[test]
    fn openai_request_is_built_with_key_from_env_and_usage_forced() {
        let mut opts = CallOptions::default();
        opts.env.insert("OPENAI_API_KEY".into(), "sk-test-env".into());
        let c = call(json!({"model": "openai/gpt-4o", "stream": true, "messages": [{"role": "user", "content": "hi"}], "top_k": 3}), opts)
            .expect("call");
        let Transport::Http(h) = c.transport().expect("transport") else { panic!("http expected") };
        assert_eq!(h.url, "https://api.openai.com/v1/chat/completions");
        assert!(h.headers.contains(&("authorization".into(), "Bearer sk-test-env".into())));
        let body: serde_json::Value = serde_json::from_str(&h.body).expect("json");
        assert_eq!(body["model"], "gpt-4o");
        assert_eq!(body["stream_options"]["include_usage"], true);
        assert_eq!(body["top_k"], 3);
    }

    #[test]
    fn missing_key_is_an_authentication_error_without_network() {
        let c = call(json!({"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}), CallOptions::default()).expect("call");
        let e = c.transport().expect_err("error");
        assert_eq!(e.kind, ErrorKind::AuthenticationError);
        assert_eq!(e.provider.as_deref(), Some("openai"));
    }

    /// OpenAI-format providers pass the body through; the cost is the typed path's cost.
    #[test]
    fn passthrough_prices_like_the_typed_path() {
        let body = br#"{"id":"chatcmpl-1","object":"chat.completion","created":1741570283,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":{"role":"assistant","content":"Hi","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":1117,"completion_tokens":46,"total_tokens":1163,"prompt_tokens_details":{"cached_tokens":1024,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0}},"service_tier":"default"}"#;
        let opts = CallOptions { api_key: Some("sk-test".into()), now_ms: 1_741_570_283_000, ..CallOptions::default() };
        for model in ["openai/gpt-4o", "azure/gpt-4o"] {
            let mut o = opts.clone();
            o.env.insert("AZURE_API_BASE".into(), "https://r.openai.azure.com".into());
            o.env.insert("AZURE_API_VERSION".into(), "2024-10-21".into());
            let c = call(json!({"model": model, "messages": [{"role": "user", "content": "hi"}]}), o).expect("call");
            let out: serde_json::Value = serde_json::from_str(&c.parse_json(200, body).expect("parse")).expect("json");
            let typed = c.parse(200, body).expect("typed");
            let cost = typed.usage.and_then(|u| u.cost).expect("priced");
            assert_eq!(out["usage"]["cost"].as_f64(), Some(cost), "{model}");
            assert_eq!(out["choices"][0]["message"]["refusal"], serde_json::Value::Null, "{model}: passed through");
            // JS parses such a body itself and asks for only the cost: the same number
            assert!(c.passes_through(), "{model}");
            assert!(c.wire().expect("wire").split_once('\n').is_some_and(|(head, _)| head.contains(r#""pass":true"#)), "{model}");
            let usage = serde_json::to_string(&out["usage"].as_object().map(|u| {
                let mut u = u.clone();
                u.remove("cost");
                u
            }))
            .expect("usage");
            assert_eq!(c.usage_cost(&usage, Some("default")), Some(Some(cost)), "{model}");
            // declined as the passthrough declines: a cost already there, not an object, a wrong type
            assert_eq!(c.usage_cost(r#"{"prompt_tokens":1,"cost":0.5}"#, None), None);
            assert_eq!(c.usage_cost("[1]", None), None);
            assert_eq!(c.usage_cost(r#"{"prompt_tokens":"9"}"#, None), None);
            assert_eq!(c.usage_cost("{", None), None);
        }
        // not for a model without a price, a stream, or the mock
        let unpriced = call(json!({"model": "openai/my-finetune-xyz", "messages": [{"role": "user", "content": "hi"}]}), opts.clone()).expect("call");
        assert_eq!(unpriced.usage_cost(r#"{"prompt_tokens":1,"completion_tokens":1}"#, None), Some(None));
        let streamed = call(json!({"model": "openai/gpt-4o", "stream": true, "messages": [{"role": "user", "content": "hi"}]}), opts.clone()).expect("call");
        assert!(!streamed.passes_through() && !streamed.wire().expect("wire").contains(r#""pass""#));
        let mocked = CallOptions { mock_response: Some("hi".into()), ..opts.clone() };
        assert!(!call(json!({"model": "openai/gpt-4o", "messages": [{"role": "user", "content": "hi"}]}), mocked).expect("call").passes_through());
        // a body the passthrough declines still parses the typed way (id and created filled in)
        let c = call(json!({"model": "openai/gpt-4o", "messages": [{"role": "user", "content": "hi"}]}), opts).expect("call");
        let out: serde_json::Value =
            serde_json::from_str(&c.parse_json(200, br#"{"id":"r1","choices":[{"message":{"content":"Hi"}}]}"#).expect("parse")).expect("json");
        assert!(out["created"].as_u64().is_some_and(|c| c > 0));
        assert_eq!(out["model"], "gpt-4o");
        assert_eq!(out["choices"][0]["message"]["role"], "assistant");
    }

    /// A lone surrogate (JS strings cut inside an emoji; a token that ends inside a surrogate
    /// pair) reads as U+FFFD in requests, JSON answers and stream chunks, instead of failing.
    #[test]
    fn lone_surrogates_become_replacement_characters() {
        let opts = CallOptions { api_key: Some("sk-test".into()), ..CallOptions::default() };
        let c = Call::new(br#"{"model":"openai/gpt-4o","stream":true,"messages":[{"role":"user","content":"cut \ud83d"}]}"#, opts.clone())
            .expect("a request with a lone surrogate is accepted");
        let Transport::Http(h) = c.transport().expect("transport") else { panic!("http") };
        let body: serde_json::Value = serde_json::from_str(&h.body).expect("json");
        assert_eq!(body["messages"][0]["content"], "cut \u{fffd}");
        let mut p = c.pipeline();
        let mut out = Vec::new();
        let sse = concat!(
            r#"data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":"a\ud83d"},"finish_reason":null}]}"#,
            "\n\n",
            r#"data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"content":"\ude00b"},"finish_reason":"stop"}]}"#,
            "\n\ndata: [DONE]\n\n"
        );
        p.feed(sse.as_bytes(), &mut out).expect("the stream decodes");
        p.finish(&mut out).expect("finish");
        let text: String = out.iter().filter_map(|c| c.choices.first().and_then(|ch| ch.delta.content.clone())).collect();
        assert_eq!(text, "a\u{fffd}\u{fffd}b");
        let c = Call::new(br#"{"model":"openai/gpt-4o","messages":[{"role":"user","content":"hi"}]}"#, opts).expect("call");
        let json = br#"{"id":"r","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"x\ud83d"},"finish_reason":"stop"}]}"#;
        let out: serde_json::Value = serde_json::from_str(&c.parse_json(200, json).expect("parses")).expect("json");
        assert_eq!(out["choices"][0]["message"]["content"], "x\u{fffd}");
        assert_eq!(c.parse(200, json).expect("typed").choices[0].message.content.as_deref(), Some("x\u{fffd}"));
    }

    /// `wire()`: one JSON line JS parses, then the body untouched (newlines and all).
    #[test]
    fn wire_is_a_head_line_then_the_body() {
        let opts = CallOptions {
            api_key: Some("sk-test".into()),
            headers: serde_json::from_value(json!({"X-Trace": "a", "x-other": "b"})).ok(),
            ..CallOptions::default()
        };
        let c = call(json!({"model": "openai/gpt-4o", "messages": [{"role": "user", "content": "line 1\nline 2"}]}), opts).expect("call");
        let w = c.wire().expect("wire");
        let (head, body) = w.split_once('\n').expect("two parts");
        let head: serde_json::Value = serde_json::from_str(head).expect("head is JSON");
        assert_eq!(head["provider"], "openai");
        assert_eq!(head["model"], "gpt-4o");
        assert_eq!(head["stream"], false);
        assert_eq!(head["http"]["method"], "POST");
        assert_eq!(head["http"]["url"], "https://api.openai.com/v1/chat/completions");
        assert_eq!(head["http"]["headers"]["authorization"], "Bearer sk-test");
        assert_eq!(head["http"]["headers"]["X-Trace"], "a");
        assert_eq!(head["http"]["headers"].as_object().map(|h| h.len()), Some(4), "content-type, authorization, two caller headers");
        let Transport::Http(h) = c.transport().expect("transport") else { panic!("http") };
        assert_eq!(body, h.body, "the body is the request body as built");
        let body: serde_json::Value = serde_json::from_str(body).expect("body");
        assert_eq!(body["messages"][0]["content"], "line 1\nline 2");
        // the mock answers in the head line, without a body part
        let c = call(json!({"model": "mock/m", "messages": [{"role": "user", "content": "hi"}]}), CallOptions::default()).expect("call");
        let w = c.wire().expect("wire");
        assert!(!w.contains('\n'));
        let head: serde_json::Value = serde_json::from_str(&w).expect("head");
        assert!(head["json"].as_str().is_some_and(|j| j.contains("chat.completion")), "{head}");
    }

    #[test]
    fn unsupported_params_fail_or_drop() {
        let req = json!({"model": "perplexity/sonar", "messages": [{"role": "user", "content": "hi"}], "seed": 1});
        let opts = CallOptions { api_key: Some("pplx-test".into()), ..CallOptions::default() };
        let e = call(req.clone(), opts.clone()).expect("call").transport().expect_err("error");
        assert_eq!(e.kind, ErrorKind::UnsupportedParamsError);
        assert_eq!(e.param.as_deref(), Some("seed"));
        let c = call(req, CallOptions { drop_params: true, ..opts }).expect("call");
        let Transport::Http(h) = c.transport().expect("transport") else { panic!("http") };
        assert!(!h.body.contains("seed"));
    }

    #[test]
    fn mock_streams_through_the_real_pipeline() {
        let c = call(
            json!({"model": "mock/demo", "stream": true, "stream_options": {"include_usage": true},
                   "messages": [{"role": "user", "content": "ping"}]}),
            CallOptions { now_ms: 1_700_000_000_000, seed: 7, ..CallOptions::default() },
        )
        .expect("call");
        let Transport::Mock(mock::MockReply::Events(ev)) = c.transport().expect("t") else { panic!("events") };
        let mut p = c.pipeline();
        let mut out = Vec::new();
        for e in &ev {
            p.feed(e.as_bytes(), &mut out).expect("feed");
        }
        p.finish(&mut out).expect("finish");
        let last = out.last().expect("chunks");
        assert!(last.choices.is_empty() && last.usage.is_some());
        let r = p.response();
        assert!(r.choices[0].message.content.as_deref().unwrap_or("").contains("You said: \"ping\""));
        assert_eq!(r.choices[0].finish_reason.as_deref(), Some("stop"));
        assert_eq!(r.created, 1_700_000_000);
    }

    #[test]
    fn mock_response_needs_no_key_but_checks_parameters() {
        let opts = CallOptions { mock_response: Some("canned".into()), ..CallOptions::default() };
        let c = call(json!({"model": "gpt-4o", "messages": [{"role": "user", "content": "x"}]}), opts.clone()).expect("call");
        assert!(matches!(c.transport(), Ok(Transport::Mock(_))));
        let c = call(json!({"model": "perplexity/sonar", "seed": 1, "messages": [{"role": "user", "content": "x"}]}), opts).expect("call");
        assert_eq!(c.transport().err().map(|e| e.kind), Some(ErrorKind::UnsupportedParamsError));
    }

    #[test]
    fn retry_policy() {
        let rl = LlmError::new(ErrorKind::RateLimitError, "slow down");
        assert_eq!(retry_delay_ms(&rl, 0, 2, 0.0, 1000, 60_000), Some(500));
        assert_eq!(retry_delay_ms(&rl, 1, 2, 1.0, 1000, 60_000), Some(2000));
        assert_eq!(retry_delay_ms(&rl, 2, 2, 0.5, 1000, 60_000), None);
        let with_after = rl.clone().with_retry_after_ms(Some(7000));
        assert_eq!(retry_delay_ms(&with_after, 0, 3, 0.0, 1000, 60_000), Some(7000));
        let auth = LlmError::new(ErrorKind::AuthenticationError, "no");
        assert_eq!(retry_delay_ms(&auth, 0, 3, 0.0, 1000, 60_000), None);
        assert_eq!(retry_delay_ms(&rl, 40, 99, f64::NAN, 1000, 60_000), Some(45_000));
    }
}

#[cfg(test)]
mod call_timing {
    use super::*;
    use std::time::Instant;

    /// `cargo test --release --lib call_timing -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn call_timing() {
        let req = br#"{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"Hello"}]}"#;
        let opts = r#"{"apiKey":"sk-bench-0000","apiBase":"http://127.0.0.1:1/v1","env":{},"dropParams":false,"nowMs":1764540000000,"seed":12345}"#;
        let usage = r#"{"prompt_tokens":9,"completion_tokens":9,"total_tokens":18,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}"#;
        let n = 200_000;
        for _ in 0..3 {
            let t = Instant::now();
            for _ in 0..n {
                let o: CallOptions = serde_json::from_str(opts).expect("opts");
                std::hint::black_box(o);
            }
            let t_opts = t.elapsed().as_nanos() as f64 / n as f64;
            let t = Instant::now();
            for _ in 0..n {
                std::hint::black_box(parse_request(req).expect("req"));
            }
            let t_req = t.elapsed().as_nanos() as f64 / n as f64;
            let t = Instant::now();
            for _ in 0..n {
                let o: CallOptions = serde_json::from_str(opts).expect("opts");
                std::hint::black_box(Call::new(req, o).expect("call"));
            }
            let t_new = t.elapsed().as_nanos() as f64 / n as f64;
            let o: CallOptions = serde_json::from_str(opts).expect("opts");
            let c = Call::new(req, o).expect("call");
            let t = Instant::now();
            for _ in 0..n {
                std::hint::black_box(c.wire().expect("wire"));
            }
            let t_wire = t.elapsed().as_nanos() as f64 / n as f64;
            let t = Instant::now();
            for _ in 0..n {
                std::hint::black_box(c.usage_cost(usage, Some("default")));
            }
            let t_cost = t.elapsed().as_nanos() as f64 / n as f64;
            let u: Usage = serde_json::from_str(usage).expect("usage");
            let t = Instant::now();
            for _ in 0..n {
                std::hint::black_box(c.cost(&u, Some("default")));
            }
            let t_price = t.elapsed().as_nanos() as f64 / n as f64;
            println!("ns: options {t_opts:.0}, request {t_req:.0}, Call::new (with both) {t_new:.0}, wire {t_wire:.0}, usage_cost {t_cost:.0} (of which price {t_price:.0})");
        }
    }

    /// A request carrying a 2 MB image: parse and body building, natively.
    #[test]
    #[ignore]
    fn big_request_timing() {
        let img = "A".repeat(2 << 20);
        let req = serde_json::json!({"model": "openai/gpt-4o", "messages": [{"role": "user", "content": [{"type": "text", "text": "what is this"}, {"type": "image_url", "image_url": {"url": format!("data:image/png;base64,{img}")}}]}]});
        let req = serde_json::to_vec(&req).expect("json");
        let opts = CallOptions { api_key: Some("sk".into()), ..CallOptions::default() };
        for _ in 0..3 {
            let t = Instant::now();
            let c = Call::new(&req, opts.clone()).expect("call");
            let t_new = t.elapsed();
            let t = Instant::now();
            let w = c.wire().expect("wire");
            let t_wire = t.elapsed();
            let t = Instant::now();
            let r2 = c.request().clone();
            let t_clone = t.elapsed();
            let t = Instant::now();
            let s2 = serde_json::to_string(&r2).expect("json");
            let t_ser = t.elapsed();
            std::hint::black_box((w, r2, s2));
            println!("2 MB image: new {t_new:?}, wire {t_wire:?}, of which a clone {t_clone:?} and serde_json::to_string {t_ser:?}");
        }
    }
}
