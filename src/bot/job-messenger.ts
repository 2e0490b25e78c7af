/**
 * The grammY side of the job worker (JobMessenger): one status message per generation, edited as
 * the job moves on, with a chat action while work goes on; the result streamed from the
 * provider's URL into sendVideo (never read whole into memory), or sent as a link when it is
 * larger than Telegram's upload limit or the upload fails; failures with the refunded credits.
 * Result URLs are sent to the user but never logged.
 */
import { pipeline, Transform, type Readable, type TransformCallback } from 'node:stream';
import { got } from 'got';
import { GrammyError, InputFile, type Api } from 'grammy';
import type { Message } from 'grammy/types';
import type { Logger } from 'pino';
import type { PrismaClient } from '../db/client.js';
import { markUnreachable } from '../domain/users.js';
import { actionsFor, deliveredVideo } from '../domain/after-delivery.js';
import { afterDeliveryKeyboard } from './after-delivery-keyboard.js';
import type { DeliveryDeadline, DeliveryOutcome, FailureReason, JobMessenger, JobView, ProgressStage } from '../jobs/ports.js';
import type { I18n, Locale, MessageKey } from './i18n.js';

export interface JobMessengerDeps {
  api: Api;
  i18n: I18n;
  prisma: PrismaClient;
  logger: Logger;
  /** Telegram's upload limit for bots on the cloud Bot API (default 50 MB). */
  maxUploadBytes?: number;
  /** Time to the first byte of the result download (default 30 s). */
  fetchTimeoutMs?: number;
  /** How often the chat action is repeated during an upload (default 4 s; it shows for ≤ 5 s). */
  chatActionEveryMs?: number;
  /** Clock of the after-delivery rules (Extend only while the provider keeps the video). */
  now?: () => Date;
}

export const TELEGRAM_UPLOAD_LIMIT = 50 * 1024 * 1024;

const REASON_KEYS: Record<FailureReason, MessageKey> = {
  timeout: 'job-failed-timeout',
  content_rejected: 'job-failed-content-rejected',
  bad_input: 'job-failed-bad-input',
  provider_unavailable: 'job-failed-provider-unavailable',
  provider_error: 'job-failed-provider-error',
};

class TooLarge extends Error {
  override name = 'TooLarge';
}

/** Passes bytes through and fails the stream once more than `limit` bytes went by. */
function sizeLimit(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      seen += chunk.length;
      if (seen > limit) return callback(new TooLarge(`result is larger than ${limit} bytes`));
      callback(null, chunk);
    },
  });
}

/**
 * The download piped through the size limit; an error on either side destroys both, and the
 * upload (which iterates the result) sees it. The no-op listener keeps an error that happens
 * before the upload reads the stream from becoming an uncaught exception.
 */
function limited(source: Readable, limit: number): Readable {
  const out = pipeline(source, sizeLimit(limit), () => {});
  out.on('error', () => {});
  return out;
}

/** grammY's methods take its own AbortSignal type (an abort-controller shim); the runtime object is the same. */
type ApiSignal = Parameters<Api['sendMessage']>[3];
const sig = (signal: AbortSignal | undefined) => signal as ApiSignal;

const isForbidden = (error: unknown) => error instanceof GrammyError && error.error_code === 403;
const isNotModified = (error: unknown) => error instanceof GrammyError && /message is not modified/i.test(error.description);
const cannotEdit = (error: unknown) =>
  error instanceof GrammyError && /message to edit not found|message can't be edited|MESSAGE_ID_INVALID/i.test(error.description);

