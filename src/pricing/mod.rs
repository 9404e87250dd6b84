//! The compiled-in model table (LiteLLM's `model_prices_and_context_window.json`), model info,
//! capability flags, cost calculation and message trimming.
//!
//! The table is generated into Rust by `data/models/gen.py` (see `data/models/README.md`), so
//! there is no JSON to parse at start-up: lookups binary-search static arrays. LiteLLM's
//! `fallback_generalizations` rules (regular expressions giving capabilities to names the table
//! lacks, and routing bare ids such as `claude-*` to a provider) come along as data and are
//! matched by the small engine in `pattern.rs`. A caller that adds
//! or overrides models keeps its own [`ModelRegistry`]; the free functions here use the
//! compiled-in table alone.
//!
//! For the JS layer: keep one [`ModelRegistry`] per client (its `register_model` entries stay
//! with that client), price finished calls with [`ModelRegistry::response_cost`] or
//! [`ModelRegistry::completion_cost_with`] passing [`CostOptions::now_ms`] (`Date.now()`, so
//! off-peak windows apply as in LiteLLM), and serialize [`ModelInfo`] for `getModelInfo` — it
//! has LiteLLM's flat `model_info` shape.
//!
//! ```
//! use unillm::pricing::{self, Capability};
//! use unillm::types::Usage;
//! let info = pricing::model_info("gpt-4o");
//! assert_eq!(info.and_then(|i| i.provider).as_deref(), Some("openai"));
//! assert!(pricing::supports("gpt-4o", Capability::Vision));
//! let usage = Usage { prompt_tokens: 1000, completion_tokens: 100, ..Usage::default() };
//! let cost = pricing::completion_cost("gpt-4o", &usage);
//! assert_eq!(cost.ok(), Some(1000.0 * 2.5e-6 + 100.0 * 1e-5));
//! ```

pub mod chat_tokens;
mod cost;
mod env;
#[rustfmt::skip]
mod generated;
mod image;
mod info;
mod offpeak;
mod pattern;
mod resolve;
mod table;
mod trim;

pub use cost::Cost;
pub use env::EnvironmentCheck;
pub use generated::{Capability, LITELLM_VERSION};
pub use image::ImageRequest;
pub use info::{ModelInfo, ModelRegistry, PriceTier};
pub use offpeak::{OffPeakPricing, OffPeakWindow};
pub use trim::{trim_messages, TrimOptions};

use std::rc::Rc;
use crate::error::LlmError;
use crate::types::{ChatResponse, Usage};

/// How a call was billed, beyond its model and usage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CostOptions<'a> {
    /// The provider the call went to (`custom_llm_provider`); by default the one the model
    /// name routes to.
    pub provider: Option<&'a str>,
    /// The service tier the response reports (`priority`, `flex`, ...).
    pub service_tier: Option<&'a str>,
    /// When the call was billed, in Unix milliseconds, for off-peak windows. LiteLLM uses the
    /// current time; without it here off-peak rates never apply.
    pub now_ms: Option<i64>,
}

impl ModelRegistry {
    /// LiteLLM's `cost_per_token(model, usage_object=usage)`: prompt and completion cost in USD.
    /// An unknown model is a [`NotFoundError`](crate::error::ErrorKind::NotFoundError).
    pub fn cost_per_token(&self, model: &str, usage: &Usage) -> Result<Cost, LlmError> {
        self.cost_per_token_with(model, usage, &CostOptions::default())
    }

    /// `cost_per_token` with an explicit provider (`custom_llm_provider`).
    pub fn cost_per_token_for(
        &self,
        model: &str,
        provider: Option<&str>,
        usage: &Usage,
    ) -> Result<Cost, LlmError> {
        self.cost_per_token_with(
            model,
            usage,
            &CostOptions {
                provider,
                ..CostOptions::default()
            },
        )
    }

    /// `cost_per_token(model, usage_object=usage, custom_llm_provider=..., service_tier=...)`.
    pub fn cost_per_token_with(
        &self,
        model: &str,
        usage: &Usage,
        options: &CostOptions<'_>,
    ) -> Result<Cost, LlmError> {
        let (provider, info) = self.priced_info(model, options.provider);
        let info = info.ok_or_else(|| cost::unknown_model(model))?;
        Ok(cost::cost_for_info(
            &info,
            usage,
            provider.as_deref(),
            options,
        ))
    }

