export * from './index.js';
/** A wasm module as `init` takes it. */
export type WasmSource = WebAssembly.Module | BufferSource | URL | string | Response | Promise<Response>;
/**
 * Instantiates both wasm modules of the package: `core` (`unillm_bg.wasm`) and `tokens`
 * (`unillm_tokens_bg.wasm`, the tokenizer), each from a `WebAssembly.Module`, bytes, a URL or a `Response`.
 */
export declare function init(sources: { core: WasmSource; tokens: WasmSource }): Promise<void>;
/** Instantiates both wasm modules synchronously from `WebAssembly.Module`s or bytes. */
export declare function initSync(sources: { core: WebAssembly.Module | BufferSource; tokens: WebAssembly.Module | BufferSource }): void;
