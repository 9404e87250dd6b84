//! The compiled-in rank tables (`data/tokenizer/*.bin`, written by `data/tokenizer/generate.py`)
//! and their decoders, which produce the token bytes in rank order, concatenated, plus offsets;
//! a failure means the embedded file is corrupt (a build bug), reported as `None`.
//!
//! Layout (little-endian): `"UTK1"`, kind u32, token count n u32, total token bytes u32, then
//! - kind 2 (o200k_base): the 256 single-byte tokens (ranks 0..255); then, for each later rank
//!   r, a pair of lower ranks whose bytes concatenate to token r: the left ranks as a low-byte
//!   plane, a mid-byte plane and a plane of 2-bit high parts (four to a byte, lowest bits first),
//!   then the right ranks as prefix varints (see [`prefix_varint`]), split into two streams: the
//!   first byte of each (one per rank), then their remaining bytes (12 KB less after gzip).
//! - kind 1 (cl100k_base): three byte planes of n references, one per rank: 1 + the rank of the
//!   same bytes in the base table (o200k_base), or 0; then, for each 0 in order, a pair of lower
//!   ranks of this table (two prefix varints).
//!
//! Storing pairs instead of bytes stores the rank order for free: the previous layout (tokens
//! sorted and front-coded, plus the permutation to ranks) was 842 KB gzip for o200k_base, pairs
//! are 708 KB.

pub(crate) static O200K_BASE: &[u8] = include_bytes!("../../data/tokenizer/o200k_base.bin");
pub(crate) static CL100K_BASE: &[u8] = include_bytes!("../../data/tokenizer/cl100k_base.bin");

/// Token bytes in rank order: `bytes[offsets[r]..offsets[r + 1]]` is token `r`.
pub(crate) struct TokenList {
    pub bytes: Vec<u8>,
    pub offsets: Vec<u32>,
}

fn u32_at(d: &[u8], at: usize) -> Option<u32> {
    let b = d.get(at..at + 4)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// (kind, n, total, body after the header)
fn header(d: &[u8]) -> Option<(u32, usize, usize, &[u8])> {
    if d.get(..4)? != b"UTK1" {
        return None;
    }
    Some((
        u32_at(d, 4)?,
        u32_at(d, 8)? as usize,
        u32_at(d, 12)? as usize,
        d.get(16..)?,
    ))
}

/// The number of ordinary tokens a table holds.
pub(crate) fn rank_count(d: &[u8]) -> Option<usize> {
    header(d).map(|h| h.1)
}

fn plane_value(planes: &[u8], n: usize, i: usize) -> Option<usize> {
    let lo = *planes.get(i)? as usize;
    let mid = *planes.get(n + i)? as usize;
    let hi = *planes.get(2 * n + i)? as usize;
    Some(lo | (mid << 8) | (hi << 16))
}

/// Ranks decoded per call of [`decode_pairs`]. In wasm, V8 runs a function's first calls in its
/// baseline compiler and cannot switch a running call to optimised code, so one call over all
/// 200k ranks ran entirely in baseline code; in slices, later calls run optimised.
pub(crate) const SLICE: usize = 8192;

/// Reads a big-endian prefix varint at `*at`: `0xxxxxxx` (7 bits), `10xxxxxx` + 1 byte (14 bits),
/// `11xxxxxx` + 2 bytes (22 bits).
#[inline(always)]
fn prefix_varint(d: &[u8], at: &mut usize) -> Option<usize> {
    let head = *d.get(*at)?;
    *at += 1;
    split_varint(head, d, at)
}

/// The rest of a prefix varint whose first byte is `head`, reading continuation bytes from
/// `d` at `*at`.
#[inline(always)]
fn split_varint(head: u8, d: &[u8], at: &mut usize) -> Option<usize> {
    let x = head as usize;
    let (v, len) = match x >> 6 {
        0 | 1 => (x, 0),
        2 => ((x & 0x3F) << 8 | *d.get(*at)? as usize, 1),
        _ => ((x & 0x3F) << 16 | (*d.get(*at)? as usize) << 8 | *d.get(*at + 1)? as usize, 2),
    };
    *at += len;
    Some(v)
}

/// Room past the last token for [`push_pair`]'s word copies.
const PAD: usize = 16;

/// Appends the bytes of earlier tokens `left` and `right` (both below the next rank) at
/// `*end` as the next token. Copies are a few bytes long and a memcpy call costs more in wasm
/// than the copy, so short ones move one 16-byte word (what lands past the token's end is
/// overwritten by the next token; `bytes` has [`PAD`] spare bytes at the end).
#[inline(always)]
fn push_pair(bytes: &mut [u8], offsets: &mut Vec<u32>, end: &mut usize, left: usize, right: usize) -> Option<()> {
    let r = offsets.len() - 1;
    if left >= r || right >= r {
        return None;
    }
    for t in [left, right] {
        let (s, e) = (*offsets.get(t)? as usize, *offsets.get(t + 1)? as usize);
        let len = e.checked_sub(s)?;
        let word: Option<[u8; PAD]> = bytes.get(s..s + PAD).and_then(|w| w.try_into().ok());
        if let (true, Some(w), Some(to)) = (len <= PAD, word, bytes.get_mut(*end..*end + PAD)) {
            to.copy_from_slice(&w);
        } else {
            bytes.get(*end..*end + len)?;
            bytes.copy_within(s..e, *end);
        }
        *end += len;
    }
    offsets.push(u32::try_from(*end).ok()?);
    Some(())
}

/// The sections of a kind-2 (pairs) table.
pub(crate) struct PairsTable<'a> {
    n: usize,
    total: usize,
    singles: &'a [u8],
    lo: &'a [u8],
    mid: &'a [u8],
    hi: &'a [u8],
    heads: &'a [u8],
    tails: &'a [u8],
}

