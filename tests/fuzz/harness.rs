//! The fuzz engine behind `tests/fuzz.rs`: corpus, mutations, split points, budgets, the panic
//! and hang checks, crash files and the ledger. Nothing here knows a target.
//!
//! A target's inputs are, in order: every file of its corpus (`tests/fuzz-corpus/<target>/`),
//! fed whole and (for a streaming target) at its saved cuts and at a few deterministic split
//! plans; then inputs that proptest generates: a corpus file or random bytes, put through up to
//! eight mutations (byte and bit flips, deletions, truncation, duplicated regions, splices from
//! another corpus file, tokens from a dictionary of JSON / SSE / UTF-8 / surrogate-escape
//! fragments and of the strings the corpus holds, absurd numbers in place of numbers, deep
//! nesting), and up to eight split points (a repeated point feeds an empty piece).
//!
//! Each input runs on the calling thread under `catch_unwind`; a panic, or an input taking longer
//! than the hang limit, fails the target. A generated failure is shrunk (proptest's value tree)
//! and written to the corpus as `crash-<hash>` (its cuts beside it in `crash-<hash>.cuts`), so
//! that it is replayed by every later run. A watchdog thread catches an input that never returns:
//! it writes the input as `hang-<hash>` and ends the process.

use std::cell::{Cell, RefCell};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{json, Value};

/// A target: bytes in (and, if it streams, the offsets to cut them at); it must not panic or hang.
pub type Run = fn(&[u8], &[usize]);

pub struct Target {
    pub name: &'static str,
    /// Whether the input is also fed in pieces (replayed at split plans, generated with cuts).
    pub splits: bool,
    pub run: Run,
}

impl Target {
    /// A target fed in pieces at split points.
    pub const fn stream(name: &'static str, run: Run) -> Target {
        Target { name, splits: true, run }
    }
    /// A target given its input whole.
    pub const fn whole(name: &'static str, run: Run) -> Target {
        Target { name, splits: false, run }
    }
}

/// How long and how hard to fuzz.
#[derive(Clone, Debug)]
pub struct Settings {
    pub corpus: PathBuf,
    /// Generated inputs per target (after the corpus), unless `seconds` is set...
    pub cases: u64,
    /// ... or fewer, if generating them takes longer than this (the short run's bound).
    pub short_cap: Duration,
    /// Fuzz each target this long instead (the long mode).
    pub seconds: Option<f64>,
    /// An input running longer is a hang.
    pub hang: Duration,
    pub seed: u64,
    /// Generated inputs are cut to this many bytes.
    pub max_len: usize,
}

impl Settings {
    /// The short run (2 000 generated inputs a target, or as many as 1.5 s allows), unless
    /// `UNILLM_FUZZ_SECONDS` (per target), `UNILLM_FUZZ_CASES`, `UNILLM_FUZZ_SEED` say otherwise.
    /// The short run's seed is fixed, the long one's is the clock.
    pub fn from_env(corpus: PathBuf) -> Settings {
        let var = |n: &str| std::env::var(n).ok().filter(|v| !v.is_empty());
        let seconds = var("UNILLM_FUZZ_SECONDS").map(|v| v.parse::<f64>().expect("UNILLM_FUZZ_SECONDS: seconds"));
        let clock = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
        Settings {
            corpus,
            cases: var("UNILLM_FUZZ_CASES").map_or(2_000, |v| v.parse().expect("UNILLM_FUZZ_CASES: a count")),
            short_cap: if var("UNILLM_FUZZ_CASES").is_some() { Duration::MAX } else { Duration::from_millis(1_500) },
            seed: var("UNILLM_FUZZ_SEED")
                .map(|v| v.parse().expect("UNILLM_FUZZ_SEED: a number"))
                .unwrap_or(if seconds.is_some() { clock } else { 0x5EED }),
            seconds,
            hang: Duration::from_secs(2),
            max_len: 256 * 1024,
        }
    }
}

/// One target's run.
#[derive(Debug, Default)]
pub struct Stats {
    pub name: &'static str,
    pub inputs: u64,
    pub seconds: f64,
    pub panics: u64,
    pub hangs: u64,
    pub corpus: usize,
    /// What failed, and where its input was written.
    pub failures: Vec<String>,
}

/// A corpus file.
struct Seed {
    name: String,
    data: Vec<u8>,
    cuts: Vec<usize>,
}

