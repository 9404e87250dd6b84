// The runtime-independent API. The wasm core decides everything (request building, translation,
// error kinds, retry delays); this file performs fetch, moves bytes in and chunks out, and keeps
// time. Every runtime entry point (node.js, browser.js, deno.js, workerd.js, init.js) initialises
// the wasm module its own way and re-exports this module.

import { Call, Lifecycle, envNames as wasmEnvNames, version as wasmVersion, supportedProviders as wasmProviders } from './unillm.js';
import { fromWasm, fromErrorJson, makeError, UnillmError } from './errors.js';

export * from './errors.js';
export * from './models.js';
export * from './tokens.js';
import { defaultModels } from './models.js';
import { runtime, headerEntries } from './runtime.js';

// The call options (everything else in the params object is the OpenAI request body), aliases
// included, from src/options.rs: `OPTIONS` maps each name to [its option, whether it is seconds].
// @generated options.js
// @generated limits.js

const DEFAULT_TIMEOUT_MS = 600_000;
/** setTimeout's longest delay; a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;
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
  const options = defaults ? canonical(defaults) : {};
  let given = null; // option -> the name this call gave it under (made at the first alias)
  for (const k of Object.keys(params)) {
    const o = OPTIONS.get(k);
    if (o === undefined) {
      request[k] = params[k];
      continue;
    }
    const v = params[k];
    if (v === undefined) continue;
    const name = o[0];
    if (name !== k || given?.has(name)) {
      // an alias, or an option an alias already gave: look for the other name
      given ??= new Map();
      const before = given.get(name) ?? (name !== k && params[name] !== undefined ? name : undefined);
      if (before !== undefined && before !== k) throw makeError('BadRequestError', `\`${before}\` and \`${k}\` are one option (\`${name}\`): give it once`, { param: k });
    }
    if (name !== k) given.set(name, k);
    options[name] = o[1] && typeof v === 'number' ? v * 1000 : v;
  }
  return { request, options };
}

/** Defaults (a client's) with every alias under its option's name and unit. */
function canonical(defaults) {
  const out = {};
  for (const k of Object.keys(defaults)) {
    const o = OPTIONS.get(k);
    const v = defaults[k];
    if (v === undefined) continue;
    if (o === undefined) out[k] = v;
    else out[o[0]] = o[1] && typeof v === 'number' ? v * 1000 : v;
  }
  return out;
}

