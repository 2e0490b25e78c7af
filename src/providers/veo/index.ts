/**
 * KIE Veo 3.1 (docs/providers.md §veo): KIE's own endpoints, not Market, with the KIE key.
 *
 *   POST /api/v1/veo/generate            {prompt, model veo3|veo3_fast, generationType, imageUrls?, aspect_ratio, resolution?, callBackUrl?}
 *   GET  /api/v1/veo/record-info?taskId  successFlag 0 generating | 1 success | 2 failed | 3 upstream failed; response.resultUrls (an array)
 *   GET  /api/v1/veo/get-1080p-video?taskId&index=0   data.resultUrl; non-200 "processing" for ~1–3 min after success
 *
 * Inputs (first frame, last frame) go through the KIE upload host like the Market models. Output
 * is always 8 s. When the user chose 1080p the request says so, and if record-info still reports
 * another resolution the 1080p file is fetched from get-1080p-video: "processing" keeps the job
 * pending, and after `hdWaitMs` past completion the 720p video is delivered instead.
 *
 * Failure rules are the KIE client's (docs/providers.md §retry, via classifyKieError): a create whose answer was lost is
 * `ambiguous` (the job layer resends at most once; there is no lookup by our id). Codes (
 * docs/providers.md §veo-errors, checked by test/providers/kie-market-veo.test.ts):
 *
 * | where | code | class | user reason |
 * |---|---|---|---|
 * | generate | 400 (policy, language, image) | final | bad_input |
 * | generate | 401 / 402 / 433 / 505 | final (alert ops) | provider_unavailable |
 * | generate | 422 "rejected by Flow" | final | content_rejected |
 * | generate | 429 / 455 | retryable (≥10 s / ≥30 s) | provider_unavailable |
 * | generate | 404 (endpoint / model) | final | provider_unavailable |
 * | generate | 500 / 501 / other | ambiguous (the task may exist, §retry) | provider_error |
 * | generate | timeout after send, 2xx unreadable | ambiguous | — |
 * | record-info | 404 | retryable (grace) | provider_error |
 * | record-info | 408 (nothing upstream for 10+ min) | final | provider_error |
 * | record-info | 422 (record is null / older than 14 days) | final | provider_error |
 * | record-info | 451 (image fetch failed) | final | bad_input |
 * | record-info | 429 / 455 / 5xx, transport | retryable (keep polling) | provider_unavailable |
 * | get-1080p-video | any non-200 ("1080P is processing") | pending until VEO_1080P_WAIT_MS after completion, then 720p | — |
 * | task | successFlag 2/3, errorCode 400 | failed | content_rejected |
 * | task | successFlag 2/3, errorCode 500/501 | failed | provider_error |
 * | callback | any code | a signal only: the job reads record-info | — |
 */
import type { Got } from 'got';
import { createHttpClient, withRetry, type RetryPolicy } from '../http.js';
import * as kieApi from '../kie/api.js';
import { parseKieCallback } from '../kie/callback.js';
import { classifyKieError, KieApiError, type KieErrorOptions, type KieOperation } from '../kie/errors.js';
import { baseMime, extensionFor } from '../kie/models.js';
import { envelopeSchema, parseJsonString } from '../kie/schemas.js';
import {
  ProviderError,
  type CallbackRequest,
  type CallbackSignal,
  type GenerationRequest,
  type InputMedia,
  type ModelLimits,
  type TaskStatus,
  type ValidationIssue,
  type VideoProvider,
} from '../types.js';
import type { z } from 'zod';
import { timeMs, veo1080pDataSchema, veoGenerateDataSchema, veoParamSchema, veoRecordInfoSchema, type VeoRecordInfo } from './schemas.js';

export const VEO_MODELS = ['veo3', 'veo3_fast'] as const;
export const VEO_ASPECTS = ['16:9', '9:16'] as const;
export const VEO_RESOLUTIONS = ['720p', '1080p'] as const;
export const VEO_PROMPT_MAX = 5000;
const MB = 1024 * 1024;
const IMAGE_MIMES = ['image/jpeg', 'image/png', 'image/webp'];

