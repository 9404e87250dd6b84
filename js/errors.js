// Typed errors. One base class, one subclass per kind, all built in one factory (`makeError`).
// The core decides the kind; this file only gives it a JS shape. The subclasses, their default
// statuses and which are retryable are generated from src/error.rs at build time (the
// `@generated` line; scripts/gen-js.mjs), so dist/errors.js is the file that runs. Messages never contain API keys:
// the core redacts provider messages, and nothing here ever reads a key.

export class UnillmError extends Error {
  constructor(message, info = {}) {
    super(message);
    this.name = new.target.name;
    /** The kind, equal to the class name (stable across bundlers that rename classes). */
    this.kind = info.kind ?? new.target.name;
    /** HTTP status from the provider, or the status a gateway would answer with. */
    this.status = info.status ?? DEFAULT_STATUS[this.kind] ?? undefined;
    this.provider = info.provider;
    this.model = info.model;
    /** Whether the same call may succeed if tried again. */
    this.retryable = info.retryable ?? false;
    /** Seconds to wait before retrying, from Retry-After or the provider's own hints. */
    this.retryAfter = info.retryAfterMs != null ? info.retryAfterMs / 1000 : undefined;
    this.retryAfterMs = info.retryAfterMs;
    this.code = info.code;
    this.param = info.param;
    this.requestId = info.requestId;
    if (info.cause !== undefined) this.cause = info.cause;
  }

  /** The error as the core's JSON form (what the retry policy reads). */
  toJSON() {
    return {
      kind: this.kind, message: this.message, status: this.status, provider: this.provider,
      model: this.model, retryable: this.retryable, retryAfterMs: this.retryAfterMs,
      code: this.code, param: this.param, requestId: this.requestId,
    };
  }
}

/** Alias for code written against the `openai` package. */
export const APIError = UnillmError;

// @generated error-classes.js
/** openai-node's name for a timeout. */
export const APIConnectionTimeoutError = Timeout;

/** Builds the error of the given kind. */
export function makeError(kind, message, info = {}) {
  const Cls = CLASSES[kind] ?? InternalServerError;
  return new Cls(message, { retryable: RETRYABLE.has(kind), ...info, kind: CLASSES[kind] ? kind : 'InternalServerError' });
}

/** Turns what the wasm layer threw (a JSON string, or a trap) into a typed error. */
export function fromWasm(e, context = {}) {
  if (e instanceof UnillmError) return e;
  if (typeof e === 'string') {
    let info;
    try { info = JSON.parse(e); } catch { info = { kind: 'InternalServerError', message: e }; }
    return makeError(info.kind, info.message, { ...context, ...stripNulls(info) });
  }
  // A trap (a bug in unillm, never an input problem we failed to type): keep the original as cause.
  return makeError('InternalServerError', `unillm internal error: ${e?.message ?? e}`, { ...context, cause: e, retryable: false });
}

/** Parses the core's error JSON (a string) into a typed error. */
export function fromErrorJson(json, context = {}) {
  return fromWasm(String(json), context);
}

function stripNulls(o) {
  const out = {};
  for (const k in o) if (o[k] != null) out[k] = o[k];
  return out;
}
