// The runtime-independent API. The wasm core decides everything (request building, translation,
// error kinds, retry delays); this file performs fetch, moves bytes in and chunks out, and keeps
// time. Every runtime entry point (node.js, browser.js, deno.js, workerd.js, init.js) initialises
// the wasm module its own way and re-exports this module.

import { Call, envNames as wasmEnvNames, retryDelay, version as wasmVersion, supportedProviders as wasmProviders } from './unillm.js';
import { fromWasm, fromErrorJson, makeError, UnillmError } from './errors.js';

export * from './errors.js';
export * from './models.js';
export * from './tokens.js';
import { defaultModels } from './models.js';
import { runtime, headerEntries } from './runtime.js';

/** Call options (everything else in the params object is the OpenAI request body). */
const OPTION_KEYS = new Set([
  'apiKey', 'apiBase', 'baseURL', 'apiVersion', 'headers', 'defaultHeaders', 'timeout', 'signal',
  'numRetries', 'maxRetries', 'fallbacks', 'env', 'dropParams', 'mockResponse', 'mockDelay', 'fetch', 'models',
]);

const DEFAULT_TIMEOUT_MS = 600_000;
const encoder = new TextEncoder();

export function version() {
  return wasmVersion();
}

/** The provider ids `completion()` takes as `provider/model` prefixes (sorted). */
export function supportedProviders() {
  return JSON.parse(wasmProviders());
}

/** Reads a variable from the process environment where the runtime has one (Node, Bun, Deno). */
function processEnv(name) {
  try {
    const p = globalThis.process;
    if (p?.env && typeof p.env === 'object') {
      const v = p.env[name];
      if (v !== undefined) return v;
    }
  } catch { /* no access */ }
  try {
    const d = globalThis.Deno;
    if (d?.env?.get) return d.env.get(name);
  } catch { /* no --allow-env: treated as unset */ }
  return undefined;
}