    /// The provider and the priced entry for `model` (`None`: unknown, or known only from the
    /// fallback rules, which LiteLLM prices at 0 — a silent zero is worse than saying we don't
    /// know). Lookups in the built-in table alone are memoised: the table never changes, and a
    /// miss walks every fallback rule (≈0.2 ms in wasm), which every call to a model the table
    /// lacks (an Azure deployment, a local vLLM model) would otherwise pay again.
    /// A hit shares the entry (`Rc`): cloning a `ModelInfo` (its maps of prices and flags, ~60
    /// strings) cost more than the rest of pricing a call.
    fn priced_info(&self, model: &str, provider: Option<&str>) -> (Option<String>, Option<Rc<ModelInfo>>) {
        let compute = || {
            let provider = match provider {
                Some(p) => Some(p.to_string()),
                None => self.provider_of(model),
            };
            let info = self.model_info_for(model, provider.as_deref()).filter(|i| !i.inferred).map(Rc::new);
            (provider, info)
        };
        if !self.is_builtin_only() {
            return compute();
        }
        type Memo = std::collections::HashMap<(String, Option<String>), (Option<String>, Option<Rc<ModelInfo>>)>;
        type Last = Option<((String, Option<String>), (Option<String>, Option<Rc<ModelInfo>>))>;
        thread_local! {
            static MEMO: std::cell::RefCell<Memo> = std::cell::RefCell::new(Memo::new());
            // the model priced last: calls in a row mostly go to one model, and comparing two
            // strings is cheaper than building the key and hashing it
            static LAST: std::cell::RefCell<Last> = const { std::cell::RefCell::new(None) };
        }
        let last = LAST.with(|l| {
            l.borrow().as_ref().filter(|((m, p), _)| m == model && p.as_deref() == provider).map(|(_, v)| v.clone())
        });
        if let Some(hit) = last {
            return hit;
        }
        let key = (model.to_string(), provider.map(str::to_string));
        if let Some(hit) = MEMO.with(|m| m.borrow().get(&key).cloned()) {
            LAST.with(|l| *l.borrow_mut() = Some((key, hit.clone())));
            return hit;
        }
        let value = compute();
        MEMO.with(|m| {
            let mut m = m.borrow_mut();
            if m.len() >= 512 {
                m.clear(); // bounded: a caller cycling through endless names cannot grow it
            }
            m.insert(key.clone(), value.clone());
        });
        LAST.with(|l| *l.borrow_mut() = Some((key, value.clone())));
        value
    }

    /// LiteLLM's `completion_cost` for a chat call with this usage: prompt + completion cost.
    pub fn completion_cost(&self, model: &str, usage: &Usage) -> Result<f64, LlmError> {
        self.cost_per_token(model, usage).map(|c| c.total())
    }

    /// `completion_cost(completion_response=response, model=requested)`: the cost of a finished
    /// call from its usage, priced as `requested` (the model the caller asked for; LiteLLM prefers
    /// it) or else as the model the response names, at the service tier the response reports.
    /// A response without usage is a [`BadRequestError`](crate::error::ErrorKind::BadRequestError).
    pub fn response_cost(
        &self,
        response: &ChatResponse,
        requested: Option<&str>,
        provider: Option<&str>,
    ) -> Result<f64, LlmError> {
        let usage = response.usage.as_ref().ok_or_else(|| {
            LlmError::new(
                crate::error::ErrorKind::BadRequestError,
                "the response carries no usage to price",
            )
        })?;
        let options = CostOptions {
            provider,
            service_tier: response.service_tier.as_deref(),
            ..CostOptions::default()
        };
        let first = requested.unwrap_or(&response.model);
        match self.completion_cost_with(first, usage, &options) {
            Err(e)
                if requested.is_some() && !response.model.is_empty() && response.model != first =>
            {
                self.completion_cost_with(&response.model, usage, &options)
                    .map_err(|_| e)
            }
            other => other,
        }
    }

    /// `completion_cost` with a provider and service tier.
    pub fn completion_cost_with(
        &self,
        model: &str,
        usage: &Usage,
        options: &CostOptions<'_>,
    ) -> Result<f64, LlmError> {
        self.cost_per_token_with(model, usage, options)
            .map(|c| c.total())
    }
}

fn builtin() -> &'static ModelRegistry {
    static EMPTY: ModelRegistry = ModelRegistry::EMPTY;
    &EMPTY
}

/// `get_model_info(model)` from the compiled-in table.
pub fn model_info(model: &str) -> Option<ModelInfo> {
    builtin().model_info(model)
}

/// `get_max_tokens(model)`: the maximum output tokens.
pub fn max_tokens(model: &str) -> Option<u64> {
    builtin().max_tokens(model)
}

/// `supports_*(model)` from the compiled-in table (unknown model: `false`).
pub fn supports(model: &str, capability: Capability) -> bool {
    builtin().supports(model, capability)
}

/// Every key of the compiled-in table, sorted.
pub fn model_list() -> Vec<String> {
    builtin().model_list()
}

/// Every provider of the compiled-in table, sorted.
pub fn provider_list() -> Vec<String> {
    builtin().provider_list()
}

/// `validate_environment(model)` given which variable names are set.
pub fn validate_environment(model: &str, is_set: impl Fn(&str) -> bool) -> EnvironmentCheck {
    builtin().validate_environment(model, is_set)
}

/// `cost_per_token(model, usage)` from the compiled-in table.
pub fn cost_per_token(model: &str, usage: &Usage) -> Result<Cost, LlmError> {
    builtin().cost_per_token(model, usage)
}

/// `completion_cost(model, usage)` from the compiled-in table.
pub fn completion_cost(model: &str, usage: &Usage) -> Result<f64, LlmError> {
    builtin().completion_cost(model, usage)
}