export interface VeoProviderConfig {
  apiKey: string;
  apiBaseUrl: string;
  uploadBaseUrl: string;
  webhookHmacKey?: string;
  timeoutMs?: number;
  uploadTimeoutMs?: number;
  retry?: Pick<RetryPolicy, 'retries' | 'minDelayMs' | 'maxDelayMs'>;
  rateLimitDelayMs?: number;
  maintenanceDelayMs?: number;
  uploadPathPrefix?: string;
  /** How long after success to wait for the 1080p file before delivering 720p (default 6 min). */
  hdWaitMs?: number;
  now?: () => number;
  logger?: { warn(obj: object, msg: string): void };
}

const CONTENT_REJECTION = /polic|sensitiv|nsfw|inappropriate|violat|prohibit|moderat|safety|rejected by flow|unsafe/i;

function validateVeo(request: GenerationRequest): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (!(VEO_MODELS as readonly string[]).includes(request.providerModel)) return [{ code: 'unsupported-model', vars: { model: request.providerModel } }];
  if (request.kind === 'lipsync') return [{ code: 'unsupported-kind', vars: { kind: request.kind } }];
  const prompt = (request.prompt ?? '').trim();
  if (prompt === '') issues.push({ code: 'prompt-required' });
  if ([...prompt].length > VEO_PROMPT_MAX) issues.push({ code: 'prompt-too-long', vars: { max: VEO_PROMPT_MAX } });
  if (request.kind === 'image2video' && !request.image) issues.push({ code: 'image-required' });
  if (request.kind === 'text2video' && (request.image || request.endImage)) issues.push({ code: 'image-not-accepted' });
  if (request.endImage && !request.image) issues.push({ code: 'end-image-not-accepted' });
  for (const media of [request.image, request.endImage]) {
    if (!media) continue;
    if (!IMAGE_MIMES.includes(baseMime(media.mime))) issues.push({ code: 'image-type' });
    if (media.size > 10 * MB) issues.push({ code: 'image-too-large', vars: { maxMb: 10 } });
  }
  const aspect = request.options.aspectRatio;
  if (aspect !== undefined && !(VEO_ASPECTS as readonly unknown[]).includes(aspect)) issues.push({ code: 'invalid-aspect-ratio' });
  const resolution = request.options.resolution;
  if (resolution !== undefined && !(VEO_RESOLUTIONS as readonly unknown[]).includes(resolution)) {
    issues.push({ code: 'resolution-invalid', vars: { allowed: VEO_RESOLUTIONS.join(', ') } });
  }
  const duration = request.options.duration;
  if (duration !== undefined && Number(duration) !== 8) issues.push({ code: 'invalid-duration' });
  return issues;
}

/** The generate body of a validated request, given the re-hosted frames. */
export function buildVeoBody(request: GenerationRequest, imageUrls: string[]): Record<string, unknown> {
  return {
    prompt: (request.prompt ?? '').trim(),
    model: request.providerModel,
    generationType: imageUrls.length > 0 ? 'FIRST_AND_LAST_FRAMES_2_VIDEO' : 'TEXT_2_VIDEO',
    ...(imageUrls.length > 0 ? { imageUrls } : {}),
    aspect_ratio: typeof request.options.aspectRatio === 'string' ? request.options.aspectRatio : '16:9',
    ...(request.options.resolution === '1080p' ? { resolution: '1080p' } : {}),
    enableTranslation: true,
    ...(request.callbackUrl ? { callBackUrl: request.callbackUrl } : {}),
  };
}

