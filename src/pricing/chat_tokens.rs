//! Chat token accounting, LiteLLM's `token_counter(model, messages, tools, tool_choice)` rules,
//! as pure functions over a text counter — `count(text) -> tokens` is the caller's tokenizer (the
//! compiled-in BPE once it lands; these rules belong beside it and can move there as they are).
//!
//! The rules (litellm/litellm_core_utils/token_counter.py):
//! - every message costs 3 tokens (`gpt-3.5-turbo-0301`: 4), plus the count of every string
//!   field of the message as sent on the wire — `role`, `content`, `name` (+1 for a name;
//!   `-1` for `gpt-3.5-turbo-0301`), `tool_call_id`, ...; for `tool_calls` only each call's
//!   `function.arguments`; a content list counts its text parts (`text`, `thinking`, `compaction`
//!   blocks) and images;
//! - images: `detail: "low"` is 85 tokens; otherwise, when the size is known (the caller's
//!   `image_size` callback, e.g. from the header of an inline `data:` image), the picture is
//!   scaled to fit 768 px on the short side and 2000 px on the long side and costs 85 + 170 per
//!   512-px tile; an unknown size costs 85 (LiteLLM never fetches URLs for `auto` either);
//! - once per request (unless it is a stream's response): 3 reply-priming tokens, the tool
//!   definitions rendered in OpenAI's TypeScript-like `namespace functions { ... }` form plus 9
//!   (minus 4 when there is a system message), and a named `tool_choice` (7 + its name) or
//!   `"none"` (1).
//!
//! Differences to know: object keys are visited in sorted order (serde_json without
//! `preserve_order`), which only reorders lines of the tool rendering; `file` / `document` /
//! `input_audio` content parts are rejected with a typed error (LiteLLM counts PDFs with its own
//! page rules, and rejects audio too).

use serde_json::Value;

use crate::error::{ErrorKind, LlmError};
use crate::types::Message;

const IMAGE_BASE_TOKENS: u64 = 85;
const MAX_SHORT_SIDE: u64 = 768;
const MAX_LONG_SIDE: u64 = 2000;
const TILE: u64 = 512;

/// `(tokens per message, tokens per name)` for a model: `(4, -1)` for `gpt-3.5-turbo-0301`
/// when the table lists it as an OpenAI chat model (LiteLLM's `_fix_model_name` maps every other
/// name to `gpt-3.5-turbo`), else `(3, 1)`.
pub fn message_overheads(model: &str) -> (i64, i64) {
    let legacy = model == "gpt-3.5-turbo-0301"
        && super::table::find_exact(model)
            .and_then(super::table::model)
            .is_some_and(|m| {
                super::generated::PROVIDERS.get(usize::from(m.provider)) == Some(&"openai")
                    && super::generated::MODES.get(usize::from(m.mode)) == Some(&"chat")
            });
    if legacy {
        (4, -1)
    } else {
        (3, 1)
    }
}

/// Tokens of one image from its `detail` and, when known, its size in pixels.
pub fn image_tokens(detail: &str, size: Option<(u64, u64)>) -> u64 {
    if detail == "low" {
        return IMAGE_BASE_TOKENS;
    }
    let Some((w, h)) = size.filter(|&(w, h)| w > 0 && h > 0) else {
        return IMAGE_BASE_TOKENS;
    };
    let (w, h) = resize_high_res(w, h);
    let tiles = w.div_ceil(TILE) * h.div_ceil(TILE);
    IMAGE_BASE_TOKENS + 2 * IMAGE_BASE_TOKENS * tiles
}

/// LiteLLM's `resize_image_high_res` (Python `int()` truncation kept).
fn resize_high_res(w: u64, h: u64) -> (u64, u64) {
    if w <= MAX_SHORT_SIDE && h <= MAX_SHORT_SIDE {
        return (w, h);
    }
    let aspect = w.max(h) as f64 / w.min(h) as f64;
    if w <= h {
        let mut rw = MAX_SHORT_SIDE;
        let mut rh = (rw as f64 * aspect) as u64;
        if rh > MAX_LONG_SIDE {
            rh = MAX_LONG_SIDE;
            rw = (rh as f64 / aspect) as u64;
        }
        (rw, rh)
    } else {
        let mut rh = MAX_SHORT_SIDE;
        let mut rw = (rh as f64 * aspect) as u64;
        if rw > MAX_LONG_SIDE {
            rw = MAX_LONG_SIDE;
            rh = (rw as f64 / aspect) as u64;
        }
        (rw, rh)
    }
}

