// The Node entry's transport (js/node-transport.js: node:http / node:https with keep-alive
// agents instead of Node's fetch), through the packed package against local servers: one kept-alive
// connection, the caller's patched fetch honoured, a connection the server dropped as it went
// idle, gzip, redirects, a body cut short, abort and timeout in the middle of a stream, https with
// a certificate the process trusts (and one it does not), and a process that exits at once after
// its last call.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';
import path from 'node:path';
import os from 'node:os';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const entry = path.join(here, '.work', 'app', 'node_modules', 'unillm', 'dist', 'node.js');
const u = await import(pathToFileURL(entry));
const KEY = 'sk-transport-test-0000';
const messages = [{ role: 'user', content: 'hi' }];

const answer = (model, content = 'Hello there') => JSON.stringify({
  id: 'chatcmpl-t1', object: 'chat.completion', created: 1741570283, model,
  choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: 'stop' }],
  usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 },
});
const chunk = (content) => `data: ${JSON.stringify({ id: 'chatcmpl-t2', object: 'chat.completion.chunk', created: 1741570283, model: 'gpt-4o-mini', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;

/** The text content of a stream's chunks, joined. */
async function streamedText(st) {
  let text = '';
  for await (const c of st) text += c.choices[0]?.delta?.content ?? '';
  return text;
}

/** A provider stand-in; `model` in the body picks the behaviour. Records requests and sockets. */
function handler(state) {
  return async (req, res) => {
    const parts = [];
    for await (const p of req) parts.push(p);
    const bytes = Buffer.concat(parts);
    const raw = bytes.toString('utf8'); // whole: a character may straddle two pieces
    const body = raw ? JSON.parse(raw) : {};
    const sock = req.socket;
    if (!state.sockets.includes(sock)) state.sockets.push(sock);
    sock.served = (sock.served ?? 0) + 1;
    state.requests.push({ url: req.url, headers: req.headers, body, size: bytes.length, socket: state.sockets.indexOf(sock) });
    const model = String(body.model ?? '');
    if (model === 'drop-reused' && sock.served > 1) return sock.destroy();
    if (model === 'drop-all') return sock.destroy();
    // works on the request for a while, then the connection drops (a crash, a proxy timeout)
    if (model === 'drop-reused-late' && sock.served > 1) return setTimeout(() => sock.destroy(), 1200);
    if (model === 'redirect' && req.url.startsWith('/v1/')) {
      res.writeHead(307, { location: req.url.replace('/v1/', '/v2/') });
      return res.end();
    }
    if (model === 'redirect-away' && state.away) {
      res.writeHead(308, { location: `${state.away}${req.url}` });
      return res.end();
    }
    if (model === 'many-writes') {
      // 200 small writes, then 4 MB in 64 KB writes: one HTTP chunk each
      res.writeHead(200, { 'content-type': 'text/plain' });
      for (let i = 0; i < 200; i++) res.write(`line ${i}\n`);
      const big = Buffer.alloc(64 * 1024, 97);
      let n = 0;
      const more = () => { while (n < 64) { n++; if (!res.write(big)) return res.once('drain', more); } res.end('end\n'); };
      return setTimeout(more, 20);
    }
    if (model === 'truncated-body') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
      res.write(answer(model).slice(0, 40));
      return setTimeout(() => sock.destroy(), 10);
    }
    if (body.stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream', ...(model === 'gzip' ? { 'content-encoding': 'gzip' } : {}) });
      if (model === 'gzip') {
        const z = zlib.createGzip();
        z.pipe(res);
        for (const w of ['Hel', 'lo', ' there']) z.write(chunk(w));
        z.end('data: [DONE]\n\n');
        return;
      }
      if (model === 'short-stream') {
        for (const w of ['Hel', 'lo', ' there']) res.write(chunk(w));
        return res.end('data: [DONE]\n\n');
      }
      // endless: a chunk every 20 ms until the client goes away
      let n = 0;
      const timer = setInterval(() => res.write(chunk(`w${n++} `)), 20);
      req.socket.once('close', () => { clearInterval(timer); state.closed.push(model); });
      return;
    }
    if (model === 'gzip') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      return res.end(zlib.gzipSync(answer(model)));
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(answer(model));
  };
}

async function serve(make = http.createServer, opts = {}) {
  const state = { requests: [], sockets: [], closed: [] };
  const server = make(opts, handler(state));
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return { ...state, state, server, port, close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }) };
}

let s;
before(async () => { s = await serve(); });
after(() => s.close());
const base = () => `http://127.0.0.1:${s.port}/v1`;

