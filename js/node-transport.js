// The default transport on Node: node:http / node:https with keep-alive agents, behind the small
// part of the `fetch` interface that api.js uses. Node's `fetch` (undici) spends ~3x the CPU of
// node:http on a small request (WHATWG Request/Response/Headers objects and streams for every
// call; benches/completion.mjs measures both), and for a gateway or a batch job that is most of
// the time a call takes. Bun's and Deno's `fetch` are native and fast, and workerd and browsers
// have only `fetch`: this module is used by the Node entry only.
//
// `fetch` semantics kept: the caller's AbortSignal aborts the request and the body; a body cut
// short rejects; redirects are followed as fetch follows them (the next hop is fetch's, without
// credentials to another origin); gzip / deflate / br
// bodies are decoded; a leading BOM is dropped by `text()`; an idle kept-alive connection does not
// keep the process alive (Node's agents unref free sockets). A request that failed on a reused
// connection before any answer, within RESEND_WINDOW_MS of being sent (the server had closed it as
// it went idle, so it never read the request), is sent once more on a new one, as Node's
// documentation advises. A later failure is the caller's error: the server may have acted on the
// request, and a completion must not be paid for twice.
//
// `fetch` is used instead when: the global `fetch` is not Node's own (a test mock, an
// interceptor, instrumentation: patched before or after this module loads); undici's global
// dispatcher is not a plain `Agent` (`setGlobalDispatcher(new ProxyAgent(...))`); the URL is not
// http(s) or carries credentials; or the body is not a string or bytes.
import http from 'node:http';
import { createRequire } from 'node:module';
import { headerEntries } from './runtime.js';

// node:https (with tls and crypto, ~7 ms) and node:zlib (~3 ms) load when first needed
const require = createRequire(import.meta.url);
// idle sockets close after 4 s, as undici's do: under the 5 s many servers keep them (Node's own)
const agentOptions = { keepAlive: true, scheduling: 'lifo', timeout: 4000 };
const clients = { 'http:': { mod: http, agent: new http.Agent(agentOptions) }, 'https:': null };
function clientFor(protocol) {
  if (clients[protocol] === null) {
    const mod = require('node:https');
    clients[protocol] = { mod, agent: new mod.Agent(agentOptions) };
  }
  return clients[protocol];
}
let zlib = null;
const DISPATCHER = Symbol.for('undici.globalDispatcher.1');
/** Headers `fetch` does not let a caller set; a caller's copy is dropped here too. */
const FORBIDDEN = new Set(['content-length', 'host', 'connection', 'transfer-encoding', 'keep-alive', 'upgrade', 'expect', 'te', 'trailer']);
const REDIRECT = new Set([301, 302, 303, 307, 308]);
/** The idle-close race ends within a round trip of the write; a failure later than this is not it. */
const RESEND_WINDOW_MS = 1000;

/** Node's own `fetch`, recognised by its source (it lazily loads undici from Node's internals). */
function nodeOwnFetch(f) {
  try {
    return typeof f === 'function' && Function.prototype.toString.call(f).includes('internal/deps/undici') ? f : null;
  } catch {
    return null;
  }
}
const ownFetch = nodeOwnFetch(globalThis.fetch);

/** Whether a request may take node:http rather than the global `fetch` (see the top). */
export function transportApplies() {
  if (ownFetch === null || globalThis.fetch !== ownFetch) return false;
  const d = globalThis[DISPATCHER];
  return d === undefined || d?.constructor?.name === 'Agent';
}

const targets = new Map();
/** `url` split for http.request, or null when it is not a plain http(s) URL. */
function target(url) {
  let t = targets.get(url);
  if (t !== undefined) return t;
  t = null;
  try {
    const u = new URL(url);
    if ((u.protocol === 'http:' || u.protocol === 'https:') && u.username === '' && u.password === '') {
      const { mod, agent } = clientFor(u.protocol);
      const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
      t = { mod, agent, host, port: u.port, path: `${u.pathname}${u.search}`, href: u.href };
    }
  } catch { /* not a URL: fetch says why */ }
  if (targets.size >= 256) targets.clear();
  targets.set(url, t);
  return t;
}

