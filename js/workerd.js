// Cloudflare Workers (workerd): compiling wasm from bytes at run time is forbidden, so the .wasm is
// imported as a module (wrangler and esbuild-based bundlers do this for `.wasm` imports; a raw
// workerd config declares it as a `wasm` module) and instantiated synchronously.
import wasmModule from './unillm_bg.wasm';
import { initSync } from './unillm.js';

initSync({ module: wasmModule });

export * from './api.js';