test('Node sends with node:http: one kept-alive connection, the same headers and body as before', async () => {
  const n = s.state.requests.length;
  for (let i = 0; i < 3; i++) {
    const r = await u.completion({ model: 'openai/gpt-4o-mini', apiKey: KEY, apiBase: base(), messages, headers: { 'x-trace': 't1', 'Content-Length': '1' } });
    assert.equal(r.choices[0].message.content, 'Hello there');
    assert.ok(r.usage.cost > 0, 'priced');
  }
  const reqs = s.state.requests.slice(n);
  assert.equal(new Set(reqs.map((q) => q.socket)).size, 1, 'one connection for three calls');
  const h = reqs[0].headers;
  assert.equal(h.authorization, `Bearer ${KEY}`);
  assert.equal(h['content-type'], 'application/json');
  assert.equal(h['x-trace'], 't1');
  assert.equal(h.accept, '*/*');
  assert.equal(h['user-agent'], 'node', "fetch's default");
  assert.equal(h['accept-encoding'], undefined, 'identity bodies');
  assert.equal(Number(h['content-length']), Buffer.byteLength(JSON.stringify(reqs[0].body)), "the real length, not the caller's");
  assert.equal(h['sec-fetch-mode'], undefined, 'not sent through fetch');
  assert.deepEqual(reqs[0].body, { model: 'gpt-4o-mini', messages });
});

