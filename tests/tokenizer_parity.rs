//! Token-id parity with tiktoken-rs on a multi-megabyte corpus of real text from this machine
//! plus synthetic hard cases (see tests/tokenizer_corpus). Zero mismatches allowed.

mod tokenizer_corpus;

use std::collections::HashSet;
use tiktoken_rs::CoreBPE;
use unillm::tokenizer::{encoding_for_model, Encoding, SpecialPolicy};

fn reference(name: &str) -> CoreBPE {
    match name {
        "o200k_base" => tiktoken_rs::o200k_base().unwrap(),
        "cl100k_base" => tiktoken_rs::cl100k_base().unwrap(),
        _ => unreachable!(),
    }
}

/// Splits long documents so a mismatch report points near the cause (and the reference's
/// quadratic merge never sees a huge piece).
fn chunks(text: &str, max: usize) -> Vec<&str> {
    let mut out = vec![];
    let mut rest = text;
    while rest.len() > max {
        let mut cut = max;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        // cut at a newline when there is one nearby, to keep pieces natural
        if let Some(nl) = rest[..cut].rfind('\n') {
            if nl > max / 2 {
                cut = nl + 1;
            }
        }
        out.push(&rest[..cut]);
        rest = &rest[cut..];
    }
    out.push(rest);
    out
}

fn first_diff(a: &[u32], b: &[u32]) -> usize {
    a.iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()))
}

fn parity(name: &str) {
    let docs = tokenizer_corpus::build(1);
    let total: usize = docs.iter().map(|d| d.text.len()).sum();
    let mut by_kind = std::collections::BTreeMap::new();
    for d in &docs {
        *by_kind.entry(d.kind).or_insert(0usize) += d.text.len();
    }
    eprintln!(
        "{name}: corpus {total} bytes in {} docs {by_kind:?}",
        docs.len()
    );
    assert!(total >= 2_000_000, "corpus too small: {total} bytes");
    // Real multilingual text comes from installed translations (/usr/share/locale); a machine
    // without them still has the synthetic all-scripts documents, so only warn.
    if by_kind.get("multilingual").copied().unwrap_or(0) < 200_000 {
        eprintln!("WARNING: under 200 KB of real multilingual text on this machine");
    }
    let enc = Encoding::get(name).unwrap();
    let reference = reference(name);
    let mut mismatches = 0;
    let mut tokens = 0usize;
    let mut rule_chunks = 0usize;
    let (mut fresh_checked, mut partly_read) = (0usize, 0usize);
    for d in &docs {
        for chunk in chunks(&d.text, 16_384) {
            let ours = enc.encode_ordinary(chunk);
            let theirs = reference.encode_ordinary(chunk);
            tokens += ours.len();
            if ours != theirs {
                mismatches += 1;
                let i = first_diff(&ours, &theirs);
                let ctx = |v: &[u32]| {
                    let lo = i.saturating_sub(3);
                    let hi = (i + 4).min(v.len());
                    v[lo..hi]
                        .iter()
                        .map(|&t| {
                            format!(
                                "{t}:{:?}",
                                String::from_utf8_lossy(
                                    &reference.decode_bytes(&[t]).unwrap_or_default()
                                )
                            )
                        })
                        .collect::<Vec<_>>()
                };
                if mismatches <= 10 {
                    eprintln!(
                        "MISMATCH {name} in {} ({}) at token {i}:\n ours   {:?}\n theirs {:?}",
                        d.name,
                        d.kind,
                        ctx(&ours),
                        ctx(&theirs)
                    );
                }
                continue;
            }
            // the merge-rule path (o200k_base's first texts) gives the same tokens
            if let Some(rules) = enc.__encode_ordinary_with_rules(chunk) {
                assert_eq!(rules, ours, "{name}: merge rules differ in {} ({}) at token {}", d.name, d.kind, first_diff(&rules, &ours));
                rule_chunks += 1;
            }
            // rules read only as far as this text needs (a first count): the first 60 and 400
            // bytes, each with rules of its own
            for cut in [60, 400] {
                let head = &chunk[..(0..=chunk.len().min(cut)).rev().find(|&i| chunk.is_char_boundary(i)).unwrap_or(0)];
                if let Some((ids, read)) = enc.__encode_ordinary_with_fresh_rules(head) {
                    assert_eq!(ids, reference.encode_ordinary(head), "{name}: fresh merge rules differ in {} ({})", d.name, d.kind);
                    fresh_checked += 1;
                    partly_read += usize::from(read < 199_998 - 256);
                }
            }
            assert_eq!(enc.count(chunk), ours.len());
            assert_eq!(enc.decode_bytes(&ours).unwrap(), chunk.as_bytes());
        }
    }
    eprintln!(
        "{name}: {tokens} tokens, {mismatches} mismatching chunks, {rule_chunks} chunks also through the merge rules, \
         {fresh_checked} heads through fresh rules ({partly_read} of them read only part of the rules)"
    );
    assert_eq!(mismatches, 0);
    if name == "o200k_base" {
        assert!(rule_chunks > 100, "the merge-rule path was not checked");
        assert!(partly_read > 50, "the partly-read rules were not checked");
    }
}

#[test]
fn parity_o200k_base() {
    parity("o200k_base");
}

#[test]
fn parity_cl100k_base() {
    parity("cl100k_base");
}

