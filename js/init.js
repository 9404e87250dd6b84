// Bring your own wasm: for runtimes and bundlers where none of the automatic entry points fit.
//   import { init, completion } from 'unillm/init';
//   await init({ core: coreModuleOrBytesOrUrlOrResponse, tokens: tokensModuleOrBytesOrUrlOrResponse });
//   // or initSync({ core, tokens }) with modules or bytes
// `core` is `unillm_bg.wasm`, `tokens` is `unillm_tokens_bg.wasm` (the tokenizer), both in the package.
import initCore, { initSync as initCoreSync } from './unillm.js';
import initTokens, { initSync as initTokensSync } from './unillm_tokens.js';

function sources(arg, fn) {
  const { core, tokens } = arg ?? {};
  if (core == null || tokens == null) {
    throw new TypeError(`unillm/init: ${fn}({ core, tokens }) needs both wasm modules (unillm_bg.wasm and unillm_tokens_bg.wasm)`);
  }
  return [core, tokens];
}

export async function init(arg) {
  const [core, tokens] = sources(arg, 'init');
  await Promise.all([initTokens({ module_or_path: tokens }), initCore({ module_or_path: core })]);
}

export function initSync(arg) {
  const [core, tokens] = sources(arg, 'initSync');
  initTokensSync({ module: tokens });
  initCoreSync({ module: core });
}

export * from './api.js';
