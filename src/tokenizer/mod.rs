//! Compiled-in tiktoken encodings (`o200k_base`, `cl100k_base`): encode, decode and count with
//! token ids identical to tiktoken's, and OpenAI's model → encoding mapping.
//!
//! ```
//! use unillm::tokenizer::{Encoding, SpecialPolicy};
//! # fn main() -> Result<(), unillm::LlmError> {
//! let enc = Encoding::get("o200k_base")?;
//! let ids = enc.encode_ordinary("hello world");
//! assert_eq!(enc.count("hello world"), ids.len());
//! assert_eq!(enc.decode(&ids)?, "hello world");
//! assert!(enc.encode("<|endoftext|>", &SpecialPolicy::default()).is_err());
//! assert_eq!(enc.encode("<|endoftext|>", &SpecialPolicy::all())?, vec![199999]);
//! # Ok(())
//! # }
//! ```
//!
//! The pieces: `pretokenize.rs` splits text like the encoding's regex (a hand-written matcher,
//! no regex engine); `bpe.rs` merges each piece; `data.rs` decodes the embedded tables once, on
//! first use of an encoding (a few milliseconds; no global mutable state beyond that lazily
//! initialised, immutable table).
//!
//! # Performance notes
//! Measured on this project's shared 2-core machine (±20% noise); `benches/RESULTS.md` has the
//! figures and commands. Kept, with what they replaced:
//! - Pre-tokenisation by hand, not by a regex engine: fancy-regex (tiktoken-rs) costs more than
//!   the merging and needs its Unicode tables at run time. One pass per piece over a two-level
//!   class table (230 distinct 128-code-point blocks: 38 KB raw, 2.7 KB gzip), ASCII fast path;
//!   1.8 MB of multilingual text splits in ~6 ms natively.
//! - Data: plain rank-ordered token bytes gzip to 0.99 MB (o200k) + 0.43 MB (cl100k).
//!   Lexicographic front coding plus the rank permutation: 0.84 MB for o200k (the permutation
//!   alone ≈0.4 MB). Used now: BPE pairs in rank order (every token above 255 is two lower
//!   ranks concatenated; the rank order costs nothing): 0.71 MB for o200k, and cl100k as
//!   references to o200k ranks plus pairs for its own tokens: 0.26 MB (see `data.rs` and
//!   `data/tokenizer/SOURCES.md`). Rejected: pairs as two fixed 18-bit ranks (0.85 MB),
//!   first-byte bucketing (0.88–0.92 MB), a leading-space flag (0.96 MB).
//! - Lookup: no 200k-entry `HashMap<Vec<u8>, u32>` (200k allocations at start-up). The token
//!   bytes stay in rank order; tokens are grouped by their first two bytes, each group an
//!   open-addressing region of 32-bit slots (14-bit fingerprint, 18-bit rank) in one array.
//!   With the lexicographic layout the build was one sequential pass (5.5–6.6 ms natively); from
//!   rank order the inserts scatter (6.4–8.4 ms), the price of 0.13 MB less data. Replaced
//!   earlier: a global table (12–16 ms to build natively, scattered writes), then a partitioned
//!   build (~10 ms). Two-byte tokens sit in a direct 64K table (the commonest merge lookup).
//!   Rejected: storing 3–7-byte tokens whole in 64-bit slots (no indirection on a hit) was no
//!   faster in wasm and doubled the table.
//! - Start-up in V8: init loops run in slices of 8,192 entries (`#[inline(never)]` helpers),
//!   because V8 runs a wasm function's first calls in its baseline tier and cannot switch a
//!   running call to optimised code; 16-byte word copies instead of small memcpy calls. o200k
//!   first use went from ~35 ms to ~14 ms in Node.
//! - Merging: tiktoken's flat scan up to 16 bytes (on the stack), a heap over a linked list
//!   above that (same order: lowest rank, then leftmost). CJK and Thai pieces are long: a flat
//!   scan up to 128 bytes gave 11.4 MB/s there in wasm, up to 16 bytes 15.0. Pathological
//!   inputs (a megabyte of one letter or of spaces) stay O(n log n): ~0.3 s/MB.
//! - A per-call memo of merged pieces (≤ 64 bytes) lets repeated words merge once per text;
//!   nothing is cached across calls (no shared mutable state), unlike gpt-tokenizer's cache.
//! - Whole-piece lookup first: most pieces are one token.

mod bpe;
mod data;
mod merges;
mod pretokenize;
mod model_map;

pub use model_map::{counting_encoding, encoding_for_model};

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

pub use bpe::Rank;

use crate::error::LlmError;
use bpe::Vocab;

/// The encodings compiled into this build.
pub const ENCODINGS: &[&str] = &["o200k_base", "cl100k_base"];

