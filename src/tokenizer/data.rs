//! The compiled-in rank tables (`data/tokenizer/*.bin`, written by `data/tokenizer/generate.py`)
//! and their decoders. Both decoders produce token bytes concatenated in rank order plus offsets;
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
    Some((u32_at(d, 4)?, u32_at(d, 8)? as usize, u32_at(d, 12)? as usize, d.get(16..)?))
}

fn plane_value(planes: &[u8], n: usize, i: usize) -> Option<usize> {
    let lo = *planes.get(i)? as usize;
    let mid = *planes.get(n + i)? as usize;
    let hi = *planes.get(2 * n + i)? as usize;
    Some(lo | (mid << 8) | (hi << 16))
}

fn offsets_from_lens(lens: &[u8], total: usize) -> Option<Vec<u32>> {
    let mut offsets = Vec::with_capacity(lens.len() + 1);
    let mut at = 0u32;
    offsets.push(0);
    for &l in lens {
        if l == 0 {
            return None; // a rank no entry filled: not a permutation
        }
        at = at.checked_add(l as u32)?;
        offsets.push(at);
    }
    (at as usize == total).then_some(offsets)
}

/// Decodes a kind-0 (front-coded) table.
pub(crate) fn decode_front_coded(d: &[u8]) -> Option<TokenList> {
    let (kind, n, total, body) = header(d)?;
    if kind != 0 {
        return None;
    }
    let planes = body.get(..3 * n)?;
    let stream = body.get(3 * n..)?;
    // Pass 1: lengths by rank.
    let mut lens = vec![0u8; n];
    let mut at = 0usize;
    for i in 0..n {
        let k = *stream.get(at)? as usize;
        let sl = *stream.get(at + 1)? as usize;
        let r = plane_value(planes, n, i)?;
        let len = u8::try_from(k + sl).ok()?;
        let slot = lens.get_mut(r)?;
        if *slot != 0 {
            return None;
        }
        *slot = len;
        at += 2 + sl;
    }
    let offsets = offsets_from_lens(&lens, total)?;
    // Pass 2: copy each entry's shared prefix from the previous entry, then its suffix.
    let mut bytes = vec![0u8; total];
    let mut at = 0usize;
    let mut prev = 0..0usize;
    for i in 0..n {
        let k = *stream.get(at)? as usize;
        let sl = *stream.get(at + 1)? as usize;
        let suffix = stream.get(at + 2..at + 2 + sl)?;
        at += 2 + sl;
        let r = plane_value(planes, n, i)?;
        let start = *offsets.get(r)? as usize;
        if k > prev.len() {
            return None;
        }
        // Byte loops: the copies are a few bytes long, and in wasm a memcpy call costs more.
        for j in 0..k {
            let b = *bytes.get(prev.start + j)?;
            *bytes.get_mut(start + j)? = b;
        }
        for (dst, &b) in bytes.get_mut(start + k..start + k + sl)?.iter_mut().zip(suffix) {
            *dst = b;
        }
        prev = start..start + k + sl;
    }
    Some(TokenList { bytes, offsets })
}

/// Decodes a kind-1 table (references into `base`).
pub(crate) fn decode_refs<'b>(d: &[u8], base: impl Fn(u32) -> Option<&'b [u8]>) -> Option<TokenList> {
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
    (bytes.len() == total).then_some(TokenList { bytes, offsets })
}