/// What a chat request's prompt costs in tokens.
pub struct ChatCount<'a, C: Fn(&str) -> usize, I: Fn(&str) -> Option<(u64, u64)>> {
    /// The model, for its message overheads.
    pub model: &'a str,
    /// The tokenizer: tokens of one text.
    pub count: C,
    /// The size of an image from its URL (`None` when unknown; never fetch here).
    pub image_size: I,
}

impl<C: Fn(&str) -> usize, I: Fn(&str) -> Option<(u64, u64)>> ChatCount<'_, C, I> {
    /// `token_counter(model, messages, tools, tool_choice)`.
    pub fn prompt(
        &self,
        messages: &[Message],
        tools: Option<&[Value]>,
        tool_choice: Option<&Value>,
    ) -> Result<u64, LlmError> {
        let values: Vec<Value> = messages
            .iter()
            .map(serde_json::to_value)
            .collect::<Result<_, _>>()
            .map_err(|e| bad(e.to_string()))?;
        let mut n = self.messages(&values)?;
        let has_system = messages
            .iter()
            .any(|m| m.role == crate::types::Role::System);
        n = n.saturating_add(3); // reply priming
        n = n.saturating_add(self.tool_definitions(tools.unwrap_or(&[]), has_system));
        n = n.saturating_add(self.tool_choice(tool_choice));
        Ok(n)
    }

    /// The messages alone (what a stream's response counting uses): `_count_messages`.
    pub fn messages(&self, messages: &[Value]) -> Result<u64, LlmError> {
        let (per_message, per_name) = message_overheads(self.model);
        let mut n: i64 = 0;
        for m in messages {
            n = n.saturating_add(per_message);
            let Some(obj) = m.as_object() else {
                return Err(bad("a message must be an object"));
            };
            for (key, value) in obj {
                match (key.as_str(), value) {
                    (_, Value::Null) => {}
                    ("tool_calls", Value::Array(calls)) => {
                        for call in calls {
                            let f = call
                                .get("function")
                                .ok_or_else(|| bad("a tool call must contain a function"))?;
                            n = n.saturating_add(
                                self.text(&py_str(f.get("arguments").unwrap_or(&Value::Null), "")),
                            );
                        }
                    }
                    ("tool_calls", _) => return Err(bad("tool_calls must be a list")),
                    ("function_call", Value::Object(f)) => {
                        n = n.saturating_add(
                            self.text(&py_str(f.get("arguments").unwrap_or(&Value::Null), "")),
                        )
                    }
                    ("function_call", _) => return Err(bad("function_call must be an object")),
                    (_, Value::String(s)) => {
                        n = n.saturating_add(self.text(s));
                        if key == "name" {
                            n = n.saturating_add(per_name);
                        }
                    }
                    ("content", Value::Array(parts)) => n = n.saturating_add(self.content(parts)?),
                    _ => {}
                }
            }
        }
        Ok(n.max(0) as u64)
    }

    fn text(&self, s: &str) -> i64 {
        i64::try_from((self.count)(s)).unwrap_or(i64::MAX)
    }

    fn content(&self, parts: &[Value]) -> Result<i64, LlmError> {
        let mut n: i64 = 0;
        for part in parts {
            if let Value::String(s) = part {
                n = n.saturating_add(self.text(s));
                continue;
            }
            let kind = part.get("type").and_then(Value::as_str).unwrap_or("");
            let text_field = match kind {
                "text" => Some("text"),
                "thinking" | "redacted_thinking" => Some("thinking"),
                "compaction" => Some("content"),
                _ => None,
            };
            if let Some(field) = text_field {
                let t = py_str(part.get(field).unwrap_or(&Value::Null), "");
                if !t.is_empty() {
                    n = n.saturating_add(self.text(&t));
                }
                continue;
            }
            match kind {
                "image_url" => {
                    n = n.saturating_add(self.image(part.get("image_url").unwrap_or(&Value::Null))?)
                }
                "tool_reference" => {
                    let name = py_str(part.get("tool_name").unwrap_or(&Value::Null), "");
                    if !name.is_empty() {
                        n = n.saturating_add(self.text(&name));
                    }
                }
                other => return Err(bad(format!("content part type '{other}' is not counted"))),
            }
        }
        Ok(n)
    }

    fn image(&self, image_url: &Value) -> Result<i64, LlmError> {
        let (url, detail) = match image_url {
            Value::String(s) if !s.trim().is_empty() => (s.as_str(), "auto"),
            Value::Object(o) => {
                let detail = o.get("detail").and_then(Value::as_str).unwrap_or("auto");
                if !matches!(detail, "low" | "high" | "auto") {
                    return Err(bad(format!("invalid image detail '{detail}'")));
                }
                match o.get("url").and_then(Value::as_str) {
                    Some(u) if !u.is_empty() => (u, detail),
                    _ => return Err(bad("image_url needs a url")),
                }
            }
            _ => return Err(bad("image_url must be a string or an object with a url")),
        };
        let size = if detail == "low" {
            None
        } else {
            (self.image_size)(url)
        };
        Ok(i64::try_from(image_tokens(detail, size)).unwrap_or(i64::MAX))
    }

    /// `_count_tool_definitions`.
    pub fn tool_definitions(&self, tools: &[Value], has_system: bool) -> u64 {
        if tools.is_empty() {
            return 0;
        }
        let rendered = format_function_definitions(tools);
        let n = self
            .text(&rendered)
            .saturating_add(if has_system { 5 } else { 9 });
        n.max(0) as u64
    }

    /// `_count_tool_choice`.
    pub fn tool_choice(&self, choice: Option<&Value>) -> u64 {
        let Some(choice) = choice else { return 0 };
        if choice.as_str() == Some("none") {
            return 1;
        }
        if let Some(name) = choice
            .get("function")
            .and_then(|f| f.get("name"))
            .and_then(Value::as_str)
        {
            return 7u64.saturating_add(self.text(name).max(0) as u64);
        }
        if choice.get("type").and_then(Value::as_str) == Some("none") {
            return 1;
        }
        if let Some(name) = choice.get("name").and_then(Value::as_str) {
            return 7u64.saturating_add(self.text(name).max(0) as u64);
        }
        0
    }
}

