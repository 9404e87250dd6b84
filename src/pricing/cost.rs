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
//! Service tiers (`priority` / `fast`, `flex`, `balanced`, `ultrafast`) pick the `*_<tier>` rates
//! with LiteLLM's fallback to the standard rate, except for the providers whose own LiteLLM
//! calculator ignores the tier (Fireworks, DeepSeek, Tencent, xAI, Lemonade, DashScope).
//!
//! Off-peak windows (`off_peak_pricing`) apply when the caller passes the billing time
//! ([`CostOptions::now_ms`]); LiteLLM reads the clock itself.
//!
//! Not modelled (documented gaps): batch prices (`*_batches`), regional uplifts, Anthropic
//! geo/speed multipliers, per-second and per-character billing, web-search tool fees,
//! provider-reported costs (`usage.cost` from Perplexity / xAI), Azure AI routing fees, cache
//! writes split by TTL (Anthropic 1-hour cache). Image generation is priced by
//! [`ModelRegistry::image_generation_cost`](super::ModelRegistry::image_generation_cost).

use crate::error::{ErrorKind, LlmError};
use crate::types::Usage;

use super::info::{ModelInfo, PriceTier};
use super::offpeak::OffPeakPricing;
use super::CostOptions;

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
        let reported_total = reported_text
            .saturating_add(p.reasoning)
            .saturating_add(p.completion_audio);
        let nested = p
            .reasoning
            .min(reported_text)
            .min(reported_total.saturating_sub(p.completion_tokens));
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
        None => fallback
            .and_then(|f| tier.prices.get(f))
            .copied()
            .unwrap_or(0.0),
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
    let tier = tiers
        .iter()
        .find(|t| t.range[0] < n && n <= t.range[1])
        .or(tiers.last())
        .copied()?;
    tier.prices
        .contains_key("input_cost_per_token")
        .then_some(tier)
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
/// LiteLLM's `_SERVICE_TIER_SUFFIXES` (longest first, as it tries them).
const SERVICE_TIER_SUFFIXES: [&str; 6] = [
    "_ultrafast",
    "_balanced",
    "_priority",
    "_auto",
    "_flex",
    "_fast",
];
const NON_STANDARD_SUFFIXES: [&str; 7] = [
    "_ultrafast",
    "_balanced",
    "_priority",
    "_auto",
    "_flex",
    "_fast",
    "_batches",
];

/// `get_service_tier_cost_key`: `input_cost_per_token` + `priority` -> `input_cost_per_token_priority`
/// (`fast` bills as `priority`; `auto`, `default` and unknown tiers as standard).
/// Borrowed for the standard tier: pricing a call asks for several keys, and most calls are
/// standard.
fn tier_key<'a>(base: &'a str, tier: Option<&str>) -> std::borrow::Cow<'a, str> {
    let is = |name: &str| tier.is_some_and(|t| t.eq_ignore_ascii_case(name));
    let suffix = if is("flex") {
        "flex"
    } else if is("balanced") {
        "balanced"
    } else if is("priority") || is("fast") {
        "priority"
    } else if is("ultrafast") {
        "ultrafast"
    } else {
        return std::borrow::Cow::Borrowed(base);
    };
    std::borrow::Cow::Owned(format!("{base}_{suffix}"))
}

/// `get_cost_per_unit` without its default: the key, else (for a service-tier key) the key
/// without its tier suffix.
fn unit(info: &ModelInfo, key: &str) -> Option<f64> {
    if let Some(v) = info.price(key) {
        return Some(v);
    }
    let suffix = SERVICE_TIER_SUFFIXES.iter().find(|s| key.contains(*s))?;
    info.price(&key.replace(suffix, ""))
}

