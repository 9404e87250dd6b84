//! The byte-pair-encoding core: a vocabulary (token bytes in rank order plus an open-addressing
//! hash table from bytes to rank) and tiktoken's merge rule applied to one pre-tokenised piece.
//!
//! The merge rule is tiktoken's: repeatedly merge the adjacent pair whose concatenation has the
//! lowest rank, the leftmost one on ties, until no adjacent pair is a token. Two implementations
//! give the same result: a flat array scan for short pieces (cache-friendly, O(n·m) with n ≤
//! [`FLAT_PIECE`]) and a heap over a linked list for longer ones (O(n log n)), so a megabyte-long
//! piece (one letter or one space repeated) stays linear-ish instead of tiktoken's quadratic loop.
//! (The crossover was measured in wasm on CJK and Thai text, whose pieces are long: a flat scan
//! up to 128 bytes gave 11.4 MB/s there, up to 48 bytes 13.5, up to 12–24 bytes 15.0.)


/// A token id.
pub type Rank = u32;

const NONE: Rank = Rank::MAX;
/// An empty table slot: zero, so the table comes from zeroed memory with no fill (slots hold
/// entry + 1).
const EMPTY: u32 = 0;
/// Entries take the low 18 bits of a table slot (o200k_base has 199,998 ordinary tokens).
const ENTRY_MASK: u32 = (1 << 18) - 1;

/// Pieces up to this many bytes use the flat scan on the stack; longer ones the heap.
pub(crate) const FLAT_PIECE: usize = 16;

/// A vocabulary of ordinary (non-special) tokens: their bytes in rank order.
///
/// Lookup: tokens of two or more bytes are grouped by their first two bytes; each group has
/// its own small open-addressing table (a power of two, at least twice the group's size) inside
/// one `table` array, and `index[prefix]..index[prefix + 1]` is the group's region, so a probe
/// touches one small region of the table.
pub(crate) struct Vocab {
    /// All token bytes, concatenated in rank order.
    bytes: Vec<u8>,
    /// `offsets[r]..offsets[r + 1]` is token `r` in `bytes`; `len = n + 1`.
    offsets: Vec<u32>,
    /// Region starts in `table`, by two-byte prefix; 65,537 entries.
    index: Vec<u32>,
    /// Slots: a 14-bit fingerprint (bits 18..32 of the hash) above an 18-bit entry + 1, or [`EMPTY`].
    table: Vec<u32>,
    /// Rank of each single byte (every byte is a token in tiktoken's encodings).
    byte_ranks: [Rank; 256],
    /// Rank of each two-byte token by its bytes (big-endian u16), or NONE: the commonest lookup
    /// in merging is a byte pair.
    pairs: Vec<Rank>,
    max_len: usize,
}

/// Slice equality without a memcmp call (which wasm runs as a byte loop).
#[inline(always)]
fn eq_bytes(a: &[u8], b: &[u8]) -> bool {
    let len = a.len();
    if len != b.len() {
        return false;
    }
    if len >= 8 {
        let mut i = 0;
        while i + 8 < len {
            if read8(a, i) != read8(b, i) {
                return false;
            }
            i += 8;
        }
        read8(a, len - 8) == read8(b, len - 8)
    } else if len >= 4 {
        read4(a, 0) == read4(b, 0) && read4(a, len - 4) == read4(b, len - 4)
    } else {
        a.iter().zip(b).all(|(x, y)| x == y)
    }
}

#[inline(always)]
fn read8(b: &[u8], i: usize) -> u64 {
    b.get(i..i + 8)
        .and_then(|s| s.try_into().ok())
        .map_or(0, u64::from_le_bytes)
}

#[inline(always)]
fn read4(b: &[u8], i: usize) -> u64 {
    b.get(i..i + 4)
        .and_then(|s| s.try_into().ok())
        .map_or(0, u32::from_le_bytes) as u64
}

/// A small multiplicative hash that reads the bytes in overlapping 8- or 4-byte words (no
/// per-byte loop, no memcpy call: both matter in wasm).
#[inline(always)]
pub(crate) fn hash_bytes(b: &[u8]) -> u64 {
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
        mix(
            h,
            at(0) | (at(len / 2) << 8) | (at(len.wrapping_sub(1)) << 16),
        )
    };
    h ^ (h >> 29)
}

/// Entries per call of [`insert_entries`].
const SLICE: usize = 8192;