/// `<|endoftext|>`
pub const ENDOFTEXT: &str = "<|endoftext|>";
/// `<|fim_prefix|>`
pub const FIM_PREFIX: &str = "<|fim_prefix|>";
/// `<|fim_middle|>`
pub const FIM_MIDDLE: &str = "<|fim_middle|>";
/// `<|fim_suffix|>`
pub const FIM_SUFFIX: &str = "<|fim_suffix|>";
/// `<|endofprompt|>`
pub const ENDOFPROMPT: &str = "<|endofprompt|>";

const O200K_SPECIALS: &[(&str, Rank)] = &[(ENDOFTEXT, 199_999), (ENDOFPROMPT, 200_018)];
const CL100K_SPECIALS: &[(&str, Rank)] = &[
    (ENDOFTEXT, 100_257),
    (FIM_PREFIX, 100_258),
    (FIM_MIDDLE, 100_259),
    (FIM_SUFFIX, 100_260),
    (ENDOFPROMPT, 100_276),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Split {
    O200k,
    Cl100k,
}

/// One tiktoken encoding. Obtain it with [`Encoding::get`]; it lives for the whole program.
pub struct Encoding {
    name: &'static str,
    /// The bytes-to-rank index (and every token's bytes). o200k_base builds it once
    /// [`LIGHT_BUDGET`] bytes have been encoded with `merges`, or a piece is too long for them,
    /// or a token's bytes are wanted; cl100k_base has it from the start.
    vocab: OnceLock<Option<Vocab>>,
    /// o200k_base's merge rules ([`merges`]): they encode the first texts without the index.
    merges: Option<merges::Merges<'static>>,
    /// Bytes encoded with `merges` so far.
    light_bytes: AtomicUsize,
    /// Pieces merged with the index, remembered across calls.
    memo: Mutex<bpe::Memo>,
    n_ordinary: usize,
    specials: &'static [(&'static str, Rank)],
    split: Split,
}

/// How many bytes are encoded with the merge rules before the index is built: building it
/// costs about as much as encoding this much text the slower way.
const LIGHT_BUDGET: usize = 64 * 1024;

impl std::fmt::Debug for Encoding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encoding")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// A set of special tokens, as tiktoken's `allowed_special` / `disallowed_special` take it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum SpecialSet {
    /// No special token.
    #[default]
    None,
    /// Every special token of the encoding (tiktoken's `"all"`).
    All,
    /// These token strings.
    Only(Vec<String>),
}

impl SpecialSet {
    fn contains(&self, token: &str) -> bool {
        match self {
            SpecialSet::None => false,
            SpecialSet::All => true,
            SpecialSet::Only(v) => v.iter().any(|t| t == token),
        }
    }
}

/// How [`Encoding::encode`] treats special-token strings found in the text (tiktoken's
/// `allowed_special` and `disallowed_special`).
///
/// The default allows none and disallows all: text containing `<|endoftext|>` is an error. With
/// `disallowed: SpecialSet::All`, "all" means every special token not allowed (as in tiktoken).
/// A special token neither allowed nor disallowed is encoded as ordinary text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecialPolicy {
    pub allowed: SpecialSet,
    pub disallowed: SpecialSet,
}

impl Default for SpecialPolicy {
    fn default() -> Self {
        SpecialPolicy {
            allowed: SpecialSet::None,
            disallowed: SpecialSet::All,
        }
    }
}

impl SpecialPolicy {
    /// Every special-token string becomes its special token.
    pub fn all() -> Self {
        SpecialPolicy {
            allowed: SpecialSet::All,
            disallowed: SpecialSet::None,
        }
    }
    /// These become special tokens; any other special-token string is an error.
    pub fn allow(tokens: &[&str]) -> Self {
        SpecialPolicy {
            allowed: SpecialSet::Only(tokens.iter().map(|t| t.to_string()).collect()),
            disallowed: SpecialSet::All,
        }
    }
    /// Special-token strings are ordinary text (tiktoken's `disallowed_special=()`).
    pub fn ordinary() -> Self {
        SpecialPolicy {
            allowed: SpecialSet::None,
            disallowed: SpecialSet::None,
        }
    }
}

type Slot = OnceLock<Result<Encoding, String>>;
static O200K_SLOT: Slot = OnceLock::new();
static CL100K_SLOT: Slot = OnceLock::new();

fn build(name: &'static str) -> Result<Encoding, String> {
    let corrupt = || format!("the compiled-in {name} table is corrupt");
    let (vocab, merges, n_ordinary, specials, split) = match name {
        "o200k_base" => {
            let m = merges::Merges::from_table(data::O200K_BASE).ok_or_else(corrupt)?;
            let n = data::rank_count(data::O200K_BASE).ok_or_else(corrupt)?;
            (OnceLock::new(), Some(m), n, O200K_SPECIALS, Split::O200k)
        }
        "cl100k_base" => {
            // cl100k_base is stored as references into o200k_base, which is decoded first.
            let base = Encoding::get("o200k_base").map_err(|e| e.message)?;
            let base = base.vocab().ok_or_else(corrupt)?;
            let l = data::decode_refs(data::CL100K_BASE, |r| base.token(r)).ok_or_else(corrupt)?;
            let v = Vocab::new(l.bytes, l.offsets).ok_or_else(corrupt)?;
            let n = v.len();
            (OnceLock::from(Some(v)), None, n, CL100K_SPECIALS, Split::Cl100k)
        }
        _ => return Err(format!("unknown encoding {name}")),
    };
    Ok(Encoding { name, vocab, merges, light_bytes: AtomicUsize::new(0), memo: Mutex::default(), n_ordinary, specials, split })
}

