//! OpenAI chat request → Gemini `GenerateContentRequest`.

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use super::schema::to_gemini;
use super::THOUGHT_SEPARATOR;
use crate::error::{ErrorKind, LlmError};
use crate::provider::openai::drop_unsupported;
use crate::provider::{parse_data_url, Deployment};
use crate::types::{ChatRequest, Content, ContentPart, Message, ResponseFormat, Role, ToolChoice};

/// Gemini 3 models take `thinkingLevel` instead of a budget, cannot turn thinking off, and
/// reject replayed function calls that carry no thought signature.
fn is_gemini_3(model: &str) -> bool {
    let m = model.strip_prefix("models/").unwrap_or(model);
    m.starts_with("gemini-3-") || m.starts_with("gemini-3.")
}

/// The sentinel Google documents for replayed function calls whose signature was lost (history
/// from another model, or a client that rebuilt the messages).
pub const SKIP_SIGNATURE: &str = "skip_thought_signature_validator";

/// `reasoning_effort` → `thinkingConfig`: LiteLLM's budgets for Gemini 2.5 (`none` turns
/// thinking off); `thinkingLevel` low / high for Gemini 3 (which always thinks).
fn thinking_config(effort: &str, model: &str) -> Result<Value, LlmError> {
    if is_gemini_3(model) {
        let level = match effort {
            "none" | "minimal" | "low" => "low",
            "medium" | "high" => "high",
            other => {
                return Err(LlmError::bad_request(format!(
                    "`reasoning_effort` must be one of none, minimal, low, medium, high; got `{other}`"
                ))
                .with_param("reasoning_effort"))
            }
        };
        return Ok(json!({"thinkingLevel": level, "includeThoughts": true}));
    }
    let budget = match effort {
        "none" => return Ok(json!({"thinkingBudget": 0})),
        "minimal" => 128,
        "low" => 1024,
        "medium" => 2048,
        "high" => 4096,
        other => {
            return Err(LlmError::bad_request(format!(
                "`reasoning_effort` must be one of none, minimal, low, medium, high; got `{other}`"
            ))
            .with_param("reasoning_effort"))
        }
    };
    Ok(json!({"thinkingBudget": budget, "includeThoughts": true}))
}

const UNSUPPORTED: [&str; 1] = ["logit_bias"];
/// Extras that map onto Gemini fields (snake_case OpenAI-style name or Gemini's own name).
const EXTRAS: [(&str, &str); 4] = [
    ("safety_settings", "safetySettings"),
    ("safetySettings", "safetySettings"),
    ("cached_content", "cachedContent"),
    ("cachedContent", "cachedContent"),
];

