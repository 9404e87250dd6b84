//! The byte-pair-encoding core: a vocabulary (token bytes in rank order plus an open-addressing
//! hash table from bytes to rank) and tiktoken's merge rule applied to one pre-tokenised piece.
//!
//! The merge rule is tiktoken's: repeatedly merge the adjacent pair whose concatenation has the
//! lowest rank, the leftmost one on ties, until no adjacent pair is a token. Two implementations
//! give the same result: a flat array scan for short pieces (cache-friendly, O(n·m) with n ≤
//! [`SMALL_PIECE`]) and a heap over a linked list for long ones (O(n log n)), so a megabyte-long
//! piece (one letter or one space repeated) stays linear-ish instead of tiktoken's quadratic loop.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// A token id.
pub type Rank = u32;

const NONE: Rank = Rank::MAX;
const EMPTY: u64 = u64::MAX;

/// Pieces up to this many bytes are merged on the stack with the flat scan.
pub(crate) const SMALL_PIECE: usize = 128;

/// A vocabulary of ordinary (non-special) tokens; rank `r` is the `r`-th token.
pub(crate) struct Vocab {
    /// All token bytes, concatenated in rank order.
    bytes: Vec<u8>,
    /// `offsets[r]..offsets[r + 1]` is token `r` in `bytes`; `len = n + 1`.
    offsets: Vec<u32>,
    /// Open addressing, linear probing: `(fingerprint << 32) | rank`, or [`EMPTY`].
    table: Vec<u64>,
    mask: usize,
    /// Rank of each single byte (every byte is a token in tiktoken's encodings).
    byte_ranks: [Rank; 256],
    max_len: usize,
}

#[inline(always)]
fn hash_bytes(b: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h = (b.len() as u64).wrapping_mul(K);
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h.rotate_left(23) ^ u64::from_le_bytes(w)).wrapping_mul(K);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut w = [0u8; 8];
        if let Some(dst) = w.get_mut(..rest.len()) {
            dst.copy_from_slice(rest);
        }
        h = (h.rotate_left(23) ^ u64::from_le_bytes(w)).wrapping_mul(K);
    }
    h ^ (h >> 31)
}

impl Vocab {
    /// Builds the lookup table over `bytes`/`offsets` (as produced by `data.rs`). Returns `None`
    /// when the tables are inconsistent (offsets out of range, a missing single byte).
    pub(crate) fn new(bytes: Vec<u8>, offsets: Vec<u32>) -> Option<Vocab> {
        let n = offsets.len().checked_sub(1)?;
        let cap = (n.max(1) * 2).next_power_of_two();
        let mask = cap - 1;
        let mut byte_ranks = [NONE; 256];
        let mut max_len = 0;
        // Hash every token in rank order (sequential reads), then insert bucket by bucket: the
        // tokens are first partitioned by the high bits of their home slot, so the inserts of
        // one partition touch one small region of the table. Inserting in rank order instead
        // scatters 200k writes over 4 MB and took 12-16 ms natively; this takes a few.
        const PART_BITS: u32 = 10;
        let shift = cap.trailing_zeros().saturating_sub(PART_BITS);
        let parts = 1usize << (cap.trailing_zeros() - shift);
        let mut hashed: Vec<(u32, u64)> = Vec::with_capacity(n);
        let mut counts = vec![0u32; parts + 1];
        for (r, w) in offsets.windows(2).enumerate() {
            let tok = bytes.get(w[0] as usize..w[1] as usize)?;
            let h = hash_bytes(tok);
            let home = (h as usize) & mask;
            hashed.push((home as u32, ((h >> 32) << 32) | r as u64));
            counts[(home >> shift) + 1] += 1;
            if let [b] = tok {
                byte_ranks[*b as usize] = r as Rank;
            }
            max_len = max_len.max(tok.len());
        }
        for i in 1..counts.len() {
            counts[i] += counts[i - 1];
        }
        let mut sorted = vec![(0u32, 0u64); n];
        for &(home, slot) in &hashed {
            let c = &mut counts[(home as usize) >> shift];
            *sorted.get_mut(*c as usize)? = (home, slot);
            *c += 1;
        }
        drop(hashed);
        let mut table = vec![EMPTY; cap];
        for (home, slot) in sorted {
            // The table is at most half full, so an empty slot is always found.
            let mut i = home as usize;
            loop {
                let t = table.get_mut(i)?;
                if *t == EMPTY {
                    *t = slot;
                    break;
                }
                i = (i + 1) & mask;
            }
        }
        if byte_ranks.contains(&NONE) {
            return None;
        }
        Some(Vocab { bytes, offsets, table, mask, byte_ranks, max_len })
    }

