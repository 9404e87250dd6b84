// A local mock of the OpenAI chat completions API on 127.0.0.1, speaking the real wire format
// (JSON, and SSE with `data: [DONE]`), with CORS for browser tests. It records every request so
// tests can assert exactly what unillm sent.
//
// Behaviour is chosen by the request's model name:
//   any model          a normal answer; streamed answers have STREAM_WORDS content chunks
//   `status-<code>`    that HTTP error with an OpenAI error body (429 adds Retry-After: 0)
//   `passthrough-variety` a stream whose chunks carry escapes, extra fields and a per-chunk field
//   `ratelimit-headers` 429 with OpenAI's x-ratelimit-* headers and no Retry-After
//   `midstream-error`  a few chunks, then an in-stream error event
//   `truncated`        a few chunks, then the connection ends without finish_reason or [DONE]
//   `slow`             waits 2 s before answering (for timeouts and aborts)
//   `flaky-<n>`        answers 503 to the first n requests for this model, then normally
// Authorization must be `Bearer sk-test-valid`, else 401 (as OpenAI answers).
import http from 'node:http';
import { readFileSync } from 'node:fs';

const FIXTURES = new URL('../fixtures/', import.meta.url);
const REPLAY = {
  // native providers' recorded streams, replayed for requests to their API paths
  '/v1/messages': 'anthropic/stream_tools',
  ':streamGenerateContent': 'gemini/stream_tools',
};

export const VALID_KEY = 'sk-test-valid';
export const STREAM_WORDS = ['The', ' quick', ' brown', ' fox', ' jumps', ' over', ' the', ' lazy', ' dog', '.'];

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': '*',
  'access-control-allow-methods': 'POST, GET, OPTIONS',
  'access-control-expose-headers': '*',
};

function send(res, status, body, headers = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...CORS, ...headers });
  res.end(text);
}

function openaiError(message, type, code) {
  return { error: { message, type, param: null, code } };
}

export function chunk(model, delta, finish = null, extra = {}) {
  return {
    id: 'chatcmpl-mock123', object: 'chat.completion.chunk', created: 1700000000, model,
    system_fingerprint: 'fp_mock', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...extra,
  };
}

/** The chunks of model `passthrough-variety`: text with escapes, extra fields, a per-chunk field on one. */
export function varietyChunks(model) {
  const texts = ['say "hi"', ' \\ back\\', ' ü 😀 \u2028', '\n\t', '</script>', ''];
  const extra = { service_tier: 'default', x_note: 7 };
  return [
    chunk(model, { role: 'assistant', content: '' }, null, extra),
    ...texts.map((t, i) => chunk(model, { content: t }, null, i === 2 ? { ...extra, obfuscation: 'x1' } : extra)),
    chunk(model, {}, 'stop', extra),
  ];
}