/// `_get_token_base_cost`.
fn base_rates(
    info: &ModelInfo,
    prompt_tokens: u64,
    inclusive: bool,
    tier: Option<&str>,
    off_peak: Option<&OffPeakPricing>,
) -> Rates {
    let apply = |r: Rates| match off_peak {
        None => r,
        Some(op) => Rates {
            input: op.rate("input_cost_per_token").unwrap_or(r.input),
            output: op.rate("output_cost_per_token").unwrap_or(r.output),
            cache_read: op
                .rate("cache_read_input_token_cost")
                .unwrap_or(r.cache_read),
            cache_creation: op
                .rate("cache_creation_input_token_cost")
                .unwrap_or(r.cache_creation),
        },
    };
    if let Some(t) = select_tier(info, prompt_tokens) {
        let output = if t.prices.contains_key("output_cost_per_token") {
            tier_rate(t, "output_cost_per_token", None)
        } else {
            info.price("output_cost_per_token").unwrap_or(0.0)
        };
        return apply(Rates {
            input: tier_rate(t, "input_cost_per_token", None),
            output,
            cache_read: tier_rate(
                t,
                "cache_read_input_token_cost",
                Some("input_cost_per_token"),
            ),
            cache_creation: tier_rate(
                t,
                "cache_creation_input_token_cost",
                Some("input_cost_per_token"),
            ),
        });
    }
    let mut input = unit(info, &tier_key("input_cost_per_token", tier)).unwrap_or(0.0);
    let mut output = unit(info, &tier_key("output_cost_per_token", tier)).unwrap_or(0.0);
    if output == 0.0 {
        if let Some(v) = info.price("output_cost_per_image_token") {
            output = v;
        }
    }
    let mut cache_creation = unit(info, &tier_key("cache_creation_input_token_cost", tier));
    let mut cache_read = unit(info, &tier_key("cache_read_input_token_cost", tier));

    let tier_suffix = tier_key("", tier);
    let mut thresholds: Vec<(f64, &str)> = info
        .prices
        .keys()
        .filter(|k| THRESHOLD_PREFIXES.iter().any(|p| k.starts_with(p)) && k.contains("_tokens"))
        .filter(|k| {
            !NON_STANDARD_SUFFIXES.iter().any(|s| k.ends_with(s))
                || (!tier_suffix.is_empty() && k.ends_with(&*tier_suffix))
        })
        .filter_map(|k| threshold_of(k))
        .collect();
    thresholds.sort_by(|a, b| a.0.total_cmp(&b.0));
    let n = prompt_tokens as f64;
    for (threshold, t) in thresholds {
        if n > threshold || (inclusive && n == threshold) {
            let key = |base: &str| tier_key(&format!("{base}_above_{t}_tokens"), tier).into_owned();
            input = unit(info, &key("input_cost_per_token")).unwrap_or(input);
            output = unit(info, &key("output_cost_per_token")).unwrap_or(output);
            cache_creation = unit(info, &key("cache_creation_input_token_cost")).or(cache_creation);
            cache_read = unit(info, &key("cache_read_input_token_cost")).or(cache_read);
        }
    }
    // An absent cache rate is the input rate — the off-peak one while a window is open.
    let input_for_missing = off_peak
        .and_then(|op| op.rate("input_cost_per_token"))
        .unwrap_or(input);
    apply(Rates {
        input,
        output,
        cache_read: cache_read.unwrap_or(input_for_missing),
        cache_creation: cache_creation.unwrap_or(input_for_missing),
    })
}

/// `generic_cost_per_token` on an already resolved entry. `provider` is the provider the call
/// went to (it decides xAI's inclusive thresholds and Fireworks' default cache-read rate).
pub fn cost_for_info(
    info: &ModelInfo,
    usage: &Usage,
    provider: Option<&str>,
    options: &CostOptions<'_>,
) -> Cost {
    let tier = options.service_tier;
    if provider == Some("perplexity") {
        return perplexity(info, usage);
    }
    let mut owned;
    let mut info = info;
    if provider == Some("fireworks_ai") && info.price("cache_read_input_token_cost").is_none() {
        if let Some(input) = info.price("input_cost_per_token") {
            owned = info.clone();
            owned
                .prices
                .insert("cache_read_input_token_cost".into(), input * 0.5);
            info = &owned;
        }
    }
    let mut u = parse(usage);
    if provider == Some("xai") {
        // xAI bills visible + reasoning tokens as output; LiteLLM folds them unless already folded.
        let already =
            usage.prompt_tokens.checked_add(usage.completion_tokens) == Some(usage.total_tokens);
        if !already {
            u.completion_tokens = u.completion_tokens.saturating_add(u.reasoning);
        }
        u.has_completion_details = false;
        u.completion_text = 0;
        u.completion_audio = 0;
        u.reasoning = 0;
    }
    let inclusive = provider == Some("xai");

    // Prompt side.
    let (mut text, mut audio, mut image) = if u.has_prompt_details {
        (u.text, u.audio, u.image)
    } else {
        (u.prompt_tokens, 0, 0)
    };
    let (cache_hit, cache_creation) = if u.has_prompt_details {
        (u.cache_hit, u.cache_creation)
    } else {
        (0, 0)
    };
    // Token counts come from outside: saturate rather than overflow.
    let total = [text, cache_hit, audio, cache_creation, image]
        .iter()
        .fold(0u64, |a, &b| a.saturating_add(b));
    if (cache_hit > 0 || cache_creation > 0) && total > u.prompt_tokens {
        let budget = u
            .prompt_tokens
            .saturating_sub(cache_hit.saturating_add(cache_creation));
        audio = audio.min(budget);
        image = image.min(budget - audio);
        text = budget - audio - image;
    } else if text == 0 {
        text = u.prompt_tokens.saturating_sub(
            [cache_hit, audio, cache_creation, image]
                .iter()
                .fold(0u64, |a, &b| a.saturating_add(b)),
        );
    }

    // The providers whose own LiteLLM calculator does not take `service_tier` bill at standard rates.
    let tier = tier.filter(|_| {
        !matches!(
            provider,
            Some(
                "fireworks_ai"
                    | "deepseek"
                    | "tencent"
                    | "xai"
                    | "lemonade"
                    | "dashscope"
                    | "qwencloud"
                    | "qwen_ai_platform"
            )
        )
    });
    let off_peak = match (info.off_peak.as_ref(), options.now_ms) {
        (Some(op), Some(now)) if op.is_open(now) => Some(op),
        _ => None,
    };
    let rates = base_rates(info, u.prompt_tokens, inclusive, tier, off_peak);
    let mut prompt = text as f64 * rates.input;
    prompt += cache_hit as f64 * rates.cache_read;
    if audio > 0 {
        prompt += modality(info, "input_cost_per_audio_token", audio, rates.input, tier);
    }
    if image > 0 {
        prompt += modality(info, "input_cost_per_image_token", image, rates.input, tier);
    }
    if cache_creation > 0 {
        prompt += cache_creation as f64 * rates.cache_creation;
    }

    // Completion side.
    let (mut ctext, caudio, reasoning) = (u.completion_text, u.completion_audio, u.reasoning);
    let mut text_is_total = false;
    if ctext == 0 {
        if caudio > 0 || reasoning > 0 {
            ctext = u
                .completion_tokens
                .saturating_sub(reasoning.saturating_add(caudio));
        } else {
            ctext = u.completion_tokens;
            text_is_total = true;
        }
    }
    let mut completion = ctext as f64 * rates.output;
    if !text_is_total && caudio > 0 {
        completion += caudio as f64
            * info
                .price("output_cost_per_audio_token")
                .unwrap_or(rates.output);
    }
    if !text_is_total && reasoning > 0 {
        completion +=
            reasoning as f64 * reasoning_rate(info, u.prompt_tokens, rates.output, tier, off_peak);
    }
    Cost { prompt, completion }
}

