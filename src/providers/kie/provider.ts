/**
 * The KIE Market provider (docs/providers.md §kie): re-hosts the inputs on KIE's upload host,
 * creates an `infinitalk/from-audio` or `kling/ai-avatar-*` task, reads its state from
 * recordInfo and authenticates callbacks. Stateless apart from two got instances (no secrets
 * inside them): the API key is handed to every request function.
 *
 * Retry policy (docs/providers.md §retry), applied through `withRetry`: uploads, createTask and recordInfo retry only
 * `retryable` failures (429 with ≥ rateLimitDelayMs, 455 with ≥ maintenanceDelayMs, 500, HTTP
 * 5xx, network errors). A createTask that timed out after it was sent is `ambiguous` and is
 * thrown at once; KIE has no idempotency key, so `findTask` returns null and the job layer
 * decides (resubmit at most once). A recordInfo 404 for our own task is `retryable`
 * (code `task_not_found`): the job layer should allow a short grace period, then fail & refund.
 */
import type { Got } from 'got';
import { createHttpClient, withRetry, type RetryPolicy } from '../http.js';
import {
  ProviderError,
  type CallbackRequest,
  type CallbackSignal,
  type GenerationKind,
  type GenerationRequest,
  type InputMedia,
  type ModelLimits,
  type TaskStatus,
  type ValidationIssue,
  type VideoProvider,
} from '../types.js';
import * as kieApi from './api.js';
import { parseKieCallback } from './callback.js';
import { classifyKieError, type KieErrorOptions, type KieOperation } from './errors.js';
import { baseMime, buildKieInput, extensionFor, kieLimits, validateKieRequest } from './models.js';
import { parseJsonString, resultJsonSchema, taskStateSchema, type KieRecordInfo } from './schemas.js';

export interface KieLogger {
  warn(obj: object, msg: string): void;
}

export interface KieProviderConfig {
  apiKey: string;
  /** e.g. https://api.kie.ai */
  apiBaseUrl: string;
  /** e.g. https://kieai.redpandaai.co */
  uploadBaseUrl: string;
  /** When set, callbacks must carry a valid X-Webhook-Signature / X-Webhook-Timestamp. */
  webhookHmacKey?: string;
  /** Whole-request timeout for API calls (default 30 s). */
  timeoutMs?: number;
  /** Whole-request timeout for uploads (default 120 s). */
  uploadTimeoutMs?: number;
  /** Backoff for transient failures (tests pass tiny delays). */
  retry?: Pick<RetryPolicy, 'retries' | 'minDelayMs' | 'maxDelayMs'>;
  /** Minimum delay before retrying a 429 (default 10 s). */
  rateLimitDelayMs?: number;
  /** Minimum delay before retrying a 455 maintenance answer (default 30 s). */
  maintenanceDelayMs?: number;
  /** Upload directory prefix; files go to `<prefix>/<generationId>/` (default "avatar-bot"). */
  uploadPathPrefix?: string;
  /** Current time in ms, for the callback timestamp window (default Date.now). */
  now?: () => number;
  logger?: KieLogger;
}

export interface KieProvider extends VideoProvider {
  readonly id: 'kie';
  /** Remaining KIE account credits (`GET /api/v1/chat/credit`). */
  getAccountCredits(signal?: AbortSignal): Promise<number>;
}

const NON_TERMINAL = new Set(['waiting', 'queuing', 'generating']);

/** failMsg/failCode wording that means the content or input was refused (never auto-resubmit). */
const CONTENT_REJECTION = /polic|sensitiv|nsfw|inappropriate|violat|prohibit|moderat|safety|censor|not allowed|illegal|forbidden|risk|422/i;

