//! A reference `text/event-stream` parser, written from the WHATWG HTML standard
//! (§9.2.5 "Parsing an event stream", §9.2.6 "Interpreting an event stream") as plainly as
//! possible, for the `sse` fuzz target to check `unillm::stream::sse::SseDecoder` against.
//!
//! The standard decodes the whole stream as UTF-8 first (dropping one leading BOM, replacing
//! invalid bytes with U+FFFD). Line ends are ASCII, which no multi-byte sequence contains, so
//! decoding each field and value on its own gives the same text; doing so lets [`Parsed`] also
//! say whether a `data` value had invalid bytes (the crate rejects those instead of replacing).

/// What the reference made of a stream.
#[derive(Debug, Default)]
pub struct Parsed {
    /// The dispatched events: the event type buffer as it was (empty: the default, `message`)
    /// and the data buffer without its last LF.
    pub events: Vec<(String, String)>,
    /// A `data` field's value was not valid UTF-8.
    pub invalid_data: bool,
    /// The last `id` and `retry` the stream set (the standard's "last event ID" and
    /// "reconnection time"); nothing the crate reports, kept to follow the standard's steps.
    pub last_event_id: String,
    pub retry_ms: Option<u64>,
}

/// Parses `input`. `at_eof`: what happens when the stream ends. The standard discards an
/// unterminated last line and an event without its blank line (`false`); the crate delivers
/// both, by design (`true`: the last line is processed, then the event dispatched).
pub fn parse(input: &[u8], at_eof: bool) -> Parsed {
    let mut p = Parsed::default();
    let mut state = State::default();
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    // a line ends in CRLF, in an LF not after a CR, or in a CR not before an LF
    let (mut start, mut i) = (0, 0);
    while i < input.len() {
        match input[i] {
            b'\n' => {
                state.line(&input[start..i], &mut p);
                start = i + 1;
            }
            b'\r' => {
                state.line(&input[start..i], &mut p);
                if input.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if at_eof {
        if start < input.len() {
            state.line(&input[start..], &mut p);
        }
        state.dispatch(&mut p);
    }
    p
}

#[derive(Default)]
struct State {
    data: String,
    event: String,
}

impl State {
    fn line(&mut self, line: &[u8], p: &mut Parsed) {
        if line.is_empty() {
            return self.dispatch(p);
        }
        if line[0] == b':' {
            return; // a comment
        }
        // "collect the characters on the line before the first colon", the value after it, less
        // one leading space; a line without a colon is a field name with an empty value
        let (field, value) = match line.iter().position(|&b| b == b':') {
            Some(i) => (&line[..i], line[i + 1..].strip_prefix(b" ").unwrap_or(&line[i + 1..])),
            None => (line, &b""[..]),
        };
        let text = String::from_utf8_lossy(value);
        match &*String::from_utf8_lossy(field) {
            "event" => self.event = text.into_owned(),
            "data" => {
                p.invalid_data |= std::str::from_utf8(value).is_err();
                self.data.push_str(&text);
                self.data.push('\n');
            }
            "id" => {
                if !text.contains('\0') {
                    p.last_event_id = text.into_owned();
                }
            }
            "retry" => {
                if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
                    p.retry_ms = text.parse().ok();
                }
            }
            _ => {} // ignored
        }
    }

    fn dispatch(&mut self, p: &mut Parsed) {
        if self.data.is_empty() {
            self.event.clear();
            return;
        }
        let mut data = std::mem::take(&mut self.data);
        data.pop(); // the last LF
        p.events.push((std::mem::take(&mut self.event), data));
    }
}

#[test]
fn the_standards_examples() {
    let events = |s: &str| parse(s.as_bytes(), false).events;
    let ev = |t: &str, d: &str| (t.to_owned(), d.to_owned());
    // §9.2.6: "data: YHOO\ndata: +2\ndata: 10\n\n" is one event
    assert_eq!(events("data: YHOO\ndata: +2\ndata: 10\n\n"), [ev("", "YHOO\n+2\n10")]);
    // the comment, the id, and the "first event"/"second event"/" third event" example
    let p = parse(b": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n", false);
    assert_eq!(p.events, [ev("", "first event"), ev("", "second event")]);
    assert_eq!(p.last_event_id, "");
    // "data\n\ndata\ndata\n\ndata:" dispatches an empty event and a "\n"; the last is discarded
    assert_eq!(events("data\n\ndata\ndata\n\ndata:"), [ev("", ""), ev("", "\n")]);
    // "data:test" and "data: test" are the same; only one space goes
    assert_eq!(events("data:test\n\ndata: test\n\ndata:  test\n\n"), [ev("", "test"), ev("", "test"), ev("", " test")]);
    // every line end, a leading BOM (once), the event type, retry
    let p = parse(b"\xEF\xBB\xBFevent: a\rdata: 1\r\n\r\n\xEF\xBB\xBFdata: 2\n\nretry: 10\nretry: x\n", true);
    assert_eq!(p.events, [ev("a", "1")]);
    assert_eq!(p.retry_ms, Some(10));
    // an event without data is not dispatched, and its type does not carry over
    assert_eq!(events("event: a\n\ndata: b\n\n"), [ev("", "b")]);
    // at EOF the crate's way: the last line and the last event are delivered
    assert_eq!(parse(b"data: x\r\ndata: y", true).events, [ev("", "x\ny")]);
    assert!(parse(b"data: \xff\n\n", false).invalid_data);
    assert!(!parse(b": \xff\nevent: \xff\n\n", false).invalid_data);
}
