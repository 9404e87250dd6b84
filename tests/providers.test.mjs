// Every provider fixture (tests/fixtures/<provider>/<case>.json, the same files the native tests
// use) replayed end to end through the *packed* package in Node: completion() builds the request,
// a fetch wrapper records the exact URL and sends it to a local server instead of the provider,
// the server checks method, headers and JSON body and answers with the provider's recorded bytes
// (JSON, or the SSE body in several pieces), and the result must equal the fixture's expectation:
// the OpenAI-format response, every stream chunk, or the typed error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.join(here, 'fixtures');
const app = path.join(here, '.work', 'app');
const unillm = await import(pathToFileURL(path.join(app, 'node_modules', 'unillm', 'dist', 'node.js')));

let server, origin, pending = null;
before(async () => {
  server = http.createServer(async (req, res) => {
    let raw = '';
    for await (const p of req) raw += p;
    const p = pending;
    pending = null;
    if (!p) { res.writeHead(500); return res.end('no fixture armed'); }
    p.received = { method: req.method, path: req.url, headers: req.headers, body: raw };
    const { status, headers, body, sse } = p.answer;
    res.writeHead(status, Object.fromEntries(headers));
    if (!sse) return res.end(body);
    // a stream arrives in several network reads, cut inside events
    const cuts = [0, Math.floor(body.length / 3), Math.floor((2 * body.length) / 3) + 1, body.length];
    for (let i = 0; i + 1 < cuts.length; i++) {
      res.write(body.subarray(cuts[i], cuts[i + 1]));
      await new Promise((r) => setImmediate(r));
    }
    res.end();
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${server.address().port}`;
});
after(() => new Promise((r) => server.close(r)));

function answerFor(dir, name, fx) {
  const r = fx.response ?? {};
  const status = r.status ?? 200;
  const headers = r.headers ?? [];
  const ssePath = path.join(dir, `${name}.sse.txt`);
  if (existsSync(ssePath)) return { status, headers: [['content-type', 'text/event-stream'], ...headers], body: readFileSync(ssePath), sse: true };
  const bodyPath = path.join(dir, `${name}.body.json`);
  const body = existsSync(bodyPath) ? readFileSync(bodyPath) : Buffer.from(r.body_text ?? JSON.stringify(r.body ?? {}));
  return { status, headers: [['content-type', 'application/json'], ...headers], body, sse: false };
}

/** Generated ids and the clock differ from the native tests' fixed ones; everything else must match. */
function normalize(v) {
  if (Array.isArray(v)) return v.map(normalize);
  if (v && typeof v === 'object') {
    const out = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === 'created' && typeof x === 'number') out[k] = '<created>';
      else if (k === 'id' && typeof x === 'string' && /^chatcmpl-[0-9a-f]{24}$/.test(x)) out[k] = '<generated id>';
      else out[k] = normalize(x);
    }
    return out;
  }
  return v;
}

function checkError(err, expected, name) {
  assert.ok(err instanceof unillm.UnillmError, `${name}: not a typed error: ${err?.stack ?? err}`);
  const view = { kind: err.kind, status: err.status, retryable: err.retryable, retryAfterMs: err.retryAfterMs ?? null,
    code: err.code ?? null, requestId: err.requestId ?? null, provider: err.provider ?? null, message: err.message };
  for (const [k, v] of Object.entries(expected)) {
    if (k === 'status' && v === null) continue; // a JS error always carries a status
    assert.deepEqual(view[k], v, `${name}: error field ${k} (error: ${JSON.stringify(view)})`);
  }
  assert.equal(err.constructor.name, err.kind, `${name}: class`);
}

for (const provider of readdirSync(fixtures).filter((d) => !d.startsWith('.') && !d.includes('pricing'))) {
  const dir = path.join(fixtures, provider);
  const cases = readdirSync(dir).filter((f) => f.endsWith('.json') && !f.endsWith('.body.json')).map((f) => f.slice(0, -5)).sort();
  for (const name of cases) {
    const fx = JSON.parse(readFileSync(path.join(dir, `${name}.json`), 'utf8'));
    if (!fx.http) continue; // a request the core rejects before any HTTP (covered natively)
    test(`${provider}/${name}`, async () => {
      const armed = { answer: answerFor(dir, name, fx) };
      let sentUrl = null;
      const fetch = (url, init) => {
        sentUrl = url;
        pending = armed;
        return globalThis.fetch(url.replace(/^https?:\/\/[^/]+/, origin), init);
      };
      const params = { ...fx.request, ...(fx.options ?? {}), fetch };
      let result, chunks = null, err = null;
      try {
        result = await unillm.completion(params);
        if (fx.request.stream) {
          chunks = [];
          for await (const c of result) chunks.push(c);
          result = await result.response();
        }
      } catch (e) {
        err = e;
      }
      // the request on the wire
      assert.equal(sentUrl, fx.http.url, 'url');
      const got = armed.received;
      assert.ok(got, 'the request reached the server');
      assert.equal(got.method, fx.http.method, 'method');
      for (const [k, v] of fx.http.headers) {
        assert.equal(got.headers[k.toLowerCase()], v, `header ${k}`);
      }
      assert.deepEqual(JSON.parse(got.body), fx.http.body, 'body');
      // the answer (request-only fixtures stop here)
      if (!fx.expected_error && !fx.expected && !fx.expected_chunks) return;
      if (fx.expected_error) {
        assert.ok(err, `expected ${fx.expected_error.kind}, got a result`);
        checkError(err, fx.expected_error, name);
        return;
      }
      if (err) throw err;
      if (fx.expected_chunks) assert.deepEqual(normalize(chunks), normalize(fx.expected_chunks), 'chunks');
      assert.deepEqual(normalize(result), normalize(fx.expected), 'response');
    });
  }
}
