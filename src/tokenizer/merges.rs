//! Encoding with merge rules alone, for a fast first count.
//!
//! Building the bytes-to-rank index of o200k_base ([`super::bpe::Vocab`]) means materialising
//! 200k tokens and hashing each: most of the ~25 ms a first count took in wasm. The table stores
//! every token above 255 as the pair of lower ranks that tiktoken's own byte-pair merge of its
//! bytes ends with (`data/tokenizer/generate.py` checks that this merge gives the token back,
//! for every token). Those pairs are merge rules, and merging adjacent `(left, right)` parts of
//! a piece by the lowest rule, leftmost first, yields exactly tiktoken's tokens:
//!
//! whenever tiktoken merges two adjacent parts `a`, `b` into `c`, both were built only from
//! bytes inside `c`'s span, by merges among those bytes alone, taken in rank order, which is what
//! the merge of `c`'s bytes on their own does: so `(a, b)` is `c`'s stored rule. A concatenation
//! that is a token but not by its rule is therefore never the lowest candidate, and the lowest
//! rule is tiktoken's lowest candidate. (A piece that is itself a token also merges to that
//! token, since every token merges back to itself.)
//!
//! The rule table is built from the pair streams without any token bytes, and only with the
//! rules a text can need (see [`Rules`]): a first count takes a few milliseconds.
//! It is slower per piece than the index (a lookup per adjacent pair instead of one per piece),
//! so [`super::Encoding`] uses it for the first small texts and builds the index once more text
//! arrives.

use std::sync::{Mutex, MutexGuard};

use super::bpe::Rank;
use super::data::PairsTable;

/// The longest piece merged here; a longer one goes to the index path.
pub(crate) const MAX_PIECE: usize = 128;

const NONE: Rank = Rank::MAX;
const RANK_BITS: u64 = (1 << 18) - 1;

/// Ranks whose rules are read at a time: the rules are read from the pair streams in rank order
/// only as far as the texts encoded so far need (see [`Merges::encode_piece`]).
const GROW: usize = 4096;

/// Texts that bring byte pairs not covered yet (each walks the ranks read so far again, see
/// [`Merges::cover`]); the next such text covers every pair at once.
const MAX_ADDITIONS: u8 = 3;

/// The first table size (slots), doubled as rules are added.
const FIRST_SLOTS: usize = 1 << 13;

pub(crate) struct Merges<'a> {
    pairs: PairsTable<'a>,
    byte_ranks: [Rank; 256],
    rules: Mutex<Rules>,
}

/// The rules read so far: those of ranks `256..256 + read` whose boundary byte pair (the last
/// byte of the left part, the first of the right) is in `covered`.
///
/// Adjacent parts of a piece meet at two adjacent bytes of the text, so a rule whose boundary
/// pair never occurs in the texts encoded can never be looked up: leaving it out changes no
/// result, and a short text's pairs select 2-12% of o200k_base's 200k rules. Fewer rules make a
/// small table (page faults on fresh memory were most of what building all of them cost).
pub(crate) struct Rules {
    /// Open addressing, linear probing: `key << 18 | rank` of each rule in the table; 0 is
    /// empty. The key beside the rank keeps a probe to one memory access (a separate key array
    /// cost a second random access per probe).
    table: Vec<u64>,
    mask: usize,
    used: usize,
    read: usize,
    /// Where the next rank's right-rank continuation bytes start.
    at: usize,
    /// Set when the table turned out corrupt: no more rules are read.
    broken: bool,
    /// Per rank read: its first byte << 8 | its last byte.
    ends: Vec<u16>,
    /// The byte pairs whose rules are in the table, a bit each.
    covered: Vec<u64>,
    /// Texts that added byte pairs so far.
    additions: u8,
}

#[inline(always)]
fn key(left: Rank, right: Rank) -> u64 {
    (left as u64) << 18 | right as u64
}

#[inline(always)]
fn slot(key: u64, mask: usize) -> usize {
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) as usize & mask
}

#[inline(always)]
fn has(bits: &[u64], pair: usize) -> bool {
    bits.get(pair >> 6).is_some_and(|w| w >> (pair & 63) & 1 == 1)
}

