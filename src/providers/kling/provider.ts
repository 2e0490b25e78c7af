/**
 * Official Kling API client (docs/providers.md §kling) behind the shared `VideoProvider` interface.
 * text2video and image2video only. Credentials live in the config object and are turned into a
 * short-lived JWT per request (cached per access key by this instance); nothing is global.
 */
import type { Readable } from 'node:stream';
import { createHttpClient, withRetry, type RetryPolicy } from '../http.js';
import {
  ProviderError,
  type CallbackRequest,
  type CallbackSignal,
  type GenerationKind,
  type GenerationRequest,
  type ModelLimits,
  type TaskStatus,
  type ValidationIssue,
  type VideoProvider,
} from '../types.js';
import { KLING_AUTH_RETRY_CODES, KlingApiError, KlingResponseError, classifyKlingError, type KlingOperation } from './errors.js';
import { KLING_IMAGE_MIMES, KLING_MAX_IMAGE_BYTES, KLING_MIN_IMAGE_SIDE, checkKlingImage, readImageSize, sniffImageType } from '../../media/image.js';
import { createKlingTokenSigner, type KlingTokenSigner } from './jwt.js';
import { klingEnvelopeSchema, klingTaskListSchema, klingTaskSchema, type KlingTask } from './schemas.js';

export type KlingKind = 'text2video' | 'image2video';

export const KLING_KINDS: readonly KlingKind[] = ['text2video', 'image2video'];
export const KLING_MAX_PROMPT_LENGTH = 2500;
export const KLING_DURATIONS = ['5', '10'] as const;
export const KLING_ASPECT_RATIOS = ['16:9', '9:16', '1:1'] as const;
export const KLING_MODES = ['std', 'pro'] as const;

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

export interface KlingProviderConfig {
  accessKey: string;
  secretKey: string;
  /** e.g. https://api-singapore.klingai.com */
  apiBaseUrl: string;
  /** Whole-request timeout (default 30 s). A create that times out after sending is ambiguous. */
  timeoutMs?: number;
  connectTimeoutMs?: number;
  retry?: KlingRetryOptions;
  /** Clock in ms (JWT iat/exp); injectable for tests. */
  now?: () => number;
  logger?: KlingLogger;
  /** How many list pages (50 tasks each) findTask scans (default 4). */
  findTaskMaxPages?: number;
}

export interface KlingProvider extends VideoProvider {
  readonly id: 'kling';
  /** The external_task_id sent for a generation (deterministic, so findTask can match it). */
  externalTaskId(request: Pick<GenerationRequest, 'generationId'>): string;
  /** Tokens signed so far by this instance (diagnostics/tests; never the token itself). */
  readonly signedTokenCount: number;
}

const FIND_PAGE_SIZE = 50;

/** external_task_id for our generation id: unique per generation, stable across retries. */
export function klingExternalTaskId(generationId: string): string {
  return `gen-${generationId}`;
}

function isKlingKind(kind: GenerationKind): kind is KlingKind {
  return (KLING_KINDS as readonly string[]).includes(kind);
}

function charLength(text: string): number {
  return [...text].length;
}

function optionString(value: string | number | boolean | undefined): string | undefined {
  return value === undefined ? undefined : String(value);
}

