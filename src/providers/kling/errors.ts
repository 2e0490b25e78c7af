/**
 * Kling error classification (docs/providers.md §kling-errors, §retry). Always by the business `code` in the
 * body; the HTTP status is only a fallback when no envelope could be read. Messages carry the
 * code, Kling's message and request id — never keys or tokens.
 */
import { ProviderError, type ErrorClass, type ProviderUserReason } from '../types.js';

/** Codes after which the JWT is re-signed and the call repeated once. */
export const KLING_AUTH_RETRY_CODES: ReadonlySet<number> = new Set([1003, 1004]);

const RETRYABLE = new Set([1302, 1303, 5000, 5001, 5002]);
const CONFIG_FINAL = new Set([1000, 1001, 1002, 1100, 1101, 1102, 1103, 1304]);
const BAD_INPUT = new Set([1200, 1201]);
const BAD_REQUEST = new Set([1202, 1203]);
const CONTENT = new Set([1300, 1301]);

export type KlingOperation = 'create' | 'query';

export interface ClassifyOptions {
  operation: KlingOperation;
  /** Minimum delay before retrying 1303 (docs: ≥ 1 s). */
  concurrencyDelayMs: number;
}

/** A Kling answer with a non-zero business code (or an unusable HTTP answer). */
export class KlingApiError extends Error {
  constructor(
    readonly businessCode: number | undefined,
    readonly klingMessage: string,
    readonly httpStatus: number,
    readonly requestId?: string,
  ) {
    super(`Kling ${businessCode ?? 'HTTP ' + httpStatus}: ${klingMessage}` + (requestId ? ` (request_id ${requestId})` : ''));
    this.name = 'KlingApiError';
  }
}

/** A 2xx answer whose body did not match the expected schema. */
export class KlingResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KlingResponseError';
  }
}

export function classifyBusinessCode(error: KlingApiError, options: ClassifyOptions): ProviderError {
  const code = error.businessCode;
  const make = (cls: ErrorClass, reason: ProviderUserReason, retryAfterMs?: number) =>
    new ProviderError(error.message, cls, code === undefined ? `http_${error.httpStatus}` : String(code), reason, retryAfterMs);

  if (code === undefined) {
    // No envelope: fall back to the HTTP status.
    if (error.httpStatus === 429 || error.httpStatus >= 500) return make('retryable', 'provider_unavailable');
    return make('final', 'provider_error');
  }
  // "external_task_id already exists" proves our task exists (an earlier create got through).
  if (code === 1201 && /external_task_id/i.test(error.klingMessage)) return make(options.operation === 'create' ? 'ambiguous' : 'retryable', 'provider_error');
  if (code === 1303) return make('retryable', 'provider_unavailable', options.concurrencyDelayMs);
  if (RETRYABLE.has(code)) return make('retryable', 'provider_unavailable');
  // 1003/1004 reach here only after the one re-signed retry failed too: the clock is off.
  if (KLING_AUTH_RETRY_CODES.has(code)) return make('final', 'provider_unavailable');
  if (CONFIG_FINAL.has(code)) return make('final', 'provider_unavailable');
  if (BAD_INPUT.has(code)) return make('final', 'bad_input');
  if (BAD_REQUEST.has(code)) return make('final', 'provider_error');
  if (CONTENT.has(code)) return make('final', 'content_rejected');
  // Unknown codes: 5xxx looks like a server problem, anything else is final.
  if (code >= 5000 && code < 6000) return make('retryable', 'provider_unavailable');
  return make('final', 'provider_error');
}

const PRE_SEND_TIMEOUT_EVENTS = new Set(['lookup', 'connect', 'secureConnect']);

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Maps anything thrown while talking to Kling to a ProviderError. Idempotent for ProviderError. */
export function classifyKlingError(error: unknown, options: ClassifyOptions): ProviderError {
  if (error instanceof ProviderError) return error;
  if (error instanceof KlingApiError) return classifyBusinessCode(error, options);
  if (error instanceof KlingResponseError) {
    // A create answered 2xx with an unreadable body may still have created the task.
    return new ProviderError(error.message, options.operation === 'create' ? 'ambiguous' : 'retryable', 'invalid_response', 'provider_error');
  }
  const name = (error as { name?: unknown } | null)?.name;
  const code = errorCode(error);
  if (name === 'TimeoutError' || code === 'ETIMEDOUT') {
    const event = (error as { event?: unknown }).event;
    const sent = !(typeof event === 'string' && PRE_SEND_TIMEOUT_EVENTS.has(event));
    const cls: ErrorClass = options.operation === 'create' && sent ? 'ambiguous' : 'retryable';
    return new ProviderError(`Kling request timed out${typeof event === 'string' ? ` (${event})` : ''}`, cls, 'timeout', 'provider_unavailable');
  }
  if (name === 'AbortError' || code === 'ERR_ABORTED' || code === 'ABORT_ERR') {
    return new ProviderError('Kling request aborted', options.operation === 'create' ? 'ambiguous' : 'retryable', 'aborted', 'provider_unavailable');
  }
  if (code !== undefined) {
    // Connection refused/reset, DNS, socket hang up: no answer came. A re-sent create is safe
    // because the external_task_id is unique (a duplicate is answered with 1201 and looked up).
    return new ProviderError(`Kling network error ${code}`, 'retryable', code, 'provider_unavailable');
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ProviderError(`Kling client error: ${message}`, 'final', 'internal', 'provider_error');
}
