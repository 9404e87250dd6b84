// How much a completion() call costs when its caches are cold, as between network requests:
// one call with an answer from memory (no network), after different gaps. Run after a build:
//   node benches/cold-call.mjs
// "none" is the hot cost; "timeout1ms" (the process idles 1 ms, as while waiting for a
// provider) and "evict8MB" (8 MB of other memory touched) show the cold cost, which is what a
// real request pays (see RESULTS.md, completion(), session 5).
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const u = await import(pathToFileURL(path.join(here, '..', 'dist', 'node.js')));
const messages = [{ role: 'user', content: 'Hello' }];
const respText = JSON.stringify({
  id: 'chatcmpl-abc123', object: 'chat.completion', created: 1700000000, model: 'gpt-4o-mini-2024-07-18',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello! How can I help you today?', refusal: null }, logprobs: null, finish_reason: 'stop' }],
  usage: { prompt_tokens: 9, completion_tokens: 9, total_tokens: 18 },
});
const buf = new TextEncoder().encode(respText).buffer;
const fake = { ok: true, status: 200, headers: new Headers(), arrayBuffer: async () => buf };
const call = () => u.completion({ model: 'openai/gpt-4o-mini', apiKey: 'sk-bench-0000', apiBase: 'http://127.0.0.1:9/v1', messages, fetch: async () => fake });
const spin = (us) => { const t = performance.now(); while (performance.now() - t < us / 1000); };
const junk = new Uint8Array(8 << 20);
const evict = (mb) => { let s = 0; for (let i = 0; i < mb << 20; i += 64) s += junk[i]++; return s; };
const gaps = {
  none: async () => {},
  immediate: () => new Promise((r) => setImmediate(r)),
  timeout1ms: () => new Promise((r) => setTimeout(r, 1)),
  spin500us: async () => spin(500),
  evict2MB: async () => evict(2),
  evict8MB: async () => evict(8),
};
for (let i = 0; i < 5000; i++) await call();
console.log(`node ${process.version}: µs per completion() call (answer from memory), median of 3 rounds of 1000`);
const res = {};
for (let round = 0; round < 3; round++) {
  for (const [k, gap] of Object.entries(gaps)) {
    let acc = 0;
    for (let i = 0; i < 1000; i++) {
      await gap();
      const t = performance.now();
      await call();
      acc += performance.now() - t;
    }
    (res[k] ??= []).push(acc);
  }
}
for (const [k, v] of Object.entries(res)) console.log(`  after ${k.padEnd(11)} ${v.sort((a, b) => a - b)[1].toFixed(1).padStart(6)}`);
