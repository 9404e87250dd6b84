//! Anthropic Messages SSE events → `chat.completion.chunk`s.
//!
//! Event flow (<https://docs.anthropic.com/en/api/messages-streaming>): `message_start`, then per
//! content block `content_block_start` / `content_block_delta`* / `content_block_stop`, then
//! `message_delta` (stop reason, final usage) and `message_stop`; `ping` anywhere; `error` events
//! end the stream with a typed error.
//!
//! Tool calls get OpenAI indexes 0, 1, ... in the order their `tool_use` blocks start (not the
//! Anthropic block index, which counts text and thinking blocks too). The first delta of a tool
//! call carries `id`, `type` and `name`; `input_json_delta` fragments follow as `arguments`.
//! Thinking text streams as `reasoning_content`; the whole block (text + signature) is sent once
//! as `thinking_blocks` when it stops, so that it can be sent back verbatim on a later turn.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::json;

use super::response::{finish_reason, AnthropicUsage};
use super::{classify_error, JSON_TOOL};
use crate::error::LlmError;
use crate::stream::sse::{or_cut_off, SseDecoder, SseEvent};
use crate::stream::ChunkDecoder;
use crate::types::{ChatChunk, ChunkChoice, Delta, FunctionCallDelta, ToolCallDelta};

/// One stream event. Parsed through [`FlatEvent`] rather than as a `#[serde(tag = "type")]` enum:
/// serde buffers every internally tagged value into an owned tree before dispatching on the tag,
/// which cost several allocations per text delta (the bulk of every stream).
#[derive(Debug)]
enum Event {
    MessageStart {
        message: StartMessage,
    },
    ContentBlockStart {
        index: u64,
        content_block: StartBlock,
    },
    ContentBlockDelta {
        index: u64,
        delta: BlockDelta,
    },
    ContentBlockStop {
        index: u64,
    },
    MessageDelta {
        delta: MessageDeltaBody,
        usage: Option<AnthropicUsage>,
    },
    MessageStop,
    Ping,
    Error,
    Other,
}

#[derive(Debug, Deserialize)]
struct StartMessage {
    #[serde(default)]
    id: String,
    #[serde(default)]
    model: String,
    #[serde(default)]
    usage: Option<AnthropicUsage>,
}

