//! Small pure helpers shared by the core: dates, ids, bounded JSON parsing.

/// Parses an IMF-fixdate (`Wed, 21 Oct 2015 07:28:00 GMT`) into Unix epoch milliseconds.
pub fn parse_http_date(s: &str) -> Option<u64> {
    let mut it = s.split_ascii_whitespace();
    let _weekday = it.next()?;
    let day: u64 = it.next()?.parse().ok()?;
    let month = match it.next()? {
        "Jan" => 1, "Feb" => 2, "Mar" => 3, "Apr" => 4, "May" => 5, "Jun" => 6,
        "Jul" => 7, "Aug" => 8, "Sep" => 9, "Oct" => 10, "Nov" => 11, "Dec" => 12,
        _ => return None,
    };
    let year: u64 = it.next()?.parse().ok()?;
    let mut hms = it.next()?.split(':');
    let h: u64 = hms.next()?.parse().ok()?;
    let m: u64 = hms.next()?.parse().ok()?;
    let sec: u64 = hms.next()?.parse().ok()?;
    if !(1970..=9999).contains(&year) || !(1..=31).contains(&day) || h > 23 || m > 59 || sec > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(((days * 24 + h) * 60 + m) * 60_000 + sec * 1000)
}

/// Parses an RFC 3339 timestamp (`2025-01-20T18:30:05Z`, `…05.25+01:00`) into Unix epoch
/// milliseconds, as Anthropic's `anthropic-ratelimit-*-reset` headers carry.
pub fn parse_rfc3339(s: &str) -> Option<u64> {
    let s = s.trim();
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u64> {
        let t = s.get(r)?;
        (!t.is_empty() && t.bytes().all(|c| c.is_ascii_digit())).then(|| t.parse().ok()).flatten()
    };
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, m, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1970..=9999).contains(&year) || !(1..=12).contains(&month) || !(1..=31).contains(&day) || h > 23 || m > 59 || sec > 60 {
        return None;
    }
    let mut at = 19;
    let mut millis = 0u64;
    if b.get(at) == Some(&b'.') {
        let digits = b[at + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        let frac = s.get(at + 1..at + 1 + digits.min(3))?;
        millis = frac.parse::<u64>().ok()? * 10u64.pow(3 - frac.len() as u32);
        at += 1 + digits;
    }
    let base = ((days_from_civil(year, month, day) * 24 + h) * 60 + m) * 60_000 + sec * 1000 + millis;
    match s.get(at..)? {
        "Z" | "z" => Some(base),
        off if off.len() == 6 && matches!(&off[..1], "+" | "-") && &off[3..4] == ":" => {
            let mins = num(at + 1..at + 3)? * 60 + num(at + 4..at + 6)?;
            // local time = UTC + offset
            if off.starts_with('+') { base.checked_sub(mins * 60_000) } else { Some(base + mins * 60_000) }
        }
        _ => None,
    }
}

/// Parses a Go-style duration as OpenAI's `x-ratelimit-reset-*` headers carry (`1s`, `6m0s`,
/// `20ms`, `1h2m3.5s`) into milliseconds.
pub fn parse_go_duration(s: &str) -> Option<u64> {
    let mut rest = s.trim();
    if rest.is_empty() {
        return None;
    }
    let mut total = 0f64;
    while !rest.is_empty() {
        let n = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let value: f64 = rest[..n].parse().ok()?;
        rest = &rest[n..];
        let (unit_ms, len) = [("ms", 1.0, 2), ("us", 1e-3, 2), ("µs", 1e-3, "µs".len()), ("ns", 1e-6, 2), ("h", 3_600_000.0, 1), ("m", 60_000.0, 1), ("s", 1000.0, 1)]
            .iter()
            .find(|(u, _, _)| rest.starts_with(u))
            .map(|&(_, ms, len)| (ms, len))?;
        total += value * unit_ms;
        rest = &rest[len..];
    }
    (total.is_finite() && total >= 0.0).then_some(total.ceil() as u64)
}

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: u64, m: u64, d: u64) -> u64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe).saturating_sub(719_468)
}

