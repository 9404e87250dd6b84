//! unillm: one OpenAI-format API to every major LLM provider.
//!
//! The crate is a sans-IO core: building provider requests, translating responses and streams,
//! classifying errors and deciding retries are pure functions and small state machines that take
//! time and randomness as parameters. It compiles natively (and is tested there with plain
//! `cargo test`) and to WebAssembly, where the thin layer in `wasm/` is the only code that
//! touches JS: the JS driver performs `fetch` and feeds the bytes back in.

#![allow(clippy::result_large_err)] // LlmError is returned rarely and carries what callers need

// Two wasm modules are built from this crate (see `scripts/build.sh`): the core, and with the
// `tokens-only` feature the tokenizer alone, which the core counts through (`tokenizer_js.rs`).
#[cfg(not(feature = "tokens-only"))]
pub mod call;
pub mod error;
#[cfg(not(feature = "tokens-only"))]
pub mod lifecycle;
#[cfg(not(feature = "tokens-only"))]
pub mod limits;
#[cfg(not(feature = "tokens-only"))]
pub mod options;
#[cfg(not(feature = "tokens-only"))]
pub mod pricing;
#[cfg(not(feature = "tokens-only"))]
pub mod provider;
#[cfg(not(feature = "tokens-only"))]
pub mod stream;
#[cfg(not(feature = "tokens-only"))]
pub mod token_count;
#[cfg(not(all(target_arch = "wasm32", not(feature = "tokens-only"))))]
pub mod tokenizer;
#[cfg(all(target_arch = "wasm32", not(feature = "tokens-only")))]
#[path = "tokenizer_js.rs"]
pub mod tokenizer;
#[cfg(not(feature = "tokens-only"))]
pub mod types;
pub mod util;

#[cfg(all(target_arch = "wasm32", not(feature = "tokens-only")))]
mod wasm;
#[cfg(all(target_arch = "wasm32", feature = "tokens-only"))]
#[path = "wasm/tokenizer.rs"]
mod wasm_tokenizer;

#[cfg(not(feature = "tokens-only"))]
pub use call::{Call, CallOptions, Transport};
pub use error::{ErrorKind, LlmError};

/// The crate version.
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}
