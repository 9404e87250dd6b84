//! Outside data never panics: mutated fixtures, wrong types, absurd sizes and numbers all
//! become typed errors (or valid answers), for every native provider.

mod common;

use std::panic::{catch_unwind, AssertUnwindSafe};

use serde_json::json;
use unillm::{Call, CallOptions, ErrorKind};

const PROVIDERS: [&str; 3] = ["anthropic", "gemini", "azure"];

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut b = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        if b.is_empty() {
            break;
        }
        let i = rng.below(b.len());
        match rng.below(6) {
            0 => b[i] = rng.next() as u8,
            1 => b.truncate(i),
            2 => {
                let j = (i + rng.below(64)).min(b.len());
                let dup = b[i..j].to_vec();
                b.splice(i..i, dup);
            }
            3 => b[i] = b"{}[]\":,0\n"[rng.below(9)],
            4 => {
                b.remove(i);
            }
            _ => b.splice(i..i, b"\xff\xfe\"nul".iter().copied()).for_each(drop),
        }
    }
    b
}

#[test]
fn mutated_fixtures_never_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut runs = 0;
    for provider in PROVIDERS {
        for case in common::cases(provider) {
            let fx = common::load(provider, &case);
            if fx.get("expect_request_error").is_some() {
                continue;
            }
            let Ok(call) = common::make_call(&fx) else { continue };
            let dir = common::dir(provider);
            for (file, stream) in [(format!("{case}.sse.txt"), true), (format!("{case}.body.json"), false)] {
                let Ok(original) = std::fs::read(dir.join(&file)) else { continue };
                for _ in 0..200 {
                    let bytes = mutate(&mut rng, &original);
                    let r = catch_unwind(AssertUnwindSafe(|| {
                        if stream {
                            let cuts = [rng.below(bytes.len().max(1))];
                            let _ = common::run_stream(&call, &bytes, &cuts);
                        } else {
                            let _ = call.parse(200, &bytes);
                            let _ = call.error(400, &[], &bytes);
                        }
                    }));
                    assert!(r.is_ok(), "{provider}/{file}: panicked on a mutation");
                    runs += 1;
                }
            }
        }
    }
    assert!(runs > 5000, "{runs}");
}

fn call(model: &str, stream: bool) -> Call {
    let req = json!({"model": model, "stream": stream, "messages": [{"role": "user", "content": "hi"}]});
    let opts = CallOptions {
        api_key: Some("test-key-0000".into()),
        api_base: Some("https://example.test".into()),
        ..CallOptions::default()
    };
    Call::new(req.to_string().as_bytes(), opts).expect("call")
}