fn load_corpus(dir: &Path) -> Vec<Seed> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| !n.ends_with(".cuts") && !n.starts_with('.'))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let data = std::fs::read(dir.join(&name)).expect("corpus file");
            let cuts = std::fs::read_to_string(dir.join(format!("{name}.cuts")))
                .map(|s| s.split(',').filter_map(|c| c.trim().parse().ok()).collect())
                .unwrap_or_default();
            Seed { name, data, cuts }
        })
        .collect()
}

/// Fragments worth inserting anywhere: JSON structure, SSE framing, odd UTF-8, escapes.
const TOKENS: &[&[u8]] = &[
    b"{", b"}", b"[", b"]", b"\"", b":", b",", b"null", b"true", b"false", b"{}", b"[]", b"\"\"",
    b"\\", b"\\\"", b"\\n", b"\\u0000", b"\\ud83d", b"\\ude00", b"\\ud83d\\ude00", b"\\uDBFF\\u0041", b"\\u",
    b"\n", b"\r", b"\r\n", b"\n\n", b"\r\r", b"\r\n\r\n", b"data: ", b"data:", b"data", b"event: ", b"event:error\n",
    b"id: 7\n", b"retry: 3000\n", b": ping\n", b"data: [DONE]\n\n", b"\xEF\xBB\xBF", b"\xff", b"\xc3", b"\xe2\x82",
    b"\xf0\x9f\x98\x80", b"\xed\xa0\x80", b"\xc0\x80", b"\x00", b"\t", b"  ", b"<|endoftext|>", b"<|fim_prefix|>", b"<|",
    b"'s", b"\xe4\xb8\xad\xe6\x96\x87", b"https://", b"data:image/png;base64,iVBORw0KGgo=",
];

/// Numbers to put where a number was.
const NUMBERS: &[&[u8]] = &[
    b"0", b"-1", b"1", b"255", b"65536", b"4294967296", b"9007199254740993", b"18446744073709551615",
    b"18446744073709551616", b"-9223372036854775808", b"99999999999999999999999999999999999999", b"1e400",
    b"-1e400", b"1e-400", b"1.5", b"-0", b"-0.0", b"1E+308", b"2.5e-7", b"NaN", b"Infinity", b"-Infinity", b"0x10",
    b"\"7\"", b"null",
];

/// The dictionary: [`TOKENS`], [`NUMBERS`], and the quoted strings of the corpus (keys and values
/// the decoders look for: `"type"`, `"content_block_delta"`, ...).
fn dictionary(seeds: &[Seed]) -> Vec<Vec<u8>> {
    let mut d: Vec<Vec<u8>> = TOKENS.iter().chain(NUMBERS).map(|t| t.to_vec()).collect();
    let mut seen = std::collections::BTreeSet::new();
    for s in seeds {
        let mut open = None;
        for (i, &b) in s.data.iter().enumerate() {
            if b == b'"' && (i == 0 || s.data[i - 1] != b'\\') {
                match open.take() {
                    None => open = Some(i),
                    Some(o) if i - o <= 48 => {
                        seen.insert(s.data[o..=i].to_vec());
                    }
                    Some(_) => {}
                }
            } else if b == b'\n' {
                open = None;
            }
        }
    }
    d.extend(seen.into_iter().take(2_000));
    d
}

/// One mutation; the indices land in the input (or dictionary, or corpus) however long it is.
#[derive(Clone, Debug)]
enum Op {
    Byte(Index, u8),
    Bit(Index, u8),
    Delete(Index, u8),
    Truncate(Index),
    Duplicate(Index, u8, u8),
    Insert(Index, Index),
    Splice(Index, Index, Index, u16),
    Number(Index, Index),
    Nest(Index, u16, bool),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Op::Byte(i, b)),
        1 => (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Op::Bit(i, b)),
        1 => (any::<Index>(), any::<u8>()).prop_map(|(i, n)| Op::Delete(i, n)),
        1 => any::<Index>().prop_map(Op::Truncate),
        1 => (any::<Index>(), any::<u8>(), any::<u8>()).prop_map(|(i, n, k)| Op::Duplicate(i, n, k)),
        3 => (any::<Index>(), any::<Index>()).prop_map(|(i, t)| Op::Insert(i, t)),
        1 => (any::<Index>(), any::<Index>(), any::<Index>(), any::<u16>()).prop_map(|(i, s, f, n)| Op::Splice(i, s, f, n)),
        2 => (any::<Index>(), any::<Index>()).prop_map(|(i, n)| Op::Number(i, n)),
        1 => (any::<Index>(), 0..400u16, any::<bool>()).prop_map(|(i, d, a)| Op::Nest(i, d, a)),
    ]
}