function readEnvelope<T extends z.ZodType>(operation: KieOperation, status: number, text: string, schema: T): z.output<T> {
  const envelope = envelopeSchema.safeParse(parseJsonString(text));
  const ok = status >= 200 && status < 300;
  if (!envelope.success) throw new KieApiError(operation, status, undefined, '', ok);
  const { code, msg, message } = envelope.data;
  if (!ok || code !== 200) throw new KieApiError(operation, status, code === 200 ? undefined : code, msg ?? message ?? '');
  const data = schema.safeParse(envelope.data.data);
  if (!data.success) throw new KieApiError(operation, status, undefined, 'unexpected data shape', true);
  return data.data;
}

export function createVeoProvider(config: VeoProviderConfig): VideoProvider {
  const apiKey = config.apiKey;
  const api: Got = createHttpClient({ baseUrl: config.apiBaseUrl, timeoutMs: config.timeoutMs ?? 30_000 });
  const upload: Got = createHttpClient({ baseUrl: config.uploadBaseUrl, timeoutMs: config.uploadTimeoutMs ?? 120_000 });
  const errorOptions: KieErrorOptions = {
    rateLimitDelayMs: config.rateLimitDelayMs ?? 10_000,
    maintenanceDelayMs: config.maintenanceDelayMs ?? 30_000,
    secrets: [apiKey, ...(config.webhookHmacKey ? [config.webhookHmacKey] : [])],
  };
  const now = config.now ?? Date.now;
  const hdWaitMs = config.hdWaitMs ?? 6 * 60_000;
  const uploadPrefix = (config.uploadPathPrefix ?? 'avatar-bot').replace(/^\/+|\/+$/g, '');
  const headers = { authorization: `Bearer ${apiKey}` };

  function classify(error: unknown, operation?: KieOperation): ProviderError {
    const base = classifyKieError(error, operation, errorOptions);
    if (error instanceof KieApiError && !error.malformed) {
      const code = error.bodyCode ?? error.httpStatus;
      if (code === 422 && error.operation === 'createTask' && CONTENT_REJECTION.test(error.kieMessage)) {
        return new ProviderError(base.message, 'final', base.code, 'content_rejected');
      }
      if (error.operation === 'recordInfo' && (code === 408 || code === 422)) return new ProviderError(base.message, 'final', base.code, 'provider_error');
      if (error.operation === 'recordInfo' && code === 451) return new ProviderError(base.message, 'final', base.code, 'bad_input');
      // 433: the sub-key's usage cap (docs/providers.md §market) — our configuration, like 401: final, alert ops.
      if (code === 433) return new ProviderError(base.message, 'final', base.code, 'provider_unavailable');
    }
    return base;
  }

  function policy(operation: string, signal?: AbortSignal): RetryPolicy {
    return {
      ...config.retry,
      signal,
      onRetry: (error, attempt) =>
        config.logger?.warn({ provider: 'veo', operation, attempt, code: error.code, errorClass: error.errorClass }, 'Veo request failed, retrying'),
    };
  }

  async function rehost(request: GenerationRequest, media: InputMedia, role: string, signal?: AbortSignal): Promise<string> {
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
      (e) => classify(e, 'upload'),
      policy('upload', signal),
    );
  }

  async function recordInfo(taskId: string, signal?: AbortSignal): Promise<VeoRecordInfo> {
    const response = await api.get('api/v1/veo/record-info', { headers, searchParams: { taskId }, responseType: 'text', signal });
    return readEnvelope('recordInfo', response.statusCode, response.body, veoRecordInfoSchema);
  }

  /** The 1080p URL, or null while KIE still answers "processing" (any non-200). */
  async function get1080p(taskId: string, signal?: AbortSignal): Promise<string | null> {
    const response = await api.get('api/v1/veo/get-1080p-video', { headers, searchParams: { taskId, index: '0' }, responseType: 'text', signal });
    try {
      return readEnvelope('recordInfo', response.statusCode, response.body, veo1080pDataSchema).resultUrl;
    } catch (error) {
      if (error instanceof KieApiError && !error.malformed) return null;
      throw error;
    }
  }

  async function succeeded(taskId: string, info: VeoRecordInfo, signal?: AbortSignal): Promise<TaskStatus> {
    const url = info.response?.resultUrls?.find((u) => u.trim() !== '');
    if (!url) return { state: 'failed', reason: 'Veo reported success without a result URL', code: 'empty_result', userReason: 'provider_error' };
    const wanted = veoParamSchema.safeParse(parseJsonString(info.paramJson ?? undefined));
    const wants1080p = wanted.success && wanted.data.resolution === '1080p';
    if (!wants1080p || info.response?.resolution === '1080p') return { state: 'succeeded', videoUrl: url, durationSeconds: 8 };
    const hd = await withRetry(
      () => get1080p(taskId, signal),
      (e) => classify(e, 'recordInfo'),
      policy('get1080p', signal),
    ).catch((error: unknown) => {
      config.logger?.warn({ provider: 'veo', code: classify(error).code }, 'Veo 1080p lookup failed; delivering 720p');
      return 'fallback' as const;
    });
    if (typeof hd === 'string' && hd !== 'fallback') return { state: 'succeeded', videoUrl: hd, durationSeconds: 8 };
    const completedAt = timeMs(info.completeTime) ?? timeMs(info.createTime);
    if (hd === null && completedAt !== undefined && now() - completedAt < hdWaitMs) return { state: 'pending', providerState: 'upgrading-1080p' };
    if (hd === null) config.logger?.warn({ provider: 'veo' }, 'Veo 1080p still processing after the bound; delivering 720p');
    return { state: 'succeeded', videoUrl: url, durationSeconds: 8 };
  }

  return {
    id: 'veo',
    kinds: ['text2video', 'image2video'] as const,

    limits(): ModelLimits {
      return { maxImageBytes: 10 * MB, maxPromptLength: VEO_PROMPT_MAX, imageMimes: [...IMAGE_MIMES] };
    },

    validate: validateVeo,

    async submit(request, signal) {
      const issues = validateVeo(request);
      if (issues.length > 0) throw new ProviderError(`Veo request invalid: ${issues.map((i) => i.code).join(', ')}`, 'final', 'validation', 'bad_input');
      const frames = await Promise.all([
        request.image ? rehost(request, request.image, 'image', signal) : undefined,
        request.endImage ? rehost(request, request.endImage, 'end-image', signal) : undefined,
      ]);
      const body = buildVeoBody(
        request,
        frames.filter((u): u is string => Boolean(u)),
      );
      const taskId = await withRetry(
        async () => {
          const response = await api.post('api/v1/veo/generate', { headers, json: body, responseType: 'text', signal });
          return readEnvelope('createTask', response.statusCode, response.body, veoGenerateDataSchema).taskId;
        },
        (e) => classify(e, 'createTask'),
        policy('generate', signal),
      );
      return { taskId };
    },

    async findTask() {
      // Veo has no idempotency key and no lookup by our id.
      return null;
    },

    async getStatus(taskId, _kind, signal) {
      const info = await withRetry(
        () => recordInfo(taskId, signal),
        (e) => classify(e, 'recordInfo'),
        policy('recordInfo', signal),
      );
      if (info.successFlag === 0) return { state: 'pending', providerState: 'generating' };
      if (info.successFlag === 1) return succeeded(taskId, info, signal);
      const code = info.errorCode === null || info.errorCode === undefined ? undefined : String(info.errorCode);
      const message = (info.errorMessage ?? '').trim();
      const rejected = code === '400' || CONTENT_REJECTION.test(message);
      return {
        state: 'failed',
        reason: message === '' ? `Veo generation failed (successFlag ${info.successFlag})` : message.slice(0, 500),
        ...(code ? { code } : {}),
        userReason: rejected ? 'content_rejected' : 'provider_error',
      };
    },

    parseCallback(request: CallbackRequest): CallbackSignal | null {
      return parseKieCallback(request, { webhookHmacKey: config.webhookHmacKey, now });
    },

    classifyError(error: unknown): ProviderError {
      return classify(error);
    },
  };
}
