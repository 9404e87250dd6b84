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
//! The rule table is built from the pair streams without any token bytes (a few milliseconds).
//! It is slower per piece than the index (a lookup per adjacent pair instead of one per piece),
//! so [`super::Encoding`] uses it for the first small texts and builds the index once more text
//! arrives.

use super::bpe::Rank;

/// The longest piece merged here; a longer one goes to the index path.
pub(crate) const MAX_PIECE: usize = 128;

const NONE: Rank = Rank::MAX;

pub(crate) struct Merges {
    byte_ranks: [Rank; 256],
    /// `left << 18 | right` of rank `256 + i` at `i`.
    keys: Vec<u64>,
    /// Open addressing, linear probing: the rank of a rule (its key is in `keys`); 0 is empty.
    table: Vec<u32>,
    mask: usize,
}

#[inline(always)]
fn key(left: Rank, right: Rank) -> u64 {
    (left as u64) << 18 | right as u64
}

#[inline(always)]
fn slot(key: u64, mask: usize) -> usize {
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) as usize & mask
}

impl Merges {
    /// The rules of a kind-2 table. `None` for a corrupt table (a rank at or above 2^18, a pair
    /// not below its rank, two ranks with the same pair, a byte missing from ranks 0..256).
    pub(crate) fn from_table(d: &[u8]) -> Option<Merges> {
        let n = super::data::rank_count(d)?;
        if !(256..1 << 18).contains(&n) {
            return None;
        }
        // The memory is the cost here: each fresh page is a fault (several µs in a VM), so the
        // table holds 4-byte ranks at up to 3/4 full and the keys sit in rank order beside it.
        let size = (n + n / 3).next_power_of_two().max(1024);
        let mask = size - 1;
        let mut keys: Vec<u64> = Vec::with_capacity(n - 256);
        let singles = super::data::merge_rules(d, |_, left, right| keys.push(key(left as Rank, right as Rank)))?;
        if keys.len() != n - 256 {
            return None;
        }
        let mut table = vec![0u32; size];
        for (i, &k) in keys.iter().enumerate() {
            let mut at = slot(k, mask);
            loop {
                let t = table.get_mut(at)?;
                if *t == 0 {
                    *t = (256 + i) as u32;
                    break;
                }
                if keys.get((*t as usize).wrapping_sub(256)) == Some(&k) {
                    return None; // two tokens with one rule
                }
                at = (at + 1) & mask;
            }
        }
        let mut byte_ranks = [NONE; 256];
        for (r, &b) in singles.iter().enumerate() {
            byte_ranks[b as usize] = r as Rank;
        }
        if byte_ranks.contains(&NONE) {
            return None;
        }
        Some(Merges { byte_ranks, keys, table, mask })
    }

    /// The rank `left` and `right` merge into, or [`NONE`].
    #[inline]
    fn rule(&self, left: Rank, right: Rank) -> Rank {
        let k = key(left, right);
        let mut at = slot(k, self.mask);
        loop {
            match self.table.get(at) {
                Some(&0) | None => return NONE,
                Some(&r) if self.keys.get((r as usize).wrapping_sub(256)) == Some(&k) => return r,
                Some(_) => at = (at + 1) & self.mask,
            }
        }
    }

    /// Encodes one pre-tokenised piece (at most [`MAX_PIECE`] bytes) with tiktoken's byte-pair
    /// merge: `parts` and `pairs` are scratch space.
    pub(crate) fn encode_piece<F: FnMut(Rank)>(&self, piece: &[u8], parts: &mut Vec<Rank>, pairs: &mut Vec<Rank>, emit: &mut F) {
        parts.clear();
        parts.extend(piece.iter().map(|&b| self.byte_ranks[b as usize]));
        pairs.clear();
        pairs.extend(parts.windows(2).map(|w| self.rule(w[0], w[1])));
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
                break;
            }
            parts[at] = best;
            parts.remove(at + 1);
            pairs.remove(at);
            if at > 0 {
                pairs[at - 1] = self.rule(parts[at - 1], parts[at]);
            }
            if at + 1 < parts.len() {
                pairs[at] = self.rule(parts[at], parts[at + 1]);
            }
        }
        for &r in parts.iter() {
            emit(r);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corrupt_rule_tables_are_none_not_panics() {
        let t = super::super::data::O200K_BASE;
        assert!(Merges::from_table(t).is_some());
        for cut in [0, 4, 16, 200, 300, 1000, t.len() / 2, t.len() - 1] {
            assert!(Merges::from_table(&t[..cut]).is_none(), "cut at {cut}");
        }
        let mut bad = t.to_vec();
        bad[4] = 1; // another kind
        assert!(Merges::from_table(&bad).is_none());
        let mut bad = t.to_vec();
        bad[16] = bad[17]; // a byte twice among the single bytes
        assert!(Merges::from_table(&bad).is_none());
    }

    #[test]
    fn rules_merge_like_tiktoken() {
        let m = Merges::from_table(super::super::data::O200K_BASE).expect("rules");
        let (mut parts, mut pairs) = (Vec::new(), Vec::new());
        let mut enc = |s: &str| {
            let mut out = Vec::new();
            m.encode_piece(s.as_bytes(), &mut parts, &mut pairs, &mut |r| out.push(r));
            out
        };
        // o200k_base ids, as tiktoken gives them
        assert_eq!(enc("Hello"), vec![13225]);
        assert_eq!(enc(" world"), vec![2375]);
        assert_eq!(enc(""), Vec::<Rank>::new());
        assert_eq!(enc("a").len(), 1);
    }
}
