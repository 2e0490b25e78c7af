/**
 * KIE callback authentication (docs/providers.md §kie-callback). The secret in the callback URL is checked by
 * the HTTP server; here, when a webhook HMAC key is configured, the signature headers are
 * required: `X-Webhook-Signature = base64(HMAC-SHA256(key, taskId + "." + timestamp))` with the
 * timestamp (unix seconds) within ±300 s of now. The payload only signals "look again": the job
 * confirms the state through recordInfo.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { CallbackRequest, CallbackSignal } from '../types.js';
import { callbackBodySchema, parseJsonString } from './schemas.js';

export const KIE_CALLBACK_TOLERANCE_SECONDS = 300;

export function signKieCallback(hmacKey: string, taskId: string, timestamp: string | number): string {
  return createHmac('sha256', hmacKey).update(`${taskId}.${timestamp}`).digest('base64');
}

function header(headers: CallbackRequest['headers'], name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted) continue;
    const first = Array.isArray(value) ? value[0] : value;
    return typeof first === 'string' ? first : undefined;
  }
  return undefined;
}

function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  // Compare against itself on a length mismatch so the timing does not depend on where it differs.
  if (left.length !== right.length) {
    timingSafeEqual(right, right);
    return false;
  }
  return timingSafeEqual(left, right);
}

export interface ParseKieCallbackOptions {
  webhookHmacKey?: string;
  /** Current time in ms (injected for tests). */
  now: () => number;
  toleranceSeconds?: number;
}

export function parseKieCallback(request: CallbackRequest, options: ParseKieCallbackOptions): CallbackSignal | null {
  const body = callbackBodySchema.safeParse(parseJsonString(request.rawBody));
  if (!body.success) return null;
  const taskId = body.data.data.taskId ?? body.data.data.task_id;
  if (!taskId) return null;

  if (options.webhookHmacKey) {
    const timestamp = header(request.headers, 'x-webhook-timestamp');
    const signature = header(request.headers, 'x-webhook-signature');
    if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp.trim())) return null;
    const skew = Math.abs(options.now() / 1000 - Number(timestamp.trim()));
    if (skew > (options.toleranceSeconds ?? KIE_CALLBACK_TOLERANCE_SECONDS)) return null;
    const expected = signKieCallback(options.webhookHmacKey, taskId, timestamp.trim());
    if (!constantTimeEqual(signature.trim(), expected)) return null;
  }
  return { taskId };
}
