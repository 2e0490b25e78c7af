/**
 * Turns a user's message into a checked media reference: Telegram's metadata first (kind of
 * message, claimed type, size against the 20 MB download limit and the model's limit), then the
 * real type sniffed from the first bytes. Failures are UserErrors with a clear message.
 */
import type { Message } from 'grammy/types';
import { UserError } from '../../../domain/errors.js';
import type { FileRef } from '../../../domain/generation-inputs.js';
import { TELEGRAM_DOWNLOAD_LIMIT, type TelegramFiles } from '../../telegram-files.js';
import { billableSeconds } from '../../../media/duration.js';
import { probeMedia } from '../../../media/probe.js';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

export const DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024;
export const IMAGE_MIMES = ['image/jpeg', 'image/png', 'image/webp'];
export const AUDIO_MIMES = ['audio/mpeg', 'audio/ogg', 'audio/opus', 'audio/wav', 'audio/x-wav', 'audio/vnd.wave', 'audio/aac', 'audio/mp4', 'audio/x-m4a'];

export interface MediaCandidate {
  fileId: string;
  fileUniqueId: string;
  size: number | undefined;
  claimedMime: string | undefined;
  fileName: string;
  width?: number;
  height?: number;
  /** Seconds, from Telegram's metadata (voice and audio messages). */
  duration?: number;
}

/** A photo (largest size) or an image sent as a file; null for anything else. */
export function imageCandidate(message: Message | undefined): MediaCandidate | null {
  const photo = message?.photo?.at(-1);
  if (photo) {
    return {
      fileId: photo.file_id,
      fileUniqueId: photo.file_unique_id,
      size: photo.file_size,
      claimedMime: 'image/jpeg',
      fileName: 'photo.jpg',
      width: photo.width,
      height: photo.height,
    };
  }
  const doc = message?.document;
  if (doc && (doc.mime_type?.startsWith('image/') || /\.(jpe?g|png|webp)$/i.test(doc.file_name ?? ''))) {
    return { fileId: doc.file_id, fileUniqueId: doc.file_unique_id, size: doc.file_size, claimedMime: doc.mime_type, fileName: doc.file_name ?? 'image' };
  }
  return null;
}

/** A voice note, an audio file or an audio document; null for anything else. */
export function audioCandidate(message: Message | undefined): MediaCandidate | null {
  const voice = message?.voice;
  if (voice)
    return {
      fileId: voice.file_id,
      fileUniqueId: voice.file_unique_id,
      size: voice.file_size,
      claimedMime: voice.mime_type ?? 'audio/ogg',
      fileName: 'voice.ogg',
      duration: voice.duration,
    };
  const audio = message?.audio;
  if (audio)
    return {
      fileId: audio.file_id,
      fileUniqueId: audio.file_unique_id,
      size: audio.file_size,
      claimedMime: audio.mime_type,
      fileName: audio.file_name ?? 'audio',
      duration: audio.duration,
    };
  const doc = message?.document;
  if (doc && (doc.mime_type?.startsWith('audio/') || /\.(mp3|ogg|oga|opus|wav|m4a|aac)$/i.test(doc.file_name ?? ''))) {
    return { fileId: doc.file_id, fileUniqueId: doc.file_unique_id, size: doc.file_size, claimedMime: doc.mime_type, fileName: doc.file_name ?? 'audio' };
  }
  return null;
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1).replace(/\.0$/, '');

/** Size checks from metadata alone: no download for files that are too big. */
export function checkSize(candidate: MediaCandidate, maxBytes: number): void {
  const size = candidate.size ?? 0;
  if (size > TELEGRAM_DOWNLOAD_LIMIT) throw new UserError('media-too-big-telegram', { size: mb(size) });
  if (size > maxBytes) throw new UserError('media-too-big', { size: mb(size), max: mb(maxBytes) });
}

/** Checks an image and returns its reference; throws a UserError when it is not usable. */
export async function checkImage(files: TelegramFiles, candidate: MediaCandidate, limits: { maxBytes?: number; mimes?: string[] } = {}): Promise<FileRef> {
  checkSize(candidate, limits.maxBytes ?? DEFAULT_MAX_FILE_BYTES);
  const sniffed = await files.sniff(candidate.fileId);
  const allowed = limits.mimes ?? IMAGE_MIMES;
  if (!sniffed.mime || !allowed.includes(sniffed.mime)) {
    throw new UserError(allowed.includes('image/webp') ? 'media-wrong-image-type' : 'media-wrong-image-type-jpeg-png');
  }
  const ext = sniffed.mime.split('/')[1]!.replace('jpeg', 'jpg');
  return {
    fileId: candidate.fileId,
    fileUniqueId: candidate.fileUniqueId,
    mime: sniffed.mime,
    size: candidate.size ?? 0,
    fileName: `image.${ext}`,
    width: sniffed.width ?? candidate.width,
    height: sniffed.height ?? candidate.height,
  };
}

