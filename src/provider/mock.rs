//! The built-in `mock/<anything>` provider: no key, no network, a deterministic reply.
//!
//! It answers in the OpenAI wire format (a JSON body, or SSE events word by word with a usage
//! chunk), and the answer goes through the same decoders as a real provider's, so the demo and
//! the tests exercise the real path. Given tools, it calls the first one with arguments built from
//! the tool's JSON Schema; given a tool result, it answers with it. `mockResponse` on any call
//! uses the same machinery with the caller's text.

use serde_json::{json, Value};

use super::openai::{parse_response, OpenAiStream};
use super::{Deployment, EnvNames, HttpRequest, HttpResponse, Provider};
use crate::error::LlmError;
use crate::stream::ChunkDecoder;
use crate::types::{ChatRequest, ChatResponse, Content, Role};

pub struct MockProvider;

impl Provider for MockProvider {
    fn id(&self) -> &'static str {
        "mock"
    }

    fn env_names(&self) -> EnvNames {
        EnvNames::default()
    }

    fn chat_request(&self, req: &ChatRequest, d: &Deployment) -> Result<HttpRequest, LlmError> {
        let mut body = req.clone();
        body.model.clone_from(&d.model);
        let body = serde_json::to_string(&body).map_err(|e| LlmError::bad_request(format!("request: {e}")))?;
        Ok(HttpRequest { method: "POST", url: "mock://unillm/v1/chat/completions".to_owned(), headers: Vec::new(), body })
    }

    fn chat_response(&self, resp: &HttpResponse<'_>, _req: &ChatRequest, _d: &Deployment) -> Result<ChatResponse, LlmError> {
        parse_response(resp.body)
    }

    fn chat_stream(&self, _req: &ChatRequest, _d: &Deployment) -> Box<dyn ChunkDecoder> {
        Box::new(OpenAiStream::default())
    }

    fn error(&self, resp: &HttpResponse<'_>, _d: &Deployment) -> LlmError {
        super::openai::classify_error(resp.status, resp.headers, resp.body).with_provider("mock")
    }
}

/// What the mock server "sends": a whole JSON body, or SSE events (each a complete `data:` frame).
#[derive(Debug, Clone, PartialEq)]
pub enum MockReply {
    Json(String),
    Events(Vec<String>),
}

/// The reply the mock gives to `req`. `text` overrides the generated text (`mockResponse`).
/// `prompt_tokens` is the prompt's count by the model's tokenizer; the reply is counted the same way.
pub fn reply(req: &ChatRequest, model: &str, text: Option<&str>, id: &str, created: u64, prompt_tokens: u64) -> MockReply {
    let plan = plan(req, text);
    let completion_tokens = crate::token_count::encoding_for(model).map_or(0, |(enc, _)| {
        enc.count(plan.text.as_deref().unwrap_or(""))
            + plan.tool.as_ref().map_or(0, |(name, args)| enc.count(name) + enc.count(args))
    }) as u64;
    let usage = json!({
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    });
    let finish = if plan.tool.is_some() { "tool_calls" } else { "stop" };
    let call_id = format!("call_{}", id.trim_start_matches("chatcmpl-").get(..24).unwrap_or("mock"));

    if !req.is_stream() {
        let mut message = json!({ "role": "assistant", "content": plan.text });
        if let Some((name, args)) = &plan.tool {
            message["tool_calls"] = json!([{ "id": call_id, "type": "function", "function": { "name": name, "arguments": args } }]);
        }
        let body = json!({
            "id": id, "object": "chat.completion", "created": created, "model": model,
            "choices": [{ "index": 0, "message": message, "finish_reason": finish }],
            "usage": usage,
        });
        return MockReply::Json(body.to_string());
    }

    let chunk = |delta: Value, finish: Option<&str>| -> String {
        let c = json!({
            "id": id, "object": "chat.completion.chunk", "created": created, "model": model,
            "choices": [{ "index": 0, "delta": delta, "finish_reason": finish }],
        });
        format!("data: {c}\n\n")
    };
    let mut events = vec![chunk(json!({ "role": "assistant", "content": "" }), None)];
    if let Some(text) = &plan.text {
        for word in split_words(text) {
            events.push(chunk(json!({ "content": word }), None));
        }
    }
    if let Some((name, args)) = &plan.tool {
        events.push(chunk(
            json!({ "tool_calls": [{ "index": 0, "id": call_id, "type": "function", "function": { "name": name, "arguments": "" } }] }),
            None,
        ));
        for piece in split_args(args) {
            events.push(chunk(json!({ "tool_calls": [{ "index": 0, "function": { "arguments": piece } }] }), None));
        }
    }
    events.push(chunk(json!({}), Some(finish)));
    let usage_chunk = json!({
        "id": id, "object": "chat.completion.chunk", "created": created, "model": model,
        "choices": [], "usage": usage,
    });
    events.push(format!("data: {usage_chunk}\n\n"));
    events.push("data: [DONE]\n\n".to_owned());
    MockReply::Events(events)
}

struct Plan {
    text: Option<String>,
    tool: Option<(String, String)>,
}