function collectEnv(model, options, clientEnv) {
  const hasBase = !!(options.apiBase);
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
  // past setTimeout's range (~24.8 days, e.g. `timeout: Infinity`) there is no timer at all
  if (timeoutMs != null && timeoutMs < MAX_TIMER_MS) {
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
    onExpire() { /* the signal aborts the request and its body */ },
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
  const timer = ms < MAX_TIMER_MS ? setTimeout(() => { reason = 'timeout'; expire(new Error('the deadline passed')); }, ms) : undefined;
  timer?.unref?.();
  return {
    controller: null,
    reason: () => reason,
    race(p) {
      p.then((r) => { if (reason !== null) Promise.resolve(r?.body?.cancel?.()).catch(() => {}); }, () => {});
      return Promise.race([p, expired]);
    },
    /** Runs `fn` (stop reading a body) when the deadline passes: a body read as many chunks
     * registers once, not once per read (a race per read would keep every chunk alive). */
    onExpire(fn) {
      expired.catch(() => { try { fn(); } catch { /* already closed */ } });
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

/** The limit error for a body read past `limits[name]` (the core's wording, see src/limits.rs). */
function limitError(name, max, ctx) {
  return makeError('LimitExceededError', `the answer exceeded \`limits.${name}\` (${max} bytes); the answer was not read further`,
    { ...ctx, param: `limits.${name}`, code: 'limit_exceeded' });
}

/**
 * The body of `res`, read while counting its decoded bytes: past `max` the reading stops and the
 * connection is released, with `null` (or, with `cut`, the first `max` bytes). Where the
 * headers can be trusted (not a browser's filtered CORS view) and say the body is `max` bytes or
 * fewer without a content coding, it is read whole (`arrayBuffer`: one step, and fetch itself
 * enforces the length). The Node transport counts in its own reader (`bytesUpTo`).
 */
async function readBody(res, max, abort, cut = false) {
  if (typeof res.bytesUpTo === 'function') {
    abort.onExpire(() => res.cancel());
    return abort.race(res.bytesUpTo(max, cut));
  }
  const h = res.headers;
  const length = Number(h.get('content-length') ?? NaN);
  if (length <= max && !h.has('content-encoding') && res.type !== 'cors' && res.type !== 'opaque') {
    return new Uint8Array(await abort.race(res.arrayBuffer()));
  }
  if (res.body == null) return new Uint8Array(0);
  let reader, byob = true;
  try { reader = res.body.getReader({ mode: 'byob' }); } catch { byob = false; reader = res.body.getReader(); }
  abort.onExpire(() => reader.cancel().catch(() => {}));
  // with a BYOB reader, into 64 KB blocks filled in turn (Deno backs each small chunk of a default
  // reader with a much larger buffer: 16 MB of them held ~200 MB); else the chunks as they come
  const parts = [];
  let n = 0, block = null, used = 0;
  try {
    while (n <= max) {
      if (byob && (block === null || used === block.length)) {
        if (block !== null) parts.push(block);
        block = new Uint8Array(65536);
        used = 0;
      }
      const { done, value } = byob ? await reader.read(block.subarray(used)) : await reader.read();
      if (done) {
        if (byob && value) block = new Uint8Array(value.buffer); // handed back, emptied
        break;
      }
      n += value.byteLength;
      if (byob) {
        block = new Uint8Array(value.buffer); // the read took the block over
        used += value.byteLength;
      } else {
        parts.push(value);
      }
    }
    if (n > max) reader.cancel().catch(() => {});
  } finally {
    try { reader.releaseLock(); } catch { /* cancelled */ }
  }
  if (block !== null && used > 0) parts.push(block.subarray(0, used));
  // a read the deadline cancelled ends as `done`: that is the deadline, not the body's end
  if (abort.reason() !== null) throw new Error('the deadline passed');
  if (n > max && !cut) return null;
  const total = Math.min(n, max);
  if (parts.length === 1 && parts[0].byteLength === total) return parts[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    if (at >= total) break;
    const k = Math.min(p.byteLength, total - at);
    out.set(k === p.byteLength ? p : p.subarray(0, k), at);
    at += k;
  }
  return out;
}

const utf8 = new TextDecoder();

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

/** The HTTP head line parsed last, kept per client (`state`, never module state: the line holds
 * the `authorization` header of the client's credentials). Calls in a row to one deployment get
 * the same line (the body comes apart), and comparing two strings costs less than parsing one.
 * The object is read, never handed out (attempt copies the headers for fetch). Mock answers
 * (`json` / `events`) differ on every call and are not kept. */
function parseHead(state, line) {
  if (line === state.headLine) return state.head;
  const value = JSON.parse(line);
  state.headLine = value.http !== undefined ? line : '';
  state.head = value.http !== undefined ? value : null;
  return value;
}

/** What one client keeps between its calls. */
const newState = () => ({ headLine: '', head: null });

/** What `attempt` resolves with when it reported a non-2xx answer to the lifecycle itself. */
const REPORTED = Symbol('reported');

/** One attempt: one request to one model, within `timeLeft` ms. Resolves with the response, or
 * with a Stream once its first content-bearing chunk arrived (the commit point: an error before
 * it is the attempt's, which the lifecycle may retry or fall back from); a non-2xx answer is
 * classified by the call and handed to the lifecycle as it is (`REPORTED`); anything else JS met is
 * thrown as a typed error. */
async function attempt(request, options, clientEnv, fetchFn, state, machine, timeLeft) {
  const callOptions = {
    apiKey: options.apiKey,
    apiBase: options.apiBase,
    apiVersion: options.apiVersion,
    headers: normalizeHeaders(options.defaultHeaders, options.headers),
    env: collectEnv(request.model, options, clientEnv),
    dropParams: options.dropParams === true,
    mockResponse: typeof options.mockResponse === 'string' ? options.mockResponse : undefined,
    nowMs: Date.now(),
    seed: randomSeed(),
    limits: options.limits,
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
    transport = parseHead(state, nl < 0 ? wire : wire.slice(0, nl));
    if (nl >= 0) body = wire.slice(nl + 1);
    else if (transport.bytes === true) body = call.body();
  } catch (e) {
    free(call);
    throw fromWasm(e, { model: typeof request.model === 'string' ? request.model : undefined });
  }
  const ctx = { provider: transport.provider, model: transport.model };
  const stream = transport.stream;
  const abort = !stream && transport.http !== undefined && options.signal == null && options.timeout == null
    ? deadline(timeLeft)
    : linkAbort(options.signal, timeLeft);
  try {
    if (transport.json !== undefined) {
      const out = JSON.parse(call.parse(200, encoder.encode(transport.json)));
      abort.done();
      free(call);
      return out;
    }
    if (transport.events !== undefined) {
      const delay = Number(options.mockDelay ?? 0);
      return await new Stream(call, mockBody(transport.events, delay, abort.controller.signal), abort, ctx).prime();
    }
    const h = transport.http;
    let res;
    try {
      // the head may be shared with other calls (parseHead): fetch gets a headers object of its own
      res = await abort.race(fetchFn(h.url, { method: h.method, headers: { ...h.headers }, body, signal: abort.controller?.signal }));
    } catch (e) {
      throw transportError(e, abort, ctx);
    }
    const limits = options.limits ? { ...DEFAULT_LIMITS, ...options.limits } : DEFAULT_LIMITS;
    if (!res.ok) {
      let errBody;
      try { errBody = await readBody(res, limits.errorBytes, abort, true); } catch (e) { throw transportError(e, abort, ctx); }
      machine().handleHttpError(call, res.status, headersToJson(res.headers), errBody, Date.now(), Math.random());
      abort.done();
      free(call);
      return REPORTED;
    }
    if (stream) {
      if (!res.body) throw makeError('APIConnectionError', 'the provider sent no body', ctx);
      return await new Stream(call, res.body, abort, ctx).prime();
    }
    let bytes;
    try { bytes = await readBody(res, limits.responseBytes, abort); } catch (e) { throw transportError(e, abort, ctx); }
    if (bytes === null) throw limitError('responseBytes', limits.responseBytes, ctx);
    const out = (transport.pass === true ? passThrough(call, utf8.decode(bytes)) : undefined)
      ?? JSON.parse(call.parse(res.status, bytes));
    abort.done();
    free(call);
    return out;
  } catch (e) {
    abort.done();
    free(call);
    throw fromWasm(e, ctx);
  }
}

/** Frees a wasm object; one already freed (or still borrowed by a call that trapped) stays as is. */
function free(obj) {
  try { obj.free(); } catch { /* already freed */ }
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

/** `numRetries` as a count: a number (or numeric string) of 0 or more, at most 100. */
function retriesOf(options) {
  const n = Number(options.numRetries ?? 0);
  return Number.isFinite(n) && n > 0 ? Math.min(Math.floor(n), 100) : 0;
}

/**
 * The call: the core's lifecycle (src/lifecycle.rs) says which candidate to try (the model, then
 * each fallback), when to wait and when to give up, all within one deadline (`timeout` bounds the
 * whole call); this loop only does what it says. A failed attempt's error goes back into it as it
 * is (a provider's answer never becomes a JS error first), and only the last one reaches the caller.
 */
async function run(params, defaults, clientEnv, clientFetch, state) {
  const { request, options } = splitParams(params, defaults);
  const fetchFn = options.fetch ?? clientFetch ?? runtime.fetch ?? globalThis.fetch.bind(globalThis);
  const fallbacks = options.fallbacks ?? [];
  if (!Array.isArray(fallbacks)) throw makeError('BadRequestError', '`fallbacks` must be an array of model names', { param: 'fallbacks' });
  const timeout = options.timeout == null ? DEFAULT_TIMEOUT_MS : Number(options.timeout);
  if (Number.isNaN(timeout) || timeout < 0) throw makeError('BadRequestError', '`timeout` must be a number of milliseconds', { param: 'timeout' });
  // most calls succeed at their first attempt, which needs no machine: it is made when that
  // attempt fails, as of the call's start, with the attempt handed out (`poll` at t0)
  const t0 = Date.now();
  let life = null;
  const machine = () => {
    if (life === null) {
      life = new Lifecycle(retriesOf(options), fallbacks.length, timeout, t0);
      life.poll(t0);
    }
    return life;
  };
  let lastJs = null; // the last error JS met: thrown as it is (cause, stack) if it ends the call
  try {
    for (let first = timeout > 0; ; first = false) {
      const step = first ? 0 : machine().poll(Date.now());
      if (step === 0) {
        const i = first ? 0 : life.candidate();
        // a fallback is a model name, or an object of overrides ({ model, apiKey, ... })
        const [req, opts] = i === 0 ? [request, options]
          : typeof fallbacks[i - 1] === 'string' ? [{ ...request, model: fallbacks[i - 1] }, options]
            : splitOverrides(request, options, fallbacks[i - 1]);
        try {
          const out = await attempt(req, opts, clientEnv, fetchFn, state, machine, first ? timeout : life.wait());
          if (out !== REPORTED) return out;
          lastJs = null;
        } catch (e) {
          if (!(e instanceof UnillmError)) throw e;
          lastJs = e;
          machine().handleError(JSON.stringify(e.toJSON()), Date.now(), Math.random());
        }
      } else if (step === 1) {
        try { await sleep(life.wait(), options.signal); } catch { life.handleAbort(); lastJs = null; }
      } else {
        const json = life.error();
        if (lastJs !== null) {
          const info = JSON.parse(json);
          if (info.kind === lastJs.kind && info.message === lastJs.message) throw lastJs;
        }
        throw fromErrorJson(json);
      }
    }
  } finally {
    if (life !== null) free(life);
  }
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
  const state = newState();
  return {
    completion: (params) => run(params, d, env, fetch, state),
    withOptions: (more) => createClient({ env, defaults: { ...d, ...more }, fetch }),
  };
}

/** The top-level functions' client: process-wide, as `registerModel` is (and LiteLLM's
 * module-level `completion` is); multi-tenant code uses `createClient` per tenant. */
const defaultState = newState();

/** OpenAI-format chat completion over any provider. */
export function completion(params) {
  return run(params, undefined, undefined, undefined, defaultState);
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

/** Whether a chunk carries content (text, a tool call, reasoning, a refusal, a finish or usage):
 * the first such chunk handed to the caller is a stream's commit point. */
function bearsContent(c) {
  if (c.usage != null) return true;
  for (const ch of c.choices ?? []) {
    const d = ch.delta;
    if (ch.finish_reason != null || (d && (d.content || d.tool_calls?.length || d.reasoning_content || d.refusal))) return true;
  }
  return false;
}

/**
 * A streamed chat completion: an async iterable of OpenAI `chat.completion.chunk` objects, and a
 * `ReadableStream` of the same via `toReadableStream()`. Iterate once; use `tee()` for two readers.
 * Breaking out of the loop aborts the request.
 */
export class Stream {
  #call; #body; #abort; #ctx; #used = false; #response = null; #error = null;
  /** The decoder of a stream read to its end, kept for `response()` (freed by it, or by GC). */
  #ended = null;

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
      // the assembled response is built when asked for (`response()`), not at every stream's end
      if (ended) {
        this.#ended = dec;
        try { reader.releaseLock(); } catch { /* already released */ }
      } else {
        this.#abort.controller.abort();
        reader.cancel().catch(() => {});
        free(dec);
      }
      this.#abort.done();
      free(this.#call);
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
      prime: async () => {
        const held = [];
        for (;;) {
          const r = await fill();
          if (r.done) break;
          held.push(r.value);
          while (i < buf.length) held.push(buf[i++]);
          if (held.some(bearsContent)) break;
        }
        buf = held;
        i = 0;
      },
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

  /** The iterator, made by `prime` before the caller has the stream. */
  #it = null;

  /** Reads until the first content-bearing chunk is buffered, or the stream ended (the commit
   * point): an error before it rejects this, and the attempt may be retried or fall back. */
  async prime() {
    this.#it = this.#iterator();
    await this.#it.prime();
    return this;
  }

  [Symbol.asyncIterator]() {
    if (this.#used) {
      throw makeError('BadRequestError', 'this stream was already iterated; use stream.tee() to read it twice');
    }
    this.#used = true;
    return this.#it ?? this.#iterator();
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
    if (this.#ended !== null) {
      try { this.#response = JSON.parse(this.#ended.response()); } catch (e) { throw fromWasm(e, this.#ctx); } finally { free(this.#ended); }
      this.#ended = null;
    }
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
