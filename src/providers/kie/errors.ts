/**
 * KIE error classification (docs/providers.md §kie-errors). Business errors usually come back as HTTP 200
 * with a non-200 body `code`; the body code wins, the HTTP status is the fallback when no
 * envelope could be read. Messages carry the operation, the code and KIE's message — never the
 * API key (it is redacted should KIE ever echo it) and never a request URL.
 */
import { RequestError, TimeoutError } from 'got';
import { ProviderError, type ErrorClass, type ProviderUserReason } from '../types.js';

export type KieOperation = 'createTask' | 'recordInfo' | 'upload' | 'credit';

export interface KieErrorOptions {
  /** Minimum wait before retrying after a body/HTTP 429 (KIE: 20 requests per 10 s). */
  rateLimitDelayMs: number;
  /** Minimum wait before retrying after 455 (maintenance). */
  maintenanceDelayMs: number;
  /** Removed from any message before it leaves this module. */
  secrets: readonly string[];
}

/** A KIE answer that is not a success: non-2xx HTTP, a body code other than 200, or a bad body. */
export class KieApiError extends Error {
  constructor(
    readonly operation: KieOperation,
    readonly httpStatus: number,
    /** Body `code`, when an envelope could be parsed. */
    readonly bodyCode: number | undefined,
    readonly kieMessage: string,
    /** True when the answer was 2xx but its body did not match the schema. */
    readonly malformed = false,
  ) {
    super(
      `KIE ${operation}: ` +
        (malformed ? `malformed response (HTTP ${httpStatus})` : bodyCode !== undefined ? `code ${bodyCode}` : `HTTP ${httpStatus}`) +
        (kieMessage ? `: ${kieMessage}` : ''),
    );
    this.name = 'KieApiError';
  }
}

/** The bytes streamed for an upload did not match the declared InputMedia.size. */
export class KieInputSizeError extends Error {
  constructor(expected: number, actual: number) {
    super(`input stream size ${actual} does not match the declared size ${expected}`);
    this.name = 'KieInputSizeError';
  }
}

