// The benchmark's provider mock, run as its own process so its CPU does not share the client's
// event loop. Bodies are built once up front; every contender gets byte-identical answers.
//   POST /v1/chat/completions      OpenAI: JSON, or a CHUNKS-chunk SSE stream
//   POST /v1/messages              Anthropic: a CHUNKS-delta SSE stream (or JSON)
// Answers CORS preflights (browsers, benches/runtimes.mjs). Prints its base URL on stdout.
import http from 'node:http';

const CHUNKS = Number(process.env.CHUNKS ?? 5000);
const WRITE = 16 * 1024;

const openaiJson = JSON.stringify({
  id: 'chatcmpl-bench', object: 'chat.completion', created: 1700000000, model: 'gpt-4o-mini',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello! How can I help you today?', refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
  usage: { prompt_tokens: 9, completion_tokens: 9, total_tokens: 18, prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 } },
  service_tier: 'default', system_fingerprint: 'fp_bench',
});

function openaiStream() {
  const parts = [];
  const c = (delta, finish = null) => `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1700000000, model: 'gpt-4o-mini', service_tier: 'default', system_fingerprint: 'fp_bench', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;
  parts.push(c({ role: 'assistant', content: '', refusal: null }));
  for (let i = 0; i < CHUNKS; i++) parts.push(c({ content: ` word${i % 100}` }));
  parts.push(c({}, 'stop'));
  parts.push(`data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1700000000, model: 'gpt-4o-mini', choices: [], usage: { prompt_tokens: 9, completion_tokens: CHUNKS, total_tokens: CHUNKS + 9 } })}\n\n`);
  parts.push('data: [DONE]\n\n');
  return Buffer.from(parts.join(''));
}

function anthropicStream() {
  const ev = (type, data) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  const parts = [ev('message_start', { message: { id: 'msg_bench', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 9, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 } } }),
    ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }), ev('ping', {})];
  for (let i = 0; i < CHUNKS; i++) parts.push(ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: ` word${i % 100}` } }));
  parts.push(ev('content_block_stop', { index: 0 }), ev('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: CHUNKS } }), ev('message_stop', {}));
  return Buffer.from(parts.join(''));
}

const bodies = { openai: openaiStream(), anthropic: anthropicStream() };

const CORS = { 'access-control-allow-origin': '*', 'access-control-expose-headers': '*' };

function stream(res, buf) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...CORS });
  let off = 0;
  const pump = () => {
    while (off < buf.length) {
      const end = Math.min(off + WRITE, buf.length);
      const ok = res.write(buf.subarray(off, end));
      off = end;
      if (!ok) return res.once('drain', pump);
    }
    res.end();
  };
  pump();
}

const server = http.createServer(async (req, res) => {
  if (req.method === 'OPTIONS') {
    // `*` does not cover `authorization`: the headers asked for are allowed by name
    res.writeHead(204, { ...CORS, 'access-control-allow-methods': 'POST, GET, OPTIONS', 'access-control-max-age': '7200',
      'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '*' });
    return res.end();
  }
  const parts = [];
  for await (const p of req) parts.push(p);
  const raw = Buffer.concat(parts).toString(); // whole: a character may straddle two pieces
  const body = raw ? JSON.parse(raw) : {};
  if (req.url.endsWith('/chat/completions')) {
    if (body.stream) return stream(res, bodies.openai);
    res.writeHead(200, { 'content-type': 'application/json', ...CORS });
    return res.end(openaiJson);
  }
  if (req.url.endsWith('/messages')) {
    if (body.stream) return stream(res, bodies.anthropic);
    res.writeHead(200, { 'content-type': 'application/json', ...CORS });
    return res.end(JSON.stringify({ id: 'msg_bench', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [{ type: 'text', text: 'Hello!' }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 9, output_tokens: 2 } }));
  }
  res.writeHead(404, CORS);
  res.end();
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(`http://127.0.0.1:${server.address().port}`));
