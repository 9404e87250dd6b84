// Node (and Bun): read the .wasm files beside this file. The tokens module (the tokenizer: most of
// the bytes, a tenth of the code) is instantiated at import, so `countTokens` is ready at once;
// the core is compiled and instantiated on its first use (the first `completion()`, model lookup,
// ...), which keeps ~10 ms of compiling its code out of every import.
import { readFileSync } from 'node:fs';
import { initSync as initTokens } from './unillm_tokens.js';
import { initLazy } from './unillm.js';
import { runtime } from './runtime.js';

initTokens({ module: readFileSync(new URL('./unillm_tokens_bg.wasm', import.meta.url)) });
initLazy(() => ({ module: readFileSync(new URL('./unillm_bg.wasm', import.meta.url)) }));

// Node's own HTTP client rather than its fetch (node-transport.js says why and when not), loaded
// with the first request: node:http and node:https take ~11 ms to load, which an import that only
// counts tokens should not pay. Bun, which loads this file too, keeps its native fetch.
let nodeFetch = null;
if (!globalThis.process?.versions?.bun) {
  runtime.fetch = (input, init) => nodeFetch !== null
    ? nodeFetch(input, init)
    : import('./node-transport.js').then((m) => { nodeFetch = m.nodeFetch; return nodeFetch(input, init); });
} else {
  runtime.fetch = bunFetch;
}

const CODINGS = { gzip: 'gzip', 'x-gzip': 'gzip', deflate: 'deflate' };

/** Bun's fetch, with the body decoded here rather than by Bun: Bun inflates a compressed body
 * ahead of its reader, so a decompression bomb grew the process by 100+ MB before the reader's
 * cancel (at the response limit) reached it; a `DecompressionStream` inflates only as it is read.
 * Only gzip and deflate are asked for (`accept-encoding`); another coding is refused. */
async function bunFetch(input, init = {}) {
  // api.js passes a plain object of lower-case names
  const headers = { 'accept-encoding': 'gzip, deflate', ...init.headers };
  const res = await globalThis.fetch(input, { ...init, headers, decompress: false });
  const coding = (res.headers.get('content-encoding') ?? '').trim().toLowerCase();
  if (coding === '' || coding === 'identity' || res.body === null) return res;
  const format = CODINGS[coding];
  if (format === undefined) {
    res.body.cancel().catch(() => {});
    throw new TypeError(`the answer has a content coding this transport does not decode: ${coding}`);
  }
  return new Response(res.body.pipeThrough(new DecompressionStream(format)), { status: res.status, statusText: res.statusText, headers: res.headers });
}

export * from './api.js';
