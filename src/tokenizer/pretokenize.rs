//! Hand-written pre-tokenisers equivalent to the o200k_base and cl100k_base split regexes as the
//! reference (tiktoken-rs, on fancy-regex) runs them, including backtracking and possessive
//! quantifiers. Each `*_next` returns the end of the piece that starts at `p`; every position
//! starts a piece (the patterns match any character), so pieces tile the text.
//!
//! Character classes come from `data/tokenizer/unicode_classes.bin`, generated from the same
//! Unicode tables (regex-syntax) the reference regex engine uses.
//!
//! o200k_base (alternatives tried in order):
//! ```text
//! [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//! [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//! \p{N}{1,3}
//!  ?[^\s\p{L}\p{N}]+[\r\n/]*
//! \s*[\r\n]+
//! \s+(?!\S)
//! \s+
//! ```
//! cl100k_base:
//! ```text
//! '(?i:[sdmt]|ll|ve|re)
//! [^\r\n\p{L}\p{N}]?+\p{L}++
//! \p{N}{1,3}+
//!  ?[^\s\p{L}\p{N}]++[\r\n]*+
//! \s++$
//! \s*[\r\n]
//! \s+(?!\S)
//! \s
//! ```

/// `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]`
pub(crate) const FA: u8 = 1;
/// `[\p{Ll}\p{Lm}\p{Lo}\p{M}]`
pub(crate) const FB: u8 = 2;
/// `\p{L}`
pub(crate) const FL: u8 = 4;
/// `\p{N}`
pub(crate) const FN: u8 = 8;
/// `\s` (Unicode White_Space)
pub(crate) const FWS: u8 = 16;

static CLASSES: &[u8] = include_bytes!("../../data/tokenizer/unicode_classes.bin");
const BLOCK_SHIFT: u32 = 7;
const INDEX_LEN: usize = 0x110000 >> BLOCK_SHIFT;

const fn ascii_classes() -> [u8; 128] {
    let mut t = [0u8; 128];
    let mut c = 0;
    while c < 128 {
        let b = c as u8;
        t[c] = if b.is_ascii_uppercase() {
            FA | FL
        } else if b.is_ascii_lowercase() {
            FB | FL
        } else if b.is_ascii_digit() {
            FN
        } else if matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ') {
            FWS
        } else {
            0
        };
        c += 1;
    }
    t
}
static ASCII: [u8; 128] = ascii_classes();

/// The class flags of a code point.
#[inline(always)]
pub(crate) fn class(cp: u32) -> u8 {
    if cp < 128 {
        return ASCII[cp as usize];
    }
    class_table(cp)
}

#[inline]
pub(crate) fn class_table(cp: u32) -> u8 {
    let block = CLASSES
        .get((cp >> BLOCK_SHIFT) as usize)
        .copied()
        .unwrap_or(0) as usize;
    let at = INDEX_LEN + (block << BLOCK_SHIFT) + (cp as usize & ((1 << BLOCK_SHIFT) - 1));
    CLASSES.get(at).copied().unwrap_or(0)
}

/// Decodes the char at `i` of valid UTF-8: (code point, byte length). Past the end: (u32::MAX, 0).
#[inline(always)]
fn decode(s: &[u8], i: usize) -> (u32, usize) {
    let b0 = match s.get(i) {
        Some(&b) => b as u32,
        None => return (u32::MAX, 0),
    };
    if b0 < 0x80 {
        return (b0, 1);
    }
    let cont = |k: usize| s.get(i + k).map_or(0, |&b| (b & 0x3F) as u32);
    if b0 < 0xE0 {
        (((b0 & 0x1F) << 6) | cont(1), 2)
    } else if b0 < 0xF0 {
        (((b0 & 0x0F) << 12) | (cont(1) << 6) | cont(2), 3)
    } else {
        (
            ((b0 & 0x07) << 18) | (cont(1) << 12) | (cont(2) << 6) | cont(3),
            4,
        )
    }
}

/// Class of the char at `i` (0 past the end) and its length.
#[inline(always)]
fn class_at(s: &[u8], i: usize) -> (u8, usize) {
    let (cp, l) = decode(s, i);
    if l == 0 {
        (0, 0)
    } else {
        (class(cp), l)
    }
}

