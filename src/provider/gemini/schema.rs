//! JSON Schema → the OpenAPI-3.0 subset Gemini accepts (`Schema` in the Gemini REST reference).
//!
//! Like LiteLLM's `_build_vertex_schema`: `$ref`s are inlined from `$defs` / `definitions`;
//! `anyOf` / `oneOf` / `type: [..]` with `null` become `nullable: true` (collapsed when one type
//! is left); `const` becomes a one-value `enum`; enum values become strings; string formats other
//! than `enum` / `date-time` are dropped; `required` names only existing properties; every key
//! outside Gemini's `Schema` (`additionalProperties`, `$schema`, `strict`, `$id`, `examples`, ...)
//! is removed. Recursive `$ref`s are cut at a fixed depth.

use serde_json::{json, Map, Value};

/// Schema keys Gemini's `Schema` object takes.
const KEEP: [&str; 21] = [
    "type", "format", "title", "description", "nullable", "enum", "maxItems", "minItems", "properties", "required",
    "minProperties", "maxProperties", "minLength", "maxLength", "pattern", "example", "anyOf", "propertyOrdering",
    "default", "items", "minimum",
];
/// Depth beyond which nested (or recursively referenced) schemas are cut to a plain object.
const MAX_DEPTH: usize = 32;

/// Converts a JSON Schema (e.g. tool `parameters` or a `json_schema` response format).
pub fn to_gemini(schema: &Value) -> Value {
    let defs = schema.get("$defs").or_else(|| schema.get("definitions")).cloned().unwrap_or(Value::Null);
    convert(schema, &defs, 0)
}

fn resolve<'a>(r: &str, defs: &'a Value) -> Option<&'a Value> {
    let name = r.strip_prefix("#/$defs/").or_else(|| r.strip_prefix("#/definitions/"))?;
    defs.get(name)
}

