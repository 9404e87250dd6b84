//! Builds the full `chat.completion` response from a sequence of chunks, tool calls included.

use std::collections::BTreeMap;

use crate::types::{ChatChunk, ChatResponse, Choice, FunctionCall, ResponseMessage, ToolCall, Usage};

#[derive(Debug, Default)]
struct ChoiceAcc {
    content: Option<String>,
    refusal: Option<String>,
    reasoning: Option<String>,
    thinking_blocks: Vec<serde_json::Value>,
    /// Tool calls by their stream `index`.
    tools: BTreeMap<u32, ToolCall>,
    finish_reason: Option<String>,
    logprobs: Vec<serde_json::Value>,
}

/// Accumulates chunks; [`Assembler::response`] may be called at any time.
#[derive(Debug, Default)]
pub struct Assembler {
    id: String,
    model: String,
    created: u64,
    system_fingerprint: Option<String>,
    choices: BTreeMap<u32, ChoiceAcc>,
    usage: Option<Usage>,
    /// Bytes accumulated (texts, tool calls, thinking blocks, logprobs), for `limits.streamBytes`.
    bytes: usize,
    /// Choices plus tool calls opened, for `limits.streamItems`.
    items: usize,
}

/// The bytes a JSON value holds, roughly (its serialized length), for the accumulation bound.
fn json_len(v: &serde_json::Value) -> usize {
    serde_json::to_string(v).map_or(0, |s| s.len())
}

fn append(slot: &mut Option<String>, s: &str) {
    match slot {
        Some(v) => v.push_str(s),
        None => *slot = Some(s.to_owned()),
    }
}

impl Assembler {
    pub fn push(&mut self, chunk: &ChatChunk) {
        if self.id.is_empty() && !chunk.id.is_empty() {
            self.id.clone_from(&chunk.id);
        }
        if self.model.is_empty() && !chunk.model.is_empty() {
            self.model.clone_from(&chunk.model);
        }
        if self.created == 0 {
            self.created = chunk.created;
        }
        if chunk.system_fingerprint.is_some() {
            self.system_fingerprint.clone_from(&chunk.system_fingerprint);
        }
        if let Some(u) = &chunk.usage {
            self.usage = Some(u.clone());
        }
        for c in &chunk.choices {
            if !self.choices.contains_key(&c.index) {
                self.items += 1;
            }
            let acc = self.choices.entry(c.index).or_default();
            let d = &c.delta;
            self.bytes += [&d.content, &d.refusal, &d.reasoning_content].iter().map(|s| s.as_ref().map_or(0, String::len)).sum::<usize>();
            if let Some(s) = &d.content {
                append(&mut acc.content, s);
            }
            if let Some(s) = &d.refusal {
                append(&mut acc.refusal, s);
            }
            if let Some(s) = &d.reasoning_content {
                append(&mut acc.reasoning, s);
            }
            if let Some(blocks) = &d.thinking_blocks {
                self.bytes += blocks.iter().map(json_len).sum::<usize>();
                acc.thinking_blocks.extend(blocks.iter().cloned());
            }
            if let Some(calls) = &d.tool_calls {
                for tc in calls {
                    if !acc.tools.contains_key(&tc.index) {
                        self.items += 1;
                    }
                    self.bytes += tc.id.as_ref().map_or(0, String::len)
                        + tc.function.as_ref().map_or(0, |f| f.name.as_ref().map_or(0, String::len) + f.arguments.as_ref().map_or(0, String::len));
                    let slot = acc.tools.entry(tc.index).or_insert_with(|| ToolCall {
                        id: String::new(),
                        kind: "function".to_owned(),
                        function: FunctionCall { name: String::new(), arguments: String::new() },
                    });
                    if let Some(id) = &tc.id {
                        if slot.id.is_empty() {
                            slot.id.clone_from(id);
                        }
                    }
                    if let Some(f) = &tc.function {
                        if let Some(n) = &f.name {
                            if slot.function.name.is_empty() {
                                slot.function.name.clone_from(n);
                            }
                        }
                        if let Some(a) = &f.arguments {
                            slot.function.arguments.push_str(a);
                        }
                    }
                }
            }
            if c.finish_reason.is_some() {
                acc.finish_reason.clone_from(&c.finish_reason);
            }
            if let Some(lp) = c.logprobs.as_ref().and_then(|l| l.get("content")).and_then(|c| c.as_array()) {
                self.bytes += lp.iter().map(json_len).sum::<usize>();
                acc.logprobs.extend(lp.iter().cloned());
            }
        }
    }

    /// Bytes accumulated so far (see `limits.streamBytes`).
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Choices plus tool calls opened so far (see `limits.streamItems`).
    pub fn items(&self) -> usize {
        self.items
    }

    pub fn usage(&self) -> Option<&Usage> {
        self.usage.as_ref()
    }

    pub fn set_usage(&mut self, usage: Usage) {
        self.usage = Some(usage);
    }

    /// Whether any choice has finished.
    pub fn finished(&self) -> bool {
        self.choices.values().any(|c| c.finish_reason.is_some())
    }

    /// The text generated so far in choice 0 (for usage estimates).
    pub fn output_text_len(&self) -> usize {
        self.choices
            .values()
            .map(|c| {
                c.content.as_ref().map_or(0, String::len)
                    + c.reasoning.as_ref().map_or(0, String::len)
                    + c.tools.values().map(|t| t.function.name.len() + t.function.arguments.len()).sum::<usize>()
            })
            .sum()
    }

    pub fn response(&self) -> ChatResponse {
        let choices = self
            .choices
            .iter()
            .map(|(&index, acc)| Choice {
                index,
                message: ResponseMessage {
                    content: acc.content.clone(),
                    tool_calls: if acc.tools.is_empty() { None } else { Some(acc.tools.values().cloned().collect()) },
                    refusal: acc.refusal.clone(),
                    reasoning_content: acc.reasoning.clone(),
                    thinking_blocks: if acc.thinking_blocks.is_empty() { None } else { Some(acc.thinking_blocks.clone()) },
                    ..ResponseMessage::default()
                },
                finish_reason: acc.finish_reason.clone(),
                logprobs: if acc.logprobs.is_empty() {
                    None
                } else {
                    Some(serde_json::json!({ "content": acc.logprobs }))
                },
            })
            .collect();
        ChatResponse {
            id: self.id.clone(),
            object: "chat.completion".to_owned(),
            created: self.created,
            model: self.model.clone(),
            choices,
            usage: self.usage.clone(),
            system_fingerprint: self.system_fingerprint.clone(),
            service_tier: None,
        }
    }
}
