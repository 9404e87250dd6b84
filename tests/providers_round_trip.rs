//! Multi-turn round trips: what a provider returned, sent back by an OpenAI-format client on the
//! next turn, must reach the provider the way it requires (signatures and thinking verbatim).

use serde_json::{json, Value};
use unillm::call::Transport;
use unillm::{Call, CallOptions};

fn fixture_body(provider: &str, case: &str) -> Vec<u8> {
    let p = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/{provider}/{case}.body.json"));
    std::fs::read(p).expect("fixture body")
}

fn sent_body(req: &Value, key: &str) -> Value {
    let opts = CallOptions { api_key: Some(key.into()), ..CallOptions::default() };
    let c = Call::new(req.to_string().as_bytes(), opts).expect("call");
    let Transport::Http(h) = c.transport().expect("transport") else { panic!("http") };
    serde_json::from_str(&h.body).expect("json body")
}

#[test]
fn gemini_thought_signature_survives_the_round_trip() {
    let first = json!({"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": "Weather and time in Paris?"}]});
    let c = Call::new(first.to_string().as_bytes(), CallOptions { api_key: Some("gm-test-key-0000".into()), ..CallOptions::default() })
        .expect("call");
    let r = c.parse(200, &fixture_body("gemini", "tools_parallel")).expect("parse");
    let msg = serde_json::to_value(&r.choices[0].message).expect("ser");
    let calls = msg["tool_calls"].as_array().expect("tool calls").clone();
    assert_eq!(calls.len(), 2);
    // the client echoes the assistant message and answers each call by id
    let mut messages = vec![first["messages"][0].clone(), msg.clone()];
    for (i, tc) in calls.iter().enumerate() {
        messages.push(json!({"role": "tool", "tool_call_id": tc["id"], "content": format!("result {i}")}));
    }
    let body = sent_body(&json!({"model": "gemini-2.5-flash", "messages": messages}), "gm-test-key-0000");
    let model_parts = &body["contents"][1]["parts"];
    assert_eq!(body["contents"][1]["role"], "model");
    assert_eq!(model_parts[0]["thoughtSignature"], "CiQBVKhc7sigFirst=");
    assert_eq!(model_parts[0]["functionCall"]["name"], "get_weather");
    assert!(model_parts[1].get("thoughtSignature").is_none());
    let responses = &body["contents"][2]["parts"];
    assert_eq!(responses[0]["functionResponse"], json!({"name": "get_weather", "response": {"content": "result 0"}}));
    assert_eq!(responses[1]["functionResponse"], json!({"name": "get_time", "response": {"content": "result 1"}}));
}

#[test]
fn anthropic_thinking_blocks_go_back_verbatim_before_tool_use() {
    let first = json!({"model": "claude-sonnet-4-5", "reasoning_effort": "medium", "messages": [{"role": "user", "content": "Is 91 prime?"}]});
    let c = Call::new(first.to_string().as_bytes(), CallOptions { api_key: Some("sk-ant-test-0000".into()), ..CallOptions::default() })
        .expect("call");
    let r = c.parse(200, &fixture_body("anthropic", "thinking")).expect("parse");
    let mut msg = serde_json::to_value(&r.choices[0].message).expect("ser");
    let blocks = msg["thinking_blocks"].clone();
    msg["tool_calls"] = json!([{"id": "toolu_9", "type": "function", "function": {"name": "factor", "arguments": "{\"n\":91}"}}]);
    let body = sent_body(
        &json!({"model": "claude-sonnet-4-5", "reasoning_effort": "medium", "messages": [
            first["messages"][0].clone(), msg,
            {"role": "tool", "tool_call_id": "toolu_9", "content": "7 x 13"}]}),
        "sk-ant-test-0000",
    );
    let content = body["messages"][1]["content"].as_array().expect("blocks");
    assert_eq!(&content[0], &blocks[0], "thinking block first and unchanged");
    assert_eq!(&content[1], &blocks[1], "redacted thinking unchanged");
    assert_eq!(content[2]["type"], "text");
    assert_eq!(content[3], json!({"type": "tool_use", "id": "toolu_9", "name": "factor", "input": {"n": 91}}));
    assert_eq!(body["messages"][2]["content"][0]["type"], "tool_result");
}

#[test]
fn streamed_anthropic_tool_calls_equal_the_json_answer_shape() {
    // The stream fixture's assembled tool calls parse as JSON and carry ids and names.
    let p = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/anthropic/stream_tools.json");
    let fx: Value = serde_json::from_str(&std::fs::read_to_string(p).expect("fixture")).expect("json");
    for tc in fx["expected"]["choices"][0]["message"]["tool_calls"].as_array().expect("calls") {
        let args: Value = serde_json::from_str(tc["function"]["arguments"].as_str().expect("str")).expect("arguments are JSON");
        assert!(args.is_object());
        assert!(tc["id"].as_str().is_some_and(|s| s.starts_with("toolu_")));
    }
}
