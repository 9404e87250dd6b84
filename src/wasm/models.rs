//! The model table for JS: one `ModelRegistry` handle per registry (the JS layer keeps a default
//! one and lets clients own theirs), model info, capability flags, costs and environment checks.
//! Structured values cross as JSON strings, like everywhere in this layer.

use std::collections::BTreeSet;

use wasm_bindgen::prelude::*;

use super::{js_err, to_json};
use crate::error::{ErrorKind, LlmError};
use crate::pricing::{Capability, CostOptions, ModelInfo, ModelRegistry};
use crate::types::{ChatResponse, Usage};

#[wasm_bindgen(js_name = ModelRegistry)]
pub struct JsModelRegistry {
    pub(crate) inner: ModelRegistry,
}

fn capability(name: &str) -> Result<Capability, JsValue> {
    let key = if name.starts_with("supports_") { name.to_owned() } else { format!("supports_{name}") };
    Capability::ALL
        .iter()
        .copied()
        .find(|c| c.key() == key)
        .ok_or_else(|| js_err(LlmError::bad_request(format!("unknown capability `{name}`")).with_param("capability")))
}

fn usage_from(json: &str) -> Result<Usage, JsValue> {
    serde_json::from_str(json).map_err(|e| js_err(LlmError::bad_request(format!("invalid usage: {e}")).with_param("usage")))
}

#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct CostOpts {
    provider: Option<String>,
    service_tier: Option<String>,
    now_ms: Option<f64>,
}

fn cost_opts(json: &str) -> Result<CostOpts, JsValue> {
    if json.is_empty() {
        return Ok(CostOpts::default());
    }
    serde_json::from_str(json).map_err(|e| js_err(LlmError::bad_request(format!("invalid cost options: {e}"))))
}

#[wasm_bindgen(js_class = ModelRegistry)]
impl JsModelRegistry {
    #[wasm_bindgen(constructor)]
    pub fn new() -> JsModelRegistry {
        JsModelRegistry { inner: ModelRegistry::new() }
    }

    /// Adds or updates a model (LiteLLM's `register_model`); `info` is a `model_info`-shaped JSON object.
    #[wasm_bindgen(js_name = registerModel)]
    pub fn register_model(&mut self, name: &str, info: &str) -> Result<(), JsValue> {
        let v: serde_json::Value = serde_json::from_str(info)
            .map_err(|e| js_err(LlmError::bad_request(format!("invalid model info: {e}"))))?;
        let parsed = ModelInfo::from_json(name, &v)
            .ok_or_else(|| js_err(LlmError::bad_request(format!("invalid model info for `{name}`: expected an object"))))?;
        self.inner.register_model(name, parsed);
        Ok(())
    }

    #[wasm_bindgen(js_name = unregisterModel)]
    pub fn unregister_model(&mut self, name: &str) -> bool {
        self.inner.unregister_model(name)
    }

    /// LiteLLM's `get_model_info` as JSON, or `undefined` for an unknown model.
    #[wasm_bindgen(js_name = modelInfo)]
    pub fn model_info(&self, model: &str, provider: Option<String>) -> Result<Option<String>, JsValue> {
        match self.inner.model_info_for(model, provider.as_deref()) {
            Some(info) => to_json(&info).map(Some),
            None => Ok(None),
        }
    }

    #[wasm_bindgen(js_name = maxTokens)]
    pub fn max_tokens(&self, model: &str) -> Option<f64> {
        self.inner.max_tokens(model).map(|n| n as f64)
    }

    /// `supports_<capability>(model)`; `capability` with or without the `supports_` prefix.
    pub fn supports(&self, model: &str, capability_name: &str) -> Result<bool, JsValue> {
        Ok(self.inner.supports(model, capability(capability_name)?))
    }

    /// Every capability name the table knows (`function_calling`, `vision`, ...), as JSON.
    pub fn capabilities() -> String {
        let names: Vec<&str> = Capability::ALL.iter().map(|c| c.key().trim_start_matches("supports_")).collect();
        serde_json::to_string(&names).unwrap_or_else(|_| "[]".to_owned())
    }

    #[wasm_bindgen(js_name = modelList)]
    pub fn model_list(&self) -> Result<String, JsValue> {
        to_json(&self.inner.model_list())
    }

    #[wasm_bindgen(js_name = providerList)]
    pub fn provider_list(&self) -> Result<String, JsValue> {
        to_json(&self.inner.provider_list())
    }

    /// `{ prompt, completion }` in USD for `usage` (JSON) on `model`.
    #[wasm_bindgen(js_name = costPerToken)]
    pub fn cost_per_token(&self, model: &str, usage: &str, options: &str) -> Result<String, JsValue> {
        let usage = usage_from(usage)?;
        let o = cost_opts(options)?;
        let opts = CostOptions {
            provider: o.provider.as_deref(),
            service_tier: o.service_tier.as_deref(),
            now_ms: o.now_ms.filter(|t| t.is_finite() && *t > 0.0).map(|t| t as i64),
        };
        let c = self.inner.cost_per_token_with(model, &usage, &opts).map_err(js_err)?;
        to_json(&serde_json::json!({ "prompt": c.prompt, "completion": c.completion }))
    }

    /// The cost in USD of a finished call, from its response JSON (`model` overrides the name to price).
    #[wasm_bindgen(js_name = responseCost)]
    pub fn response_cost(&self, response: &str, model: Option<String>, provider: Option<String>) -> Result<f64, JsValue> {
        let r: ChatResponse = serde_json::from_str(response)
            .map_err(|e| js_err(LlmError::bad_request(format!("invalid response: {e}")).with_param("response")))?;
        self.inner.response_cost(&r, model.as_deref(), provider.as_deref()).map_err(js_err)
    }

    /// LiteLLM's `validate_environment`: `names` is the JSON list of variable names that are set.
    #[wasm_bindgen(js_name = validateEnvironment)]
    pub fn validate_environment(&self, model: &str, names: &str) -> Result<String, JsValue> {
        let set: BTreeSet<String> = serde_json::from_str(names).map_err(|e| {
            js_err(LlmError::new(ErrorKind::BadRequestError, format!("invalid environment names: {e}")))
        })?;
        to_json(&self.inner.validate_environment(model, |n| set.contains(n)))
    }
}

impl Default for JsModelRegistry {
    fn default() -> Self {
        Self::new()
    }
}
