// The packaged tokenizer (dist/, the wasm users install) side by side with the JS tokenizers, in
// one Node process, on the corpus the parity tests use (English prose, source code, 30 languages):
//
//   throughput   median MB/s of counting, rounds alternating between libraries so that machine
//                drift hits everyone alike; gpt-tokenizer with its merge cache warm and cleared
//   start-up     import → first o200k_base count, a fresh `node` per sample (median)
//   memory       RSS growth over the same span
//   size         gzip -9 of the whole package's wasm and of tiktoken's, per component for ours
//
// Run: npm run bench  (or: node benches/tokenizer.mjs [--rounds N] [--startups N]); benches/run.mjs
// installs the peers and dumps the corpus to benches/.work/corpus first.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, 'package.json'));
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const ROUNDS = arg('rounds', 5);
const STARTUPS = arg('startups', 9);
const KINDS = ['prose', 'code', 'multilingual'];
const corpus = Object.fromEntries(KINDS.map((k) => [k, readFileSync(path.join(here, '.work', 'corpus', `${k}.txt`), 'utf8').split('\u0000')]));
const bytesOf = Object.fromEntries(KINDS.map((k) => [k, corpus[k].reduce((n, d) => n + Buffer.byteLength(d), 0)]));

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const pad = (s, n) => String(s).padEnd(n);

const unillm = await import(pathToFileURL(path.join(here, '..', 'dist', 'node.js')));
const gpt = { o200k_base: require('gpt-tokenizer/encoding/o200k_base'), cl100k_base: require('gpt-tokenizer/encoding/cl100k_base') };
const tiktoken = require('tiktoken');
const jsTiktoken = require('js-tiktoken');

function libraries(enc) {
  const tk = tiktoken.get_encoding(enc);
  const jst = jsTiktoken.getEncoding(enc);
  const g = gpt[enc];
  return {
    // unillm remembers merged words across calls too (bounded; clearTokenCache forgets them)
    'unillm (cache warm)': { count: (t) => unillm.countTokens(t, { encoding: enc }), warm: true },
    'unillm (cache cleared)': { count: (t) => unillm.countTokens(t, { encoding: enc }), before: () => unillm.clearTokenCache() },
    // warm: the same text was counted just before (untimed), so its merge cache holds every word
    'gpt-tokenizer (cache warm)': { count: (t) => g.countTokens(t), warm: true },
    'gpt-tokenizer (cache cleared)': { count: (t) => g.countTokens(t), before: () => g.clearMergeCache?.() },
    'tiktoken (npm wasm)': { count: (t) => tk.encode_ordinary(t).length },
    // js-tiktoken needs seconds per pass: one timed pass per round
    'js-tiktoken': { count: (t) => jst.encode(t, [], []).length },
  };
}

function throughput(enc) {
  const libs = libraries(enc);
  // every library counts the same (a cheap JS-side cross-check of the parity tests)
  for (const k of KINDS) {
    for (const d of corpus[k].slice(0, 30)) {
      const want = unillm.countTokens(d, { encoding: enc });
      for (const [name, l] of Object.entries(libs)) {
        const got = l.count(d);
        if (got !== want) throw new Error(`${enc} ${k}: ${name} counts ${got}, unillm ${want}`);
      }
    }
  }
  const times = Object.fromEntries(Object.keys(libs).map((n) => [n, Object.fromEntries(KINDS.map((k) => [k, []]))]));
  let sink = 0;
  for (const k of KINDS) for (const l of Object.values(libs)) for (const d of corpus[k]) sink += l.count(d); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    for (const k of KINDS) {
      for (const [name, l] of Object.entries(libs)) {
        l.before?.();
        if (l.warm) for (const d of corpus[k]) sink += l.count(d);
        const t = performance.now();
        for (const d of corpus[k]) sink += l.count(d);
        times[name][k].push(performance.now() - t);
      }
    }
  }
  const mbps = Object.fromEntries(Object.entries(times).map(([n, byKind]) =>
    [n, Object.fromEntries(KINDS.map((k) => [k, bytesOf[k] / 1e6 / (median(byKind[k]) / 1e3)]))]));
  console.log(`\n## ${enc}: counting throughput, median MB/s of ${ROUNDS} alternating rounds (sink ${sink % 10})\n`);
  console.log(`| library | ${KINDS.join(' | ')} | unillm ÷ library, like cache against like (${KINDS.join(' / ')}) |`);
  console.log(`| --- | ${KINDS.map(() => '---:').join(' | ')} | ---: |`);
  // like against like: a warm cache against a warm cache; everything else against unillm's cleared one
  for (const [n, r] of Object.entries(mbps)) {
    const ours = mbps[n.includes('cache warm') ? 'unillm (cache warm)' : 'unillm (cache cleared)'];
    const ratio = n.startsWith('unillm') ? '' : KINDS.map((k) => `${(ours[k] / r[k]).toFixed(1)}x`).join(' / ');
    console.log(`| ${n} | ${KINDS.map((k) => r[k].toFixed(1)).join(' | ')} | ${ratio} |`);
  }
  return mbps;
}

