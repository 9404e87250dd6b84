//! The tokenizer as the core wasm sees it. In the npm package the tokenizer (its tables and
//! code) is a wasm module of its own, `unillm_tokens_bg.wasm`, so that counting tokens needs
//! only that small module compiled at start-up; the core module, ten times its code, is
//! compiled when first used. This stand-in has the part of [`crate::tokenizer`]'s API the core
//! uses (chat accounting, usage of streams without provider usage, the mock provider), and
//! counts through the tokens module's `countTokens` export, via JS.
//!
//! Native builds (and `cargo test`) use the real tokenizer directly; the JS tests cover this path.

use wasm_bindgen::prelude::*;

use crate::error::LlmError;

#[path = "tokenizer/model_map.rs"]
mod model_map;

pub use model_map::{counting_encoding, encoding_for_model};

/// The encodings compiled into the tokens module.
pub const ENCODINGS: &[&str] = &["o200k_base", "cl100k_base"];

#[wasm_bindgen(raw_module = "./unillm_tokens.js")]
extern "C" {
    /// `countTokens(text, encoding, true)` of the tokens module's glue.
    #[wasm_bindgen(js_name = countTokens, catch)]
    fn tokens_count(text: &str, name: &str, is_encoding: bool) -> Result<f64, JsValue>;
}

/// One compiled-in encoding, by name.
#[derive(Debug)]
pub struct Encoding {
    name: &'static str,
}

static O200K: Encoding = Encoding { name: "o200k_base" };
static CL100K: Encoding = Encoding { name: "cl100k_base" };

impl Encoding {
    /// The encoding called `name`, with the tokenizer's error for names not compiled in.
    pub fn get(name: &str) -> Result<&'static Encoding, LlmError> {
        match name {
            "o200k_base" => Ok(&O200K),
            "cl100k_base" => Ok(&CL100K),
            other => Err(model_map::unknown_encoding(other)),
        }
    }

    /// The encoding's name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The number of tokens of `text` (special-token strings count as text). The tokens module
    /// is instantiated before the core by every entry point, and counting a valid encoding
    /// cannot fail there; were it to fail, the count is 0 rather than a trap.
    pub fn count(&self, text: &str) -> usize {
        tokens_count(text, self.name, true).map_or(0, |n| n as usize)
    }
}
