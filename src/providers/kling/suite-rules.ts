/**
 * Pure rules of the Kling suite tasks that the bot also needs before any call: whether a
 * delivered video can be extended (the ➕ Extend button), how long an extension makes it, and
 * how a voice is fitted into the face window of advanced lip-sync (docs/providers.md §kling-suite).
 */
import { KLING_EXTENDABLE_MODELS } from './models.js';

/** Kling clears videos (and their ids) 30 days after it made them. */
export const KLING_VIDEO_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;
/** Each extension adds 4–5 s; plan with the upper bound. */
export const KLING_EXTEND_STEP_SECONDS = 5;
export const KLING_EXTEND_MAX_TOTAL_SECONDS = 180;

/**
 * The ProviderError code (and validation issue code) for a source video Kling no longer has:
 * the bot renders it as "this video can no longer be extended / used".
 */
export const KLING_SOURCE_EXPIRED_CODE = 'source-video-expired';
export const KLING_EXTEND_MODEL_CODE = 'extend-model-not-supported';
export const KLING_EXTEND_TOO_LONG_CODE = 'extend-too-long';

export type ExtendCheck =
  | { ok: true; resultSeconds: number }
  | { ok: false; code: typeof KLING_SOURCE_EXPIRED_CODE | typeof KLING_EXTEND_MODEL_CODE | typeof KLING_EXTEND_TOO_LONG_CODE };

export function isKlingVideoExpired(createdAt: number, now: number): boolean {
  return now - createdAt >= KLING_VIDEO_RETENTION_MS;
}

/** Whether `/v1/videos/video-extend` can take this delivered video now. */
export function checkKlingExtend(source: { providerModel: string; durationSeconds: number; createdAt: number }, now: number): ExtendCheck {
  if (!KLING_EXTENDABLE_MODELS.includes(source.providerModel)) return { ok: false, code: KLING_EXTEND_MODEL_CODE };
  if (isKlingVideoExpired(source.createdAt, now)) return { ok: false, code: KLING_SOURCE_EXPIRED_CODE };
  const resultSeconds = source.durationSeconds + KLING_EXTEND_STEP_SECONDS;
  if (resultSeconds > KLING_EXTEND_MAX_TOTAL_SECONDS) return { ok: false, code: KLING_EXTEND_TOO_LONG_CODE };
  return { ok: true, resultSeconds };
}

/** Advanced lip-sync: the minimum overlap of the voice with the face window, and minimum clip. */
export const KLING_LIPSYNC_MIN_MS = 2_000;
export const KLING_LIPSYNC_MAX_AUDIO_SECONDS = 60;

export interface SoundWindow {
  sound_start_time: number;
  sound_end_time: number;
  sound_insert_time: number;
}

/**
 * Fits a voice of `audioMs` into a face window: the clip starts at the beginning of the voice,
 * is inserted where the face appears, and is cut at the end of the face window (which may
 * overshoot the video by a few ms, so it is clamped to the video length when known).
 */
export function fitSoundWindow(input: {
  faceStartMs: number;
  faceEndMs: number;
  audioMs: number;
  videoMs?: number;
}): { ok: true; window: SoundWindow } | { ok: false; code: 'audio-too-short' | 'face-window-too-short' } {
  const faceStart = Math.max(0, Math.ceil(input.faceStartMs));
  const faceEnd = Math.floor(input.videoMs === undefined ? input.faceEndMs : Math.min(input.faceEndMs, input.videoMs));
  const audio = Math.floor(input.audioMs);
  if (audio < KLING_LIPSYNC_MIN_MS) return { ok: false, code: 'audio-too-short' };
  const clip = Math.min(audio, faceEnd - faceStart, KLING_LIPSYNC_MAX_AUDIO_SECONDS * 1000);
  if (clip < KLING_LIPSYNC_MIN_MS) return { ok: false, code: 'face-window-too-short' };
  return { ok: true, window: { sound_start_time: 0, sound_end_time: clip, sound_insert_time: faceStart } };
}