pub fn build(req: &ChatRequest, d: &Deployment) -> Result<Value, LlmError> {
    let mut req = req.clone();
    drop_unsupported(&mut req, &UNSUPPORTED, d.drop_params)?;
    let mut body = Map::new();

    let (system, mut contents) = contents(&req.messages)?;
    if is_gemini_3(&d.model) {
        add_missing_signatures(&mut contents);
    }
    body.insert("contents".into(), Value::Array(contents));
    if !system.is_empty() {
        body.insert("systemInstruction".into(), json!({"parts": system}));
    }

    let mut gc = Map::new();
    let mut put = |k: &str, v: Option<Value>| {
        if let Some(v) = v {
            gc.insert(k.to_owned(), v);
        }
    };
    put("temperature", req.temperature.map(Value::from));
    put("topP", req.top_p.map(Value::from));
    put("topK", req.extra.get("top_k").cloned());
    put("maxOutputTokens", req.max_output_tokens().map(Value::from));
    put("stopSequences", req.stop.as_ref().map(|s| json!(s.to_vec())));
    put("candidateCount", req.n.map(Value::from));
    put("seed", req.seed.map(Value::from));
    put("presencePenalty", req.presence_penalty.map(Value::from));
    put("frequencyPenalty", req.frequency_penalty.map(Value::from));
    put("responseLogprobs", req.logprobs.map(Value::from));
    put("logprobs", req.top_logprobs.map(Value::from));
    match &req.response_format {
        Some(ResponseFormat::JsonObject) => put("responseMimeType", Some(Value::from("application/json"))),
        Some(ResponseFormat::JsonSchema { json_schema }) => {
            put("responseMimeType", Some(Value::from("application/json")));
            put("responseSchema", json_schema.schema.as_ref().map(to_gemini));
        }
        Some(ResponseFormat::Text) | None => {}
    }
    if let Some(t) = req.extra.get("thinking") {
        // an Anthropic-style `thinking: {type, budget_tokens}`, as LiteLLM accepts for Gemini
        let enabled = t.get("type").and_then(Value::as_str) == Some("enabled");
        let budget = if enabled { t.get("budget_tokens").and_then(Value::as_u64).unwrap_or(1024) } else { 0 };
        put("thinkingConfig", Some(json!({"thinkingBudget": budget, "includeThoughts": enabled})));
    } else if let Some(effort) = req.reasoning_effort.as_deref() {
        put("thinkingConfig", Some(thinking_config(effort, &d.model)?));
    }
    if !gc.is_empty() {
        body.insert("generationConfig".into(), Value::Object(gc));
    }

    // tools
    let decls: Vec<Value> = req
        .tools
        .iter()
        .flatten()
        .map(|t| {
            let mut f = Map::new();
            f.insert("name".into(), Value::from(t.function.name.clone()));
            if let Some(desc) = &t.function.description {
                f.insert("description".into(), Value::from(desc.clone()));
            }
            if let Some(p) = &t.function.parameters {
                let schema = to_gemini(p);
                // Gemini rejects an OBJECT schema with no properties: a no-argument tool omits it
                let empty = schema.get("properties").and_then(Value::as_object).is_none_or(|m| m.is_empty());
                if !empty {
                    f.insert("parameters".into(), schema);
                }
            }
            Value::Object(f)
        })
        .collect();
    if !decls.is_empty() {
        body.insert("tools".into(), json!([{"functionDeclarations": decls}]));
        let fcc = match &req.tool_choice {
            None => None,
            Some(ToolChoice::Mode(m)) => match m.as_str() {
                "auto" => Some(json!({"mode": "AUTO"})),
                "required" => Some(json!({"mode": "ANY"})),
                "none" => Some(json!({"mode": "NONE"})),
                other => {
                    return Err(LlmError::bad_request(format!("`tool_choice` must be none, auto or required; got `{other}`"))
                        .with_param("tool_choice"))
                }
            },
            Some(ToolChoice::Named(n)) => Some(json!({"mode": "ANY", "allowedFunctionNames": [n.function.name]})),
        };
        if let Some(fcc) = fcc {
            body.insert("toolConfig".into(), json!({"functionCallingConfig": fcc}));
        }
    }

    for (k, v) in &req.extra {
        match k.as_str() {
            "top_k" | "thinking" => {}
            _ => match EXTRAS.iter().find(|(from, _)| from == k) {
                Some((_, to)) => {
                    body.insert((*to).to_owned(), v.clone());
                }
                None if d.drop_params => {}
                None => {
                    return Err(LlmError::new(
                        ErrorKind::UnsupportedParamsError,
                        format!("gemini does not support the parameter `{k}`; remove it or pass `dropParams: true` to drop it"),
                    )
                    .with_param(k.clone()))
                }
            },
        }
    }
    Ok(Value::Object(body))
}

/// Gives each model turn whose function calls carry no signature at all the documented
/// sentinel on its first call (parallel calls carry one signature, on the first call).
fn add_missing_signatures(contents: &mut [Value]) {
    for c in contents.iter_mut().filter(|c| c["role"] == "model") {
        let Some(parts) = c.get_mut("parts").and_then(Value::as_array_mut) else { continue };
        let calls = || parts.iter().filter(|p| p.get("functionCall").is_some());
        if calls().count() == 0 || calls().any(|p| p.get("thoughtSignature").is_some()) {
            continue;
        }
        if let Some(first) = parts.iter_mut().find(|p| p.get("functionCall").is_some()).and_then(Value::as_object_mut) {
            first.insert("thoughtSignature".into(), Value::from(SKIP_SIGNATURE));
        }
    }
}

/// Splits a tool-call id into the id proper and the thought signature it may carry.
pub fn split_signature(id: &str) -> (&str, Option<&str>) {
    match id.split_once(THOUGHT_SEPARATOR) {
        Some((id, sig)) if !sig.is_empty() => (id, Some(sig)),
        _ => (id, None),
    }
}

