//! unillm: one OpenAI-format API to every major LLM provider.
//!
//! The crate is a sans-IO core: building provider requests, translating responses and streams,
//! classifying errors and deciding retries are pure functions and small state machines that take
//! time and randomness as parameters. It compiles natively (and is tested there with plain
//! `cargo test`) and to WebAssembly, where the thin layer in `wasm/` is the only code that
//! touches JS: the JS driver performs `fetch` and feeds the bytes back in.

#![allow(clippy::result_large_err)] // LlmError is returned rarely and carries what callers need

pub mod call;
pub mod error;
pub mod pricing;
pub mod provider;
pub mod stream;
pub mod token_count;
pub mod tokenizer;
pub mod types;
pub mod util;

#[cfg(target_arch = "wasm32")]
mod wasm;

pub use call::{Call, CallOptions, Transport};
pub use error::{ErrorKind, LlmError};

/// The crate version.
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}