const envNameCache = new Map();
function envNamesFor(model, hasBase, hasKey, hasVersion) {
  const key = `${hasBase ? 1 : 0}${hasKey ? 1 : 0}${hasVersion ? 1 : 0}${model}`;
  let names = envNameCache.get(key);
  if (!names) {
    names = JSON.parse(wasmEnvNames(model, hasBase, hasKey, hasVersion));
    if (envNameCache.size > 1000) envNameCache.clear();
    envNameCache.set(key, names);
  }
  return names;
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

function splitParams(params, defaults) {
  if (!isObject(params)) {
    throw makeError('BadRequestError', 'completion() takes one object: { model, messages, ... }');
  }
  const request = {};
  const options = { ...defaults };
  for (const k of Object.keys(params)) {
    if (OPTION_KEYS.has(k)) {
      if (params[k] !== undefined) options[k] = params[k];
    } else {
      request[k] = params[k];
    }
  }
  return { request, options };
}

function collectEnv(model, options, clientEnv) {
  const hasBase = !!(options.apiBase ?? options.baseURL);
  const hasKey = typeof options.apiKey === 'string' && options.apiKey !== '';
  const hasVersion = options.apiVersion != null;
  const env = {};
  if (typeof model !== 'string') return env;
  for (const name of envNamesFor(model, hasBase, hasKey, hasVersion)) {
    let v = options.env?.[name] ?? clientEnv?.[name];
    if (v === undefined && clientEnv !== null) v = processEnv(name);
    if (typeof v === 'string' && v !== '') env[name] = v;
  }
  return env;
}

function randomSeed() {
  return Math.floor(Math.random() * 2 ** 52);
}

/** Links the caller's signal and the timeout into one controller for one attempt. */
function linkAbort(signal, timeoutMs) {
  const controller = new AbortController();
  let reason = null;
  let timer;
  const onAbort = () => { reason = 'user'; controller.abort(signal.reason); };
  if (signal) {
    if (signal.aborted) { reason = 'user'; controller.abort(signal.reason); }
    else signal.addEventListener('abort', onAbort, { once: true });
  }
  if (timeoutMs != null && timeoutMs !== Infinity) {
    const ms = Number(timeoutMs);
    if (!Number.isFinite(ms) || ms < 0) throw makeError('BadRequestError', '`timeout` must be a number of milliseconds', { param: 'timeout' });
    timer = setTimeout(() => { reason ??= 'timeout'; controller.abort(); }, ms);
    // a stream the caller never reads must not keep a Node/Deno/Bun process alive
    timer?.unref?.();
  }
  return {
    controller,
    reason: () => reason,
    race: (p) => p,
    done() {
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}

/** `linkAbort`'s interface for a non-streaming call with neither `timeout` nor `signal` from the
 * caller: the default timeout is a timer that rejects the call with `Timeout` (through `race`),
 * and no AbortController is made. A signal costs Node's fetch (undici) ≈20 µs of CPU per request
 * (linking it to the request's own controller, a WeakRef and a FinalizationRegistry entry), ≈15%
 * of a request to a local server (benches/fetch-variants.mjs). The request itself is left to the
 * runtime's own limits (undici closes a connection after 300 s without headers or body bytes);
 * an answer that arrives after the deadline has its body cancelled. A caller who needs the
 * request aborted at the deadline passes `timeout` (or `signal`), which takes `linkAbort`. */
function deadline(ms) {
  let reason = null;
  let expire;
  const expired = new Promise((_, reject) => { expire = reject; });
  expired.catch(() => {}); // nobody may be racing when it fires
  const timer = setTimeout(() => { reason = 'timeout'; expire(new Error('the deadline passed')); }, ms);
  timer?.unref?.();
  return {
    controller: null,
    reason: () => reason,
    race(p) {
      p.then((r) => { if (reason !== null) Promise.resolve(r?.body?.cancel?.()).catch(() => {}); }, () => {});
      return Promise.race([p, expired]);
    },
    done() { clearTimeout(timer); },
  };
}

/** The typed error for an exception thrown by fetch or by reading the body. */
function transportError(err, abort, ctx) {
  if (err instanceof UnillmError) return err;
  const why = abort.reason();
  if (why === 'timeout') return makeError('Timeout', 'the request timed out', { ...ctx, cause: err });
  if (why === 'user') return makeError('APIUserAbortError', 'the request was aborted', { ...ctx, cause: err, retryable: false });
  return makeError('APIConnectionError', `connection error: ${err?.message ?? err}`, { ...ctx, cause: err });
}

function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(makeError('APIUserAbortError', 'the request was aborted'));
    const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = () => { clearTimeout(t); reject(makeError('APIUserAbortError', 'the request was aborted')); };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function headersToJson(headers) {
  const pairs = [];
  headers.forEach((v, k) => pairs.push([k, v]));
  return JSON.stringify(pairs);
}

/** A body stream for the mock's SSE frames, optionally paced (`mockDelay` ms per frame). */
function mockBody(events, delayMs, signal) {
  let i = 0;
  return new ReadableStream({
    async pull(controller) {
      if (i >= events.length) return controller.close();
      if (delayMs > 0 && i > 0) await sleep(delayMs, signal).catch((e) => controller.error(e));
      if (signal?.aborted) return controller.error(signal.reason ?? new Error('aborted'));
      controller.enqueue(encoder.encode(events[i++]));
    },
  }, { highWaterMark: 0 });
}

/** The HTTP head line parsed last. Calls in a row to one deployment get the same line (the body
 * comes apart), and comparing two strings costs less than parsing one. The object is read, never
 * handed out (attempt copies the headers for fetch). Mock answers (`json` / `events`) differ on
 * every call and are not kept. */
let lastHead = { line: '', value: null };
function parseHead(line) {
  if (line === lastHead.line) return lastHead.value;
  const value = JSON.parse(line);
  lastHead = value.http !== undefined ? { line, value } : { line: '', value: null };
  return value;
}

/** One attempt: one request to one model. Resolves with the response, or with a Stream once the
 * provider answered 2xx (so retries happen only before any stream byte reaches the caller). */
async function attempt(request, options, clientEnv, fetchFn) {
  const callOptions = {
    apiKey: options.apiKey,
    apiBase: options.apiBase ?? options.baseURL,
    apiVersion: options.apiVersion,
    headers: normalizeHeaders(options.defaultHeaders, options.headers),
    env: collectEnv(request.model, options, clientEnv),
    dropParams: options.dropParams === true,
    mockResponse: typeof options.mockResponse === 'string' ? options.mockResponse : undefined,
    nowMs: Date.now(),
    seed: randomSeed(),
  };
  if (options.mockResponse instanceof Error) throw options.mockResponse;
  let requestJson;
  try {
    requestJson = JSON.stringify(request);
  } catch (e) {
    throw makeError('BadRequestError', `the request is not JSON-serializable: ${e.message}`);
  }
  let call;
  try {
    call = new Call(requestJson, JSON.stringify(callOptions));
  } catch (e) {
    throw fromWasm(e, { model: typeof request.model === 'string' ? request.model : undefined });
  }
  // price with the caller's registry when it has entries of its own (else the built-in table)
  const models = options.models ?? defaultModels();
  if (models._custom) call.useModels(models._wasm);
  // one crossing for the whole request: a JSON head line, then the body as is; a body of 64 KB
  // or more (`"bytes": true`) comes as bytes, sent as they are (no decode here, no encode in fetch)
  let transport, body;
  try {
    const wire = call.prepare();
    const nl = wire.indexOf('\n');
    transport = parseHead(nl < 0 ? wire : wire.slice(0, nl));
    if (nl >= 0) body = wire.slice(nl + 1);
    else if (transport.bytes === true) body = call.body();
  } catch (e) {
    call.free();
    throw fromWasm(e, { model: typeof request.model === 'string' ? request.model : undefined });
  }
  const ctx = { provider: transport.provider, model: transport.model };
  const stream = transport.stream;
  const abort = !stream && transport.http !== undefined && options.signal == null && options.timeout == null
    ? deadline(DEFAULT_TIMEOUT_MS)
    : linkAbort(options.signal, options.timeout ?? DEFAULT_TIMEOUT_MS);
  try {
    if (transport.json !== undefined) {
      const out = JSON.parse(call.parse(200, encoder.encode(transport.json)));
      abort.done();
      call.free();
      return out;
    }
    if (transport.events !== undefined) {
      const delay = Number(options.mockDelay ?? 0);
      return new Stream(call, mockBody(transport.events, delay, abort.controller.signal), abort, ctx);
    }
    const h = transport.http;
    let res;
    try {
      // the head may be shared with other calls (parseHead): fetch gets a headers object of its own
      res = await abort.race(fetchFn(h.url, { method: h.method, headers: { ...h.headers }, body, signal: abort.controller?.signal }));
    } catch (e) {
      throw transportError(e, abort, ctx);
    }
    if (!res.ok) {
      let errBody;
      try { errBody = new Uint8Array(await abort.race(res.arrayBuffer())); } catch (e) { throw transportError(e, abort, ctx); }
      throw fromErrorJson(call.error(res.status, headersToJson(res.headers), errBody), ctx);
    }
    if (stream) {
      if (!res.body) throw makeError('APIConnectionError', 'the provider sent no body', ctx);
      return new Stream(call, res.body, abort, ctx);
    }
    let out;
    if (transport.pass === true) {
      let text;
      try { text = await abort.race(res.text()); } catch (e) { throw transportError(e, abort, ctx); }
      out = passThrough(call, text) ?? JSON.parse(call.parse(res.status, encoder.encode(text)));
    } else {
      let bytes;
      try { bytes = new Uint8Array(await abort.race(res.arrayBuffer())); } catch (e) { throw transportError(e, abort, ctx); }
      out = JSON.parse(call.parse(res.status, bytes));
    }
    abort.done();
    call.free();
    return out;
  } catch (e) {
    abort.done();
    try { call.free(); } catch { /* already freed */ }
    throw fromWasm(e, ctx);
  }
}

/** A 2xx answer already in OpenAI's format (the head's `"pass": true`), parsed here once, as the
 * caller's own `JSON.parse` would, with `usage.cost` from the core's price table; `undefined`
 * when the core must read it instead (`call.parse`). The checks are the core's own passthrough
 * checks (`passthrough` in src/provider/openai.rs); a `\uD8xx` escape takes the core's path,
 * which reads a lone surrogate as U+FFFD, as streams do. Parsing in the core would cost a copy
 * of the body into wasm, a second parse and a decode of the result back. */
function passThrough(call, text) {
  if (text.includes('\\ud') || text.includes('\\uD')) return undefined;
  let out;
  try { out = JSON.parse(text); } catch { return undefined; }
  if (!isObject(out) || typeof out.id !== 'string' || out.id === '' || typeof out.model !== 'string' || out.model === ''
    || !Number.isSafeInteger(out.created) || out.created <= 0 || !Array.isArray(out.choices)) return undefined;
  for (const c of out.choices) if (!isObject(c) || !isObject(c.message)) return undefined;
  const usage = out.usage;
  if (usage != null) {
    if (!isObject(usage)) return undefined;
    const cost = call.usageCost(JSON.stringify(usage), typeof out.service_tier === 'string' ? out.service_tier : undefined);
    if (cost < 0) return undefined;
    if (!Number.isNaN(cost)) usage.cost = cost;
  }
  return out;
}

function normalizeHeaders(...sources) {
  const pairs = [];
  for (const s of sources) {
    if (s == null) continue;
    for (const [k, v] of headerEntries(s)) if (v != null) pairs.push([String(k), String(v)]);
  }
  return pairs.length ? pairs : undefined;
}

async function withRetries(request, options, clientEnv, fetchFn) {
  const maxRetries = Number(options.numRetries ?? options.maxRetries ?? 0);
  for (let n = 0; ; n++) {
    try {
      return await attempt(request, options, clientEnv, fetchFn);
    } catch (e) {
      if (!(e instanceof UnillmError)) throw e;
      const delay = retryDelay(JSON.stringify(e.toJSON()), n, maxRetries, Math.random());
      if (delay < 0) throw e;
      await sleep(delay, options.signal);
    }
  }
}

async function run(params, defaults, clientEnv, clientFetch) {
  const { request, options } = splitParams(params, defaults);
  const fetchFn = options.fetch ?? clientFetch ?? runtime.fetch ?? globalThis.fetch.bind(globalThis);
  const fallbacks = options.fallbacks ?? [];
  if (!Array.isArray(fallbacks)) throw makeError('BadRequestError', '`fallbacks` must be an array of model names', { param: 'fallbacks' });
  const models = [request.model, ...fallbacks];
  let last;
  for (let i = 0; i < models.length; i++) {
    const entry = models[i];
    // a fallback is a model name, or an object of overrides ({ model, apiKey, ... })
    const [req, opts] = i === 0 || typeof entry === 'string'
      ? [{ ...request, model: entry }, options]
      : splitOverrides(request, options, entry);
    try {
      return await withRetries(req, opts, clientEnv, fetchFn);
    } catch (e) {
      last = e;
      if (!(e instanceof UnillmError) || e.kind === 'APIUserAbortError') throw e;
    }
  }
  throw last;
}

function splitOverrides(request, options, entry) {
  const { request: r, options: o } = splitParams(entry ?? {}, options);
  return [{ ...request, ...r }, o];
}

/**
 * Creates a client whose credentials and defaults stay its own (no globals shared across
 * tenants). `env` is a record such as a Workers `env` binding; pass `env: null` to never read
 * `process.env` / `Deno.env`.
 */
export function createClient({ env, defaults, fetch, models } = {}) {
  const d = models ? { ...defaults, models } : (defaults ?? {});
  return {
    completion: (params) => run(params, d, env, fetch),
    withOptions: (more) => createClient({ env, defaults: { ...d, ...more }, fetch }),
  };
}

/** OpenAI-format chat completion over any provider. */
export function completion(params) {
  return run(params, undefined, undefined, undefined);
}

/** Expands the wasm decoder's batch (see `drain` in src/wasm/mod.rs) into chunk objects. */
function unpack(batch, cache) {
  if (Array.isArray(batch)) return batch;
  const items = batch.c;
  if (batch.tpl) {
    // passthrough chunks that differ from the stream's template only in their text
    const [prefix, suffix] = batch.tpl;
    if (cache.prefix !== prefix || cache.suffix !== suffix) {
      cache.prefix = prefix;
      cache.suffix = suffix;
      cache.t = JSON.parse(`${prefix}""${suffix}`);
    }
    const t = cache.t, c0 = t.choices[0], d0 = c0.delta;
    for (let k = 0; k < items.length; k++) {
      const x = items[k];
      if (typeof x === 'string') items[k] = { ...t, choices: [{ ...c0, delta: { ...d0, content: x } }] };
    }
    return items;
  }
  const [id, created, model] = batch.env;
  for (let k = 0; k < items.length; k++) {
    const x = items[k];
    if (typeof x === 'string') {
      items[k] = { id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta: { content: x }, finish_reason: null }] };
    }
  }
  return items;
}

/**
 * A streamed chat completion: an async iterable of OpenAI `chat.completion.chunk` objects, and a
 * `ReadableStream` of the same via `toReadableStream()`. Iterate once; use `tee()` for two readers.
 * Breaking out of the loop aborts the request.
 */
export class Stream {
  #call; #body; #abort; #ctx; #used = false; #response = null; #error = null;

  constructor(call, body, abort, ctx) {
    this.#call = call;
    this.#body = body;
    this.#abort = abort;
    this.#ctx = ctx;
    /** Aborts the underlying request. */
    this.controller = abort.controller;
  }

  // A hand-written async iterator rather than an async generator: chunks decoded from one
  // network read are served from an array with one resolved promise each, without the generator
  // machinery's extra microtasks (measurably faster on long streams).
  #iterator() {
    const reader = this.#body.getReader();
    const dec = this.#call.decoder();
    let buf = [], i = 0, open = true;
    const template = {};
    const close = (ended) => {
      if (!open) return;
      open = false;
      try { this.#response = JSON.parse(dec.response()); } catch { /* keep null */ }
      if (ended) {
        try { reader.releaseLock(); } catch { /* already released */ }
      } else {
        this.#abort.controller.abort();
        reader.cancel().catch(() => {});
      }
      this.#abort.done();
      dec.free();
      this.#call.free();
    };
    const fail = (e) => {
      this.#error = e;
      close(false);
      throw e;
    };
    const fill = async () => {
      for (;;) {
        let r;
        try { r = await reader.read(); } catch (e) { fail(transportError(e, this.#abort, this.#ctx)); }
        let out;
        try { out = r.done ? dec.finish() : dec.push(r.value); } catch (e) { fail(fromWasm(e, this.#ctx)); }
        if (r.done) close(true);
        if (out !== undefined) {
          buf = unpack(JSON.parse(out), template);
          i = 0;
          if (buf.length > 0) return { value: buf[i++], done: false };
        }
        if (r.done) return { value: undefined, done: true };
      }
    };
    return {
      next: () => {
        if (i < buf.length) return Promise.resolve({ value: buf[i++], done: false });
        if (!open) return Promise.resolve({ value: undefined, done: true });
        return fill();
      },
      // `break` in a for-await loop: abort the request
      return: () => {
        buf = [];
        close(false);
        return Promise.resolve({ value: undefined, done: true });
      },
      [Symbol.asyncIterator]() { return this; },
    };
  }

  [Symbol.asyncIterator]() {
    if (this.#used) {
      throw makeError('BadRequestError', 'this stream was already iterated; use stream.tee() to read it twice');
    }
    this.#used = true;
    return this.#iterator();
  }

  /** A `ReadableStream` of chunk objects (consumes this stream). */
  toReadableStream() {
    const it = this[Symbol.asyncIterator]();
    return new ReadableStream({
      async pull(controller) {
        try {
          const { value, done } = await it.next();
          if (done) controller.close();
          else controller.enqueue(value);
        } catch (e) {
          controller.error(e);
        }
      },
      async cancel() {
        await it.return?.();
      },
    }, { highWaterMark: 0 });
  }

  /** Two independent streams over the same chunks (consumes this stream). */
  tee() {
    const [a, b] = this.toReadableStream().tee();
    return [Stream.fromReadableStream(a, this), Stream.fromReadableStream(b, this)];
  }

  /** Wraps a `ReadableStream` of chunks (e.g. from `toReadableStream()`) as an async iterable. */
  static fromReadableStream(rs, origin) {
    const s = Object.create(TeeStream.prototype);
    s.rs = rs;
    s.origin = origin;
    s.controller = origin?.controller;
    return s;
  }

  /**
   * The full `chat.completion` assembled from the chunks (tool calls included). Reads the rest
   * of the stream if it has not been read to the end.
   */
  async response() {
    if (!this.#used) {
      for await (const _ of this) { /* drain */ }
    }
    if (this.#error) throw this.#error;
    if (!this.#response) throw makeError('BadRequestError', 'the stream has not been read to the end yet');
    return this.#response;
  }

  /** Alias of `response()` (the Vercel AI SDK / openai-node name). */
  finalChatCompletion() {
    return this.response();
  }
}

class TeeStream {
  async *[Symbol.asyncIterator]() {
    const reader = this.rs.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      reader.releaseLock();
    }
  }

  toReadableStream() {
    return this.rs;
  }

  async response() {
    return this.origin.response();
  }
}