function startup() {
  console.log(`\n## start-up: import → first o200k_base count, fresh node each, median of ${STARTUPS} (rounds alternate)\n`);
  const libs = ['unillm', 'gpt-tokenizer', 'tiktoken', 'js-tiktoken'];
  const samples = Object.fromEntries(libs.map((l) => [l, []]));
  for (let i = 0; i < STARTUPS; i++) {
    for (const lib of libs) {
      const out = execFileSync(process.execPath, [path.join(here, 'tokenizer-startup.mjs'), lib]).toString();
      samples[lib].push(JSON.parse(out));
    }
  }
  console.log('| library | start-up ms (median, min–max) | RSS growth MB |');
  console.log('| --- | ---: | ---: |');
  for (const lib of libs) {
    const ms = samples[lib].map((s) => s.ms);
    console.log(`| ${lib} | ${median(ms).toFixed(1)} (${Math.min(...ms).toFixed(1)}–${Math.max(...ms).toFixed(1)}) | +${median(samples[lib].map((s) => s.rssMB)).toFixed(1)} |`);
  }
}

function size() {
  const gz = (b) => zlib.gzipSync(b, { level: 9 }).length;
  const dist = (f) => readFileSync(path.join(here, '..', 'dist', f));
  const core = dist('unillm_bg.wasm'), tokens = dist('unillm_tokens_bg.wasm');
  const theirs = readFileSync(require.resolve('tiktoken/tiktoken_bg.wasm'));
  const table = (f) => readFileSync(path.join(here, '..', 'data', 'tokenizer', f));
  console.log('\n## size (gzip -9, each file compressed alone)\n');
  console.log('| what | raw B | gzip -9 B |');
  console.log('| --- | ---: | ---: |');
  console.log(`| unillm: the whole package's wasm (both modules) | ${core.length + tokens.length} | ${gz(core) + gz(tokens)} |`);
  console.log(`| … unillm_tokens_bg.wasm: the tokenizer | ${tokens.length} | ${gz(tokens)} |`);
  for (const f of ['o200k_base.bin', 'cl100k_base.bin', 'unicode_classes.bin']) console.log(`| … … of which the table ${f} | ${table(f).length} | ${gz(table(f))} |`);
  console.log(`| … unillm_bg.wasm: the core (providers, streams, model table, router decisions) | ${core.length} | ${gz(core)} |`);
  console.log(`| tiktoken: tiktoken_bg.wasm | ${theirs.length} | ${gz(theirs)} |`);
}

console.log(`# unillm tokenizer bench — Node ${process.version}, ${new Date().toISOString()}`);
console.log(`corpus: ${KINDS.map((k) => `${k} ${(bytesOf[k] / 1e6).toFixed(2)} MB`).join(', ')}`);
throughput('o200k_base');
throughput('cl100k_base');
startup();
size();
