//! Streaming: wire framing (SSE, ...), the per-provider chunk decoders' contract, and the
//! provider-independent pipeline every stream goes through.
//!
//! The pipeline is a sans-IO state machine: the driver [`StreamPipeline::feed`]s the bytes it
//! read, sends the returned OpenAI chunks on, and calls [`StreamPipeline::finish`] when the body
//! ends. It normalises ids, guards against a provider repeating itself forever, guarantees the
//! final usage chunk, and assembles the full response on the way.

pub mod assemble;
pub mod sse;
pub mod template;

use crate::error::{ErrorKind, LlmError};
use crate::types::{ChatChunk, ChatResponse, Usage};
pub use assemble::Assembler;

/// Turns one provider's stream bytes into OpenAI-format chunks.
pub trait ChunkDecoder {
    /// Decodes what `bytes` completes; chunks are appended to `out`.
    fn feed(&mut self, bytes: &[u8], out: &mut Vec<ChatChunk>) -> Result<(), LlmError>;
    /// The body ended. Flushes what is buffered; an error if the stream was cut short.
    fn finish(&mut self, out: &mut Vec<ChatChunk>) -> Result<(), LlmError>;
    /// Whether the provider signalled the normal end of the stream (e.g. `[DONE]`, `message_stop`).
    fn done(&self) -> bool;
    /// The template of the stream's passthrough content chunks, once learnt (OpenAI-format
    /// streams; see [`template`]): the wasm layer sends such chunks as their text alone.
    fn template(&self) -> Option<&template::RawTemplate> {
        None
    }
    /// Bounds one event of the decoder's framing (`limits.eventBytes`); the pipeline sets it.
    fn set_event_limit(&mut self, bytes: usize);
}

/// LiteLLM's default: a provider sending the same content chunk this many times in a row is stuck.
pub const REPEATED_CHUNK_LIMIT: usize = 100;

/// Prices a usage (USD), when the model is in the table.
pub type Pricer = Box<dyn Fn(&Usage) -> Option<f64>>;
/// Counts the prompt's tokens, called only if the provider reports no usage (tokenizing a long
/// prompt for every stream would cost milliseconds that are almost never needed).
pub type PromptCounter = Box<dyn Fn() -> Option<u64>>;

/// Settings the pipeline needs from the call.
#[derive(Default)]
pub struct PipelineConfig {
    /// Emit the final usage chunk (`stream_options.include_usage`).
    pub include_usage: bool,
    /// Chunk `id` when the provider sends none (Gemini, Ollama).
    pub fallback_id: String,
    /// Model name reported when the provider sends none.
    pub model: String,
    /// `created` (Unix seconds) when the provider sends none.
    pub created: u64,
    /// Characters of prompt, for a usage estimate when the provider reports none.
    pub prompt_chars: usize,
    /// Prompt tokens by the tokenizer, used with a count of the output when the provider reports no usage.
    pub prompt_tokens: Option<PromptCounter>,
    /// Sets `usage.cost` on the usage the stream ends with.
    pub pricer: Option<Pricer>,
    /// Bounds on one event and on what the stream accumulates.
    pub limits: crate::limits::Limits,
    /// The call's credential: removed from any error the stream raises (an upstream may echo it).
    pub secret: Option<String>,
}

pub struct StreamPipeline {
    decoder: Box<dyn ChunkDecoder>,
    cfg: PipelineConfig,
    assembler: Assembler,
    scratch: Vec<ChatChunk>,
    last_content: Option<String>,
    repeats: usize,
    usage_sent: bool,
    finished: bool,
    failed: bool,
    /// An error met after some chunks of the same input: those chunks are delivered first, and
    /// the error on the next call.
    pending_error: Option<LlmError>,
}

impl StreamPipeline {
    /// The decoder's passthrough template ([`ChunkDecoder::template`]).
    pub fn template(&self) -> Option<&template::RawTemplate> {
        self.decoder.template()
    }

    pub fn new(mut decoder: Box<dyn ChunkDecoder>, cfg: PipelineConfig) -> Self {
        decoder.set_event_limit(cfg.limits.event_bytes);
        StreamPipeline {
            decoder,
            cfg,
            assembler: Assembler::default(),
            scratch: Vec::new(),
            last_content: None,
            repeats: 0,
            usage_sent: false,
            finished: false,
            failed: false,
            pending_error: None,
        }
    }