fn bad(msg: impl Into<String>) -> LlmError {
    LlmError::new(ErrorKind::BadRequestError, msg)
}

/// Python's `str(value)` for the JSON values that reach it (`default` for null).
fn py_str(v: &Value, default: &str) -> String {
    match v {
        Value::Null => default.to_string(),
        Value::String(s) => s.clone(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        other => other.to_string(),
    }
}

/// OpenAI's TypeScript-like rendering of function definitions (`_format_function_definitions`).
pub fn format_function_definitions(tools: &[Value]) -> String {
    let mut lines: Vec<String> = vec!["namespace functions {".into(), String::new()];
    for tool in tools.iter().filter_map(Value::as_object) {
        for f in function_definitions(tool) {
            lines.extend(format_function(&f));
        }
    }
    lines.push("} // namespace functions".into());
    lines.join("\n")
}

fn function_definitions(
    tool: &serde_json::Map<String, Value>,
) -> Vec<serde_json::Map<String, Value>> {
    if let Some(Value::Object(f)) = tool.get("function") {
        return vec![f.clone()];
    }
    if let Some(Value::Array(decls)) = tool
        .get("function_declarations")
        .or_else(|| tool.get("functionDeclarations"))
    {
        return decls
            .iter()
            .filter_map(|d| d.as_object().cloned())
            .collect();
    }
    // An Anthropic-style or flat tool: name / description / input_schema or parameters.
    let mut f = serde_json::Map::new();
    f.insert(
        "name".into(),
        tool.get("name").cloned().unwrap_or(Value::Null),
    );
    let params = tool
        .get("input_schema")
        .filter(|v| !v.is_null())
        .or_else(|| tool.get("parameters"));
    f.insert(
        "parameters".into(),
        params
            .filter(|p| p.is_object())
            .cloned()
            .unwrap_or(Value::Object(Default::default())),
    );
    if let Some(d) = tool.get("description").filter(|d| !d.is_null()) {
        f.insert("description".into(), d.clone());
    }
    vec![f]
}

fn truthy(v: Option<&Value>) -> Option<&Value> {
    v.filter(|v| match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        Value::Number(n) => n.as_f64() != Some(0.0),
    })
}