/// End of the run of chars whose class intersects `flags`, starting at `i`.
#[inline(always)]
fn run_end(s: &[u8], mut i: usize, flags: u8) -> usize {
    loop {
        // ASCII fast path
        while let Some(&b) = s.get(i) {
            if b >= 0x80 {
                break;
            }
            if ASCII[b as usize] & flags == 0 {
                return i;
            }
            i += 1;
        }
        let (f, l) = class_at(s, i);
        if l == 0 || f & flags == 0 {
            return i;
        }
        i += l;
    }
}

/// End of the run of chars that are none of \s, \p{L}, \p{N} (`[^\s\p{L}\p{N}]`).
#[inline(always)]
fn punct_end(s: &[u8], mut i: usize) -> usize {
    loop {
        let (f, l) = class_at(s, i);
        if l == 0 || f & (FWS | FL | FN) != 0 {
            return i;
        }
        i += l;
    }
}

/// `(?i:'s|'t|'re|'ve|'m|'ll|'d)` at `i`: the end of the match, if any.
#[inline]
fn contraction(s: &[u8], i: usize) -> Option<usize> {
    if s.get(i) != Some(&b'\'') {
        return None;
    }
    let c1 = s.get(i + 1).map(|b| b.to_ascii_lowercase());
    let c2 = s.get(i + 2).map(|b| b.to_ascii_lowercase());
    match (c1, c2) {
        (Some(b's' | b't' | b'm' | b'd'), _) => Some(i + 2),
        (Some(b'r' | b'v'), Some(b'e')) | (Some(b'l'), Some(b'l')) => Some(i + 3),
        // U+017F LATIN SMALL LETTER LONG S case-folds to 's'
        (Some(0xC5), Some(0xBF)) => Some(i + 3),
        _ => None,
    }
}

/// `[^\r\n\p{L}\p{N}]`: may the char at `p` (class `f`, first byte `b`) be a one-char prefix?
#[inline(always)]
fn prefix_ok(f: u8, b: u8) -> bool {
    f & (FL | FN) == 0 && b != b'\r' && b != b'\n'
}

/// `A*B+` at `i` with backtracking (A = FA, B = FB; the classes overlap on Lm, Lo, M).
#[inline]
fn o200k_lower(s: &[u8], mut i: usize) -> Option<usize> {
    let mut last_b = None;
    loop {
        let (f, l) = class_at(s, i);
        if l == 0 || f & FA == 0 {
            if l != 0 && f & FB != 0 {
                return Some(run_end(s, i + l, FB));
            }
            return last_b;
        }
        i += l;
        if f & FB != 0 {
            last_b = Some(i);
        }
    }
}

/// `A+B*` at `i`.
#[inline]
fn o200k_upper(s: &[u8], i: usize) -> Option<usize> {
    let a = run_end(s, i, FA);
    if a == i {
        None
    } else {
        Some(run_end(s, a, FB))
    }
}

/// Whitespace alternatives shared by both patterns; the char at `p` is `\s`.
/// Returns (end of the run, end after the last `\r`/`\n` in it, start of its last char).
#[inline]
fn ws_scan(s: &[u8], p: usize) -> (usize, Option<usize>, usize) {
    let mut i = p;
    let mut last_nl = None;
    let mut last_start = p;
    loop {
        let (f, l) = class_at(s, i);
        if l == 0 || f & FWS == 0 {
            return (i, last_nl, last_start);
        }
        if matches!(s.get(i), Some(b'\r' | b'\n')) {
            last_nl = Some(i + 1);
        }
        last_start = i;
        i += l;
    }
}

/// End of the o200k_base piece starting at `p < s.len()`.
pub(crate) fn o200k_next(s: &[u8], p: usize) -> usize {
    let b = s.get(p).copied().unwrap_or(0);
    let (f, cl) = class_at(s, p);
    if cl == 0 {
        return s.len();
    }
    let pre = prefix_ok(f, b);
    if pre || f & (FA | FB) != 0 {
        let with = p + cl;
        let found = (if pre { o200k_lower(s, with) } else { None })
            .or_else(|| o200k_lower(s, p))
            .or_else(|| if pre { o200k_upper(s, with) } else { None })
            .or_else(|| o200k_upper(s, p));
        if let Some(e) = found {
            return contraction(s, e).unwrap_or(e);
        }
    }
    if f & FN != 0 {
        return digits3(s, p + cl);
    }
    let q = if b == b' ' { p + 1 } else { p };
    let e = punct_end(s, q);
    if e > q {
        let mut e = e;
        while matches!(s.get(e), Some(b'\r' | b'\n' | b'/')) {
            e += 1;
        }
        return e;
    }
    // \s*[\r\n]+ | \s+(?!\S) | \s+
    let (w, last_nl, last_start) = ws_scan(s, p);
    if let Some(e) = last_nl {
        return e;
    }
    if w >= s.len() || last_start == p {
        return w;
    }
    last_start
}

