/**
 * What the job worker needs from the outside, Telegram-free: the media source (the bot layer
 * downloads inputs from Telegram as streams) and the messenger (status, delivery, failures).
 */
import type { FileRef } from '../domain/generation-inputs.js';
import type { InputMedia, ProviderUserReason } from '../providers/types.js';

export interface MediaSource {
  /** A re-openable stream source for a stored file reference (never a URL with the bot token). */
  toInputMedia(ref: FileRef): InputMedia;
}

/** The fields a messenger needs about a job. */
export interface JobView {
  id: string;
  chatId: bigint;
  userId: bigint;
  language: string;
  modelSlug: string;
  displayName: string;
  price: number;
  /** The status message, once sent (the messenger stores it on the generation and sets it here). */
  statusMessageId: number | null;
  createdAt: Date;
}

export type ProgressStage = 'queued' | 'submitted' | 'running' | 'uploading';

export type FailureReason = 'timeout' | ProviderUserReason;

export type DeliveryOutcome =
  /** Sent as a video; the Telegram file id for /history. */
  | { kind: 'video'; fileId: string }
  /** Too large or failed to upload: sent as a link. */
  | { kind: 'link' }
  /** The user blocked the bot (403). */
  | { kind: 'unreachable' }
  /** Nothing was sent (e.g. network/Telegram trouble): try again later. */
  | { kind: 'retry'; error: string };

/** A delivery's time limits: the whole step, and the upload (the rest is for the link fallback). */
export interface DeliveryDeadline {
  /** Aborts at the step's deadline (also when the lease is lost). */
  signal: AbortSignal;
  /** Aborts earlier: a video upload still running then is abandoned for the link. */
  uploadSignal: AbortSignal;
}

export interface JobMessenger {
  /**
   * Shows the stage in the job's status message (edits it, or sends one when there is none yet).
   * Resolves with the id of a status message it had to send — the step records it through the
   * state owner, under the lease — or null when it edited the known one.
   */
  progress(job: JobView, stage: ProgressStage, signal?: AbortSignal): Promise<number | null>;
  deliver(job: JobView, video: { url: string; durationSeconds?: number }, deadline?: DeliveryDeadline): Promise<DeliveryOutcome>;
  failed(job: JobView, reason: FailureReason, refunded: number, signal?: AbortSignal): Promise<void>;
}