    /// Number of ordinary tokens.
    pub(crate) fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// The bytes of token `r`, if it exists.
    #[inline]
    pub(crate) fn token(&self, r: Rank) -> Option<&[u8]> {
        let r = r as usize;
        let start = *self.offsets.get(r)? as usize;
        let end = *self.offsets.get(r + 1)? as usize;
        self.bytes.get(start..end)
    }

    /// The rank of `piece`, if it is a token.
    #[inline]
    pub(crate) fn rank(&self, piece: &[u8]) -> Option<Rank> {
        if piece.len() > self.max_len {
            return None;
        }
        let h = hash_bytes(piece);
        let fp = h >> 32;
        let mut i = (h as usize) & self.mask;
        loop {
            let slot = *self.table.get(i)?;
            if slot == EMPTY {
                return None;
            }
            if slot >> 32 == fp {
                let r = slot as u32;
                if self.token(r) == Some(piece) {
                    return Some(r);
                }
            }
            i = (i + 1) & self.mask;
        }
    }

    #[inline(always)]
    fn rank_or_none(&self, piece: &[u8]) -> Rank {
        self.rank(piece).unwrap_or(NONE)
    }

    /// Encodes one pre-tokenised piece, calling `emit` with each token in order.
    #[inline]
    pub(crate) fn encode_piece<F: FnMut(Rank)>(&self, piece: &[u8], emit: &mut F) {
        match piece.len() {
            0 => {}
            1 => {
                if let Some(&b) = piece.first() {
                    emit(self.byte_ranks[b as usize]);
                }
            }
            n => {
                if let Some(r) = self.rank(piece) {
                    emit(r);
                } else if n <= SMALL_PIECE {
                    self.merge_small(piece, emit);
                } else {
                    self.merge_large(piece, emit);
                }
            }
        }
    }

    /// tiktoken's flat merge loop, on the stack. `2 <= piece.len() <= SMALL_PIECE`.
    fn merge_small<F: FnMut(Rank)>(&self, piece: &[u8], emit: &mut F) {
        // parts[i] = (start, rank of the token starting there, rank of the pair it starts).
        let mut parts = [(0u32, NONE, NONE); SMALL_PIECE + 1];
        let n = piece.len().min(SMALL_PIECE);
        for (i, (part, w)) in parts.iter_mut().zip(piece.windows(2)).enumerate() {
            *part = (i as u32, self.byte_ranks[w[0] as usize], self.rank_or_none(w));
        }
        if let (Some(part), Some(&last)) = (parts.get_mut(n - 1), piece.last()) {
            *part = (n as u32 - 1, self.byte_ranks[last as usize], NONE);
        }
        if let Some(part) = parts.get_mut(n) {
            *part = (n as u32, NONE, NONE); // sentinel: the end of the piece
        }
        let mut len = n + 1;
        let pair_rank = |parts: &[(u32, Rank, Rank)], i: usize| -> Rank {
            // The pair starting at part i after parts i and i + 1 merged: ends at part i + 3.
            match (parts.get(i), parts.get(i + 3)) {
                (Some(a), Some(b)) => piece
                    .get(a.0 as usize..b.0 as usize)
                    .map_or(NONE, |s| self.rank_or_none(s)),
                _ => NONE,
            }
        };
        loop {
            let live = parts.get(..len - 1).unwrap_or(&[]);
            let mut best = (NONE, 0usize);
            for (i, p) in live.iter().enumerate() {
                if p.2 < best.0 {
                    best = (p.2, i);
                }
            }
            let (r, i) = best;
            if r == NONE {
                break;
            }
            if i > 0 {
                let pr = pair_rank(&parts[..len], i - 1);
                parts[i - 1].2 = pr;
            }
            let pr = pair_rank(&parts[..len], i);
            parts[i].1 = r;
            parts[i].2 = pr;
            parts.copy_within(i + 2..len, i + 1);
            len -= 1;
        }
        for p in parts.iter().take(len - 1) {
            emit(p.1);
        }
    }

