// Loads unillm once for the whole page: one download and one compile of the .wasm, shared by the
// counting worker (which gets the compiled WebAssembly.Module by postMessage) and, lazily, by the
// main thread (the playground). The package is imported from ./unillm/, a copy of dist/ made by
// scripts/site.mjs, so the page works from any static file server.

const WASM_URL = new URL('./unillm/unillm_bg.wasm', import.meta.url);

let compiled = null;
/** The compiled module (streaming compile; falls back to bytes if the server's MIME type is wrong). */
export function wasmModule() {
  compiled ??= (async () => {
    const res = await fetch(WASM_URL);
    if (!res.ok) throw new Error(`cannot load ${WASM_URL.pathname}: HTTP ${res.status}`);
    try {
      return await WebAssembly.compileStreaming(res.clone());
    } catch (e) {
      if (res.headers.get('content-type')?.startsWith('application/wasm')) throw e;
      return WebAssembly.compile(await res.arrayBuffer());
    }
  })();
  return compiled;
}

let loaded = null;
/** The package on the main thread, initialised from the shared module. */
export function mainPackage() {
  loaded ??= (async () => {
    const [pkg, module] = await Promise.all([import('./unillm/init.js'), wasmModule()]);
    await pkg.init(module);
    return pkg;
  })();
  return loaded;
}
