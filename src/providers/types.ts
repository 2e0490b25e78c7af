/**
 * The one interface every video provider implements. Plain TypeScript: no Telegram types,
 * no global state. Credentials live in the provider's own config object, passed in at build
 * time by the registry and handed to the stateless HTTP calls on every request.
 */
import type { Readable } from 'node:stream';
import type { GenerationKind } from '../domain/kinds.js';
import type { ValidationIssue } from '../domain/validation.js';

// Domain types the provider interface speaks in (re-exported for the provider modules).
export type { GenerationKind } from '../domain/kinds.js';
export type { ValidationIssue } from '../domain/validation.js';

export type ProviderId = 'kie' | 'kling' | 'veo';

/** A media input the bot has checked (type sniffed, size known) and can open as a stream. */
export interface InputMedia {
  /** Opens a fresh stream of the bytes; may be called more than once (a retry re-opens it). */
  open(): Promise<Readable>;
  size: number;
  /** Sniffed MIME type, e.g. image/jpeg, audio/ogg. */
  mime: string;
  fileName: string;
  /** Pixel size for images when known (Kling checks minimum side and aspect ratio). */
  width?: number;
  height?: number;
}

/** What a job asks a provider to make. */
export interface GenerationRequest {
  /** Our generation id; unique, used for external_task_id and upload file names. */
  generationId: string;
  kind: GenerationKind;
  /** Provider model id, e.g. "infinitalk/from-audio", "kling/ai-avatar-standard", "kling-v1-6". */
  providerModel: string;
  prompt?: string;
  negativePrompt?: string;
  image?: InputMedia;
  /** The last frame (image → video with first + last frame; Kling `image_tail`). */
  endImage?: InputMedia;
  audio?: InputMedia;
  /** Audio duration in seconds, when there is audio. */
  audioSeconds?: number;
  /** Model-specific options: resolution ("480p"…"1080p"), seed, duration (seconds), aspectRatio, mode, sound. */
  options: Record<string, string | number | boolean | undefined>;
  /** Where the provider should POST status changes (already carries the callback secret). */
  callbackUrl?: string;
  /** Several photos (multi_image2video: 2–4). */
  images?: InputMedia[];
  /** A user's video (video_lipsync, motion_control reference). */
  video?: InputMedia;
  /** Parsed length of `video` in seconds. */
  videoSeconds?: number;
  /** A video this provider made earlier (video_extend; video_lipsync from a delivered video). */
  sourceVideo?: SourceVideo;
}

/** A delivered provider video, as stored with its generation. */
export interface SourceVideo {
  /** The provider's video id (Kling `task_result.videos[0].id`). */
  providerVideoId: string;
  /** Provider model that made it, e.g. "kling-v1-6". */
  providerModel: string;
  /** Total length in seconds. */
  durationSeconds: number;
  /** When the provider made it (ms); Kling clears videos after 30 days. */
  createdAt: number;
}

export type TaskStatus =
  | { state: 'pending'; providerState: string }
  | { state: 'succeeded'; videoUrl: string; durationSeconds?: number; providerVideoId?: string }
  | { state: 'failed'; reason: string; code?: string; userReason: ProviderUserReason };

/** Why a provider failed, in terms the bot can explain to a user (mapped to i18n keys). */
export type ProviderUserReason = 'content_rejected' | 'bad_input' | 'provider_unavailable' | 'provider_error';

export type ErrorClass = 'retryable' | 'final' | 'ambiguous';

/**
 * Every provider failure is thrown as this. `class` drives the job: retryable → back off and
 * retry; final → fail and refund; ambiguous → the request may have created a task (look it up,
 * never blindly re-send). `message` is for logs and must never contain keys or tokens.
 */
export class ProviderError extends Error {
  constructor(
    message: string,
    readonly errorClass: ErrorClass,
    readonly code: string,
    readonly userReason: ProviderUserReason = 'provider_error',
    /** Suggested minimum delay before a retry, in ms (e.g. KIE 429 → 10 s). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

export interface ModelLimits {
  maxAudioSeconds?: number;
  minAudioSeconds?: number;
  maxImageBytes?: number;
  maxAudioBytes?: number;
  maxPromptLength?: number;
  imageMimes?: string[];
  audioMimes?: string[];
  minImageSide?: number;
}

/** An authenticated callback: only a signal that a task changed; the job confirms with getStatus. */
export interface CallbackSignal {
  taskId: string;
}

export interface CallbackRequest {
  headers: Record<string, string | string[] | undefined>;
  query: URLSearchParams;
  rawBody: string;
}

export interface VideoProvider {
  readonly id: ProviderId;
  readonly kinds: readonly GenerationKind[];
  /** Hard limits of the provider for a given model (the catalog may be stricter). */
  limits(providerModel: string): ModelLimits;
  /** Pure checks before any network call; empty array = valid. */
  validate(request: GenerationRequest): ValidationIssue[];
  /** Creates the task; inputs are re-hosted (KIE upload) or inlined (Kling base64) here. */
  submit(request: GenerationRequest, signal?: AbortSignal): Promise<{ taskId: string }>;
  /** After an ambiguous submit: find the task this generation already created, if any. */
  findTask(request: GenerationRequest, signal?: AbortSignal): Promise<{ taskId: string } | null>;
  getStatus(taskId: string, kind: GenerationKind, signal?: AbortSignal): Promise<TaskStatus>;
  /** Authenticates a callback; returns null when it is forged, unsigned (when required) or malformed. */
  parseCallback(request: CallbackRequest): CallbackSignal | null;
  /** Maps any thrown value to a ProviderError (idempotent for ProviderError). */
  classifyError(error: unknown): ProviderError;
  /** Whether a task can be served with this configuration (e.g. URL-only inputs need a host); absent = every kind. */
  canServe?(kind: GenerationKind, input?: { hasSourceVideo?: boolean }): boolean;
}