    /// The same merge order with a min-heap of (pair rank, start) over a linked list of parts.
    fn merge_large<F: FnMut(Rank)>(&self, piece: &[u8], emit: &mut F) {
        let n = piece.len();
        // Per start position: end of the token starting there, previous part's start, its
        // rank, and the rank of the pair it starts (NONE if none or the part was merged away).
        let mut end: Vec<u32> = (1..=n as u32).collect();
        let mut prev: Vec<u32> = (0..n as u32).map(|i| i.wrapping_sub(1)).collect();
        let mut tok: Vec<Rank> = piece.iter().map(|&b| self.byte_ranks[b as usize]).collect();
        let mut pair: Vec<Rank> = vec![NONE; n];
        let mut heap = BinaryHeap::with_capacity(n);
        for (i, w) in piece.windows(2).enumerate() {
            let r = self.rank_or_none(w);
            if r != NONE {
                pair[i] = r;
                heap.push(Reverse((r, i as u32)));
            }
        }
        let rank_of = |from: u32, to: u32| -> Rank {
            piece.get(from as usize..to as usize).map_or(NONE, |s| self.rank_or_none(s))
        };
        while let Some(Reverse((r, i))) = heap.pop() {
            let iu = i as usize;
            if pair.get(iu) != Some(&r) {
                continue; // stale: this part's pair changed since the push
            }
            let j = end[iu]; // the right part
            let k = end[j as usize]; // its end
            end[iu] = k;
            tok[iu] = r;
            pair[j as usize] = NONE;
            if (k as usize) < n {
                prev[k as usize] = i;
                let nr = rank_of(i, end[k as usize]);
                pair[iu] = nr;
                if nr != NONE {
                    heap.push(Reverse((nr, i)));
                }
            } else {
                pair[iu] = NONE;
            }
            if i > 0 {
                let p = prev[iu];
                let pr = rank_of(p, k);
                pair[p as usize] = pr;
                if pr != NONE {
                    heap.push(Reverse((pr, p)));
                }
            }
        }
        let mut i = 0usize;
        while i < n {
            emit(tok[i]);
            i = end[i] as usize;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A toy vocabulary: all 256 bytes, then the given merges in rank order.
    fn toy(extra: &[&[u8]]) -> Vocab {
        let mut bytes: Vec<u8> = (0..=255u8).collect();
        let mut offsets: Vec<u32> = (0..=256u32).collect();
        for t in extra {
            bytes.extend_from_slice(t);
            offsets.push(bytes.len() as u32);
        }
        Vocab::new(bytes, offsets).expect("toy vocab")
    }

    fn enc(v: &Vocab, s: &[u8], large: bool) -> Vec<Rank> {
        let mut out = vec![];
        let mut f = |r| out.push(r);
        if large {
            v.merge_large(s, &mut f);
        } else {
            v.merge_small(s, &mut f);
        }
        out
    }

    #[test]
    fn lookup_and_merge_order() {
        let v = toy(&[b"ab", b"cd", b"abcd", b"bc"]);
        assert_eq!(v.rank(b"ab"), Some(256));
        assert_eq!(v.rank(b"abc"), None);
        assert_eq!(v.token(258), Some(&b"abcd"[..]));
        for large in [false, true] {
            // "ab" (256) and "cd" (257) merge before "bc" (259), then "abcd".
            assert_eq!(enc(&v, b"abcd", large), vec![258]);
            assert_eq!(enc(&v, b"abcde", large), vec![258, b'e' as Rank]);
            // "cd" (257) outranks "bc" (259).
            assert_eq!(enc(&v, b"xbcd", large), vec![b'x' as Rank, b'b' as Rank, 257]);
            assert_eq!(enc(&v, b"xbcx", large), vec![b'x' as Rank, 259, b'x' as Rank]);
        }
    }

    #[test]
    fn ties_merge_leftmost() {
        let v = toy(&[b"aa", b"aaaa"]);
        for large in [false, true] {
            assert_eq!(enc(&v, b"aaa", large), vec![256, b'a' as Rank]);
            assert_eq!(enc(&v, b"aaaaa", large), vec![257, b'a' as Rank]);
            assert_eq!(enc(&v, b"aaaaaa", large), vec![257, 256]);
        }
    }

    #[test]
    fn small_and_large_agree_on_long_runs() {
        let v = toy(&[b"ab", b"ba", b"aba", b"abab", b"  ", b"    ", b"aa"]);
        let mut x = 1u32;
        for len in 2..=SMALL_PIECE {
            let s: Vec<u8> = (0..len)
                .map(|_| {
                    x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                    [b'a', b'b', b' '][(x >> 16) as usize % 3]
                })
                .collect();
            assert_eq!(enc(&v, &s, false), enc(&v, &s, true), "{:?}", String::from_utf8_lossy(&s));
        }
    }
}