/// A generated input, before it is applied to the corpus.
#[derive(Clone, Debug)]
struct Plan {
    /// `None`: start from `random` instead of a corpus file.
    seed: Option<Index>,
    random: Vec<u8>,
    ops: Vec<Op>,
    cuts: Vec<Index>,
}

fn plan(splits: bool) -> impl Strategy<Value = Plan> {
    let base = prop_oneof![
        9 => any::<Index>().prop_map(|i| (Some(i), Vec::new())),
        1 => vec(any::<u8>(), 0..512).prop_map(|r| (None, r)),
    ];
    (base, vec(op(), 0..8), vec(any::<Index>(), 0..if splits { 9 } else { 1 }))
        .prop_map(|((seed, random), ops, cuts)| Plan { seed, random, ops, cuts })
}

fn at(i: &Index, len: usize) -> usize {
    i.index(len + 1)
}

/// The bytes and cuts a plan stands for.
fn apply(p: &Plan, seeds: &[Seed], dict: &[Vec<u8>], max_len: usize) -> (Vec<u8>, Vec<usize>) {
    let mut b = match &p.seed {
        Some(i) if !seeds.is_empty() => seeds[i.index(seeds.len())].data.clone(),
        _ => p.random.clone(),
    };
    for op in &p.ops {
        let len = b.len();
        match op {
            Op::Byte(i, v) if len > 0 => b[i.index(len)] = *v,
            Op::Bit(i, n) if len > 0 => b[i.index(len)] ^= 1 << (n % 8),
            Op::Delete(i, n) => {
                let s = at(i, len);
                b.drain(s..(s + usize::from(*n) % 64 + 1).min(len));
            }
            Op::Truncate(i) => b.truncate(at(i, len)),
            Op::Duplicate(i, n, k) => {
                let s = at(i, len);
                let region = b[s..(s + usize::from(*n)).min(len)].to_vec();
                let copies = 1 + usize::from(*k) % 16;
                b.splice(s..s, region.iter().copied().cycle().take(region.len() * copies)).for_each(drop);
            }
            Op::Insert(i, t) => {
                let token = &dict[t.index(dict.len())];
                b.splice(at(i, len)..at(i, len), token.iter().copied()).for_each(drop);
            }
            Op::Splice(i, s, f, n) if !seeds.is_empty() => {
                let other = &seeds[s.index(seeds.len())].data;
                let from = at(f, other.len());
                let piece = &other[from..(from + usize::from(*n) % 512).min(other.len())];
                b.splice(at(i, len)..at(i, len), piece.iter().copied()).for_each(drop);
            }
            Op::Number(i, n) => {
                // the first run of digits from `i` on (with its sign) becomes an absurd number
                let s = at(i, len);
                if let Some(d) = b[s..].iter().position(u8::is_ascii_digit) {
                    let mut start = s + d;
                    if start > 0 && b[start - 1] == b'-' {
                        start -= 1;
                    }
                    let end = start + 1 + b[start + 1..].iter().take_while(|c| c.is_ascii_digit() || b".eE+-".contains(c)).count();
                    b.splice(start..end, NUMBERS[n.index(NUMBERS.len())].iter().copied()).for_each(drop);
                }
            }
            Op::Nest(i, depth, array) => {
                let unit: &[u8] = if *array { b"[" } else { b"{\"a\":" };
                let s = at(i, len);
                b.splice(s..s, unit.iter().copied().cycle().take(unit.len() * usize::from(*depth))).for_each(drop);
            }
            _ => {}
        }
        b.truncate(max_len);
    }
    let mut cuts: Vec<usize> = p.cuts.iter().map(|c| at(c, b.len())).collect();
    cuts.sort_unstable();
    (b, cuts)
}

/// Split plans a corpus file is replayed at (a streaming target): its saved cuts, every byte on
/// its own, and a few pseudo-random ones (with repeats, so that empty pieces are fed too).
fn replay_plans(seed: &Seed, splits: bool) -> Vec<Vec<usize>> {
    let mut plans = vec![seed.cuts.clone()];
    if splits && !seed.data.is_empty() {
        let len = seed.data.len();
        plans.push((1..len).collect());
        let mut x = 0x2545_F491_4F6C_DD1Du64 ^ len as u64;
        for _ in 0..8 {
            let mut cuts: Vec<usize> = (0..1 + x % 12)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    (x % (len as u64 + 1)) as usize
                })
                .collect();
            cuts.sort_unstable();
            if cuts.len() > 2 {
                cuts[1] = cuts[0]; // an empty piece
            }
            plans.push(cuts);
        }
    }
    plans
}