    /// Feeds body bytes; the chunks to deliver are appended to `out`, in order.
    ///
    /// When the bytes hold chunks and then an error (an in-stream `error` event), the chunks come
    /// back now and the error from the next `feed` or `finish`: nothing decoded is lost.
    pub fn feed(&mut self, bytes: &[u8], out: &mut Vec<ChatChunk>) -> Result<(), LlmError> {
        if let Some(e) = self.pending_error.take() {
            self.failed = true;
            return Err(e);
        }
        if self.failed || self.finished {
            return Err(LlmError::bad_request("stream already ended"));
        }
        self.scratch.clear();
        let r = self.decoder.feed(bytes, &mut self.scratch);
        let mut scratch = std::mem::take(&mut self.scratch);
        let before = out.len();
        let r2 = self.post(&mut scratch, out);
        self.scratch = scratch;
        match r.and(r2).map_err(|e| e.without_secret(self.cfg.secret.as_deref())) {
            Err(e) if out.len() > before => {
                self.pending_error = Some(e);
                Ok(())
            }
            r => self.fail_on_err(r),
        }
    }

    /// The body ended: flushes, then appends the final usage chunk if one is owed.
    pub fn finish(&mut self, out: &mut Vec<ChatChunk>) -> Result<(), LlmError> {
        if let Some(e) = self.pending_error.take() {
            self.failed = true;
            return Err(e);
        }
        if self.failed || self.finished {
            return Ok(());
        }
        self.scratch.clear();
        let r = self.decoder.finish(&mut self.scratch);
        let mut scratch = std::mem::take(&mut self.scratch);
        let r2 = self.post(&mut scratch, out);
        self.scratch = scratch;
        self.fail_on_err(r.and(r2).map_err(|e| e.without_secret(self.cfg.secret.as_deref())))?;
        if !self.decoder.done() && !self.assembler.finished() {
            self.failed = true;
            return Err(LlmError::new(
                ErrorKind::APIConnectionError,
                "the stream ended before the provider finished its reply",
            ));
        }
        self.finished = true;
        if self.assembler.usage().is_none() {
            // the provider reported none: count with the tokenizer (prompt counted by the call)
            let mut usage = match self.cfg.prompt_tokens.as_ref().and_then(|count| count()) {
                Some(p) => {
                    let c = count_output(&self.cfg.model, &self.assembler.response());
                    Usage { prompt_tokens: p, completion_tokens: c, total_tokens: p + c, ..Usage::default() }
                }
                None => estimate_usage(self.cfg.prompt_chars, self.assembler.output_text_len()),
            };
            usage.cost = self.cfg.pricer.as_ref().and_then(|p| p(&usage));
            self.assembler.set_usage(usage);
        }
        if self.cfg.include_usage && !self.usage_sent {
            if let Some(u) = self.assembler.usage().cloned() {
                self.usage_sent = true;
                out.push(ChatChunk {
                    id: self.cfg.fallback_id.clone(),
                    object: crate::types::chunk_object(),
                    created: self.cfg.created,
                    model: self.cfg.model.clone(),
                    choices: Vec::new(),
                    usage: Some(u),
                    system_fingerprint: None,
                    raw: None,
                });
            }
        }
        Ok(())
    }

    /// The response assembled from everything seen so far.
    pub fn response(&self) -> ChatResponse {
        self.assembler.response()
    }

    fn fail_on_err(&mut self, r: Result<(), LlmError>) -> Result<(), LlmError> {
        if r.is_err() {
            self.failed = true;
        }
        r
    }

    fn post(&mut self, chunks: &mut Vec<ChatChunk>, out: &mut Vec<ChatChunk>) -> Result<(), LlmError> {
        for mut c in chunks.drain(..) {
            let mut changed = false;
            if c.id.is_empty() {
                c.id.clone_from(&self.cfg.fallback_id);
                changed = true;
            } else if self.cfg.fallback_id.is_empty() {
                self.cfg.fallback_id.clone_from(&c.id);
            }
            if c.model.is_empty() {
                c.model.clone_from(&self.cfg.model);
                changed = true;
            }
            if c.created == 0 {
                c.created = self.cfg.created;
                changed = true;
            } else {
                self.cfg.created = c.created;
            }
            self.check_repeat(&c)?;
            self.assembler.push(&c);
            self.check_size()?;
            if let (Some(u), Some(pricer)) = (c.usage.as_mut(), self.cfg.pricer.as_ref()) {
                if u.cost.is_none() {
                    u.cost = pricer(u);
                    changed = true;
                }
            }
            if c.usage.is_some() {
                if c.choices.is_empty() {
                    // a usage-only chunk: deliver it only if the caller asked for usage
                    if !self.cfg.include_usage || self.usage_sent {
                        continue;
                    }
                    self.usage_sent = true;
                } else if !self.cfg.include_usage {
                    c.usage = None;
                    changed = true;
                } else {
                    self.usage_sent = true;
                }
            }
            if changed {
                c.raw = None;
            }
            out.push(c);
        }
        Ok(())
    }

