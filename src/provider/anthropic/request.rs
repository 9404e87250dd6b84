//! OpenAI chat request → Anthropic Messages request body.

use serde_json::{json, Map, Value};

use super::JSON_TOOL;
use crate::error::{ErrorKind, LlmError};
use crate::provider::openai::drop_unsupported;
use crate::provider::{parse_data_url, Deployment};
use crate::types::{ChatRequest, Content, ContentPart, ResponseFormat, Role, ToolChoice};

/// `max_tokens` when the caller sets none (Anthropic requires it).
pub fn default_max_tokens(model: &str) -> u64 {
    // the model's whole output capacity, as OpenAI allows when `max_tokens` is unset
    crate::pricing::ModelRegistry::EMPTY
        .model_info_for(model, Some("anthropic"))
        .filter(|i| !i.inferred)
        .and_then(|i| i.max_output_tokens.or(i.max_tokens))
        .filter(|&n| n > 0)
        .unwrap_or(4096)
}

/// `reasoning_effort` → thinking budget, as LiteLLM maps it.
pub fn thinking_budget(effort: &str) -> Result<Option<u64>, LlmError> {
    Ok(match effort {
        "none" => None,
        "minimal" | "low" => Some(1024),
        "medium" => Some(2048),
        "high" => Some(4096),
        other => {
            return Err(LlmError::bad_request(format!(
                "`reasoning_effort` must be one of none, minimal, low, medium, high; got `{other}`"
            ))
            .with_param("reasoning_effort"))
        }
    })
}

/// OpenAI parameters Anthropic has no equivalent for.
const UNSUPPORTED: [&str; 6] = ["logit_bias", "logprobs", "top_logprobs", "presence_penalty", "frequency_penalty", "seed"];
/// OpenAI-only extras that must not reach Anthropic (it rejects unknown fields).
const OPENAI_ONLY_EXTRAS: [&str; 6] = ["store", "modalities", "audio", "prediction", "web_search_options", "verbosity"];
/// Extras this module translates itself (everything else in `extra` passes through).
const HANDLED_EXTRAS: [&str; 1] = ["top_k"];

