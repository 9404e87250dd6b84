//! Gemini `GenerateContentResponse` → `chat.completion`; the candidate and usage maps are shared
//! with the stream decoder.

use serde::Deserialize;
use serde_json::{json, Value};

use super::THOUGHT_SEPARATOR;
use crate::error::LlmError;
use crate::types::{ChatResponse, Choice, CompletionTokensDetails, FunctionCall, PromptTokensDetails, ResponseMessage, ToolCall, Usage};

pub const MAX_BODY: usize = 64 * 1024 * 1024;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct GenerateResponse {
    #[serde(default)]
    pub candidates: Vec<Candidate>,
    #[serde(default)]
    pub prompt_feedback: Option<PromptFeedback>,
    #[serde(default)]
    pub usage_metadata: Option<UsageMetadata>,
    #[serde(default)]
    pub model_version: Option<String>,
    #[serde(default)]
    pub response_id: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Candidate {
    #[serde(default)]
    pub content: Option<CandidateContent>,
    #[serde(default)]
    pub finish_reason: Option<String>,
    #[serde(default)]
    pub index: Option<u32>,
    /// Present when `responseLogprobs` was asked for.
    #[serde(default)]
    pub logprobs_result: Option<LogprobsResult>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct LogprobsResult {
    #[serde(default)]
    pub top_candidates: Vec<TopCandidates>,
    #[serde(default)]
    pub chosen_candidates: Vec<TokenLogprob>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct TopCandidates {
    #[serde(default)]
    pub candidates: Vec<TokenLogprob>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct TokenLogprob {
    #[serde(default)]
    pub token: String,
    #[serde(default)]
    pub log_probability: f64,
}

impl LogprobsResult {
    /// OpenAI's `logprobs: {content: [{token, logprob, bytes, top_logprobs}]}`.
    pub fn to_openai(&self) -> Option<Value> {
        if self.chosen_candidates.is_empty() {
            return None;
        }
        let entry = |t: &TokenLogprob| json!({"token": t.token, "logprob": t.log_probability, "bytes": t.token.as_bytes()});
        let content: Vec<Value> = self
            .chosen_candidates
            .iter()
            .enumerate()
            .map(|(i, chosen)| {
                let top: Vec<Value> = self.top_candidates.get(i).map(|t| t.candidates.iter().map(entry).collect()).unwrap_or_default();
                let mut e = entry(chosen);
                e["top_logprobs"] = Value::Array(top);
                e
            })
            .collect();
        Some(json!({"content": content}))
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct CandidateContent {
    #[serde(default)]
    pub parts: Vec<Part>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Part {
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub thought: Option<bool>,
    #[serde(default)]
    pub function_call: Option<FunctionCallPart>,
    #[serde(default)]
    pub thought_signature: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct FunctionCallPart {
    pub name: String,
    /// Kept as the exact JSON text Gemini sent (key order included).
    #[serde(default)]
    pub args: Option<Box<serde_json::value::RawValue>>,
    #[serde(default)]
    pub id: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PromptFeedback {
    #[serde(default)]
    pub block_reason: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct UsageMetadata {
    #[serde(default)]
    pub prompt_token_count: u64,
    #[serde(default)]
    pub candidates_token_count: u64,
    #[serde(default)]
    pub thoughts_token_count: Option<u64>,
    #[serde(default)]
    pub cached_content_token_count: Option<u64>,
    #[serde(default)]
    pub total_token_count: Option<u64>,
}

impl UsageMetadata {
    /// OpenAI usage as LiteLLM counts it: thinking tokens are completion tokens (and reported as
    /// `reasoning_tokens`); `promptTokenCount` already includes the cached tokens.
    pub fn to_openai(&self) -> Usage {
        let thoughts = self.thoughts_token_count.unwrap_or(0);
        let completion = self.candidates_token_count.saturating_add(thoughts);
        let total = self.total_token_count.unwrap_or_else(|| self.prompt_token_count.saturating_add(completion));
        Usage {
            prompt_tokens: self.prompt_token_count,
            completion_tokens: completion,
            total_tokens: total,
            prompt_tokens_details: self
                .cached_content_token_count
                .map(|c| PromptTokensDetails { cached_tokens: Some(c), ..PromptTokensDetails::default() }),
            completion_tokens_details: self
                .thoughts_token_count
                .map(|t| CompletionTokensDetails { reasoning_tokens: Some(t), ..CompletionTokensDetails::default() }),
            cache_read_input_tokens: self.cached_content_token_count,
            ..Usage::default()
        }
    }
}

/// Gemini `finishReason` → OpenAI `finish_reason` (`tool_calls` wins when the candidate called).
pub fn finish_reason(reason: &str, has_tool_calls: bool) -> &'static str {
    match reason {
        "MAX_TOKENS" => "length",
        "SAFETY" | "RECITATION" | "BLOCKLIST" | "PROHIBITED_CONTENT" | "SPII" | "IMAGE_SAFETY" => "content_filter",
        _ if has_tool_calls => "tool_calls",
        // STOP, MALFORMED_FUNCTION_CALL, LANGUAGE, OTHER, ...
        _ => "stop",
    }
}

/// A deterministic tool-call id: FNV-1a over the response id, the candidate, the call's
/// position, name and arguments (the arguments keep ids apart should a response carry no id).
pub fn tool_call_id(response_id: &str, candidate: u32, ordinal: u32, name: &str, args: &str) -> String {
    let mut h1: u64 = 0xcbf2_9ce4_8422_2325;
    let mut h2: u64 = 0x8422_2325_cbf2_9ce4;
    let mut eat = |bytes: &[u8]| {
        for &b in bytes {
            h1 = (h1 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
            h2 = (h2 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3).rotate_left(5);
        }
    };
    eat(response_id.as_bytes());
    eat(&candidate.to_le_bytes());
    eat(&ordinal.to_le_bytes());
    eat(name.as_bytes());
    eat(args.as_bytes());
    format!("call_{h1:016x}{:08x}", h2 as u32)
}

/// What one candidate (or one streamed piece of it) says.
#[derive(Debug, Default)]
pub(super) struct CandidateOut {
    pub text: Option<String>,
    pub reasoning: Option<String>,
    pub tool_calls: Vec<ToolCall>,
}

/// Reads a candidate's parts; tool calls are numbered from `first_ordinal`.
pub(super) fn read_parts(parts: Vec<Part>, response_id: &str, candidate: u32, first_ordinal: u32) -> CandidateOut {
    let mut out = CandidateOut::default();
    for p in parts {
        if let Some(fc) = p.function_call {
            let ordinal = first_ordinal.saturating_add(out.tool_calls.len() as u32);
            let arguments = match fc.args.as_deref().map(|r| r.get().trim()) {
                None | Some("null") => "{}".to_owned(),
                Some(t) => t.to_owned(),
            };
            let mut id = fc
                .id
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| tool_call_id(response_id, candidate, ordinal, &fc.name, &arguments));
            if let Some(sig) = p.thought_signature.filter(|s| !s.is_empty()) {
                id.push_str(THOUGHT_SEPARATOR);
                id.push_str(&sig);
            }
            out.tool_calls.push(ToolCall { id, kind: "function".into(), function: FunctionCall { name: fc.name, arguments } });
        } else if let Some(t) = p.text.filter(|t| !t.is_empty()) {
            let slot = if p.thought == Some(true) { &mut out.reasoning } else { &mut out.text };
            slot.get_or_insert_with(String::new).push_str(&t);
        }
    }
    out
}

pub fn parse(body: &[u8]) -> Result<ChatResponse, LlmError> {
    if body.len() > MAX_BODY {
        return Err(LlmError::malformed("the gemini response is larger than 64 MiB"));
    }
    let r: GenerateResponse = serde_json::from_slice(body).map_err(|e| {
        LlmError::malformed(format!("the gemini response is not a valid GenerateContentResponse: {e}"))
    })?;
    if r.candidates.is_empty()
        && r.prompt_feedback.is_none()
        && serde_json::from_slice::<Value>(body).is_ok_and(|v| v.get("error").is_some())
    {
        return Err(super::classify_error(500, &[], body));
    }
    let response_id = r.response_id.clone().unwrap_or_default();
    let mut choices = Vec::new();
    for (pos, c) in r.candidates.into_iter().enumerate() {
        let index = c.index.unwrap_or(pos as u32);
        let parts = c.content.map(|c| c.parts).unwrap_or_default();
        let o = read_parts(parts, &response_id, index, 0);
        let c = Candidate { content: None, ..c };
        let finish = c.finish_reason.as_deref().map(|f| finish_reason(f, !o.tool_calls.is_empty()).to_owned());
        choices.push(Choice {
            index,
            message: ResponseMessage {
                content: o.text,
                reasoning_content: o.reasoning,
                tool_calls: if o.tool_calls.is_empty() { None } else { Some(o.tool_calls) },
                ..ResponseMessage::default()
            },
            finish_reason: finish,
            logprobs: c.logprobs_result.as_ref().and_then(LogprobsResult::to_openai),
        });
    }
    if choices.is_empty() {
        // the prompt itself was blocked: an empty answer filtered for content, as LiteLLM reports it
        let blocked = r.prompt_feedback.as_ref().and_then(|f| f.block_reason.as_deref()).is_some();
        choices.push(Choice {
            index: 0,
            message: ResponseMessage::default(),
            finish_reason: Some(if blocked { "content_filter" } else { "stop" }.to_owned()),
            logprobs: None,
        });
    }
    Ok(ChatResponse {
        id: response_id,
        object: "chat.completion".into(),
        created: 0,
        model: r.model_version.unwrap_or_default(),
        choices,
        usage: r.usage_metadata.map(|u| u.to_openai()),
        system_fingerprint: None,
        service_tier: None,
    })
}