    /// What the stream accumulated stays within `limits.streamBytes` and `limits.streamItems`.
    fn check_size(&self) -> Result<(), LlmError> {
        let l = &self.cfg.limits;
        if self.assembler.bytes() > l.stream_bytes {
            return Err(crate::limits::exceeded("streamBytes", "what the stream accumulated", l.stream_bytes));
        }
        if self.assembler.items() > l.stream_items {
            return Err(crate::limits::exceeded("streamItems", "the choices and tool calls the stream opened", l.stream_items));
        }
        Ok(())
    }

    fn check_repeat(&mut self, c: &ChatChunk) -> Result<(), LlmError> {
        let content = c.choices.first().and_then(|ch| ch.delta.content.as_deref());
        match content {
            Some(s) if !s.is_empty() => {
                if self.last_content.as_deref() == Some(s) {
                    self.repeats += 1;
                    if self.repeats >= REPEATED_CHUNK_LIMIT {
                        return Err(LlmError::new(
                            ErrorKind::InternalServerError,
                            format!(
                                "the provider repeated the same chunk {REPEATED_CHUNK_LIMIT} times in a row; the stream was stopped"
                            ),
                        ));
                    }
                } else {
                    // reuse the buffer: one allocation per stream, not per chunk
                    let last = self.last_content.get_or_insert_with(String::new);
                    last.clear();
                    last.push_str(s);
                    self.repeats = 1;
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// Output tokens of a response by the model's tokenizer (text, reasoning and tool calls).
pub fn count_output(model: &str, r: &ChatResponse) -> u64 {
    let Ok((enc, _)) = crate::token_count::encoding_for(model) else { return 0 };
    r.choices
        .iter()
        .map(|c| {
            let m = &c.message;
            let text = enc.count(m.content.as_deref().unwrap_or("")) + enc.count(m.reasoning_content.as_deref().unwrap_or(""));
            let tools: usize = m.tool_calls.iter().flatten().map(|t| enc.count(&t.function.name) + enc.count(&t.function.arguments)).sum();
            (text + tools) as u64
        })
        .sum()
}

/// A rough usage from character counts (about four characters a token), for when neither the
/// provider nor a tokenizer can say more.
pub fn estimate_usage(prompt_chars: usize, completion_chars: usize) -> Usage {
    let p = prompt_chars.div_ceil(4) as u64;
    let c = completion_chars.div_ceil(4) as u64;
    Usage { prompt_tokens: p, completion_tokens: c, total_tokens: p + c, ..Usage::default() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::openai::OpenAiStream;

    fn pipeline(include_usage: bool) -> StreamPipeline {
        StreamPipeline::new(
            Box::new(OpenAiStream::default()),
            PipelineConfig { include_usage, model: "m".into(), created: 5, ..PipelineConfig::default() },
        )
    }

    const CHUNK: &str = r#"data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}]}"#;

    #[test]
    fn chunks_before_an_error_in_the_same_read_are_delivered_first() {
        let mut p = pipeline(false);
        let input = format!("{CHUNK}\n\n{CHUNK}\n\ndata: {{\"error\":{{\"message\":\"boom\",\"type\":\"server_error\"}}}}\n\n");
        let mut out = Vec::new();
        p.feed(input.as_bytes(), &mut out).expect("chunks first");
        assert_eq!(out.len(), 2);
        let e = p.finish(&mut out).expect_err("then the error");
        assert_eq!(e.kind, ErrorKind::InternalServerError);
        assert!(e.message.contains("boom"));
        assert!(p.feed(b"more", &mut out).is_err(), "a failed stream stays failed");
    }

    #[test]
    fn truncated_stream_is_an_error() {
        let mut p = pipeline(false);
        let mut out = Vec::new();
        p.feed(format!("{CHUNK}\n\n").as_bytes(), &mut out).expect("feed");
        let e = p.finish(&mut out).expect_err("truncation error");
        assert_eq!(e.kind, ErrorKind::APIConnectionError);
    }

    #[test]
    fn a_stream_cut_in_the_middle_of_an_event_is_a_connection_error() {
        let mut p = pipeline(false);
        let mut out = Vec::new();
        let half = &CHUNK[..CHUNK.len() / 2];
        p.feed(format!("{CHUNK}\n\n{half}").as_bytes(), &mut out).expect("feed");
        assert_eq!(out.len(), 1);
        let e = p.finish(&mut out).expect_err("cut off");
        assert_eq!(e.kind, ErrorKind::APIConnectionError);
        assert!(e.retryable && e.message.contains("cut off in the middle of an event"), "{}", e.message);
        // a whole last event without its blank line is fine
        let mut p = pipeline(false);
        let done = r#"data: {"id":"c1","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#;
        p.feed(format!("{CHUNK}\n\n{done}").as_bytes(), &mut out).expect("feed");
        p.finish(&mut out).expect("a last event without its blank line is complete");
    }

    #[test]
    fn repeated_chunks_are_stopped() {
        let mut p = pipeline(false);
        let mut out = Vec::new();
        let many = format!("{CHUNK}\n\n").repeat(REPEATED_CHUNK_LIMIT + 5);
        p.feed(many.as_bytes(), &mut out).expect("chunks before the limit are delivered");
        assert_eq!(out.len(), REPEATED_CHUNK_LIMIT - 1);
        assert!(p.finish(&mut out).expect_err("error").message.contains("repeated"));
    }

    /// An endless stream of distinct chunks (no repeat) stops at `limits.streamBytes`; one that
    /// opens ever more tool calls at `limits.streamItems`; both while reading.
    #[test]
    fn what_a_stream_accumulates_is_bounded() {
        let limited = |limits: crate::limits::Limits| {
            StreamPipeline::new(Box::new(OpenAiStream::default()), PipelineConfig { limits, model: "m".into(), ..PipelineConfig::default() })
        };
        let mut p = limited(crate::limits::Limits { stream_bytes: 10_000, ..crate::limits::DEFAULT });
        let mut out = Vec::new();
        let mut fed = 0;
        let e = (0..10_000)
            .find_map(|i| {
                let ev = format!("data: {{\"id\":\"c\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"word {i:08} \"}}}}]}}\n\n");
                fed += 1;
                p.feed(ev.as_bytes(), &mut out).err()
            })
            .or_else(|| p.finish(&mut out).err())
            .expect("stopped");
        assert_eq!(e.kind, ErrorKind::LimitExceededError);
        assert_eq!(e.param.as_deref(), Some("limits.streamBytes"));
        assert!(fed <= 10_000 / 14 + 2, "{fed} chunks before stopping");
        let mut p = limited(crate::limits::Limits { stream_items: 50, ..crate::limits::DEFAULT });
        let e = (0..10_000)
            .find_map(|i| {
                let ev = format!("data: {{\"id\":\"c\",\"choices\":[{{\"index\":0,\"delta\":{{\"tool_calls\":[{{\"index\":{i},\"id\":\"t{i}\",\"function\":{{\"name\":\"f\",\"arguments\":\"\"}}}}]}}}}]}}\n\n");
                p.feed(ev.as_bytes(), &mut out).err()
            })
            .or_else(|| p.finish(&mut out).err())
            .expect("stopped");
        assert_eq!(e.param.as_deref(), Some("limits.streamItems"), "{e}");
    }

    #[test]
    fn usage_is_estimated_when_the_provider_sends_none() {
        let mut p = pipeline(true);
        let mut out = Vec::new();
        let done = r#"data: {"id":"c1","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#;
        p.feed(format!("{CHUNK}\n\n{done}\n\ndata: [DONE]\n\n").as_bytes(), &mut out).expect("feed");
        p.finish(&mut out).expect("finish");
        let last = out.last().expect("usage chunk");
        assert!(last.choices.is_empty());
        assert!(last.usage.as_ref().map_or(0, |u| u.completion_tokens) > 0);
        assert_eq!(last.created, 1, "created follows the provider's");
    }
}