pub(crate) fn pairs_table(d: &[u8]) -> Option<PairsTable<'_>> {
    let (kind, n, total, body) = header(d)?;
    if kind != 2 || n < 256 {
        return None;
    }
    let m = n - 256;
    let q = m.div_ceil(4);
    Some(PairsTable {
        n,
        total,
        singles: body.get(..256)?,
        lo: body.get(256..256 + m)?,
        mid: body.get(256 + m..256 + 2 * m)?,
        hi: body.get(256 + 2 * m..256 + 2 * m + q)?,
        heads: body.get(256 + 2 * m + q..256 + 3 * m + q)?,
        tails: body.get(256 + 3 * m + q..)?,
    })
}

/// The merge rules of a kind-2 table without building any token's bytes: the bytes of ranks
/// 0..256 (one each), and `rule(rank, left, right)` for every later rank in order. In o200k_base
/// the pair of each rank is the last merge of tiktoken's own merge of the token's bytes
/// (`generate.py`), so these are the merge rules [`super::merges`] encodes with. `None` for a
/// corrupt table (a pair not below its rank included).
pub(crate) fn merge_rules(d: &[u8], mut rule: impl FnMut(usize, usize, usize)) -> Option<[u8; 256]> {
    let t = pairs_table(d)?;
    let m = t.n - 256;
    let mut at = 0usize;
    for first in (0..m).step_by(SLICE) {
        at = rules_slice(&t, at, first..(first + SLICE).min(m), &mut rule)?;
    }
    if at != t.tails.len() {
        return None;
    }
    t.singles.try_into().ok()
}

impl<'a> PairsTable<'a> {
    /// The number of ordinary tokens.
    pub(crate) fn len(&self) -> usize {
        self.n
    }

    /// The bytes of ranks 0..256.
    pub(crate) fn singles(&self) -> Option<[u8; 256]> {
        self.singles.try_into().ok()
    }

    /// The rules of ranks `256 + range` (see [`merge_rules`]), reading the right ranks from
    /// `at` in their continuation stream: the position after them, or `None` for a corrupt
    /// table. Walking the ranks in order, slice by slice, resumes where the last slice ended.
    pub(crate) fn rules(&self, at: usize, range: std::ops::Range<usize>, mut rule: impl FnMut(usize, usize, usize)) -> Option<usize> {
        let end = rules_slice(self, at, range.start..range.end.min(self.n - 256), &mut rule)?;
        if range.end >= self.n - 256 && end != self.tails.len() {
            return None;
        }
        Some(end)
    }
}

#[inline(never)]
fn rules_slice(t: &PairsTable<'_>, mut at: usize, range: std::ops::Range<usize>, rule: &mut impl FnMut(usize, usize, usize)) -> Option<usize> {
    for i in range {
        let h = (*t.hi.get(i / 4)? as usize >> (2 * (i % 4))) & 3;
        let left = *t.lo.get(i)? as usize | (*t.mid.get(i)? as usize) << 8 | h << 16;
        let right = split_varint(*t.heads.get(i)?, t.tails, &mut at)?;
        let rank = 256 + i;
        if left >= rank || right >= rank {
            return None;
        }
        rule(rank, left, right);
    }
    Some(at)
}

