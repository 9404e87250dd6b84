// The error taxonomy has one source, src/error.rs (`ErrorKind::ALL`): the JS classes and the
// TypeScript declarations of the packed package are generated from it at build time
// (scripts/gen-js.mjs). This checks the three agree: every kind is a class extending its parent,
// with its default status and retryability, and is declared so in index.d.ts; the limit defaults
// likewise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, '.work', 'app', 'node_modules', 'unillm', 'dist');
const u = await import(pathToFileURL(path.join(dist, 'node.js')));
const env = { ...process.env };
delete env.RUSTUP_TOOLCHAIN;
const tables = JSON.parse(execFileSync('cargo', ['run', '--quiet', '--example', 'js_tables'], { cwd: path.join(here, '..'), env, encoding: 'utf8' }));

test('every error kind of the core is a JS class with its parent, status and retryability, declared in index.d.ts', () => {
  const dts = readFileSync(path.join(dist, 'index.d.ts'), 'utf8');
  assert.ok(tables.errors.length >= 15);
  for (const k of tables.errors) {
    const Cls = u[k.name];
    assert.equal(typeof Cls, 'function', `${k.name} is exported`);
    assert.equal(Object.getPrototypeOf(Cls), u[k.parent], `${k.name} extends ${k.parent}`);
    const e = u.makeError(k.name, 'm');
    assert.ok(e instanceof Cls && e instanceof u.UnillmError && e instanceof u.APIError, k.name);
    assert.equal(e.kind, k.name);
    assert.equal(e.status, k.status, `${k.name} status`);
    assert.equal(e.retryable, k.retryable, `${k.name} retryable`);
    assert.match(dts, new RegExp(`export declare class ${k.name} extends ${k.parent} \\{\\}`), `${k.name} declared`);
    assert.match(dts, new RegExp(`\\| '${k.name}'`), `${k.name} in the ErrorKind union`);
  }
  // kinds the JS side has beyond the core's: none (aliases only)
  const classes = Object.keys(u).filter((n) => typeof u[n] === 'function' && u[n].prototype instanceof u.UnillmError);
  const aliases = new Set(['APIConnectionTimeoutError']);
  assert.deepEqual(classes.filter((n) => !aliases.has(n)).sort(), tables.errors.map((k) => k.name).sort());
});

test('the limit defaults are the core\'s', () => {
  assert.deepEqual(u.DEFAULT_LIMITS, Object.fromEntries(tables.limits.map((l) => [l.name, l.default])));
  assert.ok(Object.isFrozen(u.DEFAULT_LIMITS));
});

test('docs/options.md is the table generated from src/options.rs', () => {
  const generated = readFileSync(path.join(here, '..', 'target', 'pkg', 'options.md'), 'utf8');
  assert.equal(readFileSync(path.join(here, '..', 'docs', 'options.md'), 'utf8'), generated,
    'docs/options.md is stale: cp target/pkg/options.md docs/options.md after a build');
});

test('every option name and alias of the core is an option: never in the wire body; LiteLLM units; one name per option', async () => {
  const http = await import('node:http');
  let seen = null;
  const server = http.createServer(async (req, res) => {
    let raw = '';
    for await (const c of req) raw += c;
    seen = { body: JSON.parse(raw), auth: req.headers.authorization };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: 'c', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }] }));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${server.address().port}/v1`;
  const messages = [{ role: 'user', content: 'hi' }];
  try {
    // LiteLLM's names, as a LiteLLM call site writes them
    const r = await u.completion({ model: 'openai/gpt-4o-mini', messages, api_key: 'sk-litellm-style-0000', base_url: base, request_timeout: 5, num_retries: 1, drop_params: true, extra_headers: { 'x-a': '1' }, temperature: 0 });
    assert.equal(r.choices[0].message.content, 'ok');
    assert.equal(seen.auth, 'Bearer sk-litellm-style-0000');
    const names = tables.options.flatMap((o) => [o.name, ...o.aliases.map(([n]) => n)]);
    for (const n of names) assert.ok(!(n in seen.body), `${n} reached the body`);
    assert.equal(seen.body.temperature, 0, 'request fields pass');
    // request_timeout is seconds: 0.2 s against a local server that answers only after 3 s
    const slow = http.createServer((req, res) => { setTimeout(() => { res.writeHead(500); res.end(); }, 3000); });
    await new Promise((r) => slow.listen(0, '127.0.0.1', r));
    const t0 = Date.now();
    await assert.rejects(u.completion({ model: 'openai/gpt-4o-mini', messages, api_key: 'sk-x', base_url: `http://127.0.0.1:${slow.address().port}/v1`, request_timeout: 0.2 }),
      (e) => e instanceof u.Timeout);
    assert.ok(Date.now() - t0 < 2000, `took ${Date.now() - t0} ms`);
    slow.closeAllConnections();
    slow.close();
    // one setting under two names
    await assert.rejects(u.completion({ model: 'openai/gpt-4o-mini', messages, apiKey: 'sk-a', api_key: 'sk-b', apiBase: base }),
      (e) => e instanceof u.BadRequestError && /`apiKey` and `api_key`/.test(e.message));
    await assert.rejects(u.completion({ model: 'openai/gpt-4o-mini', messages, apiKey: 'sk-a', timeout: 1000, request_timeout: 1, apiBase: base }),
      (e) => e instanceof u.BadRequestError && e.param === 'request_timeout');
  } finally {
    server.close();
  }
});
