// The tokenizer through the packed package: ids identical to the native parity-checked core on
// real text, tiktoken's special-token rules, chat accounting, trimming, and bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const u = await import(pathToFileURL(path.join(here, '.work', 'app', 'node_modules', 'unillm', 'dist', 'node.js')));

test('encode/decode round-trip and known ids', () => {
  assert.deepEqual([...u.encode('Hello, world!')], [13225, 11, 2375, 0]);
  assert.deepEqual([...u.encode('Hello, world!', { encoding: 'cl100k_base' })], [9906, 11, 1917, 0]);
  assert.deepEqual([...u.encode('hello', { model: 'gpt-4' })], [15339]);
  for (const t of ['', 'héllo wörld 🎉👩‍👩‍👧', '中文混合 English テキスト', '  \n\n\t  spaces', '12345678901234567890', readFileSync(path.join(here, '..', 'README.md'), 'utf8')]) {
    for (const encoding of ['o200k_base', 'cl100k_base']) {
      const ids = u.encode(t, { encoding });
      assert.equal(u.decode(ids, { encoding }), t);
      assert.equal(u.countTokens(t, { encoding }), ids.length);
    }
  }
});

test('strings reach wasm as their exact UTF-8 at every length and at every place a character may stop the ASCII fast path', () => {
  // the glue (scripts/patch-glue.mjs) copies up to 64 characters in a loop and longer strings with
  // encodeInto, first one byte a character, then the rest with room for three: cover both sides
  // of 64, a multi-byte character at the start, in the middle and at the very end (where the
  // first pass runs out of room), a surrogate pair split by that end, and lone surrogates
  const cases = [];
  for (const n of [1, 63, 64, 65, 66, 200, 70_000]) {
    const ascii = 'a'.repeat(n);
    cases.push(ascii);
    for (const c of ['é', '中', '🎉', '\uD800', '\uDFFF']) {
      cases.push(c + ascii, ascii + c, ascii.slice(0, n >> 1) + c + ascii.slice(n >> 1), ascii.slice(1) + c + c);
    }
  }
  for (const t of cases) {
    const ids = u.encode(t);
    // what UTF-8 can carry: a lone surrogate becomes U+FFFD, as TextEncoder makes it
    assert.equal(u.decode(ids), Buffer.from(t, 'utf8').toString('utf8'), `length ${t.length}: ${JSON.stringify(t.slice(0, 3))}…${JSON.stringify(t.slice(-3))}`);
    assert.equal(u.countTokens(t), ids.length);
  }
});

test('tokenize: ids equal encode, spans re-join to the text at character boundaries', () => {
  for (const t of ['', 'Hello, world!', 'héllo wörld 🎉👩‍👩‍👧 𝔘𝔫𝔦', '中文混合 English テキスト', 'lone \ud800 surrogate', 'x <|endoftext|>']) {
    for (const encoding of ['o200k_base', 'cl100k_base']) {
      const { ids, ends } = u.tokenize(t, { encoding });
      assert.deepEqual([...ids], [...u.encode(t, { encoding, disallowedSpecial: [] })]);
      assert.equal(ends.length, ids.length);
      assert.equal(ends.at(-1) ?? 0, t.length);
      let from = 0;
      const pieces = [...ends].map((e) => { const p = t.slice(from, e); from = e; return p; });
      assert.equal(pieces.join(''), t);
      assert.ok(pieces.every((p) => !/^[\udc00-\udfff]/.test(p) || t.includes('\ud800')), 'no span starts inside a surrogate pair');
    }
  }
  assert.deepEqual([...u.tokenize('hello', { model: 'gpt-4' }).ids], [15339]);
  assert.throws(() => u.tokenize(7), u.BadRequestError);
});

test('special tokens follow tiktoken: disallowed by default, allowed on request', () => {
  assert.throws(() => u.encode('x <|endoftext|>'), u.BadRequestError);
  assert.deepEqual([...u.encode('<|endoftext|>', { encoding: 'o200k_base', allowedSpecial: 'all' })], [199999]);
  assert.deepEqual([...u.encode('<|endoftext|>', { encoding: 'cl100k_base', allowedSpecial: ['<|endoftext|>'] })], [100257]);
  assert.ok(u.encode('<|endoftext|>', { encoding: 'o200k_base', disallowedSpecial: [] }).length > 1, 'as ordinary text');
  assert.equal(u.countTokens('<|endoftext|>'), u.encode('<|endoftext|>', { encoding: 'o200k_base', disallowedSpecial: [] }).length);
});

test('tokenCounter: exact for OpenAI models (chat accounting), labelled approximate otherwise', () => {
  const messages = [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Hello, world!', name: 'ada' }];
  const c = u.tokenCounter({ model: 'gpt-4o', messages });
  assert.equal(c.exact, true);
  assert.equal(c.encoding, 'o200k_base');
  // per message 3 + role 1 + content, +1 for a name (+ its tokens), +3 reply priming
  const content = u.countTokens('You are terse.') + u.countTokens('Hello, world!') + u.countTokens('ada');
  assert.equal(c.tokens, 3 + 1 + 3 + 1 + content + 1 + 3);
  const withTools = u.tokenCounter({ model: 'gpt-4o', messages, tools: [{ type: 'function', function: { name: 'f', description: 'd', parameters: { type: 'object', properties: { a: { type: 'string' } } } } }] });
  assert.ok(withTools.tokens > c.tokens);
  assert.deepEqual(u.tokenCounter({ model: 'anthropic/claude-sonnet-4-5', text: 'Hello' }), { tokens: 1, exact: false, encoding: 'cl100k_base' });
});

test('trimMessages keeps the system message and the latest turns within the budget', () => {
  const turns = Array.from({ length: 40 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `turn ${i} ` + 'word '.repeat(100) }));
  const messages = [{ role: 'system', content: 'rules' }, ...turns];
  const out = u.trimMessages({ model: 'gpt-4o', messages, maxTokens: 1000 });
  assert.equal(out[0].role, 'system');
  assert.ok(out.length < messages.length && out.length > 2);
  assert.equal(out[out.length - 1].content, turns[turns.length - 1].content);
  assert.ok(u.tokenCounter({ model: 'gpt-4o', messages: out }).tokens <= 1000);
  assert.deepEqual(u.trimMessages({ model: 'gpt-4o', messages: messages.slice(0, 3) }), messages.slice(0, 3), 'short conversations are untouched');
});

