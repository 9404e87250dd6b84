//! A deterministic multi-megabyte test corpus built from text files already on the machine
//! (licences and docs, Rust and Python sources, translated message catalogues) plus synthetic
//! hard cases. Missing files are skipped; callers assert the total size.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// One document of the corpus.
pub struct Doc {
    pub kind: &'static str,
    pub name: String,
    pub text: String,
}

fn sorted_files(dir: &Path, pred: &dyn Fn(&Path) -> bool, out: &mut Vec<PathBuf>, depth: usize) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_symlink() {
            continue;
        }
        if p.is_dir() {
            if depth > 0 {
                sorted_files(&p, pred, out, depth - 1);
            }
        } else if pred(&p) {
            out.push(p);
        }
    }
}

fn take_files(
    kind: &'static str,
    files: &[PathBuf],
    budget: usize,
    per_file: usize,
    docs: &mut Vec<Doc>,
) {
    let mut used = 0;
    for f in files {
        if used >= budget {
            break;
        }
        let Ok(bytes) = std::fs::read(f) else {
            continue;
        };
        let Ok(text) = String::from_utf8(bytes) else {
            continue;
        };
        let mut end = text.len().min(per_file);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        used += end;
        docs.push(Doc {
            kind,
            name: f.display().to_string(),
            text: text[..end].to_string(),
        });
    }
}

/// Translated strings from gettext catalogues: the NUL-separated UTF-8 strings of `.mo` files.
fn mo_strings(path: &Path, budget: usize) -> String {
    let Ok(bytes) = std::fs::read(path) else {
        return String::new();
    };
    let mut out = String::new();
    for part in bytes.split(|&b| b == 0) {
        if out.len() >= budget {
            break;
        }
        if let Ok(s) = std::str::from_utf8(part) {
            if !s.is_ascii() && !s.contains("Content-Type") {
                out.push_str(s);
                out.push('\n');
            }
        }
    }
    out
}

struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as u32
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.next() as usize % v.len()]
    }
}

/// Synthetic hard cases: every script's letters, marks, digits and spaces in odd mixtures.
pub fn synthetic() -> Vec<Doc> {
    let mut docs = vec![];
    let fixed = [
        "👨‍👩‍👧‍👦 family, 🏳️‍🌈 flag, 🇺🇸🇯🇵 flags, 👍🏽 tone, ❤️ variation, 🦀 crab",
        "e\u{301}\u{302}\u{303} Z\u{336}\u{337}a\u{35c}l\u{360}g\u{361}o \u{301}\u{301}leading marks",
        "don't DON'T it'S we'LL they'RE I'VE she'D I'M ſ 'ſ x'ſ 'd'll 're've",
        "\r\n\r\n  \r\n\t\t\n   \u{3000}\u{a0}\u{2003}x\u{85}y\u{2028}z   ",
        "1234567890 ١٢٣٤٥٦٧ ０１２３４５ ⅧⅨ ½¾ 12.5e-10 0x1F 1_000_000",
        "<|endoftext|> <|fim_prefix|><|fim_middle|><|fim_suffix|> <|endofprompt|> <| |> <|endoftext",
        "HTTPServerError XMLHttpRequest camelCaseWord ALLCAPS ǅungla ǈ Σίσυφος ΣΊΣΥΦΟΣ",
        "path/to/file.rs // comment\n/* block */ a//b ///doc\n\\\\server\\share",
        "中文字符测试，标点符号。日本語のテキスト、カタカナ。한국어 텍스트입니다.",
        "مرحبا بالعالم עברית שלום हिन्दी पाठ ภาษาไทย ქართული Ελληνικά Русский текст",
    ];
    for (i, t) in fixed.iter().enumerate() {
        docs.push(Doc {
            kind: "synthetic",
            name: format!("fixed-{i}"),
            text: t.to_string(),
        });
    }
    let runs = [
        " ".repeat(5000),
        "\n".repeat(3000),
        " \n".repeat(2000),
        "\t \u{3000}".repeat(1000),
        "a".repeat(5000),
        "A".repeat(3000),
        "7".repeat(5000),
        "!".repeat(3000),
        "é".repeat(2000),
        "\u{301}".repeat(2000),
        "ab".repeat(3000),
        "🦀".repeat(1000),
        format!("x{}y", " ".repeat(4000)),
        format!("{}\n", " ".repeat(4000)),
    ];
    for (i, t) in runs.iter().enumerate() {
        docs.push(Doc {
            kind: "synthetic",
            name: format!("run-{i}"),
            text: t.clone(),
        });
    }
    let ranges: &[(u32, u32)] = &[
        (0x41, 0x5a),
        (0x61, 0x7a),
        (0xc0, 0x24f),
        (0x370, 0x3ff),
        (0x400, 0x4ff),
        (0x530, 0x58f),
        (0x590, 0x5ff),
        (0x600, 0x6ff),
        (0x900, 0x97f),
        (0x980, 0x9ff),
        (0xe00, 0xe7f),
        (0x10a0, 0x10ff),
        (0x1100, 0x11ff),
        (0x3040, 0x30ff),
        (0x4e00, 0x9fff),
        (0xac00, 0xd7a3),
        (0x1e00, 0x1eff),
        (0x300, 0x36f),
        (0x660, 0x669),
        (0xff10, 0xff19),
        (0x1f300, 0x1faff),
        (0x2000, 0x206f),
        (0x20000, 0x2a6df),
        (0x1d400, 0x1d7ff),
        (0x2460, 0x24ff),
        (0x16a0, 0x16ff),
    ];
    let seps = [
        " ", "  ", "\n", "\r\n", "\t", ". ", ", ", "'s ", "'LL ", "\u{200d}", "\u{3000}", "/",
        " - ", "123", "\n\n  ",
    ];
    let mut rng = Lcg(42);
    for d in 0..40 {
        let mut s = String::new();
        while s.len() < 8000 {
            let (lo, hi) = *rng.pick(ranges);
            let n = 1 + rng.next() % 9;
            for _ in 0..n {
                if let Some(c) = char::from_u32(lo + rng.next() % (hi - lo + 1)) {
                    s.push(c);
                }
            }
            if rng.next() % 3 != 0 {
                let sep = seps[rng.next() as usize % seps.len()];
                s.push_str(sep);
            }
        }
        docs.push(Doc {
            kind: "synthetic",
            name: format!("mix-{d}"),
            text: s,
        });
    }
    // Every code point in the BMP and a slice of the astral planes, in short runs.
    let mut s = String::new();
    for cp in (0u32..0x30000).step_by(1) {
        if let Some(c) = char::from_u32(cp) {
            s.push(c);
            if cp % 7 == 0 {
                s.push(' ');
            }
        }
        if s.len() > 60_000 {
            docs.push(Doc {
                kind: "synthetic",
                name: format!("codepoints-{cp:x}"),
                text: std::mem::take(&mut s),
            });
        }
    }
    docs.push(Doc {
        kind: "synthetic",
        name: "codepoints-end".into(),
        text: s,
    });
    docs
}

