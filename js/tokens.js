// The compiled-in tokenizer (o200k_base, cl100k_base): exact counts with no network. Encoding,
// decoding and counting text use the tokens module alone (`unillm_tokens_bg.wasm`); chat
// accounting and trimming are the core's, which counts through the tokens module.
import { encode as wEncode, decode as wDecode, countTokens as wCount, encodingForModel as wEncodingForModel,
  tokenSpans as wSpans, clearCache as wClearCache } from './unillm_tokens.js';
import { tokenCounter as wCounter, trimMessages as wTrim } from './unillm.js';
import { fromWasm, makeError } from './errors.js';
import { defaultModels } from './models.js';

function target(opts) {
  if (typeof opts === 'string') return [opts, false];
  const { model, encoding } = opts ?? {};
  if (typeof encoding === 'string') return [encoding, true];
  if (typeof model === 'string') return [model, false];
  throw makeError('BadRequestError', 'pass `{ model }` or `{ encoding }` (o200k_base, cl100k_base)', { param: 'model' });
}

function text(t) {
  if (typeof t !== 'string') throw makeError('BadRequestError', `expected a string, got ${t === null ? 'null' : typeof t}`, { param: 'text' });
  return t;
}

// A special-token set for the tokens module: "n" none, "a" all, "o" then each token after a NUL.
function specials(v) {
  if (v === undefined || v === null) return 'n';
  if (v === 'all') return 'a';
  const list = v instanceof Set ? [...v] : v;
  if (Array.isArray(list) && list.every((t) => typeof t === 'string')) return list.reduce((s, t) => `${s}\0${t}`, 'o');
  throw makeError('BadRequestError', 'special tokens must be "all" or an array of token strings');
}

function call(fn) {
  try { return fn(); } catch (e) { throw fromWasm(e); }
}

/** Token ids (a `Uint32Array`). Special-token strings are an error unless allowed, as in tiktoken. */
export function encode(t, opts = { encoding: 'o200k_base' }) {
  const [name, isEnc] = target(opts);
  const disallowed = opts?.disallowedSpecial === undefined ? 'a' : specials(opts.disallowedSpecial);
  return call(() => wEncode(text(t), name, isEnc, specials(opts?.allowedSpecial), disallowed));
}

/** The text of token ids. */
export function decode(ids, opts = { encoding: 'o200k_base' }) {
  const [name, isEnc] = target(opts);
  let arr;
  try { arr = ids instanceof Uint32Array ? ids : Uint32Array.from(ids, (x) => { if (!Number.isInteger(x) || x < 0 || x > 0xffffffff) throw new Error(); return x; }); }
  catch { throw makeError('BadRequestError', 'token ids must be non-negative integers', { param: 'ids' }); }
  return call(() => wDecode(arr, name, isEnc));
}

/**
 * Token ids of `text` (special-token strings as ordinary text, like `countTokens`) and where each
 * token ends in UTF-16 code units, for highlighting: token `i` is `text.slice(ends[i-1] ?? 0, ends[i])`.
 * A token that ends inside a character ends after it, so the next token's slice may be empty.
 */
export function tokenize(t, opts = { encoding: 'o200k_base' }) {
  const [name, isEnc] = target(opts);
  const both = call(() => wSpans(text(t), name, isEnc));
  const n = both.length / 2;
  return { ids: both.subarray(0, n), ends: both.subarray(n) };
}

/** The number of tokens of `text` (special-token strings count as text). */
export function countTokens(t, opts = { encoding: 'o200k_base' }) {
  const [name, isEnc] = target(opts);
  return call(() => wCount(text(t), name, isEnc));
}

/**
 * LiteLLM's `token_counter`: `{ tokens, exact, encoding }` for chat `messages` (OpenAI's
 * accounting, tools and tool choice included) or plain `text`. Non-OpenAI models are approximated
 * with cl100k_base and say `exact: false`.
 */
export function tokenCounter({ model, messages, text: t, tools, toolChoice } = {}) {
  if (typeof model !== 'string') throw makeError('BadRequestError', 'tokenCounter: `model` is required', { param: 'model' });
  return JSON.parse(call(() => wCounter(JSON.stringify({ model, messages, text: t, tools, toolChoice }))));
}

/** The conversation fitted into `maxTokens` (default 75% of the model's input window): system messages and the latest turns. */
export function trimMessages({ model, messages, maxTokens, models } = {}) {
  if (typeof model !== 'string') throw makeError('BadRequestError', 'trimMessages: `model` is required', { param: 'model' });
  const reg = models ?? defaultModels();
  return JSON.parse(call(() => wTrim(JSON.stringify({ model, messages, maxTokens }), reg._wasm)));
}

/** The tiktoken encoding of an OpenAI model (`undefined` for other models). */
export function encodingForModel(model) {
  return wEncodingForModel(String(model));
}

/** Forgets the merged words the tokenizer remembers across calls; returns how many there were. */
export function clearTokenCache() {
  return wClearCache();
}
