//! Fuzzing every decoder and parser, on the stable toolchain (proptest drives the mutations).
//!
//! [`TARGETS`] is the whole list: a name (its corpus is `tests/fuzz-corpus/<name>/`), whether
//! the input is also fed at split points, and a function that must neither panic nor take longer
//! than 2 s, whatever the bytes. A decoder added later joins with one line. The engine is in
//! `fuzz/harness.rs`; the reference SSE parser the `sse` target is checked against in
//! `fuzz/whatwg.rs`.
//!
//! - `cargo test --test fuzz`: the short run (the corpus, then 2 000 generated inputs a target
//!   or as many as 1.5 s allows), part of `cargo test` and so of `npm test`; the seed is fixed.
//! - `bash scripts/fuzz.sh [seconds]` (`UNILLM_FUZZ_SECONDS=<per target> cargo test --release
//!   --test fuzz -- --nocapture`, with overflow checks and debug assertions on): the long run,
//!   seeded by the clock, adding its figures to `benches/fuzz-ledger.json`.
//! - `UNILLM_FUZZ_TARGETS=sse,request` runs only those; `UNILLM_FUZZ_SEED`, `UNILLM_FUZZ_CASES`
//!   reproduce or widen a run; `UNILLM_FUZZ_RESEED=1` rewrites the `fixture-*` seeds from
//!   `tests/fixtures/`.
//!
//! A failing input is written to its target's corpus (`crash-<hash>`, cuts in `.cuts`) and fails
//! the test; committed, it is replayed by every run from then on.

mod common;
#[path = "fuzz/harness.rs"]
mod harness;
#[path = "fuzz/whatwg.rs"]
mod whatwg;

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;

use harness::{Settings, Target};
use serde_json::{json, Value};
use unillm::pricing::{self, Capability, CostOptions, ImageRequest, ModelInfo, ModelRegistry};
use unillm::stream::sse::{SseDecoder, SseEvent};
use unillm::tokenizer::{Encoding, SpecialPolicy};
use unillm::types::{ChatResponse, Message, Usage};
use unillm::{Call, CallOptions};

