// completion() throughput, side by side with a hand-written baseline and the Vercel AI SDK, in one
// Node process against one local mock (benches/server.mjs, its own process). Rounds alternate
// between contenders and the median is reported, so drift hits everyone alike.
//
//   (a) non-streaming requests/s: completion() vs fetch + JSON.parse. On Node, completion() sends
//       with node:http (js/node-transport.js); the run also shows it over `fetch` (the `fetch`
//       option), and a node:http + JSON.parse baseline, so that unillm's own cost is visible
//       against either transport
//   (b) chunks/s of a 5,000-chunk stream, OpenAI and Anthropic wire formats, translated to OpenAI
//       chunks: completion() vs fetch + a hand-written SSE split + JSON.parse
//   (c) the same streams through the Vercel AI SDK (streamText, fullStream)
//
// Run: npm run bench  (or: node benches/completion.mjs [--rounds N] [--requests N])
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import http from 'node:http';

const here = path.dirname(fileURLToPath(import.meta.url));
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const ROUNDS = arg('rounds', 7);
const REQUESTS = arg('requests', 1000);
const CHUNKS = 5000;
// a 5,000-chunk stream takes ~10 ms here: one a round left a round at the mercy of one hiccup of
// this VM (a 7-round run once read 0.66x where 21 rounds read 1.24x); four a round, ~40 ms
const STREAMS_PER_ROUND = 4;

const unillm = await import(path.join(here, '..', 'dist', 'node.js'));
const require = createRequire(path.join(here, 'package.json'));
let ai = null;
try {
  ai = {
    streamText: (await import(require.resolve('ai'))).streamText,
    generateText: (await import(require.resolve('ai'))).generateText,
    createOpenAI: (await import(require.resolve('@ai-sdk/openai'))).createOpenAI,
    createAnthropic: (await import(require.resolve('@ai-sdk/anthropic'))).createAnthropic,
  };
} catch (e) {
  console.error(`Vercel AI SDK not installed (${e.message}); run via benches/run.mjs`);
}

let vercelOpenAI = null;
const server = spawn(process.execPath, [path.join(here, 'server.mjs')], { env: { ...process.env, CHUNKS: String(CHUNKS) }, stdio: ['ignore', 'pipe', 'inherit'] });
const base = await new Promise((resolve) => server.stdout.once('data', (d) => resolve(String(d).trim())));
const KEY = 'sk-bench-0000';
if (ai) vercelOpenAI = ai.createOpenAI({ baseURL: `${base}/v1`, apiKey: KEY }).chat('gpt-4o-mini');
const messages = [{ role: 'user', content: 'Hello' }];

// ---------------------------------------------------------------------------------------------
// contenders

async function baselineJson() {
  const res = await fetch(`${base}/v1/chat/completions`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages }),
  });
  const r = JSON.parse(await res.text());
  if (!r.choices[0].message.content) throw new Error('bad');
}

