/** Reads a request body (size-bounded) and turns every encoding into one params object. */
import type { IncomingMessage } from 'node:http';
import { ApiError, E } from './errors.js';
import { boundaryOf, isUploadedFile, parseMultipart, type UploadedFile } from './multipart.js';

export type Params = Record<string, unknown>;

/** 50 MB upload limit (cloud API) plus a little room for the other form fields. */
export const UPLOAD_LIMIT = 50 * 1024 * 1024;
const BODY_LIMIT = UPLOAD_LIMIT + 256 * 1024;

/** Fields that are always strings in the Bot API: never coerce them to numbers/booleans/JSON. */
const STRING_FIELDS = new Set([
  'text',
  'caption',
  'title',
  'description',
  'short_description',
  'payload',
  'start_parameter',
  'callback_query_id',
  'pre_checkout_query_id',
  'shipping_query_id',
  'inline_query_id',
  'telegram_payment_charge_id',
  'error_message',
  'file_id',
  'url',
  'secret_token',
  'query',
  'performer',
  'file_name',
  'parse_mode',
  'caption_parse_mode',
  'action',
  'language_code',
  'question',
  'name',
  'emoji',
  'message_effect_id',
  'business_connection_id',
  'inline_message_id',
  'currency',
  'provider_token',
  'label',
  'ip_address',
  'photo_url',
  'provider_data',
  'switch_pm_text',
  'switch_pm_parameter',
  'next_offset',
  'game_short_name',
  'sticker',
  'photo',
  'video',
  'audio',
  'voice',
  'document',
  'animation',
  'video_note',
  'thumbnail',
  'cover',
  'certificate',
  'address',
  'first_name',
  'last_name',
  'phone_number',
  'vcard',
  'username',
  'custom_emoji_id',
]);

export interface RawBody {
  tooLarge: boolean;
  buffer: Buffer;
}

/** Reads the body while counting bytes; past the limit it keeps draining but stops buffering. */
export function readBody(req: IncomingMessage, limit = BODY_LIMIT): Promise<RawBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) tooLarge = true;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
      }
      if (!tooLarge) chunks.push(chunk);
    });
    req.on('end', () => resolve({ tooLarge, buffer: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks) }));
    req.on('error', reject);
  });
}

export function coerceValue(key: string, value: unknown): unknown {
  if (typeof value !== 'string' || STRING_FIELDS.has(key)) return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^-?\d{1,16}(\.\d+)?$/.test(value)) return Number(value);
  const t = value.trimStart();
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }
  return value;
}

/** Replace every `attach://<id>` string (at any depth) with the uploaded file. */
function resolveAttachments(value: unknown, files: Record<string, UploadedFile>): unknown {
  if (typeof value === 'string' && value.startsWith('attach://')) {
    const f = files[value.slice('attach://'.length)];
    if (!f) throw new ApiError(400, E.wrongFileIdentifier);
    return f;
  }
  if (Array.isArray(value)) return value.map((v) => resolveAttachments(v, files));
  if (typeof value === 'object' && value !== null && !isUploadedFile(value)) {
    const out: Params = {};
    for (const [k, v] of Object.entries(value)) out[k] = resolveAttachments(v, files);
    return out;
  }
  return value;
}

/** Merge query string + body (JSON, urlencoded, multipart) into one coerced params object. */
export function parseParams(url: URL, contentType: string | undefined, body: Buffer): Params {
  const raw: Params = {};
  for (const [k, v] of url.searchParams) raw[k] = v;
  const ct = (contentType ?? '').toLowerCase();
  let files: Record<string, UploadedFile> = {};
  if (body.length > 0) {
    if (ct.startsWith('application/json')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        throw new ApiError(400, "Bad Request: can't parse JSON object");
      }
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) Object.assign(raw, parsed);
    } else if (ct.startsWith('application/x-www-form-urlencoded')) {
      for (const [k, v] of new URLSearchParams(body.toString('utf8'))) raw[k] = v;
    } else if (ct.startsWith('multipart/form-data')) {
      const boundary = boundaryOf(contentType ?? '');
      if (boundary) {
        const mp = parseMultipart(body, boundary);
        Object.assign(raw, mp.fields);
        files = mp.files;
      }
    }
  }
  const out: Params = {};
  for (const [k, v] of Object.entries(raw)) out[k] = coerceValue(k, v);
  const resolved = resolveAttachments(out, files) as Params;
  // A file uploaded directly under its field name (no attach:// indirection).
  for (const [name, f] of Object.entries(files)) {
    if (resolved[name] === undefined) resolved[name] = f;
  }
  return resolved;
}

// --- small typed accessors used by the method handlers -------------------------------------

export const bool = (v: unknown): boolean => v === true || v === 'true' || v === 1 || v === '1';

export function int(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v);
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return Number(v.trim());
  return undefined;
}

export function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** JSON-ish values that may still arrive as strings (e.g. in a JSON body). */
export function json<T>(v: unknown): T | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') {
    try {
      return JSON.parse(v) as T;
    } catch {
      return undefined;
    }
  }
  return v as T;
}