/// [`Encoding::clear_cache`] for every encoding built so far (none is built for it).
pub fn clear_caches() -> usize {
    [&O200K_SLOT, &CL100K_SLOT].iter().filter_map(|s| s.get()?.as_ref().ok()).map(Encoding::clear_cache).sum()
}

/// The index of a kind-2 table (o200k_base).
fn build_vocab(table: &[u8]) -> Option<Vocab> {
    let l = data::decode_pairs(table)?;
    Vocab::new(l.bytes, l.offsets)
}

impl Encoding {
    /// The compiled-in encoding called `name` (`"o200k_base"` or `"cl100k_base"`). The first
    /// call for an encoding decodes its table (a few milliseconds); later calls are free.
    pub fn get(name: &str) -> Result<&'static Encoding, LlmError> {
        let (slot, name): (&'static Slot, &'static str) = match name {
            "o200k_base" => (&O200K_SLOT, "o200k_base"),
            "cl100k_base" => (&CL100K_SLOT, "cl100k_base"),
            other => return Err(model_map::unknown_encoding(other)),
        };
        match slot.get_or_init(|| build(name)) {
            Ok(e) => Ok(e),
            Err(msg) => Err(LlmError::new(
                crate::error::ErrorKind::InternalServerError,
                msg.clone(),
            )),
        }
    }

    /// The encoding for an OpenAI model name (see [`encoding_for_model`]).
    pub fn for_model(model: &str) -> Result<&'static Encoding, LlmError> {
        match encoding_for_model(model) {
            Some(name) => Encoding::get(name),
            None => Err(LlmError::bad_request(format!(
                "no known tiktoken encoding for model {model:?}"
            ))
            .with_model(model)),
        }
    }

    /// The encoding's name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// One more than the largest token id (tiktoken's `n_vocab`).
    pub fn n_vocab(&self) -> usize {
        let max_special = self
            .specials
            .iter()
            .map(|s| s.1 as usize + 1)
            .max()
            .unwrap_or(0);
        self.n_ordinary.max(max_special)
    }

    /// The special tokens and their ids.
    pub fn special_tokens(&self) -> &'static [(&'static str, Rank)] {
        self.specials
    }

    /// The id of a special token such as `<|endoftext|>`.
    pub fn special_token(&self, token: &str) -> Option<Rank> {
        self.specials.iter().find(|s| s.0 == token).map(|s| s.1)
    }

    /// The index, built on first use (`None` only if the compiled-in table were corrupt).
    fn vocab(&self) -> Option<&Vocab> {
        self.vocab.get_or_init(|| if self.merges.is_some() { build_vocab(data::O200K_BASE) } else { None }).as_ref()
    }

    /// Runs `emit` for every token of `text`, special-token strings treated as text.
    #[inline]
    fn for_each_ordinary<F: FnMut(Rank)>(&self, text: &str, emit: &mut F) {
        if let Some(m) = &self.merges {
            if self.vocab.get().is_none() {
                let before = self.light_bytes.fetch_add(text.len(), Ordering::Relaxed);
                if before.saturating_add(text.len()) <= LIGHT_BUDGET {
                    return self.for_each_ordinary_rules(text, m, emit);
                }
            }
        }
        match (self.vocab(), &self.merges) {
            (Some(v), _) => self.for_each_ordinary_index(text, v, emit),
            // only with a corrupt index table (never the compiled-in one): the rules still work
            (None, Some(m)) => self.for_each_ordinary_rules(text, m, emit),
            (None, None) => {}
        }
    }

    /// [`Encoding::for_each_ordinary`] with the merge rules; a piece longer than
    /// [`merges::MAX_PIECE`] goes to the index (built then).
    fn for_each_ordinary_rules<F: FnMut(Rank)>(&self, text: &str, m: &merges::Merges<'_>, emit: &mut F) {
        let s = text.as_bytes();
        let next = self.next_fn();
        let (mut parts, mut pairs) = (Vec::new(), Vec::new());
        let mut rules = m.lock();
        // the rules this text's byte pairs can need (never None with the compiled-in table)
        let covered = m.cover(&mut rules, s).is_some();
        let mut p = 0;
        while p < s.len() {
            let e = next(s, p).clamp(p + 1, s.len());
            if let Some(piece) = s.get(p..e) {
                let done = covered
                    && piece.len() <= merges::MAX_PIECE
                    && m.encode_piece(&mut rules, piece, &mut parts, &mut pairs, emit).is_some();
                if !done {
                    // a long piece, or (never with the compiled-in table) corrupt rules
                    if let Some(v) = self.vocab() {
                        v.encode_piece(piece, emit);
                    }
                }
            }
            p = e;
        }
    }

    /// [`Encoding::encode_ordinary`] with the merge rules for every piece they take (for tests
    /// and benchmarks of that path); `None` for an encoding without rules (cl100k_base).
    #[doc(hidden)]
    pub fn __encode_ordinary_with_rules(&self, text: &str) -> Option<Vec<Rank>> {
        let m = self.merges.as_ref()?;
        let mut out = Vec::new();
        self.for_each_ordinary_rules(text, m, &mut |r| out.push(r));
        Some(out)
    }

    /// [`Encoding::__encode_ordinary_with_rules`] with rules of its own, none read before: a
    /// short text reads only the rules it needs (tests of that path).
    #[doc(hidden)]
    pub fn __encode_ordinary_with_fresh_rules(&self, text: &str) -> Option<(Vec<Rank>, usize)> {
        self.merges.as_ref()?;
        let m = merges::Merges::from_table(data::O200K_BASE)?;
        let mut out = Vec::new();
        self.for_each_ordinary_rules(text, &m, &mut |r| out.push(r));
        let read = m.lock().read();
        Some((out, read))
    }

    fn next_fn(&self) -> fn(&[u8], usize) -> usize {
        match self.split {
            Split::O200k => pretokenize::o200k_next,
            Split::Cl100k => pretokenize::cl100k_next,
        }
    }

    /// [`Encoding::for_each_ordinary`] with the index.
    #[inline]
    fn for_each_ordinary_index<F: FnMut(Rank)>(&self, text: &str, vocab: &Vocab, emit: &mut F) {
        let s = text.as_bytes();
        let next = self.next_fn();
        // the encoding's memo, unless another thread is using it (then one for this call)
        let mut own = None;
        let mut shared = self.memo.try_lock().ok();
        let memo = match shared.as_deref_mut() {
            Some(m) => m,
            None => own.insert(bpe::Memo::default()),
        };
        let mut p = 0;
        while p < s.len() {
            let e = next(s, p).clamp(p + 1, s.len());
            if let Some(piece) = s.get(p..e) {
                vocab.encode_piece_memo(piece, memo, emit);
            }
            p = e;
        }
    }

    /// Forgets the merged pieces this encoding remembers across calls (see [`bpe::Memo`]), and
    /// returns how many there were. Counts are the same either way; a text whose words were
    /// seen before is only faster.
    pub fn clear_cache(&self) -> usize {
        match self.memo.lock() {
            Ok(mut m) => {
                let n = m.len();
                m.clear();
                n
            }
            Err(_) => 0,
        }
    }

    /// Encodes `text`, treating special-token strings as ordinary text.
    pub fn encode_ordinary(&self, text: &str) -> Vec<Rank> {
        let mut out = Vec::with_capacity(text.len() / 4 + 1);
        self.for_each_ordinary(text, &mut |r| out.push(r));
        out
    }

    /// Counts the tokens [`Encoding::encode_ordinary`] would return, without building them.
    pub fn count(&self, text: &str) -> usize {
        let mut n = 0usize;
        self.for_each_ordinary(text, &mut |_| n += 1);
        n
    }

    /// Encodes `text` with tiktoken's special-token semantics: allowed special-token strings
    /// become their ids, a disallowed one is a `BadRequestError`, others are ordinary text.
    pub fn encode(&self, text: &str, policy: &SpecialPolicy) -> Result<Vec<Rank>, LlmError> {
        let mut out = Vec::with_capacity(text.len() / 4 + 1);
        self.for_each(text, policy, &mut |r| out.push(r))?;
        Ok(out)
    }

    /// [`Encoding::encode`] with every special token allowed.
    pub fn encode_with_special_tokens(&self, text: &str) -> Vec<Rank> {
        let mut out = Vec::with_capacity(text.len() / 4 + 1);
        self.for_each_allowed(text, &SpecialSet::All, &mut |r| out.push(r));
        out
    }

    /// Counts the tokens [`Encoding::encode`] would return.
    pub fn count_with(&self, text: &str, policy: &SpecialPolicy) -> Result<usize, LlmError> {
        let mut n = 0usize;
        self.for_each(text, policy, &mut |_| n += 1)?;
        Ok(n)
    }

    fn for_each<F: FnMut(Rank)>(
        &self,
        text: &str,
        policy: &SpecialPolicy,
        emit: &mut F,
    ) -> Result<(), LlmError> {
        // tiktoken: "all" disallowed = every special not allowed; an explicit set is checked as is.
        let disallowed = |t: &str| match &policy.disallowed {
            SpecialSet::All => !policy.allowed.contains(t),
            other => other.contains(t),
        };
        if policy.disallowed != SpecialSet::None {
            if let Some((_, tok, _)) = self.find_special(text, 0, &disallowed) {
                return Err(LlmError::bad_request(format!(
                    "the text contains the special token \"{tok}\", which is disallowed; allow it, or encode it as ordinary text"
                ))
                .with_code("disallowed_special_token"));
            }
        }
        self.for_each_allowed(text, &policy.allowed, emit);
        Ok(())
    }

    fn for_each_allowed<F: FnMut(Rank)>(&self, text: &str, allowed: &SpecialSet, emit: &mut F) {
        if *allowed == SpecialSet::None {
            return self.for_each_ordinary(text, emit);
        }
        let mut start = 0;
        while let Some((at, tok, id)) = self.find_special(text, start, &|t| allowed.contains(t)) {
            if let Some(segment) = text.get(start..at) {
                self.for_each_ordinary(segment, emit);
            }
            emit(id);
            start = at + tok.len();
        }
        if let Some(rest) = text.get(start..) {
            self.for_each_ordinary(rest, emit);
        }
    }

    /// The leftmost special token at or after `from` that `wanted` accepts: (offset, string, id).
    fn find_special(
        &self,
        text: &str,
        from: usize,
        wanted: &dyn Fn(&str) -> bool,
    ) -> Option<(usize, &'static str, Rank)> {
        let hay = text.as_bytes().get(from..)?;
        // Every special token starts with "<|" and contains it nowhere else.
        static OPEN: crate::util::Needle = crate::util::Needle::new(b"<|");
        for at in OPEN.find_iter(hay) {
            let rest = hay.get(at..)?;
            for &(tok, id) in self.specials {
                if rest.starts_with(tok.as_bytes()) && wanted(tok) {
                    return Some((from + at, tok, id));
                }
            }
        }
        None
    }

    /// The bytes of one token (ordinary or special).
    pub fn token_bytes(&self, id: Rank) -> Option<&[u8]> {
        self.vocab().and_then(|v| v.token(id)).or_else(|| {
            self.specials
                .iter()
                .find(|s| s.1 == id)
                .map(|s| s.0.as_bytes())
        })
    }

    /// Decodes ids to bytes; an unknown id is a `BadRequestError`. Tokens may split a UTF-8
    /// character, so the bytes of a token sub-sequence need not be valid UTF-8.
    pub fn decode_bytes(&self, ids: &[Rank]) -> Result<Vec<u8>, LlmError> {
        let mut out = Vec::with_capacity(ids.len() * 4);
        for &id in ids {
            match self.token_bytes(id) {
                Some(b) => out.extend_from_slice(b),
                None => {
                    return Err(LlmError::bad_request(format!(
                        "token id {id} is not in {}",
                        self.name
                    ))
                    .with_code("invalid_token_id"))
                }
            }
        }
        Ok(out)
    }

    /// Where each token of `text` ends, in UTF-16 code units (for highlighting tokens in a UI):
    /// `ends[i]` is the end of token `i`, non-decreasing, the last equal to `text`'s UTF-16
    /// length. A token that ends inside a character (tokens may split UTF-8 sequences) ends after
    /// it, so the next token's span may be empty. `ids` must be `text`'s encoding; ids that do not
    /// spell `text` are a `BadRequestError`.
    pub fn utf16_ends(&self, text: &str, ids: &[Rank]) -> Result<Vec<u32>, LlmError> {
        let mut ends = Vec::with_capacity(ids.len());
        let mut chars = text.char_indices().peekable();
        let (mut byte, mut unit) = (0usize, 0u32);
        for &id in ids {
            let tok = self.token_bytes(id).ok_or_else(|| {
                LlmError::bad_request(format!("token id {id} is not in {}", self.name)).with_code("invalid_token_id")
            })?;
            if text.as_bytes().get(byte..byte + tok.len()) != Some(tok) {
                return Err(LlmError::bad_request("the token ids do not spell the text"));
            }
            byte += tok.len();
            while let Some(&(at, c)) = chars.peek() {
                if at >= byte {
                    break;
                }
                unit += c.len_utf16() as u32;
                chars.next();
            }
            ends.push(unit);
        }
        if byte != text.len() {
            return Err(LlmError::bad_request("the token ids do not spell the text"));
        }
        Ok(ends)
    }

    /// Decodes ids to a string, replacing invalid UTF-8 with U+FFFD (tiktoken's
    /// `errors="replace"`); an unknown id is a `BadRequestError`.
    pub fn decode(&self, ids: &[Rank]) -> Result<String, LlmError> {
        let bytes = self.decode_bytes(ids)?;
        Ok(match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        })
    }
}

