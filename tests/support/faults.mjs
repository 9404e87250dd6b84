// The fault suite every runtime runs against the hostile upstream (hostile-server.mjs): plain JS,
// no runtime APIs. Each case must end as its typed error (or succeed through a retry) within its
// bound, the process's peak memory growth is read around it (the server reads /proc), and a
// normal call must work right after it. `runFaults(unillm, base)` returns one row per case.

const KEY = 'sk-fault-test-0000';

/** The cases: `expect` is the error class (or 'ok'), `within` the bound in ms. */
export const CASES = [
  { model: 'endless-event', stream: true, expect: 'LimitExceededError', param: 'limits.eventBytes', within: 10_000 },
  { model: 'endless-line', stream: true, expect: 'LimitExceededError', param: 'limits.eventBytes', within: 10_000 },
  { model: 'endless-json', expect: 'LimitExceededError', param: 'limits.responseBytes', within: 10_000 },
  { model: 'gzip-bomb', expect: 'LimitExceededError', param: 'limits.responseBytes', within: 10_000 },
  { model: 'endless-chunks', stream: true, expect: 'LimitExceededError', param: 'limits.streamBytes', within: 10_000 },
  { model: 'repeated-chunk', stream: true, expect: 'InternalServerError', within: 5_000 },
  { model: 'malformed-chunk', stream: true, expect: 'InternalServerError', within: 5_000 },
  { model: 'cut-mid-stream', stream: true, expect: 'APIConnectionError', within: 5_000 },
  { model: 'reset-mid-body', expect: 'APIConnectionError', within: 5_000 },
  { model: 'slow-headers', options: { timeout: 400 }, expect: 'Timeout', within: 2_000 },
  { model: 'slow-body', options: { timeout: 400 }, expect: 'Timeout', within: 2_000 },
  { model: 'stalled-stream', stream: true, options: { timeout: 400 }, expect: 'Timeout', within: 2_000 },
  { model: 'huge-error', expect: 'InternalServerError', within: 10_000 },
  { model: 'connection-refused', base: 'http://127.0.0.1:9/v1', expect: 'APIConnectionError', within: 5_000 },
  { model: 'once-500', options: { numRetries: 1 }, expect: 'ok', within: 5_000 },
  { model: 'once-429-seconds', options: { numRetries: 1 }, expect: 'ok', atLeast: 900, within: 5_000 },
  { model: 'once-429-date', options: { numRetries: 1 }, expect: 'ok', atLeast: 400, within: 5_000 },
  // a Retry-After past the call's deadline ends the call at once, retryAfter set
  { model: '429-long', options: { numRetries: 3, timeout: 5_000 }, expect: 'RateLimitError', retryAfter: 86_400, within: 1_000 },
  // `timeout` bounds the whole call: every attempt and every wait
  { model: 'slow-headers', options: { numRetries: 3, timeout: 600 }, expect: 'Timeout', atLeast: 550, within: 1_500 },
  // before the commit point (no content yet) a cut stream is retried; after it, it is the stream's error
  { model: 'once-cut-stream', stream: true, options: { numRetries: 1 }, expect: 'ok', within: 5_000 },
  { model: 'cut-mid-stream', stream: true, options: { numRetries: 2 }, expect: 'APIConnectionError', within: 5_000 },
];

async function consume(result, stream) {
  if (!stream) return result;
  let n = 0;
  for await (const _ of result) n++;
  return n;
}

/** `arg` is the hostile server's base URL; with `#fetch` appended, every call passes the
 * runtime's global `fetch` (on Node: undici's, instead of the node:http transport). */
export async function runFaults(unillm, arg, only = null) {
  const [base, via] = arg.split('#');
  const transport = via === 'fetch' ? { fetch: globalThis.fetch } : {};
  const origin = new URL(base).origin;
  const faultKey = `${Math.random()}`;
  const rss = async (what) => (await (await fetch(`${origin}/_rss/${what}`)).json());
  const call = (model, stream, options = {}, apiBase = base) => unillm.completion({
    model: `openai/${model}`, apiKey: KEY, apiBase, headers: { 'x-fault-key': faultKey },
    messages: [{ role: 'user', content: 'hi' }], stream, ...transport, ...options,
  });
  // warm up (the core instantiated, a connection made) before measuring anything
  await consume(await call('fine', true), true);
  const rows = [];
  for (const c of CASES) {
    if (only && !only.includes(c.model)) continue;
    const { baseMB } = await rss('reset');
    const t0 = Date.now();
    let kind = 'ok', param, message, retryAfter;
    try {
      await consume(await call(c.model, !!c.stream, c.options, c.base ?? base), !!c.stream);
    } catch (e) {
      kind = e?.kind ?? e?.name ?? String(e);
      param = e?.param;
      retryAfter = e?.retryAfter;
      message = String(e?.message ?? e).slice(0, 200);
    }
    const ms = Date.now() - t0;
    const { peakMB } = await rss('peak');
    let next = 'ok';
    try {
      const r = await call('fine', false);
      if (r.choices?.[0]?.message?.content !== 'fine') next = `unexpected answer ${JSON.stringify(r).slice(0, 100)}`;
    } catch (e) {
      next = `${e?.kind ?? e?.name}: ${e?.message}`;
    }
    const problems = [];
    if (kind !== c.expect) problems.push(`ended as ${kind} (${message}), expected ${c.expect}`);
    if (c.param && param !== c.param) problems.push(`param ${param}, expected ${c.param}`);
    if (c.retryAfter && retryAfter !== c.retryAfter) problems.push(`retryAfter ${retryAfter}, expected ${c.retryAfter}`);
    if (ms > c.within) problems.push(`took ${ms} ms, bound ${c.within}`);
    if (c.atLeast && ms < c.atLeast) problems.push(`took ${ms} ms, expected at least ${c.atLeast} (Retry-After)`);
    if (next !== 'ok') problems.push(`the next call failed: ${next}`);
    rows.push({ model: c.model, options: c.options, kind, ms, rssGrowthMB: Math.round((peakMB - baseMB) * 10) / 10, problems });
  }
  return rows;
}