enum Outcome {
    Pass,
    Panic(String),
    Hang(Duration),
}

thread_local! {
    /// Set while an input runs: its panic is recorded, not printed.
    static QUIET: Cell<bool> = const { Cell::new(false) };
    static MESSAGE: RefCell<String> = const { RefCell::new(String::new()) };
}

fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if QUIET.with(Cell::get) {
                MESSAGE.with(|m| *m.borrow_mut() = info.to_string());
            } else {
                default(info);
            }
        }));
    });
}

/// The input running now, for the watchdog.
struct Running {
    since: Instant,
    abort_after: Duration,
    dir: PathBuf,
    data: Vec<u8>,
    cuts: Vec<usize>,
}

static RUNNING: Mutex<Option<Running>> = Mutex::new(None);

/// Ends the process if an input never returns (after 10 × the hang limit, at least 20 s),
/// leaving the input in the corpus as `hang-<hash>`.
fn start_watchdog() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        std::thread::spawn(|| loop {
            std::thread::sleep(Duration::from_millis(500));
            let guard = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(r) = guard.as_ref().filter(|r| r.since.elapsed() > r.abort_after) {
                let file = save(&r.dir, "hang", &r.data, &r.cuts);
                eprintln!("fuzz: an input ran for {:?} and did not return; written to {}", r.since.elapsed(), file.display());
                std::process::exit(70);
            }
        });
    });
}

fn exec(t: &Target, data: &[u8], cuts: &[usize], s: &Settings) -> Outcome {
    {
        let mut guard = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
        let r = guard.get_or_insert_with(|| Running {
            since: Instant::now(),
            abort_after: Duration::ZERO,
            dir: PathBuf::new(),
            data: Vec::new(),
            cuts: Vec::new(),
        });
        r.abort_after = (s.hang * 10).max(Duration::from_secs(20));
        r.dir = s.corpus.join(t.name);
        r.data.clear();
        r.data.extend_from_slice(data);
        r.cuts.clear();
        r.cuts.extend_from_slice(cuts);
        r.since = Instant::now();
    }
    QUIET.with(|q| q.set(true));
    let start = Instant::now();
    let result = catch_unwind(AssertUnwindSafe(|| (t.run)(data, cuts)));
    let took = start.elapsed();
    QUIET.with(|q| q.set(false));
    *RUNNING.lock().unwrap_or_else(|e| e.into_inner()) = None;
    match result {
        Err(_) => Outcome::Panic(MESSAGE.with(|m| std::mem::take(&mut *m.borrow_mut()))),
        Ok(()) if took > s.hang => Outcome::Hang(took),
        Ok(()) => Outcome::Pass,
    }
}

fn fnv(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
}

/// Writes a failing input into the target's corpus.
fn save(dir: &Path, kind: &str, data: &[u8], cuts: &[usize]) -> PathBuf {
    let _ = std::fs::create_dir_all(dir);
    let mut key = data.to_vec();
    key.extend(cuts.iter().flat_map(|c| c.to_le_bytes()));
    let file = dir.join(format!("{kind}-{:016x}", fnv(&key)));
    let _ = std::fs::write(&file, data);
    if !cuts.is_empty() {
        let list: Vec<String> = cuts.iter().map(usize::to_string).collect();
        let _ = std::fs::write(file.with_extension("cuts"), list.join(",") + "\n");
    }
    file
}