/// Every target. Streams are fed at split points; the rest get their input whole.
const TARGETS: &[Target] = &[
    Target::stream("sse", sse),
    Target::stream("sse_limited", sse_limited),
    Target::stream("openai_stream", |b, c| stream("openai", b, c)),
    Target::stream("azure_stream", |b, c| stream("azure", b, c)),
    Target::stream("anthropic_stream", |b, c| stream("anthropic", b, c)),
    Target::stream("gemini_stream", |b, c| stream("gemini", b, c)),
    Target::whole("openai_response", |b, _| response("openai", b)),
    Target::whole("azure_response", |b, _| response("azure", b)),
    Target::whole("anthropic_response", |b, _| response("anthropic", b)),
    Target::whole("gemini_response", |b, _| response("gemini", b)),
    Target::whole("openai_error", |b, _| error("openai", b)),
    Target::whole("azure_error", |b, _| error("azure", b)),
    Target::whole("anthropic_error", |b, _| error("anthropic", b)),
    Target::whole("gemini_error", |b, _| error("gemini", b)),
    Target::whole("request", |b, _| request(b)),
    Target::whole("mock", |b, _| mock(b)),
    Target::whole("tokenizer", |b, _| tokenizer(b)),
    Target::whole("pricing", |b, _| pricing_target(b)),
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn fuzz() {
    if std::env::var("UNILLM_FUZZ_RESEED").is_ok_and(|v| v == "1") {
        reseed();
    }
    let settings = Settings::from_env(root().join("tests/fuzz-corpus"));
    let only = std::env::var("UNILLM_FUZZ_TARGETS").ok().filter(|v| !v.is_empty());
    let picked: Vec<&Target> = TARGETS.iter().filter(|t| only.as_deref().is_none_or(|o| o.split(',').any(|n| n == t.name))).collect();
    assert!(!picked.is_empty(), "UNILLM_FUZZ_TARGETS names no target");
    println!("fuzz: seed {}, {}", settings.seed, settings.seconds.map_or(format!("{} inputs a target", settings.cases), |s| format!("{s} s a target")));
    let mut all = Vec::new();
    for t in picked {
        let st = harness::fuzz(t, &settings);
        println!(
            "fuzz: {:<20} {:>9} inputs {:>7.1} s {:>8.0}/s  corpus {:>3}  panics {} hangs {}",
            st.name, st.inputs, st.seconds, st.inputs as f64 / st.seconds.max(1e-9), st.corpus, st.panics, st.hangs
        );
        all.push(st);
    }
    if settings.seconds.is_some() {
        let release = std::env::current_exe().is_ok_and(|p| p.components().any(|c| c.as_os_str() == "release"));
        let build = match (release, cfg!(debug_assertions)) {
            (true, true) => "release, overflow checks",
            (true, false) => "release",
            _ => "debug",
        };
        harness::record(&root().join("benches/fuzz-ledger.json"), &all, build);
    }
    let failures: Vec<&String> = all.iter().flat_map(|s| &s.failures).collect();
    assert!(failures.is_empty(), "fuzzing failed (seed {}):\n{}", settings.seed, failures.iter().map(|f| f.as_str()).collect::<Vec<_>>().join("\n"));
}

/// The harness itself: a panic and a slow input are caught, reported, and written as seeds.
#[test]
fn the_harness_catches_panics_and_hangs() {
    let dir = std::env::temp_dir().join(format!("unillm-fuzz-selftest-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("boom")).expect("dir");
    std::fs::write(dir.join("boom/seed"), b"hello world").expect("seed");
    let settings = Settings {
        corpus: dir.clone(),
        cases: 5_000,
        short_cap: std::time::Duration::MAX,
        seconds: None,
        hang: std::time::Duration::from_millis(50),
        seed: 1,
        max_len: 4096,
    };
    // panics on any input holding a `{`, which a mutation soon inserts
    let boom = Target::stream("boom", |b, _| assert!(!b.contains(&b'{'), "found a brace"));
    let st = harness::fuzz(&boom, &settings);
    assert_eq!(st.panics, 1, "{st:?}");
    assert!(st.failures[0].contains("found a brace"), "{st:?}");
    let crash = std::fs::read_dir(dir.join("boom")).expect("dir").filter_map(|e| e.ok()).find(|e| e.file_name().to_string_lossy().starts_with("crash-"));
    let crash = std::fs::read(crash.expect("a crash file").path()).expect("crash");
    assert!(crash.contains(&b'{') && crash.len() <= 16, "shrunk: {:?}", String::from_utf8_lossy(&crash));
    // the crash file is a seed now: the next run fails on the corpus at once
    let again = harness::fuzz(&boom, &settings);
    assert!(again.panics == 1 && again.failures[0].contains("corpus file"), "{again:?}");
    std::fs::create_dir_all(dir.join("slow")).expect("dir");
    std::fs::write(dir.join("slow/seed"), b"x").expect("seed");
    std::fs::write(dir.join("slow/seed2"), b"slow").expect("seed");
    let slow = Target::whole("slow", |b, _| {
        if b == b"slow" {
            std::thread::sleep(std::time::Duration::from_millis(80));
        }
    });
    let st = harness::fuzz(&slow, &settings);
    assert_eq!((st.panics, st.hangs), (0, 1), "{st:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------------------------------------
// SSE, against the WHATWG reference

/// Feeds `input` to `d` cut at `cuts`, then finishes: the events, and the first error.
fn feed_sse(mut d: SseDecoder, input: &[u8], cuts: &[usize]) -> (Vec<SseEvent>, Result<(), unillm::LlmError>) {
    let mut events: Vec<SseEvent> = Vec::new();
    let mut from = 0;
    let mut result = Ok(());
    for &c in cuts.iter().chain(std::iter::once(&input.len())) {
        result = d.feed(&input[from..c], &mut events);
        from = c;
        if result.is_err() {
            break;
        }
    }
    if result.is_ok() {
        result = d.finish(&mut events);
    }
    (events, result)
}

fn sse(input: &[u8], cuts: &[usize]) {
    let (events, result) = feed_sse(SseDecoder::new(), input, cuts);
    // the crate delivers the last line and event at the end of the body; the standard discards
    // them (so the standard's events are the crate's, or all but the last)
    let reference = whatwg::parse(input, true);
    let strict = whatwg::parse(input, false).events.len();
    assert!(strict + 1 >= reference.events.len());
    let got: Vec<(String, String)> = events.into_iter().map(|e| (e.event.unwrap_or_default(), e.data)).collect();
    // event data is JSON to every provider: the decoder turns lone surrogate escapes into
    // U+FFFD (`util::repair_surrogates_in`), by design
    let want: Vec<(String, String)> = reference
        .events
        .into_iter()
        .map(|(t, mut d)| {
            unillm::util::repair_surrogates_in(&mut d);
            (t, d)
        })
        .collect();
    match result {
        Ok(()) => {
            assert!(!reference.invalid_data, "invalid UTF-8 in data was accepted");
            assert_eq!(got, want, "the decoder and the WHATWG reference differ (cuts {cuts:?})");
        }
        // the crate rejects invalid UTF-8 in `data` where the standard replaces it
        Err(e) => {
            assert!(reference.invalid_data, "rejected without invalid data: {e}");
            assert!(want.starts_with(&got), "events before the error differ (cuts {cuts:?})\n got {got:?}\nwant {want:?}");
        }
    }
}

/// With a small event limit: every event delivered is within it, and an input that holds a larger
/// one fails with the limit's error (or the invalid-UTF-8 one), at any split.
fn sse_limited(input: &[u8], cuts: &[usize]) {
    const LIMIT: usize = 64;
    let mut d = SseDecoder::new();
    d.set_max_event(LIMIT);
    let (events, result) = feed_sse(d, input, cuts);
    for e in &events {
        assert!(e.data.len() <= LIMIT, "an event of {} bytes passed a {LIMIT}-byte limit", e.data.len());
    }
    if let Err(e) = result {
        assert!(
            e.kind == unillm::ErrorKind::LimitExceededError || e.message.contains("UTF-8"),
            "unexpected error: {e}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Providers

/// The calls a provider's inputs are decoded for: a plain one, and one with tools, usage
/// reporting, a JSON schema (Anthropic decodes that differently) and an early clock.
fn calls(provider: &str, stream: bool) -> &'static [Call] {
    thread_local! {
        static CALLS: RefCell<HashMap<(String, bool), &'static [Call]>> = RefCell::new(HashMap::new());
    }
    CALLS.with(|c| {
        *c.borrow_mut().entry((provider.to_owned(), stream)).or_insert_with(|| {
            let model = match provider {
                "openai" => "openai/gpt-4o",
                "azure" => "azure/my-gpt4o",
                "anthropic" => "anthropic/claude-sonnet-4-5",
                "gemini" => "gemini/gemini-2.5-flash",
                _ => panic!("no calls for {provider}"),
            };
            let plain = json!({"model": model, "stream": stream, "messages": [{"role": "user", "content": "hi"}]});
            let rich = json!({"model": model, "stream": stream, "stream_options": {"include_usage": true},
                "messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "weather?"}],
                "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}],
                "response_format": {"type": "json_schema", "json_schema": {"name": "w", "schema": {"type": "object"}}}});
            let made: Vec<Call> = [(plain, 1_700_000_000_000), (rich, 1)]
                .into_iter()
                .map(|(req, now_ms)| {
                    let opts = CallOptions {
                        api_key: Some("test-key-0000".into()),
                        api_base: (provider == "azure").then(|| "https://r.openai.azure.com/".into()),
                        now_ms,
                        ..CallOptions::default()
                    };
                    Call::new(req.to_string().as_bytes(), opts).expect("call")
                })
                .collect();
            Box::leak(made.into_boxed_slice())
        })
    })
}

/// One of `calls`, picked by the input (so that a crash file reproduces).
fn pick<'a>(calls: &'a [Call], input: &[u8]) -> &'a Call {
    let h = input.iter().fold(0u32, |h, &b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    &calls[h as usize % calls.len()]
}

fn assert_json(text: &str, what: &str) {
    if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(text) {
        panic!("{what} is not JSON ({e}): {text:.300}");
    }
}

/// A stream body through the call's pipeline, whole and at the cuts: the same result either way,
/// and every chunk valid JSON.
fn stream(provider: &str, body: &[u8], cuts: &[usize]) {
    let call = pick(calls(provider, true), body);
    let whole = common::run_stream(call, body, &[]);
    let split = common::run_stream(call, body, cuts);
    if let Ok((chunks, _)) = &split {
        for c in chunks {
            let mut s = String::new();
            c.write_json(&mut s).expect("a chunk serializes");
            assert_json(&s, "a chunk");
        }
    }
    match (&whole, &split) {
        (Ok(a), Ok(b)) => assert!(a == b, "cut at {cuts:?}, the result changed"),
        (Err(a), Err(b)) => assert_eq!(a, b, "cut at {cuts:?}, the error changed"),
        _ => panic!("cut at {cuts:?}, success became failure or back:\n whole {whole:?}\n split {split:?}"),
    }
}

/// A 2xx body, parsed and as the caller receives it (passed through, for OpenAI's format).
fn response(provider: &str, body: &[u8]) {
    let call = pick(calls(provider, false), body);
    let _ = call.parse(200, body);
    if let Ok(j) = call.parse_json(200, body) {
        assert_json(&j, "parse_json's answer");
    }
    // what JS asks when it parsed a passed-through body itself: the cost of its usage
    let _ = call.usage_cost(&String::from_utf8_lossy(body), Some("priority"));
}

/// An error answer: the input is `<status>\n<name>: <value>\n...\n\n<body>`.
fn error(provider: &str, input: &[u8]) {
    let (head, body) = match input.windows(2).position(|w| w == b"\n\n") {
        Some(i) => (&input[..i], &input[i + 2..]),
        None => (input, &b""[..]),
    };
    let head = String::from_utf8_lossy(head);
    let mut lines = head.lines();
    let status = lines.next().and_then(|s| s.trim().parse::<u16>().ok()).unwrap_or(500);
    let headers: Vec<(String, String)> =
        lines.filter_map(|l| l.split_once(':')).map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned())).collect();
    let call = pick(calls(provider, false), input);
    let e = call.error(status, &headers, body);
    assert_json(&e.to_json(), "the error's JSON");
    assert_json(&e.to_json_plain(), "the error's plain JSON");
    let _ = e.to_openai_body();
    for attempt in [0, 3, 40] {
        let _ = unillm::call::retry_delay_ms(&e, attempt, 50, 0.5, 500, 60_000);
    }
}

// ---------------------------------------------------------------------------------------------
// Requests, the mock, the tokenizer, pricing

fn options() -> [CallOptions; 2] {
    [
        CallOptions { api_key: Some("test-key-0000".into()), now_ms: 1_700_000_000_000, ..CallOptions::default() },
        CallOptions {
            api_key: Some("test-key-0000".into()),
            api_base: Some("https://example.test/v1".into()),
            api_version: Some("2024-10-21".into()),
            seed: u64::MAX,
            ..CallOptions::default()
        },
    ]
}

/// An OpenAI-format request from the caller: parsed, translated to the provider's request (one
/// line of JSON and a JSON body on the wire) and its prompt counted.
fn request(input: &[u8]) {
    let _ = unillm::call::parse_request(input);
    for opts in options() {
        let Ok(call) = Call::new(input, opts) else { continue };
        if let Ok(wire) = call.wire() {
            let (head, body) = wire.split_once('\n').unwrap_or((&wire, ""));
            assert_json(head, "the wire's head line");
            if !body.is_empty() {
                assert_json(body, "the provider request's body");
            }
        }
        let _ = call.wire_split(64);
        let _ = call.prompt_tokens();
        let _ = call.pipeline();
    }
}

/// `mockResponse` is the caller's text: the mock's answer, whole and as a stream, decoded back.
fn mock(input: &[u8]) {
    let text = String::from_utf8_lossy(input).into_owned();
    for stream in [false, true] {
        let req = json!({"model": "gpt-4o", "stream": stream, "stream_options": {"include_usage": true}, "messages": [{"role": "user", "content": "hi"}]});
        let opts = CallOptions { mock_response: Some(text.clone()), ..CallOptions::default() };
        let call = Call::new(req.to_string().as_bytes(), opts).expect("call");
        match call.transport() {
            Ok(unillm::Transport::Mock(unillm::provider::mock::MockReply::Events(frames))) => {
                let mut p = call.pipeline();
                let mut out = Vec::new();
                let decoded = frames.iter().try_for_each(|f| p.feed(f.as_bytes(), &mut out)).and_then(|()| p.finish(&mut out));
                match decoded {
                    Ok(()) => {
                        let content: String = out.iter().filter_map(|c| c.choices.first()?.delta.content.clone()).collect();
                        assert_eq!(content, text, "the mock's stream says what it was given");
                    }
                    // a text repeating one word 100 times streams as 100 equal chunks in a row,
                    // which the pipeline's guard against stuck providers stops (as LiteLLM's)
                    Err(e) => assert!(e.message.contains("repeated the same chunk 100 times"), "the mock's own stream failed: {e}"),
                }
            }
            Ok(unillm::Transport::Mock(unillm::provider::mock::MockReply::Json(j))) => {
                let r = call.parse(200, j.as_bytes()).expect("the mock's own answer parses");
                assert_eq!(r.choices[0].message.content.as_deref(), Some(&*text));
            }
            other => panic!("the mock answered {other:?}"),
        }
        let _ = call.wire();
    }
}

/// Text as Rust gets it (bytes, invalid UTF-8 replaced), and as JS hands it over (UTF-16 with
/// lone surrogates, which TextEncoder turns into U+FFFD): encoded, counted and decoded back.
fn tokenizer(input: &[u8]) {
    let units: Vec<u16> = input.chunks(2).map(|c| u16::from_le_bytes([c[0], *c.get(1).unwrap_or(&0)])).collect();
    let texts = [String::from_utf8_lossy(input).into_owned(), String::from_utf16_lossy(&units)];
    for name in ["o200k_base", "cl100k_base"] {
        let enc = Encoding::get(name).expect("encoding");
        for text in &texts {
            let ids = enc.encode_ordinary(text);
            assert_eq!(enc.count(text), ids.len(), "count and encode differ");
            assert_eq!(enc.decode(&ids).expect("decode").as_str(), text.as_str(), "decode(encode(text)) is not text");
            let ends = enc.utf16_ends(text, &ids).expect("utf16 ends");
            assert_eq!(ends.last().copied().unwrap_or(0) as usize, text.encode_utf16().count());
            assert!(ends.windows(2).all(|w| w[0] <= w[1]), "token ends go backwards");
        }
        // special tokens: allowed, they are ids that decode back; disallowed, an error or the same
        let special = enc.encode_with_special_tokens(&texts[0]);
        assert_eq!(enc.decode(&special).expect("decode").as_str(), texts[0].as_str());
        if let Ok(ids) = enc.encode(&texts[0], &SpecialPolicy::default()) {
            assert_eq!(ids, enc.encode_ordinary(&texts[0]), "no special token, yet not the ordinary encoding");
        }
        // ids from the bytes: unknown ones are errors, known ones decode to something
        let ids: Vec<u32> = input.chunks(3).map(|c| c.iter().fold(0u32, |n, &b| n << 8 | u32::from(b)) % (enc.n_vocab() as u32 + 300)).collect();
        let _ = enc.decode(&ids);
        let _ = enc.utf16_ends(&texts[0], &ids);
    }
    // the same UTF-16 as JSON.stringify writes it, in a request: lone surrogates become U+FFFD
    // as TextEncoder makes them, and the prompt is counted
    let mut content = String::new();
    for &u in &units {
        match u {
            0x20..=0x7e if u != u16::from(b'"') && u != u16::from(b'\\') => content.push(char::from(u as u8)),
            _ => content.push_str(&format!("\\u{u:04x}")),
        }
    }
    let req = format!(r#"{{"model":"gpt-4o","messages":[{{"role":"user","content":"{content}"}}]}}"#);
    let parsed = unillm::call::parse_request(req.as_bytes()).expect("the request parses");
    assert_eq!(parsed.messages[0].text(), texts[1], "surrogate repair and TextEncoder differ");
    let _ = unillm::token_count::token_counter("gpt-4o", Some(&parsed.messages), None, None, None).expect("counted");
    let _ = unillm::token_count::token_counter("claude-sonnet-4-5", None, Some(&texts[0]), None, None).expect("counted");
}

/// A pricing question as JSON: `{model, provider, service_tier, now_ms, usage, register:
/// {key: info}, image: {...}, messages, tools, tool_choice, max_tokens}`. Built-in prices of any
/// usage give a finite, non-negative cost.
fn pricing_target(input: &[u8]) {
    let Ok(doc) = serde_json::from_slice::<Value>(&unillm::util::repaired(input)) else { return };
    let s = |k: &str| doc.get(k).and_then(Value::as_str);
    let model = s("model").unwrap_or("gpt-4o");
    let options = CostOptions { provider: s("provider"), service_tier: s("service_tier"), now_ms: doc.get("now_ms").and_then(Value::as_i64) };
    if let Ok(usage) = serde_json::from_value::<Usage>(doc.get("usage").cloned().unwrap_or(Value::Null)) {
        let builtin = ModelRegistry::new();
        for cost in [
            pricing::completion_cost(model, &usage),
            builtin.completion_cost_with(model, &usage, &options),
            pricing::cost_per_token(model, &usage).map(|c| c.total()),
        ] {
            if let Ok(c) = cost {
                assert!(c.is_finite() && c >= 0.0, "{model}: a built-in price of {usage:?} is {c}");
            }
        }
        let response = ChatResponse { model: model.to_owned(), usage: Some(usage.clone()), service_tier: s("service_tier").map(str::to_owned), ..ChatResponse::default() };
        let _ = builtin.response_cost(&response, s("requested"), options.provider);
        // the caller's own entries: anything goes, nothing panics
        let mut mine = ModelRegistry::new();
        if let Some(entries) = doc.get("register").and_then(Value::as_object) {
            for (key, v) in entries {
                if let Some(info) = ModelInfo::from_json(key, v) {
                    mine.register_model(key, info);
                }
            }
            let _ = mine.completion_cost_with(model, &usage, &options);
            let _ = mine.model_info(model);
            let _ = mine.max_tokens(model);
            let _ = Capability::ALL.iter().filter(|c| mine.supports(model, **c)).count();
        }
        // the usage as JS hands over a passed-through body's (`Call::usage_cost`)
        let call = &calls("openai", false)[0];
        let _ = call.usage_cost(&doc["usage"].to_string(), options.service_tier);
        let _ = call.cost(&usage, options.service_tier);
    }
    if let Some(img) = doc.get("image") {
        let g = |k: &str| img.get(k).and_then(Value::as_str);
        let req = ImageRequest { model: g("model").unwrap_or(model), provider: g("provider"), quality: g("quality"), n: img.get("n").and_then(Value::as_u64).unwrap_or(1), size: g("size") };
        if let Ok(c) = ModelRegistry::new().image_generation_cost(&req) {
            assert!(!c.is_nan() && c >= 0.0, "image cost {c}");
        }
    }
    if let Ok(messages) = serde_json::from_value::<Vec<Message>>(doc.get("messages").cloned().unwrap_or(Value::Null)) {
        let tools = doc.get("tools").and_then(Value::as_array).map(Vec::as_slice);
        let _ = unillm::token_count::token_counter(model, Some(&messages), None, tools, doc.get("tool_choice"));
        let _ = unillm::token_count::trim_messages(&ModelRegistry::new(), model, &messages, doc.get("max_tokens").and_then(Value::as_u64));
    }
    let _ = pricing::model_info(model);
    let _ = pricing::max_tokens(model);
    let _ = pricing::validate_environment(model, |n| n.len() % 2 == 0);
}

// ---------------------------------------------------------------------------------------------
// The corpus from the fixtures

/// Writes `fixture-*` seeds from `tests/fixtures/` (`UNILLM_FUZZ_RESEED=1`); other corpus files
/// (hand-written `seed-*`, `crash-*`) are kept.
fn reseed() {
    let corpus = root().join("tests/fuzz-corpus");
    let write = |target: &str, name: &str, data: &[u8]| {
        let dir = corpus.join(target);
        std::fs::create_dir_all(&dir).expect("corpus dir");
        std::fs::write(dir.join(format!("fixture-{name}")), data).expect("seed");
    };
    for provider in ["anthropic", "gemini", "azure"] {
        let dir = common::dir(provider);
        for case in common::cases(provider) {
            let fx = common::load(provider, &case);
            let name = format!("{provider}-{case}");
            if let Some(req) = fx.get("request") {
                write("request", &name, req.to_string().as_bytes());
            }
            let status = fx["response"]["status"].as_u64().unwrap_or(200);
            if let Ok(sse) = std::fs::read(dir.join(format!("{case}.sse.txt"))) {
                write(&format!("{provider}_stream"), &case, &sse);
                write("sse", &name, &sse);
                if provider == "azure" {
                    write("openai_stream", &name, &sse);
                }
            }
            let body = std::fs::read(dir.join(format!("{case}.body.json")))
                .ok()
                .or_else(|| fx["response"].get("body_text").and_then(Value::as_str).map(|t| t.as_bytes().to_vec()));
            let Some(body) = body else { continue };
            if status < 300 {
                write(&format!("{provider}_response"), &case, &body);
                if provider == "azure" {
                    write("openai_response", &name, &body);
                }
            } else {
                let mut msg = format!("{status}\n");
                for pair in fx["response"]["headers"].as_array().into_iter().flatten() {
                    msg.push_str(&format!("{}: {}\n", pair[0].as_str().unwrap_or(""), pair[1].as_str().unwrap_or("")));
                }
                let mut msg = msg.into_bytes();
                msg.push(b'\n');
                msg.extend_from_slice(&body);
                write(&format!("{provider}_error"), &case, &msg);
                if provider == "azure" {
                    write("openai_error", &name, &msg);
                }
            }
        }
    }
}