export function createKieProvider(config: KieProviderConfig): KieProvider {
  const apiKey = config.apiKey;
  const api: Got = createHttpClient({ baseUrl: config.apiBaseUrl, timeoutMs: config.timeoutMs ?? 30_000 });
  const upload: Got = createHttpClient({ baseUrl: config.uploadBaseUrl, timeoutMs: config.uploadTimeoutMs ?? 120_000 });
  const errorOptions: KieErrorOptions = {
    rateLimitDelayMs: config.rateLimitDelayMs ?? 10_000,
    maintenanceDelayMs: config.maintenanceDelayMs ?? 30_000,
    secrets: [apiKey, ...(config.webhookHmacKey ? [config.webhookHmacKey] : [])],
  };
  const now = config.now ?? Date.now;
  const uploadPrefix = (config.uploadPathPrefix ?? 'avatar-bot').replace(/^\/+|\/+$/g, '');

  const classifyFor = (operation: KieOperation) => (error: unknown) => classifyKieError(error, operation, errorOptions);

  function policy(operation: KieOperation, signal?: AbortSignal): RetryPolicy {
    return {
      ...config.retry,
      signal,
      onRetry: (error, attempt) =>
        config.logger?.warn({ provider: 'kie', operation, attempt, code: error.code, errorClass: error.errorClass }, 'KIE request failed, retrying'),
    };
  }

  async function rehost(request: GenerationRequest, media: InputMedia, role: 'image' | 'audio' | 'end-image', signal?: AbortSignal): Promise<string> {
    const fileName = `${request.generationId}-${role}.${extensionFor(media.mime)}`;
    return withRetry(
      () =>
        kieApi.uploadFileStream(
          upload,
          apiKey,
          {
            uploadPath: `${uploadPrefix}/${request.generationId}`,
            fileName,
            file: { contentType: baseMime(media.mime), size: media.size, open: () => media.open() },
          },
          { signal },
        ),
      classifyFor('upload'),
      policy('upload', signal),
    );
  }

  function toStatus(info: KieRecordInfo): TaskStatus {
    const state = taskStateSchema.safeParse(info.state);
    if (!state.success || NON_TERMINAL.has(state.data)) {
      if (!state.success) config.logger?.warn({ provider: 'kie', state: info.state }, 'KIE task in an unknown state');
      return { state: 'pending', providerState: info.state };
    }
    if (state.data === 'success') {
      const result = resultJsonSchema.safeParse(parseJsonString(info.resultJson));
      const url = result.success ? result.data.resultUrls?.find((u) => u.trim() !== '') : undefined;
      if (!url) {
        return { state: 'failed', reason: 'KIE reported success without a result URL', code: 'empty_result', userReason: 'provider_error' };
      }
      return { state: 'succeeded', videoUrl: url };
    }
    const failCode = info.failCode === null || info.failCode === undefined || info.failCode === '' ? undefined : String(info.failCode);
    const failMsg = (info.failMsg ?? '').trim();
    const rejected = failCode === '422' || CONTENT_REJECTION.test(failMsg);
    return {
      state: 'failed',
      reason: failMsg === '' ? 'KIE generation failed' : failMsg.slice(0, 500),
      code: failCode,
      userReason: rejected ? 'content_rejected' : 'provider_error',
    };
  }

  return {
    id: 'kie',
    kinds: ['lipsync', 'text2video', 'image2video'] as const,

    limits(providerModel: string): ModelLimits {
      return kieLimits(providerModel);
    },

    validate(request: GenerationRequest): ValidationIssue[] {
      return validateKieRequest(request);
    },

    async submit(request: GenerationRequest, signal?: AbortSignal): Promise<{ taskId: string }> {
      const issues = validateKieRequest(request);
      if (issues.length > 0) {
        throw new ProviderError(`KIE request invalid: ${issues.map((i) => i.code).join(', ')}`, 'final', 'validation', 'bad_input');
      }
      // Catalog v2: each input the request has (a text-to-video request has none).
      const [imageUrl, audioUrl, endImageUrl] = await Promise.all([
        request.image ? rehost(request, request.image, 'image', signal) : undefined,
        request.audio ? rehost(request, request.audio, 'audio', signal) : undefined,
        request.endImage ? rehost(request, request.endImage, 'end-image', signal) : undefined,
      ]);
      const body: kieApi.CreateTaskBody = {
        model: request.providerModel,
        ...(request.callbackUrl ? { callBackUrl: request.callbackUrl } : {}),
        input: buildKieInput(request, { imageUrl, audioUrl, endImageUrl }),
      };
      const taskId = await withRetry(() => kieApi.createTask(api, apiKey, body, { signal }), classifyFor('createTask'), policy('createTask', signal));
      return { taskId };
    },

    async findTask(): Promise<{ taskId: string } | null> {
      // KIE has no idempotency key and no lookup by our id: nothing to find.
      return null;
    },

    async getStatus(taskId: string, _kind: GenerationKind, signal?: AbortSignal): Promise<TaskStatus> {
      const info = await withRetry(() => kieApi.recordInfo(api, apiKey, taskId, { signal }), classifyFor('recordInfo'), policy('recordInfo', signal));
      return toStatus(info);
    },

    parseCallback(request: CallbackRequest): CallbackSignal | null {
      return parseKieCallback(request, { webhookHmacKey: config.webhookHmacKey, now });
    },

    classifyError(error: unknown): ProviderError {
      return classifyKieError(error, undefined, errorOptions);
    },

    async getAccountCredits(signal?: AbortSignal): Promise<number> {
      return withRetry(() => kieApi.getCredits(api, apiKey, { signal }), classifyFor('credit'), policy('credit', signal));
    },
  };
}