/** The same request over node:http with a keep-alive agent (what unillm uses on Node). */
const agent = new http.Agent({ keepAlive: true });
function baselineHttpJson() {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ model: 'gpt-4o-mini', messages });
    const req = http.request(`${base}/v1/chat/completions`, {
      method: 'POST', agent,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}`, 'content-length': Buffer.byteLength(body) },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const r = JSON.parse(Buffer.concat(chunks).toString());
        if (!r.choices[0].message.content) reject(new Error('bad'));
        resolve();
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function unillmJson(viaFetch) {
  const r = await unillm.completion({ model: 'openai/gpt-4o-mini', apiKey: KEY, apiBase: `${base}/v1`, messages, ...viaFetch });
  if (!r.choices[0].message.content) throw new Error('bad');
}
const overFetch = { fetch: globalThis.fetch };

/** fetch + split on blank lines + JSON.parse each data line: the fastest hand-written client. */
async function baselineStream(pathname, body, isContent) {
  const res = await fetch(`${base}${pathname}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` }, body: JSON.stringify(body) });
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  let buf = '', n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buf += dec.decode(value, { stream: true });
    let i;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const ev = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const d = ev.indexOf('data: ');
      if (d < 0) continue;
      const data = ev.slice(d + 6);
      if (data === '[DONE]') continue;
      if (isContent(JSON.parse(data))) n++;
    }
  }
  return n;
}

const openaiIsContent = (c) => c.choices?.[0]?.delta?.content;
const anthropicIsContent = (e) => e.type === 'content_block_delta';

async function unillmStream(model, apiBase, viaFetch) {
  const s = await unillm.completion({ model, apiKey: KEY, apiBase, messages, stream: true, ...viaFetch });
  let n = 0;
  for await (const c of s) if (c.choices[0]?.delta?.content) n++;
  return n;
}

async function vercelJson() {
  const r = await ai.generateText({ model: vercelOpenAI, prompt: 'Hello', maxRetries: 0 });
  if (!r.text) throw new Error('bad');
}

async function vercelStream(model) {
  const r = ai.streamText({ model, prompt: 'Hello', maxRetries: 0 });
  let n = 0;
  for await (const part of r.fullStream) if (part.type === 'text-delta') n++;
  return n;
}

// ---------------------------------------------------------------------------------------------
// measurement

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function measure(contenders, unitsPerRun, runsPerRound, rounds = ROUNDS) {
  const results = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
  for (const fn of Object.values(contenders)) for (let i = 0; i < 3; i++) await fn(); // warm-up (JIT, connections)
  for (let r = 0; r < rounds; r++) {
    // the order flips every round, so that no contender always runs after the same one
    const order = Object.entries(contenders);
    if (r % 2) order.reverse();
    for (const [name, fn] of order) {
      const t0 = performance.now();
      for (let i = 0; i < runsPerRound; i++) {
        const got = await fn();
        if (typeof got === 'number' && got !== unitsPerRun) throw new Error(`${name}: ${got} chunks, expected ${unitsPerRun}`);
      }
      results[name].push((runsPerRound * unitsPerRun) / ((performance.now() - t0) / 1000));
    }
  }
  return Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)]));
}

function report(title, unit, res, baselineName) {
  console.log(`\n${title}`);
  const b = res[baselineName];
  for (const [name, v] of Object.entries(res)) {
    console.log(`  ${name.padEnd(34)} ${v.toFixed(0).padStart(9)} ${unit}   ${(v / b).toFixed(2)}x baseline`);
  }
}

const out = {};
try {
  console.log(`node ${process.version}, unillm ${unillm.version()}, ${ROUNDS} rounds (median), mock in its own process`);
  // short rounds, many of them: a request takes ~0.5 ms here and this VM's speed drifts within
  // seconds, so 100-request rounds alternating 6x as often as the stream rounds pair up better
  const jsonRuns = Math.max(1, Math.round(REQUESTS / 10));
  const json = {
    'fetch + JSON.parse (baseline)': baselineJson,
    'node:http + JSON.parse': baselineHttpJson,
    'unillm completion()': () => unillmJson(),
    'unillm completion() over fetch': () => unillmJson(overFetch),
  };
  if (ai) json['Vercel AI SDK generateText'] = vercelJson;
  out.json = await measure(json, 1, jsonRuns, ROUNDS * 6);
  report(`(a) non-streaming, ${jsonRuns} sequential requests a round, ${ROUNDS * 6} rounds`, 'req/s', out.json, 'fetch + JSON.parse (baseline)');
  console.log('  same transport on both sides:');
  console.log(`    completion() (node:http) vs node:http + JSON.parse   ${(out.json['unillm completion()'] / out.json['node:http + JSON.parse']).toFixed(2)}x`);
  console.log(`    completion() over fetch vs fetch + JSON.parse        ${(out.json['unillm completion() over fetch'] / out.json['fetch + JSON.parse (baseline)']).toFixed(2)}x`);

  const oa = {
    'fetch + SSE split (baseline)': () => baselineStream('/v1/chat/completions', { model: 'gpt-4o-mini', messages, stream: true }, openaiIsContent),
    'unillm completion()': () => unillmStream('openai/gpt-4o-mini', `${base}/v1`),
    'unillm completion() over fetch': () => unillmStream('openai/gpt-4o-mini', `${base}/v1`, overFetch),
  };
  if (ai) oa['Vercel AI SDK streamText'] = () => vercelStream(ai.createOpenAI({ baseURL: `${base}/v1`, apiKey: KEY }).chat('gpt-4o-mini'));
  out.openai = await measure(oa, CHUNKS, STREAMS_PER_ROUND);
  report(`(b/c) OpenAI stream, ${CHUNKS} chunks`, 'chunks/s', out.openai, 'fetch + SSE split (baseline)');

  let anthropicOk = true;
  try { await unillmStream('anthropic/claude-sonnet-4-5', base); } catch (e) { anthropicOk = false; console.log(`\n(anthropic provider not available yet: ${e.message})`); }
  if (anthropicOk) {
    const an = {
      'fetch + SSE split (baseline)': () => baselineStream('/v1/messages', { model: 'claude-sonnet-4-5', messages, stream: true, max_tokens: 10 }, anthropicIsContent),
      'unillm completion()': () => unillmStream('anthropic/claude-sonnet-4-5', base),
      'unillm completion() over fetch': () => unillmStream('anthropic/claude-sonnet-4-5', base, overFetch),
    };
    if (ai) an['Vercel AI SDK streamText'] = () => vercelStream(ai.createAnthropic({ baseURL: `${base}/v1`, apiKey: KEY })('claude-sonnet-4-5'));
    out.anthropic = await measure(an, CHUNKS, STREAMS_PER_ROUND);
    report(`(b/c) Anthropic stream translated to OpenAI chunks, ${CHUNKS} chunks`, 'chunks/s', out.anthropic, 'fetch + SSE split (baseline)');
  }
  if (ai) {
    console.log('\nunillm vs Vercel AI SDK (same stream):');
    for (const k of ['openai', 'anthropic']) if (out[k]) console.log(`  ${k}: ${(out[k]['unillm completion()'] / out[k]['Vercel AI SDK streamText']).toFixed(1)}x`);
  }
} finally {
  server.kill();
}
