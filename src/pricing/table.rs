//! The compiled-in model table: record types for `generated.rs` and lookups over its sorted arrays.
//!
//! Nothing here allocates or parses: names are binary-searched in [`MODELS`](super::generated::MODELS),
//! prices are `(field, value)` pairs shared between models with identical price sets, and boolean
//! fields are two bit masks shared the same way.

use super::generated::{FIELDS, FLAGS, FLAG_SETS, LOWER, MODELS, PAIRS, PRICE_SETS, TIERS, VALUES};

/// Marks an absent `max_*` limit in a [`Model`] record.
pub const NO_LIMIT: u32 = u32::MAX;

/// One compiled-in table entry (see `data/models/gen.py`).
#[derive(Debug, Clone, Copy)]
pub struct Model {
    /// The LiteLLM key, e.g. `gpt-4o` or `groq/llama3-8b-8192`.
    pub name: &'static str,
    /// Index into [`PROVIDERS`](super::generated::PROVIDERS).
    pub provider: u8,
    /// Index into [`MODES`](super::generated::MODES).
    pub mode: u8,
    pub max_input: u32,
    pub max_output: u32,
    pub max_tokens: u32,
    /// Index into [`PRICE_SETS`].
    pub prices: u16,
    /// Index into [`FLAG_SETS`].
    pub flags: u16,
    /// `(start, len)` in [`TIERS`].
    pub tiers: (u16, u8),
}

/// One `tiered_pricing` entry: the input-token range `[lo, hi)` and the rates billed in it.
#[derive(Debug, Clone, Copy)]
pub struct Tier {
    pub lo: f64,
    pub hi: f64,
    /// Index into [`PRICE_SETS`].
    pub prices: u16,
}

/// The record index of an exact table key.
pub fn find_exact(name: &str) -> Option<usize> {
    MODELS.binary_search_by(|m| m.name.as_bytes().cmp(name.as_bytes())).ok()
}

/// The record index of a table key, exactly or case-insensitively (LiteLLM's `get_model_cost_key`:
/// an exact key wins; otherwise the key whose lower-cased form equals the lower-cased name).
pub fn find(name: &str) -> Option<usize> {
    if let Some(i) = find_exact(name) {
        return Some(i);
    }
    let lower = name.to_lowercase();
    if let Ok(j) = LOWER.binary_search_by(|(k, _)| k.as_bytes().cmp(lower.as_bytes())) {
        return LOWER.get(j).map(|&(_, i)| usize::from(i));
    }
    find_exact(&lower)
}

/// The record at `index`.
pub fn model(index: usize) -> Option<&'static Model> {
    MODELS.get(index)
}

/// The `(field name, value)` pairs of a price set, in field order.
pub fn price_pairs(set: u16) -> impl Iterator<Item = (&'static str, f64)> {
    let (start, end) = PRICE_SETS.get(usize::from(set)).copied().unwrap_or((0, 0));
    PAIRS
        .get(usize::from(start)..usize::from(end))
        .unwrap_or(&[])
        .iter()
        .filter_map(|&p| {
            let field = FIELDS.get((p >> 16) as usize)?;
            let value = VALUES.get((p & 0xFFFF) as usize)?;
            Some((*field, *value))
        })
}

/// The boolean fields of a flag set that the entry states, with their values.
pub fn flag_pairs(set: u16) -> impl Iterator<Item = (&'static str, bool)> {
    let (present, value) = FLAG_SETS.get(usize::from(set)).copied().unwrap_or((0, 0));
    FLAGS
        .iter()
        .enumerate()
        .filter(move |(i, _)| present >> i & 1 == 1)
        .map(move |(i, k)| (*k, value >> i & 1 == 1))
}

/// The `tiered_pricing` entries of a record.
pub fn tiers(m: &Model) -> &'static [Tier] {
    let start = usize::from(m.tiers.0);
    TIERS.get(start..start + usize::from(m.tiers.1)).unwrap_or(&[])
}

/// A `max_*` value as an `Option`.
pub fn limit(v: u32) -> Option<u64> {
    (v != NO_LIMIT).then_some(u64::from(v))
}