/// Perplexity's own calculator: no cache discount and no long-context tiers; reasoning tokens
/// at `output_cost_per_reasoning_token` when the model has one.
fn perplexity(info: &ModelInfo, usage: &Usage) -> Cost {
    let input = info.price("input_cost_per_token").unwrap_or(0.0);
    let output = info.price("output_cost_per_token").unwrap_or(0.0);
    let reasoning = usage
        .completion_tokens_details
        .as_ref()
        .and_then(|d| d.reasoning_tokens)
        .unwrap_or(0);
    let completion = match info.price("output_cost_per_reasoning_token") {
        Some(rate) if reasoning > 0 => {
            usage.completion_tokens.saturating_sub(reasoning) as f64 * output
                + reasoning as f64 * rate
        }
        _ => usage.completion_tokens as f64 * output,
    };
    Cost {
        prompt: usage.prompt_tokens as f64 * input,
        completion,
    }
}

/// `_modality_token_cost`: the modality's (tier) rate, else the resolved input rate.
fn modality(info: &ModelInfo, key: &str, tokens: u64, input_rate: f64, tier: Option<&str>) -> f64 {
    let tiered = tier_key(key, tier);
    let key = if info.price(&tiered).is_some() {
        &*tiered
    } else {
        key
    };
    match unit(info, key) {
        None => tokens as f64 * input_rate,
        Some(rate) => tokens as f64 * rate,
    }
}

/// `_resolve_billed_reasoning_rate`.
fn reasoning_rate(
    info: &ModelInfo,
    prompt_tokens: u64,
    output_rate: f64,
    tier: Option<&str>,
    off_peak: Option<&OffPeakPricing>,
) -> f64 {
    if let Some(rate) = off_peak.and_then(|op| op.rate("output_cost_per_reasoning_token")) {
        return rate;
    }
    if let Some(t) = select_tier(info, prompt_tokens) {
        if t.prices.contains_key("output_cost_per_reasoning_token")
            || t.prices.contains_key("output_cost_per_token")
        {
            return tier_rate(
                t,
                "output_cost_per_reasoning_token",
                Some("output_cost_per_token"),
            );
        }
    }
    let reasoning_key = tier_key("output_cost_per_reasoning_token", tier);
    if info.price(&reasoning_key).is_some() {
        if let Some(v) = unit(info, &reasoning_key) {
            return v;
        }
    }
    let output_key = tier_key("output_cost_per_token", tier);
    if output_key != "output_cost_per_token" && info.price(&output_key).is_some() {
        return output_rate;
    }
    unit(info, "output_cost_per_reasoning_token").unwrap_or(output_rate)
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
