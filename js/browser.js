// Browsers and bundlers: fetch and compile both .wasm files beside this file (streaming compile,
// in parallel), once, at import. Bundlers (Vite, webpack, esbuild) see
// `new URL(..., import.meta.url)` and ship the files.
import initTokens from './unillm_tokens.js';
import init from './unillm.js';

await Promise.all([
  initTokens({ module_or_path: new URL('./unillm_tokens_bg.wasm', import.meta.url) }),
  init({ module_or_path: new URL('./unillm_bg.wasm', import.meta.url) }),
]);

export * from './api.js';
