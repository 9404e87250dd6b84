//! The tokenizer for JS: encode, decode, count, chat accounting and trimming.
//!
//! Strings from JS arrive as UTF-8 (wasm-bindgen encodes them with `TextEncoder`), so a lone
//! UTF-16 surrogate is counted as U+FFFD, as the `tiktoken` npm package does.

use wasm_bindgen::prelude::*;

use super::models::JsModelRegistry;
use super::{js_err, to_json};
use crate::error::LlmError;
use crate::token_count::{self, encoding_for};
use crate::tokenizer::{Encoding, SpecialPolicy, SpecialSet};
use crate::types::Message;

/// `encoding` names an encoding; otherwise `model` picks one (`cl100k_base` for non-OpenAI models).
fn pick(name: &str, is_encoding: bool) -> Result<&'static Encoding, JsValue> {
    if is_encoding {
        Encoding::get(name).map_err(js_err)
    } else {
        encoding_for(name).map(|(e, _)| e).map_err(js_err)
    }
}

fn special_set(json: &str) -> Result<SpecialSet, JsValue> {
    match serde_json::from_str::<serde_json::Value>(json) {
        Ok(serde_json::Value::Null) => Ok(SpecialSet::None),
        Ok(serde_json::Value::String(s)) if s == "all" => Ok(SpecialSet::All),
        Ok(serde_json::Value::Array(a)) => Ok(SpecialSet::Only(a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())),
        _ => Err(js_err(LlmError::bad_request("special tokens must be \"all\" or an array of token strings"))),
    }
}

/// Token ids of `text`. `allowed` / `disallowed`: JSON `"all"`, `[...]` or `null` (tiktoken's
/// `allowed_special` / `disallowed_special`; by default a special-token string is an error).
#[wasm_bindgen]
pub fn encode(text: &str, name: &str, is_encoding: bool, allowed: &str, disallowed: &str) -> Result<Vec<u32>, JsValue> {
    let enc = pick(name, is_encoding)?;
    let policy = SpecialPolicy { allowed: special_set(allowed)?, disallowed: special_set(disallowed)? };
    enc.encode(text, &policy).map_err(js_err)
}

/// Token ids of `text` (special-token strings as ordinary text) and where each token ends in
/// UTF-16 code units: `[ids..., ends...]`, both halves the same length.
#[wasm_bindgen(js_name = tokenSpans)]
pub fn token_spans(text: &str, name: &str, is_encoding: bool) -> Result<Vec<u32>, JsValue> {
    let enc = pick(name, is_encoding)?;
    let mut ids = enc.encode_ordinary(text);
    let ends = enc.utf16_ends(text, &ids).map_err(js_err)?;
    ids.extend_from_slice(&ends);
    Ok(ids)
}

/// The text of `ids` (invalid UTF-8 across token boundaries becomes U+FFFD).
#[wasm_bindgen]
pub fn decode(ids: &[u32], name: &str, is_encoding: bool) -> Result<String, JsValue> {
    pick(name, is_encoding)?.decode(ids).map_err(js_err)
}

/// The number of tokens of `text` (special-token strings count as ordinary text).
#[wasm_bindgen(js_name = countTokens)]
pub fn count_tokens(text: &str, name: &str, is_encoding: bool) -> Result<f64, JsValue> {
    Ok(pick(name, is_encoding)?.count(text) as f64)
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct CounterArgs {
    model: String,
    #[serde(default)]
    messages: Option<Vec<Message>>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    tools: Option<Vec<serde_json::Value>>,
    #[serde(default)]
    tool_choice: Option<serde_json::Value>,
}

fn args<T: serde::de::DeserializeOwned>(json: &str, what: &str) -> Result<T, JsValue> {
    serde_json::from_str(json).map_err(|e| {
        let path = crate::util::error_path(json.as_bytes(), &e);
        let msg = e.to_string();
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
        js_err(LlmError::bad_request(format!("{what}: `{path}`: {msg}")).with_param(path))
    })
}

/// `{ tokens, exact, encoding }` for `{ model, messages?, text?, tools?, toolChoice? }`.
#[wasm_bindgen(js_name = tokenCounter)]
pub fn token_counter(json: &str) -> Result<String, JsValue> {
    let a: CounterArgs = args(json, "tokenCounter")?;
    let c = token_count::token_counter(&a.model, a.messages.as_deref(), a.text.as_deref(), a.tools.as_deref(), a.tool_choice.as_ref())
        .map_err(js_err)?;
    to_json(&c)
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct TrimArgs {
    model: String,
    messages: Vec<Message>,
    #[serde(default)]
    max_tokens: Option<u64>,
}

/// The messages fitted into the model's window (`{ model, messages, maxTokens? }`), as JSON.
#[wasm_bindgen(js_name = trimMessages)]
pub fn trim_messages(json: &str, models: &JsModelRegistry) -> Result<String, JsValue> {
    let a: TrimArgs = args(json, "trimMessages")?;
    let out = token_count::trim_messages(&models.inner, &a.model, &a.messages, a.max_tokens).map_err(js_err)?;
    to_json(&out)
}

/// The tiktoken encoding name for an OpenAI model, if any.
#[wasm_bindgen(js_name = encodingForModel)]
pub fn encoding_for_model(model: &str) -> Option<String> {
    crate::tokenizer::encoding_for_model(model).map(str::to_owned)
}