/// Converts messages to `systemInstruction` parts and `contents`, merging same-role neighbours
/// (parallel function responses must share one content).
fn contents(messages: &[Message]) -> Result<(Vec<Value>, Vec<Value>), LlmError> {
    let mut system = Vec::new();
    let mut out: Vec<(&'static str, Vec<Value>)> = Vec::new();
    let mut names: HashMap<&str, &str> = HashMap::new();
    for (i, m) in messages.iter().enumerate() {
        let (role, parts) = match m.role {
            Role::System | Role::Developer => {
                system.extend(parts(m.content.as_ref(), i)?);
                continue;
            }
            Role::User => ("user", parts(m.content.as_ref(), i)?),
            Role::Assistant => {
                let mut p = parts(m.content.as_ref(), i)?;
                for tc in m.tool_calls.iter().flatten() {
                    names.insert(tc.id.as_str(), tc.function.name.as_str());
                    let args = tc.function.arguments.trim();
                    let args: Value = if args.is_empty() {
                        json!({})
                    } else {
                        serde_json::from_str(args).map_err(|e| {
                            LlmError::bad_request(format!("`messages[{i}]`: the arguments of tool call `{}` are not valid JSON: {e}", split_signature(&tc.id).0))
                                .with_param(format!("messages[{i}].tool_calls"))
                        })?
                    };
                    let mut part = json!({"functionCall": {"name": tc.function.name, "args": args}});
                    if let (_, Some(sig)) = split_signature(&tc.id) {
                        part["thoughtSignature"] = Value::from(sig);
                    }
                    p.push(part);
                }
                ("model", p)
            }
            Role::Tool | Role::Function => {
                let id = m.tool_call_id.as_deref().unwrap_or("");
                let name = names.get(id).copied().or(m.name.as_deref()).ok_or_else(|| {
                    LlmError::bad_request(format!(
                        "`messages[{i}]`: no earlier assistant tool call has the id `{}`, so the function name is unknown",
                        split_signature(id).0
                    ))
                    .with_param(format!("messages[{i}].tool_call_id"))
                })?;
                let text = m.text();
                // Gemini wants an object: a JSON object result is sent as is, anything else wrapped
                let response = match serde_json::from_str::<Value>(&text) {
                    Ok(v @ Value::Object(_)) => v,
                    _ => json!({"content": text}),
                };
                ("user", vec![json!({"functionResponse": {"name": name, "response": response}})])
            }
        };
        if parts.is_empty() {
            continue;
        }
        match out.last_mut() {
            Some((r, prev)) if *r == role => prev.extend(parts),
            _ => out.push((role, parts)),
        }
    }
    let contents = out.into_iter().map(|(role, parts)| json!({"role": role, "parts": parts})).collect();
    Ok((system, contents))
}

fn parts(content: Option<&Content>, i: usize) -> Result<Vec<Value>, LlmError> {
    let ps = match content {
        None => return Ok(Vec::new()),
        Some(Content::Text(s)) if s.is_empty() => return Ok(Vec::new()),
        Some(Content::Text(s)) => return Ok(vec![json!({"text": s})]),
        Some(Content::Parts(p)) => p,
    };
    let mut out = Vec::with_capacity(ps.len());
    for p in ps {
        match p {
            ContentPart::Text { text, .. } => {
                if !text.is_empty() {
                    out.push(json!({"text": text}));
                }
            }
            ContentPart::Refusal { refusal } => out.push(json!({"text": refusal})),
            ContentPart::ImageUrl { image_url, .. } => out.push(media(&image_url.url, i)?),
            ContentPart::InputAudio { input_audio } => {
                let mime = match input_audio.format.as_str() {
                    "mp3" => "audio/mp3",
                    "wav" => "audio/wav",
                    other => {
                        return Err(LlmError::bad_request(format!("`messages[{i}]`: unsupported audio format `{other}`"))
                            .with_param(format!("messages[{i}].content")))
                    }
                };
                out.push(json!({"inlineData": {"mimeType": mime, "data": input_audio.data}}));
            }
            ContentPart::File { file, .. } => {
                if let Some(data) = &file.file_data {
                    out.push(media(data, i)?);
                } else if let Some(id) = &file.file_id {
                    let mime = file.format.clone().unwrap_or_else(|| guess_mime(id).to_owned());
                    out.push(json!({"fileData": {"mimeType": mime, "fileUri": id}}));
                }
            }
        }
    }
    Ok(out)
}

fn media(url: &str, i: usize) -> Result<Value, LlmError> {
    if let Some((mime, data)) = parse_data_url(url) {
        return Ok(json!({"inlineData": {"mimeType": mime, "data": data}}));
    }
    if url.starts_with("https://") || url.starts_with("http://") || url.starts_with("gs://") {
        return Ok(json!({"fileData": {"mimeType": guess_mime(url), "fileUri": url}}));
    }
    Err(LlmError::bad_request(format!("`messages[{i}]`: a media URL must be a base64 data: URL or an http(s) / gs:// URL"))
        .with_param(format!("messages[{i}].content")))
}

/// The media type of a file URL, from its extension (Gemini's `fileData` requires one).
fn guess_mime(url: &str) -> &'static str {
    let path = url.split(['?', '#']).next().unwrap_or(url).to_ascii_lowercase();
    let ext = path.rsplit('.').next().unwrap_or("");
    match ext {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "heic" => "image/heic",
        "pdf" => "application/pdf",
        "mp3" => "audio/mp3",
        "wav" => "audio/wav",
        "mp4" => "video/mp4",
        "txt" => "text/plain",
        _ => "image/jpeg",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(req: Value) -> Result<Value, LlmError> {
        let req: ChatRequest = serde_json::from_value(req).expect("request");
        build(&req, &Deployment { model: "gemini-2.5-flash".into(), ..Deployment::default() })
    }

    fn tools_req(choice: Value) -> Value {
        json!({"model": "m", "messages": [{"role": "user", "content": "hi"}], "tool_choice": choice,
               "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {"a": {"type": "string"}}}}}]})
    }

    #[test]
    fn tool_choice_modes() {
        let mode = |c: Value| body(tools_req(c)).expect("body")["toolConfig"]["functionCallingConfig"].clone();
        assert_eq!(mode(json!("auto")), json!({"mode": "AUTO"}));
        assert_eq!(mode(json!("required")), json!({"mode": "ANY"}));
        assert_eq!(mode(json!("none")), json!({"mode": "NONE"}));
        assert_eq!(mode(json!({"type": "function", "function": {"name": "f"}})), json!({"mode": "ANY", "allowedFunctionNames": ["f"]}));
        assert_eq!(body(tools_req(json!("sometimes"))).expect_err("bad mode").param.as_deref(), Some("tool_choice"));
    }

    #[test]
    fn thinking_sources() {
        let cfg = |r: Value| body(r).expect("body")["generationConfig"]["thinkingConfig"].clone();
        let base = |extra: Value| {
            let mut r = json!({"model": "m", "messages": [{"role": "user", "content": "hi"}]});
            for (k, v) in extra.as_object().expect("obj") {
                r[k] = v.clone();
            }
            r
        };
        assert_eq!(cfg(base(json!({"reasoning_effort": "minimal"}))), json!({"thinkingBudget": 128, "includeThoughts": true}));
        assert_eq!(cfg(base(json!({"thinking": {"type": "enabled", "budget_tokens": 3000}}))), json!({"thinkingBudget": 3000, "includeThoughts": true}));
        assert_eq!(cfg(base(json!({"thinking": {"type": "disabled"}}))), json!({"thinkingBudget": 0, "includeThoughts": false}));
        assert!(body(base(json!({"reasoning_effort": "extreme"}))).is_err());
        assert!(is_gemini_3("gemini-3-pro-preview") && is_gemini_3("models/gemini-3.1-flash") && !is_gemini_3("gemini-2.5-pro"));
    }

    #[test]
    fn helpers() {
        assert_eq!(split_signature("call_1__thought__c2ln"), ("call_1", Some("c2ln")));
        assert_eq!(split_signature("call_1"), ("call_1", None));
        assert_eq!(split_signature("call_1__thought__"), ("call_1__thought__", None));
        assert_eq!(guess_mime("https://x/a.PNG?x=1"), "image/png");
        assert_eq!(guess_mime("gs://b/doc.pdf"), "application/pdf");
        assert_eq!(guess_mime("https://x/noext"), "image/jpeg");
        // audio parts and invalid media URLs
        let r = body(json!({"model": "m", "messages": [{"role": "user", "content": [{"type": "input_audio", "input_audio": {"data": "AAA", "format": "wav"}}]}]}))
            .expect("body");
        assert_eq!(r["contents"][0]["parts"][0], json!({"inlineData": {"mimeType": "audio/wav", "data": "AAA"}}));
        assert!(body(json!({"model": "m", "messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "ftp://x"}}]}]})).is_err());
    }
}
