//! The wasm-bindgen surface: the only code that touches JS.
//!
//! It moves bytes and strings across the boundary and nothing more: every decision is made by the
//! core. Errors cross as a JS string holding the `LlmError` JSON, which `js/errors.js` turns into
//! an instance of the matching class. JSON strings (not `serde-wasm-bindgen` object graphs) carry
//! structured data both ways: `JSON.parse`/`JSON.stringify` are the fastest paths V8 has.

use wasm_bindgen::prelude::*;

mod models;
mod tokens;

use crate::call::{self, Call, CallOptions};
use crate::error::LlmError;
use crate::lifecycle::{Lifecycle, Policy, Step};
use crate::stream::template::RawTemplate;
use crate::stream::StreamPipeline;
use crate::types::ChatChunk;

pub(crate) fn js_err(e: LlmError) -> JsValue {
    JsValue::from_str(&e.to_json())
}

pub(crate) fn to_json<T: serde::Serialize>(v: &T) -> Result<String, JsValue> {
    serde_json::to_string(v).map_err(|e| js_err(LlmError::malformed(format!("serialization failed: {e}"))))
}

#[wasm_bindgen]
pub fn version() -> String {
    crate::version().to_owned()
}

/// Environment variable names worth reading for `model` (a JSON array of strings).
/// The provider ids `completion()` takes as `provider/model` prefixes, as a JSON array.
#[wasm_bindgen(js_name = supportedProviders)]
pub fn supported_providers() -> String {
    let mut ids = crate::provider::ids();
    ids.sort_unstable();
    serde_json::to_string(&ids).unwrap_or_else(|_| "[]".to_owned())
}

#[wasm_bindgen(js_name = envNames)]
pub fn env_names(model: &str, has_api_base: bool, has_api_key: bool, has_api_version: bool) -> String {
    serde_json::to_string(&call::env_names(model, has_api_base, has_api_key, has_api_version)).unwrap_or_else(|_| "[]".to_owned())
}

/// A JS number of milliseconds as the core's `u64` (NaN and negatives are 0, +Infinity the most).
fn ms(x: f64) -> u64 {
    if x.is_nan() || x <= 0.0 {
        0
    } else {
        x as u64
    }
}

/// The life of one call (`lifecycle.rs`): `poll` says what to do next (0: attempt candidate
/// `candidate()` within `wait()` ms; 1: sleep `wait()` ms; 2: fail with `error()`), the driver
/// reports each failed attempt with `handleHttpError` (a non-2xx answer, classified by the call
/// in place: the error stays a Rust value) or `handleError` (an error JS met: transport,
/// limits, an aborted sleep). The JS driver is the loop `run` in js/api.js.
#[wasm_bindgen(js_name = Lifecycle)]
pub struct JsLifecycle {
    inner: Lifecycle,
    step: Step,
}

#[wasm_bindgen(js_class = Lifecycle)]
impl JsLifecycle {
    #[wasm_bindgen(constructor)]
    pub fn new(max_retries: u32, fallbacks: u32, timeout_ms: f64, now_ms: f64) -> JsLifecycle {
        let policy = Policy { max_retries, fallbacks: fallbacks as usize, timeout_ms: ms(timeout_ms), ..Policy::default() };
        JsLifecycle { inner: Lifecycle::new(policy, ms(now_ms)), step: Step::Sleep { ms: 0 } }
    }

    pub fn poll(&mut self, now_ms: f64) -> u32 {
        self.step = self.inner.poll(ms(now_ms));
        match self.step {
            Step::Attempt { .. } => 0,
            Step::Sleep { .. } => 1,
            Step::Fail(_) => 2,
        }
    }

    /// The candidate of the last `Attempt` (0: the model; i: `fallbacks[i - 1]`).
    pub fn candidate(&self) -> u32 {
        match self.step {
            Step::Attempt { candidate, .. } => candidate as u32,
            _ => 0,
        }
    }

    /// The last step's time: an attempt's time left, or a sleep's length (ms).
    pub fn wait(&self) -> f64 {
        match self.step {
            Step::Attempt { time_left_ms, .. } => time_left_ms as f64,
            Step::Sleep { ms } => ms as f64,
            Step::Fail(_) => 0.0,
        }
    }

