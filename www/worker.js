// The counting worker (a module worker): token counts, token spans and the cost table run here, so
// a megabyte of text never blocks the page. Messages: `{ id, type, ...args }` in,
// `{ id, result }` or `{ id, error: { name, message } }` out. The first message is `init` with the
// compiled WebAssembly.Modules (the page compiles each .wasm once and shares them); the page then asks
// for the first count before the model catalogue, so that a count shows as early as possible.
import { init, version, modelList, getModelInfo, tokenCounter, tokenize, costPerToken } from './unillm/init.js';

/** Catalogue entries of the chat models with prices: the rows of the cost table, in order. */
let priced = [];

const handlers = {
  async init({ modules }) {
    const t0 = performance.now();
    await init(modules);
    return { version: version(), ms: performance.now() - t0 };
  },

  /** Every model of the table, in short: for the pickers and the cost table (~4,500 lookups). */
  catalogue() {
    const t0 = performance.now();
    const catalogue = [];
    for (const key of modelList()) {
      let info;
      try { info = getModelInfo(key); } catch { continue; } // a handful of keys only resolve with a provider
      catalogue.push({
        key,
        provider: info.litellm_provider ?? '',
        mode: info.mode ?? '',
        maxIn: info.max_input_tokens ?? info.max_tokens ?? null,
        maxOut: info.max_output_tokens ?? null,
        inPrice: info.input_cost_per_token ?? null,
        outPrice: info.output_cost_per_token ?? null,
        cachedPrice: info.cache_read_input_token_cost ?? null,
        tools: !!info.supports_function_calling,
        vision: !!info.supports_vision,
        reasoning: !!info.supports_reasoning,
        structured: !!info.supports_response_schema,
      });
    }
    priced = catalogue.filter((m) => m.mode === 'chat' && (m.inPrice != null || m.outPrice != null));
    return { catalogue, priced: priced.map((m) => m.key), ms: performance.now() - t0 };
  },

  /**
   * Counts `input` for `model`. `mode` is `text` or `messages` (OpenAI `messages` JSON). With
   * `spans`, also the token boundaries of the text (or of each message's content), at most `cap`.
   */
  count({ mode, model, input, spans, cap }) {
    const t0 = performance.now();
    const chars = countChars(input);
    if (mode === 'messages') {
      let messages;
      try {
        messages = JSON.parse(input);
      } catch (e) {
        return { invalid: `Invalid JSON: ${e.message}`, chars };
      }
      const problem = checkMessages(messages);
      if (problem) return { invalid: problem, chars };
      let r;
      try { r = tokenCounter({ model, messages }); } catch (e) { return { invalid: `${e.name}: ${e.message}`, chars }; }
      let parts = null;
      if (spans) {
        // each message's text, tokenized on its own (the chat framing tokens have no text)
        parts = [];
        let left = cap;
        for (const m of messages) {
          const text = contentText(m);
          const { ids, ends } = tokenize(text, { model });
          const n = Math.min(ids.length, Math.max(left, 0));
          left -= n;
          parts.push({ role: String(m.role), text: n < ids.length ? text.slice(0, ends[n - 1] ?? 0) : text, ids: ids.slice(0, n), ends: ends.slice(0, n), total: ids.length });
        }
      }
      return { ...r, chars, parts, ms: performance.now() - t0 };
    }
    const r = tokenCounter({ model, text: input });
    let parts = null;
    if (spans) {
      const { ids, ends } = tokenize(input, { model });
      const n = Math.min(ids.length, cap);
      // only the highlighted prefix of the text travels back
      parts = [{ role: null, text: input.slice(0, n ? ends[n - 1] : 0), ids: ids.slice(0, n), ends: ends.slice(0, n), total: ids.length }];
    }
    return { ...r, chars, parts, ms: performance.now() - t0 };
  },

  /**
   * The cost table for `inputTokens` in and `outputTokens` out, priced by the package for every
   * chat model with prices (the same computation as `completionCost`: prompt + completion). The
   * cached column prices the whole input as cache reads, for models that have a cache-read price.
   */
  costs({ inputTokens, outputTokens }) {
    const t0 = performance.now();
    const n = priced.length;
    const input = new Float64Array(n), output = new Float64Array(n), cached = new Float64Array(n).fill(NaN);
    const usage = { prompt_tokens: inputTokens, completion_tokens: outputTokens };
    const cacheUsage = { prompt_tokens: inputTokens, completion_tokens: 0, prompt_tokens_details: { cached_tokens: inputTokens } };
    for (let i = 0; i < n; i++) {
      try {
        const c = costPerToken({ model: priced[i].key, usage });
        input[i] = c.prompt;
        output[i] = c.completion;
        if (priced[i].cachedPrice != null) cached[i] = costPerToken({ model: priced[i].key, usage: cacheUsage }).prompt;
      } catch {
        input[i] = output[i] = NaN;
      }
    }
    return { input, output, cached, ms: performance.now() - t0 };
  },
};

function countChars(s) {
  // Unicode characters (code points), not UTF-16 units
  let surrogates = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff) surrogates++;
  }
  return s.length - surrogates;
}

function checkMessages(m) {
  if (!Array.isArray(m)) return 'Expected a JSON array of messages, like [{"role": "user", "content": "Hi"}]';
  for (const [i, msg] of m.entries()) {
    if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) return `Message ${i + 1} is not an object`;
    if (typeof msg.role !== 'string') return `Message ${i + 1} has no "role"`;
  }
  return null;
}

/** The text a message carries: its content string, or its text parts joined. */
function contentText(m) {
  if (typeof m.content === 'string') return m.content;
  if (Array.isArray(m.content)) return m.content.map((p) => (typeof p?.text === 'string' ? p.text : '')).join('');
  return '';
}

self.onmessage = async ({ data: { id, type, ...args } }) => {
  try {
    const result = await handlers[type](args);
    const transfer = [];
    for (const v of Object.values(result ?? {})) if (ArrayBuffer.isView(v)) transfer.push(v.buffer);
    for (const p of result?.parts ?? []) transfer.push(p.ids.buffer, p.ends.buffer);
    self.postMessage({ id, result }, transfer);
  } catch (e) {
    self.postMessage({ id, error: { name: e?.name ?? 'Error', message: String(e?.message ?? e) } });
  }
};
