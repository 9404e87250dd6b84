// Deno: read the .wasm files from disk when installed locally (npm: or node_modules) — the core
// then instantiated on first use, as in Node — and fetch them otherwise.
import initTokens from './unillm_tokens.js';
import init, { initLazy } from './unillm.js';

const tokens = new URL('./unillm_tokens_bg.wasm', import.meta.url);
const core = new URL('./unillm_bg.wasm', import.meta.url);
if (core.protocol === 'file:') {
  await initTokens({ module_or_path: await Deno.readFile(tokens) });
  initLazy(() => ({ module: Deno.readFileSync(core) }));
} else {
  await Promise.all([initTokens({ module_or_path: tokens }), init({ module_or_path: core })]);
}

export * from './api.js';