pub fn build(req: &ChatRequest, d: &Deployment) -> Result<Value, LlmError> {
    let mut req = req.clone();
    drop_unsupported(&mut req, &UNSUPPORTED, d.drop_params)?;
    drop_unsupported(&mut req, &OPENAI_ONLY_EXTRAS, d.drop_params)?;
    if req.n.is_some_and(|n| n > 1) && !d.drop_params {
        return Err(LlmError::new(ErrorKind::UnsupportedParamsError, "anthropic returns one choice per request; `n` > 1 is not supported")
            .with_param("n"));
    }

    let mut body = Map::new();
    body.insert("model".into(), Value::from(d.model.clone()));
    let (system, messages) = messages(&req)?;

    // thinking: an explicit Anthropic `thinking` object wins over `reasoning_effort`
    let mut thinking_budget_tokens = None;
    if let Some(t) = req.extra.get("thinking") {
        thinking_budget_tokens = t.get("budget_tokens").and_then(Value::as_u64);
    } else if let Some(effort) = req.reasoning_effort.as_deref() {
        if let Some(budget) = thinking_budget(effort)? {
            thinking_budget_tokens = Some(budget);
            body.insert("thinking".into(), json!({"type": "enabled", "budget_tokens": budget}));
        }
    }
    let thinking = thinking_budget_tokens.is_some()
        || req.extra.get("thinking").and_then(|t| t.get("type")).and_then(Value::as_str) == Some("enabled");

    let max_tokens = match req.max_output_tokens() {
        Some(m) => m,
        // the budget counts against max_tokens, so leave room for the answer
        None => default_max_tokens(&d.model).max(thinking_budget_tokens.unwrap_or(0) + 4096),
    };
    body.insert("max_tokens".into(), Value::from(max_tokens));
    body.insert("messages".into(), Value::Array(messages));
    if let Some(s) = system {
        body.insert("system".into(), s);
    }
    if let Some(t) = req.temperature {
        body.insert("temperature".into(), Value::from(t));
    }
    if let Some(p) = req.top_p {
        body.insert("top_p".into(), Value::from(p));
    }
    if let Some(k) = req.extra.get("top_k") {
        body.insert("top_k".into(), k.clone());
    }
    if let Some(stop) = &req.stop {
        // Anthropic rejects whitespace-only stop sequences
        let seqs: Vec<String> = stop.to_vec().into_iter().filter(|s| !s.trim().is_empty()).collect();
        if !seqs.is_empty() {
            body.insert("stop_sequences".into(), json!(seqs));
        }
    }
    if req.is_stream() {
        body.insert("stream".into(), Value::Bool(true));
    }
    if let Some(user) = &req.user {
        body.insert("metadata".into(), json!({"user_id": user}));
    }

    // tools
    let mut tools: Vec<Value> = Vec::new();
    let tool_choice_none = matches!(&req.tool_choice, Some(ToolChoice::Mode(m)) if m == "none");
    for t in req.tools.iter().flatten() {
        let mut tool = Map::new();
        tool.insert("name".into(), Value::from(t.function.name.clone()));
        if let Some(desc) = &t.function.description {
            tool.insert("description".into(), Value::from(desc.clone()));
        }
        let schema = t.function.parameters.clone().unwrap_or_else(|| json!({"type": "object", "properties": {}}));
        tool.insert("input_schema".into(), schema);
        if let Some(cc) = &t.cache_control {
            tool.insert("cache_control".into(), cc.clone());
        }
        tools.push(Value::Object(tool));
    }
    let mut tool_choice = match &req.tool_choice {
        None => None,
        Some(ToolChoice::Mode(m)) => match m.as_str() {
            "auto" => Some(json!({"type": "auto"})),
            "required" => Some(json!({"type": "any"})),
            "none" => Some(json!({"type": "none"})),
            other => {
                return Err(LlmError::bad_request(format!("`tool_choice` must be none, auto or required; got `{other}`"))
                    .with_param("tool_choice"))
            }
        },
        Some(ToolChoice::Named(n)) => Some(json!({"type": "tool", "name": n.function.name})),
    };

    // structured output: a forced tool whose input is the answer
    match &req.response_format {
        Some(ResponseFormat::JsonSchema { json_schema }) => {
            let schema = json_schema.schema.clone().unwrap_or_else(|| json!({"type": "object"}));
            let mut tool = json!({"name": JSON_TOOL, "input_schema": schema});
            if let Some(desc) = &json_schema.description {
                tool["description"] = Value::from(desc.clone());
            }
            tools.push(tool);
            tool_choice = Some(json_tool_choice(thinking));
        }
        Some(ResponseFormat::JsonObject) => {
            tools.push(json!({"name": JSON_TOOL, "description": "Respond with a JSON object.",
                "input_schema": {"type": "object", "additionalProperties": true}}));
            tool_choice = Some(json_tool_choice(thinking));
        }
        Some(ResponseFormat::Text) | None => {}
    }

    if req.parallel_tool_calls == Some(false) && !tools.is_empty() && !tool_choice_none {
        let tc = tool_choice.get_or_insert_with(|| json!({"type": "auto"}));
        tc["disable_parallel_tool_use"] = Value::Bool(true);
    }
    if !tools.is_empty() {
        body.insert("tools".into(), Value::Array(tools));
        if let Some(tc) = tool_choice {
            body.insert("tool_choice".into(), tc);
        }
    }

    // provider-specific extras pass through (`thinking`, `service_tier`, `container`, ...)
    for (k, v) in &req.extra {
        if !HANDLED_EXTRAS.contains(&k.as_str()) {
            body.insert(k.clone(), v.clone());
        }
    }
    Ok(Value::Object(body))
}

fn json_tool_choice(thinking: bool) -> Value {
    if thinking {
        // forced tool use is not allowed together with extended thinking
        json!({"type": "auto"})
    } else {
        json!({"type": "tool", "name": JSON_TOOL})
    }
}

