//! Fixture runner shared by the provider tests.
//!
//! A fixture is `tests/fixtures/<provider>/<case>.json`:
//! - `request`: the OpenAI-format request the caller makes; `options`: the call options;
//! - `http`: the exact request we must send (`method`, `url`, `headers`, JSON `body`);
//! - `response`: the provider's answer (`status`, `headers`, JSON `body` or raw `body_text`);
//!   a JSON body lives beside it in `<case>.body.json` and a stream body in `<case>.sse.txt`,
//!   byte for byte as the provider sends them;
//! - `expected`: the OpenAI-format result (the response, or the stream's assembled response),
//!   or `expected_error`: the fields of the typed error it must become;
//! - `expected_chunks` (streams, optional): the chunks, as JSON.
//!
//! `UNILLM_BLESS=1 cargo test` writes the actual `http` / `expected*` sections into fixtures that
//! lack them (never overwriting an existing one), for review before commit.

#![allow(dead_code, clippy::result_large_err)]

use std::path::PathBuf;

use serde_json::{json, Value};
use unillm::call::Transport;
use unillm::types::ChatChunk;
use unillm::{Call, CallOptions, LlmError};

pub fn dir(provider: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(provider)
}

pub fn cases(provider: &str) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir(provider))
        .expect("fixture dir")
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.strip_suffix(".json")).map(str::to_owned))
        .filter(|n| !n.ends_with(".body"))
        .collect();
    v.sort();
    v
}

pub fn load(provider: &str, case: &str) -> Value {
    let raw = std::fs::read_to_string(dir(provider).join(format!("{case}.json"))).expect("fixture");
    serde_json::from_str(&raw).unwrap_or_else(|e| panic!("{provider}/{case}.json: {e}"))
}

fn bless(provider: &str, case: &str, key: &str, value: Value) {
    let path = dir(provider).join(format!("{case}.json"));
    let mut fx: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("fixture")).expect("json");
    if fx.get(key).is_none() {
        fx[key] = value;
        std::fs::write(&path, serde_json::to_string_pretty(&fx).expect("ser") + "\n").expect("write");
    }
}

fn blessing() -> bool {
    std::env::var("UNILLM_BLESS").is_ok_and(|v| v == "1")
}

pub fn make_call(fx: &Value) -> Result<Call, LlmError> {
    let mut opts: CallOptions = serde_json::from_value(fx.get("options").cloned().unwrap_or(json!({}))).expect("options");
    if opts.now_ms == 0 {
        opts.now_ms = 1_700_000_000_000;
    }
    Call::new(fx["request"].to_string().as_bytes(), opts)
}

/// Credentials never appear in test output.
fn redact_headers(h: &Value) -> Value {
    let mut h = h.clone();
    if let Some(a) = h.as_array_mut() {
        for pair in a {
            let name = pair[0].as_str().unwrap_or("").to_ascii_lowercase();
            if matches!(name.as_str(), "x-api-key" | "api-key" | "x-goog-api-key" | "authorization") {
                pair[1] = json!("[redacted]");
            }
        }
    }
    h
}

pub fn check_request(provider: &str, case: &str, fx: &Value) {
    let call = make_call(fx).unwrap_or_else(|e| panic!("{case}: call: {e}"));
    let Transport::Http(h) = call.transport().unwrap_or_else(|e| panic!("{case}: transport: {e}")) else {
        panic!("{case}: expected an HTTP request");
    };
    let body: Value = serde_json::from_str(&h.body).expect("request body is JSON");
    let actual = json!({"method": h.method, "url": h.url, "headers": h.headers, "body": body});
    let Some(expected) = fx.get("http") else {
        assert!(blessing(), "{case}: fixture has no `http` section");
        bless(provider, case, "http", actual);
        return;
    };
    assert_eq!(actual["method"], expected["method"], "{case}: method");
    assert_eq!(actual["url"], expected["url"], "{case}: url");
    let sorted = |v: &Value| {
        let mut p: Vec<(String, String)> = serde_json::from_value(v.clone()).expect("header pairs");
        p.sort();
        p
    };
    let (a, e) = (sorted(&actual["headers"]), sorted(&expected["headers"]));
    assert!(a == e, "{case}: headers\n actual: {}\n expected: {}", redact_headers(&actual["headers"]), redact_headers(&expected["headers"]));
    assert_eq!(actual["body"], expected["body"], "{case}: body");
}

