//! Incremental Server-Sent Events framing (the WHATWG `text/event-stream` rules).
//!
//! Bytes go in at any boundary (a network chunk can end mid-line or mid-UTF-8 character); whole
//! events come out. Lines end in `\n`, `\r\n` or `\r`; `data:` lines of one event are joined with
//! `\n`; comments (`:`) and `id:`/`retry:` fields are consumed; a byte-order mark at the start of
//! the stream is dropped. An event (its `data:` lines, and a partial line) larger than the event
//! limit (`limits.eventBytes`) is a `LimitExceededError`, raised as soon as the bytes buffered pass
//! it, rather than unbounded buffering.

use crate::error::LlmError;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SseEvent {
    /// The `event:` field, if the event had one.
    pub event: Option<String>,
    pub data: String,
}

#[derive(Debug)]
pub struct SseDecoder {
    buf: Vec<u8>,
    /// Bytes of `buf` already scanned for a line end (so a long line is not rescanned per chunk).
    scanned: usize,
    event: Option<String>,
    data: String,
    has_data: bool,
    /// The previous chunk ended in `\r`; a `\n` at the start of the next one belongs to it.
    pending_cr: bool,
    /// The most bytes one event may buffer (`limits.eventBytes`).
    max_event: usize,
    /// A line has been read (the stream's first line may start with a BOM, which is dropped).
    past_first_line: bool,
}

impl Default for SseDecoder {
    fn default() -> Self {
        SseDecoder {
            buf: Vec::new(),
            scanned: 0,
            event: None,
            data: String::new(),
            has_data: false,
            pending_cr: false,
            max_event: crate::limits::DEFAULT.event_bytes,
            past_first_line: false,
        }
    }
}

impl SseDecoder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the event limit (`limits.eventBytes`).
    pub fn set_max_event(&mut self, bytes: usize) {
        self.max_event = bytes;
    }

    fn too_big(&self) -> LlmError {
        crate::limits::exceeded("eventBytes", "a stream event", self.max_event)
    }

    /// Feeds bytes; completed events are appended to `out`.
    pub fn feed(&mut self, mut bytes: &[u8], out: &mut Vec<SseEvent>) -> Result<(), LlmError> {
        // an empty chunk says nothing about the byte after the `\r`
        if self.pending_cr && !bytes.is_empty() {
            if let Some(rest) = bytes.strip_prefix(b"\n") {
                bytes = rest;
            }
            self.pending_cr = false;
        }
        // Fast path: no partial line buffered, so lines can be read straight from the input.
        let mut start = 0;
        if self.buf.is_empty() {
            while let Some(pos) = find_eol(&bytes[start..]) {
                let end = start + pos;
                self.line(&bytes[start..end], out)?;
                start = end + 1;
                if bytes[end] == b'\r' {
                    if start == bytes.len() {
                        self.pending_cr = true;
                    } else if bytes[start] == b'\n' {
                        start += 1;
                    }
                }
            }
            let rest = &bytes[start..];
            if rest.len() + self.data.len() > self.max_event {
                return Err(self.too_big());
            }
            self.buf.extend_from_slice(rest);
            self.scanned = self.buf.len();
            return Ok(());
        }
        self.buf.extend_from_slice(bytes);
        let mut from = self.scanned;
        let mut line_start = 0;
        while let Some(pos) = find_eol(&self.buf[from..]) {
            let end = from + pos;
            let line = std::mem::take(&mut self.buf);
            let r = self.line(&line[line_start..end], out);
            self.buf = line;
            r?;
            line_start = end + 1;
            if self.buf[end] == b'\r' {
                if line_start == self.buf.len() {
                    self.pending_cr = true;
                } else if self.buf[line_start] == b'\n' {
                    line_start += 1;
                }
            }
            from = line_start;
        }
        self.buf.drain(..line_start);
        self.scanned = self.buf.len();
        if self.buf.len() + self.data.len() > self.max_event {
            return Err(self.too_big());
        }
        Ok(())
    }

    /// The input ended: a final event without its blank line is still delivered.
    pub fn finish(&mut self, out: &mut Vec<SseEvent>) -> Result<(), LlmError> {
        if !self.buf.is_empty() {
            let line = std::mem::take(&mut self.buf);
            self.line(&line, out)?;
        }
        self.dispatch(out);
        Ok(())
    }

    /// The body ended: like [`finish`](Self::finish), and says whether it ended in the middle of
    /// an event (a last event that merely lacks its blank line counts: its decoder decides).
    pub fn finish_body(&mut self, out: &mut Vec<SseEvent>) -> Result<bool, LlmError> {
        let mid_event = self.has_pending();
        self.finish(out)?;
        Ok(mid_event)
    }

    /// Whether a partial line or an undispatched event is buffered.
    pub fn has_pending(&self) -> bool {
        !self.buf.is_empty() || self.has_data
    }

    fn line(&mut self, mut line: &[u8], out: &mut Vec<SseEvent>) -> Result<(), LlmError> {
        if !self.past_first_line {
            // the UTF-8 decode the standard starts with drops one leading U+FEFF
            self.past_first_line = true;
            line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
        }
        if line.is_empty() {
            self.dispatch(out);
            return Ok(());
        }
        if line[0] == b':' {
            return Ok(());
        }
        let (field, value) = match line.iter().position(|&b| b == b':') {
            Some(i) => {
                let v = &line[i + 1..];
                (&line[..i], v.strip_prefix(b" ").unwrap_or(v))
            }
            None => (line, &b""[..]),
        };
        match field {
            b"data" => {
                let v = std::str::from_utf8(value)
                    .map_err(|_| LlmError::malformed("stream data is not valid UTF-8"))?;
                if self.data.len() + v.len() + 1 > self.max_event {
                    return Err(self.too_big());
                }
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(v);
                self.has_data = true;
            }
            b"event" => {
                self.event = Some(String::from_utf8_lossy(value).into_owned());
            }
            _ => {} // id, retry and unknown fields carry nothing we use
        }
        Ok(())
    }

    fn dispatch(&mut self, out: &mut Vec<SseEvent>) {
        if self.has_data {
            let mut data = std::mem::take(&mut self.data);
            // every provider's event data is JSON: unpaired surrogate escapes become U+FFFD
            crate::util::repair_surrogates_in(&mut data);
            out.push(SseEvent { event: self.event.take(), data });
        }
        self.event = None;
        self.has_data = false;
    }
}

