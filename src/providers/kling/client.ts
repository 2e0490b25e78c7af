/**
 * The low-level official Kling API client shared by every suite endpoint: JWT auth (re-signed
 * once on 1003/1004), the envelope checked with zod, business-code classification, and the
 * lost-answer rules of a create (docs/providers.md §failure-model):
 *  - every create carries our `external_task_id`;
 *  - 1201 "external_task_id already exists" proves the task exists: look it up, and when it cannot
 *    be found yet answer `ambiguous` (keep looking), never a final bad-input error;
 *  - `findByExternalId` asks `GET {path}/{external_task_id}` first (the docs accept either id
 *    there), then scans the list pages.
 */
import { createHttpClient, withRetry, type RetryPolicy } from '../http.js';
import { ProviderError } from '../types.js';
import { KLING_AUTH_RETRY_CODES, KlingApiError, KlingResponseError, classifyKlingError, type KlingOperation } from './errors.js';
import { createKlingTokenSigner, type KlingTokenSigner } from './jwt.js';
import { klingEnvelopeSchema } from './schemas.js';
import { klingSuiteTaskListSchema, klingSuiteTaskSchema, type KlingSuiteTask } from './suite-schemas.js';

/** Minimal logger shape (pino-compatible). Only codes, ids and attempt counts are logged. */
export interface KlingLogger {
  warn(obj: object, msg?: string): void;
  debug?(obj: object, msg?: string): void;
}

export interface KlingRetryOptions {
  /** Retries after the first attempt (default 4). */
  retries?: number;
  /** First backoff delay (default 1000 ms). */
  minDelayMs?: number;
  /** Backoff cap (default 60 000 ms). */
  maxDelayMs?: number;
  /** Extra minimum wait before retrying 1303 (docs: ≥ 1 s; default 1000 ms). */
  concurrencyDelayMs?: number;
}

/** external_task_id for our generation id: unique per generation, stable across retries. */
export function klingExternalTaskId(generationId: string): string {
  return `gen-${generationId}`;
}

export interface KlingClientConfig {
  accessKey: string;
  secretKey: string;
  apiBaseUrl: string;
  timeoutMs?: number;
  connectTimeoutMs?: number;
  retry?: KlingRetryOptions;
  now?: () => number;
  logger?: KlingLogger;
  /** How many list pages (50 tasks each) a lookup scans (default 4). */
  findTaskMaxPages?: number;
}

export interface KlingClient {
  /** One exchange; returns `data` of a code-0 answer, throws KlingApiError/KlingResponseError. */
  call(method: 'GET' | 'POST', path: string, options?: CallOptions): Promise<unknown>;
  /** A create with retries and the 1201 lookup; returns the task id. */
  createTask(path: string, body: Record<string, unknown>, externalTaskId: string, signal?: AbortSignal, refine?: Refine): Promise<string>;
  /** GET {path}/{id} with retries on transient errors. */
  getTask(path: string, id: string, signal?: AbortSignal): Promise<KlingSuiteTask>;
  /** The task carrying our external_task_id, or null when Kling has none. */
  findByExternalId(path: string, externalTaskId: string, signal?: AbortSignal): Promise<{ taskId: string } | null>;
  /** A synchronous call (identify-face) with retries on transient errors. */
  callSync(path: string, body: Record<string, unknown>, signal?: AbortSignal, refine?: Refine): Promise<unknown>;
  classify(operation: KlingOperation): (error: unknown) => ProviderError;
  readonly signedTokenCount: number;
}

/** Turns an endpoint-specific refusal into its own ProviderError (null: classify as usual). */
export type Refine = (error: unknown) => ProviderError | null;

interface CallOptions {
  json?: unknown;
  searchParams?: Record<string, string | number>;
  signal?: AbortSignal;
}

const FIND_PAGE_SIZE = 50;

/** True for Kling's "external_task_id already exists" refusal of a create. */
export function isDuplicateExternalId(error: unknown): boolean {
  return error instanceof KlingApiError && error.businessCode === 1201 && /external_task_id/i.test(error.klingMessage);
}

