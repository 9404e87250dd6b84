//! Model information: [`ModelInfo`], the caller-owned [`ModelRegistry`] overlay, and name
//! resolution the way LiteLLM's `get_model_info` does it.
//!
//! Resolution of `model` (optionally with an explicit provider) tries, in LiteLLM's order, the
//! candidates `provider/model`, `model`, the model without its provider prefix, and the "stripped"
//! forms (`ft:gpt-4o:org::id` -> `ft:gpt-4o`, a trailing `-YYYY-MM-DD` snapshot date, a Vertex /
//! Gemini / Databricks `-NNN` version suffix, a Bedrock region prefix and `:N` version). Each
//! candidate is looked up exactly, then case-insensitively, first in the registry's own entries and
//! then in the compiled-in table, and is accepted only if its `litellm_provider` fits the requested
//! provider (LiteLLM's `_check_provider_match`).

use std::collections::BTreeMap;

use serde::Serialize;

use super::generated::{Capability, MODES, PROVIDERS, RULES};
use super::offpeak::OffPeakPricing;
use super::resolve::{normalize_provider, provider_matches, split_provider, PotentialNames};
use super::table::{self, Rule};

/// Everything the table knows about one model, in LiteLLM's `model_info` shape: the named fields
/// plus every numeric field (`prices`, e.g. `input_cost_per_token`) and every boolean field
/// (`flags`, e.g. `supports_vision`) that the entry states. Serializes flat, like LiteLLM's dict.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ModelInfo {
    /// The table key the model resolved to.
    pub key: String,
    #[serde(rename = "litellm_provider", skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    pub max_input_tokens: Option<u64>,
    pub max_output_tokens: Option<u64>,
    pub max_tokens: Option<u64>,
    #[serde(flatten)]
    pub prices: BTreeMap<String, f64>,
    #[serde(flatten)]
    pub flags: BTreeMap<String, bool>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tiered_pricing: Vec<PriceTier>,
    /// Rates that replace the standard ones in off-peak windows (DeepSeek and the like).
    #[serde(rename = "off_peak_pricing", skip_serializing_if = "Option::is_none")]
    pub off_peak: Option<OffPeakPricing>,
    /// `true` when no table entry matched and this comes from LiteLLM's fallback generalization
    /// rules alone: capabilities and limits, but no prices.
    #[serde(skip)]
    pub inferred: bool,
}

/// One `tiered_pricing` entry: every token of a request whose input tokens fall in `range` is
/// billed at this tier's rates.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PriceTier {
    pub range: [f64; 2],
    #[serde(flatten)]
    pub prices: BTreeMap<String, f64>,
}

/// A map from pairs, inserted one by one: `collect()` into a `BTreeMap` sorts them first, and
/// each key/value type instantiated another ~5 KB of sort code in the wasm.
pub(super) fn map_of<K: Ord, V>(pairs: impl IntoIterator<Item = (K, V)>) -> BTreeMap<K, V> {
    let mut m = BTreeMap::new();
    m.extend(pairs);
    m
}

impl ModelInfo {
    /// A numeric field (`input_cost_per_token`, `cache_read_input_token_cost`, `rpm`, ...).
    pub fn price(&self, field: &str) -> Option<f64> {
        self.prices.get(field).copied()
    }

    /// A boolean field as the entry states it (`None` when absent).
    pub fn flag(&self, field: &str) -> Option<bool> {
        self.flags.get(field).copied()
    }

    /// Whether the entry states the capability as `true` (absent counts as `false`, as in LiteLLM).
    pub fn supports(&self, capability: Capability) -> bool {
        self.flag(capability.key()) == Some(true)
    }

    /// Builds an entry from a LiteLLM-shaped JSON object (what `register_model` receives):
    /// numbers become prices, booleans flags; `litellm_provider`, `mode`, `max_*` and
    /// `tiered_pricing` are read by name. Other fields are ignored. Numbers given as strings
    /// ("3e-7", as LiteLLM accepts from config files) are parsed.
    pub fn from_json(key: &str, value: &serde_json::Value) -> Option<ModelInfo> {
        let obj = value.as_object()?;
        let mut info = ModelInfo {
            key: key.to_string(),
            ..ModelInfo::default()
        };
        for (k, v) in obj {
            match k.as_str() {
                "litellm_provider" => info.provider = v.as_str().map(str::to_string),
                "mode" => info.mode = v.as_str().map(str::to_string),
                "max_input_tokens" => info.max_input_tokens = json_u64(v),
                "max_output_tokens" => info.max_output_tokens = json_u64(v),
                "max_tokens" => info.max_tokens = json_u64(v),
                "off_peak_pricing" => info.off_peak = OffPeakPricing::from_json(v),
                "tiered_pricing" => {
                    info.tiered_pricing = v
                        .as_array()
                        .map(|tiers| tiers.iter().filter_map(tier_from_json).collect())
                        .unwrap_or_default()
                }
                _ => {
                    if let Some(b) = v.as_bool() {
                        info.flags.insert(k.clone(), b);
                    } else if let Some(x) = json_f64(v) {
                        info.prices.insert(k.clone(), x);
                    }
                }
            }
        }
        Some(info)
    }

