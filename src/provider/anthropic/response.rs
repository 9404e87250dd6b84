//! Anthropic Messages response → `chat.completion`.

use serde::Deserialize;
use serde_json::{json, Value};

use super::JSON_TOOL;
use crate::error::LlmError;
use crate::types::{ChatResponse, Choice, FunctionCall, PromptTokensDetails, ResponseMessage, ToolCall, Usage};

/// The largest response body we parse.
pub const MAX_BODY: usize = 64 * 1024 * 1024;

/// The part of a Messages response we read (unknown fields ignored on purpose).
#[derive(Debug, Deserialize)]
struct MessagesResponse {
    #[serde(default)]
    id: String,
    #[serde(default)]
    model: String,
    #[serde(default)]
    content: Vec<Box<serde_json::value::RawValue>>,
    #[serde(default)]
    stop_reason: Option<String>,
    #[serde(default)]
    usage: Option<AnthropicUsage>,
}

/// One content block. Read in two steps (its `type`, then its fields) so that a `tool_use`
/// `input` can be kept as the exact JSON text the model produced (key order included), which
/// serde's tagged enums cannot do with a raw value.
#[derive(Debug)]
pub(super) enum Block {
    Text { text: String },
    ToolUse { id: String, name: String, input: String },
    Thinking { thinking: String, signature: Option<String> },
    RedactedThinking { data: String },
    Other,
}

#[derive(Deserialize)]
struct Head<'a> {
    #[serde(rename = "type", borrow)]
    kind: std::borrow::Cow<'a, str>,
}

#[derive(Deserialize)]
struct TextBlock {
    text: String,
}

#[derive(Deserialize)]
struct ToolUseBlock {
    id: String,
    name: String,
    #[serde(default)]
    input: Option<Box<serde_json::value::RawValue>>,
}

#[derive(Deserialize)]
struct ThinkingBlock {
    thinking: String,
    #[serde(default)]
    signature: Option<String>,
}

#[derive(Deserialize)]
struct RedactedBlock {
    data: String,
}

impl Block {
    fn read(raw: &serde_json::value::RawValue) -> Result<Block, serde_json::Error> {
        let s = raw.get();
        let head: Head<'_> = serde_json::from_str(s)?;
        Ok(match head.kind.as_ref() {
            "text" => Block::Text { text: serde_json::from_str::<TextBlock>(s)?.text },
            "tool_use" => {
                let b: ToolUseBlock = serde_json::from_str(s)?;
                let input = match b.input.as_deref().map(|r| r.get().trim()) {
                    None | Some("null") => "{}".to_owned(),
                    Some(t) => t.to_owned(),
                };
                Block::ToolUse { id: b.id, name: b.name, input }
            }
            "thinking" => {
                let b: ThinkingBlock = serde_json::from_str(s)?;
                Block::Thinking { thinking: b.thinking, signature: b.signature }
            }
            "redacted_thinking" => Block::RedactedThinking { data: serde_json::from_str::<RedactedBlock>(s)?.data },
            _ => Block::Other,
        })
    }
}

/// Anthropic's usage counters; every field may be absent in stream events.
#[derive(Debug, Default, Clone, Deserialize)]
pub(super) struct AnthropicUsage {
    #[serde(default)]
    pub input_tokens: Option<u64>,
    #[serde(default)]
    pub output_tokens: Option<u64>,
    #[serde(default)]
    pub cache_creation_input_tokens: Option<u64>,
    #[serde(default)]
    pub cache_read_input_tokens: Option<u64>,
}

impl AnthropicUsage {
    /// Later counters (from `message_delta`) override earlier ones (from `message_start`).
    pub fn merge(&mut self, later: &AnthropicUsage) {
        self.input_tokens = later.input_tokens.or(self.input_tokens);
        self.output_tokens = later.output_tokens.or(self.output_tokens);
        self.cache_creation_input_tokens = later.cache_creation_input_tokens.or(self.cache_creation_input_tokens);
        self.cache_read_input_tokens = later.cache_read_input_tokens.or(self.cache_read_input_tokens);
    }

