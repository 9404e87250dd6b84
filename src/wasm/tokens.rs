//! Chat accounting and trimming for JS. Encoding, decoding and counting text are the tokens
//! module's (`src/wasm/tokenizer.rs`); the counts here go through it (`src/tokenizer_js.rs`).

use wasm_bindgen::prelude::*;

use super::models::JsModelRegistry;
use super::{js_err, to_json};
use crate::error::LlmError;
use crate::token_count;
use crate::types::Message;

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
