// Node (and Bun): read the .wasm beside this file and instantiate it synchronously at import.
import { readFileSync } from 'node:fs';
import { initSync } from './unillm.js';

initSync({ module: readFileSync(new URL('./unillm_bg.wasm', import.meta.url)) });

export * from './api.js';