/// Splits out the system prompt and converts the conversation, merging same-role neighbours.
fn messages(req: &ChatRequest) -> Result<(Option<Value>, Vec<Value>), LlmError> {
    let mut system: Vec<Value> = Vec::new();
    let mut turns: Vec<(&'static str, Vec<Value>)> = Vec::new();
    for (i, m) in req.messages.iter().enumerate() {
        let (role, blocks) = match m.role {
            Role::System | Role::Developer => {
                let mut blocks = content_blocks(m.content.as_ref(), i, false)?;
                apply_cache_control(&mut blocks, m.cache_control.as_ref());
                system.extend(blocks);
                continue;
            }
            Role::User => {
                let mut blocks = content_blocks(m.content.as_ref(), i, true)?;
                apply_cache_control(&mut blocks, m.cache_control.as_ref());
                ("user", blocks)
            }
            Role::Assistant => ("assistant", assistant_blocks(m, i)?),
            Role::Tool => {
                let id = m.tool_call_id.clone().unwrap_or_default();
                let content = match &m.content {
                    None => Value::from(""),
                    Some(Content::Text(s)) => Value::from(s.clone()),
                    Some(c @ Content::Parts(_)) => Value::Array(content_blocks(Some(c), i, true)?),
                };
                let mut block = json!({"type": "tool_result", "tool_use_id": id, "content": content});
                if let Some(cc) = &m.cache_control {
                    block["cache_control"] = cc.clone();
                }
                ("user", vec![block])
            }
            Role::Function => {
                return Err(LlmError::bad_request(format!(
                    "`messages[{i}]`: the legacy `function` role is not supported for anthropic; use `tool`"
                ))
                .with_param(format!("messages[{i}].role")))
            }
        };
        if blocks.is_empty() {
            continue;
        }
        match turns.last_mut() {
            Some((r, prev)) if *r == role => prev.extend(blocks),
            _ => turns.push((role, blocks)),
        }
    }
    let system = if system.is_empty() {
        None
    } else if system.iter().all(|b| b.get("cache_control").is_none() && b["type"] == "text") {
        let texts: Vec<&str> = system.iter().filter_map(|b| b["text"].as_str()).collect();
        Some(Value::from(texts.join("\n")))
    } else {
        Some(Value::Array(system))
    };
    let messages = turns
        .into_iter()
        .map(|(role, blocks)| {
            // one plain text block is sent as a string, the way people write it by hand
            let content = match blocks.as_slice() {
                [b] if b["type"] == "text" && b.get("cache_control").is_none() => b["text"].clone(),
                _ => Value::Array(blocks),
            };
            json!({"role": role, "content": content})
        })
        .collect();
    Ok((system, messages))
}

fn apply_cache_control(blocks: &mut [Value], cc: Option<&Value>) {
    // (blocks may be caller-supplied thinking blocks: only objects can carry the marker)
    if let (Some(cc), Some(last)) = (cc, blocks.last_mut().and_then(Value::as_object_mut)) {
        last.insert("cache_control".into(), cc.clone());
    }
}

fn content_blocks(content: Option<&Content>, i: usize, media: bool) -> Result<Vec<Value>, LlmError> {
    let parts = match content {
        None => return Ok(Vec::new()),
        Some(Content::Text(s)) if s.is_empty() => return Ok(Vec::new()),
        Some(Content::Text(s)) => return Ok(vec![json!({"type": "text", "text": s})]),
        Some(Content::Parts(p)) => p,
    };
    let mut out = Vec::with_capacity(parts.len());
    for part in parts {
        match part {
            ContentPart::Text { text, cache_control } => {
                if text.is_empty() {
                    continue;
                }
                let mut b = json!({"type": "text", "text": text});
                if let Some(cc) = cache_control {
                    b["cache_control"] = cc.clone();
                }
                out.push(b);
            }
            ContentPart::ImageUrl { image_url, cache_control } if media => {
                let mut b = image_block(&image_url.url, i)?;
                if let Some(cc) = cache_control {
                    b["cache_control"] = cc.clone();
                }
                out.push(b);
            }
            ContentPart::File { file, cache_control } if media => {
                let Some((mime, data)) = file.file_data.as_deref().and_then(parse_data_url) else {
                    return Err(LlmError::new(
                        ErrorKind::UnsupportedParamsError,
                        format!("`messages[{i}]`: anthropic takes files only as `file_data` data: URLs"),
                    )
                    .with_param(format!("messages[{i}].content")));
                };
                let mut b = json!({"type": "document", "source": {"type": "base64", "media_type": mime, "data": data}});
                if let Some(cc) = cache_control {
                    b["cache_control"] = cc.clone();
                }
                out.push(b);
            }
            ContentPart::Refusal { refusal } => out.push(json!({"type": "text", "text": refusal})),
            ContentPart::ImageUrl { .. } | ContentPart::File { .. } | ContentPart::InputAudio { .. } => {
                return Err(LlmError::new(
                    ErrorKind::UnsupportedParamsError,
                    format!("`messages[{i}]`: this content part type is not supported by anthropic in this role"),
                )
                .with_param(format!("messages[{i}].content")))
            }
        }
    }
    Ok(out)
}

fn image_block(url: &str, i: usize) -> Result<Value, LlmError> {
    if let Some((mime, data)) = parse_data_url(url) {
        let kind = if mime == "application/pdf" { "document" } else { "image" };
        return Ok(json!({"type": kind, "source": {"type": "base64", "media_type": mime, "data": data}}));
    }
    if url.starts_with("https://") || url.starts_with("http://") {
        return Ok(json!({"type": "image", "source": {"type": "url", "url": url}}));
    }
    Err(LlmError::bad_request(format!("`messages[{i}]`: an image URL must be a base64 data: URL or an http(s) URL"))
        .with_param(format!("messages[{i}].content")))
}

fn assistant_blocks(m: &crate::types::Message, i: usize) -> Result<Vec<Value>, LlmError> {
    // thinking blocks go first and verbatim: Anthropic checks their signatures
    let mut out: Vec<Value> = m.thinking_blocks.iter().flatten().cloned().collect();
    out.extend(content_blocks(m.content.as_ref(), i, false)?);
    apply_cache_control(&mut out, m.cache_control.as_ref());
    for tc in m.tool_calls.iter().flatten() {
        let args = tc.function.arguments.trim();
        let input: Value = if args.is_empty() {
            json!({})
        } else {
            serde_json::from_str(args).map_err(|e| {
                LlmError::bad_request(format!(
                    "`messages[{i}]`: the arguments of tool call `{}` are not valid JSON: {e}",
                    tc.id
                ))
                .with_param(format!("messages[{i}].tool_calls"))
            })?
        };
        if !input.is_object() {
            return Err(LlmError::bad_request(format!(
                "`messages[{i}]`: the arguments of tool call `{}` must be a JSON object",
                tc.id
            ))
            .with_param(format!("messages[{i}].tool_calls")));
        }
        out.push(json!({"type": "tool_use", "id": tc.id, "name": tc.function.name, "input": input}));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(req: Value) -> Result<Value, LlmError> {
        let req: ChatRequest = serde_json::from_value(req).expect("request");
        build(&req, &Deployment { model: "claude-x".into(), ..Deployment::default() })
    }

    fn tools_req(choice: Value, parallel: Option<bool>) -> Value {
        let mut r = json!({"model": "m", "messages": [{"role": "user", "content": "hi"}], "tool_choice": choice,
               "tools": [{"type": "function", "function": {"name": "f"}}]});
        if let Some(p) = parallel {
            r["parallel_tool_calls"] = Value::Bool(p);
        }
        r
    }

    #[test]
    fn tool_choice_and_parallel() {
        let tc = |c: Value, p: Option<bool>| body(tools_req(c, p)).expect("body")["tool_choice"].clone();
        assert_eq!(tc(json!("auto"), None), json!({"type": "auto"}));
        assert_eq!(tc(json!("required"), Some(false)), json!({"type": "any", "disable_parallel_tool_use": true}));
        assert_eq!(tc(json!("none"), Some(false)), json!({"type": "none"}));
        assert_eq!(tc(json!({"type": "function", "function": {"name": "f"}}), None), json!({"type": "tool", "name": "f"}));
        // a tool without parameters still gets an object schema
        let b = body(tools_req(json!("auto"), None)).expect("body");
        assert_eq!(b["tools"][0]["input_schema"], json!({"type": "object", "properties": {}}));
        // parallel_tool_calls=false alone creates an auto choice
        let mut r = tools_req(json!("auto"), Some(false));
        r.as_object_mut().expect("obj").remove("tool_choice");
        assert_eq!(body(r).expect("body")["tool_choice"], json!({"type": "auto", "disable_parallel_tool_use": true}));
    }

    #[test]
    fn cache_control_on_image_and_document_parts() {
        let cc = json!({"type": "ephemeral", "ttl": "1h"});
        let b = body(json!({"model": "m", "messages": [{"role": "user", "content": [
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}, "cache_control": cc},
            {"type": "file", "file": {"file_data": "data:application/pdf;base64,JVBERi0x"}, "cache_control": {"type": "ephemeral"}},
            {"type": "image_url", "image_url": {"url": "https://example.com/cat.jpg"}},
            {"type": "text", "text": "what are these?"}]}]}))
        .expect("body");
        let blocks = &b["messages"][0]["content"];
        assert_eq!(blocks[0]["type"], "image");
        assert_eq!(blocks[0]["cache_control"], cc);
        assert_eq!(blocks[1]["type"], "document");
        assert_eq!(blocks[1]["cache_control"], json!({"type": "ephemeral"}));
        assert!(blocks[2].get("cache_control").is_none());
        assert!(blocks[3].get("cache_control").is_none());
    }

    #[test]
    fn thinking_and_limits() {
        let b = body(json!({"model": "m", "messages": [{"role": "user", "content": "hi"}], "reasoning_effort": "high"})).expect("body");
        assert_eq!(b["thinking"], json!({"type": "enabled", "budget_tokens": 4096}));
        assert_eq!(b["max_tokens"], 8192);
        let b = body(json!({"model": "m", "messages": [{"role": "user", "content": "hi"}], "reasoning_effort": "none"})).expect("body");
        assert!(b.get("thinking").is_none());
        let b = body(json!({"model": "m", "messages": [{"role": "user", "content": "hi"}],
            "thinking": {"type": "enabled", "budget_tokens": 10000}, "reasoning_effort": "low"}))
        .expect("body");
        assert_eq!(b["thinking"]["budget_tokens"], 10000, "an explicit thinking object wins");
        assert_eq!(b["max_tokens"], 14096);
        assert!(body(json!({"model": "m", "messages": [{"role": "user", "content": "hi"}], "n": 2})).is_err());
        assert!(body(json!({"model": "m", "messages": [{"role": "user", "content": "hi"}], "reasoning_effort": "max"})).is_err());
    }

    #[test]
    fn content_that_anthropic_cannot_take() {
        let audio = json!({"model": "m", "messages": [{"role": "user", "content": [{"type": "input_audio", "input_audio": {"data": "AAA", "format": "wav"}}]}]});
        assert_eq!(body(audio).expect_err("audio").kind, ErrorKind::UnsupportedParamsError);
        let bad_url = json!({"model": "m", "messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "file:///etc/passwd"}}]}]});
        assert_eq!(body(bad_url).expect_err("url").kind, ErrorKind::BadRequestError);
        let not_object = json!({"model": "m", "messages": [{"role": "user", "content": "hi"},
            {"role": "assistant", "tool_calls": [{"id": "t", "type": "function", "function": {"name": "f", "arguments": "[1]"}}]}]});
        assert_eq!(body(not_object).expect_err("args").kind, ErrorKind::BadRequestError);
        let function_role = json!({"model": "m", "messages": [{"role": "function", "name": "f", "content": "x"}]});
        assert!(body(function_role).is_err());
    }
}