export function createJobMessenger(deps: JobMessengerDeps): JobMessenger {
  const { api, i18n, prisma } = deps;
  const maxUploadBytes = deps.maxUploadBytes ?? TELEGRAM_UPLOAD_LIMIT;
  const fetchTimeoutMs = deps.fetchTimeoutMs ?? 30_000;
  const chatActionEveryMs = deps.chatActionEveryMs ?? 4_000;
  const log = deps.logger.child({ component: 'job-messenger' });

  const locale = (job: JobView): Locale => (i18n.isLocale(job.language) ? job.language : 'en');
  const t = (job: JobView, key: MessageKey, vars: Record<string, string | number> = {}) => i18n.t(locale(job), key, { model: job.displayName, ...vars });

  /** 🔁 Again / ➕ Extend / 🗣 Make it talk under the video (src/domain/after-delivery.ts). */
  async function afterButtons(job: JobView) {
    try {
      const video = await deliveredVideo(prisma, null, job.id);
      return video ? afterDeliveryKeyboard((key) => t(job, key), job.id, actionsFor(video, (deps.now ?? (() => new Date()))())) : undefined;
    } catch (error) {
      log.warn({ generationId: job.id, err: { message: (error as Error).message } }, 'could not build the buttons under the video');
      return undefined;
    }
  }
  const chatId = (job: JobView) => Number(job.chatId);

  async function blocked(job: JobView): Promise<void> {
    await markUnreachable(prisma, job.userId).catch((err: unknown) => log.warn({ err }, 'could not mark the user unreachable'));
  }

  /**
   * Edits the status message to `text`, or sends it when there is none yet (or it can no longer
   * be edited). Returns the id of a message it sent (the caller records it), else null. The view
   * carries the stored id: the worker builds it from the generation row.
   */
  async function setStatus(job: JobView, text: string, signal?: AbortSignal): Promise<number | null> {
    if (job.statusMessageId !== null) {
      try {
        await api.editMessageText(chatId(job), job.statusMessageId, text, undefined, sig(signal));
        return null;
      } catch (error) {
        if (isNotModified(error)) return null;
        if (!cannotEdit(error)) throw error;
      }
    }
    const sent = await api.sendMessage(chatId(job), text, undefined, sig(signal));
    job.statusMessageId = sent.message_id;
    return sent.message_id;
  }

  async function chatAction(job: JobView, action: 'upload_video' | 'record_video', signal?: AbortSignal): Promise<void> {
    await api.sendChatAction(chatId(job), action, undefined, sig(signal)).catch(() => {});
  }

  /** Opens the result as a stream; resolves once the response headers are in. */
  function openResult(url: string, signal?: AbortSignal): Promise<{ stream: Readable; size: number | undefined }> {
    const stream = got.stream(url, {
      timeout: { connect: 10_000, response: fetchTimeoutMs },
      retry: { limit: 0 },
      followRedirect: true,
      ...(signal ? { signal } : {}),
    });
    return new Promise((resolve, reject) => {
      stream.once('response', (response: { statusCode: number; headers: Record<string, string | string[] | undefined> }) => {
        if (response.statusCode < 200 || response.statusCode >= 300) {
          stream.destroy();
          reject(new Error(`result download answered HTTP ${response.statusCode}`));
          return;
        }
        const length = Number(response.headers['content-length']);
        resolve({ stream, size: Number.isFinite(length) && length >= 0 ? length : undefined });
      });
      stream.once('error', reject);
    });
  }

  async function sendLink(job: JobView, url: string, signal?: AbortSignal): Promise<DeliveryOutcome> {
    try {
      await api.sendMessage(chatId(job), t(job, 'job-result-link', { url }), { link_preview_options: { is_disabled: true } }, sig(signal));
      return { kind: 'link' };
    } catch (error) {
      if (isForbidden(error)) {
        await blocked(job);
        return { kind: 'unreachable' };
      }
      return { kind: 'retry', error: error instanceof Error ? error.message : String(error) };
    }
  }

  /**
   * After a successful send the status edit is not awaited: the worker must record the delivery
   * first, so a crash in between re-sends as rarely as possible (delivery is at-least-once).
   */
  function finishSoon(job: JobView, key: MessageKey): void {
    finishStatus(job, key).catch((error) => log.debug({ generationId: job.id, err: { message: (error as Error).message } }, 'status edit failed'));
  }

  async function finishStatus(job: JobView, key: MessageKey, signal: AbortSignal = AbortSignal.timeout(10_000)): Promise<void> {
    if (job.statusMessageId === null) return;
    await setStatus(job, t(job, key), signal).catch(() => {});
  }

  return {
    async progress(job: JobView, stage: ProgressStage, signal?: AbortSignal) {
      try {
        const sent = await setStatus(job, t(job, `job-status-${stage}`), signal);
        await chatAction(job, stage === 'uploading' ? 'upload_video' : 'record_video', signal);
        return sent;
      } catch (error) {
        if (isForbidden(error)) {
          await blocked(job);
          return null;
        }
        throw error;
      }
    },

    async deliver(job: JobView, video: { url: string; durationSeconds?: number }, deadline?: DeliveryDeadline): Promise<DeliveryOutcome> {
      // The upload stops at deadline.uploadSignal; the link fallback runs until deadline.signal.
      const uploadSignal = deadline?.uploadSignal;
      const signal = deadline?.signal;
      let opened: { stream: Readable; size: number | undefined };
      try {
        opened = await openResult(video.url, uploadSignal);
      } catch (error) {
        log.warn({ generationId: job.id, err: { message: (error as Error).message, code: (error as { code?: string }).code } }, 'could not fetch the result');
        // The file may be gone or the host down; the user can still try the link.
        return sendLink(job, video.url, signal);
      }
      if (opened.size !== undefined && opened.size > maxUploadBytes) {
        opened.stream.destroy();
        log.info({ generationId: job.id, size: opened.size }, 'result too large for Telegram; sending a link');
        const outcome = await sendLink(job, video.url, signal);
        if (outcome.kind === 'link') finishSoon(job, 'job-status-done');
        return outcome;
      }

      // The first upload uses the stream opened above; a retry by an API transformer re-opens it.
      let first: Readable | undefined = limited(opened.stream, maxUploadBytes);
      const supplier = async () => {
        if (first) {
          const stream = first;
          first = undefined;
          return stream;
        }
        return limited((await openResult(video.url, uploadSignal)).stream, maxUploadBytes);
      };

      const buttons = await afterButtons(job);
      await chatAction(job, 'upload_video', uploadSignal);
      const action = setInterval(() => void chatAction(job, 'upload_video', uploadSignal), chatActionEveryMs);
      action.unref();
      try {
        const duration = video.durationSeconds !== undefined ? Math.max(1, Math.round(video.durationSeconds)) : undefined;
        const message = await api.sendVideo(
          chatId(job),
          new InputFile(supplier, 'video.mp4'),
          {
            supports_streaming: true,
            caption: t(job, 'job-result-caption'),
            ...(duration !== undefined ? { duration } : {}),
            ...(buttons ? { reply_markup: buttons } : {}),
          },
          sig(uploadSignal),
        );
        const sent = message as Message;
        const fileId = sent.video?.file_id ?? sent.document?.file_id ?? sent.animation?.file_id;
        finishSoon(job, 'job-status-done');
        if (!fileId) return { kind: 'link' };
        return { kind: 'video', fileId };
      } catch (error) {
        if (isForbidden(error)) {
          await blocked(job);
          return { kind: 'unreachable' };
        }
        log.warn(
          { generationId: job.id, error: error instanceof GrammyError ? error.description : (error as Error).name },
          'video upload failed; sending a link',
        );
        const outcome = await sendLink(job, video.url, signal);
        if (outcome.kind === 'link') finishSoon(job, 'job-status-done');
        return outcome;
      } finally {
        clearInterval(action);
        first?.destroy();
        opened.stream.destroy();
      }
    },

    async failed(job: JobView, reason: FailureReason, refunded: number, signal?: AbortSignal) {
      try {
        await finishStatus(job, 'job-status-failed', signal);
        const lines = [t(job, REASON_KEYS[reason] ?? 'job-failed-provider-error')];
        if (refunded > 0) lines.push(t(job, 'job-refunded', { credits: refunded }));
        await api.sendMessage(chatId(job), lines.join('\n\n'), undefined, sig(signal));
      } catch (error) {
        if (isForbidden(error)) return blocked(job);
        throw error;
      }
    },
  };
}