test('bad input is a typed error; huge and pathological input stays fast', () => {
  assert.throws(() => u.countTokens(42), u.BadRequestError);
  assert.throws(() => u.countTokens('x', { encoding: 'p99k_base' }), u.BadRequestError);
  assert.throws(() => u.decode([1, -2]), u.BadRequestError);
  assert.throws(() => u.decode([4_000_000]), u.BadRequestError);
  assert.throws(() => u.tokenCounter({ model: 'gpt-4o', messages: 'hi' }), u.BadRequestError);
  assert.equal(u.countTokens('\ud800'), 1, 'a lone surrogate counts as U+FFFD');
  for (const s of ['a'.repeat(1 << 20), ' '.repeat(1 << 20), '7'.repeat(1 << 20)]) {
    const t0 = performance.now();
    const n = u.countTokens(s);
    assert.ok(n > 0 && performance.now() - t0 < 5000, `${performance.now() - t0} ms`);
  }
  assert.equal(u.countTokens('still alive'), 2);
});

test('Node entry: only the tokens module is compiled at import (and no node:http); the core on its first use', async () => {
  // a fresh process, counting the wasm modules compiled (the glue compiles with `new WebAssembly.Module`)
  const entry = pathToFileURL(path.join(here, '.work', 'app', 'node_modules', 'unillm', 'dist', 'node.js')).href;
  const script = `
    const compiled = [];
    const Original = WebAssembly.Module;
    WebAssembly.Module = new Proxy(Original, { construct(target, args) { compiled.push(args[0].byteLength); return new target(...args); } });
    const u = await import(${JSON.stringify(entry)});
    const atImport = compiled.length;
    // node:http / node:https (the transport, ~11 ms to load) wait for the first request too
    const netAtImport = process.moduleLoadList.filter((m) => /^NativeModule (http|https|tls|zlib)$/.test(m));
    const n = u.countTokens('Hello world! This is the first count.');
    const afterCount = compiled.length;
    const chat = u.tokenCounter({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hello, world!' }] });
    const afterChat = compiled.length;
    const info = u.getModelInfo('gpt-4o');
    console.log(JSON.stringify({ atImport, netAtImport, afterCount, afterChat, after: compiled.length, n, chat: chat.tokens, ctx: info.max_input_tokens }));`;
  const { execFileSync } = await import('node:child_process');
  const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }));
  assert.deepEqual(out, { atImport: 1, netAtImport: [], afterCount: 1, afterChat: 2, after: 2, n: 9, chat: 11, ctx: 128000 });
});

test('unillm/init: both modules from bytes; one missing is a clear TypeError', async () => {
  const dist = path.join(here, '.work', 'app', 'node_modules', 'unillm', 'dist');
  const script = `
    import { readFileSync } from 'node:fs';
    const u = await import(${JSON.stringify(pathToFileURL(path.join(dist, 'init.js')).href)});
    const core = readFileSync(${JSON.stringify(path.join(dist, 'unillm_bg.wasm'))});
    const tokens = readFileSync(${JSON.stringify(path.join(dist, 'unillm_tokens_bg.wasm'))});
    let missing;
    try { u.initSync({ core }); } catch (e) { missing = e.constructor.name + ': ' + e.message; }
    await u.init({ core, tokens });
    console.log(JSON.stringify({ missing, n: u.countTokens('Hello, world!'), chat: u.tokenCounter({ model: 'gpt-4o', text: 'Hello, world!' }).tokens, ctx: u.getModelInfo('gpt-4o').max_input_tokens }));`;
  const { execFileSync } = await import('node:child_process');
  const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }));
  assert.match(out.missing, /^TypeError: unillm\/init: initSync\(\{ core, tokens \}\) needs both wasm modules/);
  assert.deepEqual({ ...out, missing: undefined }, { missing: undefined, n: 4, chat: 4, ctx: 128000 });
});

test('clearTokenCache: merged words are remembered across calls, bounded, and forgetting changes no count', () => {
  const text = 'Привет, мир! Многоязычный текст повторяется: токенизация, токенизация, токенизация. 日本語のテキスト。';
  const before = u.countTokens(text, { encoding: 'cl100k_base' });
  u.clearTokenCache();
  const fresh = u.countTokens(text, { encoding: 'cl100k_base' });
  const again = u.countTokens(text, { encoding: 'cl100k_base' });
  assert.equal(fresh, before);
  assert.equal(again, before);
  const remembered = u.clearTokenCache();
  assert.ok(remembered > 0 && remembered < 100, `the text's merged words: ${remembered}`);
  assert.equal(u.clearTokenCache(), 0);
  assert.equal(u.countTokens(text, { encoding: 'cl100k_base' }), before);
});
