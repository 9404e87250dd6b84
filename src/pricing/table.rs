//! The compiled-in model table: record types for `generated.rs` and lookups over its sorted arrays.
//!
//! Nothing here parses: names are binary-searched in the concatenated, sorted
//! [`NAMES`](super::generated::NAMES); every other field is a column of small indices into shared
//! tables. Prices are `(field, value)` pairs shared between models with identical price sets, and
//! boolean fields are two bit masks shared the same way.

use super::generated::{
    FIELDS, FLAGS, FLAGSET, FLAG_SETS, LIMITS, LIMIT_SETS, LOWER, MODE, NAMES, NAME_END, PAIRS,
    PRICES, PRICE_SETS, PROVIDER, TIERS, TIER_OF, TIER_RANGES, VALUES,
};

/// Marks an absent `max_*` limit.
pub const NO_LIMIT: u32 = u32::MAX;

/// One compiled-in table entry, gathered from the generated columns (see `data/models/gen.py`).
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

/// Number of compiled-in keys.
pub fn len() -> usize {
    NAME_END.len()
}

/// The key at `index` (`""` past the end).
pub fn name(index: usize) -> &'static str {
    let end = NAME_END.get(index).map_or(0, |&e| e as usize);
    let start = match index.checked_sub(1) {
        Some(p) => NAME_END.get(p).map_or(0, |&e| e as usize),
        None => 0,
    };
    NAMES.get(start..end).unwrap_or("")
}

/// The record index of an exact table key.
pub fn find_exact(key: &str) -> Option<usize> {
    let (mut lo, mut hi) = (0, len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        match name(mid).as_bytes().cmp(key.as_bytes()) {
            std::cmp::Ordering::Less => lo = mid + 1,
            std::cmp::Ordering::Greater => hi = mid,
            std::cmp::Ordering::Equal => return Some(mid),
        }
    }
    None
}

/// The record index of a table key, exactly or case-insensitively (LiteLLM's `get_model_cost_key`:
/// an exact key wins; otherwise the key whose lower-cased form equals the lower-cased name). The
/// case-insensitive path is a linear scan that runs only for names that are not exact keys.
pub fn find(key: &str) -> Option<usize> {
    if let Some(i) = find_exact(key) {
        return Some(i);
    }
    // (LOWER is usually empty: then the Unicode lower-casing is compiled out.)
    if !LOWER.is_empty() {
        let lower = key.to_lowercase();
        if let Ok(j) = LOWER.binary_search_by(|(k, _)| k.as_bytes().cmp(lower.as_bytes())) {
            return LOWER.get(j).map(|&(_, i)| usize::from(i));
        }
    }
    (0..len()).find(|&i| name(i).eq_ignore_ascii_case(key))
}

/// The record at `index`.
pub fn model(index: usize) -> Option<Model> {
    let limits = LIMIT_SETS.get(usize::from(*LIMITS.get(index)?))?;
    let tiers = TIER_RANGES.get(usize::from(*TIER_OF.get(index)?))?;
    Some(Model {
        name: name(index),
        provider: *PROVIDER.get(index)?,
        mode: *MODE.get(index)?,
        max_input: limits[0],
        max_output: limits[1],
        max_tokens: limits[2],
        prices: *PRICES.get(index)?,
        flags: *FLAGSET.get(index)?,
        tiers: *tiers,
    })
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
    TIERS
        .get(start..start + usize::from(m.tiers.1))
        .unwrap_or(&[])
}

/// A `max_*` value as an `Option`.
pub fn limit(v: u32) -> Option<u64> {
    (v != NO_LIMIT).then_some(u64::from(v))
}

/// One of LiteLLM's `fallback_generalizations` rules. A routing rule (`provider` non-empty) names
/// the provider of a bare model id it matches; a capability rule gives model info (mode, limits,
/// flags, prices) to names the table lacks, and — for the providers in `fill_for` — fills the
/// fields a matching table entry leaves out.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// A Python regular expression, searched case-insensitively (see [`super::pattern`]).
    pub pattern: &'static str,
    pub provider: &'static str,
    pub fill_for: &'static [&'static str],
    pub mode: &'static str,
    /// `[max_input_tokens, max_output_tokens, max_tokens]`, [`NO_LIMIT`] = not given.
    pub limits: [u32; 3],
    /// Index into [`PRICE_SETS`].
    pub prices: u16,
    /// Index into [`FLAG_SETS`].
    pub flags: u16,
}

impl Rule {
    /// Whether the rule's pattern matches `name` (an unparsable pattern matches nothing).
    pub fn matches(&self, name: &str) -> bool {
        super::pattern::Pattern::parse(self.pattern).is_some_and(|p| p.search(name))
    }
}

/// A model's `off_peak_pricing` block: rates that replace the standard ones while a window is open.
#[derive(Debug, Clone, Copy)]
pub struct OffPeak {
    /// Index into [`PRICE_SETS`]: the off-peak rates.
    pub prices: u16,
    /// `HH:MM-HH:MM` UTC windows that apply every day.
    pub hours_utc: &'static [&'static str],
    pub windows: &'static [OffPeakWindow],
    /// The calendar `weekdays` are read in (an IANA name; empty = UTC).
    pub weekday_timezone: &'static str,
}

/// UTC windows that apply on some ISO weekdays (1 = Monday); `None` = every day.
#[derive(Debug, Clone, Copy)]
pub struct OffPeakWindow {
    pub hours_utc: &'static [&'static str],
    pub weekdays: Option<&'static [u8]>,
}

/// The off-peak block of the record at `index`.
pub fn off_peak(index: usize) -> Option<&'static OffPeak> {
    let i = super::generated::OFF_PEAK
        .binary_search_by_key(&index, |(i, _)| usize::from(*i))
        .ok()?;
    super::generated::OFF_PEAK.get(i).map(|(_, o)| o)
}