fn response_body(provider: &str, case: &str, fx: &Value) -> Vec<u8> {
    // the raw body, byte for byte, when the provider answered with JSON
    if let Ok(bytes) = std::fs::read(dir(provider).join(format!("{case}.body.json"))) {
        return bytes;
    }
    let r = &fx["response"];
    match r.get("body_text").and_then(Value::as_str) {
        Some(t) => t.as_bytes().to_vec(),
        None => r["body"].to_string().into_bytes(),
    }
}

fn response_headers(fx: &Value) -> Vec<(String, String)> {
    serde_json::from_value(fx["response"].get("headers").cloned().unwrap_or(json!([]))).expect("response headers")
}

pub fn error_view(e: &LlmError) -> Value {
    json!({
        "kind": e.kind.name(), "status": e.status, "retryable": e.retryable, "retryAfterMs": e.retry_after_ms,
        "code": e.code, "requestId": e.request_id, "provider": e.provider, "message": e.message,
    })
}

fn check_error(provider: &str, case: &str, fx: &Value, err: &LlmError) {
    let actual = error_view(err);
    let Some(expected) = fx.get("expected_error") else {
        assert!(blessing(), "{case}: fixture has no `expected_error` section; got {actual}");
        bless(provider, case, "expected_error", actual);
        return;
    };
    for (k, v) in expected.as_object().expect("expected_error object") {
        assert_eq!(&actual[k], v, "{case}: error field `{k}` (whole error: {actual})");
    }
}

pub fn check_response(provider: &str, case: &str, fx: &Value) {
    let call = make_call(fx).expect("call");
    let status = fx["response"]["status"].as_u64().unwrap_or(200) as u16;
    let body = response_body(provider, case, fx);
    if !(200..300).contains(&status) {
        let e = call.error(status, &response_headers(fx), &body);
        check_error(provider, case, fx, &e);
        return;
    }
    // what the caller receives: OpenAI-format providers pass the body through (cost added)
    match call.parse_json(status, &body) {
        Err(e) => check_error(provider, case, fx, &e),
        Ok(r) => {
            let actual: Value = serde_json::from_str(&r).expect("the response is JSON");
            let Some(expected) = fx.get("expected") else {
                assert!(blessing(), "{case}: fixture has no `expected` section");
                bless(provider, case, "expected", actual);
                return;
            };
            assert_eq!(&actual, expected, "{case}: translated response");
        }
    }
}

/// Feeds `body` through the call's pipeline in pieces cut at `cuts` (sorted byte offsets; a
/// repeated offset feeds an empty piece, as a network read may deliver).
pub fn run_stream(call: &Call, body: &[u8], cuts: &[usize]) -> Result<(Vec<ChatChunk>, Value), LlmError> {
    let mut p = call.pipeline();
    let mut out = Vec::new();
    let mut from = 0;
    for &c in cuts.iter().chain(std::iter::once(&body.len())) {
        if c >= from && c <= body.len() {
            p.feed(&body[from..c], &mut out)?;
            from = c;
        }
    }
    p.finish(&mut out)?;
    Ok((out, serde_json::to_value(p.response()).expect("ser")))
}