fn convert(schema: &Value, defs: &Value, depth: usize) -> Value {
    let Some(obj) = schema.as_object() else {
        return json!({});
    };
    if depth > MAX_DEPTH {
        return json!({"type": "object"});
    }
    if let Some(r) = obj.get("$ref").and_then(Value::as_str) {
        let mut out = match resolve(r, defs) {
            Some(target) => convert(target, defs, depth + 1),
            None => json!({"type": "object"}),
        };
        if let (Some(d), Some(o)) = (obj.get("description"), out.as_object_mut()) {
            o.insert("description".into(), d.clone());
        }
        return out;
    }
    // anyOf / oneOf, with `null` folded into `nullable`
    if let Some(alts) = obj.get("anyOf").or_else(|| obj.get("oneOf")).and_then(Value::as_array) {
        let mut nullable = false;
        let mut rest = Vec::new();
        for a in alts {
            if a.get("type").and_then(Value::as_str) == Some("null") {
                nullable = true;
            } else {
                rest.push(convert(a, defs, depth + 1));
            }
        }
        let mut out = match rest.as_slice() {
            [one] => one.clone(),
            _ => json!({"anyOf": rest}),
        };
        if let Some(o) = out.as_object_mut() {
            if nullable {
                o.insert("nullable".into(), Value::Bool(true));
            }
            if let Some(d) = obj.get("description") {
                o.entry("description").or_insert_with(|| d.clone());
            }
        }
        return out;
    }
    if let Some(all) = obj.get("allOf").and_then(Value::as_array) {
        // merge the parts shallowly (the common use is `allOf: [{$ref}]` plus a description)
        let mut merged = Map::new();
        for part in all {
            if let Value::Object(p) = convert(part, defs, depth + 1) {
                for (k, v) in p {
                    merged.insert(k, v);
                }
            }
        }
        for (k, v) in obj {
            if k != "allOf" {
                merged.insert(k.clone(), v.clone());
            }
        }
        return convert(&Value::Object(merged), defs, depth + 1);
    }

    let mut out = Map::new();
    for (k, v) in obj {
        match k.as_str() {
            "type" => match v {
                Value::Array(types) => {
                    let non_null: Vec<&Value> = types.iter().filter(|t| t.as_str() != Some("null")).collect();
                    if non_null.len() < types.len() {
                        out.insert("nullable".into(), Value::Bool(true));
                    }
                    match non_null.as_slice() {
                        [one] => {
                            out.insert("type".into(), (*one).clone());
                        }
                        [] => {}
                        many => {
                            let mut alt = obj.clone();
                            alt.remove("type");
                            let alts = many
                                .iter()
                                .map(|t| {
                                    let mut a = alt.clone();
                                    a.insert("type".into(), (*t).clone());
                                    convert(&Value::Object(a), defs, depth + 1)
                                })
                                .collect();
                            let mut o = Map::new();
                            o.insert("anyOf".into(), Value::Array(alts));
                            if out.contains_key("nullable") {
                                o.insert("nullable".into(), Value::Bool(true));
                            }
                            return Value::Object(o);
                        }
                    }
                }
                other => {
                    out.insert("type".into(), other.clone());
                }
            },
            "properties" => {
                // inserted one by one: collect() would sort first (more code in the wasm)
                let mut props = Map::new();
                if let Some(p) = v.as_object() {
                    props.extend(p.iter().map(|(name, s)| (name.clone(), convert(s, defs, depth + 1))));
                }
                out.insert("properties".into(), Value::Object(props));
            }
            "items" => {
                out.insert("items".into(), convert(v, defs, depth + 1));
            }
            "const" => {
                out.insert("enum".into(), json!([scalar_string(v)]));
            }
            "enum" => {
                let all = v.as_array().map(Vec::as_slice).unwrap_or(&[]);
                // a `null` member is what `nullable` says; the rest become strings
                if all.iter().any(Value::is_null) {
                    out.insert("nullable".into(), Value::Bool(true));
                }
                let vals: Vec<Value> = all.iter().filter(|x| !x.is_null()).map(|x| Value::from(scalar_string(x))).collect();
                out.insert("enum".into(), Value::Array(vals));
            }
            k if KEEP.contains(&k) || k == "maximum" => {
                out.insert(k.to_owned(), v.clone());
            }
            _ => {}
        }
    }
    if out.contains_key("enum") {
        // Gemini enums are strings
        out.insert("type".into(), Value::from("string"));
        out.insert("format".into(), Value::from("enum"));
    }
    if let Some(f) = out.get("format").and_then(Value::as_str) {
        let ok = match out.get("type").and_then(Value::as_str) {
            Some("string") => matches!(f, "enum" | "date-time"),
            Some("integer") => matches!(f, "int32" | "int64"),
            Some("number") => matches!(f, "float" | "double"),
            _ => false,
        };
        if !ok {
            out.remove("format");
        }
    }
    // `required` may only name properties that exist
    if let Some(req) = out.get("required").and_then(Value::as_array) {
        let props = out.get("properties").and_then(Value::as_object);
        let kept: Vec<Value> =
            req.iter().filter(|r| r.as_str().is_some_and(|n| props.is_some_and(|p| p.contains_key(n)))).cloned().collect();
        if kept.is_empty() {
            out.remove("required");
        } else {
            out.insert("required".into(), Value::Array(kept));
        }
    }
    Value::Object(out)
}

fn scalar_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reduces_like_litellm() {
        let s = json!({
            "$schema": "http://json-schema.org/draft-07/schema#",
            "type": "object", "additionalProperties": false, "strict": true,
            "$defs": {"Unit": {"type": "string", "enum": ["c", "f"]},
                      "Node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/Node"}}}},
            "properties": {
                "city": {"type": "string", "format": "hostname", "examples": ["x"]},
                "unit": {"$ref": "#/$defs/Unit", "description": "unit"},
                "days": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
                "tags": {"type": ["array", "null"], "items": {"type": "string"}},
                "kind": {"const": 3},
                "node": {"$ref": "#/$defs/Node"}
            },
            "required": ["city", "ghost"]
        });
        let g = to_gemini(&s);
        assert!(g.get("additionalProperties").is_none() && g.get("$schema").is_none() && g.get("strict").is_none());
        assert_eq!(g["properties"]["city"], json!({"type": "string"}));
        assert_eq!(g["properties"]["unit"], json!({"type": "string", "format": "enum", "enum": ["c", "f"], "description": "unit"}));
        assert_eq!(g["properties"]["days"], json!({"type": "integer", "nullable": true}));
        assert_eq!(g["properties"]["tags"], json!({"type": "array", "nullable": true, "items": {"type": "string"}}));
        assert_eq!(g["properties"]["kind"]["enum"], json!(["3"]));
        assert_eq!(g["required"], json!(["city"]));
        // the recursive ref is cut, not followed forever
        let mut depth = 0;
        let mut n = &g["properties"]["node"];
        while let Some(next) = n.get("properties").and_then(|p| p.get("next")) {
            n = next;
            depth += 1;
        }
        assert!(depth > 3 && depth <= MAX_DEPTH + 1, "{depth}");
    }
}
