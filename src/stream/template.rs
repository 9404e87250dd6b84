//! Passthrough chunks that differ only in their text.
//!
//! An OpenAI-format stream repeats the same envelope around every content delta:
//! `{"id":"…","object":"chat.completion.chunk","created":…,"model":"…",…,"choices":[{"index":0,
//! "delta":{"content":"Hello"},"logprobs":null,"finish_reason":null}]}`. The first such chunk
//! becomes a template (the raw text before and after the content's JSON string literal); a later
//! chunk whose raw text is that prefix + one JSON string literal + that suffix is sent to JS as the
//! literal alone, and JS rebuilds the chunk from the template, which is much cheaper than
//! `JSON.parse` of the whole chunk. Fields the crate does not model (`service_tier`,
//! `system_fingerprint`, a provider's own keys) are in the template bytes, so they survive; a chunk
//! that differs anywhere else (a per-chunk `obfuscation` string, a finish reason, usage) is not
//! matched and travels whole.

use crate::types::ChatChunk;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawTemplate {
    pub prefix: String,
    pub suffix: String,
}

impl RawTemplate {
    /// The template of a chunk that is nothing but a content delta of choice 0, carrying its raw
    /// text. `None` unless the raw JSON is flat apart from the `choices` → choice → `delta` path
    /// (so that JS can rebuild it with shallow copies) and has exactly one `"content"` string there.
    pub fn from_chunk(c: &ChatChunk) -> Option<RawTemplate> {
        let raw = c.raw.as_deref()?;
        if c.usage.is_some() {
            return None;
        }
        let [choice] = c.choices.as_slice() else { return None };
        let d = &choice.delta;
        if choice.index != 0 || choice.finish_reason.is_some() || choice.logprobs.is_some() || d.content.is_none() {
            return None;
        }
        if d.role.is_some() || d.tool_calls.is_some() || d.refusal.is_some() || d.reasoning_content.is_some() || d.thinking_blocks.is_some() {
            return None;
        }
        let (start, end) = content_literal(raw)?;
        Some(RawTemplate { prefix: raw[..start].to_owned(), suffix: raw[end..].to_owned() })
    }

    /// The content's JSON string literal when `raw` is this template around one string literal.
    pub fn literal<'a>(&self, raw: &'a str) -> Option<&'a str> {
        if raw.len() < self.prefix.len() + self.suffix.len() + 2 || !raw.starts_with(&self.prefix) || !raw.ends_with(&self.suffix) {
            return None;
        }
        let mid = raw.get(self.prefix.len()..raw.len() - self.suffix.len())?;
        is_one_string_literal(mid).then_some(mid)
    }
}

/// `s` is exactly one JSON string literal: quoted, with no unescaped quote inside.
fn is_one_string_literal(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 2 || b[0] != b'"' {
        return false;
    }
    let mut i = 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return i == b.len() - 1,
            _ => i += 1,
        }
    }
    false
}

/// Byte range of the string literal after `"content":` inside `delta`, if the JSON nests exactly
/// object → `choices` array → choice object → `delta` object and nothing else nests.
fn content_literal(raw: &str) -> Option<(usize, usize)> {
    let b = raw.as_bytes();
    let (mut depth, mut opened, mut i) = (0usize, 0usize, 0usize);
    let mut last_key: Option<(usize, usize)> = None;
    let mut found: Option<(usize, usize)> = None;
    let mut expect_value_of_content = false;
    while i < b.len() {
        match b[i] {
            b'"' => {
                let start = i;
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                let end = (i + 1).min(b.len());
                if expect_value_of_content {
                    if found.is_some() {
                        return None;
                    }
                    found = Some((start, end));
                    expect_value_of_content = false;
                } else {
                    last_key = Some((start, end));
                }
            }
            b':' => {
                expect_value_of_content = depth == 4 && last_key.is_some_and(|(s, e)| &raw[s..e] == "\"content\"");
                last_key = None;
            }
            b'{' | b'[' => {
                depth += 1;
                opened += 1;
                expect_value_of_content = false;
            }
            b'}' | b']' => depth = depth.checked_sub(1)?,
            b',' => {
                expect_value_of_content = false;
                last_key = None;
            }
            _ => {}
        }
        i += 1;
    }
    // top-level object, choices array, choice object, delta object: nothing else nests
    (opened == 4 && depth == 0).then_some(())?;
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(raw: &str) -> ChatChunk {
        let mut c: ChatChunk = serde_json::from_str(raw).expect("chunk");
        c.raw = Some(raw.to_owned());
        c
    }

    const A: &str = r#"{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","service_tier":"default","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{"content":"Hello"},"logprobs":null,"finish_reason":null}]}"#;

    #[test]
    fn matches_chunks_that_differ_only_in_text() {
        let t = RawTemplate::from_chunk(&chunk(A)).expect("template");
        assert!(t.prefix.ends_with(r#""delta":{"content":"#));
        assert_eq!(t.literal(A), Some(r#""Hello""#));
        let b = A.replace(r#""Hello""#, r#""say \"hi\" \\ ü 😀\n""#);
        assert_eq!(t.literal(&b), Some(r#""say \"hi\" \\ ü 😀\n""#));
        assert_eq!(t.literal(&A.replace(r#""Hello""#, r#""""#)), Some(r#""""#));
    }

    #[test]
    fn anything_else_travels_whole() {
        let t = RawTemplate::from_chunk(&chunk(A)).expect("template");
        // another key smuggled between prefix and suffix
        assert_eq!(t.literal(&A.replace(r#""Hello"}"#, r#""a","refusal":"b"}"#)), None);
        assert_eq!(t.literal(&A.replace(r#""Hello""#, r#"null"#)), None);
        assert_eq!(t.literal(&A.replace("chatcmpl-1", "chatcmpl-2")), None);
        assert_eq!(t.literal(&A.replace(r#""finish_reason":null"#, r#""finish_reason":"stop""#)), None);
        assert_eq!(t.literal(&A.replace(r#"}]}"#, r#"}],"obfuscation":"x1"}"#)), None);
        // chunks that cannot be templates
        let nested = A.replace(r#""service_tier":"default""#, r#""x_groq":{"id":"q"}"#);
        assert_eq!(RawTemplate::from_chunk(&chunk(&nested)), None);
        let role = A.replace(r#"{"content":"Hello"}"#, r#"{"role":"assistant","content":""}"#);
        assert_eq!(RawTemplate::from_chunk(&chunk(&role)), None);
        let stop = A.replace(r#""finish_reason":null"#, r#""finish_reason":"stop""#);
        assert_eq!(RawTemplate::from_chunk(&chunk(&stop)), None);
        let mut translated = chunk(A);
        translated.raw = None;
        assert_eq!(RawTemplate::from_chunk(&translated), None);
        // a "content" key elsewhere does not confuse it
        let odd = A.replace(r#""service_tier":"default""#, r#""content":"top""#);
        let t = RawTemplate::from_chunk(&chunk(&odd)).expect("template");
        assert_eq!(t.literal(&odd), Some(r#""Hello""#));
    }

    #[test]
    fn string_literal_check() {
        for ok in [r#""""#, r#""a""#, r#""a\"b""#, r#""\\""#] {
            assert!(is_one_string_literal(ok), "{ok}");
        }
        for bad in ["", "\"", "a", r#""a"b""#, r#""a","b""#, r#""\""#, r#""a\\"x""#] {
            assert!(!is_one_string_literal(bad), "{bad}");
        }
    }
}