/// Benchmark hook: decodes the o200k_base table and builds its lookup again, returning the
/// milliseconds of each phase as measured by `now` (the caller's clock, e.g. `performance.now`).
#[doc(hidden)]
pub fn __bench_init_phases(now: &dyn Fn() -> f64) -> Option<[f64; 3]> {
    let tm = now();
    let m = merges::Merges::from_table(data::O200K_BASE)?;
    m.read_all()?;
    std::hint::black_box(&m);
    let t0 = now();
    let list = data::decode_pairs(data::O200K_BASE)?;
    let t1 = now();
    let vocab = Vocab::new(list.bytes, list.offsets)?;
    let t2 = now();
    std::hint::black_box(&vocab);
    Some([t0 - tm, t1 - t0, t2 - t1])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The memo kept across calls gives the same tokens as merging afresh, for pieces seen
    /// before and after it fills up and starts over.
    #[test]
    fn memo_across_calls_is_exact_and_bounded() {
        let e = build("cl100k_base").expect("cl100k"); // its own memo; the index from the start
        let v = e.vocab().expect("index");
        let word = |i: usize| {
            let mut w = String::from(" q");
            let mut x = i;
            loop {
                w.push((b'a' + (x % 26) as u8) as char);
                x /= 26;
                if x == 0 {
                    break;
                }
            }
            w.push_str("zx");
            w
        };
        let fresh = |t: &str| {
            let mut out = Vec::new();
            v.encode_piece(t.as_bytes(), &mut |r| out.push(r));
            out
        };
        let mut multi = 0;
        for i in 0..70_000 {
            let w = word(i);
            let want = fresh(&w);
            multi += usize::from(want.len() > 1);
            assert_eq!(e.encode_ordinary(&w), want, "{w:?}");
            if i % 7 == 0 {
                let again = word(i / 2);
                assert_eq!(e.encode_ordinary(&again), fresh(&again), "{again:?} again");
            }
        }
        assert!(multi > 66_000, "the words should need merging: {multi}");
        let remembered = e.clear_cache();
        assert!(remembered > 0 && remembered <= 1 << 16, "bounded: {remembered}");
        assert_eq!(e.clear_cache(), 0);
        assert_eq!(e.encode_ordinary(&word(5)), fresh(&word(5)));
    }

    /// Short texts go through the merge rules without building the index; a piece too long for
    /// the rules, or a token's bytes, builds it; the tokens agree either way.
    #[test]
    fn first_texts_use_the_merge_rules_and_the_index_comes_later() {
        let e = build("o200k_base").expect("o200k");
        let text = "Hello world! This is the first count.";
        let ids = e.encode_ordinary(text);
        assert!(e.vocab.get().is_none(), "the index was built for a short text");
        let read = e.merges.as_ref().expect("rules").lock().read();
        assert!(read < 199_998 / 4, "{read} rules read for a short text of common words");
        let long = "a".repeat(300);
        let long_ids = e.encode_ordinary(&long);
        assert!(e.vocab.get().is_some(), "a 300-byte piece builds the index");
        let reference = Encoding::get("o200k_base").expect("o200k");
        assert_eq!(ids, e.__encode_ordinary_with_rules(text).expect("rules"));
        assert_eq!(e.decode_bytes(&ids).expect("decode"), text.as_bytes());
        assert_eq!(long_ids, reference.encode_ordinary(&long));
    }
    /// One set of rules over texts that each bring byte pairs not seen before: the rules of the
    /// new pairs are added (among the ranks already read too), then every pair at once; the
    /// tokens are the index's every time.
    #[test]
    fn rules_cover_new_byte_pairs_text_by_text() {
        let e = build("o200k_base").expect("o200k");
        let v = e.vocab().expect("index");
        let reference = |t: &str| {
            let mut out = Vec::new();
            e.for_each_ordinary_index(t, v, &mut |r| out.push(r));
            out
        };
        let m = merges::Merges::from_table(data::O200K_BASE).expect("rules");
        let texts = [
            "Hello world",
            "Summarise the following article",
            "naïve café ünïcödé",
            "日本語のテキストです",
            "12345 + 67890 = ?",
            "ẞ Ω ж ק ع",
            "tabs\tand\nnewlines  ",
            "emoji 😀🎉 and Hello world again",
        ];
        for (i, t) in texts.iter().enumerate() {
            let mut out = Vec::new();
            e.for_each_ordinary_rules(t, &m, &mut |r| out.push(r));
            assert_eq!(out, reference(t), "{t}");
            assert_eq!(m.lock().covers_all(), i >= 3, "after {t}");
        }
    }

    use crate::error::ErrorKind;

    #[test]
    fn unknown_encoding_and_ids_are_typed_errors() {
        let e = Encoding::get("p50k_base").unwrap_err();
        assert_eq!(e.kind, ErrorKind::BadRequestError);
        let enc = Encoding::get("o200k_base").unwrap();
        let e = enc.decode(&[200_000]).unwrap_err();
        assert_eq!(e.kind, ErrorKind::BadRequestError);
        assert!(enc.decode(&[u32::MAX]).is_err());
    }

    #[test]
    fn utf16_ends_cover_the_text_and_round_split_characters_up() {
        for name in ["o200k_base", "cl100k_base"] {
            let enc = Encoding::get(name).unwrap();
            for text in ["", "hello world", "naïve café 😀😀 日本語のテキスト 🇯🇵 𝔘𝔫𝔦", "   \n\n\tx  ", "ab<|endoftext|>"] {
                let ids = enc.encode_ordinary(text);
                let ends = enc.utf16_ends(text, &ids).unwrap();
                assert_eq!(ends.len(), ids.len());
                assert!(ends.windows(2).all(|w| w[0] <= w[1]));
                assert_eq!(ends.last().copied().unwrap_or(0) as usize, text.encode_utf16().count());
                // every span boundary is a character boundary: the pieces re-join to the text
                let units: Vec<u16> = text.encode_utf16().collect();
                let mut from = 0usize;
                let mut joined = String::new();
                for &e in &ends {
                    joined.push_str(&String::from_utf16(&units[from..e as usize]).unwrap());
                    from = e as usize;
                }
                assert_eq!(joined, text);
            }
            // an emoji split over several tokens: some span is empty, none is cut
            let ids = enc.encode_ordinary("𝔘");
            assert!(enc.utf16_ends("𝔘", &ids).unwrap().iter().all(|&e| e == 0 || e == 2));
            assert!(enc.utf16_ends("hello", &enc.encode_ordinary("help")).is_err());
            assert!(enc.utf16_ends("hello", &[u32::MAX]).is_err());
        }
    }

    #[test]
    fn specials() {
        let o = Encoding::get("o200k_base").unwrap();
        assert_eq!(o.special_token(ENDOFPROMPT), Some(200_018));
        assert_eq!(o.n_vocab(), 200_019);
        let c = Encoding::get("cl100k_base").unwrap();
        assert_eq!(c.n_vocab(), 100_277);
        let text = "a<|endoftext|>b<|fim_prefix|>";
        assert!(c.encode(text, &SpecialPolicy::default()).is_err());
        assert!(c.encode(text, &SpecialPolicy::allow(&[ENDOFTEXT])).is_err());
        let all = c.encode(text, &SpecialPolicy::all()).unwrap();
        assert_eq!(all, vec![64, 100_257, 65, 100_258]);
        assert_eq!(c.decode(&all).unwrap(), text);
        let only = c
            .encode(
                text,
                &SpecialPolicy {
                    allowed: SpecialSet::Only(vec![ENDOFTEXT.into()]),
                    disallowed: SpecialSet::None,
                },
            )
            .unwrap();
        assert_eq!(&only[..3], &[64, 100_257, 65]);
        assert_eq!(c.decode(&only).unwrap(), text);
        assert_eq!(
            c.encode(text, &SpecialPolicy::ordinary()).unwrap(),
            c.encode_ordinary(text)
        );
        assert_eq!(c.count_with(text, &SpecialPolicy::all()).unwrap(), 4);
    }

    #[test]
    fn decode_split_utf8() {
        let o = Encoding::get("o200k_base").unwrap();
        let ids = o.encode_ordinary("🦀🦀🦀 naïve");
        assert_eq!(o.decode(&ids).unwrap(), "🦀🦀🦀 naïve");
        let bytes = o.decode_bytes(&ids[..1]).unwrap();
        if std::str::from_utf8(&bytes).is_err() {
            assert!(o.decode(&ids[..1]).unwrap().contains('\u{FFFD}'));
        }
    }

    #[test]
    fn model_mapping() {
        assert_eq!(encoding_for_model("gpt-4o-mini"), Some("o200k_base"));
        assert_eq!(encoding_for_model("gpt-5.1-codex"), Some("o200k_base"));
        assert_eq!(encoding_for_model("o3"), Some("o200k_base"));
        assert_eq!(encoding_for_model("chatgpt-4o-latest"), Some("o200k_base"));
        assert_eq!(encoding_for_model("gpt-4-turbo"), Some("cl100k_base"));
        assert_eq!(
            encoding_for_model("text-embedding-3-small"),
            Some("cl100k_base")
        );
        assert_eq!(
            encoding_for_model("ft:gpt-4o-2024-08-06:org::abc"),
            Some("o200k_base")
        );
        assert_eq!(encoding_for_model("claude-3"), None);
        assert!(Encoding::for_model("claude-3").is_err());
    }
}