function abortReason(signal) {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

const cutShort = () => new TypeError('terminated: the connection closed before the body ended');

/** `fetch(input, init)` over node:http where it applies, else the global `fetch`. */
export function nodeFetch(input, init = {}) {
  const { method = 'GET', headers, body, signal } = init;
  const t = typeof input === 'string' && transportApplies() ? target(input) : null;
  if (t === null || (body != null && typeof body !== 'string' && !(body instanceof Uint8Array))) {
    return globalThis.fetch(input, init);
  }
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  const out = {};
  if (headers != null) {
    for (const [k, v] of headerEntries(headers)) {
      const name = String(k).toLowerCase();
      if (FORBIDDEN.has(name)) continue;
      out[name] = out[name] === undefined ? String(v) : `${out[name]}, ${v}`;
    }
  }
  // the defaults fetch sends that matter to a server (no accept-encoding: an identity body needs
  // no zlib, and a proxy does not hold back a compressed event stream)
  if (out.accept === undefined) out.accept = '*/*';
  if (out['user-agent'] === undefined) out['user-agent'] = 'node';
  if (body != null) out['content-length'] = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  else if (method !== 'GET' && method !== 'HEAD') out['content-length'] = 0;
  return new Promise((resolve, reject) => send(t, method, out, body, signal, input, init, resolve, reject, true));
}

function send(t, method, headers, body, signal, input, init, resolve, reject, mayResend) {
  let answered = false;
  const sentAt = mayResend ? performance.now() : 0;
  let req;
  try {
    req = t.mod.request({ host: t.host, port: t.port, path: t.path, method, headers, agent: t.agent });
  } catch (e) {
    reject(e); // an invalid header name or value, as fetch rejects it
    return;
  }
  const onAbort = () => req.destroy(abortReason(signal));
  const unlisten = () => signal?.removeEventListener('abort', onAbort);
  signal?.addEventListener('abort', onAbort, { once: true });
  req.on('error', (e) => {
    if (answered) return; // the response's body reports it
    unlisten();
    // a kept-alive connection the server closed as it went idle: nothing was answered and the
    // request was not read, so once more on a fresh connection
    if (mayResend && req.reusedSocket && (e.code === 'ECONNRESET' || e.code === 'EPIPE') && !signal?.aborted
      && performance.now() - sentAt < RESEND_WINDOW_MS) {
      send(t, method, headers, body, signal, input, init, resolve, reject, false);
      return;
    }
    reject(e);
  });
  req.on('response', (res) => {
    answered = true;
    if (REDIRECT.has(res.statusCode) && res.headers.location !== undefined) {
      unlisten();
      res.resume();
      resolve(redirect(t.href, res.statusCode, res.headers.location, method, headers, body, init));
      return;
    }
    resolve(new NodeResponse(res, req, t.href, method, signal, onAbort));
  });
  req.end(body);
}

/** Follows a redirect as `fetch` would: the next hop (and any after it) is `fetch`'s, with the
 * method and body changed as fetch changes them (303, and 301 / 302 after a POST, become a GET
 * without a body) and the credentials dropped when the origin changes. */
function redirect(from, status, location, method, headers, body, init) {
  let to;
  try {
    to = new URL(location, from);
  } catch {
    return Promise.reject(new TypeError('the redirect location is not a URL'));
  }
  const next = { ...headers };
  delete next['content-length'];
  if ((status === 303 && method !== 'GET' && method !== 'HEAD') || ((status === 301 || status === 302) && method === 'POST')) {
    method = 'GET';
    body = undefined;
    for (const k of ['content-type', 'content-encoding', 'content-language', 'content-location']) delete next[k];
  }
  if (to.origin !== new URL(from).origin) for (const k of ['authorization', 'proxy-authorization', 'cookie']) delete next[k];
  return globalThis.fetch(to.href, { ...init, method, headers: next, body });
}

/** The decoded body source of `res`: itself, or a decompressor fed by it. */
function source(res) {
  const coding = String(res.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (coding === '' || coding === 'identity') return res;
  zlib ??= require('node:zlib');
  const flush = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
  let d = null;
  if (coding === 'gzip' || coding === 'x-gzip') d = zlib.createGunzip(flush);
  else if (coding === 'deflate') d = zlib.createInflate(flush);
  else if (coding === 'br') d = zlib.createBrotliDecompress({ flush: zlib.constants.BROTLI_OPERATION_FLUSH, finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH });
  if (d === null) return res;
  res.pipe(d);
  res.once('error', (e) => d.destroy(e));
  res.once('close', () => { if (!res.complete) d.destroy(cutShort()); });
  return d;
}

const NULL_BODY = new Set([101, 204, 205, 304]);
/** Bytes a body stream holds for a reader that does not read before it stops taking more. */
const MAX_PENDING = 1 << 20;

/** The part of `Response` api.js uses: status, headers, text / arrayBuffer / json, body. */
class NodeResponse {
  #res; #req; #src; #signal; #onAbort; #used = false; #stream = null; #headers = null;

  constructor(res, req, url, method, signal, onAbort) {
    this.#res = res;
    this.#req = req;
    this.#signal = signal;
    this.#onAbort = onAbort;
    this.status = res.statusCode;
    this.statusText = res.statusMessage ?? '';
    this.ok = this.status >= 200 && this.status < 300;
    this.url = url;
    this.redirected = false;
    this.type = 'basic';
    this.#src = method === 'HEAD' || NULL_BODY.has(this.status) ? null : source(res);
    if (this.#src === null) {
      res.resume();
      this.#finish();
    }
  }

  get headers() {
    if (this.#headers === null) {
      const h = new Headers();
      const raw = this.#res.rawHeaders;
      for (let i = 0; i + 1 < raw.length; i += 2) {
        try { h.append(raw[i], raw[i + 1]); } catch { /* a header fetch would refuse */ }
      }
      this.#headers = h;
    }
    return this.#headers;
  }

  get bodyUsed() {
    return this.#used;
  }

  #finish() {
    this.#signal?.removeEventListener('abort', this.#onAbort);
  }

  /** What a reader of the body is told when it fails: the abort's reason, if it was aborted. */
  #failure(e) {
    this.#finish();
    return this.#signal?.aborted ? abortReason(this.#signal) : e;
  }

  /** Calls `onEnd` when `src` ends, or `onFail(reason)` once when it fails or closes first. */
  #watch(src, onEnd, onFail) {
    let settled = false;
    src.once('end', () => {
      if (settled) return;
      settled = true;
      this.#finish();
      onEnd();
    });
    const fail = (e) => {
      if (settled) return;
      settled = true;
      onFail(this.#failure(e));
    };
    src.once('error', fail);
    // 'close' follows 'end' on every response: the error (and its stack) only when it is one
    src.once('close', () => { if (!settled) fail(cutShort()); });
  }

  /** The whole body, as one Buffer; past `max` decoded bytes the reading stops and the connection
   * is closed, with `null` (or, with `cut`, the first `max` bytes). Counted as the bytes arrive
   * (after decompression): an endless body or a decompression bomb never gets further. */
  #bytes(max = Infinity, cut = false) {
    if (this.#used) return Promise.reject(new TypeError('Body is unusable: Body has already been read'));
    this.#used = true;
    const src = this.#src;
    if (src === null) return Promise.resolve(Buffer.alloc(0));
    if (src.destroyed) return Promise.reject(this.#failure(src.errored ?? cutShort()));
    return new Promise((resolve, reject) => {
      const chunks = [];
      let n = 0, over = false;
      const join = () => (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, n));
      src.on('data', (c) => {
        if (over) return;
        if (n + c.length > max) {
          over = true;
          if (cut) { chunks.push(c.subarray(0, max - n)); n = max; }
          resolve(cut ? join() : null);
          this.cancel();
          return;
        }
        chunks.push(c);
        n += c.length;
      });
      this.#watch(src, () => resolve(join()), (e) => { if (!over) reject(e); });
    });
  }

  /** The body up to `max` bytes (see `#bytes`): what api.js reads answers with. */
  bytesUpTo(max, cut = false) {
    return this.#bytes(max, cut);
  }

  /** Stops reading the body and closes its connection. */
  cancel() {
    this.#finish();
    this.#src?.destroy();
    this.#req.destroy();
  }

  async text() {
    const s = (await this.#bytes()).toString('utf8');
    return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
  }

  async json() {
    return JSON.parse(await this.text());
  }

  async arrayBuffer() {
    const b = await this.#bytes();
    // a small Buffer may be a slice of Node's shared pool: hand out its own copy
    return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b.buffer : b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
  }

  /** A ReadableStream of the body's bytes; cancelling it closes the request. Each read takes
   * everything that arrived since the last one, as one chunk: node:http hands over one piece per
   * HTTP chunk the server wrote (16 KB writes: ~1.7x the reads undici's fetch makes of the same
   * stream), and every read costs a consumer such as the stream decoder a crossing. */
  get body() {
    if (this.#stream !== null || this.#src === null) return this.#stream;
    if (this.#used) return null;
    this.#used = true;
    const src = this.#src, req = this.#req, self = this;
    let done = false; // closed, failed or cancelled
    let srcEnded = false;
    let pending = [], pendingBytes = 0;
    let wake = null; // a pull waiting for data
    const take = () => {
      const c = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      return c;
    };
    this.#stream = new ReadableStream({
      start(controller) {
        if (src.destroyed) {
          done = true;
          controller.error(self.#failure(src.errored ?? cutShort()));
          return;
        }
        src.on('data', (c) => {
          if (done) return;
          pending.push(c);
          pendingBytes += c.length;
          if (wake !== null) {
            const w = wake;
            wake = null;
            controller.enqueue(take());
            w();
          } else if (pendingBytes >= MAX_PENDING) {
            src.pause(); // nobody is reading: stop taking bytes until someone does
          }
        });
        const wakeUp = () => { if (wake !== null) { wake(); wake = null; } };
        self.#watch(src, () => {
          if (done) return; // cancelled
          srcEnded = true;
          if (pending.length === 0) {
            done = true;
            controller.close();
            wakeUp();
          }
        }, (e) => {
          if (done) return;
          done = true;
          controller.error(e);
          wakeUp();
        });
      },
      pull(controller) {
        if (done) return undefined;
        if (pending.length > 0) {
          controller.enqueue(take());
          if (srcEnded) {
            done = true;
            controller.close();
          } else {
            src.resume();
          }
          return undefined;
        }
        src.resume();
        return new Promise((resolve) => { wake = resolve; });
      },
      cancel() {
        done = true;
        pending = [];
        self.#finish();
        src.destroy();
        req.destroy();
      },
    }, { highWaterMark: 0 });
    return this.#stream;
  }
}