async function readAll(stream: Readable, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array);
    total += buf.length;
    if (total > limit) {
      stream.destroy();
      return null;
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

function badInput(code: string, message: string): ProviderError {
  return new ProviderError(message, 'final', code, 'bad_input');
}

export function createKlingProvider(config: KlingProviderConfig): KlingProvider {
  const http = createHttpClient({
    baseUrl: config.apiBaseUrl,
    timeoutMs: config.timeoutMs,
    connectTimeoutMs: config.connectTimeoutMs,
  });
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

  /**
   * One HTTP exchange with the envelope checked. On 1003/1004 the JWT is re-signed and the call
   * is repeated exactly once. Returns `data` of a code-0 answer; throws KlingApiError otherwise.
   */
  async function call(
    method: 'GET' | 'POST',
    path: string,
    options: { json?: unknown; searchParams?: Record<string, string | number>; signal?: AbortSignal },
  ): Promise<unknown> {
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

  function parseTask(data: unknown, what: string): KlingTask {
    const task = klingTaskSchema.safeParse(data);
    if (!task.success) throw new KlingResponseError(`Kling ${what} answer has no valid task object`);
    return task.data;
  }

  function validate(request: GenerationRequest): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    if (!isKlingKind(request.kind)) return [{ code: 'unsupported-kind', vars: { kind: request.kind } }];
    const prompt = request.prompt ?? '';
    if (request.kind === 'text2video' && prompt.trim() === '') issues.push({ code: 'prompt-required' });
    if (charLength(prompt) > KLING_MAX_PROMPT_LENGTH) {
      issues.push({ code: 'prompt-too-long', vars: { max: KLING_MAX_PROMPT_LENGTH } });
    }
    if (request.negativePrompt && charLength(request.negativePrompt) > KLING_MAX_PROMPT_LENGTH) {
      issues.push({ code: 'negative-prompt-too-long', vars: { max: KLING_MAX_PROMPT_LENGTH } });
    }
    const duration = optionString(request.options.duration);
    if (duration !== undefined && !(KLING_DURATIONS as readonly string[]).includes(duration)) {
      issues.push({ code: 'invalid-duration', vars: { allowed: KLING_DURATIONS.join(', ') } });
    }
    const mode = optionString(request.options.mode);
    if (mode !== undefined && !(KLING_MODES as readonly string[]).includes(mode)) {
      issues.push({ code: 'invalid-mode', vars: { allowed: KLING_MODES.join(', ') } });
    }
    if (request.kind === 'text2video') {
      const ratio = optionString(request.options.aspectRatio);
      if (ratio !== undefined && !(KLING_ASPECT_RATIOS as readonly string[]).includes(ratio)) {
        issues.push({ code: 'invalid-aspect-ratio', vars: { allowed: KLING_ASPECT_RATIOS.join(', ') } });
      }
    } else if (!request.image) {
      issues.push({ code: 'image-required' });
    } else {
      issues.push(...checkKlingImage(request.image));
    }
    return issues;
  }

  /** Reads, sniffs and checks the image; returns raw base64 (no data: prefix). */
  async function encodeImage(request: GenerationRequest): Promise<string> {
    const image = request.image;
    if (!image) throw badInput('image-required', 'Kling image2video needs an image');
    const bytes = await readAll(await image.open(), KLING_MAX_IMAGE_BYTES);
    if (!bytes) throw badInput('image-too-large', 'Image is larger than 10 MB');
    const type = sniffImageType(bytes);
    if (!type) throw badInput('image-wrong-type', 'Image is not a JPEG or PNG');
    const size = image.width !== undefined && image.height !== undefined ? { width: image.width, height: image.height } : readImageSize(bytes);
    if (!size) throw badInput('image-unreadable', 'Image dimensions could not be read');
    const issues = checkKlingImage({ mime: `image/${type}`, size: bytes.length, ...size });
    const first = issues[0];
    if (first) throw badInput(first.code, `Image rejected before sending: ${issues.map((i) => i.code).join(', ')}`);
    return bytes.toString('base64');
  }

  async function buildBody(request: GenerationRequest, kind: KlingKind): Promise<Record<string, unknown>> {
    const body: Record<string, unknown> = {};
    if (request.providerModel) body.model_name = request.providerModel;
    if (request.prompt) body.prompt = request.prompt;
    if (request.negativePrompt) body.negative_prompt = request.negativePrompt;
    body.duration = optionString(request.options.duration) ?? '5';
    const mode = optionString(request.options.mode);
    if (mode) body.mode = mode;
    if (kind === 'text2video') {
      const ratio = optionString(request.options.aspectRatio);
      if (ratio) body.aspect_ratio = ratio;
    } else {
      body.image = await encodeImage(request);
    }
    if (request.callbackUrl) body.callback_url = request.callbackUrl;
    body.external_task_id = klingExternalTaskId(request.generationId);
    return body;
  }

  function requireKind(kind: GenerationKind): KlingKind {
    if (!isKlingKind(kind)) {
      throw new ProviderError(`Kling does not support ${kind}`, 'final', 'unsupported_kind', 'provider_error');
    }
    return kind;
  }

  /**
   * Looks our task up by external_task_id: first directly (the get-one path takes a task_id or
   * an external_task_id), then, should that form be refused, in the newest list pages.
   */
  async function findTask(request: GenerationRequest, signal?: AbortSignal): Promise<{ taskId: string } | null> {
    const kind = requireKind(request.kind);
    const externalId = klingExternalTaskId(request.generationId);
    return withRetry(
      async () => {
        try {
          const task = parseTask(await call('GET', `v1/videos/${kind}/${encodeURIComponent(externalId)}`, { signal }), 'query');
          if (!task.task_info?.external_task_id || task.task_info.external_task_id === externalId) return { taskId: task.task_id };
        } catch (error) {
          // 1203 "does not exist" (or 1201 for an id form this host does not take): not found this way.
          if (!(error instanceof KlingApiError && (error.businessCode === 1203 || error.businessCode === 1201))) throw error;
        }
        for (let page = 1; page <= maxPages; page += 1) {
          const data = await call('GET', `v1/videos/${kind}`, {
            searchParams: { pageNum: page, pageSize: FIND_PAGE_SIZE },
            signal,
          });
          const list = klingTaskListSchema.safeParse(data);
          if (!list.success) throw new KlingResponseError('Kling task list answer is not a task array');
          const match = list.data.find((task) => task.task_info?.external_task_id === externalId);
          if (match) return { taskId: match.task_id };
          if (list.data.length < FIND_PAGE_SIZE) break;
        }
        return null;
      },
      classify('query'),
      policy('find', signal),
    );
  }

  async function submit(request: GenerationRequest, signal?: AbortSignal): Promise<{ taskId: string }> {
    const issues = validate(request);
    if (issues.length > 0) {
      throw badInput(issues[0]!.code, `Kling request invalid: ${issues.map((i) => i.code).join(', ')}`);
    }
    const kind = requireKind(request.kind);
    const body = await buildBody(request, kind);
    return withRetry(
      async () => {
        try {
          const data = await call('POST', `v1/videos/${kind}`, { json: body, signal });
          return { taskId: parseTask(data, 'create').task_id };
        } catch (error) {
          // An earlier attempt (or an earlier ambiguous submit) already created the task.
          if (error instanceof KlingApiError && error.businessCode === 1201 && /external_task_id/i.test(error.klingMessage)) {
            const found = await findTask(request, signal);
            if (found) return found;
            // The task exists (Kling says so) but is not visible yet: never a bad input.
            throw new ProviderError('Kling: external_task_id already exists but the task was not found yet', 'ambiguous', 'task_exists', 'provider_error');
          }
          throw error;
        }
      },
      classify('create'),
      policy('create', signal),
    );
  }

  async function getStatus(taskId: string, kind: GenerationKind, signal?: AbortSignal): Promise<TaskStatus> {
    const klingKind = requireKind(kind);
    const task = await withRetry(
      async () => parseTask(await call('GET', `v1/videos/${klingKind}/${encodeURIComponent(taskId)}`, { signal }), 'query'),
      classify('query'),
      policy('status', signal),
    );
    switch (task.task_status) {
      case 'submitted':
      case 'processing':
        return { state: 'pending', providerState: task.task_status };
      case 'succeed': {
        const video = task.task_result?.videos?.[0];
        if (!video) {
          return { state: 'failed', reason: 'Kling task succeeded without a video', code: 'no_result', userReason: 'provider_error' };
        }
        const duration = video.duration === undefined ? undefined : Number(video.duration);
        return {
          state: 'succeeded',
          videoUrl: video.url,
          ...(duration !== undefined && Number.isFinite(duration) ? { durationSeconds: duration } : {}),
        };
      }
      case 'failed': {
        const reason = task.task_status_msg || 'Kling task failed';
        const policyHit = /risk|policy|sensitive|safety|violat|inappropriate|moderat/i.test(reason);
        return {
          state: 'failed',
          reason,
          code: 'task_failed',
          userReason: policyHit ? 'content_rejected' : 'provider_error',
        };
      }
    }
  }

  function parseCallback(request: CallbackRequest): CallbackSignal | null {
    // Kling signs nothing: the HTTP layer has already checked the secret in the callback URL.
    let body: unknown;
    try {
      body = JSON.parse(request.rawBody);
    } catch {
      return null;
    }
    const task = klingTaskSchema.safeParse(body);
    return task.success ? { taskId: task.data.task_id } : null;
  }

  function limits(): ModelLimits {
    return {
      maxPromptLength: KLING_MAX_PROMPT_LENGTH,
      maxImageBytes: KLING_MAX_IMAGE_BYTES,
      imageMimes: [...KLING_IMAGE_MIMES],
      minImageSide: KLING_MIN_IMAGE_SIDE,
    };
  }

  return {
    id: 'kling',
    kinds: KLING_KINDS,
    limits,
    validate,
    submit,
    findTask,
    getStatus,
    parseCallback,
    classifyError: classify('query'),
    externalTaskId: (request) => klingExternalTaskId(request.generationId),
    get signedTokenCount() {
      return signer.signedCount;
    },
  };
}