    /// Overlays `other` on `self` the way LiteLLM's `register_model` updates an existing entry:
    /// every field `other` states replaces the old one, the rest stays.
    pub fn merge(&mut self, other: &ModelInfo) {
        if other.provider.is_some() {
            self.provider.clone_from(&other.provider);
        }
        if other.mode.is_some() {
            self.mode.clone_from(&other.mode);
        }
        self.max_input_tokens = other.max_input_tokens.or(self.max_input_tokens);
        self.max_output_tokens = other.max_output_tokens.or(self.max_output_tokens);
        self.max_tokens = other.max_tokens.or(self.max_tokens);
        self.prices
            .extend(other.prices.iter().map(|(k, v)| (k.clone(), *v)));
        self.flags
            .extend(other.flags.iter().map(|(k, v)| (k.clone(), *v)));
        if !other.tiered_pricing.is_empty() {
            self.tiered_pricing.clone_from(&other.tiered_pricing);
        }
        if other.off_peak.is_some() {
            self.off_peak.clone_from(&other.off_peak);
        }
    }

    fn from_builtin(index: usize) -> Option<ModelInfo> {
        let m = table::model(index)?;
        let name = |v: &'static str| (!v.is_empty()).then(|| v.to_string());
        Some(ModelInfo {
            key: m.name.to_string(),
            provider: PROVIDERS
                .get(usize::from(m.provider))
                .copied()
                .and_then(name),
            mode: MODES.get(usize::from(m.mode)).copied().and_then(name),
            max_input_tokens: table::limit(m.max_input),
            max_output_tokens: table::limit(m.max_output),
            max_tokens: table::limit(m.max_tokens),
            prices: map_of(table::price_pairs(m.prices)
                .map(|(k, v)| (k.to_string(), v))),
            flags: map_of(table::flag_pairs(m.flags)
                .map(|(k, v)| (k.to_string(), v))),
            tiered_pricing: table::tiers(&m)
                .iter()
                .map(|t| PriceTier {
                    range: [t.lo, t.hi],
                    prices: map_of(table::price_pairs(t.prices)
                        .map(|(k, v)| (k.to_string(), v))),
                })
                .collect(),
            off_peak: table::off_peak(index).map(OffPeakPricing::from_builtin),
            inferred: false,
        })
    }

    /// The fields a rule gives (mode, limits, numbers, booleans), as an entry.
    fn from_rule(rule: &Rule) -> ModelInfo {
        ModelInfo {
            mode: (!rule.mode.is_empty()).then(|| rule.mode.to_string()),
            max_input_tokens: table::limit(rule.limits[0]),
            max_output_tokens: table::limit(rule.limits[1]),
            max_tokens: table::limit(rule.limits[2]),
            prices: map_of(table::price_pairs(rule.prices)
                .map(|(k, v)| (k.to_string(), v))),
            flags: map_of(table::flag_pairs(rule.flags)
                .map(|(k, v)| (k.to_string(), v))),
            ..ModelInfo::default()
        }
    }

    /// Adds the fields of `other` that `self` lacks (an existing value wins).
    fn fill_missing(&mut self, other: &ModelInfo) {
        if self.mode.is_none() {
            self.mode.clone_from(&other.mode);
        }
        self.max_input_tokens = self.max_input_tokens.or(other.max_input_tokens);
        self.max_output_tokens = self.max_output_tokens.or(other.max_output_tokens);
        self.max_tokens = self.max_tokens.or(other.max_tokens);
        for (k, v) in &other.prices {
            self.prices.entry(k.clone()).or_insert(*v);
        }
        for (k, v) in &other.flags {
            self.flags.entry(k.clone()).or_insert(*v);
        }
    }

    /// The shape LiteLLM's `get_model_info` returns: `max_tokens` is `max_output_tokens`, else
    /// `max_input_tokens` (the table's own `max_tokens` field is not passed through).
    fn litellm_view(mut self) -> ModelInfo {
        self.max_tokens = self.max_output_tokens.or(self.max_input_tokens);
        self
    }
}