/// Deterministic split plans: every single cut for small bodies, plus pseudo-random multi-cuts.
pub fn split_plans(len: usize) -> Vec<Vec<usize>> {
    let mut plans = vec![vec![]];
    if len <= 4096 {
        plans.extend((1..len).map(|i| vec![i]));
    } else {
        plans.extend((0..300).map(|i| vec![(i * 7919 + 13) % len]));
    }
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    for _ in 0..64 {
        let mut cuts = Vec::new();
        let n = 2 + (x % 40) as usize;
        for _ in 0..n {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            cuts.push((x % len.max(1) as u64) as usize);
        }
        cuts.sort_unstable();
        cuts.dedup();
        plans.push(cuts);
    }
    plans.push((1..len).collect()); // one byte at a time
    plans
}

pub fn check_stream(provider: &str, case: &str, fx: &Value) {
    let body = std::fs::read(dir(provider).join(format!("{case}.sse.txt"))).expect("sse fixture");
    let call = make_call(fx).expect("call");
    let plans = split_plans(body.len());
    let first = run_stream(&call, &body, &plans[0]);
    for plan in &plans[1..] {
        let again = run_stream(&call, &body, plan);
        match (&first, &again) {
            (Ok(a), Ok(b)) => assert!(a == b, "{case}: split at {plan:?} changed the result"),
            (Err(a), Err(b)) => assert_eq!(a, b, "{case}: split at {plan:?} changed the error"),
            _ => panic!("{case}: split at {plan:?} changed success into failure or back"),
        }
    }
    match first {
        Err(e) => check_error(provider, case, fx, &e),
        Ok((chunks, assembled)) => {
            // the chunks as the caller sees them: the provider's own JSON when it was passed through
            let chunks = Value::Array(
                chunks
                    .iter()
                    .map(|c| {
                        let mut s = String::new();
                        c.write_json(&mut s).expect("ser");
                        serde_json::from_str(&s).expect("chunk JSON")
                    })
                    .collect(),
            );
            match fx.get("expected_chunks") {
                Some(expected) => assert_eq!(&chunks, expected, "{case}: chunks"),
                None => {
                    assert!(blessing(), "{case}: fixture has no `expected_chunks` section");
                    bless(provider, case, "expected_chunks", chunks);
                }
            }
            match fx.get("expected") {
                Some(expected) => assert_eq!(&assembled, expected, "{case}: assembled response"),
                None => {
                    assert!(blessing(), "{case}: fixture has no `expected` section");
                    bless(provider, case, "expected", assembled);
                }
            }
        }
    }
}

/// Runs one fixture: the outgoing request, then the answer (JSON, stream or error).
pub fn run_case(provider: &str, case: &str) {
    let fx = load(provider, case);
    if let Some(expected) = fx.get("expect_request_error") {
        let e = make_call(&fx).and_then(|c| c.transport().map(|_| ())).expect_err("request must fail");
        let actual = error_view(&e);
        for (k, v) in expected.as_object().expect("object") {
            assert_eq!(&actual[k], v, "{case}: request error field `{k}` ({actual})");
        }
        return;
    }
    let error_case = fx.get("expected_error").is_some() || fx["response"]["status"].as_u64().is_some_and(|s| s >= 300);
    if fx.get("http").is_some() || !error_case {
        check_request(provider, case, &fx);
    }
    if dir(provider).join(format!("{case}.sse.txt")).exists() {
        check_stream(provider, case, &fx);
    } else if fx.get("response").is_some() || dir(provider).join(format!("{case}.body.json")).exists() {
        check_response(provider, case, &fx);
    }
}

/// One `#[test]` per fixture, plus a guard that every fixture file has its test.
#[macro_export]
macro_rules! fixture_tests {
    ($provider:literal: $($case:ident),* $(,)?) => {
        $(
            #[test]
            fn $case() {
                common::run_case($provider, stringify!($case));
            }
        )*

        #[test]
        fn every_fixture_has_a_test() {
            let mut listed: Vec<String> = vec![$(stringify!($case).to_owned()),*];
            listed.sort();
            assert_eq!(listed, common::cases($provider), "tests and fixture files differ");
        }
    };
}
