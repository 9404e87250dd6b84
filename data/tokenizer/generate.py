#!/usr/bin/env python3
"""Generate the compiled-in tokenizer tables under data/tokenizer/ (run refresh.sh, not this).

Inputs (both are crates from the Rust package registry, unpacked by `cargo fetch`):
  --tiktoken-rs DIR   the tiktoken-rs crate: assets/<encoding>.tiktoken (base64 token, rank per line)
  --regex-syntax DIR  the regex-syntax crate: src/unicode_tables/{general_category,perl_space}.rs,
                      the very Unicode tables the reference pre-tokeniser (fancy-regex) matches with.

Outputs (all little-endian, described in SOURCES.md):
  o200k_base.bin   "UTK1", kind 2: ranks 0..255 are the single bytes (256 bytes); every later rank
                   is a pair of lower ranks whose bytes concatenate to it: the left rank as a low
                   and a mid byte plane plus a plane of 2-bit high parts, the right rank as a
                   prefix varint whose first bytes and remaining bytes are two separate streams.
  cl100k_base.bin  "UTK1", kind 1: for each rank, 1 + the o200k_base rank of the same bytes (three
                   byte planes; 0 = not in o200k_base), then each missing token as a pair of lower
                   cl100k_base ranks (two prefix varints).
  unicode_classes.bin  per-code-point class flags in a two-level table (see tokenizer/pretokenize.rs).
"""
import argparse, base64, os, re, struct, sys

def load_ranks(path):
    toks = {}
    with open(path, 'rb') as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            b64, rank = line.split()
            toks[int(rank)] = base64.b64decode(b64)
    n = len(toks)
    if sorted(toks) != list(range(n)):
        sys.exit(f'{path}: ranks are not 0..{n}')
    out = [toks[i] for i in range(n)]
    if any(not 0 < len(t) < 256 for t in out):
        sys.exit(f'{path}: token longer than 255 bytes')
    if len(set(out)) != n:
        sys.exit(f'{path}: duplicate token bytes')
    return out

def planes(values):
    return (bytes(v & 0xFF for v in values) + bytes((v >> 8) & 0xFF for v in values)
            + bytes((v >> 16) & 0xFF for v in values))

def header(kind, n, total):
    return b'UTK1' + struct.pack('<III', kind, n, total)

def prefix_varint(x):
    """Big-endian prefix varint: 0xxxxxxx (< 2^7), 10xxxxxx + 1 byte (< 2^14), 11xxxxxx + 2 bytes
    (< 2^22). Compresses a little better than LEB128 under gzip (the length is in the first byte)."""
    if x < 1 << 7:
        return bytes([x])
    if x < 1 << 14:
        return bytes([0x80 | x >> 8, x & 0xFF])
    if x < 1 << 22:
        return bytes([0xC0 | x >> 16, (x >> 8) & 0xFF, x & 0xFF])
    sys.exit(f'varint {x} out of range')

def split_pair(tokens, index, r):
    """(left, right): ranks below r whose bytes concatenate to token r, the smallest right rank
    first (small right ranks make short varints; measured best of min-left, min-max, longest-left)."""
    t = tokens[r]
    best = None
    for k in range(1, len(t)):
        a, b = index.get(t[:k]), index.get(t[k:])
        if a is not None and b is not None and a < r and b < r and (best is None or (b, a) < best):
            best = (b, a)
    if best is None:
        sys.exit(f'token {r} is not a concatenation of two lower-ranked tokens')
    return best[1], best[0]

def bpe_split(tokens, index, r):
    """(left, right): the last merge of tiktoken's byte-pair merge run on token r's own bytes.
    Storing this split (not just any pair that concatenates to r) makes the table a list of
    merge rules: encoding a piece by merging adjacent (left, right) pairs in rank order then
    gives exactly tiktoken's tokens, with no bytes-to-rank index (see tokenizer/merges.rs). It
    needs every token to be what the merge of its own bytes yields, which is checked here."""
    t = tokens[r]
    parts = [t[i:i + 1] for i in range(len(t))]
    last = None
    while len(parts) > 1:
        best = None
        for i in range(len(parts) - 1):
            rk = index.get(parts[i] + parts[i + 1])
            if rk is not None and (best is None or rk < best[0]):
                best = (rk, i)
        if best is None:
            break
        i = best[1]
        last = (index[parts[i]], index[parts[i + 1]])
        parts[i:i + 2] = [parts[i] + parts[i + 1]]
    if len(parts) != 1 or index[parts[0]] != r:
        sys.exit(f'token {r}: merging its own bytes does not give it back')
    return last

def encode_merges(tokens):
    n = len(tokens)
    if any(len(tokens[r]) != 1 for r in range(256)) or len({tokens[r] for r in range(256)}) != 256:
        sys.exit('ranks 0..255 are not the 256 single bytes')
    index = {t: r for r, t in enumerate(tokens)}
    lefts, heads, tails = [], bytearray(), bytearray()
    for r in range(256, n):
        a, b = bpe_split(tokens, index, r)
        lefts.append(a)
        v = prefix_varint(b)
        heads += v[:1]
        tails += v[1:]
    if max(lefts) >= 1 << 18:
        sys.exit('rank above 2^18')
    hi = [v >> 16 for v in lefts] + [0, 0, 0]
    packed = bytes(hi[i] | hi[i + 1] << 2 | hi[i + 2] << 4 | hi[i + 3] << 6 for i in range(0, len(lefts), 4))
    return (header(2, n, sum(map(len, tokens))) + b''.join(tokens[:256])
            + bytes(v & 0xFF for v in lefts) + bytes((v >> 8) & 0xFF for v in lefts) + packed + bytes(heads) + bytes(tails))