#[cfg(test)]
mod init_timing {
    #[test]
    #[ignore]
    fn init_breakdown() {
        use std::time::Instant;
        let mut best = (f64::MAX, f64::MAX);
        for _ in 0..20 {
            let t = Instant::now();
            let mut sum = 0usize;
            super::data::merge_rules(super::data::O200K_BASE, |r, a, b| sum = sum.wrapping_add(r ^ a ^ b)).unwrap();
            std::hint::black_box(sum);
            let w = t.elapsed().as_secs_f64() * 1e3;
            let t = Instant::now();
            let m = super::merges::Merges::from_table(super::data::O200K_BASE).unwrap();
            m.read_all().unwrap();
            std::hint::black_box(&m);
            let r = t.elapsed().as_secs_f64() * 1e3;
            best = (best.0.min(w), best.1.min(r));
        }
        eprintln!("best of 20 (memory reused): rules walk {:.2} ms, rules table {:.2} ms", best.0, best.1);
        let e = super::Encoding::get("o200k_base").unwrap();
        for text in ["Hello world! This is the first count.", "You are a helpful assistant. Summarise the following article in three bullet points, keeping names and numbers exact."] {
            let t = Instant::now();
            let (ids, read) = e.__encode_ordinary_with_fresh_rules(text).unwrap();
            eprintln!("fresh rules, first count: {:?} ({} tokens, {read} ranks read) for {text:?}", t.elapsed(), ids.len());
        }
        for _ in 0..3 {
            let t = Instant::now();
            let l = super::data::decode_pairs(super::data::O200K_BASE).unwrap();
            let a = t.elapsed();
            let t = Instant::now();
            let mut sum = 0usize;
            super::data::merge_rules(super::data::O200K_BASE, |r, a, b| sum = sum.wrapping_add(r ^ a ^ b)).unwrap();
            std::hint::black_box(sum);
            let walk = t.elapsed();
            let t = Instant::now();
            let m = super::merges::Merges::from_table(super::data::O200K_BASE).unwrap();
            m.read_all().unwrap();
            std::hint::black_box(&m);
            let b = t.elapsed();
            eprintln!("rules walk only {walk:?}");
            let t = Instant::now();
            let v = super::bpe::Vocab::new(l.bytes, l.offsets).unwrap();
            let d = t.elapsed();
            let t = Instant::now();
            let cl = super::data::decode_refs(super::data::CL100K_BASE, |r| v.token(r)).unwrap();
            let e = t.elapsed();
            eprintln!(
                "decode {a:?} merge rules {b:?} vocab {d:?} cl100k decode {e:?} {}",
                v.len() + cl.offsets.len()
            );
        }
    }
}