/** Checks audio and returns its reference with its length in seconds. */
export async function checkAudio(
  files: TelegramFiles,
  candidate: MediaCandidate,
  limits: { maxBytes?: number } = {},
): Promise<{ ref: FileRef; seconds: number }> {
  checkSize(candidate, limits.maxBytes ?? DEFAULT_MAX_FILE_BYTES);
  const sniffed = await files.sniff(candidate.fileId);
  let mime = sniffed.mime;
  if (mime === 'audio/x-m4a' || mime === 'video/mp4') mime = 'audio/mp4';
  if (mime === 'audio/opus') mime = 'audio/ogg';
  if (!mime || !AUDIO_MIMES.includes(mime)) throw new UserError('media-wrong-audio-type');
  // Prices and limits per second use the larger of the declared and the measured duration: a
  // sender's metadata alone could claim 1 s for a 60 s clip (src/media/duration.ts).
  const measured = await files.audioSeconds(candidate.fileId, mime);
  const seconds = billableSeconds(candidate.duration, measured);
  if (!seconds) throw new UserError('audio-no-duration');
  const ext =
    { 'audio/mpeg': 'mp3', 'audio/ogg': 'ogg', 'audio/wav': 'wav', 'audio/x-wav': 'wav', 'audio/vnd.wave': 'wav', 'audio/aac': 'aac', 'audio/mp4': 'm4a' }[
      mime
    ] ?? 'audio';
  return {
    ref: { fileId: candidate.fileId, fileUniqueId: candidate.fileUniqueId, mime, size: candidate.size ?? 0, fileName: `audio.${ext}` },
    seconds: Math.round(seconds * 100) / 100,
  };
}

export const VIDEO_MIMES = ['video/mp4', 'video/quicktime'];

/** A video message or a video document; null for anything else. Carries Telegram's metadata. */
export function videoCandidate(message: Message | undefined): MediaCandidate | null {
  const video = message?.video;
  if (video) {
    return {
      fileId: video.file_id,
      fileUniqueId: video.file_unique_id,
      size: video.file_size,
      claimedMime: video.mime_type ?? 'video/mp4',
      fileName: video.file_name ?? 'video.mp4',
      width: video.width,
      height: video.height,
      duration: video.duration,
    };
  }
  const doc = message?.document;
  if (doc && (doc.mime_type?.startsWith('video/') || /\.(mp4|mov)$/i.test(doc.file_name ?? ''))) {
    return { fileId: doc.file_id, fileUniqueId: doc.file_unique_id, size: doc.file_size, claimedMime: doc.mime_type, fileName: doc.file_name ?? 'video.mp4' };
  }
  return null;
}

/**
 * Checks a video after its metadata passed: the real type from the first bytes, then a probe of
 * the downloaded file (length, picture size). Returns the reference and the probed length.
 */
export async function checkVideo(
  files: TelegramFiles,
  candidate: MediaCandidate,
  probe: (fileId: string) => Promise<{ durationSeconds?: number; width?: number; height?: number } | null>,
): Promise<{ ref: FileRef; seconds: number | undefined; width?: number; height?: number }> {
  checkSize(candidate, TELEGRAM_DOWNLOAD_LIMIT);
  const sniffed = await files.sniff(candidate.fileId);
  if (!sniffed.mime || !VIDEO_MIMES.includes(sniffed.mime)) throw new UserError('issue-video-unreadable');
  const probed = await probe(candidate.fileId);
  if (!probed || probed.durationSeconds === undefined) throw new UserError('issue-video-unreadable');
  const width = probed.width ?? candidate.width;
  const height = probed.height ?? candidate.height;
  return {
    ref: {
      fileId: candidate.fileId,
      fileUniqueId: candidate.fileUniqueId,
      mime: sniffed.mime,
      size: candidate.size ?? 0,
      fileName: sniffed.mime === 'video/quicktime' ? 'video.mov' : 'video.mp4',
      ...(width ? { width } : {}),
      ...(height ? { height } : {}),
    },
    seconds: Math.round(Math.max(probed.durationSeconds, candidate.duration ?? 0) * 100) / 100,
    ...(width ? { width } : {}),
    ...(height ? { height } : {}),
  };
}

/** Downloads a Telegram video to a temporary file and probes it (an MP4's index may be at its end). */
export async function probeTelegramVideo(files: TelegramFiles, fileId: string): Promise<{ durationSeconds?: number; width?: number; height?: number } | null> {
  const dir = await mkdtemp(join(tmpdir(), 'video-probe-'));
  try {
    const target = join(dir, 'video');
    const { stream } = await files.open(fileId);
    await pipeline(stream, createWriteStream(target));
    const probe = await probeMedia(target, { timeoutMs: 30_000 }).catch(() => null);
    if (!probe?.video) return null;
    return { ...(probe.durationSeconds !== undefined ? { durationSeconds: probe.durationSeconds } : {}), width: probe.video.width, height: probe.video.height };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
