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
}

export * from './api.js';