/// A short random-looking id from a seed, e.g. `chatcmpl-3f9a…`: ids are derived from the
/// caller's randomness so that the core stays deterministic under test.
pub fn make_id(prefix: &str, seed: u64) -> String {
    // splitmix64: two rounds give 128 bits of well-mixed output from one seed
    let mut x = seed;
    let mut next = || {
        x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    format!("{prefix}{:016x}{:08x}", next(), next() as u32)
}

/// The value of the four hex digits at `json[at..at + 4]`.
fn hex4(json: &[u8], at: usize) -> Option<u32> {
    let digits = std::str::from_utf8(json.get(at..at + 4)?).ok()?;
    u32::from_str_radix(digits, 16).ok()
}

/// Where `json` escapes an unpaired UTF-16 surrogate (`\ud83d` with no low half after it, or a
/// low half alone): the offsets of those `\u` escapes.
fn lone_surrogates(json: &[u8]) -> Vec<usize> {
    let mut found = Vec::new();
    let mut i = 0;
    while let Some(off) = json.get(i..).and_then(|rest| memchr::memchr(b'\\', rest)) {
        let at = i + off;
        if json.get(at + 1) != Some(&b'u') {
            i = at + 2; // `\\`, `\"`, `\n`, ...: the escaped character is skipped with it
            continue;
        }
        i = at + 6;
        match hex4(json, at + 2) {
            Some(0xD800..=0xDBFF) => {
                let low = json.get(at + 6..at + 8) == Some(b"\\u") && matches!(hex4(json, at + 8), Some(0xDC00..=0xDFFF));
                if low {
                    i = at + 12;
                } else {
                    found.push(at);
                }
            }
            Some(0xDC00..=0xDFFF) => found.push(at),
            _ => {}
        }
    }
    found
}

/// A byte string to look for, its searcher built on first use. `memchr::memmem::find` builds a
/// searcher on every call, which on a short SSE event cost more than the search (it was ~8% of
/// an Anthropic stream's time in wasm).
pub struct Needle {
    bytes: &'static [u8],
    finder: std::sync::OnceLock<memchr::memmem::Finder<'static>>,
}

impl Needle {
    pub const fn new(bytes: &'static [u8]) -> Needle {
        Needle { bytes, finder: std::sync::OnceLock::new() }
    }

    fn finder(&self) -> &memchr::memmem::Finder<'static> {
        self.finder.get_or_init(|| memchr::memmem::Finder::new(self.bytes))
    }

    /// Whether `hay` contains the needle.
    #[inline]
    pub fn is_in(&self, hay: &[u8]) -> bool {
        self.finder().find(hay).is_some()
    }

    /// Where the needle starts in `hay`, each time.
    pub fn find_iter<'h>(&'h self, hay: &'h [u8]) -> impl Iterator<Item = usize> + 'h {
        self.finder().find_iter(hay)
    }
}

/// `"error"`: whether a stream event may be an error object (checked properly after).
pub static ERROR_KEY: Needle = Needle::new(b"\"error\"");

/// Whether `json` has any `\ud…`/`\uD…` escape (a quick scan before the careful one).
fn has_surrogate_escape(json: &[u8]) -> bool {
    static ESCAPE: Needle = Needle::new(b"\\u");
    ESCAPE.find_iter(json).any(|i| matches!(json.get(i + 2), Some(b'd' | b'D')))
}

/// `json` with every escaped unpaired UTF-16 surrogate replaced by `\ufffd` (U+FFFD), copied only
/// when there is one. JavaScript writes such escapes (`JSON.stringify` of a string cut in the
/// middle of an emoji) and its `JSON.parse` takes them; serde_json rejects the whole document.
/// Providers send them too, when a token ends inside a surrogate pair. The replacement has the
/// same length and is ASCII, so offsets and UTF-8 validity are kept.
pub fn repaired(json: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    if !has_surrogate_escape(json) {
        return std::borrow::Cow::Borrowed(json);
    }
    let mut owned = json.to_vec();
    for at in lone_surrogates(json) {
        if let Some(hex) = owned.get_mut(at + 2..at + 6) {
            hex.copy_from_slice(b"fffd");
        }
    }
    std::borrow::Cow::Owned(owned)
}

/// [`repaired`], in place in a `String`.
pub fn repair_surrogates_in(json: &mut String) {
    if !has_surrogate_escape(json.as_bytes()) {
        return;
    }
    for at in lone_surrogates(json.as_bytes()) {
        // `at` is the ASCII backslash of a six-byte ASCII escape: always on char boundaries
        if json.is_char_boundary(at + 2) && json.is_char_boundary(at + 6) {
            json.replace_range(at + 2..at + 6, "fffd");
        }
    }
}

/// The byte offset in `json` that serde_json's `line`/`column` (both 1-based) point at.
fn error_offset(json: &[u8], line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match memchr::memchr(b'\n', json.get(start..).unwrap_or_default()) {
            Some(i) => start += i + 1,
            None => break,
        }
    }
    (start + column.saturating_sub(1)).min(json.len())
}

/// One level of the path while scanning: an object (with the last key read) or an array (with
/// the index of the current element).
enum Level {
    Object { key: Option<String>, awaiting_key: bool },
    Array { index: usize },
}