/// What a provider decoder does with the result of draining the events [`SseDecoder::finish_body`]
/// flushed: when the body stopped in the middle of an event and that last event does not decode,
/// the connection dropped mid-event. That is an `APIConnectionError` naming the provider (so it is
/// retryable), not a malformed answer. `cut` is `mid_event && !done` (after the provider's own end
/// marker nothing is cut off).
pub fn or_cut_off(drained: Result<(), LlmError>, cut: bool, provider: &str) -> Result<(), LlmError> {
    match drained {
        Err(_) if cut => Err(LlmError::new(
            crate::error::ErrorKind::APIConnectionError,
            format!("the {provider} stream was cut off in the middle of an event"),
        )),
        r => r,
    }
}

#[inline]
fn find_eol(b: &[u8]) -> Option<usize> {
    memchr::memchr2(b'\n', b'\r', b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_split(input: &[u8], split: usize) -> Vec<SseEvent> {
        let mut d = SseDecoder::new();
        let mut out = Vec::new();
        for chunk in input.chunks(split.max(1)) {
            d.feed(chunk, &mut out).expect("feed");
        }
        d.finish(&mut out).expect("finish");
        out
    }

    #[test]
    fn events_survive_every_split() {
        let input = "event: message_start\ndata: {\"a\":1}\n\n: ping comment\r\ndata: line1\r\ndata: line2\r\n\r\ndata:nospace\rdata: x\r\rdata: é🎉\n\ndata: [DONE]\n\n".as_bytes();
        let expect = vec![
            SseEvent { event: Some("message_start".into()), data: "{\"a\":1}".into() },
            SseEvent { event: None, data: "line1\nline2".into() },
            SseEvent { event: None, data: "nospace\nx".into() },
            SseEvent { event: None, data: "é🎉".into() },
            SseEvent { event: None, data: "[DONE]".into() },
        ];
        for split in 1..input.len() + 1 {
            assert_eq!(decode_split(input, split), expect, "split {split}");
        }
    }

    #[test]
    fn last_event_without_blank_line_is_delivered() {
        assert_eq!(decode_split(b"data: tail", 3), vec![SseEvent { event: None, data: "tail".into() }]);
    }

    /// An event that never ends (`data:` lines without the blank line), one endless line, and a
    /// lone huge line all stop at the limit, at any split, while reading; events up to it pass.
    #[test]
    fn events_are_bounded_while_reading() {
        let limit = 1000;
        let fed_until_error = |input: &[u8], split: usize| {
            let mut d = SseDecoder::new();
            d.set_max_event(limit);
            let mut out = Vec::new();
            let mut fed = 0;
            for chunk in input.chunks(split) {
                fed += chunk.len();
                if let Err(e) = d.feed(chunk, &mut out) {
                    return Some((fed, e));
                }
            }
            None
        };
        let endless_event = "data: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n".repeat(1000);
        let endless_line = format!("data: {}", "y".repeat(100_000));
        for input in [endless_event.as_bytes(), endless_line.as_bytes()] {
            for split in [1, 7, 64, 999, 4096, input.len()] {
                let (fed, e) = fed_until_error(input, split).expect("stopped");
                assert_eq!(e.kind, crate::error::ErrorKind::LimitExceededError);
                assert_eq!(e.param.as_deref(), Some("limits.eventBytes"));
                // the event's data counts (not the `data: ` prefixes): within a line's framing of the limit
                assert!(fed <= 2 * limit + split, "read {fed} bytes before stopping (split {split})");
            }
        }
        // many events under the limit, each with several lines: fine
        let ok = "data: aaaaaaaaaaaaaaaaaaaa\ndata: bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n\n".repeat(500);
        for split in [1, 13, 4096] {
            assert!(fed_until_error(ok.as_bytes(), split).is_none());
        }
    }

    #[test]
    fn a_leading_bom_is_dropped_at_any_split() {
        let input = b"\xEF\xBB\xBFdata: 1\n\n\xEF\xBB\xBFdata: 2\n\n";
        for split in 1..input.len() + 1 {
            // only the first: later, U+FEFF is part of the field name (an unknown field)
            assert_eq!(decode_split(input, split), vec![SseEvent { event: None, data: "1".into() }], "split {split}");
        }
        assert_eq!(decode_split(b"\xEF\xBB\xBF\r\ndata: x", 2), vec![SseEvent { event: None, data: "x".into() }]);
    }

    #[test]
    fn an_empty_chunk_between_cr_and_lf_keeps_them_one_line_end() {
        let mut d = SseDecoder::new();
        let mut out = Vec::new();
        for chunk in [&b"data: x\r"[..], b"", b"\ndata: y\n\n"] {
            d.feed(chunk, &mut out).expect("feed");
        }
        d.finish(&mut out).expect("finish");
        assert_eq!(out, vec![SseEvent { event: None, data: "x\ny".into() }]);
    }

    #[test]
    fn invalid_utf8_is_an_error() {
        let mut d = SseDecoder::new();
        assert!(d.feed(b"data: \xff\xfe\n\n", &mut Vec::new()).is_err());
    }
}
