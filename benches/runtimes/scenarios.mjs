// The scenarios of benches/runtimes.mjs. Plain JS (fetch, TextDecoder, performance.now), so the
// same file runs in Node, Bun, Deno, workerd and Chromium, each against the mock of
// benches/server.mjs. Three contenders make the same requests in one process:
//   unillm   completion()
//   raw      fetch + JSON.parse (streams: a hand-written SSE split + JSON.parse of each event;
//            Anthropic's events are parsed, not translated)
//   vercel   the Vercel AI SDK (generateText / streamText), where it loads
// In every round each contender runs one block of the scenario, in an order that flips every
// round; the median of the rounds is reported.

export const CHUNKS = 2000; // content chunks of a mock stream (the driver starts the mock with it)
export const SCENARIO_NAMES = ['json1', 'json32', 'openai', 'anthropic', 'image'];
const KEY = 'sk-bench-0000';
const messages = [{ role: 'user', content: 'Hello' }];
const ANSWER = 'Hello! How can I help you today?';

const imageText = { type: 'text', text: 'What is in this image?' };

/** A 2 MB base64 image (1.5 MB of bytes) as a data: URL, the same pseudo-random bytes everywhere. */
function imageUrl() {
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let seed = 1;
  return `data:image/png;base64,${Array.from({ length: 2 << 20 }, () => B64[(seed = (seed * 1103515245 + 12345) >>> 0) >>> 26]).join('')}`;
}

/** Where this runs, for the report. */
export function runtimeName() {
  const g = globalThis;
  if (g.Deno) return `deno ${g.Deno.version.deno}`;
  if (g.Bun) return `bun ${g.Bun.version}`;
  if (g.navigator?.userAgent === 'Cloudflare-Workers') return 'workerd';
  if (g.process?.versions?.node) return `node ${g.process.version}`;
  const chrome = g.navigator?.userAgent.match(/Chrome\/([\d.]+)/);
  return chrome ? `chromium ${chrome[1]}` : g.navigator?.userAgent;
}

const reason = (e) => String(e?.message ?? e).trim().split('\n')[0];

function check(ok, what) {
  if (!ok) throw new Error(`unexpected answer: ${what}`);
  return 1;
}

const OPENAI_HEADERS = { 'content-type': 'application/json', authorization: `Bearer ${KEY}` };
const ANTHROPIC_HEADERS = { 'content-type': 'application/json', 'x-api-key': KEY, 'anthropic-version': '2023-06-01' };

async function rawJson(base, body) {
  const res = await fetch(`${base}/v1/chat/completions`, { method: 'POST', headers: OPENAI_HEADERS, body: JSON.stringify(body) });
  return check(JSON.parse(await res.text()).choices[0].message.content === ANSWER, 'raw');
}

/**
 * fetch + a split on blank lines + JSON.parse of each event's data; counts the events isContent
 * accepts. The text left over is cut once a read, not once an event (a read holds ~100 events).
 */
async function rawStream(url, headers, body, isContent) {
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  let buf = '', n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return n;
    buf += dec.decode(value, { stream: true });
    let at = 0, end;
    while ((end = buf.indexOf('\n\n', at)) >= 0) {
      const d = buf.indexOf('data: ', at);
      if (d >= 0 && d < end) {
        const data = buf.slice(d + 6, end);
        if (data !== '[DONE]' && isContent(JSON.parse(data))) n++;
      }
      at = end + 2;
    }
    buf = buf.slice(at);
  }
}

async function unillmJson(unillm, params) {
  const r = await unillm.completion({ apiKey: KEY, ...params });
  return check(r.choices[0].message.content === ANSWER, 'unillm');
}

async function unillmStream(unillm, params) {
  let n = 0;
  for await (const c of await unillm.completion({ apiKey: KEY, stream: true, messages, ...params })) if (c.choices[0]?.delta?.content) n++;
  return n;
}

async function vercelJson(ai, model, request) {
  return check((await ai.generateText({ model, maxRetries: 0, ...request })).text === ANSWER, 'vercel');
}

async function vercelStream(ai, model) {
  let n = 0;
  for await (const part of ai.streamText({ model, prompt: 'Hello', maxRetries: 0 }).fullStream) if (part.type === 'text-delta') n++;
  return n;
}