fn plan(req: &ChatRequest, text: Option<&str>) -> Plan {
    if let Some(t) = text {
        return Plan { text: Some(t.to_owned()), tool: None };
    }
    let last = req.messages.last();
    if let Some(m) = last.filter(|m| m.role == Role::Tool) {
        return Plan { text: Some(format!("The tool returned: {}", clip(&m.text(), 200))), tool: None };
    }
    let tool_choice_none = matches!(&req.tool_choice, Some(crate::types::ToolChoice::Mode(m)) if m == "none");
    if let (Some(tools), false) = (&req.tools, tool_choice_none) {
        let chosen = match &req.tool_choice {
            Some(crate::types::ToolChoice::Named(n)) => tools.iter().find(|t| t.function.name == n.function.name),
            _ => tools.first(),
        };
        if let Some(t) = chosen {
            let args = t.function.parameters.as_ref().map_or_else(|| json!({}), example_for_schema);
            return Plan { text: None, tool: Some((t.function.name.clone(), args.to_string())) };
        }
    }
    let said = req
        .messages
        .iter()
        .rev()
        .find(|m| m.role == Role::User)
        .and_then(|m| m.content.as_ref())
        .map(Content::text)
        .unwrap_or_default();
    let text = if said.trim().is_empty() {
        "Hello from the unillm mock provider! This reply streams word by word, needs no API key and never touches the network.".to_owned()
    } else {
        format!(
            "Hello from the unillm mock provider! This reply streams word by word, needs no API key and never touches the network. You said: \"{}\"",
            clip(said.trim(), 200)
        )
    };
    Plan { text: Some(text), tool: None }
}

fn clip(s: &str, max_chars: usize) -> String {
    match s.char_indices().nth(max_chars) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

/// Words with their leading space, the way model tokens usually come.
fn split_words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in text.chars() {
        if c == ' ' && !cur.is_empty() && !cur.ends_with(' ') {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn split_args(args: &str) -> Vec<String> {
    let chars: Vec<char> = args.chars().collect();
    chars.chunks(8).map(|c| c.iter().collect()).collect()
}

/// A value that satisfies a (simple) JSON Schema: required properties with typed examples.
fn example_for_schema(schema: &Value) -> Value {
    fn walk(s: &Value, depth: usize) -> Value {
        if depth > 8 {
            return Value::Null;
        }
        if let Some(e) = s.get("enum").and_then(|e| e.as_array()).and_then(|a| a.first()) {
            return e.clone();
        }
        if let Some(e) = s.get("example").or_else(|| s.get("default")) {
            return e.clone();
        }
        let ty = match s.get("type") {
            Some(Value::String(t)) => t.as_str(),
            Some(Value::Array(ts)) => ts.iter().filter_map(|t| t.as_str()).find(|t| *t != "null").unwrap_or("null"),
            _ if s.get("properties").is_some() => "object",
            _ => "string",
        };
        match ty {
            "object" => {
                let mut out = serde_json::Map::new();
                if let Some(props) = s.get("properties").and_then(|p| p.as_object()) {
                    let required: Vec<&str> = s
                        .get("required")
                        .and_then(|r| r.as_array())
                        .map(|r| r.iter().filter_map(|x| x.as_str()).collect())
                        .unwrap_or_else(|| props.keys().map(String::as_str).collect());
                    for (k, v) in props {
                        if required.contains(&k.as_str()) {
                            out.insert(k.clone(), walk(v, depth + 1));
                        }
                    }
                }
                Value::Object(out)
            }
            "array" => Value::Array(s.get("items").map(|i| vec![walk(i, depth + 1)]).unwrap_or_default()),
            "integer" => json!(42),
            "number" => json!(4.2),
            "boolean" => json!(true),
            "null" => Value::Null,
            _ => json!("example"),
        }
    }
    walk(schema, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(v: Value) -> ChatRequest {
        serde_json::from_value(v).expect("valid request")
    }

    #[test]
    fn streams_words_then_finish_usage_done() {
        let r = req(json!({"model": "mock/x", "stream": true, "messages": [{"role": "user", "content": "hi there"}]}));
        let MockReply::Events(ev) = reply(&r, "x", None, "chatcmpl-1", 1, 5) else { panic!("expected events") };
        assert!(ev.len() > 10);
        assert!(ev[1].contains("\"content\":\"Hello\""));
        assert!(ev.iter().any(|e| e.contains("\"finish_reason\":\"stop\"")));
        assert!(ev[ev.len() - 2].contains("\"usage\""));
        assert_eq!(ev[ev.len() - 1], "data: [DONE]\n\n");
        let text: String = ev
            .iter()
            .filter_map(|e| serde_json::from_str::<Value>(e.trim_start_matches("data: ").trim()).ok())
            .filter_map(|v| v.pointer("/choices/0/delta/content").and_then(|c| c.as_str()).map(str::to_owned))
            .collect();
        assert!(text.ends_with("You said: \"hi there\""), "{text}");
    }

    #[test]
    fn calls_the_first_tool_with_schema_examples() {
        let r = req(json!({"model": "mock/x", "messages": [{"role": "user", "content": "weather?"}],
            "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {
                "type": "object", "properties": {"city": {"type": "string"}, "unit": {"enum": ["c", "f"]}, "days": {"type": "integer"}},
                "required": ["city", "unit"]}}}]}));
        let MockReply::Json(body) = reply(&r, "x", None, "chatcmpl-1", 1, 5) else { panic!("expected json") };
        let v: Value = serde_json::from_str(&body).expect("json");
        assert_eq!(v["choices"][0]["finish_reason"], "tool_calls");
        let args: Value = serde_json::from_str(v["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"].as_str().expect("str")).expect("args json");
        assert_eq!(args, json!({"city": "example", "unit": "c"}));
    }

    #[test]
    fn mock_response_text_overrides() {
        let r = req(json!({"model": "gpt-4o", "messages": [{"role": "user", "content": "x"}]}));
        let MockReply::Json(body) = reply(&r, "gpt-4o", Some("canned"), "chatcmpl-1", 1, 5) else { panic!("json") };
        assert!(body.contains("\"content\":\"canned\""));
    }
}
