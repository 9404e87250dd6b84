//! Cost of a call from its [`Usage`], with LiteLLM's numbers.
//!
//! This is LiteLLM's `generic_cost_per_token` (litellm/litellm_core_utils/llm_cost_calc/utils.py),
//! which nearly every provider's `cost_per_token` delegates to, for the standard service tier:
//!
//! - **Usage convention** (LiteLLM's): `prompt_tokens` *includes* cache reads and cache writes.
//!   Cache reads come from `prompt_tokens_details.cached_tokens`, overridden by Anthropic's
//!   `cache_read_input_tokens`; cache writes from `cache_creation_input_tokens`. Text prompt tokens
//!   are `prompt_tokens_details.text_tokens` when given, else `prompt_tokens` minus cache reads,
//!   cache writes, audio and image tokens (never below 0).
//! - **Rates**: `input_cost_per_token` / `output_cost_per_token`; a model without an output rate
//!   but with `output_cost_per_image_token` bills output at that. When the prompt exceeds a
//!   threshold of an `*_above_<N>[k]_tokens` field (128k, 200k, 272k, ... — `>=` for xAI, `>`
//!   otherwise) the highest such threshold's input, output, cache-read and cache-write rates apply
//!   to all tokens. `tiered_pricing` tables (all-or-nothing tiers) win over both. An absent
//!   cache-read or cache-write rate is the input rate (Fireworks: half the input rate for reads).
//! - **Prompt cost** = text × input + cache reads × cache-read rate + audio ×
//!   `input_cost_per_audio_token` + image × `input_cost_per_image_token` (each defaulting to the
//!   input rate) + cache writes × cache-write rate.
//! - **Completion cost** = text × output + audio × `output_cost_per_audio_token` + reasoning ×
//!   `output_cost_per_reasoning_token` (each defaulting to the output rate), where text is
//!   `completion_tokens_details.text_tokens`, else the rest after reasoning and audio, and with no
//!   breakdown at all every completion token is a text token.
//! - [`completion_cost`](super::ModelRegistry::completion_cost) is the sum of the two. LiteLLM
//!   1.109.1 does not add `input_cost_per_request` (a few Perplexity entries) for chat calls, so
//!   neither does this; [`ModelInfo::price`] exposes it for callers who want it.
//!
//! Perplexity uses its own rule (LiteLLM's `llms/perplexity/cost_calculator.py`): every prompt
//! token at the input rate, no cache discount, no long-context tiers.
//!
//! Not modelled (documented gaps): service tiers (`*_priority`, `*_flex`, batches), off-peak
//! windows (those need the clock), regional uplifts, Anthropic geo/speed multipliers, per-second,
//! per-character and per-image (image generation) billing, web-search tool fees, provider-reported costs (`usage.cost` from
//! Perplexity / xAI), Azure AI
//! routing fees.

use crate::error::{ErrorKind, LlmError};
use crate::types::Usage;

use super::info::{ModelInfo, PriceTier};

/// Prompt and completion cost in USD.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Cost {
    pub prompt: f64,
    pub completion: f64,
}

impl Cost {
    pub fn total(&self) -> f64 {
        self.prompt + self.completion
    }
}

/// The token counts LiteLLM's cost code reads from a usage block.
#[derive(Debug, Clone, Copy, Default)]
struct Parsed {
    prompt_tokens: u64,
    has_prompt_details: bool,
    cache_hit: u64,
    cache_creation: u64,
    text: u64,
    audio: u64,
    image: u64,
    completion_tokens: u64,
    has_completion_details: bool,
    completion_text: u64,
    completion_audio: u64,
    reasoning: u64,
}

fn parse(usage: &Usage) -> Parsed {
    let pd = usage.prompt_tokens_details.as_ref();
    let cd = usage.completion_tokens_details.as_ref();
    let mut p = Parsed {
        prompt_tokens: usage.prompt_tokens,
        completion_tokens: usage.completion_tokens,
        has_prompt_details: pd.is_some()
            || usage.cache_read_input_tokens.is_some()
            || usage.cache_creation_input_tokens.is_some(),
        has_completion_details: cd.is_some(),
        ..Parsed::default()
    };
    if let Some(pd) = pd {
        p.cache_hit = pd.cached_tokens.unwrap_or(0);
        p.text = pd.text_tokens.unwrap_or(0);
        p.audio = pd.audio_tokens.unwrap_or(0);
        p.image = pd.image_tokens.unwrap_or(0);
    }
    if let Some(read) = usage.cache_read_input_tokens {
        p.cache_hit = read;
    }
    p.cache_creation = usage.cache_creation_input_tokens.unwrap_or(0);
    if let Some(cd) = cd {
        p.completion_audio = cd.audio_tokens.unwrap_or(0);
        p.reasoning = cd.reasoning_tokens.unwrap_or(0);
        let reported_text = cd.text_tokens.unwrap_or(0);
        // text_tokens_without_nested_reasoning
        let reported_total = reported_text + p.reasoning + p.completion_audio;
        let nested = p.reasoning.min(reported_text).min(reported_total.saturating_sub(p.completion_tokens));
        p.completion_text = reported_text - nested;
    }
    p
}