impl<'a> Merges<'a> {
    /// The rules of a kind-2 table, none read yet. `None` for a table with a bad header, a rank
    /// count at or above 2^18, or a byte missing from ranks 0..256; corruption further in (a
    /// pair not below its rank, two ranks with the same pair) shows when the rules are read:
    /// see [`Merges::read_all`].
    pub(crate) fn from_table(d: &'a [u8]) -> Option<Merges<'a>> {
        let pairs = super::data::pairs_table(d)?;
        let n = pairs.len();
        if !(256..1 << 18).contains(&n) {
            return None;
        }
        let mut byte_ranks = [NONE; 256];
        let mut ends = Vec::with_capacity(n);
        for (r, b) in pairs.singles()?.into_iter().enumerate() {
            byte_ranks[b as usize] = r as Rank;
            ends.push(u16::from(b) << 8 | u16::from(b));
        }
        if byte_ranks.contains(&NONE) {
            return None;
        }
        let rules = Rules {
            table: vec![0u64; FIRST_SLOTS],
            mask: FIRST_SLOTS - 1,
            used: 0,
            read: 0,
            at: 0,
            broken: false,
            ends,
            covered: vec![0u64; 1 << 10],
            additions: 0,
        };
        Some(Merges { pairs, byte_ranks, rules: Mutex::new(rules) })
    }

    /// The rules, for [`Merges::encode_piece`]; held while a text is encoded.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Rules> {
        self.rules.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Reads every rule: `None` if the table is corrupt.
    pub(crate) fn read_all(&self) -> Option<()> {
        let mut g = self.lock();
        g.additions = MAX_ADDITIONS;
        self.cover(&mut g, &[])?;
        while self.read_more(&mut g)? {}
        Some(())
    }

    /// Makes the table hold the rules `text` can need: its byte pairs not covered yet are added,
    /// and the ranks read so far are walked again for their rules. After [`MAX_ADDITIONS`] such
    /// additions, every pair is covered at once. `None` for a corrupt table.
    pub(crate) fn cover(&self, g: &mut Rules, text: &[u8]) -> Option<()> {
        if g.broken {
            return None;
        }
        let mut add = vec![0u64; 1 << 10];
        let mut any = false;
        if g.additions >= MAX_ADDITIONS {
            // every rule will be in the table: size it once rather than doubling up to it
            g.reserve(self.pairs.len() - 256);
            for (a, c) in add.iter_mut().zip(&g.covered) {
                *a = !c;
                any |= *a != 0;
            }
        } else {
            for w in text.windows(2) {
                let pair = (w[0] as usize) << 8 | w[1] as usize;
                if !has(&g.covered, pair) {
                    add[pair >> 6] |= 1 << (pair & 63);
                    any = true;
                }
            }
        }
        if !any {
            return Some(());
        }
        g.additions = g.additions.saturating_add(1);
        for (c, a) in g.covered.iter_mut().zip(&add) {
            *c |= a;
        }
        if g.read == 0 {
            return Some(());
        }
        // the rules of the new pairs among the ranks already read
        let read = g.read;
        let mut ok = true;
        let end = self.pairs.rules(0, 0..read, |rank, left, right| {
            let Some(pair) = g.boundary(left, right) else { ok = false; return };
            if has(&add, pair) {
                ok = ok && g.insert(key(left as Rank, right as Rank), rank).is_some();
            }
        });
        if !ok || end != Some(g.at) {
            g.broken = true;
            return None;
        }
        Some(())
    }

    /// Reads the next [`GROW`] ranks' rules: `Some(false)` once all are read, `None` for a
    /// corrupt table.
    fn read_more(&self, g: &mut Rules) -> Option<bool> {
        let m = self.pairs.len() - 256;
        let first = g.read;
        if g.broken {
            return None;
        }
        if first >= m {
            return Some(false);
        }
        let mut ok = true;
        let end = self.pairs.rules(g.at, first..first + GROW, |rank, left, right| {
            let (Some(pair), Some(&l), Some(&r)) = (g.boundary(left, right), g.ends.get(left), g.ends.get(right)) else {
                ok = false;
                return;
            };
            g.ends.push((l & 0xFF00) | (r & 0x00FF));
            if ok && rank + 1 != g.ends.len() {
                ok = false;
            }
            if has(&g.covered, pair) {
                ok = ok && g.insert(key(left as Rank, right as Rank), rank).is_some();
            }
        });
        match end {
            Some(end) if ok => {
                g.at = end;
                g.read = (first + GROW).min(m);
                Some(true)
            }
            _ => {
                g.broken = true;
                None
            }
        }
    }

    /// Encodes one pre-tokenised piece (at most [`MAX_PIECE`] bytes) with tiktoken's byte-pair
    /// merge: `parts` and `pairs` are scratch space. `None` only for a corrupt table.
    ///
    /// The rules read so far are those of every rank below some bound, so the lowest rule found
    /// among them is the lowest of all: any rule not read yet has a higher rank. Only when no
    /// rule is found and parts remain to be merged are more rules read. A short text of common
    /// words reads a small part of the table; one piece that stays several tokens reads it all.
    pub(crate) fn encode_piece<F: FnMut(Rank)>(
        &self,
        g: &mut Rules,
        piece: &[u8],
        parts: &mut Vec<Rank>,
        pairs: &mut Vec<Rank>,
        emit: &mut F,
    ) -> Option<()> {
        parts.clear();
        parts.extend(piece.iter().map(|&b| self.byte_ranks[b as usize]));
        pairs.clear();
        pairs.extend(parts.windows(2).map(|w| g.rule(w[0], w[1])));
        loop {
            // the lowest rule, leftmost on a tie (as tiktoken)
            let mut at = usize::MAX;
            let mut best = NONE;
            for (i, &r) in pairs.iter().enumerate() {
                if r < best {
                    best = r;
                    at = i;
                }
            }
            if at == usize::MAX {
                if pairs.is_empty() || !self.read_more(g)? {
                    break;
                }
                for (i, p) in pairs.iter_mut().enumerate() {
                    if *p == NONE {
                        *p = g.rule(parts[i], parts[i + 1]);
                    }
                }
                continue;
            }
            parts[at] = best;
            parts.remove(at + 1);
            pairs.remove(at);
            if at > 0 {
                pairs[at - 1] = g.rule(parts[at - 1], parts[at]);
            }
            if at + 1 < parts.len() {
                pairs[at] = g.rule(parts[at], parts[at + 1]);
            }
        }
        for &r in parts.iter() {
            emit(r);
        }
        Some(())
    }
}

impl Rules {
    /// The boundary byte pair of a rule: `left`'s last byte, `right`'s first.
    #[inline(always)]
    fn boundary(&self, left: usize, right: usize) -> Option<usize> {
        Some(((*self.ends.get(left)? & 0xFF) as usize) << 8 | (*self.ends.get(right)? >> 8) as usize)
    }

