// Where the non-streaming gap of benches/completion.mjs comes from: the baseline fetch next to
// variants that each add one of unillm's differences, in one process, alternating, against
// benches/server.mjs. Run: node benches/fetch-variants.mjs [--requests N] (after npm run build)
//   ourInit         fetch with the exact url/headers/body completion() passes (captured)
//   signal          baseline + an AbortController and a timer per request, as completion() has
//   unillmNoSignal  completion() with a fetch that drops the signal
//   unillmNoNet     completion() with a fetch that answers from memory: its in-process cost
//   unillmBaseFetch completion() with a fetch that sends the baseline's own request
//   baselineSpin130 baseline + 130 µs of busy CPU per request: what client CPU costs the ratio
//   basePlusNoNet   baseline + one unillmNoNet call per request: what completion()'s in-process
//                   work costs when it runs between network requests (its caches are cold there)
//   jsOnlyPath      what-if, not unillm's design: the OpenAI request built and the answer parsed in
//                   JS, wasm only for the cost (completionCost); what a wasm-free call path reaches
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
  basePlusNoNet: async () => {
    await variants.unillmNoNet();
    return variants.baseline();
  },
  jsOnlyPath: async () => {
    const res = await fetch(`${params.apiBase}/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${params.apiKey}` },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: params.messages }),
    });
    const r = JSON.parse(await res.text());
    if (r.usage) r.usage.cost = u.completionCost({ model: 'gpt-4o-mini', usage: r.usage });
    return r;
  },
  unillm: () => u.completion(params),
};
// short rounds (100 requests), many of them, in an order that flips every round: this VM's speed
// drifts within seconds, and a variant must not always run after the same one
const res = {};
const per = Math.max(1, Math.round(N / 15));
for (const f of Object.values(variants)) for (let n = 0; n < 50; n++) await f();
for (let round = 0; round < 30; round++) {
  const order = Object.entries(variants);
  if (round % 2) order.reverse();
  for (const [k, f] of order) {
    const t = performance.now();
    for (let n = 0; n < per; n++) await f();
    (res[k] ??= []).push(per / ((performance.now() - t) / 1000));
  }
}
console.log(`node ${process.version}, ${per} sequential requests a round, median of 30 rounds`);
for (const [k, v] of Object.entries(res)) {
  v.sort((a, b) => a - b);
  const m = (xs) => xs[xs.length >> 1];
  console.log(`  ${k.padEnd(16)} ${m(v).toFixed(0).padStart(6)} req/s  ${(m(v) / m(res.baseline)).toFixed(2)}x baseline`);
}
server.kill();
