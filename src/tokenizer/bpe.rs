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
const EMPTY: u32 = u32::MAX;
/// Ranks take the low 18 bits of a table slot (o200k_base has 199,998 ordinary tokens).
const RANK_MASK: u32 = (1 << 18) - 1;
/// The table is built in 2^PART_BITS partitions.
const PART_BITS: u32 = 10;

/// Pieces up to this many bytes are merged on the stack with the flat scan.
pub(crate) const SMALL_PIECE: usize = 128;

/// A vocabulary of ordinary (non-special) tokens; rank `r` is the `r`-th token.
pub(crate) struct Vocab {
    /// All token bytes, concatenated in rank order.
    bytes: Vec<u8>,
    /// `offsets[r]..offsets[r + 1]` is token `r` in `bytes`; `len = n + 1`.
    offsets: Vec<u32>,
    /// Open addressing, linear probing: a 14-bit fingerprint (bits 18..32 of the hash) above an
    /// 18-bit rank, or [`EMPTY`]. The home slot is the top `64 - home_shift` bits of the hash.
    table: Vec<u32>,
    mask: usize,
    home_shift: u32,
    /// Rank of each single byte (every byte is a token in tiktoken's encodings).
    byte_ranks: [Rank; 256],
    max_len: usize,
}

#[inline(always)]
fn read8(b: &[u8], i: usize) -> u64 {
    b.get(i..i + 8).and_then(|s| s.try_into().ok()).map_or(0, u64::from_le_bytes)
}

#[inline(always)]
fn read4(b: &[u8], i: usize) -> u64 {
    b.get(i..i + 4).and_then(|s| s.try_into().ok()).map_or(0, u32::from_le_bytes) as u64
}

/// A small multiplicative hash that reads the bytes in overlapping 8- or 4-byte words (no
/// per-byte loop, no memcpy call: both matter in wasm).
#[inline(always)]
fn hash_bytes(b: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mix = |h: u64, v: u64| (h.rotate_left(23) ^ v).wrapping_mul(K);
    let len = b.len();
    let h = (len as u64).wrapping_mul(K);
    let h = if len >= 8 {
        let mut h = h;
        let mut i = 0;
        while i + 8 < len {
            h = mix(h, read8(b, i));
            i += 8;
        }
        mix(h, read8(b, len - 8))
    } else if len >= 4 {
        mix(h, read4(b, 0) | (read4(b, len - 4) << 32))
    } else {
        let at = |i: usize| b.get(i).map_or(0, |&x| x as u64);
        mix(h, at(0) | (at(len / 2) << 8) | (at(len.wrapping_sub(1)) << 16))
    };
    h ^ (h >> 29)
}

impl Vocab {
    /// Builds the lookup table over `bytes`/`offsets` (as produced by `data.rs`). Returns `None`
    /// when the tables are inconsistent (offsets out of range, a missing single byte).
    pub(crate) fn new(bytes: Vec<u8>, offsets: Vec<u32>) -> Option<Vocab> {
        let n = offsets.len().checked_sub(1)?;
        if n >= RANK_MASK as usize {
            return None;
        }
        let cap = (n.max(1) * 2).next_power_of_two().max(1 << PART_BITS);
        let bits = cap.trailing_zeros();
        let mut byte_ranks = [NONE; 256];
        let mut max_len = 0;
        // Insert partition by partition: the tokens are grouped by the top bits of their home
        // slot (a counting sort: hash once to count, once to place), so the inserts of one
        // partition touch one small region of the table. Inserting in rank order scattered the
        // writes over the whole table and took twice as long.
        let tokens = || offsets.windows(2).map(|w| bytes.get(w[0] as usize..w[1] as usize));
        let mut counts = vec![0u32; (1 << PART_BITS) + 1];
        for (r, tok) in tokens().enumerate() {
            let tok = tok?;
            counts[(hash_bytes(tok) >> (64 - PART_BITS)) as usize + 1] += 1;
            if let [b] = tok {
                byte_ranks[*b as usize] = r as Rank;
            }
            max_len = max_len.max(tok.len());
        }
        for i in 1..counts.len() {
            counts[i] += counts[i - 1];
        }
        let mut sorted = vec![0u64; n];
        for (r, tok) in tokens().enumerate() {
            let h = hash_bytes(tok?);
            let c = &mut counts[(h >> (64 - PART_BITS)) as usize];
            *sorted.get_mut(*c as usize)? = (h & !(RANK_MASK as u64)) | r as u64;
            *c += 1;
        }
        let mask = cap - 1;
        let mut table = vec![EMPTY; cap];
        for entry in sorted {
            // The table is at most half full, so an empty slot is always found.
            let mut i = (entry >> (64 - bits)) as usize;
            let slot = entry as u32;
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
        Some(Vocab { bytes, offsets, table, mask, home_shift: 64 - bits, byte_ranks, max_len })
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
        let fp = (h as u32) & !RANK_MASK;
        let mut i = (h >> self.home_shift) as usize;
        loop {
            let slot = *self.table.get(i)?;
            if slot == EMPTY {
                return None;
            }
            if slot & !RANK_MASK == fp {
                let r = slot & RANK_MASK;
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
