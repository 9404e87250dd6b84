// Loads unillm once for the whole page: one download and one compile of each .wasm (the core and
// the tokenizer), shared by the counting worker (which gets the compiled WebAssembly.Modules by
// postMessage) and, lazily, by the main thread (the playground). The package is imported from ./unillm/, a copy of dist/ made by
// scripts/site.mjs, so the page works from any static file server.

const CORE_URL = new URL('./unillm/unillm_bg.wasm', import.meta.url);
const TOKENS_URL = new URL('./unillm/unillm_tokens_bg.wasm', import.meta.url);

/** Streaming compile; falls back to bytes if the server's MIME type is wrong. */
async function compile(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`cannot load ${url.pathname}: HTTP ${res.status}`);
  try {
    return await WebAssembly.compileStreaming(res.clone());
  } catch (e) {
    if (res.headers.get('content-type')?.startsWith('application/wasm')) throw e;
    return WebAssembly.compile(await res.arrayBuffer());
  }
}

let compiled = null;
/** The compiled modules, `{ core, tokens }`, as `unillm/init`'s `init` takes them. */
export function wasmModules() {
  compiled ??= (async () => {
    const [core, tokens] = await Promise.all([compile(CORE_URL), compile(TOKENS_URL)]);
    return { core, tokens };
  })();
  return compiled;
}

let loaded = null;
/** The package on the main thread, initialised from the shared module. */
export function mainPackage() {
  loaded ??= (async () => {
    const [pkg, modules] = await Promise.all([import('./unillm/init.js'), wasmModules()]);
    await pkg.init(modules);
    return pkg;
  })();
  return loaded;
}