export async function startMockServer({ streamWords = STREAM_WORDS } = {}) {
  const requests = [];
  const flaky = new Map();
  const server = http.createServer(async (req, res) => {
    if (req.method === 'OPTIONS') { res.writeHead(204, CORS); return res.end(); }
    const parts = [];
    for await (const part of req) parts.push(part);
    const raw = Buffer.concat(parts).toString('utf8'); // whole: a character may straddle two pieces
    const record = { method: req.method, url: req.url, headers: req.headers, body: raw ? safeJson(raw) : null, size: Buffer.byteLength(raw) };
    if (req.url === '/__requests') return send(res, 200, requests);
    const fx = /^\/__fixture\/(\w+\/\w+)$/.exec(req.url);
    if (fx) return send(res, 200, readFileSync(new URL(`${fx[1]}.json`, FIXTURES), 'utf8'));
    const replay = Object.entries(REPLAY).find(([k]) => req.url.split('?')[0].endsWith(k) || req.url.includes(k));
    if (replay) {
      requests.push(record);
      const body = readFileSync(new URL(`${replay[1]}.sse.txt`, FIXTURES));
      res.writeHead(200, { 'content-type': 'text/event-stream', ...CORS });
      const mid = Math.floor(body.length / 2) + 1;
      res.write(body.subarray(0, mid));
      setTimeout(() => res.end(body.subarray(mid)), 5);
      return;
    }
    requests.push(record);
    if (req.method !== 'POST' || !req.url.endsWith('/chat/completions')) {
      return send(res, 404, openaiError(`Unknown request URL: ${req.method} ${req.url}`, 'invalid_request_error', 'unknown_url'));
    }
    if (req.headers.authorization !== `Bearer ${VALID_KEY}`) {
      // OpenAI's real 401 body quotes a masked key: unillm must not let a real one through
      return send(res, 401, openaiError('Incorrect API key provided: sk-wrong*********************1234. You can find your API key at https://platform.openai.com/account/api-keys.', 'invalid_request_error', 'invalid_api_key'), { 'x-request-id': 'req_mock_401' });
    }
    const body = record.body ?? {};
    const model = String(body.model ?? '');
    const status = /^status-(\d{3})$/.exec(model);
    if (status) {
      const code = Number(status[1]);
      const headers = code === 429 ? { 'retry-after': '0', 'x-request-id': 'req_mock_429' } : {};
      const message = code === 400 && /context/.test(JSON.stringify(body.messages))
        ? "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens."
        : `mock error ${code}`;
      return send(res, code, openaiError(message, code === 429 ? 'requests' : 'invalid_request_error', code === 429 ? 'rate_limit_exceeded' : null), headers);
    }
    if (model === 'ratelimit-headers') {
      // OpenAI's 429 without Retry-After: the exhausted bucket's reset tells how long to wait
      return send(res, 429, openaiError('Rate limit reached for gpt-4o-mini on tokens per min (TPM)', 'tokens', 'rate_limit_exceeded'), {
        'x-ratelimit-limit-requests': '500', 'x-ratelimit-remaining-requests': '499', 'x-ratelimit-reset-requests': '120ms',
        'x-ratelimit-limit-tokens': '30000', 'x-ratelimit-remaining-tokens': '0', 'x-ratelimit-reset-tokens': '1.5s',
      });
    }
    const fl = /^flaky-(\d+)$/.exec(model);
    if (fl) {
      const n = (flaky.get(model) ?? 0) + 1;
      flaky.set(model, n);
      if (n <= Number(fl[1])) return send(res, 503, openaiError('The server is overloaded', 'server_error', null), { 'retry-after-ms': '10' });
    }
    if (model === 'slow') await new Promise((r) => setTimeout(r, 2000));
    if (!body.stream) {
      return send(res, 200, {
        id: 'chatcmpl-mock123', object: 'chat.completion', created: 1700000000, model,
        choices: [{ index: 0, message: { role: 'assistant', content: streamWords.join(''), refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
        usage: { prompt_tokens: 12, completion_tokens: streamWords.length, total_tokens: 12 + streamWords.length,
          prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
          completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 } },
        service_tier: 'default', system_fingerprint: 'fp_mock',
      });
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', ...CORS });
    const write = (obj) => res.write(`data: ${JSON.stringify(obj)}\n\n`);
    if (model === 'passthrough-variety') {
      for (const c of varietyChunks(model)) write(c);
      return res.end('data: [DONE]\n\n');
    }
    write(chunk(model, { role: 'assistant', content: '', refusal: null }));
    const words = model === 'midstream-error' || model === 'truncated' ? streamWords.slice(0, 3) : streamWords;
    for (const w of words) write(chunk(model, { content: w }));
    if (model === 'midstream-error') {
      res.write(`data: ${JSON.stringify({ error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null } })}\n\n`);
      return res.end();
    }
    if (model === 'truncated') return res.end();
    write(chunk(model, {}, 'stop'));
    if (body.stream_options?.include_usage) {
      write({ id: 'chatcmpl-mock123', object: 'chat.completion.chunk', created: 1700000000, model, system_fingerprint: 'fp_mock', choices: [],
        usage: { prompt_tokens: 12, completion_tokens: words.length, total_tokens: 12 + words.length } });
    }
    res.end('data: [DONE]\n\n');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }),
  };
}

function safeJson(s) {
  try { return JSON.parse(s); } catch { return s; }
}

// `node tests/support/mock-server.mjs` runs it standalone (prints the base URL).
if (import.meta.url === `file://${process.argv[1]}`) {
  const s = await startMockServer();
  console.log(s.url);
}
