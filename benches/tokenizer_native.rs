//! Native tokenizer throughput: unillm's core vs tiktoken-rs and bpe-openai on the same corpus
//! (English prose, code, multilingual text from this machine; see tests/tokenizer_corpus).
//!
//!     nice -n 10 cargo bench --bench tokenizer_native
//!
//! Reports median MB/s over several passes (each library warmed up first; unillm's cache of
//! merged pieces cleared before each pass, and separately warm), ratios (of the cleared figure) to the
//! references, the first-use (table decode) time of each encoding, and pathological inputs.

#[path = "../tests/tokenizer_corpus/mod.rs"]
mod tokenizer_corpus;

use std::time::Instant;
use unillm::tokenizer::Encoding;

fn median_mbps(bytes: usize, reps: usize, mut f: impl FnMut() -> usize) -> f64 {
    let mut sink = f(); // warm-up
    let mut times = vec![];
    for _ in 0..reps {
        let t = Instant::now();
        sink = sink.wrapping_add(f());
        times.push(t.elapsed().as_secs_f64());
    }
    std::hint::black_box(sink);
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    bytes as f64 / 1e6 / times[reps / 2]
}

fn main() {
    let t = Instant::now();
    let o200k = Encoding::get("o200k_base").unwrap();
    let o_init = t.elapsed();
    let t = Instant::now();
    let cl100k = Encoding::get("cl100k_base").unwrap();
    let c_init = t.elapsed();
    println!(
        "first use: o200k_base {:.1} ms, cl100k_base {:.1} ms (after o200k)",
        o_init.as_secs_f64() * 1e3,
        c_init.as_secs_f64() * 1e3
    );

    let t = Instant::now();
    let ref_o = tiktoken_rs::o200k_base().unwrap();
    let ref_c = tiktoken_rs::cl100k_base().unwrap();
    println!(
        "tiktoken-rs init (both): {:.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    let t = Instant::now();
    let bpe_o = bpe_openai::o200k_base();
    let bpe_c = bpe_openai::cl100k_base();
    bpe_o.count("warm");
    bpe_c.count("warm");
    println!(
        "bpe-openai init (both): {:.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );

    let docs = tokenizer_corpus::build(1);
    let reps = 5;
    println!(
        "\n{:<7} {:<13} {:>5} | {:>8} {:>8} {:>9} | {:>11} {:>10} | {:>7} {:>7}",
        "enc",
        "corpus",
        "MB",
        "ours cnt",
        "ours enc",
        "cnt warm",
        "tiktoken-rs",
        "bpe-openai",
        "/tt-rs",
        "/bpe"
    );
    for (name, ours, tt, bpe) in [
        ("o200k", o200k, &ref_o, bpe_o),
        ("cl100k", cl100k, &ref_c, bpe_c),
    ] {
        for kind in ["prose", "code", "multilingual"] {
            let texts: Vec<&str> = docs
                .iter()
                .filter(|d| d.kind == kind)
                .map(|d| d.text.as_str())
                .collect();
            let bytes: usize = texts.iter().map(|t| t.len()).sum();
            // "ours" starts every pass with its cache of merged pieces cleared (the references
            // keep none); "warm" counts a text whose words were all seen before
            let ours_count = median_mbps(bytes, reps, || {
                ours.clear_cache();
                texts.iter().map(|t| ours.count(t)).sum()
            });
            let ours_enc = median_mbps(bytes, reps, || {
                ours.clear_cache();
                texts.iter().map(|t| ours.encode_ordinary(t).len()).sum()
            });
            let ours_warm = median_mbps(bytes, reps, || texts.iter().map(|t| ours.count(t)).sum());
            let tt_enc = median_mbps(bytes, reps, || {
                texts.iter().map(|t| tt.encode_ordinary(t).len()).sum()
            });
            let bpe_count = median_mbps(bytes, reps, || texts.iter().map(|t| bpe.count(*t)).sum());
            println!(
                "{:<7} {:<13} {:>5.2} | {:>8.1} {:>8.1} {:>9.1} | {:>11.1} {:>10.1} | {:>6.2}x {:>6.2}x",
                name,
                kind,
                bytes as f64 / 1e6,
                ours_count,
                ours_enc,
                ours_warm,
                tt_enc,
                bpe_count,
                ours_count / tt_enc,
                ours_count / bpe_count
            );
        }
    }

    println!("\npathological inputs (count, one pass):");
    let mb = 1 << 20;
    for (label, text) in [
        ("1 MB 'a'", "a".repeat(mb)),
        ("1 MB spaces", " ".repeat(mb)),
        ("1 MB digits", "7".repeat(mb)),
        ("1 MB newlines", "\n".repeat(mb)),
        ("1 MB 'é'", "é".repeat(mb / 2)),
    ] {
        let t = Instant::now();
        let n = o200k.count(&text);
        let ours = t.elapsed().as_secs_f64() * 1e3;
        let t = Instant::now();
        let m = bpe_o.count(text.as_str());
        let bpe = t.elapsed().as_secs_f64() * 1e3;
        println!("  o200k {label:<14} ours {ours:>8.1} ms ({n} tokens)   bpe-openai {bpe:>8.1} ms ({m} tokens)");
    }
    let text = "a".repeat(64 * 1024);
    let t = Instant::now();
    let n = ref_o.encode_ordinary(&text).len();
    println!(
        "  o200k 64 KB 'a'  tiktoken-rs {:.1} ms ({n} tokens)",
        t.elapsed().as_secs_f64() * 1e3
    );
}
