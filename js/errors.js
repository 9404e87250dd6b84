// Typed errors. One base class, one subclass per kind, all built in one factory (`makeError`).
// The core decides the kind; this file only gives it a JS shape. Messages never contain API keys:
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

export class BadRequestError extends UnillmError {}
export class AuthenticationError extends UnillmError {}
export class PermissionDeniedError extends UnillmError {}
export class NotFoundError extends UnillmError {}
export class ContextWindowExceededError extends BadRequestError {}
export class ContentPolicyViolationError extends BadRequestError {}
export class UnsupportedParamsError extends BadRequestError {}
export class UnprocessableEntityError extends UnillmError {}
export class RateLimitError extends UnillmError {}
export class Timeout extends UnillmError {}
export class APIConnectionError extends UnillmError {}
export class APIUserAbortError extends UnillmError {}
export class InternalServerError extends UnillmError {}
export class ServiceUnavailableError extends UnillmError {}
/** openai-node's name for a timeout. */
export const APIConnectionTimeoutError = Timeout;

const CLASSES = {
  BadRequestError, AuthenticationError, PermissionDeniedError, NotFoundError,
  ContextWindowExceededError, ContentPolicyViolationError, UnsupportedParamsError,
  UnprocessableEntityError, RateLimitError, Timeout, APIConnectionError, APIUserAbortError,
  InternalServerError, ServiceUnavailableError,
};

const DEFAULT_STATUS = {
  BadRequestError: 400, ContextWindowExceededError: 400, ContentPolicyViolationError: 400,
  UnsupportedParamsError: 400, AuthenticationError: 401, PermissionDeniedError: 403,
  NotFoundError: 404, Timeout: 408, UnprocessableEntityError: 422, RateLimitError: 429,
  APIUserAbortError: 499, InternalServerError: 500, APIConnectionError: 500, ServiceUnavailableError: 503,
};

const RETRYABLE = new Set(['RateLimitError', 'Timeout', 'APIConnectionError', 'InternalServerError', 'ServiceUnavailableError']);

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
