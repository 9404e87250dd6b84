//! `token_counter` and `trim_messages` over the compiled-in encodings.
//!
//! OpenAI models are counted exactly with their own encoding and OpenAI's chat accounting (the
//! rules in [`crate::pricing::chat_tokens`], checked against LiteLLM's `token_counter`). Other
//! providers' tokenizers are not compiled in: their models are counted with `cl100k_base`, as
//! LiteLLM does by default, and the result says `exact: false`.

use serde::Serialize;
use serde_json::Value;

use crate::tokenizer::Encoding;
use crate::error::LlmError;
use crate::pricing::chat_tokens::ChatCount;
use crate::pricing::{ModelRegistry, TrimOptions};
use crate::types::{Message, Role};

/// A token count, and how much to trust it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenCount {
    pub tokens: u64,
    /// `true` when the model's own tokenizer counted (OpenAI models); `false` for an approximation.
    pub exact: bool,
    /// The encoding that counted.
    pub encoding: &'static str,
}

/// The encoding for `model` (a `provider/` prefix is ignored), and whether it is the model's own.
pub fn encoding_for(model: &str) -> Result<(&'static Encoding, bool), LlmError> {
    let (name, exact) = crate::tokenizer::counting_encoding(model);
    Ok((Encoding::get(name)?, exact))
}

/// LiteLLM's `token_counter(model, messages=..., text=..., tools=..., tool_choice=...)`.
///
/// With `messages`, OpenAI's chat accounting (per-message and per-name overhead, reply priming,
/// tool definitions, tool choice, image tokens from the detail/tile rules; an image of unknown
/// size counts as LiteLLM's default). With `text` alone, the plain token count.
pub fn token_counter(
    model: &str,
    messages: Option<&[Message]>,
    text: Option<&str>,
    tools: Option<&[Value]>,
    tool_choice: Option<&Value>,
) -> Result<TokenCount, LlmError> {
    let (enc, exact) = encoding_for(model)?;
    let tokens = match (messages, text) {
        (Some(m), _) => {
            let counter = ChatCount { model, count: |s: &str| enc.count(s), image_size: |_: &str| None };
            counter.prompt(m, tools, tool_choice)?
        }
        (None, Some(t)) => enc.count(t) as u64,
        (None, None) => return Err(LlmError::bad_request("tokenCounter needs `messages` or `text`").with_param("messages")),
    };
    Ok(TokenCount { tokens, exact, encoding: enc.name() })
}

/// LiteLLM's `trim_messages`: the conversation fitted into `max_tokens` (default: 75% of the
/// model's input window), keeping system messages and the most recent turns.
pub fn trim_messages(
    models: &ModelRegistry,
    model: &str,
    messages: &[Message],
    max_tokens: Option<u64>,
) -> Result<Vec<Message>, LlmError> {
    let (enc, _) = encoding_for(model)?;
    let count = |ms: &[Message]| -> usize {
        let counter = ChatCount { model, count: |s: &str| enc.count(s), image_size: |_: &str| None };
        counter.prompt(ms, None, None).map_or(usize::MAX, |n| usize::try_from(n).unwrap_or(usize::MAX))
    };
    if max_tokens.is_none() && models.model_info(model).and_then(|i| i.max_input_tokens).is_none() {
        return Err(LlmError::bad_request(format!(
            "trimMessages: the input window of `{model}` is unknown; pass `maxTokens`"
        ))
        .with_param("maxTokens"));
    }
    let trimmed = models.trim_messages(model, messages, TrimOptions { max_tokens, ..TrimOptions::default() }, count);
    // a conversation must keep its last user turn to be answerable
    if !trimmed.iter().any(|m| m.role != Role::System) && messages.iter().any(|m| m.role != Role::System) {
        return Err(LlmError::new(
            crate::error::ErrorKind::ContextWindowExceededError,
            "trimMessages: even the last message alone does not fit",
        ));
    }
    Ok(trimmed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_for_openai_models_approximate_for_others() {
        let m = [Message::new(Role::User, "Hello, world!")];
        let c = token_counter("gpt-4o", Some(&m), None, None, None).expect("count");
        assert_eq!((c.exact, c.encoding), (true, "o200k_base"));
        // 3 (message) + 4 ("Hello, world!" in o200k) + 1 (role) + 3 (priming) = 11
        assert_eq!(c.tokens, 11);
        let c = token_counter("openai/gpt-4", None, Some("Hello, world!"), None, None).expect("count");
        assert_eq!((c.tokens, c.exact, c.encoding), (4, true, "cl100k_base"));
        let c = token_counter("claude-sonnet-4-5", None, Some("Hello, world!"), None, None).expect("count");
        assert_eq!((c.exact, c.encoding), (false, "cl100k_base"));
        assert!(token_counter("gpt-4o", None, None, None, None).is_err());
    }
}
