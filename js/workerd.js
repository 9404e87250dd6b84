// Cloudflare Workers (workerd): compiling wasm from bytes at run time is forbidden, so the .wasm
// files are imported as modules (wrangler and esbuild-based bundlers do this for `.wasm` imports;
// a raw workerd config declares them as `wasm` modules). The tokens module is instantiated at
// once, the core on first use.
import tokensModule from './unillm_tokens_bg.wasm';
import coreModule from './unillm_bg.wasm';
import { initSync as initTokens } from './unillm_tokens.js';
import { initLazy } from './unillm.js';

initTokens({ module: tokensModule });
initLazy(() => ({ module: coreModule }));

export * from './api.js';