/// English prose, source code and multilingual text from the machine, then the synthetic cases.
/// `scale` multiplies the per-kind budgets (1 = about 4 MB in all).
pub fn build(scale: usize) -> Vec<Doc> {
    let mut docs = vec![];
    let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
    // English prose
    let mut prose = vec![];
    sorted_files(
        Path::new("/usr/share/common-licenses"),
        &|_| true,
        &mut prose,
        1,
    );
    sorted_files(
        Path::new("/usr/share/doc"),
        &|p| {
            p.file_name().is_some_and(|n| {
                n == "copyright"
                    || n.to_string_lossy().ends_with(".txt")
                    || n.to_string_lossy().starts_with("README")
            }) && !p.to_string_lossy().ends_with(".gz")
        },
        &mut prose,
        2,
    );
    take_files("prose", &prose, 1_000_000 * scale, 200_000, &mut docs);
    // Source code: Rust crates and the Python standard library
    let mut rust = vec![];
    let reg = Path::new(&home).join(".cargo/registry/src");
    sorted_files(
        &reg,
        &|p| p.extension().is_some_and(|e| e == "rs"),
        &mut rust,
        5,
    );
    take_files("code", &rust, 700_000 * scale, 60_000, &mut docs);
    let mut py = vec![];
    for v in ["3.13.0", "3.12.1", "3.11.7"] {
        sorted_files(
            &Path::new(&home).join(format!(".pyenv/versions/{v}/lib")),
            &|p| p.extension().is_some_and(|e| e == "py"),
            &mut py,
            3,
        );
    }
    if py.is_empty() {
        sorted_files(
            Path::new("/usr/lib/python3.11"),
            &|p| p.extension().is_some_and(|e| e == "py"),
            &mut py,
            2,
        );
    }
    take_files("code", &py, 500_000 * scale, 40_000, &mut docs);
    // Multilingual: translated messages per language
    let langs = [
        "ja", "zh_CN", "zh_TW", "ko", "ru", "uk", "ar", "he", "hi", "th", "el", "fa", "vi", "tr",
        "de", "fr", "es", "pl", "bn", "ta", "ka", "am", "hy", "pt_BR", "cs", "sr", "km", "my",
        "si", "ml",
    ];
    for lang in langs {
        let mut mos = vec![];
        sorted_files(
            &Path::new("/usr/share/locale")
                .join(lang)
                .join("LC_MESSAGES"),
            &|p| p.extension().is_some_and(|e| e == "mo"),
            &mut mos,
            0,
        );
        let mut text = String::new();
        for mo in &mos {
            if text.len() >= 60_000 * scale {
                break;
            }
            text.push_str(&mo_strings(mo, 60_000 * scale - text.len()));
        }
        if !text.is_empty() {
            docs.push(Doc {
                kind: "multilingual",
                name: format!("locale-{lang}"),
                text,
            });
        }
    }
    let mut cjk = vec![];
    for v in ["3.13.0", "3.12.1"] {
        sorted_files(
            &Path::new(&home).join(format!(
                ".pyenv/versions/{v}/lib/python{}/test/cjkencodings",
                &v[..4]
            )),
            &|p| p.to_string_lossy().ends_with("-utf8.txt"),
            &mut cjk,
            0,
        );
    }
    take_files("multilingual", &cjk, 200_000, 50_000, &mut docs);
    docs.extend(synthetic());
    docs
}