/// Up to two more `\p{N}` after the first one ending at `i`.
#[inline]
fn digits3(s: &[u8], mut i: usize) -> usize {
    for _ in 0..2 {
        let (f, l) = class_at(s, i);
        if l == 0 || f & FN == 0 {
            break;
        }
        i += l;
    }
    i
}

/// End of the cl100k_base piece starting at `p < s.len()`.
pub(crate) fn cl100k_next(s: &[u8], p: usize) -> usize {
    let b = s.get(p).copied().unwrap_or(0);
    if b == b'\'' {
        if let Some(e) = contraction(s, p) {
            return e;
        }
    }
    let (f, cl) = class_at(s, p);
    if cl == 0 {
        return s.len();
    }
    if prefix_ok(f, b) {
        // possessive prefix: no retry without it (which could not match anyway)
        let e = run_end(s, p + cl, FL);
        if e > p + cl {
            return e;
        }
    } else if f & FL != 0 {
        return run_end(s, p + cl, FL);
    }
    if f & FN != 0 {
        return digits3(s, p + cl);
    }
    let q = if b == b' ' { p + 1 } else { p };
    let e = punct_end(s, q);
    if e > q {
        let mut e = e;
        while matches!(s.get(e), Some(b'\r' | b'\n')) {
            e += 1;
        }
        return e;
    }
    // \s++$ | \s*[\r\n] | \s+(?!\S) | \s
    let (w, last_nl, last_start) = ws_scan(s, p);
    if w >= s.len() {
        return w;
    }
    if let Some(e) = last_nl {
        return e;
    }
    if last_start == p {
        return w;
    }
    last_start
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(next: fn(&[u8], usize) -> usize, text: &str) -> Vec<&str> {
        let s = text.as_bytes();
        let mut out = vec![];
        let mut p = 0;
        while p < s.len() {
            let e = next(s, p);
            assert!(e > p && e <= s.len());
            out.push(&text[p..e]);
            p = e;
        }
        out
    }

    #[test]
    fn ascii_table_matches_unicode_table() {
        for c in 0..128u32 {
            assert_eq!(ASCII[c as usize], class_table(c), "{c}");
        }
        assert_eq!(class_table('é' as u32), FB | FL);
        assert_eq!(class_table('É' as u32), FA | FL);
        assert_eq!(class_table('中' as u32), FA | FB | FL);
        assert_eq!(class_table(0x301), FA | FB); // combining acute
        assert_eq!(class_table('٣' as u32), FN);
        assert_eq!(class_table(0x3000), FWS);
        assert_eq!(class_table(0x1F600), 0); // emoji
    }

    #[test]
    fn o200k_pieces() {
        assert_eq!(split(o200k_next, "Hello world"), ["Hello", " world"]);
        assert_eq!(split(o200k_next, "don't STOP'S"), ["don't", " STOP'S"]);
        assert_eq!(split(o200k_next, "HTMLParser"), ["HTMLParser"]);
        assert_eq!(split(o200k_next, "12345"), ["123", "45"]);
        assert_eq!(
            split(o200k_next, "a  b\n\n c   "),
            ["a", " ", " b", "\n\n", " c", "   "]
        );
        assert_eq!(
            split(o200k_next, "x = (y);\r\n"),
            ["x", " =", " (", "y", ");\r\n"]
        );
        assert_eq!(split(o200k_next, "a//b"), ["a", "//", "b"]);
    }

    #[test]
    fn cl100k_pieces() {
        assert_eq!(split(cl100k_next, "Hello world"), ["Hello", " world"]);
        assert_eq!(split(cl100k_next, "don't"), ["don", "'t"]);
        assert_eq!(split(cl100k_next, "12345"), ["123", "45"]);
        assert_eq!(
            split(cl100k_next, "a  b\n\n c \n  "),
            ["a", " ", " b", "\n\n", " c", " \n  "]
        );
    }
}
