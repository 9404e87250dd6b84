// A hostile or broken OpenAI-format upstream on 127.0.0.1, for the fault suite (faults.mjs): each
// model name is one way an upstream can misbehave. Every endless answer is bounded here too (by
// MAX_BYTES and MAX_MS, and it stops when the client goes away), so a failing client cannot make
// the test machine run out of memory or time.
//
//   endless-event      200 SSE: `data:` lines forever, never the blank line that ends the event
//   endless-line       200 SSE: one `data:` line that never ends
//   endless-json       200 JSON: a body that never ends
//   gzip-bomb          200 JSON, gzip: ~500 KB on the wire that inflates to 512 MiB
//   endless-chunks     200 SSE: distinct 1 KB content chunks forever (what the stream accumulates grows)
//   repeated-chunk     200 SSE: the same content chunk forever
//   malformed-chunk    200 SSE: a chunk that is not JSON
//   cut-mid-stream     200 SSE: three chunks, then the connection drops in the middle of an event
//   reset-mid-body     200 JSON: half a body, then the connection is reset
//   slow-headers       no answer for 30 s
//   slow-body          200 JSON headers and half a body, then nothing for 30 s
//   stalled-stream     200 SSE: two chunks, then nothing for 30 s
//   huge-error         500 with a 64 MiB body
//   once-429-seconds   429 `Retry-After: 1` on the first request per key, then a normal answer
//   once-429-date      429 with an HTTP-date Retry-After 1 s ahead, then normal
//   once-500           500 on the first request per key, then normal
//   429-long           429 `Retry-After: 86400` always
//   once-cut-stream    200 SSE: the role chunk, then the connection drops (first request per key), then normal
//   anything else      a normal answer (JSON, or a short SSE stream)
//
// `x-fault-key` (a header the suite sends) scopes the once-* counters, so runtimes do not share
// them. `GET /_rss/reset` and `GET /_rss/peak` read the memory of the client's process(es) from
// /proc (pids given by the test with `setPids`): reset sets the high-water mark to the current
// RSS (clear_refs 5), peak answers `{ peakMB, baseMB }`.
import http from 'node:http';
import zlib from 'node:zlib';
import { readFileSync, writeFileSync } from 'node:fs';

const MAX_BYTES = 3 * 2 ** 30;
const MAX_MS = 30_000;
const CORS = { 'access-control-allow-origin': '*', 'access-control-allow-headers': '*', 'access-control-allow-methods': 'POST, GET, OPTIONS', 'access-control-expose-headers': '*' };

const chunk = (content, finish = null) => `data: ${JSON.stringify({ id: 'chatcmpl-h', object: 'chat.completion.chunk', created: 1700000000, model: 'm',
  choices: [{ index: 0, delta: content === null ? {} : { content }, finish_reason: finish }] })}\n\n`;
