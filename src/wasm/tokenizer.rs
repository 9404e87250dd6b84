//! The wasm-bindgen surface of the tokens module (`unillm_tokens_bg.wasm`, built with the
//! `tokens-only` feature): encode, decode, count. The core module's chat accounting counts
//! through `countTokens` here (see `src/tokenizer_js.rs`).
//!
//! Strings from JS arrive as UTF-8 (wasm-bindgen encodes them with `TextEncoder`), so a lone
//! UTF-16 surrogate is counted as U+FFFD, as the `tiktoken` npm package does. Errors cross as a
//! JS string holding the `LlmError` JSON, as from the core module.

use wasm_bindgen::prelude::*;

use crate::error::LlmError;
use crate::tokenizer::{counting_encoding, encoding_for_model as model_encoding, Encoding, SpecialPolicy, SpecialSet};

/// Errors cross as the same JSON as the core's, written without serde (which would be a second
/// copy of the core's serializer in this module).
fn js_err(e: LlmError) -> JsValue {
    JsValue::from_str(&e.to_json_plain())
}

/// `encoding` names an encoding; otherwise `name` is a model (see [`counting_encoding`]).
fn pick(name: &str, is_encoding: bool) -> Result<&'static Encoding, JsValue> {
    Encoding::get(if is_encoding { name } else { counting_encoding(name).0 }).map_err(js_err)
}

/// A special-token set as `js/tokens.js` passes it: `"n"` none, `"a"` all, or `"o"` followed by
/// the tokens, each preceded by a NUL.
fn special_set(s: &str) -> Result<SpecialSet, JsValue> {
    match s.as_bytes().first() {
        Some(b'n') => Ok(SpecialSet::None),
        Some(b'a') => Ok(SpecialSet::All),
        Some(b'o') => {
            let mut tokens = Vec::new();
            let mut rest = &s[1..];
            while let Some(after) = rest.strip_prefix('\0') {
                let end = after.bytes().position(|b| b == 0).unwrap_or(after.len());
                tokens.push(after[..end].to_owned());
                rest = &after[end..];
            }
            Ok(SpecialSet::Only(tokens))
        }
        _ => Err(js_err(LlmError::bad_request("special tokens must be \"all\" or an array of token strings"))),
    }
}

/// Token ids of `text`. `allowed` / `disallowed`: tiktoken's `allowed_special` /
/// `disallowed_special` (by default a special-token string is an error), as [`special_set`] reads.
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

/// The tiktoken encoding name for an OpenAI model, if any.
#[wasm_bindgen(js_name = encodingForModel)]
pub fn encoding_for_model(model: &str) -> Option<String> {
    model_encoding(model).map(str::to_owned)
}

/// Forgets the merged pieces the encodings remember across calls; returns how many there were.
#[wasm_bindgen(js_name = clearCache)]
pub fn clear_cache() -> f64 {
    crate::tokenizer::clear_caches() as f64
}