/// Fuzzes one target.
pub fn fuzz(t: &Target, s: &Settings) -> Stats {
    install_panic_hook();
    start_watchdog();
    let dir = s.corpus.join(t.name);
    let seeds = load_corpus(&dir);
    let dict = dictionary(&seeds);
    let mut stats = Stats { name: t.name, corpus: seeds.len(), ..Stats::default() };
    let start = Instant::now();
    let fail = |stats: &mut Stats, outcome: Outcome, what: String| match outcome {
        Outcome::Panic(m) => {
            stats.panics += 1;
            stats.failures.push(format!("{}: panic on {what}: {m}", t.name));
        }
        Outcome::Hang(d) => {
            stats.hangs += 1;
            stats.failures.push(format!("{}: {what} took {d:?} (limit {:?})", t.name, s.hang));
        }
        Outcome::Pass => {}
    };
    // warm-up (lazily built tables, the first tokenizer use): not timed against the hang limit
    if let Some(first) = seeds.first() {
        let _ = exec(t, &first.data, &[], &Settings { hang: Duration::from_secs(60), ..s.clone() });
    }
    for seed in &seeds {
        for cuts in replay_plans(seed, t.splits) {
            stats.inputs += 1;
            match exec(t, &seed.data, &cuts, s) {
                Outcome::Pass => {}
                o => {
                    fail(&mut stats, o, format!("corpus file {} cut at {cuts:?}", dir.join(&seed.name).display()));
                    stats.seconds = start.elapsed().as_secs_f64();
                    return stats;
                }
            }
        }
    }
    let mut seed = [0u8; 32];
    seed[..8].copy_from_slice(&s.seed.to_le_bytes());
    seed[8..16].copy_from_slice(&fnv(t.name.as_bytes()).to_le_bytes());
    let mut runner = TestRunner::new_with_rng(Config::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &seed));
    let strategy = plan(t.splits);
    let deadline = s.seconds.map(|secs| start + Duration::from_secs_f64(secs));
    let (mut generated, generating) = (0u64, Instant::now());
    while deadline.map_or(generated < s.cases && generating.elapsed() < s.short_cap, |d| Instant::now() < d) {
        let mut tree = strategy.new_tree(&mut runner).expect("a plan");
        let (data, cuts) = apply(&tree.current(), &seeds, &dict, s.max_len);
        generated += 1;
        stats.inputs += 1;
        match exec(t, &data, &cuts, s) {
            Outcome::Pass => {}
            Outcome::Panic(first) => {
                // shrink (proptest's loop): simpler plans while they still panic
                let (mut data, mut cuts, mut message) = (data, cuts, first);
                let mut left = 1_000;
                let mut more = tree.simplify();
                while more && left > 0 {
                    left -= 1;
                    let (d, c) = apply(&tree.current(), &seeds, &dict, s.max_len);
                    more = match exec(t, &d, &c, s) {
                        Outcome::Panic(m) => {
                            (data, cuts, message) = (d, c, m);
                            tree.simplify()
                        }
                        _ => tree.complicate(),
                    };
                }
                let file = save(&dir, "crash", &data, &cuts);
                fail(&mut stats, Outcome::Panic(message), format!("{} (cuts {cuts:?})", file.display()));
                break;
            }
            hang => {
                let file = save(&dir, "crash", &data, &cuts);
                fail(&mut stats, hang, file.display().to_string());
                break;
            }
        }
    }
    stats.seconds = start.elapsed().as_secs_f64();
    stats
}

/// Adds a run's figures to the ledger (`{target: {inputs, seconds, panics, hangs, runs: [...]}}`).
pub fn record(ledger: &Path, all: &[Stats], build: &str) {
    let mut doc: Value = std::fs::read_to_string(ledger).ok().and_then(|t| serde_json::from_str(&t).ok()).unwrap_or(json!({}));
    let date = today();
    for st in all {
        let e = &mut doc[st.name];
        if !e.is_object() {
            *e = json!({"inputs": 0, "seconds": 0.0, "panics": 0, "hangs": 0, "runs": []});
        }
        let add_u = |v: &Value, n: u64| json!(v.as_u64().unwrap_or(0) + n);
        e["inputs"] = add_u(&e["inputs"], st.inputs);
        e["seconds"] = json!(((e["seconds"].as_f64().unwrap_or(0.0) + st.seconds) * 10.0).round() / 10.0);
        e["panics"] = add_u(&e["panics"], st.panics);
        e["hangs"] = add_u(&e["hangs"], st.hangs);
        if let Some(runs) = e["runs"].as_array_mut() {
            runs.push(json!({
                "date": date, "inputs": st.inputs, "seconds": (st.seconds * 10.0).round() / 10.0,
                "panics": st.panics, "hangs": st.hangs, "build": build,
            }));
        }
    }
    std::fs::write(ledger, serde_json::to_string_pretty(&doc).expect("ledger") + "\n").expect("write the ledger");
}

/// Today's UTC date, `YYYY-MM-DD` (Howard Hinnant's `civil_from_days`).
fn today() -> String {
    let days = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() / 86_400) as i64;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    format!("{:04}-{m:02}-{d:02}", yoe + era * 400 + i64::from(m <= 2))
}