#[cfg(test)]
mod split_timing {
    /// The benchmark corpus of one kind (dumped by the parity test's `dump_corpus`), if present.
    fn corpus(kind: &str) -> Option<String> {
        std::fs::read_to_string(format!("{}/benches/.work/corpus/{kind}.txt", env!("CARGO_MANIFEST_DIR"))).ok()
    }

    /// `cargo test --release --lib split_vs_merge -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn split_vs_merge() {
        use std::time::Instant;
        let enc = super::Encoding::get("o200k_base").unwrap();
        for kind in ["prose", "code", "multilingual"] {
            let Some(text) = corpus(kind) else { return };
            let s = text.as_bytes();
            let (mut pieces, mut long, mut single) = (0usize, 0usize, 0usize);
            let t = Instant::now();
            let mut p = 0;
            while p < s.len() {
                let e = super::pretokenize::o200k_next(s, p);
                pieces += 1;
                p = e;
            }
            let split = t.elapsed();
            let mut p = 0;
            while p < s.len() {
                let e = super::pretokenize::o200k_next(s, p);
                if enc.vocab().and_then(|v| v.rank(&s[p..e])).is_some() {
                    single += 1
                } else if e - p > 16 {
                    long += 1
                }
                p = e;
            }
            let t = Instant::now();
            let n = enc.count(&text);
            let all = t.elapsed();
            eprintln!("{kind}: {} MB, split {split:?}, count {all:?}; {pieces} pieces, {single} single-token, {long} >16B non-token, {n} tokens", s.len() / 1_000_000);
        }
    }

    /// The corpus counted document by document with the memo cleared, then again warm:
    /// `cargo test --release --lib memo_warm -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn memo_warm() {
        use std::time::Instant;
        let enc = super::Encoding::get("o200k_base").unwrap();
        for kind in ["prose", "code", "multilingual"] {
            let Some(text) = corpus(kind) else { return };
            let docs: Vec<&str> = text.split('\u{0}').collect();
            enc.count(&text); // the index built
            enc.clear_cache();
            let t = Instant::now();
            let n: usize = docs.iter().map(|d| enc.count(d)).sum();
            let cold = t.elapsed();
            let t = Instant::now();
            let warm_n: usize = docs.iter().map(|d| enc.count(d)).sum();
            let warm = t.elapsed();
            assert_eq!(n, warm_n);
            eprintln!("{kind}: {} docs, {n} tokens, cleared {cold:?}, warm {warm:?}, {} pieces remembered", docs.len(), enc.clear_cache());
        }
    }
}
