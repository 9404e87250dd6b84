// completion()'s call options, through the packed package in Node against the local mock server:
// fallbacks, retries, mockResponse, credentials (per call, per client, process.env), aliases of the
// `openai` package's option names, extra headers, dropParams, and secrets kept out of errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startMockServer, VALID_KEY, STREAM_WORDS, varietyChunks } from './support/mock-server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const u = await import(pathToFileURL(path.join(here, '.work', 'app', 'node_modules', 'unillm', 'dist', 'node.js')));
const messages = [{ role: 'user', content: 'hi' }];
const TEXT = STREAM_WORDS.join('');

let mock;
before(async () => { mock = await startMockServer(); });
after(() => mock.close());
const last = () => mock.requests[mock.requests.length - 1];

test('fallbacks: the next model answers when the first fails, in order', async () => {
  const n = mock.requests.length;
  const r = await u.completion({ model: 'openai/status-500', fallbacks: ['openai/status-503', 'openai/gpt-4o-mini'], apiKey: VALID_KEY, apiBase: mock.url, messages });
  assert.equal(r.choices[0].message.content, TEXT);
  assert.deepEqual(mock.requests.slice(n).map((q) => q.body.model), ['status-500', 'status-503', 'gpt-4o-mini']);
});

test('fallbacks: an object entry overrides options (another key, another base)', async () => {
  const r = await u.completion({
    model: 'openai/gpt-4o-mini', apiKey: 'sk-wrong-0000000000000000000000', apiBase: mock.url, messages,
    fallbacks: [{ model: 'openai/gpt-4o-mini', apiKey: VALID_KEY }],
  });
  assert.equal(r.choices[0].message.content, TEXT);
});

test('rate limits: retryAfter comes from the exhausted bucket when there is no Retry-After', async () => {
  await assert.rejects(
    u.completion({ model: 'openai/ratelimit-headers', apiKey: VALID_KEY, apiBase: mock.url, messages, numRetries: 0 }),
    (e) => e instanceof u.RateLimitError && e.retryable && e.retryAfterMs === 1500 && e.retryAfter === 1.5,
  );
});

test('fallbacks: when all fail, the last error is thrown; an abort is never retried elsewhere', async () => {
  await assert.rejects(
    u.completion({ model: 'openai/status-500', fallbacks: ['openai/status-429'], apiKey: VALID_KEY, apiBase: mock.url, messages }),
    (e) => e instanceof u.RateLimitError && e.model === 'status-429',
  );
  const ac = new AbortController();
  ac.abort();
  const n = mock.requests.length;
  await assert.rejects(u.completion({ model: 'openai/gpt-4o-mini', fallbacks: ['mock/x'], signal: ac.signal, apiKey: VALID_KEY, apiBase: mock.url, messages }),
    u.APIUserAbortError);
  assert.equal(mock.requests.length, n, 'no request after an abort');
});

test('retries: retryable errors are retried up to numRetries (maxRetries alias), others never', async () => {
  const r = await u.completion({ model: 'openai/flaky-2', maxRetries: 2, apiKey: VALID_KEY, apiBase: mock.url, messages });
  assert.equal(r.choices[0].message.content, TEXT);
  await assert.rejects(u.completion({ model: 'openai/flaky-3', numRetries: 1, apiKey: VALID_KEY, apiBase: mock.url, messages }), u.ServiceUnavailableError);
  const n = mock.requests.length;
  await assert.rejects(u.completion({ model: 'openai/status-401', numRetries: 3, apiKey: 'sk-nope', apiBase: mock.url, messages }), u.AuthenticationError);
  assert.equal(mock.requests.length, n + 1, 'an authentication error is not retried');
});

test('stream: passthrough chunks arrive exactly as the provider sent them (escapes, extra and per-chunk fields)', async () => {
  const s = await u.completion({ model: 'openai/passthrough-variety', apiKey: VALID_KEY, apiBase: mock.url, messages, stream: true });
  const got = [];
  for await (const c of s) got.push(c);
  assert.deepEqual(got, varietyChunks('passthrough-variety'));
  assert.equal((await s.response()).choices[0].message.content,
    'say "hi" \\ back\\ ü 😀 \u2028\n\t</script>');
});

