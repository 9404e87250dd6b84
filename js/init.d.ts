export * from './index.js';
/** Instantiates the wasm from a `WebAssembly.Module`, bytes, a URL or a `Response`. */
export declare function init(source: WebAssembly.Module | BufferSource | URL | string | Response | Promise<Response>): Promise<void>;
/** Instantiates the wasm synchronously from a `WebAssembly.Module` or bytes. */
export declare function initSync(source: WebAssembly.Module | BufferSource): void;