/// Counts the entries of each two-byte group (into `index[p + 1]`) and records the ranks of
/// one- and two-byte tokens; returns the longest entry's length.
#[inline(never)]
fn count_entries(
    bytes: &[u8],
    offsets: &[u32],
    index: &mut [u32],
    pairs: &mut [Rank],
    byte_ranks: &mut [Rank; 256],
    range: std::ops::Range<usize>,
) -> Option<usize> {
    let mut max_len = 0;
    let mut start = *offsets.get(range.start)? as usize;
    for (i, &end) in offsets
        .get(range.start + 1..range.end + 1)?
        .iter()
        .enumerate()
    {
        let e = range.start + i;
        let end = end as usize;
        let tok = bytes.get(start..end)?;
        start = end;
        let rank = e as Rank;
        match (prefix2(tok), tok.len()) {
            (Some(p), 2) => *pairs.get_mut(p)? = rank,
            (Some(p), _) => *index.get_mut(p + 1)? += 1,
            (None, _) => *byte_ranks.get_mut(*tok.first()? as usize)? = rank,
        }
        max_len = max_len.max(tok.len());
    }
    Some(max_len)
}

#[inline(never)]
fn insert_entries(
    bytes: &[u8],
    offsets: &[u32],
    index: &[u32],
    table: &mut [u32],
    range: std::ops::Range<usize>,
) -> Option<()> {
    let mut start = *offsets.get(range.start)? as usize;
    for (e, &end) in offsets
        .get(range.start + 1..range.end + 1)?
        .iter()
        .enumerate()
    {
        let end = end as usize;
        let tok = bytes.get(start..end)?;
        start = end;
        let Some(p) = prefix2(tok) else { continue };
        if tok.len() == 2 {
            continue; // in `pairs`
        }
        let region = *index.get(p)? as usize;
        let mask = (*index.get(p + 1)? as usize).wrapping_sub(region + 1);
        let h = hash_bytes(tok);
        let mut i = (h >> 40) as usize & mask;
        let slot = ((h as u32) & !ENTRY_MASK) | (range.start + e + 1) as u32;
        // A region is at most half full, so an empty slot is always found.
        loop {
            let t = table.get_mut(region + i)?;
            if *t == EMPTY {
                *t = slot;
                break;
            }
            i = (i + 1) & mask;
        }
    }
    Some(())
}

#[inline(always)]
fn prefix2(b: &[u8]) -> Option<usize> {
    match b {
        [x, y, ..] => Some(((*x as usize) << 8) | *y as usize),
        _ => None,
    }
}

impl Vocab {
    /// Builds the lookup over the tokens `bytes`/`offsets` (in rank order). Returns `None` when
    /// the tables are inconsistent (offsets out of range, a missing single byte).
    pub(crate) fn new(bytes: Vec<u8>, offsets: Vec<u32>) -> Option<Vocab> {
        let n = offsets.len().checked_sub(1)?;
        if n >= ENTRY_MASK as usize {
            return None;
        }
        // Group sizes, then region starts (each region a power of two ≥ twice its group).
        let mut index = vec![0u32; (1 << 16) + 1];
        let mut byte_ranks = [NONE; 256];
        let mut pairs = vec![NONE; 1 << 16];
        let mut max_len = 0;
        // In slices, so that V8 runs most of them optimised (see `data::SLICE`).
        for first in (0..n).step_by(SLICE) {
            let range = first..(first + SLICE).min(n);
            let slice_max = count_entries(
                &bytes,
                &offsets,
                &mut index,
                &mut pairs,
                &mut byte_ranks,
                range,
            )?;
            max_len = max_len.max(slice_max);
        }
        let mut at = 0u32;
        for slot in index.iter_mut() {
            let count = *slot;
            *slot = at;
            if count > 0 {
                at = at.checked_add((count * 2).next_power_of_two())?;
            }
        }
        // index[p] now holds the start of region p - 1; shift down by one.
        index.remove(0);
        index.push(at);
        let mut table = vec![EMPTY; at as usize];
        // In slices, so that V8 runs most of them optimised (see `data::SLICE`).
        for first in (0..n).step_by(SLICE) {
            insert_entries(
                &bytes,
                &offsets,
                &index,
                &mut table,
                first..(first + SLICE).min(n),
            )?;
        }
        if byte_ranks.contains(&NONE) {
            return None;
        }
        Some(Vocab {
            bytes,
            offsets,
            index,
            table,
            byte_ranks,
            pairs,
            max_len,
        })
    }

