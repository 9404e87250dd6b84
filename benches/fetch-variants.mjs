// Where the non-streaming gap of benches/completion.mjs comes from: the baseline fetch next to
// variants that each add one of unillm's differences, in one process, alternating, against
// benches/server.mjs. Run: node benches/fetch-variants.mjs [--requests N] (after npm run build)
//   ourInit         fetch with the exact url/headers/body completion() passes (captured)
//   signal          baseline + an AbortController and a timer per request, as completion() has
//   unillmNoSignal  completion() with a fetch that drops the signal
//   unillmNoNet     completion() with a fetch that answers from memory: its in-process cost
//   unillmBaseFetch completion() with a fetch that sends the baseline's own request
//   baselineSpin130 baseline + 130 µs of busy CPU per request: what client CPU costs the ratio
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const u = await import(pathToFileURL(path.join(here, '..', 'dist', 'node.js')));
const i = process.argv.indexOf('--requests');
const N = i > 0 ? Number(process.argv[i + 1]) : 1500;
const server = spawn(process.execPath, [path.join(here, 'server.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
const base = await new Promise((r) => server.stdout.once('data', (d) => r(String(d).trim())));
const messages = [{ role: 'user', content: 'Hello' }];
const KEY = 'sk-bench-0000';
const url = `${base}/v1/chat/completions`;
const baseInit = () => ({ method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` }, body: JSON.stringify({ model: 'gpt-4o-mini', messages }) });
const params = { model: 'openai/gpt-4o-mini', apiKey: KEY, apiBase: `${base}/v1`, messages };
let captured;
await u.completion({ ...params, fetch: (to, init) => { captured = { to, init }; return fetch(to, init); } });
const respText = await (await fetch(url, baseInit())).text();

const variants = {
  baseline: () => fetch(url, baseInit()).then((r) => r.text()).then(JSON.parse),
  ourInit: () => fetch(captured.to, { method: captured.init.method, headers: captured.init.headers, body: captured.init.body }).then((r) => r.text()).then(JSON.parse),
  signal: () => {
    const c = new AbortController();
    const t = setTimeout(() => c.abort(), 600000);
    return fetch(url, { ...baseInit(), signal: c.signal }).then((r) => r.text()).then((b) => { clearTimeout(t); return JSON.parse(b); });
  },
  unillmNoSignal: () => u.completion({ ...params, fetch: (to, init) => fetch(to, { method: init.method, headers: init.headers, body: init.body }) }),
  unillmNoNet: () => u.completion({ ...params, fetch: async () => new Response(respText, { headers: { 'content-type': 'application/json' } }) }),
  unillmBaseFetch: () => u.completion({ ...params, fetch: () => fetch(url, baseInit()) }),
  baselineSpin130: async () => {
    const r = await variants.baseline();
    const t = performance.now();
    while (performance.now() - t < 0.13);
    return r;
  },
  unillm: () => u.completion(params),
};
const res = {};
for (let round = 0; round < 5; round++) {
  for (const [k, f] of Object.entries(variants)) {
    const t = performance.now();
    for (let n = 0; n < N; n++) await f();
    (res[k] ??= []).push(N / ((performance.now() - t) / 1000));
  }
}
console.log(`node ${process.version}, ${N} sequential requests a round, median of 5 rounds`);
for (const [k, v] of Object.entries(res)) {
  v.sort((a, b) => a - b);
  console.log(`  ${k.padEnd(16)} ${v[2].toFixed(0).padStart(6)} req/s  ${(v[2] / res.baseline[2]).toFixed(2)}x baseline`);
}
server.kill();