/// Where in `json` a serde_json error happened, as a path: `messages[0].content` (empty at the
/// top level). serde_json reports a line and column; the path is rebuilt by scanning the JSON up
/// to there, which names what serde_path_to_error would (tested against it) without wrapping
/// every deserializer, which cost ~26 KB of gzipped wasm. A `missing field` names the object
/// that lacks it.
pub fn error_path(json: &[u8], e: &serde_json::Error) -> String {
    let pos = if e.is_eof() { json.len() } else { error_offset(json, e.line(), e.column()) };
    let mut stack: Vec<Level> = Vec::new();
    let mut last_closed = false;
    let mut last = 0u8;
    let mut i = 0;
    while i < pos {
        let Some(&b) = json.get(i) else { break };
        i += 1;
        if !b.is_ascii_whitespace() {
            last_closed = false;
            last = b;
        }
        match b {
            b'{' => stack.push(Level::Object { key: None, awaiting_key: true }),
            b'[' => stack.push(Level::Array { index: 0 }),
            b'}' | b']' => {
                stack.pop();
                last_closed = b == b'}';
            }
            b',' => match stack.last_mut() {
                Some(Level::Object { awaiting_key, .. }) => *awaiting_key = true,
                Some(Level::Array { index }) => *index += 1,
                None => {}
            },
            b'"' => {
                let start = i;
                while let Some(&c) = json.get(i) {
                    i += 1;
                    match c {
                        b'\\' => i += 1,
                        b'"' => break,
                        _ => {}
                    }
                }
                if let Some(Level::Object { key, awaiting_key: awaiting @ true }) = stack.last_mut() {
                    let raw = json.get(start..i.saturating_sub(1)).unwrap_or_default();
                    *key = Some(serde_json::from_slice::<String>(&[b"\"", raw, b"\""].concat()).unwrap_or_else(|_| String::from_utf8_lossy(raw).into_owned()));
                    *awaiting = false;
                }
            }
            _ => {}
        }
    }
    // a missing field is reported at the end of its object: name the object, not its last key
    if e.to_string().starts_with("missing field") && !last_closed {
        if let Some(Level::Object { key, .. }) = stack.last_mut() {
            *key = None;
        }
    }
    // a syntax error between elements (a trailing comma, the end of the input) is in the list or
    // object itself, not in an element of it
    if e.is_syntax() || e.is_eof() {
        match stack.last_mut() {
            Some(Level::Array { .. }) => {
                stack.pop();
                stack.push(Level::Object { key: None, awaiting_key: false });
            }
            Some(Level::Object { key, .. }) if matches!(last, b',' | b'{') => *key = None,
            _ => {}
        }
    }
    let mut path = String::new();
    for level in &stack {
        match level {
            Level::Object { key: Some(k), .. } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
            }
            Level::Object { key: None, .. } => {}
            Level::Array { index } => {
                path.push('[');
                path.push_str(&index.to_string());
                path.push(']');
            }
        }
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lone_surrogate_escapes_become_replacement_characters() {
        let fix = |s: &str| String::from_utf8(repaired(s.as_bytes()).into_owned()).expect("utf8");
        // pairs are kept, whatever the case of the hex digits
        assert_eq!(fix(r#""\ud83d\ude00 \uD83D\uDE00""#), r#""\ud83d\ude00 \uD83D\uDE00""#);
        // a high half alone, at the end, before a non-surrogate escape; a low half alone
        assert_eq!(fix(r#"{"a":"x\ud83d","b":"\ud83d\u0041","c":"\ude00y"}"#), r#"{"a":"x\ufffd","b":"\ufffd\u0041","c":"\ufffdy"}"#);
        // two high halves, then a pair; a reversed pair (low then high)
        assert_eq!(fix(r#""\ud83d\ud83d\ude00""#), r#""\ufffd\ud83d\ude00""#);
        assert_eq!(fix(r#""\ude00\ud83d""#), r#""\ufffd\ufffd""#);
        // an escaped backslash followed by `ud83d` is text, not an escape
        assert_eq!(fix(r#""\\ud83d""#), r#""\\ud83d""#);
        assert_eq!(fix(r#""\\\ud83d""#), r#""\\\ufffd""#);
        // truncated or odd input never panics and is left for the JSON parser to reject
        for s in ["\\", "\\u", "\\ud8", "\\ud83d\\", "\\ud83d\\u", "\\ud83d\\udz00", "\\uDBFF\\uDC0"] {
            let _ = fix(s);
        }
        // serde_json takes the repaired text; JS would have read U+FFFD for the lone halves too
        let v: serde_json::Value = serde_json::from_slice(&repaired(br#"{"a":"x\ud83d"}"#)).expect("json");
        assert_eq!(v["a"], "x\u{fffd}");
        assert!(matches!(repaired(b"{\"plain\":\"\\n\\u00e9\"}"), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn http_dates() {
        assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT"), Some(1_445_412_480_000));
        assert_eq!(parse_http_date("Wed, 21 Foo 2015 07:28:00 GMT"), None);
        assert_eq!(parse_http_date(""), None);
        assert_eq!(parse_http_date("Wed, 99 Oct 2015 07:28:00 GMT"), None);
    }

    #[test]
    fn ids_are_deterministic_and_distinct() {
        assert_eq!(make_id("x-", 1), make_id("x-", 1));
        assert_ne!(make_id("x-", 1), make_id("x-", 2));
        assert_eq!(make_id("chatcmpl-", 7).len(), "chatcmpl-".len() + 24);
    }
}