    /// Number of ordinary tokens.
    pub(crate) fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    #[inline(always)]
    fn entry(&self, e: usize) -> Option<&[u8]> {
        let start = *self.offsets.get(e)? as usize;
        let end = *self.offsets.get(e + 1)? as usize;
        self.bytes.get(start..end)
    }

    /// The bytes of token `r`, if it exists.
    pub(crate) fn token(&self, r: Rank) -> Option<&[u8]> {
        self.entry(r as usize)
    }

    /// The rank of `piece`, if it is a token.
    #[inline]
    pub(crate) fn rank(&self, piece: &[u8]) -> Option<Rank> {
        if piece.len() > self.max_len {
            return None;
        }
        let Some(p) = prefix2(piece) else {
            return piece.first().map(|&b| self.byte_ranks[b as usize]);
        };
        if piece.len() == 2 {
            return self.pairs.get(p).copied().filter(|&r| r != NONE);
        }
        let start = *self.index.get(p)? as usize;
        let end = *self.index.get(p + 1)? as usize;
        if end == start {
            return None;
        }
        let mask = end - start - 1;
        let h = hash_bytes(piece);
        let fp = (h as u32) & !ENTRY_MASK;
        let mut i = (h >> 40) as usize & mask;
        loop {
            let slot = *self.table.get(start + i)?;
            if slot == EMPTY {
                return None;
            }
            if slot & !ENTRY_MASK == fp {
                let e = ((slot & ENTRY_MASK) as usize).wrapping_sub(1);
                if self.entry(e).is_some_and(|t| eq_bytes(t, piece)) {
                    return Some(e as Rank);
                }
            }
            i = (i + 1) & mask;
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
                } else if n <= FLAT_PIECE {
                    self.merge_small(piece, emit);
                } else {
                    self.merge_heap(piece, emit);
                }
            }
        }
    }

    /// [`Vocab::encode_piece`] with a memo of merged pieces: a piece that needed merging is
    /// merged once while the memo remembers it. Words repeat, within a text and across texts
    /// (a conversation counted again as it grows), and merging (not splitting or lookup)
    /// dominates on non-English text.
    #[inline]
    pub(crate) fn encode_piece_memo<F: FnMut(Rank)>(
        &self,
        piece: &[u8],
        memo: &mut Memo,
        emit: &mut F,
    ) {
        if piece.len() < 2 {
            return self.encode_piece(piece, emit);
        }
        if let Some(r) = self.rank(piece) {
            return emit(r);
        }
        let memoise = piece.len() <= MEMO_MAX;
        let h = if memoise { hash_bytes(piece) } else { 0 };
        if memoise {
            if let Some(tokens) = memo.get(piece, h) {
                for &t in tokens {
                    emit(t);
                }
                return;
            }
        }
        let Memo {
            tokens, scratch, ..
        } = memo;
        let start = tokens.len();
        let mut both = |r: Rank| {
            if memoise {
                tokens.push(r);
            }
            emit(r);
        };
        if piece.len() <= FLAT_PIECE {
            self.merge_small(piece, &mut both);
        } else {
            scratch.end.resize(piece.len(), 0);
            scratch.prev.resize(piece.len(), 0);
            scratch.tok.resize(piece.len(), 0);
            scratch.pair.resize(piece.len(), 0);
            scratch.heap.clear();
            let bufs = Bufs {
                end: &mut scratch.end,
                prev: &mut scratch.prev,
                tok: &mut scratch.tok,
                pair: &mut scratch.pair,
                heap: &mut scratch.heap,
            };
            self.merge_heap_in(piece, &mut both, bufs);
        }
        if memoise {
            memo.insert(piece, start, h);
        }
    }

    /// tiktoken's flat merge loop, on the stack. `2 <= piece.len() <= FLAT_PIECE`.
    fn merge_small<F: FnMut(Rank)>(&self, piece: &[u8], emit: &mut F) {
        // parts[i] = (start, rank of the token starting there, rank of the pair it starts).
        let mut parts = [(0u32, NONE, NONE); FLAT_PIECE + 1];
        let n = piece.len().min(FLAT_PIECE);
        for (i, (part, w)) in parts.iter_mut().zip(piece.windows(2)).enumerate() {
            *part = (
                i as u32,
                self.byte_ranks[w[0] as usize],
                self.rank_or_none(w),
            );
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

    /// The same merge order with a min-heap of (pair rank, start) over a linked list of parts:
    /// O(n log n). (Using it from 16 bytes up, on stack buffers, was no faster on multilingual
    /// text: lookups, not the flat scan, dominate there.)
    fn merge_heap<F: FnMut(Rank)>(&self, piece: &[u8], emit: &mut F) {
        let n = piece.len();
        let (mut end, mut prev, mut tok, mut pair) =
            (vec![0; n], vec![0; n], vec![0; n], vec![0; n]);
        let mut heap = Vec::with_capacity(n);
        let bufs = Bufs {
            end: &mut end,
            prev: &mut prev,
            tok: &mut tok,
            pair: &mut pair,
            heap: &mut heap,
        };
        self.merge_heap_in(piece, emit, bufs);
    }

    fn merge_heap_in<F: FnMut(Rank)>(&self, piece: &[u8], emit: &mut F, b: Bufs<'_>) {
        let n = piece.len();
        if b.end.len() < n || b.prev.len() < n || b.tok.len() < n || b.pair.len() < n {
            return;
        }
        // Per start position: end of the token starting there, previous part's start, its
        // rank, and the rank of the pair it starts (NONE if none or the part was merged away).
        let Bufs {
            end,
            prev,
            tok,
            pair,
            heap,
        } = b;
        let mut heap = MinHeap { items: heap };
        for (i, &byte) in piece.iter().enumerate() {
            end[i] = i as u32 + 1;
            prev[i] = (i as u32).wrapping_sub(1);
            tok[i] = self.byte_ranks[byte as usize];
            pair[i] = NONE;
        }
        for (i, w) in piece.windows(2).enumerate() {
            let r = self.rank_or_none(w);
            if r != NONE {
                pair[i] = r;
                heap.push(((r as u64) << 32) | i as u64);
            }
        }
        let rank_of = |from: u32, to: u32| -> Rank {
            piece
                .get(from as usize..to as usize)
                .map_or(NONE, |s| self.rank_or_none(s))
        };
        while let Some(key) = heap.pop() {
            let (r, i) = ((key >> 32) as Rank, key as u32);
            let iu = i as usize;
            if pair[iu] != r {
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
                    heap.push(((nr as u64) << 32) | i as u64);
                }
            } else {
                pair[iu] = NONE;
            }
            if i > 0 {
                let p = prev[iu];
                let pr = rank_of(p, k);
                pair[p as usize] = pr;
                if pr != NONE {
                    heap.push(((pr as u64) << 32) | p as u64);
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

/// Pieces longer than this are not memoised.
const MEMO_MAX: usize = 64;

/// A memo of merged pieces: open addressing from a piece's bytes to its tokens. Each
/// [`super::Encoding`] keeps one across calls; it forgets everything when full, so its memory
/// stays bounded: at most 65,536 pieces ([`Memo::MAX_SLOTS`] slots, half of them used) of at
/// most [`MEMO_MAX`] bytes. The 1.8 MB multilingual benchmark corpus has 36,532 distinct merged
/// pieces, held in ~5 MB; English prose and code need a tenth of that.
#[derive(Default)]
pub(crate) struct Memo {
    slots: Vec<MemoSlot>,
    used: usize,
    tokens: Vec<Rank>,
    /// The remembered pieces' bytes, concatenated.
    keys: Vec<u8>,
    /// Reused buffers of the heap merge.
    scratch: Scratch,
}

#[derive(Default)]
struct Scratch {
    end: Vec<u32>,
    prev: Vec<u32>,
    tok: Vec<Rank>,
    pair: Vec<Rank>,
    heap: Vec<u64>,
}

#[derive(Clone, Copy, Default)]
struct MemoSlot {
    /// The top 32 bits of the piece's hash (the home slot is their top bits).
    hash: u32,
    /// The piece is `keys[off..off + len]`; `len == 0` marks an empty slot.
    off: u32,
    len: u32,
    /// Its tokens are `tokens[start..start + count]`.
    start: u32,
    count: u32,
}

impl Memo {
    /// Slots at most; past half of that, the memo starts over.
    const MAX_SLOTS: usize = 1 << 17;

    /// Forgets every piece (keeping the allocations).
    pub(crate) fn clear(&mut self) {
        self.slots.fill(MemoSlot::default());
        self.used = 0;
        self.tokens.clear();
        self.keys.clear();
    }

    /// Pieces remembered.
    pub(crate) fn len(&self) -> usize {
        self.used
    }

    fn home(hash: u32, mask: usize) -> usize {
        (hash >> 8) as usize & mask
    }

    fn get<'a>(&'a self, piece: &[u8], h: u64) -> Option<&'a [Rank]> {
        if self.slots.is_empty() {
            return None;
        }
        let hash = (h >> 32) as u32;
        let mask = self.slots.len() - 1;
        let mut i = Self::home(hash, mask);
        loop {
            let s = *self.slots.get(i)?;
            if s.len == 0 {
                return None;
            }
            if s.hash == hash
                && s.len as usize == piece.len()
                && self
                    .keys
                    .get(s.off as usize..(s.off + s.len) as usize)
                    .is_some_and(|t| eq_bytes(t, piece))
            {
                return self
                    .tokens
                    .get(s.start as usize..(s.start + s.count) as usize);
            }
            i = (i + 1) & mask;
        }
    }

    fn place(slots: &mut [MemoSlot], slot: MemoSlot) {
        let mask = slots.len() - 1;
        let mut i = Self::home(slot.hash, mask);
        while let Some(s) = slots.get_mut(i) {
            if s.len == 0 {
                *s = slot;
                return;
            }
            i = (i + 1) & mask;
        }
    }

    /// Remembers `piece` as the tokens from `start` on (just pushed to `tokens`).
    fn insert(&mut self, piece: &[u8], start: usize, h: u64) {
        if self.slots.is_empty() {
            self.slots = vec![MemoSlot::default(); 256];
        } else if 2 * (self.used + 1) > self.slots.len() {
            if self.slots.len() >= Self::MAX_SLOTS {
                // full: start over, keeping only this piece's tokens (moved to the front)
                let n = self.tokens.len() - start;
                self.tokens.copy_within(start.., 0);
                self.tokens.truncate(n);
                self.slots.fill(MemoSlot::default());
                self.used = 0;
                self.keys.clear();
                return self.insert(piece, 0, h);
            }
            let mut grown = vec![MemoSlot::default(); self.slots.len() * 2];
            for s in self.slots.iter().filter(|s| s.len != 0) {
                Self::place(&mut grown, *s);
            }
            self.slots = grown;
        }
        let count = self.tokens.len() - start;
        let off = self.keys.len();
        self.keys.extend_from_slice(piece);
        let slot = MemoSlot {
            hash: (h >> 32) as u32,
            off: off as u32,
            len: piece.len() as u32,
            start: start as u32,
            count: count as u32,
        };
        Self::place(&mut self.slots, slot);
        self.used += 1;
    }
}

struct Bufs<'a> {
    end: &'a mut [u32],
    prev: &'a mut [u32],
    tok: &'a mut [Rank],
    pair: &'a mut [Rank],
    heap: &'a mut Vec<u64>,
}

/// A binary min-heap over a caller-provided vector; keys are `rank << 32 | start`, so the
/// smallest rank pops first and, among equal ranks, the leftmost.
struct MinHeap<'a> {
    items: &'a mut Vec<u64>,
}

impl MinHeap<'_> {
    #[inline]
    fn push(&mut self, key: u64) {
        let mut i = self.items.len();
        self.items.push(key);
        while i > 0 {
            let parent = (i - 1) / 2;
            if self.items[parent] <= key {
                break;
            }
            self.items[i] = self.items[parent];
            i = parent;
        }
        self.items[i] = key;
    }

    #[inline]
    fn pop(&mut self) -> Option<u64> {
        let last = self.items.pop()?;
        let len = self.items.len();
        if len == 0 {
            return Some(last);
        }
        let top = self.items[0];
        let mut i = 0;
        loop {
            let l = 2 * i + 1;
            if l >= len {
                break;
            }
            let r = l + 1;
            let c = if r < len && self.items[r] < self.items[l] {
                r
            } else {
                l
            };
            if self.items[c] >= last {
                break;
            }
            self.items[i] = self.items[c];
            i = c;
        }
        self.items[i] = last;
        Some(top)
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
            v.merge_heap(s, &mut f);
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
            assert_eq!(
                enc(&v, b"xbcd", large),
                vec![b'x' as Rank, b'b' as Rank, 257]
            );
            assert_eq!(
                enc(&v, b"xbcx", large),
                vec![b'x' as Rank, 259, b'x' as Rank]
            );
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
        for len in 2..=FLAT_PIECE {
            let s: Vec<u8> = (0..len)
                .map(|_| {
                    x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                    [b'a', b'b', b' '][(x >> 16) as usize % 3]
                })
                .collect();
            assert_eq!(
                enc(&v, &s, false),
                enc(&v, &s, true),
                "{:?}",
                String::from_utf8_lossy(&s)
            );
        }
    }
}
