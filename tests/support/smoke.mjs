// The smoke suite every runtime runs (Node, Bun, Deno, workerd, Chromium): plain JS, no runtime
// APIs, so the same file is imported everywhere. `runSmoke(unillm, baseURL)` returns the list of
// checks that passed and throws (with the check's name) on the first failure.

const WORDS = ['The', ' quick', ' brown', ' fox', ' jumps', ' over', ' the', ' lazy', ' dog', '.'];
const KEY = 'sk-test-valid';

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

/** JSON with object keys sorted, so that key order never matters (array order does). */
function canon(v) {
  return JSON.stringify(v, (_, x) => (x && typeof x === 'object' && !Array.isArray(x)
    ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, x[k]])) : x));
}

function eq(a, b, msg) {
  const ja = canon(a), jb = canon(b);
  if (ja !== jb) throw new Error(`${msg}: expected ${jb}, got ${ja}`);
}

export async function runSmoke(unillm, baseURL) {
  const passed = [];
  const check = async (name, fn) => {
    try {
      await fn();
    } catch (e) {
      const err = new Error(`[${name}] ${e?.name ?? ''}: ${e?.message ?? e}`);
      err.cause = e;
      throw err;
    }
    passed.push(name);
  };
  const messages = [{ role: 'user', content: 'Say the pangram.' }];

  await check('version', () => {
    assert(/^\d+\.\d+\.\d+/.test(unillm.version()), `version() = ${unillm.version()}`);
  });

  // the tokenizer is a wasm module of its own: counted directly, and by the core through it
  await check('tokens: count, encode/decode, chat accounting through the core', () => {
    eq(unillm.countTokens('Hello, world!'), 4, 'o200k count');
    const ids = unillm.encode('héllo wörld 🎉', { encoding: 'cl100k_base' });
    eq(unillm.decode(ids, { encoding: 'cl100k_base' }), 'héllo wörld 🎉', 'round trip');
    // 3 (message) + 4 (text) + 1 (role) + 3 (priming)
    eq(unillm.tokenCounter({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hello, world!' }] }).tokens, 11, 'tokenCounter');
    eq(unillm.getModelInfo('gpt-4o').max_input_tokens, 128000, 'model table');
  });

  await check('mock non-streaming', async () => {
    const r = await unillm.completion({ model: 'mock/demo', messages: [{ role: 'user', content: 'ping' }] });
    eq(r.object, 'chat.completion', 'object');
    assert(r.choices[0].message.content.endsWith('You said: "ping"'), `content: ${r.choices[0].message.content}`);
    eq(r.choices[0].finish_reason, 'stop', 'finish_reason');
    assert(r.usage.total_tokens > 0, 'usage');
  });

  await check('mock streaming', async () => {
    const s = await unillm.completion({ model: 'mock/demo', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'ping' }] });
    let text = '', n = 0, usage = null;
    for await (const c of s) {
      n++;
      eq(c.object, 'chat.completion.chunk', 'chunk object');
      text += c.choices[0]?.delta?.content ?? '';
      if (c.usage) usage = c.usage;
    }
    assert(n > 10, `only ${n} chunks`);
    assert(text.endsWith('You said: "ping"'), `text: ${text}`);
    assert(usage && usage.completion_tokens > 0, 'usage chunk');
  });

  await check('openai non-streaming over fetch', async () => {
    const r = await unillm.completion({ model: 'openai/gpt-4o-mini', apiKey: KEY, apiBase: baseURL, messages });
    eq(r.choices[0].message.content, WORDS.join(''), 'content');
    eq(r.usage.prompt_tokens, 12, 'prompt_tokens');
    eq(r.model, 'gpt-4o-mini', 'model');
  });

  await check('openai streaming over fetch, every chunk checked', async () => {
    const s = await unillm.completion({ model: 'openai/gpt-4o-mini', apiKey: KEY, baseURL, stream: true, stream_options: { include_usage: true }, messages });
    const chunks = [];
    for await (const c of s) chunks.push(c);
    // role chunk, one chunk per word, finish chunk, usage chunk
    eq(chunks.length, WORDS.length + 3, 'chunk count');
    for (const c of chunks) {
      eq(c.id, 'chatcmpl-mock123', 'id');
      eq(c.object, 'chat.completion.chunk', 'object');
      eq(c.model, 'gpt-4o-mini', 'model');
    }
    eq(chunks[0].choices[0].delta.role, 'assistant', 'first delta role');
    eq(chunks.slice(1, 1 + WORDS.length).map((c) => c.choices[0].delta.content), WORDS, 'content deltas');
    eq(chunks[WORDS.length + 1].choices[0].finish_reason, 'stop', 'finish chunk');
    const last = chunks[chunks.length - 1];
    eq(last.choices, [], 'usage chunk has no choices');
    eq(last.usage.total_tokens, 12 + WORDS.length, 'usage');
    const full = await s.response();
    eq(full.choices[0].message.content, WORDS.join(''), 'assembled content');
  });

  await check('a request of 64 KB or more (it leaves wasm as bytes) arrives byte for byte', async () => {
    const origin = new URL(baseURL).origin;
    const data = 'iVBORw0KGgoAAAANSUhEUgAA'.repeat(4000);
    const content = [{ type: 'text', text: 'what is this? é 中 🎉' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${data}` } }];
    const r = await unillm.completion({ model: 'openai/gpt-4o-mini', apiKey: KEY, apiBase: baseURL, messages: [{ role: 'user', content }] });
    eq(r.choices[0].message.content, WORDS.join(''), 'answered');
    const seen = (await (await fetch(`${origin}/__requests`)).json()).filter((q) => q.body?.messages?.[0]?.content?.[1]?.image_url);
    const last = seen[seen.length - 1];
    eq(last.body, { model: 'gpt-4o-mini', messages: [{ role: 'user', content }] }, 'the body as received');
    assert(last.size > 96_000, `size ${last.size}`);
    eq(Number(last.headers['content-length']), last.size, 'content-length in bytes');
  });

  await check('streamed parallel tool calls from Anthropic and Gemini', async () => {
    const origin = new URL(baseURL).origin;
    // the recorded provider streams are replayed by the mock; requests keep their real URLs
    const fetchVia = (url, init) => fetch(String(url).replace(/^https?:\/\/[^/]+/, origin), init);
    for (const provider of ['anthropic', 'gemini']) {
      const fx = await (await fetch(`${origin}/__fixture/${provider}/stream_tools`)).json();
      const s = await unillm.completion({ ...fx.request, ...fx.options, fetch: fetchVia });
      const chunks = [];
      for await (const c of s) chunks.push(c);
      eq(chunks.length, fx.expected_chunks.length, `${provider} chunk count`);
      const args = {};
      const firsts = [];
      for (const c of chunks) {
        for (const d of c.choices[0]?.delta?.tool_calls ?? []) {
          if (d.id) firsts.push([d.index, d.id, d.function?.name]);
          args[d.index] = (args[d.index] ?? '') + (d.function?.arguments ?? '');
        }
      }
      const want = fx.expected.choices[0].message.tool_calls;
      eq(firsts, want.map((t, i) => [i, t.id, t.function.name]), `${provider} first deltas carry index, id and name`);
      eq(Object.values(args), want.map((t) => t.function.arguments), `${provider} argument deltas`);
      const full = await s.response();
      eq(full.choices[0].message.tool_calls, want, `${provider} assembled tool calls`);
      eq(full.choices[0].finish_reason, 'tool_calls', `${provider} finish_reason`);
      eq(full.usage, fx.expected.usage, `${provider} usage`);
    }
  });

  await check('stream as ReadableStream', async () => {
    const s = await unillm.completion({ model: 'openai/gpt-4o-mini', apiKey: KEY, apiBase: baseURL, stream: true, messages });
    const reader = s.toReadableStream().getReader();
    let text = '', sawUsage = false;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value.choices[0]?.delta?.content ?? '';
      if (value.usage) sawUsage = true;
    }
    eq(text, WORDS.join(''), 'text');
    // unillm asks the provider for usage (for cost) but hands it on only when asked
    assert(!sawUsage, 'no usage chunk without include_usage');
  });

  await check('401 becomes AuthenticationError with status, no key in message', async () => {
    let err;
    try {
      await unillm.completion({ model: 'openai/gpt-4o-mini', apiKey: 'sk-wrong-key-0000000000000000001234', apiBase: baseURL, messages });
    } catch (e) {
      err = e;
    }
    assert(err, 'no error thrown');
    assert(err instanceof unillm.AuthenticationError, `class ${err?.constructor?.name}`);
    assert(err instanceof unillm.UnillmError, 'base class');
    eq(err.status, 401, 'status');
    eq(err.provider, 'openai', 'provider');
    eq(err.retryable, false, 'retryable');
    assert(!/sk-wrong-key|0000000000000000001234/.test(err.message + JSON.stringify(err)), `key leaked: ${err.message}`);
  });

  await check('429 becomes RateLimitError and is retried', async () => {
    let err;
    try {
      await unillm.completion({ model: 'openai/status-429', apiKey: KEY, apiBase: baseURL, messages });
    } catch (e) {
      err = e;
    }
    assert(err instanceof unillm.RateLimitError, `class ${err?.constructor?.name}: ${err?.message}`);
    eq(err.retryable, true, 'retryable');
    eq(err.retryAfter, 0, 'retryAfter');
    const r = await unillm.completion({ model: 'openai/flaky-1', apiKey: KEY, apiBase: baseURL, messages, numRetries: 2 });
    eq(r.choices[0].message.content, WORDS.join(''), 'retried answer');
  });

  await check('error in the middle of a stream is thrown, typed', async () => {
    const s = await unillm.completion({ model: 'openai/midstream-error', apiKey: KEY, apiBase: baseURL, stream: true, messages });
    let err, n = 0;
    try {
      for await (const _ of s) n++;
    } catch (e) {
      err = e;
    }
    assert(n >= 3, `chunks before the error: ${n}`);
    assert(err instanceof unillm.InternalServerError, `class ${err?.constructor?.name}: ${err?.message}`);
  });

  await check('truncated stream is an error, not a silent end', async () => {
    const s = await unillm.completion({ model: 'openai/truncated', apiKey: KEY, apiBase: baseURL, stream: true, messages });
    let err;
    try {
      for await (const _ of s) { /* read */ }
    } catch (e) {
      err = e;
    }
    assert(err instanceof unillm.APIConnectionError, `class ${err?.constructor?.name}: ${err?.message}`);
  });

  await check('bad input is a BadRequestError, not a trap', async () => {
    for (const bad of [null, 42, { model: 'gpt-4o' }, { model: 'gpt-4o', messages: 'hi' }, { model: 7, messages: [] },
      { model: 'gpt-4o', messages: [{ role: 'wizard', content: 'x' }] }]) {
      let err;
      try { await unillm.completion(bad); } catch (e) { err = e; }
      assert(err instanceof unillm.BadRequestError, `${JSON.stringify(bad)} -> ${err?.constructor?.name}: ${err?.message}`);
    }
    // the instance still works afterwards
    const r = await unillm.completion({ model: 'mock/x', messages: [{ role: 'user', content: 'still alive?' }] });
    assert(r.choices[0].message.content.includes('still alive?'), 'instance alive');
  });

  await check('abort signal cancels the request', async () => {
    const ac = new AbortController();
    const p = unillm.completion({ model: 'openai/slow', apiKey: KEY, apiBase: baseURL, messages, signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    let err;
    try { await p; } catch (e) { err = e; }
    assert(err instanceof unillm.APIUserAbortError, `class ${err?.constructor?.name}: ${err?.message}`);
  });

  await check('abort during a stream stops it with APIUserAbortError', async () => {
    const ac = new AbortController();
    const s = await unillm.completion({ model: 'mock/demo', stream: true, mockDelay: 20, signal: ac.signal, messages: [{ role: 'user', content: 'x' }] });
    let n = 0, err;
    try {
      for await (const _ of s) { if (++n === 2) ac.abort(); }
    } catch (e) { err = e; }
    assert(err instanceof unillm.APIUserAbortError, `class ${err?.constructor?.name}: ${err?.message} after ${n} chunks`);
    assert(n >= 2 && n < 6, `chunks read: ${n}`);
  });

  await check('timeout is a Timeout error', async () => {
    let err;
    try { await unillm.completion({ model: 'openai/slow', apiKey: KEY, apiBase: baseURL, messages, timeout: 100 }); } catch (e) { err = e; }
    assert(err instanceof unillm.Timeout, `class ${err?.constructor?.name}: ${err?.message}`);
    eq(err.retryable, true, 'retryable');
  });

  return passed;
}