/// The per-token rates one request bills at (LiteLLM's `TokenRates`).
#[derive(Debug, Clone, Copy)]
struct Rates {
    input: f64,
    output: f64,
    cache_read: f64,
    cache_creation: f64,
}

fn tier_rate(tier: &PriceTier, key: &str, fallback: Option<&str>) -> f64 {
    match tier.prices.get(key) {
        Some(v) => *v,
        None => fallback.and_then(|f| tier.prices.get(f)).copied().unwrap_or(0.0),
    }
}

/// `select_tier_for_input`: the tier with `lo < input <= hi`, else the highest tier.
fn select_tier(info: &ModelInfo, prompt_tokens: u64) -> Option<&PriceTier> {
    if info.tiered_pricing.is_empty() || prompt_tokens == 0 {
        return None;
    }
    let mut tiers: Vec<&PriceTier> = info.tiered_pricing.iter().collect();
    tiers.sort_by(|a, b| a.range[0].total_cmp(&b.range[0]));
    let n = prompt_tokens as f64;
    let tier = tiers.iter().find(|t| t.range[0] < n && n <= t.range[1]).or(tiers.last()).copied()?;
    tier.prices.contains_key("input_cost_per_token").then_some(tier)
}

/// The numeric threshold of an `..._above_<N>[k]_tokens` key.
fn threshold_of(key: &str) -> Option<(f64, &str)> {
    let (_, rest) = key.rsplit_once("_above_")?;
    let t = rest.split("_tokens").next()?;
    // The table's thresholds are whole numbers ("128k", "200000"); integer parsing keeps the
    // float parser out of the wasm build.
    let value = match t.strip_suffix('k') {
        Some(num) => num.parse::<u64>().ok()? as f64 * 1000.0,
        None => t.parse::<u64>().ok()? as f64,
    };
    Some((value, t))
}

const THRESHOLD_PREFIXES: [&str; 4] = [
    "input_cost_per_token_above_",
    "output_cost_per_token_above_",
    "cache_read_input_token_cost_above_",
    "cache_creation_input_token_cost_above_",
];
const NON_STANDARD_SUFFIXES: [&str; 7] =
    ["_flex", "_priority", "_balanced", "_fast", "_ultrafast", "_decisions", "_batches"];

/// `_get_token_base_cost` for the standard service tier.
fn base_rates(info: &ModelInfo, prompt_tokens: u64, inclusive: bool) -> Rates {
    if let Some(tier) = select_tier(info, prompt_tokens) {
        let output = if tier.prices.contains_key("output_cost_per_token") {
            tier_rate(tier, "output_cost_per_token", None)
        } else {
            info.price("output_cost_per_token").unwrap_or(0.0)
        };
        return Rates {
            input: tier_rate(tier, "input_cost_per_token", None),
            output,
            cache_read: tier_rate(tier, "cache_read_input_token_cost", Some("input_cost_per_token")),
            cache_creation: tier_rate(tier, "cache_creation_input_token_cost", Some("input_cost_per_token")),
        };
    }
    let mut input = info.price("input_cost_per_token").unwrap_or(0.0);
    let mut output = info.price("output_cost_per_token").unwrap_or(0.0);
    if output == 0.0 {
        if let Some(v) = info.price("output_cost_per_image_token") {
            output = v;
        }
    }
    let mut cache_creation = info.price("cache_creation_input_token_cost");
    let mut cache_read = info.price("cache_read_input_token_cost");

    let mut thresholds: Vec<(f64, &str)> = info
        .prices
        .keys()
        .filter(|k| THRESHOLD_PREFIXES.iter().any(|p| k.starts_with(p)) && k.contains("_tokens"))
        .filter(|k| !NON_STANDARD_SUFFIXES.iter().any(|s| k.ends_with(s)))
        .filter_map(|k| threshold_of(k))
        .collect();
    thresholds.sort_by(|a, b| a.0.total_cmp(&b.0));
    let n = prompt_tokens as f64;
    for (threshold, t) in thresholds {
        if n > threshold || (inclusive && n == threshold) {
            let key = |base: &str| format!("{base}_above_{t}_tokens");
            input = info.price(&key("input_cost_per_token")).unwrap_or(input);
            output = info.price(&key("output_cost_per_token")).unwrap_or(output);
            cache_creation = info.price(&key("cache_creation_input_token_cost")).or(cache_creation);
            cache_read = info.price(&key("cache_read_input_token_cost")).or(cache_read);
        }
    }
    Rates {
        input,
        output,
        cache_read: cache_read.unwrap_or(input),
        cache_creation: cache_creation.unwrap_or(input),
    }
}