/** Network error codes meaning "no usable response"; the task (if any) is unaffected. */
const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/** Network error codes raised before the request could reach KIE: nothing was processed. */
const NOT_SENT_NETWORK_CODES = new Set(['ECONNREFUSED', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN']);

/**
 * Body codes KIE itself answers when it refused a createTask (auth, balance, validation, rate
 * limit, maintenance, disabled model): no task was made. Any other failure of a createTask that
 * was sent — a 5xx or 524 from a proxy, body code 500, a reset, a premature close, a timeout —
 * may follow a created task (docs/providers.md §failure-model), so it is `ambiguous`.
 */
const CREATE_REFUSED_CODES = new Set([400, 401, 402, 404, 408, 422, 429, 455, 505]);

/** Timeout events of got that fire before any byte of the request left this process. */
const PRE_SEND_TIMEOUT_EVENTS = new Set(['lookup', 'connect', 'secureConnect']);

export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  // Telegram file URLs carry the bot token; KIE never sees them, but belt and braces.
  out = out.replace(/bot\d+:[A-Za-z0-9_-]{20,}/g, 'bot[redacted]');
  return out.length > 300 ? `${out.slice(0, 300)}…` : out;
}

function make(
  message: string,
  cls: ErrorClass,
  code: string,
  options: KieErrorOptions,
  reason: ProviderUserReason = 'provider_error',
  retryAfterMs?: number,
): ProviderError {
  return new ProviderError(redact(message, options.secrets), cls, code, reason, retryAfterMs);
}

/** Classifies a KIE business code (or an HTTP status standing in for one). */
function classifyCode(code: number, codeLabel: string, error: KieApiError, options: KieErrorOptions): ProviderError {
  const message = error.message;
  switch (code) {
    case 429:
      return make(message, 'retryable', codeLabel, options, 'provider_unavailable', options.rateLimitDelayMs);
    case 455:
      return make(message, 'retryable', codeLabel, options, 'provider_unavailable', options.maintenanceDelayMs);
    case 401: // our key: config, alert ops
    case 402: // our KIE balance is empty
    case 505: // feature / model disabled
      return make(message, 'final', codeLabel, options, 'provider_unavailable');
    case 404:
      // recordInfo 404 for a task we created: treat as transient (indexing lag, unconfirmed);
      // the job layer turns it final after its own grace period. Elsewhere: wrong endpoint/model.
      return error.operation === 'recordInfo'
        ? make(message, 'retryable', 'task_not_found', options, 'provider_error')
        : make(message, 'final', codeLabel, options, 'provider_unavailable');
    case 422:
      return make(message, 'final', codeLabel, options, 'bad_input');
    case 400:
      return make(message, 'final', codeLabel, options, 'bad_input');
    case 408:
      return make(message, 'retryable', codeLabel, options, 'provider_unavailable');
    default:
      if (code === 501) return make(message, 'final', codeLabel, options, 'provider_error');
      if (code >= 500 && code < 600) return make(message, 'retryable', codeLabel, options, 'provider_unavailable');
      return make(message, 'final', codeLabel, options, 'provider_error');
  }
}

function isPreSend(error: TimeoutError): boolean {
  if (PRE_SEND_TIMEOUT_EVENTS.has(error.event)) return true;
  // The body never finished uploading, so KIE cannot have accepted the request.
  const timings = error.timings as { upload?: number } | undefined;
  return timings !== undefined && timings.upload === undefined && error.event !== 'response';
}

function findCause<T>(error: unknown, type: abstract new (...args: never[]) => T): T | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    if (current instanceof type) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Maps anything thrown by a KIE call to a ProviderError. `operation` matters for the createTask
 * ambiguity: a timeout or abort after the request was sent (or a 2xx answer we could not read)
 * may have created a paid task, so it is `ambiguous` and never retried blindly.
 */
export function classifyKieError(error: unknown, operation: KieOperation | undefined, options: KieErrorOptions): ProviderError {
  if (error instanceof ProviderError) return error;

  const sizeError = findCause(error, KieInputSizeError);
  if (sizeError) return make(sizeError.message, 'final', 'input_size_mismatch', options, 'bad_input');

  if (error instanceof KieApiError && error.operation === 'createTask') {
    const refused = error.bodyCode !== undefined && error.bodyCode !== 200 && !error.malformed && CREATE_REFUSED_CODES.has(error.bodyCode);
    const clientError = error.bodyCode === undefined && !error.malformed && error.httpStatus >= 400 && error.httpStatus < 500;
    if (!refused && !clientError) {
      const code = error.malformed ? 'malformed_response' : error.bodyCode !== undefined ? String(error.bodyCode) : `http_${error.httpStatus}`;
      return make(`${error.message} (the task may exist)`, 'ambiguous', code, options, 'provider_error');
    }
  }

  if (error instanceof KieApiError) {
    if (error.malformed) {
      // A 2xx createTask we cannot read may still have created the task.
      if (error.operation === 'createTask' && error.httpStatus >= 200 && error.httpStatus < 300) {
        return make(error.message, 'ambiguous', 'malformed_response', options, 'provider_error');
      }
      return make(error.message, 'retryable', 'malformed_response', options, 'provider_unavailable');
    }
    if (error.bodyCode !== undefined && error.bodyCode !== 200) {
      return classifyCode(error.bodyCode, String(error.bodyCode), error, options);
    }
    return classifyCode(error.httpStatus, `http_${error.httpStatus}`, error, options);
  }

  const op = operation ?? 'request';
  if (error instanceof TimeoutError) {
    if (operation === 'createTask' && !isPreSend(error)) {
      return make(`KIE ${op}: timed out after the request was sent (${error.event})`, 'ambiguous', 'timeout_after_send', options);
    }
    return make(`KIE ${op}: timed out (${error.event})`, 'retryable', 'timeout', options, 'provider_unavailable');
  }

  const name = (error as { name?: unknown } | null)?.name;
  // AbortError, or the TimeoutError DOMException of AbortSignal.timeout / a step deadline.
  if (name === 'AbortError' || name === 'TimeoutError' || (error instanceof RequestError && error.code === 'ERR_ABORTED')) {
    // Our own signal: the job is shutting down. A create may already be on KIE's side.
    return operation === 'createTask'
      ? make(`KIE ${op}: aborted after the request may have been sent`, 'ambiguous', 'aborted', options)
      : make(`KIE ${op}: aborted`, 'retryable', 'aborted', options, 'provider_unavailable');
  }

  const code = (error as { code?: unknown } | null)?.code;
  if (operation === 'createTask' && !(typeof code === 'string' && NOT_SENT_NETWORK_CODES.has(code))) {
    // Reset, EPIPE, premature close, socket errors: KIE may have taken the request.
    return make(
      `KIE ${op}: ${typeof code === 'string' ? `network error ${code}` : 'request failed'} after the request may have been sent`,
      'ambiguous',
      typeof code === 'string' && code ? code : 'request_error',
      options,
    );
  }
  if (typeof code === 'string' && TRANSIENT_NETWORK_CODES.has(code)) {
    return make(`KIE ${op}: network error ${code}`, 'retryable', code, options, 'provider_unavailable');
  }
  if (error instanceof RequestError) {
    return make(`KIE ${op}: request error ${error.code}`, 'retryable', error.code || 'request_error', options, 'provider_unavailable');
  }
  const text = error instanceof Error ? error.message : String(error);
  return make(`KIE ${op}: unexpected error: ${text}`, 'final', 'unexpected', options);
}