test('supportedProviders: every id routes a `provider/model` call', async () => {
  const ids = u.supportedProviders();
  for (const id of ['openai', 'azure', 'anthropic', 'gemini', 'groq', 'mistral', 'deepseek', 'openrouter', 'together_ai',
    'fireworks_ai', 'xai', 'perplexity', 'deepinfra', 'cerebras', 'mock']) assert.ok(ids.includes(id), id);
  assert.deepEqual(ids, [...ids].sort());
  // the demo page's provider picker offers only providers the package has
  const { readFileSync } = await import('node:fs');
  const page = readFileSync(path.join(here, '..', 'www', 'playground.js'), 'utf8');
  for (const [, id] of page.matchAll(/\{ id: '([a-z_]+)', name:/g)) assert.ok(ids.includes(id), `www offers ${id}`);
  for (const id of ids) {
    const r = await u.completion({ model: `${id}/some-model`, mockResponse: 'ok', messages, apiKey: 'k', apiBase: 'http://127.0.0.1:9', apiVersion: '2024-10-21' });
    assert.equal(r.choices[0].message.content, 'ok', id);
  }
});

test('mockResponse: a string answers without any request; an Error is thrown', async () => {
  const n = mock.requests.length;
  const r = await u.completion({ model: 'openai/gpt-4o', mockResponse: 'canned answer', messages });
  assert.equal(r.choices[0].message.content, 'canned answer');
  const s = await u.completion({ model: 'anthropic/claude-sonnet-4-5', mockResponse: 'streamed canned answer', stream: true, messages });
  let text = '';
  for await (const c of s) text += c.choices[0]?.delta?.content ?? '';
  assert.equal(text, 'streamed canned answer');
  assert.equal(mock.requests.length, n, 'no request was made');
  await assert.rejects(u.completion({ model: 'gpt-4o', mockResponse: new u.RateLimitError('simulated'), messages }), u.RateLimitError);
});

test('credentials: per call beats the client env, which beats process.env; clients stay apart', async () => {
  process.env.OPENAI_API_KEY = 'sk-from-process-env';
  process.env.OPENAI_API_BASE = mock.url;
  try {
    await assert.rejects(u.completion({ model: 'openai/gpt-4o-mini', messages }), u.AuthenticationError); // process.env key is wrong
    assert.equal(last().headers.authorization, 'Bearer sk-from-process-env');
    const good = u.createClient({ env: { OPENAI_API_KEY: VALID_KEY, OPENAI_API_BASE: mock.url } });
    const bad = u.createClient({ env: { OPENAI_API_KEY: 'sk-tenant-b', OPENAI_API_BASE: mock.url } });
    const [a, b] = await Promise.allSettled([good.completion({ model: 'gpt-4o-mini', messages }), bad.completion({ model: 'gpt-4o-mini', messages })]);
    assert.equal(a.status, 'fulfilled');
    assert.equal(b.status, 'rejected');
    const r = await bad.completion({ model: 'gpt-4o-mini', messages, apiKey: VALID_KEY });
    assert.equal(r.choices[0].message.content, TEXT, 'a per-call key wins');
    const isolated = u.createClient({ env: null });
    await assert.rejects(isolated.completion({ model: 'gpt-4o-mini', messages }), (e) => e instanceof u.AuthenticationError && /no API key/.test(e.message));
  } finally {
    delete process.env.OPENAI_API_KEY;
    delete process.env.OPENAI_API_BASE;
  }
});

test('options: baseURL alias, headers and defaultHeaders reach the provider, withOptions merges defaults', async () => {
  const client = u.createClient({ defaults: { apiKey: VALID_KEY, baseURL: mock.url, defaultHeaders: { 'x-team': 'search' } } });
  const scoped = client.withOptions({ headers: { 'x-request-tag': 'abc' } });
  await scoped.completion({ model: 'openai/gpt-4o-mini', messages });
  assert.equal(last().headers['x-team'], 'search');
  assert.equal(last().headers['x-request-tag'], 'abc');
  assert.equal(last().url, '/v1/chat/completions');
  // a caller's header replaces the provider's own of the same name (any case), never joins it
  await assert.rejects(client.completion({ model: 'openai/gpt-4o-mini', messages, headers: { 'Content-Type': 'application/json; charset=utf-8', Authorization: 'Bearer sk-override' } }),
    (e) => e instanceof u.AuthenticationError && !e.message.includes('sk-override'));
  assert.equal(last().headers['content-type'], 'application/json; charset=utf-8');
  assert.equal(last().headers.authorization, 'Bearer sk-override');
});

test('request body: unknown parameters pass through, stream_options is added for usage', async () => {
  await u.completion({ model: 'openai/gpt-4o-mini', apiKey: VALID_KEY, apiBase: mock.url, messages, top_k: 4, custom_flag: true, stream: true });
  const body = last().body;
  assert.equal(body.top_k, 4);
  assert.equal(body.custom_flag, true);
  assert.deepEqual(body.stream_options, { include_usage: true });
});

test('dropParams: an unsupported parameter throws UnsupportedParamsError naming it, or is dropped', async () => {
  await assert.rejects(u.completion({ model: 'perplexity/sonar', apiKey: 'pplx-test', apiBase: mock.url, messages, seed: 7 }),
    (e) => e instanceof u.UnsupportedParamsError && e.param === 'seed' && /seed/.test(e.message));
  await u.completion({ model: 'perplexity/sonar', apiKey: VALID_KEY, apiBase: mock.url, messages, seed: 7, dropParams: true });
  assert.equal(last().body.seed, undefined);
});

test('errors: context-window messages become ContextWindowExceededError; keys never appear', async () => {
  const secret = 'sk-proj-SECRETSECRETSECRETSECRET0000';
  await assert.rejects(u.completion({ model: 'openai/status-400', apiKey: VALID_KEY, apiBase: mock.url, messages: [{ role: 'user', content: 'context overflow please' }] }),
    (e) => e instanceof u.ContextWindowExceededError && e instanceof u.BadRequestError && e.status === 400);
  const err = await u.completion({ model: 'openai/gpt-4o-mini', apiKey: secret, apiBase: mock.url, messages }).catch((e) => e);
  const everything = `${err.message} ${err.stack} ${JSON.stringify(err)} ${String(err.cause ?? '')}`;
  assert.ok(!everything.includes('SECRETSECRET'), everything);
  assert.equal(err.requestId, 'req_mock_401');
});

test('streams: break aborts the request; response() assembles; tee() gives two readers', async () => {
  const s = await u.completion({ model: 'openai/gpt-4o-mini', apiKey: VALID_KEY, apiBase: mock.url, messages, stream: true });
  for await (const _ of s) break;
  assert.equal(s.controller.signal.aborted, true);
  assert.throws(() => s[Symbol.asyncIterator](), /already iterated/);
  const t = await u.completion({ model: 'openai/gpt-4o-mini', apiKey: VALID_KEY, apiBase: mock.url, messages, stream: true });
  const [a, b] = t.tee();
  const read = async (x) => { let out = ''; for await (const c of x) out += c.choices[0]?.delta?.content ?? ''; return out; };
  assert.deepEqual(await Promise.all([read(a), read(b)]), [TEXT, TEXT]);
  const full = await (await u.completion({ model: 'openai/gpt-4o-mini', apiKey: VALID_KEY, apiBase: mock.url, messages, stream: true })).response();
  assert.equal(full.choices[0].message.content, TEXT);
  assert.equal(full.usage.completion_tokens, STREAM_WORDS.length, 'usage kept for response() even without include_usage');
});

test('non-streaming answers pass through as the provider sent them, with usage.cost added', async () => {
  const raw = await (await fetch(`${mock.url}/chat/completions`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${VALID_KEY}` },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages }),
  })).json();
  const r = await u.completion({ model: 'openai/gpt-4o-mini', apiKey: VALID_KEY, apiBase: mock.url, messages });
  assert.ok(r.usage.cost > 0, 'priced');
  const { cost, ...usage } = r.usage;
  assert.deepEqual({ ...r, usage, id: raw.id, created: raw.created }, raw);
});

test('a 2xx answer JS does not pass through takes the core: fields filled in, lone surrogates, errors, no price', async () => {
  const answer = (text) => async () => new Response(text, { headers: { 'content-type': 'application/json' } });
  const call = (text, model = 'openai/gpt-4o-mini') => u.completion({ model, apiKey: VALID_KEY, messages, fetch: answer(text) });
  const usage = { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 };
  const full = { id: 'chatcmpl-x', object: 'chat.completion', created: 1741570283, model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: 'Hi' }, finish_reason: 'stop' }], usage };
  // passed through: as sent, priced; a model without a price gets no cost
  const r = await call(JSON.stringify(full));
  assert.deepEqual({ ...r, usage: { ...r.usage, cost: undefined } }, { ...full, usage: { ...usage, cost: undefined } });
  assert.ok(r.usage.cost > 0);
  assert.equal((await call(JSON.stringify(full), 'openai/my-own-finetune')).usage.cost, undefined);
  // no created / model / role: the core fills them in, as for any provider
  const bare = await call(JSON.stringify({ id: 'r1', choices: [{ message: { content: 'Hi' } }], usage }));
  assert.ok(bare.created > 0 && bare.id === 'r1' && bare.model === 'gpt-4o-mini');
  assert.equal(bare.choices[0].message.role, 'assistant');
  assert.ok(bare.usage.cost > 0);
  // a lone surrogate escape reads as U+FFFD (as in streams); a pair stays the character it is
  const lone = await call(JSON.stringify(full).replace('"Hi"', '"a\\ud800b \\ud83d\\ude00"'));
  assert.equal(lone.choices[0].message.content, 'a\ufffdb \u{1f600}');
  // usage of the wrong shape: the core's parse decides (a wrong type is a typed error, never a throw from JSON)
  await assert.rejects(call(JSON.stringify({ ...full, usage: { prompt_tokens: 'nine' } })), u.UnillmError);
  // an error object in a 200 answer: a typed error
  await assert.rejects(call(JSON.stringify({ error: { message: 'The server had an error', type: 'server_error' } })), u.UnillmError);
  await assert.rejects(call('{"id": "cut'), u.UnillmError);
});

test('each request gets headers of its own: a fetch that changes them changes nothing for the next call', async () => {
  const seen = [];
  const spy = (url, init) => { seen.push({ ...init.headers }); init.headers['x-added-by-fetch'] = '1'; return fetch(url, init); };
  for (let i = 0; i < 3; i++) await u.completion({ model: 'openai/gpt-4o-mini', apiKey: VALID_KEY, apiBase: mock.url, messages, fetch: spy });
  assert.deepEqual(seen.map((h) => h['x-added-by-fetch']), [undefined, undefined, undefined]);
  assert.equal(last().headers['x-added-by-fetch'], '1', 'the change reached its own request');
  // calls in a row with other credentials send their own
  await u.completion({ model: 'openai/status-401', apiKey: 'sk-other-0000', apiBase: mock.url, messages, fetch: spy }).catch(() => {});
  assert.equal(seen.at(-1).authorization, 'Bearer sk-other-0000');
});

const settled = async (p) => {
  let state = 'pending';
  p.then(() => { state = 'resolved'; }, () => { state = 'rejected'; });
  for (let i = 0; i < 5; i++) await new Promise(setImmediate);
  return state;
};

test('timeout: without timeout or signal a non-streaming call sends no AbortSignal; the default deadline rejects with Timeout and a late body is cancelled', async (t) => {
  let init;
  const spy = (url, i) => { init = i; return fetch(url, i); };
  await u.completion({ model: 'openai/gpt-4o-mini', apiKey: VALID_KEY, apiBase: mock.url, messages, fetch: spy });
  assert.equal(init.signal, undefined, 'no signal by default');
  await u.completion({ model: 'openai/gpt-4o-mini', apiKey: VALID_KEY, apiBase: mock.url, messages, fetch: spy, timeout: 30_000 });
  assert.ok(init.signal instanceof AbortSignal, 'an explicit timeout aborts through a signal');
  const ac = new AbortController();
  await u.completion({ model: 'openai/gpt-4o-mini', apiKey: VALID_KEY, apiBase: mock.url, messages, fetch: spy, signal: ac.signal });
  assert.ok(init.signal instanceof AbortSignal, "the caller's signal is linked");

  t.mock.timers.enable({ apis: ['setTimeout'] });
  let answer;
  const late = new Promise((r) => { answer = r; });
  const call = u.completion({ model: 'openai/gpt-4o-mini', apiKey: VALID_KEY, apiBase: mock.url, messages, fetch: () => late });
  assert.equal(await settled(call), 'pending');
  t.mock.timers.tick(599_999);
  assert.equal(await settled(call), 'pending', 'not before 600 s');
  t.mock.timers.tick(1);
  await assert.rejects(call, (e) => e instanceof u.Timeout && e.provider === 'openai' && e.model === 'gpt-4o-mini' && e.retryable);
  let cancelled = false;
  answer(new Response(new ReadableStream({ cancel() { cancelled = true; } }), { headers: { 'content-type': 'application/json' } }));
  await settled(late);
  assert.ok(cancelled, 'the late answer is not read: its body is cancelled');
  t.mock.timers.reset();
});

test('a lone surrogate (a string cut inside an emoji) is sent as U+FFFD, not rejected', async () => {
  const cut = '😀'.slice(0, 1);
  const r = await u.completion({ model: 'openai/gpt-4o-mini', apiKey: VALID_KEY, apiBase: mock.url, messages: [{ role: 'user', content: `hi ${cut}` }] });
  assert.equal(r.choices[0].message.content, TEXT);
  assert.equal(last().body.messages[0].content, 'hi \ufffd');
  assert.equal(u.countTokens(`hi ${cut}`, { encoding: 'o200k_base' }), u.countTokens('hi \ufffd', { encoding: 'o200k_base' }));
});