#[test]
fn wrong_types_are_typed_errors() {
    for (model, body) in [
        ("anthropic/claude-x", r#"{"content": [{"type": "text", "text": 5}]}"#),
        ("anthropic/claude-x", r#"{"content": [{"type": "tool_use", "id": 1, "name": "f", "input": {}}]}"#),
        ("anthropic/claude-x", r#"{"usage": {"input_tokens": -3}}"#),
        ("anthropic/claude-x", r#"[1,2,3]"#),
        ("gemini/gemini-x", r#"{"candidates": [{"content": {"parts": [{"text": ["a"]}]}}]}"#),
        ("gemini/gemini-x", r#"{"candidates": {"0": 1}}"#),
        ("gemini/gemini-x", r#"{"usageMetadata": {"promptTokenCount": "many"}}"#),
        ("azure/dep", r#"{"id": 5, "choices": "x"}"#),
    ] {
        let e = call(model, false).parse(200, body.as_bytes()).expect_err(body);
        assert_eq!(e.kind, ErrorKind::InternalServerError, "{model}: {body}: {e}");
    }
}

#[test]
fn absurd_numbers_saturate() {
    let max = u64::MAX;
    let body = format!(
        r#"{{"id":"m","model":"c","content":[],"stop_reason":"end_turn","usage":{{"input_tokens":{max},"output_tokens":{max},"cache_creation_input_tokens":{max},"cache_read_input_tokens":{max}}}}}"#
    );
    let r = call("anthropic/claude-x", false).parse(200, body.as_bytes()).expect("parses");
    assert_eq!(r.usage.expect("usage").total_tokens, max);
    let body = format!(r#"{{"candidates":[],"usageMetadata":{{"promptTokenCount":{max},"candidatesTokenCount":{max},"thoughtsTokenCount":{max}}}}}"#);
    let r = call("gemini/gemini-x", false).parse(200, body.as_bytes()).expect("parses");
    assert_eq!(r.usage.expect("usage").completion_tokens, max);
    // a number too large for u64 is an error, not a wrap
    let body = r#"{"candidates":[],"usageMetadata":{"promptTokenCount":1e400}}"#;
    assert!(call("gemini/gemini-x", false).parse(200, body.as_bytes()).is_err());
}

#[test]
fn absurd_sizes_are_bounded() {
    // one stream line longer than the 32 MiB line limit
    let mut line = b"data: ".to_vec();
    line.resize(33 * 1024 * 1024, b'a');
    for model in ["anthropic/claude-x", "gemini/gemini-x", "azure/dep"] {
        let c = call(model, true);
        let mut p = c.pipeline();
        let mut out = Vec::new();
        let mut failed = false;
        for piece in line.chunks(1024 * 1024) {
            if p.feed(piece, &mut out).is_err() {
                failed = true;
                break;
            }
        }
        assert!(failed, "{model}: an endless line was accepted");
    }
    // a response body over the 64 MiB limit
    let big = vec![b' '; 64 * 1024 * 1024 + 1];
    for model in ["anthropic/claude-x", "gemini/gemini-x"] {
        assert!(call(model, false).parse(200, &big).is_err(), "{model}");
    }
    // deeply nested JSON hits serde's recursion limit instead of the stack
    let deep = "[".repeat(100_000);
    for model in ["anthropic/claude-x", "gemini/gemini-x", "azure/dep"] {
        assert!(call(model, false).parse(200, deep.as_bytes()).is_err(), "{model}");
        let _ = call(model, false).error(500, &[], deep.as_bytes());
    }
}

#[test]
fn empty_and_garbage_streams() {
    for model in ["anthropic/claude-x", "gemini/gemini-x", "azure/dep"] {
        let c = call(model, true);
        let e = common::run_stream(&c, b"", &[]).expect_err("empty stream");
        assert!(matches!(e.kind, ErrorKind::APIConnectionError | ErrorKind::InternalServerError), "{model}: {e}");
        assert!(common::run_stream(&c, b"data: \xff\xfe\n\n", &[]).is_err(), "{model}");
        assert!(common::run_stream(&c, b"data: {\"type\": 7}\n\n", &[]).is_err(), "{model}");
    }
    // an Anthropic delta for a block that never started
    let c = call("anthropic/claude-x", true);
    let body = b"event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"model\":\"c\"}}\n\nevent: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":9,\"delta\":{\"type\":\"text_delta\",\"text\":\"x\"}}\n\n";
    assert_eq!(common::run_stream(&c, body, &[]).expect_err("unknown block").kind, ErrorKind::InternalServerError);
}

#[test]
fn events_before_a_framing_error_are_delivered_in_the_same_piece() {
    // found by tests/fuzz.rs: the events framed before a bad line in the same piece were dropped,
    // so what the caller got before the error (and which error) depended on the network's split
    let openai = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},\"finish_reason\":null}]}\n\n";
    let anthropic = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"model\":\"c\"}}\n\nevent: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\nevent: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"hi\"}}\n\n";
    let gemini = "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"hi\"}]}}]}\n\n";
    for (model, events) in [("openai/gpt-x", openai), ("azure/dep", openai), ("anthropic/claude-x", anthropic), ("gemini/gemini-x", gemini)] {
        let mut body = events.as_bytes().to_vec();
        body.extend_from_slice(b"data: \xff\n\n");
        let c = call(model, true);
        let mut p = c.pipeline();
        let mut out = Vec::new();
        p.feed(&body, &mut out).expect("the chunks first");
        let text: String = out.iter().filter_map(|c| c.choices.first()?.delta.content.clone()).collect();
        assert_eq!(text, "hi", "{model}");
        assert!(p.finish(&mut out).is_err(), "{model}: then the error");
    }
}

#[test]
fn caller_supplied_thinking_blocks_of_any_shape_do_not_panic() {
    let req = json!({"model": "claude-x", "messages": [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "thinking_blocks": ["not an object", 5], "cache_control": {"type": "ephemeral"}},
        {"role": "user", "content": "again"}]});
    let opts = CallOptions { api_key: Some("sk-ant-test-0000".into()), ..CallOptions::default() };
    let c = Call::new(req.to_string().as_bytes(), opts).expect("call");
    let _ = c.transport();
}

#[test]
fn errors_never_echo_the_key() {
    let key = "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789";
    let body = format!(r#"{{"type":"error","error":{{"type":"authentication_error","message":"invalid x-api-key {key}"}}}}"#);
    let e = call("anthropic/claude-x", false).error(401, &[], body.as_bytes());
    assert!(!e.message.contains("abcdefghijklmnop") && !e.to_json().contains("abcdefghijklmnop"), "key leaked");
    let body = r#"{"error":{"code":400,"message":"API key not valid: AIzaSyA-abcdefghijklmnopqrstuvwxyz01234","status":"INVALID_ARGUMENT"}}"#;
    let e = call("gemini/gemini-x", false).error(400, &[], body.as_bytes());
    assert_eq!(e.kind, ErrorKind::AuthenticationError);
    assert!(!e.message.contains("abcdefghijklmnop"), "key leaked");
}