fn format_function(f: &serde_json::Map<String, Value>) -> Vec<String> {
    let Some(name) = truthy(f.get("name")) else {
        return Vec::new();
    };
    let name = py_str(name, "");
    let description = truthy(f.get("description")).map(|d| format!("// {}", py_str(d, "")));
    let params = truthy(f.get("parameters")).and_then(Value::as_object);
    let has_props = params
        .and_then(|p| p.get("properties"))
        .and_then(Value::as_object)
        .is_some_and(|p| !p.is_empty());
    let mut out: Vec<String> = description.into_iter().collect();
    match params {
        Some(p) if has_props => {
            out.push(format!("type {name} = (_: {{"));
            out.push(format_object(p, 0));
            out.push("}) => any;".into());
        }
        _ => out.push(format!("type {name} = () => any;")),
    }
    out.push(String::new());
    out
}

fn format_object(params: &serde_json::Map<String, Value>, indent: usize) -> String {
    let Some(props) = params
        .get("properties")
        .and_then(Value::as_object)
        .filter(|p| !p.is_empty())
    else {
        return String::new();
    };
    let required: Vec<&Value> = match params.get("required") {
        Some(Value::Array(r)) => r.iter().collect(),
        _ => Vec::new(),
    };
    let mut lines = Vec::new();
    for (key, p) in props {
        if let Some(d) = truthy(p.as_object().and_then(|o| o.get("description"))) {
            lines.push(format!("// {}", py_str(d, "")));
        }
        let optional = if required.iter().any(|r| r.as_str() == Some(key)) {
            ""
        } else {
            "?"
        };
        lines.push(format!("{key}{optional}: {},", format_type(p, indent)));
    }
    let pad = " ".repeat(indent);
    lines
        .iter()
        .map(|l| format!("{pad}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn format_type(props: &Value, indent: usize) -> String {
    let Some(o) = props.as_object() else {
        return "any".into();
    };
    let enumerated = |e: &Vec<Value>| {
        e.iter()
            .map(|v| format!("\"{}\"", py_str(v, "None")))
            .collect::<Vec<_>>()
            .join(" | ")
    };
    match o.get("type").and_then(Value::as_str) {
        Some("string") => match o.get("enum") {
            Some(Value::Array(e)) => enumerated(e),
            _ => "string".into(),
        },
        Some("array") => format!(
            "{}[]",
            format_type(o.get("items").unwrap_or(&Value::Null), indent)
        ),
        Some("object") => format!("{{\n{}\n}}", format_object(o, indent + 2)),
        Some("integer" | "number") => match o.get("enum") {
            Some(Value::Array(e)) => enumerated(e),
            _ => "number".into(),
        },
        Some("boolean") => "boolean".into(),
        Some("null") => "null".into(),
        _ => "any".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_rules() {
        assert_eq!(image_tokens("low", Some((4000, 4000))), 85);
        assert_eq!(image_tokens("auto", None), 85);
        // 1024x1024 -> 768x768 -> 4 tiles
        assert_eq!(image_tokens("high", Some((1024, 1024))), 85 + 170 * 4);
        // 2048x4096 -> 768x1536 -> 2x3 tiles
        assert_eq!(image_tokens("auto", Some((2048, 4096))), 85 + 170 * 6);
        assert_eq!(image_tokens("auto", Some((0, 10))), 85);
    }

    #[test]
    fn absurd_counts_saturate() {
        let c = ChatCount {
            model: "gpt-4o",
            count: |_: &str| usize::MAX,
            image_size: |_: &str| Some((u64::MAX, 1)),
        };
        let ms = vec![
            Message::new(crate::types::Role::User, "x"),
            Message::new(crate::types::Role::System, "y"),
        ];
        let tools = vec![serde_json::json!({"type": "function", "function": {"name": "f"}})];
        let choice = serde_json::json!({"type": "function", "function": {"name": "f"}});
        assert!(c.prompt(&ms, Some(&tools), Some(&choice)).is_ok());
        assert!(image_tokens("high", Some((u64::MAX, u64::MAX))) > 0);
    }

    #[test]
    fn function_rendering() {
        let tools = vec![serde_json::json!({"type": "function", "function": {
            "name": "get_weather", "description": "Weather now",
            "parameters": {"type": "object", "required": ["city"], "properties": {
                "city": {"type": "string", "description": "City name"},
                "unit": {"type": "string", "enum": ["c", "f"]}
            }}
        }})];
        assert_eq!(
            format_function_definitions(&tools),
            "namespace functions {\n\n// Weather now\ntype get_weather = (_: {\n// City name\ncity: string,\nunit?: \"c\" | \"f\",\n}) => any;\n\n} // namespace functions"
        );
    }
}