    /// The error of the last `Fail`, as the error JSON.
    pub fn error(&self) -> String {
        match &self.step {
            Step::Fail(e) => e.to_json(),
            _ => LlmError::bad_request("the call has not failed").to_json(),
        }
    }

    /// An attempt got a non-2xx answer: `call` classifies it (`headers` `[[k, v], ...]` as JSON).
    #[wasm_bindgen(js_name = handleHttpError)]
    pub fn handle_http_error(&mut self, call: &JsCall, status: u16, headers: &str, body: &[u8], now_ms: f64, rand: f64) {
        let headers: Vec<(String, String)> = serde_json::from_str(headers).unwrap_or_default();
        self.inner.handle_error(call.inner.error(status, &headers, body), ms(now_ms), rand);
    }

    /// An attempt failed with an error JS met (its JSON; an unreadable one is an internal error).
    #[wasm_bindgen(js_name = handleError)]
    pub fn handle_error(&mut self, error_json: &str, now_ms: f64, rand: f64) {
        let e = serde_json::from_str::<LlmError>(error_json)
            .unwrap_or_else(|_| LlmError::new(crate::error::ErrorKind::InternalServerError, "an unreadable error"));
        self.inner.handle_error(e, ms(now_ms), rand);
    }

    /// A sleep was cut short by the caller's signal.
    #[wasm_bindgen(js_name = handleAbort)]
    pub fn handle_abort(&mut self) {
        self.inner.handle_abort();
    }
}

/// One chat completion call. See `call.rs` for the protocol.
#[wasm_bindgen(js_name = Call)]
pub struct JsCall {
    inner: Call,
    /// A big request body, held for [`JsCall::body`] (see [`call::WIRE_BYTES_FROM`]).
    body: Vec<u8>,
}


#[wasm_bindgen(js_class = Call)]
impl JsCall {
    /// `request` is the OpenAI-format body as JSON; `options` the call options as JSON.
    #[wasm_bindgen(constructor)]
    pub fn new(request: &str, options: &str) -> Result<JsCall, JsValue> {
        let opts: CallOptions = serde_json::from_str(options)
            .map_err(|e| js_err(LlmError::bad_request(format!("invalid options: {e}"))))?;
        Call::new(request.as_bytes(), opts).map(|inner| JsCall { inner, body: Vec::new() }).map_err(js_err)
    }

    /// Prices the call with `models` (a registry with the caller's `registerModel` entries).
    #[wasm_bindgen(js_name = useModels)]
    pub fn use_models(&mut self, models: &models::JsModelRegistry) {
        self.inner.set_models(models.inner.clone());
    }

    /// The request to make, in one crossing: a JSON head line, then a newline and the body
    /// (see [`Call::wire`]); for a body of [`call::WIRE_BYTES_FROM`] bytes or more, the head
    /// line alone, with `"bytes":true`, and the body from [`JsCall::body`].
    pub fn prepare(&mut self) -> Result<String, JsValue> {
        let (head, body) = self.inner.wire_split(call::WIRE_BYTES_FROM).map_err(js_err)?;
        self.body = body;
        Ok(head)
    }

    /// The body `prepare` held back (its head said `"bytes":true`); empty after the first call.
    pub fn body(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.body)
    }

    /// Translates a 2xx body into the OpenAI response JSON.
    pub fn parse(&self, status: u16, body: &[u8]) -> Result<String, JsValue> {
        self.inner.parse_json(status, body).map_err(js_err)
    }

    /// The cost to add to a passed-through answer's `usage` (its JSON text): NaN for a model
    /// without a price, -1 when JS must take `parse` instead (see [`Call::usage_cost`]).
    #[wasm_bindgen(js_name = usageCost)]
    pub fn usage_cost(&self, usage: &str, service_tier: Option<String>) -> f64 {
        match self.inner.usage_cost(usage, service_tier.as_deref()) {
            Some(Some(cost)) => cost,
            Some(None) => f64::NAN,
            None => -1.0,
        }
    }

    /// The typed error (as JSON) for a non-2xx answer. `headers` is `[[k, v], ...]` as JSON.
    pub fn error(&self, status: u16, headers: &str, body: &[u8]) -> String {
        let headers: Vec<(String, String)> = serde_json::from_str(headers).unwrap_or_default();
        self.inner.error(status, &headers, body).to_json()
    }

    /// A stream decoder for a 2xx streamed body.
    pub fn decoder(&self) -> StreamDecoder {
        StreamDecoder { pipeline: self.inner.pipeline(), out: Vec::new() }
    }
}