def encode_refs(tokens, base):
    index = {t: r for r, t in enumerate(base)}
    own = {t: r for r, t in enumerate(tokens)}
    refs, pairs = [], bytearray()
    for r, t in enumerate(tokens):
        b = index.get(t)
        if b is None:
            refs.append(0)
            left, right = split_pair(tokens, own, r)
            pairs += prefix_varint(left) + prefix_varint(right)
        else:
            refs.append(b + 1)
    return header(1, len(tokens), sum(map(len, tokens))) + planes(refs) + bytes(pairs)

ESC = {'t': 9, 'n': 10, 'r': 13, '0': 0, '\\': 92, "'": 39, '"': 34}

def parse_char(s):
    if s.startswith('\\u{'):
        return int(s[3:-1], 16)
    if s.startswith('\\'):
        return ESC[s[1:]]
    if len(s) != 1:
        sys.exit(f'cannot parse char literal {s!r}')
    return ord(s)

def load_table(path, name):
    src = open(path, encoding='utf-8').read()
    m = re.search(r'pub const ' + name + r": &'static \[\(char, char\)\] =\s*&\[(.*?)\];", src, re.S)
    if not m:
        sys.exit(f'{name} not found in {path}')
    pairs = re.findall(r"\('((?:\\u\{[0-9a-fA-F]+\}|\\.|[^'\\])+)', '((?:\\u\{[0-9a-fA-F]+\}|\\.|[^'\\])+)'\)", m.group(1))
    return [(parse_char(a), parse_char(b)) for a, b in pairs]

# Class flags: A = [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}], B = [\p{Ll}\p{Lm}\p{Lo}\p{M}], L, N, WS (\s).
A, B, L, N, WS = 1, 2, 4, 8, 16
BLOCK = 128

def unicode_classes(rs):
    gc = os.path.join(rs, 'src/unicode_tables/general_category.rs')
    ws = os.path.join(rs, 'src/unicode_tables/perl_space.rs')
    flags = bytearray(0x110000)
    def mark(ranges, f):
        for lo, hi in ranges:
            for c in range(lo, hi + 1):
                flags[c] |= f
    mark(load_table(gc, 'UPPERCASE_LETTER'), A | L)
    mark(load_table(gc, 'TITLECASE_LETTER'), A | L)
    mark(load_table(gc, 'LOWERCASE_LETTER'), B | L)
    mark(load_table(gc, 'MODIFIER_LETTER'), A | B | L)
    mark(load_table(gc, 'OTHER_LETTER'), A | B | L)
    mark(load_table(gc, 'MARK'), A | B)
    mark(load_table(gc, 'NUMBER'), N)
    mark(load_table(ws, 'WHITE_SPACE'), WS)
    # Cross-check against the union tables.
    for name, f in (('LETTER', L),):
        for lo, hi in load_table(gc, name):
            for c in range(lo, hi + 1):
                assert flags[c] & f, hex(c)
    blocks, index = {}, []
    for start in range(0, 0x110000, BLOCK):
        blk = bytes(flags[start:start + BLOCK])
        index.append(blocks.setdefault(blk, len(blocks)))
    if len(blocks) > 255:
        sys.exit('too many distinct blocks for a u8 index')
    ordered = sorted(blocks.items(), key=lambda kv: kv[1])
    # Layout: u8 index per block (0x110000 / BLOCK entries), then the distinct blocks.
    return bytes(index) + b''.join(b for b, _ in ordered), len(blocks)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--tiktoken-rs', required=True)
    ap.add_argument('--regex-syntax', required=True)
    ap.add_argument('--out', default=os.path.dirname(os.path.abspath(__file__)))
    a = ap.parse_args()
    o200k = load_ranks(os.path.join(a.tiktoken_rs, 'assets/o200k_base.tiktoken'))
    cl100k = load_ranks(os.path.join(a.tiktoken_rs, 'assets/cl100k_base.tiktoken'))
    outputs = {
        'o200k_base.bin': encode_merges(o200k),
        'cl100k_base.bin': encode_refs(cl100k, o200k),
    }
    classes, nblocks = unicode_classes(a.regex_syntax)
    outputs['unicode_classes.bin'] = classes
    import gzip, hashlib
    for name, data in outputs.items():
        with open(os.path.join(a.out, name), 'wb') as f:
            f.write(data)
        print(f'{name}: {len(data)} bytes raw, {len(gzip.compress(data, 9))} gzip -9, '
              f'sha256 {hashlib.sha256(data).hexdigest()[:16]}')
    print(f'unicode_classes: {nblocks} distinct blocks of {BLOCK}')

if __name__ == '__main__':
    main()