    /// Adds a rule; `None` if its pair is already another rank's (a corrupt table).
    fn insert(&mut self, k: u64, rank: usize) -> Option<()> {
        // up to 4/5 full: o200k_base's 199,742 rules fit in 2^18 slots (2 MB)
        if (self.used + 1) * 5 > self.table.len() * 4 {
            self.grow();
        }
        let mut s = slot(k, self.mask);
        loop {
            let t = self.table.get_mut(s)?;
            if *t == 0 {
                *t = k << 18 | rank as u64;
                self.used += 1;
                return Some(());
            }
            if *t >> 18 == k {
                return None;
            }
            s = (s + 1) & self.mask;
        }
    }

    /// Makes room for `rules` rules in all.
    fn reserve(&mut self, rules: usize) {
        let size = (rules + rules / 4 + 1).next_power_of_two();
        if size > self.table.len() {
            self.resize(size);
        }
    }

    /// Doubles the table.
    fn grow(&mut self) {
        self.resize(self.table.len() * 2);
    }

    fn resize(&mut self, size: usize) {
        let old = std::mem::replace(&mut self.table, vec![0u64; size]);
        self.mask = size - 1;
        for e in old.into_iter().filter(|&e| e != 0) {
            let mut s = slot(e >> 18, self.mask);
            while let Some(t) = self.table.get_mut(s) {
                if *t == 0 {
                    *t = e;
                    break;
                }
                s = (s + 1) & self.mask;
            }
        }
    }

