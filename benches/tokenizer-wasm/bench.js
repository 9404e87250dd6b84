// unillm's tokenizer (wasm, Node) vs gpt-tokenizer, tiktoken (npm, wasm) and js-tiktoken on the
// same corpus as the native bench (tests/tokenizer_corpus, dumped to benches/.work/corpus by
// `cargo test --test tokenizer_parity dump_corpus -- --ignored`).
//
//   npm install && npm run build && node bench.js [o200k_base|cl100k_base]
//
// Reports: median MB/s of counting per corpus kind (each library warmed up first; gpt-tokenizer
// with its merge cache warm and cleared), start-up (import → first count, fresh process, median
// of 5), RSS growth, and the gzip -9 size of the wasm.
const fs = require("fs");
const path = require("path");
const zlib = require("zlib");
const { execFileSync } = require("child_process");

const ENC = process.argv[2] || "o200k_base";
const corpusDir = path.join(__dirname, "..", ".work", "corpus");
const kinds = ["prose", "code", "multilingual"];
const corpus = Object.fromEntries(kinds.map((k) => [k, fs.readFileSync(path.join(corpusDir, k + ".txt"), "utf8").split("\u0000")]));

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function mbps(docs, reps, count, before) {
  const bytes = docs.reduce((n, d) => n + Buffer.byteLength(d), 0);
  let sink = 0;
  for (const d of docs) sink += count(d); // warm-up
  const times = [];
  for (let r = 0; r < reps; r++) {
    if (before) before();
    const t = performance.now();
    for (const d of docs) sink += count(d);
    times.push(performance.now() - t);
  }
  return { mbps: bytes / 1e6 / (median(times) / 1e3), sink };
}

const libs = {};
const unillm = require("./pkg/unillm_tokenizer_bench.js");
libs["unillm (wasm)"] = { count: (t) => unillm.countTokens(ENC, t) };
const gpt = require(`gpt-tokenizer/encoding/${ENC}`);
libs["gpt-tokenizer (cache warm)"] = { count: (t) => gpt.countTokens(t) };
libs["gpt-tokenizer (cache cleared)"] = { count: (t) => gpt.countTokens(t), before: () => gpt.clearMergeCache() };
const tiktoken = require("tiktoken").get_encoding(ENC);
libs["tiktoken (npm wasm)"] = { count: (t) => tiktoken.encode_ordinary(t).length };
const jst = require("js-tiktoken").getEncoding(ENC);
libs["js-tiktoken"] = { count: (t) => jst.encode(t, [], []).length, reps: 1 };

// Same counts everywhere (a cheap cross-check of the parity tests, in JS).
for (const k of kinds) {
  for (const d of corpus[k].slice(0, 20)) {
    const want = tiktoken.encode_ordinary(d).length;
    for (const [name, l] of Object.entries(libs)) {
      const got = l.count(d);
      if (got !== want) console.log(`COUNT MISMATCH ${name} ${k}: ${got} != ${want}`);
    }
  }
}

console.log(`# ${ENC}: counting throughput in Node ${process.version}, median MB/s`);
const rows = {};
for (const [name, l] of Object.entries(libs)) {
  rows[name] = {};
  for (const k of kinds) rows[name][k] = mbps(corpus[k], l.reps || 5, l.count, l.before).mbps;
}
const pad = (s, n) => String(s).padEnd(n);
console.log(pad("library", 32) + kinds.map((k) => pad(k, 14)).join("") + "unillm ÷ lib");
for (const [name, r] of Object.entries(rows)) {
  const ratio = kinds.map((k) => (rows["unillm (wasm)"][k] / r[k]).toFixed(2) + "x").join(" / ");
  console.log(pad(name, 32) + kinds.map((k) => pad(r[k].toFixed(2), 14)).join("") + ratio);
}

if (ENC === "o200k_base") {
  console.log(`\n# start-up: import → first o200k_base count, fresh process (median of 5), RSS growth`);
  for (const lib of ["unillm", "gpt-tokenizer", "tiktoken", "js-tiktoken"]) {
    const samples = [];
    for (let i = 0; i < 5; i++) {
      samples.push(JSON.parse(execFileSync(process.execPath, [path.join(__dirname, "startup.js"), lib]).toString()));
    }
    console.log(pad(lib, 16) + `${median(samples.map((s) => s.ms)).toFixed(1)} ms   RSS +${median(samples.map((s) => s.rssMB)).toFixed(1)} MB`);
  }
  const wasm = fs.readFileSync(path.join(__dirname, "pkg", "unillm_tokenizer_bench_bg.wasm"));
  const tkw = fs.readFileSync(require.resolve("tiktoken/tiktoken_bg.wasm"));
  const gz = (b) => zlib.gzipSync(b, { level: 9 }).length;
  console.log(`\n# size: unillm tokenizer wasm ${wasm.length} B raw, ${gz(wasm)} B gzip -9; tiktoken_bg.wasm ${tkw.length} B raw, ${gz(tkw)} B gzip -9`);
}
