//! The compiled-in rank tables (`data/tokenizer/*.bin`, written by `data/tokenizer/generate.py`)
//! and their decoders. Both produce token bytes concatenated plus offsets (kind 0 in lexicographic
//! order with the rank of each entry, kind 1 in rank order);
//! a failure means the embedded file is corrupt (a build bug), reported as `None`.
//!
//! Layout (little-endian): `"UTK1"`, kind u32, token count n u32, total token bytes u32, then
//! - kind 0 (o200k_base): three byte planes (low, mid, high) of n ranks, giving the rank of each
//!   entry in lexicographic order; then n front-coded entries `[shared prefix len u8, suffix len
//!   u8, suffix bytes]` in lexicographic order.
//! - kind 1 (cl100k_base): three byte planes of n references, one per rank: 1 + the rank of the
//!   same bytes in the base table (o200k_base), or 0; then `[len u8, bytes]` for each 0 in order.

pub(crate) static O200K_BASE: &[u8] = include_bytes!("../../data/tokenizer/o200k_base.bin");
pub(crate) static CL100K_BASE: &[u8] = include_bytes!("../../data/tokenizer/cl100k_base.bin");

/// Token bytes in rank order: `bytes[offsets[r]..offsets[r + 1]]` is token `r`.
pub(crate) struct TokenList {
    pub bytes: Vec<u8>,
    pub offsets: Vec<u32>,
    /// The rank of each entry, when entries are not in rank order.
    pub ranks: Option<Vec<u32>>,
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

fn plane_value(planes: &[u8], n: usize, i: usize) -> Option<usize> {
    let lo = *planes.get(i)? as usize;
    let mid = *planes.get(n + i)? as usize;
    let hi = *planes.get(2 * n + i)? as usize;
    Some(lo | (mid << 8) | (hi << 16))
}

/// Entries decoded per call of [`decode_entries`]. In wasm, V8 runs a function's first calls
/// in its baseline compiler and cannot switch a running call to optimised code, so one call
/// over all 200k entries ran entirely in baseline code; in slices, later calls run optimised.
pub(crate) const SLICE: usize = 8192;

/// Decodes a kind-0 (front-coded) table into lexicographic order (sequential writes only),
/// with the rank of each entry.
pub(crate) fn decode_front_coded(d: &[u8]) -> Option<TokenList> {
    let (kind, n, total, body) = header(d)?;
    if kind != 0 {
        return None;
    }
    let planes = body.get(..3 * n)?;
    let stream = body.get(3 * n..)?;
    let mut bytes = vec![0u8; total];
    let mut offsets = vec![0u32; n + 1];
    let mut cursor = (0usize, 0usize, 0usize); // (stream position, bytes written, previous start)
    for first in (0..n).step_by(SLICE) {
        cursor = decode_entries(
            stream,
            &mut bytes,
            &mut offsets,
            first..(first + SLICE).min(n),
            cursor,
        )?;
    }
    if cursor.1 != total {
        return None;
    }
    let mut ranks = vec![0u32; n];
    for first in (0..n).step_by(SLICE) {
        decode_ranks(planes, n, &mut ranks, first..(first + SLICE).min(n))?;
    }
    Some(TokenList {
        bytes,
        offsets,
        ranks: Some(ranks),
    })
}

/// Ranks from the three byte planes; every rank must be below n (that they form a permutation
/// is checked by the parity tests, which decode every token).
#[inline(never)]
fn decode_ranks(
    planes: &[u8],
    n: usize,
    ranks: &mut [u32],
    range: std::ops::Range<usize>,
) -> Option<()> {
    let lo = planes.get(range.clone())?;
    let mid = planes.get(n + range.start..n + range.end)?;
    let hi = planes.get(2 * n + range.start..2 * n + range.end)?;
    let out = ranks.get_mut(range)?;
    let mut ok = true;
    for (((r, &l), &m), &h) in out.iter_mut().zip(lo).zip(mid).zip(hi) {
        *r = l as u32 | (m as u32) << 8 | (h as u32) << 16;
        ok &= (*r as usize) < n;
    }
    ok.then_some(())
}

#[inline(never)]
fn decode_entries(
    stream: &[u8],
    bytes: &mut [u8],
    offsets: &mut [u32],
    range: std::ops::Range<usize>,
    (mut at, mut end, mut prev): (usize, usize, usize),
) -> Option<(usize, usize, usize)> {
    for i in range {
        let k = *stream.get(at)? as usize;
        let sl = *stream.get(at + 1)? as usize;
        let suffix = stream.get(at + 2..at + 2 + sl)?;
        at += 2 + sl;
        let start = end;
        if prev + k > start || k + sl == 0 {
            return None;
        }
        // Copies are a few bytes long and a memcpy call costs more in wasm than the copy: move
        // 16-byte words (the bytes past the entry's end are overwritten by the next entries).
        let wide = k <= 16 && sl <= 16 && start + k + 16 <= bytes.len();
        let word = |b: &[u8], i: usize| -> Option<[u8; 16]> { b.get(i..i + 16)?.try_into().ok() };
        match (wide, word(bytes, prev), word(stream, at - sl)) {
            (true, Some(shared), Some(tail)) => {
                bytes.get_mut(start..start + 16)?.copy_from_slice(&shared);
                bytes
                    .get_mut(start + k..start + k + 16)?
                    .copy_from_slice(&tail);
            }
            _ => {
                for j in 0..k {
                    let b = *bytes.get(prev + j)?;
                    *bytes.get_mut(start + j)? = b;
                }
                for (o, &b) in bytes
                    .get_mut(start + k..start + k + sl)?
                    .iter_mut()
                    .zip(suffix)
                {
                    *o = b;
                }
            }
        }
        end = start + k + sl;
        prev = start;
        *offsets.get_mut(i + 1)? = end as u32;
    }
    Some((at, end, prev))
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
    let lits = body.get(3 * n..)?;
    let mut bytes = Vec::with_capacity(total);
    let mut offsets = Vec::with_capacity(n + 1);
    offsets.push(0u32);
    let mut at = 0usize;
    for r in 0..n {
        match plane_value(planes, n, r)? {
            0 => {
                let len = *lits.get(at)? as usize;
                bytes.extend_from_slice(lits.get(at + 1..at + 1 + len)?);
                at += 1 + len;
            }
            base_rank => bytes.extend_from_slice(base(base_rank as u32 - 1)?),
        }
        offsets.push(u32::try_from(bytes.len()).ok()?);
    }
    (bytes.len() == total).then_some(TokenList {
        bytes,
        offsets,
        ranks: None,
    })
}
