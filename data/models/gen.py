#!/usr/bin/env python3
"""Generate src/pricing/generated.rs from model_prices_and_context_window.json.

The JSON is LiteLLM's price and context-window table, vendored from the pinned `litellm`
release named in VERSION (see refresh.sh). The Rust output is a set of sorted static arrays
that the crate binary-searches at run time, so nothing is parsed at start-up:

- NAMES / NAME_END: every table key, sorted bytewise, concatenated; then one column per field
  (PROVIDER, MODE, LIMITS, PRICES, FLAGSET, TIER_OF) holding indices into the shared tables below
- FIELDS / VALUES / PAIRS / PRICE_SETS: every numeric field of an entry (prices, per-unit costs,
  rpm/tpm...), stored once per distinct (field, value) set; a value is an exact f64 (Python's
  repr is the shortest round-trip form, which Rust parses to the same double)
- FLAGS / FLAG_SETS: every boolean field (`supports_*` and the rest) as a presence mask and a
  value mask
- TIERS: LiteLLM's `tiered_pricing` lists (range + rates)
- LOWER: the lower-cased forms where LiteLLM's case-insensitive `get_model_cost_key` needs a
  tie-break (several keys differ only in case)

Run with no arguments from anywhere; it is deterministic.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SRC = os.path.join(HERE, "model_prices_and_context_window.json")
OUT = os.path.join(ROOT, "src", "pricing", "generated.rs")
VERSION = open(os.path.join(HERE, "VERSION")).read().strip()

MAX_FIELDS = ("max_input_tokens", "max_output_tokens", "max_tokens")


def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def f64(v):
    r = repr(float(v))
    if r in ("inf", "-inf", "nan"):
        raise SystemExit(f"non-finite value {v!r}")
    if "." not in r and "e" not in r:
        r += ".0"
    return r


def rust_str(s):
    return json.dumps(s, ensure_ascii=False)  # JSON string escapes are valid Rust escapes here


def main():
    with open(SRC, encoding="utf-8") as f:
        table = json.load(f)
    table.pop("sample_spec", None)
    # LiteLLM's declarative rules for names the table lacks (see litellm_core_utils/fallback_generalizations.py)
    raw_rules = (table.pop("fallback_generalizations", None) or {}).get("rules") or []
    rules = []
    for r in raw_rules:
        if not isinstance(r, dict) or not isinstance(r.get("pattern"), str) or not isinstance(r.get("model_info"), dict):
            continue
        if "extends" in r:
            continue
        fill = r.get("fill_missing_for_providers", [])
        if not isinstance(fill, list) or not all(isinstance(x, str) for x in fill):
            continue
        mi = r["model_info"]
        if "litellm_provider" in mi:
            if not isinstance(mi["litellm_provider"], str) or len(mi) != 1:
                continue
        rules.append((r.get("name", ""), r["pattern"], mi, fill))
    keys_in_order = list(table.keys())
    names = sorted(keys_in_order, key=lambda s: s.encode("utf-8"))

    infos = list(table.values()) + [mi for _, _, mi, _ in rules]
    fields = sorted({k for v in infos for k, x in v.items() if is_num(x) and k not in MAX_FIELDS})
    flags = sorted({k for v in infos for k, x in v.items() if isinstance(x, bool)})
    if len(flags) > 64:
        raise SystemExit(f"{len(flags)} boolean fields: widen the flag masks beyond u64")
    if len(fields) > 255:
        raise SystemExit("more than 255 numeric fields")
    providers = sorted({v.get("litellm_provider") or "" for v in table.values()})
    modes = sorted({v.get("mode") or "" for v in infos if isinstance(v.get("mode") or "", str)})
    field_ix = {k: i for i, k in enumerate(fields)}
    flag_ix = {k: i for i, k in enumerate(flags)}

    values = []
    value_ix = {}

    def vix(x):
        x = float(x)
        key = x.hex()
        if key not in value_ix:
            value_ix[key] = len(values)
            values.append(x)
        return value_ix[key]

    pairs = []
    price_sets = []  # (start, end)
    price_set_ix = {}

    def price_set(items):
        t = tuple(sorted((field_ix[k], vix(x)) for k, x in items))
        if t not in price_set_ix:
            start = len(pairs)
            pairs.extend((f << 16) | vi for f, vi in t)
            price_set_ix[t] = len(price_sets)
            price_sets.append((start, len(pairs)))
        return price_set_ix[t]

    flag_sets = []
    flag_set_ix = {}
    tiers = []  # (lo, hi, price_set)

    recs = []
    off_peak = []  # (name, block)
    for name in names:
        e = table[name]
        nums = [(k, x) for k, x in e.items() if is_num(x) and k not in MAX_FIELDS]
        ps = price_set(nums)
        present = 0
        val = 0
        for k, x in e.items():
            if isinstance(x, bool):
                present |= 1 << flag_ix[k]
                if x:
                    val |= 1 << flag_ix[k]
        fs = flag_set_ix.setdefault((present, val), len(flag_sets))
        if fs == len(flag_sets):
            flag_sets.append((present, val))
        mx = []
        for k in MAX_FIELDS:
            x = e.get(k)
            mx.append(int(x) if is_num(x) and 0 <= x < 0xFFFFFFFF else 0xFFFFFFFF)
        tp = e.get("tiered_pricing")
        t_start = len(tiers)
        if isinstance(tp, list):
            for t in tp:
                rng = t.get("range") if isinstance(t, dict) else None
                if not (isinstance(rng, list) and len(rng) == 2 and all(is_num(r) for r in rng)):
                    continue
                rates = [(k, x) for k, x in t.items() if k != "range" and is_num(x)]
                for k, _ in rates:
                    if k not in field_ix:
                        raise SystemExit(f"tier field {k} is no top-level field; extend gen.py")
                tiers.append((float(rng[0]), float(rng[1]), price_set(rates)))
        op = e.get("off_peak_pricing")
        if isinstance(op, dict):
            off_peak.append((name, op))
        t_len = len(tiers) - t_start
        if t_len > 255:
            raise SystemExit("too many tiers")
        recs.append((name, providers.index(e.get("litellm_provider") or ""), modes.index(e.get("mode") or ""),
                     mx, ps, fs, t_start if t_len else 0, t_len))

    # Case-insensitive lookup. LiteLLM keeps {k.lower(): k} (the later key in file order wins); at
    # run time an ASCII case-insensitive scan finds the key when only one key has that lower-cased
    # form, so LOWER lists only the forms where that scan would be ambiguous or not ASCII.
    groups = {}
    for k in keys_in_order:
        groups.setdefault(k.lower(), []).append(k)
    name_ix = {n: i for i, n in enumerate(names)}

    def ascii_lower(x):
        return "".join(c.lower() if "A" <= c <= "Z" else c for c in x)

    lower = sorted(((lk, name_ix[ks[-1]]) for lk, ks in groups.items()
                    if len(ks) > 1 or any(ascii_lower(k) != lk for k in ks)),
                   key=lambda t: t[0].encode())

    rule_lines = []
    for name, pattern, mi, fill in rules:
        nums = [(k, x) for k, x in mi.items() if is_num(x) and k not in MAX_FIELDS]
        ps = price_set(nums)
        present = val = 0
        for k, x in mi.items():
            if isinstance(x, bool):
                present |= 1 << flag_ix[k]
                if x:
                    val |= 1 << flag_ix[k]
        if (present, val) not in flag_set_ix:
            flag_set_ix[(present, val)] = len(flag_sets)
            flag_sets.append((present, val))
        mx = [int(mi[k]) if is_num(mi.get(k)) and 0 <= mi[k] < 0xFFFFFFFF else 0xFFFFFFFF for k in MAX_FIELDS]
        mode = mi.get("mode") if isinstance(mi.get("mode"), str) else ""
        fill_s = ", ".join(rust_str(x) for x in fill)
        rule_lines.append(f"    // {name}")
        rule_lines.append(f"    Rule {{ pattern: {rust_str(pattern)}, provider: {rust_str(mi.get('litellm_provider', ''))}, "
          f"fill_for: &[{fill_s}], mode: {rust_str(mode)}, limits: [{mx[0]}, {mx[1]}, {mx[2]}], prices: {ps}, flags: {flag_set_ix[(present, val)]} }},")

    def hours(v):
        if isinstance(v, str):
            return [v]
        return [x for x in v if isinstance(x, str)] if isinstance(v, list) else []

    WEEKDAYS = {"mon": 1, "monday": 1, "tue": 2, "tues": 2, "tuesday": 2, "wed": 3, "wednesday": 3, "thu": 4,
                "thur": 4, "thurs": 4, "thursday": 4, "fri": 5, "friday": 5, "sat": 6, "saturday": 6, "sun": 7,
                "sunday": 7}

    def weekday(v):
        if isinstance(v, bool):
            return None
        if isinstance(v, int):
            return v if 1 <= v <= 7 else None
        if isinstance(v, str):
            return WEEKDAYS.get(v.strip().lower())
        return None

    def strs(xs):
        return "&[" + ", ".join(rust_str(x) for x in xs) + "]"

    off_peak_lines = []
    for name, op in off_peak:
        rates = [(k, x) for k, x in op.items() if is_num(x) and k in field_ix]
        ps = price_set(rates)
        wins = []
        raw_windows = op.get("windows")
        if isinstance(raw_windows, list):
            for r in raw_windows:
                if not isinstance(r, dict) or not hours(r.get("hours_utc")):
                    continue
                wd = r.get("weekdays")
                # None = every day; a non-list (or a string) = no day, as LiteLLM reads it
                days = "None" if wd is None else ("Some(&[])" if isinstance(wd, str) or not isinstance(wd, list)
                                                  else "Some(&[" + ", ".join(str(d) for d in map(weekday, wd) if d is not None) + "])")
                wins.append(f"OffPeakWindow {{ hours_utc: {strs(hours(r.get('hours_utc')))}, weekdays: {days} }}")
        tz = op.get("weekday_timezone") if isinstance(op.get("weekday_timezone"), str) else ""
        off_peak_lines.append(f"    ({name_ix[name]}, OffPeak {{ prices: {ps}, hours_utc: {strs(hours(op.get('hours_utc')))}, "
                              f"windows: &[{', '.join(wins)}], weekday_timezone: {rust_str(tz)} }}),")
    off_peak_lines.sort(key=lambda l: int(l.split(",")[0].strip(" (")))

    if len(price_sets) > 0xFFFF or len(flag_sets) > 0xFFFF or len(tiers) > 0xFFFF or len(values) > 0xFFFF:
        raise SystemExit("an index overflowed u16")

    o = []
    w = o.append
    w("// @generated by data/models/gen.py from data/models/model_prices_and_context_window.json")
    w(f"// (LiteLLM {VERSION}, MIT licence: data/models/LICENSE-litellm). Do not edit; re-run the script.")
    w("#![allow(clippy::all, clippy::unreadable_literal, clippy::excessive_precision)]")
    w("")
    w("use super::table::{OffPeak, OffPeakWindow, Rule, Tier};")
    w("")
    w(f"/// The `litellm` release the table comes from.\npub const LITELLM_VERSION: &str = {rust_str(VERSION)};")
    w("")
    w(f"/// Every numeric field of the table, sorted; a [`Model`]'s prices refer to these by index.\npub static FIELDS: [&str; {len(fields)}] = [")
    for k in fields:
        w(f"    {rust_str(k)},")
    w("];\n")
    w(f"/// Every boolean field of the table, sorted; bit `i` of a flag mask is `FLAGS[i]`.\npub static FLAGS: [&str; {len(flags)}] = [")
    for k in flags:
        w(f"    {rust_str(k)},")
    w("];\n")
    caps = [(k, "".join(part[:1].upper() + part[1:] for part in k[len("supports_"):].split("_"))) for k in flags if k.startswith("supports_")]
    w("/// A LiteLLM `supports_*` capability flag; the discriminant is the flag's bit in the generated `FLAGS` table.")
    w("#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]")
    w("#[non_exhaustive]")
    w("pub enum Capability {")
    for k, v in caps:
        w(f"    /// `{k}`")
        w(f"    {v} = {flag_ix[k]},")
    w("}\n")
    w("impl Capability {")
    w(f"    /// Every capability, in table order.\n    pub const ALL: [Capability; {len(caps)}] = [")
    for k, v in caps:
        w(f"        Capability::{v},")
    w("    ];\n")
    w("    /// The table key, e.g. `supports_vision`.")
    w("    pub fn key(self) -> &'static str {")
    w("        match self {")
    for k, v in caps:
        w(f"            Capability::{v} => {rust_str(k)},")
    w("        }")
    w("    }")
    w("}\n")
    w(f"/// `litellm_provider` values, sorted (\"\" = none given).\npub static PROVIDERS: [&str; {len(providers)}] = [")
    for k in providers:
        w(f"    {rust_str(k)},")
    w("];\n")
    w(f"/// `mode` values, sorted (\"\" = none given).\npub static MODES: [&str; {len(modes)}] = [")
    for k in modes:
        w(f"    {rust_str(k)},")
    w("];\n")
    w(f"/// Distinct numeric values.\npub static VALUES: [f64; {len(values)}] = [")
    for i in range(0, len(values), 6):
        w("    " + ", ".join(f64(x) for x in values[i:i + 6]) + ",")
    w("];\n")
    w(f"/// `(field index << 16) | value index`, grouped into sets by [`PRICE_SETS`].\npub static PAIRS: [u32; {len(pairs)}] = [")
    for i in range(0, len(pairs), 10):
        w("    " + ", ".join(str(x) for x in pairs[i:i + 10]) + ",")
    w("];\n")
    w(f"/// `(start, end)` ranges of [`PAIRS`], sorted by field within a set.\npub static PRICE_SETS: [(u16, u16); {len(price_sets)}] = [")
    for i in range(0, len(price_sets), 8):
        w("    " + ", ".join(f"({a}, {b})" for a, b in price_sets[i:i + 8]) + ",")
    w("];\n")
    w(f"/// `(present mask, value mask)` over [`FLAGS`].\npub static FLAG_SETS: [(u64, u64); {len(flag_sets)}] = [")
    for i in range(0, len(flag_sets), 4):
        w("    " + ", ".join(f"({a:#x}, {b:#x})" for a, b in flag_sets[i:i + 4]) + ",")
    w("];\n")
    w(f"/// `tiered_pricing` entries: input-token range and the tier's rates (a price set).\npub static TIERS: [Tier; {len(tiers)}] = [")
    for lo, hi, ps in tiers:
        w(f"    Tier {{ lo: {f64(lo)}, hi: {f64(hi)}, prices: {ps} }},")
    w("];\n")
    w(f"/// Lower-cased names that several keys share (or non-ASCII ones), with the key LiteLLM picks.\npub static LOWER: [(&str, u16); {len(lower)}] = [")
    for lk, i in lower:
        w(f"    ({rust_str(lk)}, {i}),")
    w("];\n")
    limit_sets, limit_ix = [], {}
    tier_ranges, tier_ix = [(0, 0)], {(0, 0): 0}
    col_limits, col_tiers = [], []
    for name, p, m, mx, ps, fs, ts, tl in recs:
        if tuple(mx) not in limit_ix:
            limit_ix[tuple(mx)] = len(limit_sets)
            limit_sets.append(tuple(mx))
        col_limits.append(limit_ix[tuple(mx)])
        if (ts, tl) not in tier_ix:
            tier_ix[(ts, tl)] = len(tier_ranges)
            tier_ranges.append((ts, tl))
        col_tiers.append(tier_ix[(ts, tl)])
    if len(limit_sets) > 0xFFFF or len(tier_ranges) > 0xFFFF:
        raise SystemExit("an index overflowed u16")
    w("/// Every key, sorted bytewise and concatenated; key `i` ends at `NAME_END[i]`.")
    w("pub static NAMES: &str = concat!(")
    for i in range(0, len(recs), 8):
        w("    " + " ".join(rust_str(r[0]) + "," for r in recs[i:i + 8]))
    w(");\n")
    offs, pos = [], 0
    for r in recs:
        pos += len(r[0].encode("utf-8"))
        offs.append(pos)

    def column(doc, name, ty, xs, per):
        w(f"/// {doc}\npub static {name}: [{ty}; {len(xs)}] = [")
        for i in range(0, len(xs), per):
            w("    " + ", ".join(str(x) for x in xs[i:i + per]) + ",")
        w("];\n")

    column("End offset of each key in [`NAMES`].", "NAME_END", "u32", offs, 12)
    column("Index into [`PROVIDERS`] per key.", "PROVIDER", "u8", [r[1] for r in recs], 24)
    column("Index into [`MODES`] per key.", "MODE", "u8", [r[2] for r in recs], 24)
    column("Index into [`LIMIT_SETS`] per key.", "LIMITS", "u16", col_limits, 20)
    column("Index into [`PRICE_SETS`] per key.", "PRICES", "u16", [r[4] for r in recs], 20)
    column("Index into [`FLAG_SETS`] per key.", "FLAGSET", "u16", [r[5] for r in recs], 20)
    column("Index into [`TIER_RANGES`] per key (0 = no `tiered_pricing`).", "TIER_OF", "u16", col_tiers, 20)
    w(f"/// `[max_input_tokens, max_output_tokens, max_tokens]`, `u32::MAX` = not given.\npub static LIMIT_SETS: [[u32; 3]; {len(limit_sets)}] = [")
    for i in range(0, len(limit_sets), 6):
        w("    " + " ".join(f"[{a}, {b}, {c}]," for a, b, c in limit_sets[i:i + 6]))
    w("];\n")
    w(f"/// `(start, len)` ranges of [`TIERS`].\npub static TIER_RANGES: [(u16, u8); {len(tier_ranges)}] = [")
    w("    " + " ".join(f"({a}, {b})," for a, b in tier_ranges))
    w("];\n")
    w(f"/// LiteLLM's `fallback_generalizations` rules, in file order (routing rules name a provider).\npub static RULES: [Rule; {len(rules)}] = [")
    for line in rule_lines:
        w(line)
    w("];\n")
    w(f"/// LiteLLM's `off_peak_pricing` blocks, by model index (sorted).\npub static OFF_PEAK: [(u16, OffPeak); {len(off_peak_lines)}] = [")
    for line in off_peak_lines:
        w(line)
    w("];")
    if len(providers) > 255 or len(modes) > 255:
        raise SystemExit("provider/mode index overflowed u8")
    with open(OUT, "w", encoding="utf-8") as f:
        f.write("\n".join(o) + "\n")
    print(f"{OUT}: {len(recs)} models, {len(providers)} providers, {len(fields)} numeric fields, "
          f"{len(flags)} flags, {len(values)} values, {len(price_sets)} price sets, {len(flag_sets)} flag sets, "
          f"{len(tiers)} tiers, {len(lower)} case aliases", file=sys.stderr)


if __name__ == "__main__":
    main()
