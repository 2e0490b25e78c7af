/**
 * The Bot API client of background work (job delivery, notices, reconciliation). Unlike the
 * update handlers' client it must never hang a job: @grammyjs/auto-retry 2.x retries network
 * errors (HttpError) without limit, so a sendVideo that times out or is cut by the size guard
 * would be re-sent forever while the heartbeat keeps the lease. Here:
 *  - network errors and 5xx are NOT retried by the client: the job step decides (it has the
 *    deadline, the link fallback and the give-up time);
 *  - only 429 is retried, honouring retry_after, a few times and only while retry_after is short;
 *  - every call can carry an AbortSignal (the step's deadline).
 */
import { Api, type Transformer } from 'grammy';
import { blockedTransformer } from './api-transformers.js';
import { grammyFetch } from './bot-api-fetch.js';

export interface BoundedRetryOptions {
  /** 429 answers waited out and retried per call (default 3). */
  max429Retries?: number;
  /** A longer retry_after is returned to the caller at once (default 10 s). */
  maxRetryAfterSeconds?: number;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
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

/** Retries 429 only, bounded; network errors and other answers go straight back to the caller. */
export function boundedRetryTransformer(options: BoundedRetryOptions = {}): Transformer {
  const max = options.max429Retries ?? 3;
  const maxAfter = options.maxRetryAfterSeconds ?? 10;
  return async (prev, method, payload, signal) => {
    for (let attempt = 0; ; attempt++) {
      const result = await prev(method, payload, signal);
      if (result.ok || result.error_code !== 429 || attempt >= max) return result;
      const after = result.parameters?.retry_after ?? 3;
      if (after > maxAfter) return result;
      await sleep(after * 1000, signal as AbortSignal | undefined);
      if ((signal as AbortSignal | undefined)?.aborted) return result;
    }
  };
}

/** The transformers of the background client (the job messenger's tests use these too). */
export function backgroundTransformers(onBlocked: (chatId: number) => Promise<void>, options: BoundedRetryOptions = {}): Transformer[] {
  return [boundedRetryTransformer(options), blockedTransformer(onBlocked)];
}

export function createBackgroundApi(config: { token: string; apiRoot: string; timeoutSeconds?: number; onBlocked: (chatId: number) => Promise<void> }): Api {
  const api = new Api(config.token, { apiRoot: config.apiRoot, timeoutSeconds: config.timeoutSeconds ?? 120, fetch: grammyFetch });
  api.config.use(...backgroundTransformers(config.onBlocked));
  return api;
}
