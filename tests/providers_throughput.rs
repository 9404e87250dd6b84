//! A rough throughput check (not a benchmark): 5,000 streamed deltas per provider through the
//! full pipeline. Run with `cargo test --release --test providers_throughput -- --nocapture`.

use std::time::Instant;

use serde_json::json;
use unillm::{Call, CallOptions};

fn call(model: &str) -> Call {
    let req = json!({"model": model, "stream": true, "messages": [{"role": "user", "content": "hi"}]});
    let opts = CallOptions { api_key: Some("test-key-0000".into()), api_base: Some("https://example.test".into()), ..CallOptions::default() };
    Call::new(req.to_string().as_bytes(), opts).expect("call")
}

fn anthropic_body(n: usize) -> String {
    let mut s = String::from("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude\",\"content\":[],\"usage\":{\"input_tokens\":10,\"output_tokens\":1}}}\n\nevent: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n");
    for i in 0..n {
        s.push_str(&format!("event: content_block_delta\ndata: {{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{{\"type\":\"text_delta\",\"text\":\"token{i} \"}}}}\n\n"));
    }
    s.push_str("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\nevent: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":5000}}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
    s
}

fn gemini_body(n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        let fin = if i + 1 == n { ",\"finishReason\":\"STOP\"" } else { "" };
        s.push_str(&format!("data: {{\"candidates\":[{{\"content\":{{\"parts\":[{{\"text\":\"token{i} \"}}],\"role\":\"model\"}}{fin},\"index\":0}}],\"usageMetadata\":{{\"promptTokenCount\":9,\"candidatesTokenCount\":{i},\"totalTokenCount\":{}}},\"modelVersion\":\"gemini-2.0-flash\",\"responseId\":\"r1\"}}\r\n\r\n", i + 9));
    }
    s
}

#[test]
fn five_thousand_deltas() {
    for (model, body) in [("anthropic/claude", anthropic_body(5000)), ("gemini/gemini-2.0-flash", gemini_body(5000))] {
        let c = call(model);
        let start = Instant::now();
        let mut p = c.pipeline();
        let mut out = Vec::new();
        for piece in body.as_bytes().chunks(16 * 1024) {
            p.feed(piece, &mut out).expect("feed");
        }
        p.finish(&mut out).expect("finish");
        let took = start.elapsed();
        let r = p.response();
        assert!(r.choices[0].message.content.as_deref().unwrap_or("").ends_with("token4999 "));
        println!("{model}: {} chunks, {} bytes in {:?} ({:.0} chunks/ms)", out.len(), body.len(), took, out.len() as f64 / took.as_secs_f64() / 1000.0);
    }
}