/// `c`'s content literal when its raw text matches the stream's template.
fn literal<'a>(template: Option<&RawTemplate>, c: &'a ChatChunk) -> Option<&'a str> {
    template?.literal(c.raw.as_deref()?)
}

/// Feeds streamed body bytes in, takes OpenAI chunks out (as one JSON array per call).
#[wasm_bindgen]
pub struct StreamDecoder {
    pipeline: StreamPipeline,
    out: Vec<ChatChunk>,
}

#[wasm_bindgen]
impl StreamDecoder {
    /// The chunks these bytes complete, as a JSON array; `undefined` when there are none.
    pub fn push(&mut self, bytes: &[u8]) -> Result<Option<String>, JsValue> {
        self.out.clear();
        self.pipeline.feed(bytes, &mut self.out).map_err(js_err)?;
        self.drain()
    }

    /// The body ended: the last chunks (including the usage chunk), or an error if it was cut short.
    pub fn finish(&mut self) -> Result<Option<String>, JsValue> {
        self.out.clear();
        self.pipeline.finish(&mut self.out).map_err(js_err)?;
        self.drain()
    }

    /// The full response assembled from the chunks so far, as JSON.
    pub fn response(&self) -> Result<String, JsValue> {
        to_json(&self.pipeline.response())
    }

    /// One JSON value for the batch: a plain array of chunks, or an object with the shared parts of
    /// compact items, `{"env": [id, created, model], "tpl": [prefix, suffix], "c": [...]}`, in which
    /// a string item stands for a whole chunk (js/api.js builds it with object literals, several
    /// times cheaper than `JSON.parse` of the full chunk) and any other item is a chunk:
    /// - with `env`, a bare content delta of a translated provider: `{id, object:
    ///   "chat.completion.chunk", created, model, choices: [{index: 0, delta: {content},
    ///   finish_reason: null}]}`;
    /// - with `tpl`, a passthrough chunk whose raw text is `prefix` + that string's literal +
    ///   `suffix` (see `stream::template`): its literal is copied verbatim, not re-encoded.
    fn drain(&mut self) -> Result<Option<String>, JsValue> {
        if self.out.is_empty() {
            return Ok(None);
        }
        let ser = |e: serde_json::Error| js_err(LlmError::malformed(format!("serialization failed: {e}")));
        // the template the decoder learnt (OpenAI-format streams): chunks it fits go as text
        let template = self.pipeline.template();
        let env = self.out.iter().find(|c| c.simple_content().is_some()).map(|c| (c.id.clone(), c.created, c.model.clone()));
        // one kind of compact item per batch (a stream is either passthrough or translated);
        // each chunk is matched against the template once
        let lits: Vec<Option<&str>> = match (&env, template) {
            (None, Some(_)) => self.out.iter().map(|c| literal(template, c)).collect(),
            _ => Vec::new(),
        };
        let tpl = template.filter(|_| lits.iter().any(Option::is_some));
        let mut s = String::with_capacity(self.out.iter().map(|c| c.raw.as_ref().map_or(64, String::len) + 1).sum::<usize>() + 256);
        let compact = env.is_some() || tpl.is_some();
        if compact {
            s.push('{');
            if let Some((id, created, model)) = &env {
                s.push_str("\"env\":");
                s.push_str(&serde_json::to_string(&(id, created, model)).map_err(ser)?);
                s.push(',');
            }
            if let Some(t) = tpl {
                s.push_str("\"tpl\":");
                s.push_str(&serde_json::to_string(&(&t.prefix, &t.suffix)).map_err(ser)?);
                s.push(',');
            }
            s.push_str("\"c\":[");
        } else {
            s.push('[');
        }
        for (i, c) in self.out.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            if let (Some((id, created, model)), Some(text)) = (&env, c.simple_content()) {
                if *id == c.id && *created == c.created && *model == c.model {
                    s.push_str(&serde_json::to_string(text).map_err(ser)?);
                    continue;
                }
            }
            match lits.get(i).copied().flatten() {
                Some(lit) => s.push_str(lit),
                None => c.write_json(&mut s).map_err(ser)?,
            }
        }
        s.push(']');
        if compact {
            s.push('}');
        }
        Ok(Some(s))
    }
}
