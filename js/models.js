// The compiled-in model table: model info, capability flags, costs. A `ModelRegistry` holds the
// caller's own entries (`registerModel`) on top of the table; the top-level functions use a
// default registry, and `createClient({ models })` lets a client price with its own.
import { ModelRegistry as WasmRegistry } from './unillm.js';
import { fromWasm, makeError } from './errors.js';

function wrap(fn) {
  try { return fn(); } catch (e) { throw fromWasm(e); }
}

function processEnvNames() {
  try {
    const p = globalThis.process;
    if (p?.env) return Object.keys(p.env).filter((k) => p.env[k]);
  } catch { /* no access */ }
  try {
    const d = globalThis.Deno;
    if (d?.env?.toObject) return Object.entries(d.env.toObject()).filter(([, v]) => v).map(([k]) => k);
  } catch { /* no --allow-env */ }
  return [];
}

export class ModelRegistry {
  #wasm = null;
  #custom = 0;

  /** @internal the wasm handle (created on first use: the module may not be initialised at import). */
  get _wasm() {
    this.#wasm ??= new WasmRegistry();
    return this.#wasm;
  }

  /** @internal whether prices differ from the built-in table. */
  get _custom() {
    return this.#custom > 0;
  }

  /**
   * Adds or updates models, LiteLLM-style: `registerModel({ 'my-model': { input_cost_per_token, ... } })`
   * or `registerModel('my-model', { ... })`.
   */
  registerModel(nameOrMap, info) {
    const entries = typeof nameOrMap === 'string' ? [[nameOrMap, info]] : Object.entries(nameOrMap ?? {});
    for (const [name, i] of entries) {
      if (i === null || typeof i !== 'object') throw makeError('BadRequestError', `registerModel: the info for \`${name}\` must be an object`);
      wrap(() => this._wasm.registerModel(name, JSON.stringify(i)));
      this.#custom++;
    }
  }

  unregisterModel(name) {
    return this._wasm.unregisterModel(String(name));
  }

  /** LiteLLM's `get_model_info`: limits, prices, provider, mode and `supports_*` flags. Throws NotFoundError for an unknown model. */
  getModelInfo(model, { provider } = {}) {
    const json = wrap(() => this._wasm.modelInfo(String(model), provider));
    if (json === undefined) throw makeError('NotFoundError', `unknown model \`${model}\`: not in the model table (register it with registerModel)`, { model });
    return JSON.parse(json);
  }

  /** The model's maximum output tokens, or `undefined`. */
  getMaxTokens(model) {
    return this._wasm.maxTokens(String(model));
  }

  /** `supports_<capability>` for the model (`false` when unknown). */
  supports(model, capability) {
    return wrap(() => this._wasm.supports(String(model), String(capability)));
  }

  modelList() {
    return JSON.parse(this._wasm.modelList());
  }

  providerList() {
    return JSON.parse(this._wasm.providerList());
  }

  /** `{ prompt, completion }` in USD. `usage` in OpenAI's shape. */
  costPerToken({ model, usage, provider, serviceTier } = {}) {
    if (typeof model !== 'string') throw makeError('BadRequestError', 'costPerToken: `model` is required', { param: 'model' });
    return JSON.parse(wrap(() => this._wasm.costPerToken(model, JSON.stringify(usage ?? {}), JSON.stringify({ provider, serviceTier, nowMs: Date.now() }))));
  }

  /** The cost in USD: of a `response` (priced as `model` if given), or of `usage` on `model`. */
  completionCost({ response, model, usage, provider, serviceTier } = {}) {
    if (response != null) {
      return wrap(() => this._wasm.responseCost(JSON.stringify(response), model, provider));
    }
    const c = this.costPerToken({ model, usage, provider, serviceTier });
    return c.prompt + c.completion;
  }

  /** Which of the provider's standard variables are missing from `env` (default: the process environment). */
  validateEnvironment(model, env) {
    const names = env ? Object.keys(env).filter((k) => typeof env[k] === 'string' && env[k] !== '') : processEnvNames();
    const r = JSON.parse(wrap(() => this._wasm.validateEnvironment(String(model), JSON.stringify(names))));
    return { keysInEnvironment: r.keys_in_environment, missingKeys: r.missing_keys };
  }
}

/** Every capability name (`function_calling`, `vision`, `reasoning`, ...). */
export function capabilities() {
  return JSON.parse(WasmRegistry.capabilities());
}

let defaultRegistry = null;
/** The registry the top-level functions and `completion()` price with. */
export function defaultModels() {
  defaultRegistry ??= new ModelRegistry();
  return defaultRegistry;
}

export const registerModel = (nameOrMap, info) => defaultModels().registerModel(nameOrMap, info);
export const getModelInfo = (model, opts) => defaultModels().getModelInfo(model, opts);
export const getMaxTokens = (model) => defaultModels().getMaxTokens(model);
export const supports = (model, capability) => defaultModels().supports(model, capability);
export const modelList = () => defaultModels().modelList();
export const providerList = () => defaultModels().providerList();
export const costPerToken = (args) => defaultModels().costPerToken(args);
export const completionCost = (args) => defaultModels().completionCost(args);
export const validateEnvironment = (model, env) => defaultModels().validateEnvironment(model, env);

export const supportsFunctionCalling = (model) => supports(model, 'function_calling');
export const supportsParallelFunctionCalling = (model) => supports(model, 'parallel_function_calling');
export const supportsVision = (model) => supports(model, 'vision');
export const supportsResponseSchema = (model) => supports(model, 'response_schema');
export const supportsPromptCaching = (model) => supports(model, 'prompt_caching');
export const supportsReasoning = (model) => supports(model, 'reasoning');
export const supportsToolChoice = (model) => supports(model, 'tool_choice');
export const supportsSystemMessages = (model) => supports(model, 'system_messages');
export const supportsAudioInput = (model) => supports(model, 'audio_input');
export const supportsAudioOutput = (model) => supports(model, 'audio_output');
export const supportsPdfInput = (model) => supports(model, 'pdf_input');
export const supportsWebSearch = (model) => supports(model, 'web_search');
export const supportsComputerUse = (model) => supports(model, 'computer_use');
