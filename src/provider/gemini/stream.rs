//! Gemini `streamGenerateContent?alt=sse` → chunks.
//!
//! Each SSE event is a whole `GenerateContentResponse` holding the next piece of each candidate.
//! Function calls arrive whole, so each becomes one tool-call delta (id, name and all arguments)
//! with its own `index`. `usageMetadata` is cumulative; the last one seen is sent as the usage
//! chunk when the body ends. There is no `[DONE]`: a `finishReason` (or a blocked prompt) ends it.

use std::collections::BTreeMap;

use super::classify_error;
use super::response::{finish_reason, read_parts, GenerateResponse, LogprobsResult, UsageMetadata};
use crate::error::LlmError;
use crate::stream::sse::{or_cut_off, SseDecoder, SseEvent};
use crate::stream::ChunkDecoder;
use crate::types::{ChatChunk, ChunkChoice, Delta, FunctionCallDelta, ToolCallDelta};

/// The most candidates we keep state for.
const MAX_CANDIDATES: usize = 16;

#[derive(Default)]
struct CandState {
    started: bool,
    tools: u32,
}

#[derive(Default)]
pub struct GeminiStream {
    sse: SseDecoder,
    events: Vec<SseEvent>,
    id: String,
    model: String,
    candidates: BTreeMap<u32, CandState>,
    usage: Option<UsageMetadata>,
    done: bool,
}

impl GeminiStream {
    fn drain(&mut self, out: &mut Vec<ChatChunk>) -> Result<(), LlmError> {
        let events = std::mem::take(&mut self.events);
        let mut r = Ok(());
        for ev in &events {
            r = self.event(&ev.data, out);
            if r.is_err() {
                break;
            }
        }
        self.events = events;
        self.events.clear();
        r
    }

    fn event(&mut self, data: &str, out: &mut Vec<ChatChunk>) -> Result<(), LlmError> {
        let data = data.trim();
        if data.is_empty() {
            return Ok(());
        }
        if crate::util::ERROR_KEY.is_in(data.as_bytes()) {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(data) {
                if v.get("error").is_some() {
                    let status = v.pointer("/error/code").and_then(serde_json::Value::as_u64).unwrap_or(500);
                    return Err(classify_error(u16::try_from(status).unwrap_or(500), &[], data.as_bytes()));
                }
            }
        }
        let r: GenerateResponse = serde_json::from_str(data)
            .map_err(|e| LlmError::malformed(format!("a gemini stream event is not a valid GenerateContentResponse: {e}")))?;
        if let Some(id) = r.response_id.as_deref().filter(|s| !s.is_empty()) {
            if self.id.is_empty() {
                self.id = id.to_owned();
            }
        }
        if let Some(m) = r.model_version.as_deref() {
            if self.model.is_empty() {
                self.model = m.to_owned();
            }
        }
        if let Some(u) = r.usage_metadata {
            self.usage = Some(u);
        }
        let mut choices = Vec::new();
        for (pos, c) in r.candidates.into_iter().enumerate() {
            let index = c.index.unwrap_or(pos as u32);
            if !self.candidates.contains_key(&index) && self.candidates.len() >= MAX_CANDIDATES {
                return Err(LlmError::malformed("gemini streamed too many candidates"));
            }
            let st = self.candidates.entry(index).or_default();
            let logprobs = c.logprobs_result.as_ref().and_then(LogprobsResult::to_openai);
            let parts = c.content.map(|c| c.parts).unwrap_or_default();
            let o = read_parts(parts, &self.id, index, st.tools);
            let mut delta = Delta::default();
            if !st.started {
                st.started = true;
                delta.role = Some("assistant".into());
            }
            delta.content = o.text;
            delta.reasoning_content = o.reasoning;
            if !o.tool_calls.is_empty() {
                let calls = o
                    .tool_calls
                    .into_iter()
                    .map(|tc| {
                        let d = ToolCallDelta {
                            index: st.tools,
                            id: Some(tc.id),
                            kind: Some("function".into()),
                            function: Some(FunctionCallDelta { name: Some(tc.function.name), arguments: Some(tc.function.arguments) }),
                        };
                        st.tools = st.tools.saturating_add(1);
                        d
                    })
                    .collect();
                delta.tool_calls = Some(calls);
            }
            let finish = c.finish_reason.as_deref().map(|f| finish_reason(f, st.tools > 0).to_owned());
            if finish.is_some() {
                self.done = true;
            }
            if delta.is_empty() && finish.is_none() && logprobs.is_none() {
                continue;
            }
            choices.push(ChunkChoice { index, delta, finish_reason: finish, logprobs });
        }
        if choices.is_empty() && r.prompt_feedback.as_ref().and_then(|f| f.block_reason.as_deref()).is_some() {
            self.done = true;
            choices.push(ChunkChoice {
                index: 0,
                delta: Delta { role: Some("assistant".into()), ..Delta::default() },
                finish_reason: Some("content_filter".into()),
                logprobs: None,
            });
        }
        if !choices.is_empty() {
            out.push(ChatChunk {
                id: self.id.clone(),
                model: self.model.clone(),
                object: crate::types::chunk_object(),
                choices,
                ..ChatChunk::default()
            });
        }
        Ok(())
    }
}

impl ChunkDecoder for GeminiStream {
    fn feed(&mut self, bytes: &[u8], out: &mut Vec<ChatChunk>) -> Result<(), LlmError> {
        // the events framed before a framing error are decoded first, as they would be had the
        // body arrived split just before the bad line
        let framed = self.sse.feed(bytes, &mut self.events);
        self.drain(out)?;
        framed
    }

    fn finish(&mut self, out: &mut Vec<ChatChunk>) -> Result<(), LlmError> {
        let mid_event = self.sse.finish_body(&mut self.events)?;
        let drained = self.drain(out);
        or_cut_off(drained, mid_event && !self.done, "gemini")?;
        if let Some(u) = self.usage.take() {
            out.push(ChatChunk {
                id: self.id.clone(),
                model: self.model.clone(),
                object: crate::types::chunk_object(),
                usage: Some(u.to_openai()),
                ..ChatChunk::default()
            });
        }
        Ok(())
    }

    fn done(&self) -> bool {
        self.done
    }

    fn set_event_limit(&mut self, bytes: usize) {
        self.sse.set_max_event(bytes);
    }
}

