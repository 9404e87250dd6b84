// Node (and Bun): read the .wasm files beside this file. The tokens module (the tokenizer: most of
// the bytes, a tenth of the code) is instantiated at import, so `countTokens` is ready at once;
// the core is compiled and instantiated on its first use (the first `completion()`, model lookup,
// ...), which keeps ~10 ms of compiling its code out of every import.
import { readFileSync } from 'node:fs';
import { initSync as initTokens } from './unillm_tokens.js';
import { initLazy } from './unillm.js';
import { nodeFetch } from './node-transport.js';
import { runtime } from './runtime.js';

initTokens({ module: readFileSync(new URL('./unillm_tokens_bg.wasm', import.meta.url)) });
initLazy(() => ({ module: readFileSync(new URL('./unillm_bg.wasm', import.meta.url)) }));

// Node's own HTTP client rather than its fetch (node-transport.js says why and when not);
// Bun, which loads this file too, keeps its native fetch
if (!globalThis.process?.versions?.bun) runtime.fetch = nodeFetch;

export * from './api.js';
