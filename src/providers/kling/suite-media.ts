/**
 * Preparing media for Kling suite bodies: images read, sniffed, checked and sent as raw base64;
 * voices converted from OGG/Opus (or anything else Kling does not take) to mp3, trimmed to the
 * clip that will be used, and checked against Kling's 5 MB limit.
 */
import type { Readable } from 'node:stream';
import { ProviderError, type InputMedia } from '../types.js';
import { KLING_MAX_IMAGE_BYTES, checkKlingImage, readImageSize, sniffImageType } from '../../media/image.js';
import { convertAudioToBuffer, needsConversion, type AudioConvertOptions } from '../../media/audio-convert.js';
import { MediaToolError } from '../../media/ffmpeg.js';
import { parseBuffer } from 'music-metadata';

/** Kling's `sound_file` limit. */
export const KLING_MAX_SOUND_BYTES = 5 * 1024 * 1024;

export function badInput(code: string, message: string): ProviderError {
  return new ProviderError(message, 'final', code, 'bad_input');
}

async function readAll(stream: Readable, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array);
    total += buf.length;
    if (total > limit) {
      stream.destroy();
      return null;
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/** Reads, sniffs and checks an image; returns raw base64 (no data: prefix). */
export async function encodeKlingImage(image: InputMedia, role = 'image'): Promise<string> {
  if (image.size > KLING_MAX_IMAGE_BYTES) throw badInput('image-too-large', `${role} is larger than 10 MB`);
  const bytes = await readAll(await image.open(), KLING_MAX_IMAGE_BYTES);
  if (!bytes) throw badInput('image-too-large', `${role} is larger than 10 MB`);
  const type = sniffImageType(bytes);
  if (!type) throw badInput('image-wrong-type', `${role} is not a JPEG or PNG`);
  const size = readImageSize(bytes) ?? (image.width && image.height ? { width: image.width, height: image.height } : null);
  if (!size) throw badInput('image-unreadable', `${role} dimensions could not be read`);
  const issues = checkKlingImage({ mime: `image/${type}`, size: bytes.length, ...size });
  if (issues[0]) throw badInput(issues[0].code, `${role} rejected before sending: ${issues.map((i) => i.code).join(', ')}`);
  return bytes.toString('base64');
}

/** The bytes for `sound_file` and their measured length (ms) when it could be read. */
export interface PreparedAudio {
  bytes: Buffer;
  durationMs?: number;
}

export type AudioPreparer = (audio: InputMedia, options: { maxSeconds?: number; signal?: AbortSignal }) => Promise<PreparedAudio>;

async function measure(bytes: Buffer): Promise<number | undefined> {
  try {
    const seconds = (await parseBuffer(bytes, undefined, { duration: true, skipCovers: true })).format.duration;
    return seconds !== undefined && Number.isFinite(seconds) && seconds > 0 ? Math.floor(seconds * 1000) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The default preparer: mp3/wav/m4a/aac pass through when no trim is asked; anything else (a
 * Telegram voice note is OGG/Opus) is converted to mp3 with the shipped ffmpeg.
 */
export function createAudioPreparer(options: Pick<AudioConvertOptions, 'timeoutMs' | 'binaryPath'> = {}): AudioPreparer {
  return async (audio, { maxSeconds, signal }) => {
    if (!needsConversion(audio.mime) && maxSeconds === undefined) {
      const bytes = await readAll(await audio.open(), KLING_MAX_SOUND_BYTES);
      if (!bytes) throw badInput('audio-too-large', 'audio is larger than 5 MB');
      const durationMs = await measure(bytes);
      return { bytes, ...(durationMs !== undefined ? { durationMs } : {}) };
    }
    try {
      const bytes = await convertAudioToBuffer(await audio.open(), { ...options, format: 'mp3', maxSeconds, signal, maxBytes: KLING_MAX_SOUND_BYTES });
      const durationMs = await measure(bytes);
      return { bytes, ...(durationMs !== undefined ? { durationMs } : {}) };
    } catch (error) {
      if (!(error instanceof MediaToolError)) throw error;
      if (error.code === 'too_large') throw badInput('audio-too-large', 'converted audio is larger than 5 MB');
      if (error.code === 'invalid_input' || error.code === 'no_audio') throw badInput('audio-unreadable', `audio could not be read: ${error.message}`);
      // Our converter failed (missing binary, timeout): not the user's fault; may work on a retry.
      throw new ProviderError(
        `audio conversion failed: ${error.message}`,
        error.code === 'tool_unavailable' ? 'final' : 'retryable',
        `audio_convert_${error.code}`,
        'provider_error',
      );
    }
  };
}