/// The union of every capability rule matching `name`, later rules winning (LiteLLM's
/// `match_capability_generalizations`); `None` when none matches.
fn capability_rules(name: &str) -> Option<ModelInfo> {
    let mut out: Option<ModelInfo> = None;
    for rule in RULES
        .iter()
        .filter(|r| r.provider.is_empty() && r.matches(name))
    {
        out.get_or_insert_with(ModelInfo::default)
            .merge(&ModelInfo::from_rule(rule));
    }
    out
}

/// LiteLLM's `mapped_model_fill_missing`: for chat/responses entries, the fields that flagged
/// capability rules give the entry's provider and the entry lacks.
fn fill_from_rules(mut info: ModelInfo) -> ModelInfo {
    let mode = info.mode.as_deref().unwrap_or("chat");
    let Some(provider) = info.provider.clone() else {
        return info;
    };
    if mode != "chat" && mode != "responses" {
        return info;
    }
    let mut fill: Option<ModelInfo> = None;
    for rule in RULES.iter() {
        if rule.provider.is_empty()
            && rule.fill_for.contains(&provider.as_str())
            && rule.matches(&info.key)
        {
            fill.get_or_insert_with(ModelInfo::default)
                .merge(&ModelInfo::from_rule(rule));
        }
    }
    if let Some(fill) = fill {
        info.fill_missing(&fill);
    }
    info
}

/// The provider of the first routing rule matching a bare model id.
fn routing_rule(model: &str) -> Option<&'static str> {
    RULES
        .iter()
        .find(|r| !r.provider.is_empty() && r.matches(model))
        .map(|r| r.provider)
}

fn json_f64(v: &serde_json::Value) -> Option<f64> {
    match v {
        serde_json::Value::Number(n) => n.as_f64().filter(|x| x.is_finite()),
        serde_json::Value::String(s) => s.trim().parse::<f64>().ok().filter(|x| x.is_finite()),
        _ => None,
    }
}

fn json_u64(v: &serde_json::Value) -> Option<u64> {
    json_f64(v).filter(|x| *x >= 0.0).map(|x| x as u64)
}

fn tier_from_json(v: &serde_json::Value) -> Option<PriceTier> {
    let obj = v.as_object()?;
    let range = obj.get("range")?.as_array()?;
    let lo = json_f64(range.first()?)?;
    let hi = json_f64(range.get(1)?)?;
    let prices = map_of(obj.iter().filter(|(k, _)| k.as_str() != "range").filter_map(|(k, v)| Some((k.clone(), json_f64(v)?))));
    Some(PriceTier {
        range: [lo, hi],
        prices,
    })
}

/// The compiled-in table plus the caller's own entries (`register_model`). The caller owns it —
/// the JS layer keeps one per client — so there is no global mutable state.
#[derive(Debug, Clone, Default)]
pub struct ModelRegistry {
    custom: BTreeMap<String, ModelInfo>,
}

impl ModelRegistry {
    /// The compiled-in table alone, as a constant.
    pub const EMPTY: ModelRegistry = ModelRegistry {
        custom: BTreeMap::new(),
    };

    /// Whether this registry is the compiled-in table alone (no entries of its own).
    pub fn is_builtin_only(&self) -> bool {
        self.custom.is_empty()
    }

    /// A registry with no entries of its own: just the compiled-in table.
    pub fn new() -> ModelRegistry {
        ModelRegistry::default()
    }

    /// Adds or updates an entry (LiteLLM's `register_model`): an existing entry of the same key,
    /// compiled-in or registered, is updated field by field; a new key is added as given.
    pub fn register_model(&mut self, key: &str, info: ModelInfo) {
        let mut base = self
            .custom
            .get(key)
            .cloned()
            .or_else(|| table::find_exact(key).and_then(ModelInfo::from_builtin))
            .unwrap_or_default();
        base.merge(&info);
        base.key = key.to_string();
        self.custom.insert(key.to_string(), base);
    }

    /// Removes a registered entry; the compiled-in one (if any) shows through again.
    pub fn unregister_model(&mut self, key: &str) -> bool {
        self.custom.remove(key).is_some()
    }

    /// The entry for exactly this key (LiteLLM's `key in litellm.model_cost`), registered first.
    pub fn exact_entry(&self, key: &str) -> Option<ModelInfo> {
        if let Some(info) = self.custom.get(key) {
            return Some(info.clone());
        }
        table::find_exact(key).and_then(ModelInfo::from_builtin)
    }

    /// The entry for one exact key (then a case-insensitive match), registered entries first.
    pub fn entry(&self, key: &str) -> Option<ModelInfo> {
        if let Some(info) = self.custom.get(key) {
            return Some(info.clone());
        }
        if let Some(i) = table::find_exact(key) {
            return ModelInfo::from_builtin(i);
        }
        if let Some((_, info)) = self
            .custom
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
        {
            return Some(info.clone());
        }
        table::find(key).and_then(ModelInfo::from_builtin)
    }

