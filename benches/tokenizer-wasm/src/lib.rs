//! wasm-bindgen exports over the tokenizer core, for benchmarking only.
#![allow(dead_code, clippy::result_large_err)]

use wasm_bindgen::prelude::*;

#[path = "../../../src/error.rs"]
mod error;
#[path = "../../../src/tokenizer/mod.rs"]
mod tokenizer;
#[path = "../../../src/util.rs"]
mod util;

use tokenizer::Encoding;

fn enc(name: &str) -> Result<&'static Encoding, JsError> {
    Encoding::get(name).map_err(|e| JsError::new(&e.message))
}

/// Decodes the encoding's tables (first use) and returns its vocabulary size.
#[wasm_bindgen]
pub fn init(name: &str) -> Result<usize, JsError> {
    Ok(enc(name)?.n_vocab())
}

#[wasm_bindgen(js_name = countTokens)]
pub fn count_tokens(name: &str, text: &str) -> Result<usize, JsError> {
    Ok(enc(name)?.count(text))
}

#[wasm_bindgen]
pub fn encode(name: &str, text: &str) -> Result<Vec<u32>, JsError> {
    Ok(enc(name)?.encode_ordinary(text))
}

#[wasm_bindgen]
pub fn decode(name: &str, ids: &[u32]) -> Result<String, JsError> {
    enc(name)?.decode(ids).map_err(|e| JsError::new(&e.message))
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance)]
    fn now() -> f64;
}

/// [decode ms, lookup-table ms] of a fresh o200k_base initialisation.
#[wasm_bindgen(js_name = initPhases)]
pub fn init_phases() -> Vec<f64> {
    tokenizer::__bench_init_phases(&|| now()).map_or(vec![], |p| p.to_vec())
}

/// Grows and touches `mb` MB of linear memory, then frees it (start-up experiments).
#[wasm_bindgen]
pub fn prewarm(mb: usize) -> usize {
    let v = vec![1u8; mb << 20];
    std::hint::black_box(&v).len()
}