    /// OpenAI usage, counted the way LiteLLM does: `prompt_tokens` includes the cache writes and
    /// reads (Anthropic's `input_tokens` excludes both), and `cached_tokens` is the cache reads.
    pub fn to_openai(&self) -> Usage {
        let created = self.cache_creation_input_tokens.unwrap_or(0);
        let read = self.cache_read_input_tokens.unwrap_or(0);
        let prompt = self.input_tokens.unwrap_or(0).saturating_add(created).saturating_add(read);
        let completion = self.output_tokens.unwrap_or(0);
        Usage {
            prompt_tokens: prompt,
            completion_tokens: completion,
            total_tokens: prompt.saturating_add(completion),
            prompt_tokens_details: Some(PromptTokensDetails { cached_tokens: Some(read), ..PromptTokensDetails::default() }),
            completion_tokens_details: None,
            cache_creation_input_tokens: Some(created),
            cache_read_input_tokens: Some(read),
            cost: None,
        }
    }
}

/// Anthropic `stop_reason` → OpenAI `finish_reason`.
/// See <https://docs.anthropic.com/en/api/handling-stop-reasons>.
pub fn finish_reason(stop_reason: &str) -> &'static str {
    match stop_reason {
        "max_tokens" | "model_context_window_exceeded" => "length",
        "tool_use" => "tool_calls",
        "refusal" => "content_filter",
        // end_turn, stop_sequence, pause_turn and anything new
        _ => "stop",
    }
}

pub fn parse(body: &[u8], json_mode: bool) -> Result<ChatResponse, LlmError> {
    if body.len() > MAX_BODY {
        return Err(LlmError::malformed("the anthropic response is larger than 64 MiB"));
    }
    let r: MessagesResponse = serde_json::from_slice(body).map_err(|e| {
        if serde_json::from_slice::<Value>(body).is_ok_and(|v| v.get("type").and_then(Value::as_str) == Some("error")) {
            return super::classify_error(500, &[], body);
        }
        LlmError::malformed(format!("the anthropic response is not a valid Messages response: {e}"))
    })?;
    let mut text: Option<String> = None;
    let mut reasoning: Option<String> = None;
    let mut thinking_blocks = Vec::new();
    let mut tool_calls = Vec::new();
    let mut json_answered = false;
    for raw in &r.content {
        let b = Block::read(raw)
            .map_err(|e| LlmError::malformed(format!("an anthropic content block is not valid: {e}")))?;
        match b {
            Block::Text { text: t } if !json_answered => text.get_or_insert_with(String::new).push_str(&t),
            Block::Text { .. } => {}
            Block::ToolUse { id, name, input: arguments } => {
                if json_mode && name == JSON_TOOL {
                    // the structured answer is the whole content (any prose around it is dropped)
                    json_answered = true;
                    text = Some(arguments);
                } else {
                    tool_calls.push(ToolCall { id, kind: "function".into(), function: FunctionCall { name, arguments } });
                }
            }
            Block::Thinking { thinking, signature } => {
                reasoning.get_or_insert_with(String::new).push_str(&thinking);
                thinking_blocks.push(json!({"type": "thinking", "thinking": thinking, "signature": signature}));
            }
            Block::RedactedThinking { data } => thinking_blocks.push(json!({"type": "redacted_thinking", "data": data})),
            Block::Other => {}
        }
    }
    let mut finish = r.stop_reason.as_deref().map(finish_reason);
    if json_answered && tool_calls.is_empty() && finish == Some("tool_calls") {
        finish = Some("stop");
    }
    Ok(ChatResponse {
        id: r.id,
        object: "chat.completion".into(),
        created: 0,
        model: r.model,
        choices: vec![Choice {
            index: 0,
            message: ResponseMessage {
                content: text,
                tool_calls: if tool_calls.is_empty() { None } else { Some(tool_calls) },
                reasoning_content: reasoning,
                thinking_blocks: if thinking_blocks.is_empty() { None } else { Some(thinking_blocks) },
                ..ResponseMessage::default()
            },
            finish_reason: finish.map(str::to_owned),
            logprobs: None,
        }],
        usage: r.usage.map(|u| u.to_openai()),
        system_fingerprint: None,
        service_tier: None,
    })
}