/// `generic_cost_per_token` on an already resolved entry. `provider` is the provider the call
/// went to (it decides xAI's inclusive thresholds and Fireworks' default cache-read rate).
pub fn cost_for_info(info: &ModelInfo, usage: &Usage, provider: Option<&str>) -> Cost {
    if provider == Some("perplexity") {
        return perplexity(info, usage);
    }
    let mut owned;
    let mut info = info;
    if provider == Some("fireworks_ai") && info.price("cache_read_input_token_cost").is_none() {
        if let Some(input) = info.price("input_cost_per_token") {
            owned = info.clone();
            owned.prices.insert("cache_read_input_token_cost".into(), input * 0.5);
            info = &owned;
        }
    }
    let mut u = parse(usage);
    if provider == Some("xai") {
        // xAI bills visible + reasoning tokens as output; LiteLLM folds them unless already folded.
        let already = usage.total_tokens == usage.prompt_tokens + usage.completion_tokens;
        if !already {
            u.completion_tokens += u.reasoning;
        }
        u.has_completion_details = false;
        u.completion_text = 0;
        u.completion_audio = 0;
        u.reasoning = 0;
    }
    let inclusive = provider == Some("xai");

    // Prompt side.
    let (mut text, mut audio, mut image) = if u.has_prompt_details { (u.text, u.audio, u.image) } else { (u.prompt_tokens, 0, 0) };
    let (cache_hit, cache_creation) = if u.has_prompt_details { (u.cache_hit, u.cache_creation) } else { (0, 0) };
    let total = text + cache_hit + audio + cache_creation + image;
    if (cache_hit > 0 || cache_creation > 0) && total > u.prompt_tokens {
        let budget = u.prompt_tokens.saturating_sub(cache_hit + cache_creation);
        audio = audio.min(budget);
        image = image.min(budget - audio);
        text = budget - audio - image;
    } else if text == 0 {
        text = u.prompt_tokens.saturating_sub(cache_hit + audio + cache_creation + image);
    }

    let rates = base_rates(info, u.prompt_tokens, inclusive);
    let mut prompt = text as f64 * rates.input;
    prompt += cache_hit as f64 * rates.cache_read;
    if audio > 0 {
        prompt += modality(info, "input_cost_per_audio_token", audio, rates.input);
    }
    if image > 0 {
        prompt += modality(info, "input_cost_per_image_token", image, rates.input);
    }
    if cache_creation > 0 {
        prompt += cache_creation as f64 * rates.cache_creation;
    }

    // Completion side.
    let (mut ctext, caudio, reasoning) = (u.completion_text, u.completion_audio, u.reasoning);
    let mut text_is_total = false;
    if ctext == 0 {
        if caudio > 0 || reasoning > 0 {
            ctext = u.completion_tokens.saturating_sub(reasoning + caudio);
        } else {
            ctext = u.completion_tokens;
            text_is_total = true;
        }
    }
    let mut completion = ctext as f64 * rates.output;
    if !text_is_total && caudio > 0 {
        completion += caudio as f64 * info.price("output_cost_per_audio_token").unwrap_or(rates.output);
    }
    if !text_is_total && reasoning > 0 {
        completion += reasoning as f64 * reasoning_rate(info, u.prompt_tokens, rates.output);
    }
    Cost { prompt, completion }
}

/// Perplexity's own calculator: no cache discount and no long-context tiers; reasoning tokens
/// at `output_cost_per_reasoning_token` when the model has one.
fn perplexity(info: &ModelInfo, usage: &Usage) -> Cost {
    let input = info.price("input_cost_per_token").unwrap_or(0.0);
    let output = info.price("output_cost_per_token").unwrap_or(0.0);
    let reasoning = usage.completion_tokens_details.as_ref().and_then(|d| d.reasoning_tokens).unwrap_or(0);
    let completion = match info.price("output_cost_per_reasoning_token") {
        Some(rate) if reasoning > 0 => {
            usage.completion_tokens.saturating_sub(reasoning) as f64 * output + reasoning as f64 * rate
        }
        _ => usage.completion_tokens as f64 * output,
    };
    Cost { prompt: usage.prompt_tokens as f64 * input, completion }
}

fn modality(info: &ModelInfo, key: &str, tokens: u64, input_rate: f64) -> f64 {
    match info.price(key) {
        None => tokens as f64 * input_rate,
        Some(rate) => tokens as f64 * rate,
    }
}

fn reasoning_rate(info: &ModelInfo, prompt_tokens: u64, output_rate: f64) -> f64 {
    if let Some(tier) = select_tier(info, prompt_tokens) {
        if tier.prices.contains_key("output_cost_per_reasoning_token") || tier.prices.contains_key("output_cost_per_token") {
            return tier_rate(tier, "output_cost_per_reasoning_token", Some("output_cost_per_token"));
        }
    }
    info.price("output_cost_per_reasoning_token").unwrap_or(output_rate)
}

/// The error for a model the table does not know.
pub fn unknown_model(model: &str) -> LlmError {
    LlmError::new(
        ErrorKind::NotFoundError,
        format!(
            "model '{model}' is not in the price table; register it with registerModel \
             (input_cost_per_token / output_cost_per_token) to compute its cost"
        ),
    )
}
