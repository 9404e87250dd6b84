// Browsers and bundlers: fetch and compile the .wasm beside this file (streaming compile), once,
// at import. Bundlers (Vite, webpack, esbuild) see `new URL(..., import.meta.url)` and ship the file.
import init from './unillm.js';

await init({ module_or_path: new URL('./unillm_bg.wasm', import.meta.url) });

export * from './api.js';