/// A `content_block_start`'s block. Deserialized through [`FlatBlock`] (see [`Event`] for why: a
/// tagged enum is also ~17 KB of wasm).
#[derive(Debug, Deserialize)]
#[serde(try_from = "FlatBlock")]
enum StartBlock {
    Text { text: String },
    ToolUse { id: String, name: String },
    Thinking { thinking: String },
    RedactedThinking { data: String },
    Other,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum BlockKind {
    Text,
    ToolUse,
    Thinking,
    RedactedThinking,
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
struct FlatBlock {
    #[serde(rename = "type")]
    kind: BlockKind,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    thinking: Option<String>,
    #[serde(default)]
    data: Option<String>,
}

impl TryFrom<FlatBlock> for StartBlock {
    type Error = String;

    /// The block, with the same required fields the tagged form had.
    fn try_from(b: FlatBlock) -> Result<Self, String> {
        let need = |what: &str| format!("missing field `{what}`");
        Ok(match b.kind {
            BlockKind::Text => StartBlock::Text { text: b.text.unwrap_or_default() },
            BlockKind::ToolUse => StartBlock::ToolUse { id: b.id.ok_or_else(|| need("id"))?, name: b.name.ok_or_else(|| need("name"))? },
            BlockKind::Thinking => StartBlock::Thinking { thinking: b.thinking.unwrap_or_default() },
            BlockKind::RedactedThinking => StartBlock::RedactedThinking { data: b.data.ok_or_else(|| need("data"))? },
            BlockKind::Other => StartBlock::Other,
        })
    }
}

#[derive(Debug)]
enum BlockDelta {
    TextDelta { text: String },
    InputJsonDelta { partial_json: String },
    ThinkingDelta { thinking: String },
    SignatureDelta { signature: String },
    Other,
}

#[derive(Debug, Default)]
struct MessageDeltaBody {
    stop_reason: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum EventKind {
    MessageStart,
    ContentBlockStart,
    ContentBlockDelta,
    ContentBlockStop,
    MessageDelta,
    MessageStop,
    Ping,
    Error,
    #[serde(other)]
    Other,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum DeltaKind {
    TextDelta,
    InputJsonDelta,
    ThinkingDelta,
    SignatureDelta,
    #[serde(other)]
    Other,
}

/// Every event's fields in one plain struct (no buffering): the `type` tags are unit enums.
#[derive(Debug, Deserialize)]
struct FlatEvent {
    #[serde(rename = "type")]
    kind: EventKind,
    #[serde(default)]
    index: Option<u64>,
    #[serde(default)]
    message: Option<StartMessage>,
    #[serde(default)]
    content_block: Option<StartBlock>,
    #[serde(default)]
    delta: Option<FlatDelta>,
    #[serde(default)]
    usage: Option<AnthropicUsage>,
}

/// A `content_block_delta`'s `delta` (typed) or a `message_delta`'s (`stop_reason`).
#[derive(Debug, Deserialize)]
struct FlatDelta {
    #[serde(rename = "type", default)]
    kind: Option<DeltaKind>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    partial_json: Option<String>,
    #[serde(default)]
    thinking: Option<String>,
    #[serde(default)]
    signature: Option<String>,
    #[serde(default)]
    stop_reason: Option<String>,
}

impl FlatEvent {
    /// The event, with the same required fields the tagged form had.
    fn into_event(self) -> Result<Event, String> {
        let need = |what: &str| format!("missing field `{what}`");
        Ok(match self.kind {
            EventKind::MessageStart => Event::MessageStart { message: self.message.ok_or_else(|| need("message"))? },
            EventKind::ContentBlockStart => Event::ContentBlockStart {
                index: self.index.ok_or_else(|| need("index"))?,
                content_block: self.content_block.ok_or_else(|| need("content_block"))?,
            },
            EventKind::ContentBlockDelta => {
                let index = self.index.ok_or_else(|| need("index"))?;
                let d = self.delta.ok_or_else(|| need("delta"))?;
                let delta = match d.kind {
                    Some(DeltaKind::TextDelta) => BlockDelta::TextDelta { text: d.text.ok_or_else(|| need("text"))? },
                    Some(DeltaKind::InputJsonDelta) => {
                        BlockDelta::InputJsonDelta { partial_json: d.partial_json.ok_or_else(|| need("partial_json"))? }
                    }
                    Some(DeltaKind::ThinkingDelta) => BlockDelta::ThinkingDelta { thinking: d.thinking.ok_or_else(|| need("thinking"))? },
                    Some(DeltaKind::SignatureDelta) => {
                        BlockDelta::SignatureDelta { signature: d.signature.ok_or_else(|| need("signature"))? }
                    }
                    Some(DeltaKind::Other) => BlockDelta::Other,
                    None => return Err(need("type")),
                };
                Event::ContentBlockDelta { index, delta }
            }
            EventKind::ContentBlockStop => Event::ContentBlockStop { index: self.index.ok_or_else(|| need("index"))? },
            EventKind::MessageDelta => Event::MessageDelta {
                delta: MessageDeltaBody { stop_reason: self.delta.and_then(|d| d.stop_reason) },
                usage: self.usage,
            },
            EventKind::MessageStop => Event::MessageStop,
            EventKind::Ping => Event::Ping,
            EventKind::Error => Event::Error,
            EventKind::Other => Event::Other,
        })
    }
}

/// What an open content block is, by Anthropic block index.
enum Open {
    Text,
    Tool { index: u32 },
    JsonTool,
    Thinking { text: String, signature: String },
    Ignored,
}

/// The most content blocks one message may open (a bound on state kept for outside input).
const MAX_BLOCKS: usize = 10_000;

pub struct AnthropicStream {
    sse: SseDecoder,
    events: Vec<SseEvent>,
    json_mode: bool,
    id: String,
    model: String,
    usage: AnthropicUsage,
    blocks: HashMap<u64, Open>,
    next_tool: u32,
    saw_json_tool: bool,
    started: bool,
    done: bool,
}

impl AnthropicStream {
    pub fn new(json_mode: bool) -> Self {
        AnthropicStream {
            sse: SseDecoder::new(),
            events: Vec::new(),
            json_mode,
            id: String::new(),
            model: String::new(),
            usage: AnthropicUsage::default(),
            blocks: HashMap::new(),
            next_tool: 0,
            saw_json_tool: false,
            started: false,
            done: false,
        }
    }

    fn chunk(&self, delta: Delta, finish: Option<&str>) -> ChatChunk {
        ChatChunk {
            id: self.id.clone(),
            model: self.model.clone(),
            object: crate::types::chunk_object(),
            choices: vec![ChunkChoice { index: 0, delta, finish_reason: finish.map(str::to_owned), logprobs: None }],
            ..ChatChunk::default()
        }
    }

    fn drain(&mut self, out: &mut Vec<ChatChunk>) -> Result<(), LlmError> {
        let events = std::mem::take(&mut self.events);
        let mut r = Ok(());
        for ev in &events {
            r = self.event(ev, out);
            if r.is_err() {
                break;
            }
        }
        self.events = events;
        self.events.clear();
        r
    }

    fn event(&mut self, ev: &SseEvent, out: &mut Vec<ChatChunk>) -> Result<(), LlmError> {
        let data = ev.data.trim();
        if data.is_empty() {
            return Ok(());
        }
        if self.done {
            // the reply is complete; trailing bytes (a proxy's `[DONE]`, say) change nothing
            return Ok(());
        }
        // the bulk of a stream: a text delta of an open text block, read without the generic
        // event parse (anything else, or any other layout, takes that parse)
        if let Some((index, text)) = text_delta(data) {
            if let Some(Open::Text) = self.blocks.get(&index) {
                out.push(self.chunk(Delta { content: Some(text), ..Delta::default() }, None));
                return Ok(());
            }
        }
        let event = serde_json::from_str::<FlatEvent>(data)
            .map_err(|e| e.to_string())
            .and_then(FlatEvent::into_event)
            .map_err(|e| LlmError::malformed(format!("an anthropic stream event is not valid: {e}")))?;
        match event {
            Event::MessageStart { message } => {
                self.id = message.id;
                self.model = message.model;
                if let Some(u) = &message.usage {
                    self.usage.merge(u);
                }
                self.started = true;
                out.push(self.chunk(Delta { role: Some("assistant".into()), ..Delta::default() }, None));
            }
            Event::ContentBlockStart { index, content_block } => {
                if self.blocks.len() >= MAX_BLOCKS {
                    return Err(LlmError::malformed("anthropic opened too many content blocks"));
                }
                let open = match content_block {
                    StartBlock::Text { text } => {
                        if !text.is_empty() {
                            out.push(self.chunk(Delta { content: Some(text), ..Delta::default() }, None));
                        }
                        Open::Text
                    }
                    StartBlock::ToolUse { id, name } if self.json_mode && name == JSON_TOOL => {
                        self.saw_json_tool = true;
                        let _ = id;
                        Open::JsonTool
                    }
                    StartBlock::ToolUse { id, name } => {
                        let index = self.next_tool;
                        self.next_tool += 1;
                        let tc = ToolCallDelta {
                            index,
                            id: Some(id),
                            kind: Some("function".into()),
                            function: Some(FunctionCallDelta { name: Some(name), arguments: Some(String::new()) }),
                        };
                        out.push(self.chunk(Delta { tool_calls: Some(vec![tc]), ..Delta::default() }, None));
                        Open::Tool { index }
                    }
                    StartBlock::Thinking { thinking } => {
                        if !thinking.is_empty() {
                            out.push(self.chunk(Delta { reasoning_content: Some(thinking.clone()), ..Delta::default() }, None));
                        }
                        Open::Thinking { text: thinking, signature: String::new() }
                    }
                    StartBlock::RedactedThinking { data } => {
                        let block = json!({"type": "redacted_thinking", "data": data});
                        out.push(self.chunk(Delta { thinking_blocks: Some(vec![block]), ..Delta::default() }, None));
                        Open::Ignored
                    }
                    StartBlock::Other => Open::Ignored,
                };
                self.blocks.insert(index, open);
            }
            Event::ContentBlockDelta { index, delta } => {
                let Some(open) = self.blocks.get_mut(&index) else {
                    return Err(LlmError::malformed(format!("anthropic sent a delta for unknown content block {index}")));
                };
                let d = match (open, delta) {
                    (Open::Text, BlockDelta::TextDelta { text }) => Delta { content: Some(text), ..Delta::default() },
                    (Open::JsonTool, BlockDelta::InputJsonDelta { partial_json }) => {
                        if partial_json.is_empty() {
                            return Ok(());
                        }
                        Delta { content: Some(partial_json), ..Delta::default() }
                    }
                    (Open::Tool { index }, BlockDelta::InputJsonDelta { partial_json }) => {
                        if partial_json.is_empty() {
                            return Ok(());
                        }
                        let tc = ToolCallDelta {
                            index: *index,
                            id: None,
                            kind: None,
                            function: Some(FunctionCallDelta { name: None, arguments: Some(partial_json) }),
                        };
                        Delta { tool_calls: Some(vec![tc]), ..Delta::default() }
                    }
                    (Open::Thinking { text, .. }, BlockDelta::ThinkingDelta { thinking }) => {
                        text.push_str(&thinking);
                        Delta { reasoning_content: Some(thinking), ..Delta::default() }
                    }
                    (Open::Thinking { signature, .. }, BlockDelta::SignatureDelta { signature: s }) => {
                        signature.push_str(&s);
                        return Ok(());
                    }
                    // citations, server tool blocks, deltas of a kind the block does not take
                    _ => return Ok(()),
                };
                out.push(self.chunk(d, None));
            }
            Event::ContentBlockStop { index } => {
                if let Some(Open::Thinking { text, signature }) = self.blocks.remove(&index) {
                    let block = json!({"type": "thinking", "thinking": text, "signature": signature});
                    out.push(self.chunk(Delta { thinking_blocks: Some(vec![block]), ..Delta::default() }, None));
                }
            }
            Event::MessageDelta { delta, usage } => {
                if let Some(u) = &usage {
                    self.usage.merge(u);
                }
                if let Some(reason) = delta.stop_reason.as_deref() {
                    let mut f = finish_reason(reason);
                    if f == "tool_calls" && self.saw_json_tool && self.next_tool == 0 {
                        f = "stop";
                    }
                    out.push(self.chunk(Delta::default(), Some(f)));
                }
                if usage.is_some() {
                    out.push(ChatChunk {
                        id: self.id.clone(),
                        model: self.model.clone(),
                        object: crate::types::chunk_object(),
                        usage: Some(self.usage.to_openai()),
                        ..ChatChunk::default()
                    });
                }
            }
            Event::MessageStop => self.done = true,
            Event::Ping | Event::Other => {}
            Event::Error => return Err(classify_error(200, &[], data.as_bytes())),
        }
        Ok(())
    }
}

/// `(index, text)` of a `content_block_delta` event carrying a `text_delta`, laid out as the
/// Messages API sends it: `{"type":"content_block_delta","index":N,"delta":{"type":"text_delta",
/// "text":"..."}}`. `None` for any other event or layout (the generic parse then decides).
fn text_delta(data: &str) -> Option<(u64, String)> {
    let rest = data.strip_prefix(r#"{"type":"content_block_delta","index":"#)?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if !(1..=9).contains(&digits) {
        return None;
    }
    let index = rest.get(..digits)?.parse().ok()?;
    let literal = rest.get(digits..)?.strip_prefix(r#","delta":{"type":"text_delta","text":"#)?.strip_suffix("}}")?;
    // exactly one JSON string: trailing bytes (another key, say) fail the parse
    let text = serde_json::from_str::<String>(literal).ok()?;
    Some((index, text))
}

impl ChunkDecoder for AnthropicStream {
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
        or_cut_off(drained, mid_event && !self.done, "anthropic")?;
        if !self.started {
            return Err(LlmError::malformed("the anthropic stream ended without a `message_start` event"));
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


#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_deltas_are_read_only_in_the_api_layout() {
        let ev = |text: &str| format!(r#"{{"type":"content_block_delta","index":3,"delta":{{"type":"text_delta","text":{text}}}}}"#);
        assert_eq!(text_delta(&ev(r#""Hello""#)), Some((3, "Hello".to_owned())));
        assert_eq!(text_delta(&ev(r#""a \"q\" \\ \n \u00e9 }}""#)), Some((3, "a \"q\" \\ \n é }}".to_owned())));
        assert_eq!(text_delta(&ev(r#""""#)), Some((3, String::new())));
        // another key after the text, a non-string, an unterminated string, other layouts
        assert_eq!(text_delta(&ev(r#""a","x":1"#)), None);
        assert_eq!(text_delta(&ev("7")), None);
        assert_eq!(text_delta(&ev(r#""a"#)), None);
        assert_eq!(text_delta(r#"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{"}}"#), None);
        assert_eq!(text_delta(r#"{"type":"content_block_delta","index":,"delta":{"type":"text_delta","text":"a"}}"#), None);
        assert_eq!(text_delta(r#"{"type":"content_block_delta","index":99999999999,"delta":{"type":"text_delta","text":"a"}}"#), None);
        assert_eq!(text_delta(r#"{"index":0,"type":"content_block_delta","delta":{"type":"text_delta","text":"a"}}"#), None);
    }

    /// The same events, once as the API lays them out (the text-delta fast path) and once with
    /// their keys in another order (the generic parse): the same chunks.
    #[test]
    fn fast_and_generic_paths_give_the_same_chunks() {
        let texts = ["Hello", " wor\"ld\" \\ \n", "\u{e9}\u{1F600}", "", "}}", "end"];
        let mut events = vec![
            r#"{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"usage":{"input_tokens":12,"output_tokens":1}}}"#.to_owned(),
            r#"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#.to_owned(),
        ];
        for t in texts {
            events.push(format!(r#"{{"type":"content_block_delta","index":0,"delta":{{"type":"text_delta","text":{}}}}}"#, serde_json::to_string(t).unwrap()));
        }
        // a delta for a block that is not open stays an error on both paths
        events.push(r#"{"type":"content_block_stop","index":0}"#.to_owned());
        events.push(r#"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":7}}"#.to_owned());
        events.push(r#"{"type":"message_stop"}"#.to_owned());
        let run = |events: &[String]| {
            let body: String = events.iter().map(|e| format!("event: x\ndata: {e}\n\n")).collect();
            let mut s = AnthropicStream::new(false);
            let mut out = Vec::new();
            s.feed(body.as_bytes(), &mut out).unwrap();
            s.finish(&mut out).unwrap();
            serde_json::to_value(&out).unwrap()
        };
        let fast = run(&events);
        // serde_json's Value sorts keys: "delta" before "index" before "type"
        let generic: Vec<String> = events.iter().map(|e| serde_json::from_str::<serde_json::Value>(e).unwrap().to_string()).collect();
        assert!(generic.iter().all(|e| text_delta(e).is_none()));
        assert_eq!(fast, run(&generic));
        let contents: Vec<&str> = fast.as_array().unwrap().iter().filter_map(|c| c["choices"][0]["delta"]["content"].as_str()).collect();
        assert_eq!(contents, ["Hello", " wor\"ld\" \\ \n", "\u{e9}\u{1F600}", "", "}}", "end"]);
        for events in [&events, &generic] {
            let stray = [&events[..2], &[events[2].replace("\"index\":0", "\"index\":5")]].concat();
            let body: String = stray.iter().map(|e| format!("data: {e}\n\n")).collect();
            let mut s = AnthropicStream::new(false);
            assert!(s.feed(body.as_bytes(), &mut Vec::new()).is_err());
        }
    }
}
