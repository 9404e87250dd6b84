// Quick throughput check of the unillm harness alone: node quick.js [encoding]
const fs = require("fs");
const m = require(process.env.PKG || "./pkg/unillm_tokenizer_bench.js");
const enc = process.argv[2] || "o200k_base";
for (const k of ["prose", "code", "multilingual"]) {
  const docs = fs.readFileSync(`${__dirname}/../.work/corpus/${k}.txt`, "utf8").split("\0");
  const bytes = docs.reduce((n, d) => n + Buffer.byteLength(d), 0);
  let s = 0;
  for (const d of docs) s += m.countTokens(enc, d);
  const ts = [];
  for (let r = 0; r < 7; r++) {
    const t = performance.now();
    for (const d of docs) s += m.countTokens(enc, d);
    ts.push(performance.now() - t);
  }
  ts.sort((a, b) => a - b);
  console.log(k, (bytes / 1e6 / (ts[3] / 1e3)).toFixed(2), "MB/s");
}