const answer = (model) => JSON.stringify({ id: 'chatcmpl-h', object: 'chat.completion', created: 1700000000, model,
  choices: [{ index: 0, message: { role: 'assistant', content: 'fine' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 } });

let bomb = null;
/** 512 MiB of zeros as one gzip member (~500 KB), made once, without ever holding them. */
function gzipBomb() {
  bomb ??= new Promise((resolve, reject) => {
    const gz = zlib.createGzip({ level: 9 });
    const out = [];
    gz.on('data', (c) => out.push(c));
    gz.on('end', () => resolve(Buffer.concat(out)));
    gz.on('error', reject);
    const zeros = Buffer.alloc(1 << 20);
    let left = 512;
    const pump = () => {
      while (left > 0) {
        left--;
        if (!gz.write(zeros)) return gz.once('drain', pump);
      }
      gz.end();
    };
    pump();
  });
  return bomb;
}

/** Writes `next()` until the client leaves or the bounds are reached, honouring backpressure. */
function endless(req, res, next) {
  let sent = 0;
  const t0 = Date.now();
  let gone = false;
  res.on('close', () => { gone = true; });
  const pump = () => {
    while (!gone) {
      if (sent > MAX_BYTES || Date.now() - t0 > MAX_MS) return res.destroy();
      const piece = next();
      sent += piece.length;
      if (!res.write(piece)) return res.once('drain', pump);
    }
  };
  pump();
}

function status(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s)?.[1] ?? 0);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

export async function startHostileServer() {
  gzipBomb(); // made while the runtimes start
  let pids = () => [];
  let base = 0;
  const seen = new Set();
  const server = http.createServer(async (req, res) => {
    if (req.method === 'OPTIONS') { res.writeHead(204, CORS); return res.end(); }
    if (req.url === '/_rss/reset') {
      const ps = pids();
      for (const p of ps) try { writeFileSync(`/proc/${p}/clear_refs`, '5'); } catch { /* gone */ }
      base = ps.reduce((a, p) => a + status(p).rss, 0);
      res.writeHead(200, { 'content-type': 'application/json', ...CORS });
      return res.end(JSON.stringify({ baseMB: base }));
    }
    if (req.url === '/_rss/peak') {
      const peak = pids().reduce((a, p) => a + status(p).hwm, 0);
      res.writeHead(200, { 'content-type': 'application/json', ...CORS });
      return res.end(JSON.stringify({ peakMB: peak, baseMB: base }));
    }
    const parts = [];
    for await (const p of req) parts.push(p);
    let body = {};
    try { body = JSON.parse(Buffer.concat(parts).toString('utf8')); } catch { /* not JSON */ }
    const model = String(body.model ?? '');
    const once = `${req.headers['x-fault-key'] ?? ''}/${model}`;
    const first = !seen.has(once);
    seen.add(once);
    const json = (code, text, headers = {}) => { res.writeHead(code, { 'content-type': 'application/json', ...CORS, ...headers }); res.end(text); };
    const sse = () => res.writeHead(200, { 'content-type': 'text/event-stream', ...CORS });
    const rateLimited = (retryAfter) => json(429, JSON.stringify({ error: { message: 'Rate limit reached', type: 'requests', param: null, code: 'rate_limit_exceeded' } }), { 'retry-after': retryAfter });
    switch (model) {
      case 'endless-event': sse(); return endless(req, res, () => 'data: {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa": 1}\n'.repeat(512));
      case 'endless-line': sse(); res.write('data: "'); return endless(req, res, () => 'x'.repeat(65536));
      case 'endless-json':
        res.writeHead(200, { 'content-type': 'application/json', ...CORS });
        res.write('{"id":"chatcmpl-h","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"');
        return endless(req, res, () => 'y'.repeat(65536));
      case 'gzip-bomb': {
        const b = await gzipBomb();
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': b.length, ...CORS });
        return res.end(b);
      }
      case 'endless-chunks': { sse(); let i = 0; const kb = 'w'.repeat(1000); return endless(req, res, () => chunk(`${i++} ${kb}`)); }
      case 'repeated-chunk': sse(); return endless(req, res, () => chunk('again'));
      case 'malformed-chunk': sse(); res.write(chunk('ok')); return res.end('data: {not json at all\n\n');
      case 'cut-mid-stream': sse(); res.write(chunk('a') + chunk('b') + chunk('c') + chunk('d').slice(0, 40)); return setTimeout(() => res.destroy(), 20);
      case 'reset-mid-body': {
        const text = answer(model);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': text.length, ...CORS });
        res.write(text.slice(0, 40));
        return setTimeout(() => res.socket?.resetAndDestroy?.() ?? res.destroy(), 20);
      }
      case 'slow-headers': return setTimeout(() => res.destroy(), MAX_MS);
      case 'slow-body':
        res.writeHead(200, { 'content-type': 'application/json', ...CORS });
        res.write(answer(model).slice(0, 30));
        return setTimeout(() => res.destroy(), MAX_MS);
      case 'stalled-stream': sse(); res.write(chunk('a') + chunk('b')); return setTimeout(() => res.destroy(), MAX_MS);
      case 'huge-error': {
        res.writeHead(500, { 'content-type': 'application/json', ...CORS });
        res.write('{"error":{"message":"');
        let n = 0;
        return endless(req, res, () => (n++ < 1024 ? 'z'.repeat(65536) : (res.end('"}}'), '')));
      }
      case 'once-429-seconds': if (first) return rateLimited('1'); break;
      case 'once-429-date': if (first) return rateLimited(new Date(Date.now() + 1500).toUTCString()); break;
      case 'once-500': if (first) return json(500, JSON.stringify({ error: { message: 'boom', type: 'server_error', param: null, code: null } })); break;
      case '429-long': return rateLimited('86400');
      case 'once-cut-stream':
        if (first) { sse(); res.write(`data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] })}\n\n`); return setTimeout(() => res.destroy(), 20); }
        break;
      default: break;
    }
    if (!body.stream) return json(200, answer(model));
    sse();
    res.end(chunk('fine') + chunk(null, 'stop') + 'data: [DONE]\n\n');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/v1`,
    /** `fn()` returns the pids whose memory `/_rss/*` reads. */
    setPids(fn) { pids = fn; },
    close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }),
  };
}
