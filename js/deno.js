// Deno: read the .wasm from disk when installed locally (npm: or node_modules), fetch it otherwise.
import init from './unillm.js';

const url = new URL('./unillm_bg.wasm', import.meta.url);
await init({ module_or_path: url.protocol === 'file:' ? await Deno.readFile(url) : url });

export * from './api.js';
