// Bring your own wasm: for runtimes and bundlers where none of the automatic entry points fit.
//   import { init, completion } from 'unillm/init';
//   await init(wasmModuleOrBytesOrUrlOrResponse);   // or initSync(moduleOrBytes)
import wasmInit, { initSync as wasmInitSync } from './unillm.js';

export async function init(source) {
  await wasmInit({ module_or_path: source });
}

export function initSync(source) {
  wasmInitSync({ module: source });
}

export * from './api.js';