#[test]
fn special_token_parity() {
    let texts = [
        "hello <|endoftext|> world",
        "<|endoftext|><|endoftext|>",
        "a<|fim_prefix|>b<|fim_middle|>c<|fim_suffix|>d<|endofprompt|>",
        "trailing spaces   <|endoftext|>   \n  <|endoftext|>",
        "<|endoftext",
        "<|<|endoftext|>|>",
    ];
    for name in ["o200k_base", "cl100k_base"] {
        let enc = Encoding::get(name).unwrap();
        let reference = reference(name);
        let specials = reference.special_tokens();
        for t in texts {
            assert_eq!(
                enc.encode_with_special_tokens(t),
                reference.encode_with_special_tokens(t),
                "{name} {t:?}"
            );
            assert_eq!(
                enc.encode(t, &SpecialPolicy::all()).unwrap(),
                reference.encode(t, &specials).unwrap().0,
                "{name} {t:?}"
            );
            let only: HashSet<&str> = ["<|endoftext|>"].into_iter().collect();
            let policy = SpecialPolicy {
                allowed: unillm::tokenizer::SpecialSet::Only(vec!["<|endoftext|>".into()]),
                disallowed: unillm::tokenizer::SpecialSet::None,
            };
            assert_eq!(
                enc.encode(t, &policy).unwrap(),
                reference.encode(t, &only).unwrap().0,
                "{name} {t:?}"
            );
            let has_special = specials.iter().any(|s| t.contains(s));
            assert_eq!(
                enc.encode(t, &SpecialPolicy::default()).is_err(),
                has_special,
                "{name} {t:?}"
            );
        }
        for &(tok, id) in enc.special_tokens() {
            assert_eq!(reference.encode_with_special_tokens(tok), vec![id]);
            assert_eq!(enc.decode(&[id]).unwrap(), tok);
        }
    }
}

#[test]
fn pathological_inputs_are_linear() {
    // A megabyte of one letter / of spaces / of digits: tiktoken's merge loop is quadratic here.
    let mb = if cfg!(debug_assertions) {
        1 << 18
    } else {
        1 << 20
    };
    for name in ["o200k_base", "cl100k_base"] {
        let enc = Encoding::get(name).unwrap();
        for text in [
            "a".repeat(mb),
            " ".repeat(mb),
            "9".repeat(mb),
            "é".repeat(mb / 2),
            "\n".repeat(mb),
            "ab ".repeat(mb / 3),
        ] {
            let t = std::time::Instant::now();
            let n = enc.count(&text);
            assert!(n > 0);
            assert_eq!(
                enc.decode_bytes(&enc.encode_ordinary(&text)).unwrap(),
                text.as_bytes()
            );
            eprintln!(
                "{name}: {} bytes of {:?}: {n} tokens in {:?}",
                text.len(),
                &text[..2],
                t.elapsed()
            );
        }
        // Same answers as the reference on sizes it can still handle.
        let reference = reference(name);
        for text in [
            "a".repeat(20_000),
            " ".repeat(20_000),
            "x ".repeat(10_000) + "   ",
            "é".repeat(10_000),
        ] {
            assert_eq!(
                enc.encode_ordinary(&text),
                reference.encode_ordinary(&text),
                "{name}"
            );
        }
    }
}

#[test]
fn model_mapping_matches_tiktoken_rs() {
    let models = [
        "gpt-4o",
        "gpt-4o-mini",
        "gpt-4o-2024-08-06",
        "chatgpt-4o-latest",
        "gpt-4.1",
        "gpt-4.1-mini",
        "gpt-4.5-preview",
        "gpt-5",
        "gpt-5-mini",
        "gpt-5.1-codex",
        "o1",
        "o1-mini",
        "o3",
        "o3-mini",
        "o4-mini",
        "o4-mini-2025-04-16",
        "gpt-4",
        "gpt-4-turbo",
        "gpt-4-32k",
        "gpt-3.5-turbo",
        "gpt-3.5-turbo-16k",
        "gpt-35-turbo",
        "text-embedding-3-small",
        "text-embedding-3-large",
        "text-embedding-ada-002",
        "davinci-002",
        "ft:gpt-4o-mini:org::x",
        "ft:gpt-3.5-turbo:a:b",
        "text-davinci-003",
        "davinci",
        "gpt2",
        "gpt-oss-120b",
        "codex-mini-latest",
        "claude-3-5-sonnet",
        "gemini-2.0",
        "",
    ];
    for m in models {
        let theirs = tiktoken_rs::tokenizer::get_tokenizer(m).map(|t| match t {
            tiktoken_rs::tokenizer::Tokenizer::O200kHarmony => "o200k_harmony",
            tiktoken_rs::tokenizer::Tokenizer::O200kBase => "o200k_base",
            tiktoken_rs::tokenizer::Tokenizer::Cl100kBase => "cl100k_base",
            tiktoken_rs::tokenizer::Tokenizer::P50kBase => "p50k_base",
            tiktoken_rs::tokenizer::Tokenizer::R50kBase => "r50k_base",
            tiktoken_rs::tokenizer::Tokenizer::P50kEdit => "p50k_edit",
            tiktoken_rs::tokenizer::Tokenizer::Gpt2 => "gpt2",
        });
        assert_eq!(encoding_for_model(m), theirs, "{m}");
    }
}

/// Writes the benchmark corpus (prose, code, multilingual) for benches/tokenizer-wasm/bench.js:
/// `cargo test --test tokenizer_parity dump_corpus -- --ignored`
#[test]
#[ignore]
fn dump_corpus() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/.work/corpus");
    std::fs::create_dir_all(&dir).unwrap();
    let docs = tokenizer_corpus::build(1);
    for kind in ["prose", "code", "multilingual"] {
        let texts: Vec<&str> = docs
            .iter()
            .filter(|d| d.kind == kind)
            .map(|d| d.text.as_str())
            .collect();
        // documents separated by NUL, which none of them contains
        std::fs::write(dir.join(format!("{kind}.txt")), texts.join("\u{0}")).unwrap();
    }
}
