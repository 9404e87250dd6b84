// One fresh-process start-up sample: node startup.js <lib> ; prints JSON
// {lib, ms: import→first o200k count, rssMB: RSS growth, heapMB}.
const lib = process.argv[2];
const text = "Hello world! This is the first count.";
if (global.gc) global.gc();
const r0 = process.memoryUsage();
const t0 = performance.now();
let n;
if (lib === "unillm") {
  const m = require(process.env.PKG || "./pkg/unillm_tokenizer_bench.js");
  n = m.countTokens("o200k_base", text);
} else if (lib === "gpt-tokenizer") {
  const m = require("gpt-tokenizer/encoding/o200k_base");
  n = m.countTokens(text);
} else if (lib === "tiktoken") {
  const m = require("tiktoken");
  n = m.get_encoding("o200k_base").encode(text).length;
} else if (lib === "js-tiktoken") {
  const m = require("js-tiktoken");
  n = m.getEncoding("o200k_base").encode(text).length;
}
const ms = performance.now() - t0;
const r1 = process.memoryUsage();
console.log(JSON.stringify({ lib, n, ms, rssMB: (r1.rss - r0.rss) / 1e6, heapMB: (r1.heapUsed - r0.heapUsed) / 1e6 }));