export function createKlingClient(config: KlingClientConfig): KlingClient {
  const http = createHttpClient({ baseUrl: config.apiBaseUrl, timeoutMs: config.timeoutMs, connectTimeoutMs: config.connectTimeoutMs });
  const signer: KlingTokenSigner = createKlingTokenSigner(config.now ?? Date.now);
  const concurrencyDelayMs = config.retry?.concurrencyDelayMs ?? 1_000;
  const maxPages = config.findTaskMaxPages ?? 4;
  const log = config.logger;
  const classify = (operation: KlingOperation) => (error: unknown) => classifyKlingError(error, { operation, concurrencyDelayMs });

  function policy(operation: string, signal?: AbortSignal): RetryPolicy {
    return {
      retries: config.retry?.retries,
      minDelayMs: config.retry?.minDelayMs,
      maxDelayMs: config.retry?.maxDelayMs,
      signal,
      onRetry: (error, attempt) => log?.warn({ provider: 'kling', operation, code: error.code, attempt }, 'kling call failed, retrying'),
    };
  }

  async function call(method: 'GET' | 'POST', path: string, options: CallOptions = {}): Promise<unknown> {
    const credentials = { accessKey: config.accessKey, secretKey: config.secretKey };
    let token = signer.token(credentials);
    for (let resigned = false; ; resigned = true) {
      const response = await http(path, {
        method,
        json: options.json,
        searchParams: options.searchParams,
        signal: options.signal,
        responseType: 'text',
        headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      });
      const status = response.statusCode;
      const ok = status >= 200 && status < 300;
      let parsedJson: unknown;
      try {
        parsedJson = JSON.parse(response.body);
      } catch {
        if (ok) throw new KlingResponseError(`Kling answered HTTP ${status} with a non-JSON body`);
        throw new KlingApiError(undefined, 'non-JSON error body', status);
      }
      const envelope = klingEnvelopeSchema.safeParse(parsedJson);
      if (!envelope.success) {
        if (ok) throw new KlingResponseError(`Kling answered HTTP ${status} without a valid envelope`);
        throw new KlingApiError(undefined, 'error body without envelope', status);
      }
      const { code, message, request_id: requestId, data } = envelope.data;
      if (code === 0 && ok) return data;
      if (code === 0) throw new KlingApiError(undefined, 'code 0 with an error status', status, requestId);
      if (KLING_AUTH_RETRY_CODES.has(code) && !resigned) {
        log?.warn({ provider: 'kling', code, requestId }, 'kling token rejected, re-signing once');
        token = signer.token(credentials, true);
        continue;
      }
      throw new KlingApiError(code, message, status, requestId);
    }
  }

  function parseTask(data: unknown, what: string): KlingSuiteTask {
    const task = klingSuiteTaskSchema.safeParse(data);
    if (!task.success) throw new KlingResponseError(`Kling ${what} answer has no valid task object`);
    return task.data;
  }

  /** One lookup pass (no retries): direct GET by external id, then the list pages. */
  async function lookupOnce(path: string, externalTaskId: string, signal?: AbortSignal): Promise<{ taskId: string } | null> {
    try {
      const task = parseTask(await call('GET', `${path}/${encodeURIComponent(externalTaskId)}`, { signal }), 'lookup');
      if (task.task_info?.external_task_id === externalTaskId) return { taskId: task.task_id };
    } catch (error) {
      // 1203 / 404: this route does not know the id as an external id; fall back to the list.
      const notFound = error instanceof KlingApiError && (error.businessCode === 1203 || error.httpStatus === 404);
      if (!notFound) throw error;
    }
    for (let page = 1; page <= maxPages; page += 1) {
      const data = await call('GET', path, { searchParams: { pageNum: page, pageSize: FIND_PAGE_SIZE }, signal });
      const list = klingSuiteTaskListSchema.safeParse(data);
      if (!list.success) throw new KlingResponseError('Kling task list answer is not a task array');
      const match = list.data.find((task) => task.task_info?.external_task_id === externalTaskId);
      if (match) return { taskId: match.task_id };
      if (list.data.length < FIND_PAGE_SIZE) break;
    }
    return null;
  }

  function findByExternalId(path: string, externalTaskId: string, signal?: AbortSignal) {
    return withRetry(() => lookupOnce(path, externalTaskId, signal), classify('query'), policy('find', signal));
  }

  async function createTask(path: string, body: Record<string, unknown>, externalTaskId: string, signal?: AbortSignal, refine?: Refine): Promise<string> {
    return withRetry(
      async () => {
        try {
          return parseTask(await call('POST', path, { json: { ...body, external_task_id: externalTaskId }, signal }), 'create').task_id;
        } catch (error) {
          if (!isDuplicateExternalId(error)) throw refine?.(error) ?? error;
          // The task exists (an earlier attempt or an earlier ambiguous submit created it).
          const found = await findByExternalId(path, externalTaskId, signal);
          if (found) return found.taskId;
          throw new ProviderError(
            `Kling says external_task_id ${externalTaskId} exists but it cannot be found yet`,
            'ambiguous',
            'task_exists',
            'provider_unavailable',
          );
        }
      },
      classify('create'),
      policy('create', signal),
    );
  }

  return {
    call,
    createTask,
    getTask: (path, id, signal) =>
      withRetry(
        async () => parseTask(await call('GET', `${path}/${encodeURIComponent(id)}`, { signal }), 'query'),
        classify('query'),
        policy('status', signal),
      ),
    findByExternalId,
    callSync: (path, body, signal, refine) =>
      withRetry(
        async () => {
          try {
            return await call('POST', path, { json: body, signal });
          } catch (error) {
            throw refine?.(error) ?? error;
          }
        },
        classify('query'),
        policy('sync', signal),
      ),
    classify,
    get signedTokenCount() {
      return signer.signedCount;
    },
  };
}