test('a request of 64 KB or more crosses from wasm as bytes and is sent byte for byte, over node:http and over fetch', async () => {
  const data = Buffer.alloc(120_000, 7).toString('base64');
  const content = [{ type: 'text', text: 'what is this? é 中 🎉' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${data}` } }];
  for (const extra of [{}, { fetch: globalThis.fetch }]) {
    const n = s.state.requests.length;
    const r = await u.completion({ model: 'openai/gpt-4o', apiKey: KEY, apiBase: base(), messages: [{ role: 'user', content }], ...extra });
    assert.equal(r.choices[0].message.content, 'Hello there');
    const q = s.state.requests[n];
    assert.deepEqual(q.body, { model: 'gpt-4o', messages: [{ role: 'user', content }] });
    assert.ok(q.size > 160_000);
    assert.equal(Number(q.headers['content-length']), q.size, 'the length in bytes');
    assert.equal(q.headers['sec-fetch-mode'], extra.fetch ? 'cors' : undefined, extra.fetch ? 'through fetch' : 'through node:http');
  }
});

test('a call that goes well builds no error objects (an Error captures a stack: ~10 µs each)', async () => {
  // the transport's own errors are `new TypeError(...)` / `new DOMException(...)` at the time they
  // happen; a call answered in full must make none (a 'close' after 'end' once made one a call)
  const made = [];
  const real = { TypeError: globalThis.TypeError, Error: globalThis.Error, DOMException: globalThis.DOMException };
  for (const [name, C] of Object.entries(real)) {
    globalThis[name] = new Proxy(C, { construct(target, args, nt) { made.push(name); return Reflect.construct(target, args, nt); } });
  }
  try {
    for (let i = 0; i < 3; i++) {
      const r = await u.completion({ model: 'openai/gpt-4o-mini', apiKey: KEY, apiBase: base(), messages });
      assert.equal(r.choices[0].message.content, 'Hello there');
      const st = await u.completion({ model: 'openai/short-stream', apiKey: KEY, apiBase: base(), messages, stream: true });
      assert.equal(await streamedText(st), 'Hello there');
    }
    await new Promise((r) => setImmediate(r)); // the responses' 'close' events
  } finally {
    Object.assign(globalThis, real);
  }
  assert.deepEqual(made, []);
});

test("a global fetch that is not Node's own (a mock, an interceptor), or a custom undici dispatcher: fetch is used", async () => {
  const own = globalThis.fetch;
  let calls = 0;
  globalThis.fetch = (...a) => { calls++; return own(...a); };
  try {
    const r = await u.completion({ model: 'openai/gpt-4o-mini', apiKey: KEY, apiBase: base(), messages });
    assert.equal(r.choices[0].message.content, 'Hello there');
    assert.equal(calls, 1);
    assert.equal(s.state.requests.at(-1).headers['sec-fetch-mode'], 'cors', 'sent by fetch');
  } finally {
    globalThis.fetch = own;
  }
  // undici's global dispatcher set to something other than its plain Agent (a proxy agent, say):
  // fetch, which honours it
  const KEY_D = Symbol.for('undici.globalDispatcher.1');
  const plain = globalThis[KEY_D];
  assert.equal(plain?.constructor?.name, 'Agent', "fetch has made Node's default dispatcher by now");
  class ProxyLikeAgent extends plain.constructor {}
  globalThis[KEY_D] = new ProxyLikeAgent();
  try {
    await u.completion({ model: 'openai/gpt-4o-mini', apiKey: KEY, apiBase: base(), messages });
    assert.equal(s.state.requests.at(-1).headers['sec-fetch-mode'], 'cors', 'sent by fetch, through the custom dispatcher');
  } finally {
    await globalThis[KEY_D].close?.();
    globalThis[KEY_D] = plain;
  }
  await u.completion({ model: 'openai/gpt-4o-mini', apiKey: KEY, apiBase: base(), messages });
  assert.equal(s.state.requests.at(-1).headers['sec-fetch-mode'], undefined, 'node:http again');
  // and an explicit `fetch` option, as before
  let mine = 0;
  await u.completion({ model: 'openai/gpt-4o-mini', apiKey: KEY, apiBase: base(), messages, fetch: (...a) => { mine++; return own(...a); } });
  assert.equal(mine, 1);
});

test('a kept-alive connection the server closed is retried once on a new one; a fresh one is not', async () => {
  const x = await serve();
  try {
    const opts = { apiKey: KEY, apiBase: `http://127.0.0.1:${x.port}/v1`, messages };
    await u.completion({ ...opts, model: 'openai/drop-reused' });
    const r = await u.completion({ ...opts, model: 'openai/drop-reused' });
    assert.equal(r.choices[0].message.content, 'Hello there');
    assert.deepEqual(x.state.requests.map((q) => q.socket), [0, 0, 1], 'dropped on the reused connection, answered on a new one');
    const n = x.state.requests.length;
    await assert.rejects(u.completion({ ...opts, model: 'openai/drop-all' }), (e) => e instanceof u.APIConnectionError && !String(e.message).includes(KEY));
    assert.ok(x.state.requests.length - n <= 2, 'sent at most once more');
  } finally {
    await x.close();
  }
});

test('a reused connection that drops after the server held the request a while: not sent again (it may have been acted on)', async () => {
  const x = await serve();
  try {
    const opts = { apiKey: KEY, apiBase: `http://127.0.0.1:${x.port}/v1`, messages };
    await u.completion({ ...opts, model: 'openai/drop-reused-late' });
    await assert.rejects(u.completion({ ...opts, model: 'openai/drop-reused-late' }), (e) => e instanceof u.APIConnectionError && !String(e.message).includes(KEY));
    assert.deepEqual(x.state.requests.map((q) => q.socket), [0, 0], 'sent once, on the reused connection');
  } finally {
    await x.close();
  }
});

test('gzip bodies are decoded, JSON and streamed', async () => {
  const r = await u.completion({ model: 'openai/gzip', apiKey: KEY, apiBase: base(), messages });
  assert.equal(r.choices[0].message.content, 'Hello there');
  const st = await u.completion({ model: 'openai/gzip', apiKey: KEY, apiBase: base(), messages, stream: true });
  assert.equal(await streamedText(st), 'Hello there');
});

test('redirects are followed as fetch follows them (307 / 308 keep the method and body; no key to another origin)', async () => {
  const n = s.state.requests.length;
  const r = await u.completion({ model: 'openai/redirect', apiKey: KEY, apiBase: base(), messages });
  assert.equal(r.choices[0].message.content, 'Hello there');
  assert.deepEqual(s.state.requests.slice(n).map((q) => q.url), ['/v1/chat/completions', '/v2/chat/completions']);
  assert.equal(s.state.requests.at(-1).body.model, 'redirect');
  // to another origin: the key stays behind, as fetch leaves it
  const away = await serve();
  s.state.away = `http://localhost:${away.port}`;
  try {
    const r2 = await u.completion({ model: 'openai/redirect-away', apiKey: KEY, apiBase: base(), messages });
    assert.equal(r2.choices[0].message.content, 'Hello there');
    assert.equal(s.state.requests.at(-1).headers.authorization, `Bearer ${KEY}`);
    assert.equal(away.state.requests.length, 1);
    assert.equal(away.state.requests[0].headers.authorization, undefined, 'no credentials to another origin');
    assert.equal(away.state.requests[0].body.model, 'redirect-away', '308 keeps the body');
  } finally {
    await away.close();
  }
});

test('a body cut short is an APIConnectionError, not a hang or a parse of half a body', async () => {
  await assert.rejects(u.completion({ model: 'openai/truncated-body', apiKey: KEY, apiBase: base(), messages }), u.APIConnectionError);
});

test('the transport itself: a body read after its connection dropped rejects at once (no hang)', async () => {
  const { nodeFetch } = await import(pathToFileURL(path.join(path.dirname(entry), 'node-transport.js')));
  const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'truncated-body' }) };
  const late = async (read) => {
    const res = await nodeFetch(`${base()}/chat/completions`, init);
    assert.equal(res.status, 200);
    await new Promise((r) => setTimeout(r, 100)); // the server has closed the connection by now
    const t0 = Date.now();
    await assert.rejects(read(res));
    assert.ok(Date.now() - t0 < 1000);
  };
  await late((res) => res.text());
  await late((res) => res.arrayBuffer());
  await late(async (res) => { const r = res.body.getReader(); for (;;) if ((await r.read()).done) break; });
});