    /// LiteLLM's `get_model_info(model)`: `None` for a model neither table knows.
    pub fn model_info(&self, model: &str) -> Option<ModelInfo> {
        self.model_info_for(model, None)
    }

    /// `get_model_info(model, custom_llm_provider)`. A name no entry matches may still get
    /// capabilities (never prices) from LiteLLM's fallback generalization rules; such an answer
    /// has [`ModelInfo::inferred`] set.
    pub fn model_info_for(&self, model: &str, provider: Option<&str>) -> Option<ModelInfo> {
        let names = PotentialNames::new(model, provider);
        let candidates = names.candidates(model);
        let mut any_entry = false;
        for candidate in candidates {
            if let Some(info) = self.entry(candidate) {
                any_entry = true;
                if provider_matches(info.provider.as_deref(), names.provider.as_deref()) {
                    return Some(fill_from_rules(info).litellm_view());
                }
            }
        }
        // LiteLLM's `_get_model_info_from_generalization`: rules lose to any exact entry.
        if any_entry {
            return None;
        }
        candidates.iter().find_map(|candidate| {
            let mut info = capability_rules(candidate)?;
            info.key = candidate.to_string();
            info.provider = names
                .provider
                .clone()
                .or_else(|| routing_rule(model).map(str::to_string));
            info.inferred = true;
            Some(info.litellm_view())
        })
    }

    /// The provider LiteLLM would route `model` to: the `provider/` prefix if it names a known
    /// provider, else the table entry's provider (with `vertex_ai-*` and the like folded).
    pub fn provider_of(&self, model: &str) -> Option<String> {
        if let Some((p, _)) = split_provider(model) {
            return Some(p.to_string());
        }
        if let Some(p) = self
            .model_info(model)
            .filter(|i| !i.inferred)
            .and_then(|i| i.provider)
        {
            return Some(normalize_provider(&p).to_string());
        }
        routing_rule(model).map(str::to_string)
    }

    /// `get_max_tokens(model)`: the entry's `max_output_tokens`.
    pub fn max_tokens(&self, model: &str) -> Option<u64> {
        self.model_info(model)
            .filter(|i| !i.inferred)
            .and_then(|i| i.max_output_tokens)
    }

    /// `supports_*(model)` as LiteLLM's `supports_factory` decides it: the entry's flag when it
    /// states one; when it states none, the flag of the bare (provider-less) entry, then the few
    /// provider-wide defaults LiteLLM's provider code adds (Fireworks: function calling and prompt
    /// caching; xAI: web search; response schema for every Fireworks, Databricks, Nebius,
    /// Predibase and LM Studio model). `false` for unknown models.
    pub fn supports(&self, model: &str, capability: Capability) -> bool {
        // The provider as LiteLLM routes it: a known prefix, else the entry's own (unfolded) one.
        let provider = match split_provider(model) {
            Some((p, _)) => Some(p.to_string()),
            None => self.model_info(model).and_then(|i| i.provider),
        };
        let provider = provider.as_deref();
        if capability == Capability::ResponseSchema
            && matches!(
                provider,
                Some("predibase" | "fireworks_ai" | "lm_studio" | "nebius" | "databricks")
            )
        {
            return true;
        }
        let key = capability.key();
        let stated = self.model_info(model).and_then(|i| i.flag(key));
        match stated {
            Some(v) => v,
            None => {
                let bare = split_provider(model).map_or(model, |(_, rest)| rest);
                self.entry(bare).and_then(|i| i.flag(key)) == Some(true)
                    || provider_default(provider, capability)
            }
        }
    }

    /// Every key: the compiled-in table's and the registered ones, sorted, without duplicates.
    pub fn model_list(&self) -> Vec<String> {
        let mut out: Vec<String> = (0..table::len())
            .map(|i| table::name(i).to_string())
            .collect();
        out.extend(
            self.custom
                .keys()
                .filter(|k| table::find_exact(k).is_none())
                .cloned(),
        );
        out.sort();
        out
    }

    /// Every provider named by an entry (with `vertex_ai-*`, `fireworks_ai-*` folded), sorted.
    pub fn provider_list(&self) -> Vec<String> {
        let mut out: Vec<String> = PROVIDERS
            .iter()
            .copied()
            .chain(self.custom.values().filter_map(|i| i.provider.as_deref()))
            .map(normalize_provider)
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

/// Capabilities LiteLLM's provider code grants a whole provider (`get_provider_info`).
fn provider_default(provider: Option<&str>, capability: Capability) -> bool {
    matches!(
        (provider, capability),
        (
            Some("fireworks_ai"),
            Capability::FunctionCalling | Capability::PromptCaching
        ) | (Some("xai"), Capability::WebSearch)
    )
}
