/**
 * Stateless KIE HTTP calls. Each function takes the got instance for its host and the API key;
 * nothing is cached between calls. A call succeeds only when HTTP is 2xx AND the body `code` is
 * 200; everything else throws KieApiError (classified by errors.ts). Got errors pass through.
 */
import type { Got } from 'got';
import type { z } from 'zod';
import { KieApiError, type KieOperation } from './errors.js';
import { createMultipartBody, type MultipartFilePart } from './multipart.js';
import {
  createTaskDataSchema,
  creditDataSchema,
  envelopeSchema,
  parseJsonString,
  recordInfoDataSchema,
  uploadResponseSchema,
  type KieRecordInfo,
} from './schemas.js';

export interface KieCallContext {
  signal?: AbortSignal;
}

export interface CreateTaskBody {
  model: string;
  callBackUrl?: string;
  input: Record<string, unknown>;
}

function authHeaders(apiKey: string): Record<string, string> {
  return { authorization: `Bearer ${apiKey}` };
}

function is2xx(status: number): boolean {
  return status >= 200 && status < 300;
}

/** Reads the `{ code, msg, data }` envelope and returns `data` parsed by `schema`. */
function readEnvelope<T extends z.ZodType>(operation: KieOperation, status: number, text: string, schema: T): z.output<T> {
  const envelope = envelopeSchema.safeParse(parseJsonString(text));
  if (!envelope.success) {
    // No envelope: a 2xx is a malformed answer, anything else is judged by the HTTP status.
    throw new KieApiError(operation, status, undefined, '', is2xx(status));
  }
  const { code, msg, message } = envelope.data;
  const kieMessage = msg ?? message ?? '';
  if (!is2xx(status) || code !== 200) {
    throw new KieApiError(operation, status, code === 200 ? undefined : code, kieMessage);
  }
  const data = schema.safeParse(envelope.data.data);
  if (!data.success) throw new KieApiError(operation, status, undefined, 'unexpected data shape', true);
  return data.data;
}

/** `POST /api/v1/jobs/createTask` → taskId. */
export async function createTask(api: Got, apiKey: string, body: CreateTaskBody, context: KieCallContext = {}): Promise<string> {
  const response = await api.post('api/v1/jobs/createTask', {
    headers: authHeaders(apiKey),
    json: body,
    responseType: 'text',
    signal: context.signal,
  });
  return readEnvelope('createTask', response.statusCode, response.body, createTaskDataSchema).taskId;
}

/** `GET /api/v1/jobs/recordInfo?taskId=` → task detail. */
export async function recordInfo(api: Got, apiKey: string, taskId: string, context: KieCallContext = {}): Promise<KieRecordInfo> {
  const response = await api.get('api/v1/jobs/recordInfo', {
    headers: authHeaders(apiKey),
    searchParams: { taskId },
    responseType: 'text',
    signal: context.signal,
  });
  return readEnvelope('recordInfo', response.statusCode, response.body, recordInfoDataSchema);
}

/** `GET /api/v1/chat/credit` → remaining KIE credits. */
export async function getCredits(api: Got, apiKey: string, context: KieCallContext = {}): Promise<number> {
  const response = await api.get('api/v1/chat/credit', {
    headers: authHeaders(apiKey),
    responseType: 'text',
    signal: context.signal,
  });
  return readEnvelope('credit', response.statusCode, response.body, creditDataSchema);
}

export interface StreamUploadRequest {
  /** Directory on the upload host, e.g. `avatar-bot/<generationId>`. */
  uploadPath: string;
  /** Unique file name; a reused name overwrites and may be served stale from cache. */
  fileName: string;
  file: Omit<MultipartFilePart, 'field' | 'fileName'>;
}

/** `POST /api/file-stream-upload` (multipart, streamed) → the public download URL. */
export async function uploadFileStream(upload: Got, apiKey: string, request: StreamUploadRequest, context: KieCallContext = {}): Promise<string> {
  const multipart = createMultipartBody(
    { uploadPath: request.uploadPath, fileName: request.fileName },
    { ...request.file, field: 'file', fileName: request.fileName },
  );
  const response = await upload.post('api/file-stream-upload', {
    headers: {
      ...authHeaders(apiKey),
      'content-type': multipart.contentType,
      'content-length': String(multipart.contentLength),
    },
    body: multipart.body,
    responseType: 'text',
    signal: context.signal,
  });
  const status = response.statusCode;
  const parsed = uploadResponseSchema.safeParse(parseJsonString(response.body));
  if (!parsed.success) throw new KieApiError('upload', status, undefined, '', is2xx(status));
  const { success, code, msg, message, data } = parsed.data;
  const kieMessage = msg ?? message ?? '';
  const bodyCode = code !== undefined && code !== 200 ? code : undefined;
  if (!is2xx(status) || bodyCode !== undefined || success === false) {
    throw new KieApiError('upload', status, bodyCode ?? (is2xx(status) ? 400 : undefined), kieMessage);
  }
  const url = data?.downloadUrl ?? data?.fileUrl;
  if (!url) throw new KieApiError('upload', status, undefined, 'no download URL', true);
  return url;
}