test('the transport itself: a body stream hands over what arrived since the last read, in order, with backpressure', async () => {
  const { nodeFetch } = await import(pathToFileURL(path.join(path.dirname(entry), 'node-transport.js')));
  const res = await nodeFetch(`${base()}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'many-writes' }) });
  const reader = res.body.getReader();
  await new Promise((r) => setTimeout(r, 10)); // the first 200 writes arrive before the first read
  const first = await reader.read();
  assert.ok(first.value.length > 100, `one read takes many writes (${first.value.length} bytes)`);
  let bytes = first.value.length, reads = 1, text = Buffer.from(first.value).toString('latin1', 0, 2000);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.length;
    reads++;
    if (reads % 8 === 0) await new Promise((r) => setTimeout(r, 5)); // a slow reader
  }
  const head = Array.from({ length: 200 }, (_, i) => `line ${i}\n`).join('');
  assert.ok(text.startsWith(head.slice(0, 2000).slice(0, text.length)), 'in order');
  assert.equal(bytes, head.length + 64 * 64 * 1024 + 4);
  assert.ok(reads < 200 + 64, `${reads} reads for ${200 + 65} writes`);
});

test('abort and timeout in the middle of a stream: typed errors, and the connection is closed', async () => {
  const ac = new AbortController();
  const st = await u.completion({ model: 'openai/endless-abort', apiKey: KEY, apiBase: base(), messages, stream: true, signal: ac.signal });
  let n = 0;
  await assert.rejects((async () => { for await (const _ of st) if (++n === 3) ac.abort(); })(), u.APIUserAbortError);
  const t0 = Date.now();
  const st2 = await u.completion({ model: 'openai/endless-timeout', apiKey: KEY, apiBase: base(), messages, stream: true, timeout: 300 });
  await assert.rejects((async () => { for await (const _ of st2); })(), u.Timeout);
  assert.ok(Date.now() - t0 < 3000);
  for (let i = 0; i < 50 && s.state.closed.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(s.state.closed.sort(), ['endless-abort', 'endless-timeout'], 'the server saw both connections close');
});

/** Runs `code` (an ES module body; `u` is the package, `base` the server's URL) in a fresh Node. */
function child(code, env = {}) {
  const script = `const u = await import(${JSON.stringify(pathToFileURL(entry).href)}); const base = process.env.BASE;\n${code}`;
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const p = spawn(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    const kill = setTimeout(() => p.kill(), 20_000);
    p.on('close', (code) => { clearTimeout(kill); code === 0 ? resolve({ out: out.trim(), ms: Date.now() - t0 }) : reject(new Error(`exit ${code}: ${err}`)); });
  });
}

test('an idle kept-alive connection does not keep the process alive', async () => {
  const { out, ms } = await child(`const r = await u.completion({ model: 'openai/gpt-4o-mini', apiKey: '${KEY}', apiBase: base, messages: [{ role: 'user', content: 'hi' }] }); console.log(r.choices[0].message.content);`, { BASE: base() });
  assert.equal(out, 'Hello there');
  assert.ok(ms < 3000, `exited after ${ms} ms (the agents keep idle sockets 4 s)`);
});

test('https: a certificate the process trusts (NODE_EXTRA_CA_CERTS) works; an unknown one is an APIConnectionError', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'unillm-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const key = path.join(dir, 'key.pem'), cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
  const x = await serve(https.createServer, { key: readFileSync(key), cert: readFileSync(cert) });
  try {
    const BASE = `https://localhost:${x.port}/v1`;
    const call = `const r = await u.completion({ model: 'openai/gpt-4o-mini', apiKey: '${KEY}', apiBase: base, messages: [{ role: 'user', content: 'hi' }] }).catch((e) => e);`;
    const ok = await child(`${call} console.log(r.choices?.[0].message.content ?? r.name);`, { BASE, NODE_EXTRA_CA_CERTS: cert });
    assert.equal(ok.out, 'Hello there');
    assert.equal(x.state.requests.length, 1);
    const bad = await child(`${call} console.log(r.name, r instanceof u.APIConnectionError, String(r.message).includes('${KEY}'));`, { BASE, NODE_EXTRA_CA_CERTS: '' });
    assert.equal(bad.out, 'APIConnectionError true false');
    assert.equal(x.state.requests.length, 1, 'nothing sent to an untrusted server');
  } finally {
    await x.close();
  }
});
