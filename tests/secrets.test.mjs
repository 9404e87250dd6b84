// Secrets never reach an error, a log line or anything printed. One data-driven test: every
// provider's credential (SECRETS; later issues add AWS secret keys, service-account private keys,
// virtual keys as rows) is sent to an upstream that echoes it back in every error path (the
// status error's body in the provider's own format, an in-stream error event, a retried 429),
// and everything a caller could print is collected: message, String(err), stack, the cause chain,
// util.inspect, JSON.stringify / toJSON, and every console line written meanwhile.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import util from 'node:util';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const u = await import(pathToFileURL(path.join(here, '.work', 'app', 'node_modules', 'unillm', 'dist', 'node.js')));

const rand = (n, alphabet) => Array.from({ length: n }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join('');
const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
/** One row per credential: how a call carries it. */
const SECRETS = [
  { provider: 'openai', model: 'openai/gpt-4o-mini', secret: `sk-proj-${rand(40, ALNUM)}`, options: (s) => ({ apiKey: s }) },
  { provider: 'azure', model: 'azure/my-deployment', secret: rand(32, '0123456789abcdef'), options: (s) => ({ apiKey: s, apiVersion: '2024-10-21' }) },
  { provider: 'anthropic', model: 'anthropic/claude-sonnet-4-5', secret: `sk-ant-api03-${rand(60, ALNUM)}`, options: (s) => ({ apiKey: s }) },
  { provider: 'gemini', model: 'gemini/gemini-2.5-flash', secret: `AIzaSy${rand(33, ALNUM)}`, options: (s) => ({ apiKey: s }) },
  { provider: 'openai (env)', model: 'openai/gpt-4o-mini', secret: `sk-${rand(48, ALNUM)}`, options: (s) => ({ env: { OPENAI_API_KEY: s } }) },
];

/** Echoes every credential-carrying header back, in the shape of the provider the path names. */
function startEcho() {
  const server = http.createServer(async (req, res) => {
    for await (const _ of req) { /* drain */ }
    const echoed = ['authorization', 'x-api-key', 'api-key', 'x-goog-api-key'].map((h) => req.headers[h]).filter(Boolean).join(' / ');
    const message = `Incorrect API key provided: ${echoed}. Your key ${echoed.replace(/^Bearer /, '')} is invalid.`;
    const gemini = req.url.includes(':generateContent') || req.url.includes(':streamGenerateContent');
    const anthropic = req.url.includes('/messages');
    const body = gemini ? { error: { code: 401, message, status: 'UNAUTHENTICATED', details: [{ reason: echoed }] } }
      : anthropic ? { type: 'error', error: { type: 'authentication_error', message } }
        : { error: { message, type: 'invalid_request_error', param: echoed, code: echoed } };
    const headers = { 'content-type': 'application/json', 'x-request-id': echoed, 'retry-after': '0' };
    if (req.headers['x-echo'] === 'stream') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const err = anthropic ? `event: error\ndata: ${JSON.stringify(body)}\n\n` : `data: ${JSON.stringify(body)}\n\n`;
      return res.end(err);
    }
    const status = req.headers['x-echo'] === '429' ? 429 : req.headers['x-echo'] === '500' ? 500 : 401;
    res.writeHead(status, headers);
    res.end(JSON.stringify(body));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

let echo, base;
before(async () => {
  echo = await startEcho();
  base = `http://127.0.0.1:${echo.address().port}`;
});
after(() => echo?.close());

/** Everything a caller might print about `e`. */
function printable(e) {
  const out = [];
  for (let x = e, depth = 0; x != null && depth < 8; x = x.cause, depth++) {
    out.push(String(x), String(x?.message), String(x?.stack));
  }
  out.push(util.inspect(e, { depth: 8, showHidden: true }));
  try { out.push(JSON.stringify(e)); } catch { /* not serializable */ }
  if (typeof e?.toJSON === 'function') out.push(JSON.stringify(e.toJSON()));
  return out.join('\n');
}

const PATHS = [
  { name: '401 JSON', headers: {}, stream: false },
  { name: '500 retried then failing', headers: { 'x-echo': '500' }, stream: false, numRetries: 1 },
  { name: '429 with fallback to the same provider', headers: { 'x-echo': '429' }, stream: false, fallbacks: true },
  { name: 'stream: 401 before the first byte', headers: {}, stream: true },
  { name: 'stream: in-stream error event', headers: { 'x-echo': 'stream' }, stream: true },
];

test('no credential appears in any error, cause, stack, inspection, JSON or log line, on any provider error path', async () => {
  const logged = [];
  const original = {};
  for (const k of ['log', 'info', 'warn', 'error', 'debug']) {
    original[k] = console[k];
    console[k] = (...args) => { logged.push(util.format(...args)); };
  }
  const leaks = [];
  let checked = 0;
  try {
    for (const row of SECRETS) {
      for (const p of PATHS) {
        const apiBase = row.provider === 'azure' ? base : `${base}/v1`;
        const opts = { ...row.options(row.secret), apiBase, headers: p.headers, numRetries: p.numRetries ?? 0 };
        if (p.fallbacks) opts.fallbacks = [row.model];
        let err = null;
        try {
          const r = await u.completion({ model: row.model, messages: [{ role: 'user', content: 'hi' }], stream: p.stream, ...opts });
          if (p.stream) for await (const _ of r) { /* read */ }
        } catch (e) {
          err = e;
        }
        assert.ok(err instanceof u.UnillmError, `${row.provider} / ${p.name}: expected a typed error, got ${err}`);
        checked++;
        const text = printable(err);
        if (text.includes(row.secret)) leaks.push(`${row.provider} / ${p.name}: ${text.slice(Math.max(0, text.indexOf(row.secret) - 80), text.indexOf(row.secret) + 20)}`);
      }
    }
  } finally {
    Object.assign(console, original);
  }
  for (const row of SECRETS) {
    for (const line of logged) if (line.includes(row.secret)) leaks.push(`${row.provider}: a log line: ${line.slice(0, 200)}`);
  }
  assert.equal(checked, SECRETS.length * PATHS.length);
  assert.deepEqual(leaks, [], 'secrets leaked');
});