/** Each scenario: what is measured, a block's size (ops, in flight), and an op per contender. */
function scenarios(unillm, ai, base, quick) {
  const openai = { model: 'openai/gpt-4o-mini', apiBase: `${base}/v1` };
  const anthropic = { model: 'anthropic/claude-sonnet-4-5', apiBase: base };
  const vOpenAI = ai?.createOpenAI({ baseURL: `${base}/v1`, apiKey: KEY }).chat('gpt-4o-mini');
  const vAnthropic = ai?.createAnthropic({ baseURL: `${base}/v1`, apiKey: KEY })('claude-sonnet-4-5');
  const json = {
    unillm: () => unillmJson(unillm, { ...openai, messages }),
    raw: () => rawJson(base, { model: 'gpt-4o-mini', messages }),
    vercel: ai && (() => vercelJson(ai, vOpenAI, { prompt: 'Hello' })),
  };
  const IMAGE = imageUrl();
  const image = [{ role: 'user', content: [imageText, { type: 'image_url', image_url: { url: IMAGE } }] }];
  return {
    json1: { title: 'non-streaming, c=1', unit: 'req/s', units: 1, ops: quick ? 20 : 100, inFlight: 1, contenders: json },
    json32: { title: 'non-streaming, c=32', unit: 'req/s', units: 1, ops: quick ? 64 : 320, inFlight: 32, contenders: json },
    openai: {
      title: 'OpenAI stream', unit: 'chunks/s', units: CHUNKS, ops: quick ? 1 : 4, inFlight: 1,
      contenders: {
        unillm: () => unillmStream(unillm, openai),
        raw: () => rawStream(`${base}/v1/chat/completions`, OPENAI_HEADERS, { model: 'gpt-4o-mini', messages, stream: true }, (c) => c.choices?.[0]?.delta?.content),
        vercel: ai && (() => vercelStream(ai, vOpenAI)),
      },
    },
    anthropic: {
      title: 'Anthropic stream', unit: 'chunks/s', units: CHUNKS, ops: quick ? 1 : 4, inFlight: 1,
      contenders: {
        unillm: () => unillmStream(unillm, anthropic),
        raw: () => rawStream(`${base}/v1/messages`, ANTHROPIC_HEADERS, { model: 'claude-sonnet-4-5', messages, stream: true, max_tokens: 1024 }, (e) => e.type === 'content_block_delta'),
        vercel: ai && (() => vercelStream(ai, vAnthropic)),
      },
    },
    image: {
      title: '2 MB image request', unit: 'ms', units: 1, ops: quick ? 2 : 5, inFlight: 1,
      contenders: {
        unillm: () => unillmJson(unillm, { ...openai, messages: image }),
        raw: () => rawJson(base, { model: 'gpt-4o-mini', messages: image }),
        vercel: ai && (() => vercelJson(ai, vOpenAI, { messages: [{ role: 'user', content: [imageText, { type: 'file', data: IMAGE, mediaType: 'image/png' }] }] })),
      },
    },
  };
}

/**
 * Runs `ops` calls of fn, `inFlight` at a time; resolves with the elapsed ms. (workerd's clock
 * moves only when I/O completes; a block ends with a read, so it is timed to its last one.)
 */
async function block(fn, ops, inFlight, units) {
  let next = 0;
  const worker = async () => {
    while (next < ops) {
      next++;
      const got = await fn();
      if (got !== units) throw new Error(`${got} units, expected ${units}`);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: inFlight }, worker));
  return performance.now() - t0;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/**
 * Runs the scenarios; `loadVercel` imports ./vercel.mjs (or its bundle). Resolves with
 * { runtime, unillm, rounds, vercel: 'ok' or why not, scenarios: { name: { title, unit, rate, rounds, errors, error? } } }
 * where rate (the median) and rounds hold units/s per contender (rate null where one did not run).
 */
export async function runAll({ unillm, loadVercel, base, rounds, quick = false, log = () => {} }) {
  const ai = await loadVercel().catch((e) => e);
  const ok = !(ai instanceof Error);
  const out = { runtime: runtimeName(), unillm: unillm.version(), rounds, vercel: ok ? 'ok' : `did not load: ${reason(ai)}`, scenarios: {} };
  const all = scenarios(unillm, ok ? ai : null, base, quick);
  for (const name of SCENARIO_NAMES) {
    const { title, unit, units, ops, inFlight, contenders } = all[name];
    const res = out.scenarios[name] = { title, unit, rate: {}, rounds: {}, errors: {} };
    const live = Object.entries(contenders).filter(([, fn]) => fn);
    // warm-up (JIT, connections); a contender that fails here is reported, not measured
    for (const [who, fn] of [...live]) {
      try {
        for (let i = 0; i < 3; i++) await block(fn, Math.min(ops, inFlight), Math.min(ops, inFlight), units);
      } catch (e) {
        res.errors[who] = reason(e);
        live.splice(live.findIndex(([w]) => w === who), 1);
      }
    }
    for (const [who] of live) res.rounds[who] = [];
    try {
      for (let r = 0; r < rounds; r++) {
        for (const [who, fn] of r % 2 ? [...live].reverse() : live) res.rounds[who].push((ops * units * 1000) / await block(fn, ops, inFlight, units));
      }
    } catch (e) {
      res.error = reason(e);
    }
    for (const who of Object.keys(contenders)) res.rate[who] = res.rounds[who] ? median(res.rounds[who]) : null;
    log(`${out.runtime}: ${title}: ${Object.entries(res.rate).map(([w, v]) => `${w} ${v?.toFixed(1) ?? 'n/a'}`).join(', ')} ${unit === 'ms' ? 'req/s' : unit}`);
  }
  return out;
}