/// Decodes a kind-2 (pairs) table.
pub(crate) fn decode_pairs(d: &[u8]) -> Option<TokenList> {
    let PairsTable { n, total, singles, .. } = pairs_table(d)?;
    let mut bytes = vec![0u8; total.checked_add(PAD)?];
    // the single bytes first: the pairs copy them
    bytes.get_mut(..256)?.copy_from_slice(singles);
    let mut offsets = Vec::with_capacity(n + 1);
    offsets.extend(0..=256u32);
    let mut end = 256usize;
    let mut ok = true;
    merge_rules(d, |_, left, right| {
        ok = ok && push_pair(&mut bytes, &mut offsets, &mut end, left, right).is_some();
    })?;
    if !ok || end != total {
        return None;
    }
    bytes.truncate(total);
    Some(TokenList { bytes, offsets })
}

/// Decodes a kind-1 table (references into `base`).
pub(crate) fn decode_refs<'b>(
    d: &[u8],
    base: impl Fn(u32) -> Option<&'b [u8]>,
) -> Option<TokenList> {
    let (kind, n, total, body) = header(d)?;
    if kind != 1 {
        return None;
    }
    let planes = body.get(..3 * n)?;
    let pairs = body.get(3 * n..)?;
    let mut bytes = vec![0u8; total.checked_add(PAD)?];
    let mut offsets = Vec::with_capacity(n + 1);
    offsets.push(0u32);
    let (mut at, mut end) = (0usize, 0usize);
    for r in 0..n {
        match plane_value(planes, n, r)? {
            0 => {
                let left = prefix_varint(pairs, &mut at)?;
                let right = prefix_varint(pairs, &mut at)?;
                push_pair(&mut bytes, &mut offsets, &mut end, left, right)?;
            }
            base_rank => {
                let t = base(base_rank as u32 - 1)?;
                bytes.get_mut(end..end + t.len())?.copy_from_slice(t);
                end += t.len();
                offsets.push(u32::try_from(end).ok()?);
            }
        }
    }
    if end != total || at != pairs.len() {
        return None;
    }
    bytes.truncate(total);
    Some(TokenList { bytes, offsets })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints() {
        for (bytes, v, len) in [(&[0x05][..], 5, 1), (&[0x7F], 127, 1), (&[0x81, 0x02], 258, 2), (&[0xC3, 0x0D, 0x40], 200_000, 3)] {
            let mut at = 0;
            assert_eq!(prefix_varint(bytes, &mut at), Some(v));
            assert_eq!(at, len);
        }
        assert_eq!(prefix_varint(&[0xC3, 0x0D], &mut 0), None);
        assert_eq!(prefix_varint(&[], &mut 0), None);
    }

    #[test]
    fn pairs_table_decodes_in_rank_order() {
        let l = decode_pairs(O200K_BASE).expect("o200k_base");
        assert_eq!(l.offsets.len(), 199_998 + 1);
        assert_eq!(*l.offsets.last().unwrap() as usize, l.bytes.len());
        let tok = |r: usize| &l.bytes[l.offsets[r] as usize..l.offsets[r + 1] as usize];
        assert!((0..256).all(|r| tok(r).len() == 1));
        assert_eq!(tok(13_225), b"Hello"); // tiktoken: enc.encode("Hello") == [13225]
        let base = |r: u32| (r < 199_998).then(|| tok(r as usize));
        let cl = decode_refs(CL100K_BASE, base).expect("cl100k_base");
        assert_eq!(cl.offsets.len(), 100_256 + 1);
        assert_eq!(&cl.bytes[cl.offsets[9906] as usize..cl.offsets[9907] as usize], b"Hello");
    }

    #[test]
    fn corrupt_tables_are_none_not_panics() {
        for cut in [0, 3, 15, 16, 200, 300, 1000, 500_000, O200K_BASE.len() - 1] {
            assert!(decode_pairs(&O200K_BASE[..cut]).is_none(), "cut at {cut}");
        }
        // a left rank that is not below its own rank, and a right varint that runs past the end
        let m = 199_998 - 256;
        let mut bad = O200K_BASE.to_vec();
        bad[16 + 256 + m] = 0xFF; // mid byte of rank 256's left
        assert!(decode_pairs(&bad).is_none());
        let mut bad = O200K_BASE.to_vec();
        let last = bad.len() - 1;
        bad[last] = 0xC0;
        assert!(decode_pairs(&bad).is_none());
        let l = decode_pairs(O200K_BASE).expect("o200k_base");
        let base = |r: u32| l.offsets.get(r as usize + 1).map(|&e| &l.bytes[l.offsets[r as usize] as usize..e as usize]);
        for cut in [0, 16, 1000, CL100K_BASE.len() - 1] {
            assert!(decode_refs(&CL100K_BASE[..cut], base).is_none(), "cut at {cut}");
        }
        assert!(decode_refs(O200K_BASE, base).is_none(), "wrong kind");
        assert!(decode_pairs(CL100K_BASE).is_none(), "wrong kind");
    }
}