    /// The rank `left` and `right` merge into among the rules read, or [`NONE`].
    #[inline]
    fn rule(&self, left: Rank, right: Rank) -> Rank {
        let k = key(left, right);
        let mut at = slot(k, self.mask);
        loop {
            match self.table.get(at) {
                Some(&0) | None => return NONE,
                Some(&e) if e >> 18 == k => return (e & RANK_BITS) as Rank,
                Some(_) => at = (at + 1) & self.mask,
            }
        }
    }

    /// How many ranks' rules have been read (tests).
    pub(crate) fn read(&self) -> usize {
        self.read
    }

    /// Whether every byte pair is covered (tests).
    #[cfg(test)]
    pub(crate) fn covers_all(&self) -> bool {
        self.covered.iter().all(|&w| w == u64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corrupt_rule_tables_are_none_not_panics() {
        let t = super::super::data::O200K_BASE;
        let all = |d: &[u8]| Merges::from_table(d).and_then(|m| m.read_all());
        assert!(all(t).is_some());
        for cut in [0, 4, 16, 200, 300, 1000, t.len() / 2, t.len() - 1] {
            assert!(all(&t[..cut]).is_none(), "cut at {cut}");
        }
        let mut bad = t.to_vec();
        bad[4] = 1; // another kind
        assert!(all(&bad).is_none());
        let mut bad = t.to_vec();
        bad[16] = bad[17]; // a byte twice among the single bytes
        assert!(all(&bad).is_none());
        // a later rank given an earlier rank's pair (left: low, mid and 2-bit high planes;
        // right: a one-byte varint in the heads stream, so the streams stay in step): found when
        // the rules are read, and the table stays corrupt (encode_piece says None instead of
        // reading further)
        let m: usize = 199_998 - 256;
        let (lo, mid, hi) = (16 + 256, 16 + 256 + m, 16 + 256 + 2 * m);
        let heads = hi + m.div_ceil(4);
        let mut bad = t.to_vec();
        let mut one_byte = (0..GROW).filter(|&i| bad[heads + i] < 0x80);
        let (j, i) = (one_byte.next().expect("a one-byte right rank"), one_byte.next().expect("another"));
        bad[lo + i] = bad[lo + j];
        bad[mid + i] = bad[mid + j];
        let high = |i: usize| (bad[hi + i / 4] >> (2 * (i % 4))) & 3;
        let (shift, h) = (2 * (i % 4), high(j));
        bad[hi + i / 4] = (bad[hi + i / 4] & !(3 << shift)) | (h << shift);
        bad[heads + i] = bad[heads + j];
        let mb = Merges::from_table(&bad).expect("header");
        assert!(mb.read_all().is_none());
        let mut g = mb.lock();
        let (mut parts, mut pairs) = (Vec::new(), Vec::new());
        assert!(mb.encode_piece(&mut g, "qzjx".as_bytes(), &mut parts, &mut pairs, &mut |_| ()).is_none());
    }

    #[test]
    fn rules_merge_like_tiktoken() {
        let m = Merges::from_table(super::super::data::O200K_BASE).expect("rules");
        let (mut parts, mut pairs) = (Vec::new(), Vec::new());
        let mut g = m.lock();
        let mut enc = |s: &str| {
            let mut out = Vec::new();
            m.cover(&mut g, s.as_bytes()).expect("table");
            m.encode_piece(&mut g, s.as_bytes(), &mut parts, &mut pairs, &mut |r| out.push(r)).expect("table");
            out
        };
        // o200k_base ids, as tiktoken gives them
        assert_eq!(enc("Hello"), vec![13225]);
        assert_eq!(enc(" world"), vec![2375]);
        assert_eq!(enc(""), Vec::<Rank>::new());
        assert_eq!(enc("a").len(), 1);
    }
}
