/**
 * Shared HTTP plumbing for provider clients: one got instance per provider with timeouts and
 * no built-in retries (retries are decided by the provider's error classification through
 * `withRetry`), and a p-retry wrapper with exponential backoff and jitter for transient errors.
 * Nothing here logs request bodies or headers, so keys and tokens never reach the logs.
 */
import { got, type Got } from 'got';
import pRetry, { AbortError } from 'p-retry';
import { type ProviderError } from './types.js';

export interface HttpClientOptions {
  baseUrl: string;
  /** Whole-request timeout in ms (default 30 s). */
  timeoutMs?: number;
  /** Connection establishment timeout in ms (default 5 s). */
  connectTimeoutMs?: number;
}

export function createHttpClient(options: HttpClientOptions): Got {
  return got.extend({
    prefixUrl: options.baseUrl.replace(/\/+$/, ''),
    timeout: { request: options.timeoutMs ?? 30_000, connect: options.connectTimeoutMs ?? 5_000 },
    retry: { limit: 0 },
    throwHttpErrors: false,
    followRedirect: false,
    headers: { 'user-agent': 'avatar-video-bot/1.0' },
  });
}

export interface RetryPolicy {
  /** Retries after the first attempt (default 4, i.e. at most 5 tries). */
  retries?: number;
  /** First backoff delay in ms (default 1000). */
  minDelayMs?: number;
  /** Backoff cap in ms (default 60 000). */
  maxDelayMs?: number;
  signal?: AbortSignal;
  /** Called before each retry, e.g. to count or log attempts (never log secrets). */
  onRetry?: (error: ProviderError, attempt: number) => void;
}

/**
 * Runs `attempt` and retries it only while `classify` calls the failure retryable.
 * Final and ambiguous errors are thrown at once (an ambiguous create must never be re-sent blindly).
 */
export async function withRetry<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  classify: (error: unknown) => ProviderError,
  policy: RetryPolicy = {},
): Promise<T> {
  try {
    return await pRetry(
      async (n) => {
        try {
          return await attempt(n);
        } catch (error) {
          const classified = classify(error);
          if (classified.errorClass !== 'retryable') throw new AbortError(classified);
          throw classified;
        }
      },
      {
        retries: policy.retries ?? 4,
        minTimeout: policy.minDelayMs ?? 1_000,
        maxTimeout: policy.maxDelayMs ?? 60_000,
        factor: 2,
        randomize: true,
        signal: policy.signal,
        onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
          const classified = classify(error);
          if (retriesLeft > 0) policy.onRetry?.(classified, attemptNumber);
          // Honour a provider-suggested minimum delay (e.g. KIE 429 → 10 s) on top of backoff.
          if (retriesLeft > 0 && classified.retryAfterMs) {
            await abortableSleep(classified.retryAfterMs, policy.signal);
          }
        },
      },
    );
  } catch (error) {
    throw classify(error);
  }
}

/** Sleeps `ms`, or less when the signal aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
