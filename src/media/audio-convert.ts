/**
 * Voice conversion for providers that do not take OGG/Opus (the Kling avatar and lip-sync accept
 * mp3/wav/m4a/aac): any audio ffmpeg reads → mp3 (default) or m4a, mono, streamed in and out,
 * time-bounded, optionally trimmed. Failures are MediaToolError (code + ffmpeg's last words).
 */
import type { Readable } from 'node:stream';
import { collect, MediaToolError, runMediaTool, type RunOptions } from './ffmpeg.js';
import type { InputMedia } from '../providers/types.js';

export { MediaToolError } from './ffmpeg.js';

export type AudioTarget = 'mp3' | 'm4a';

export interface AudioConvertOptions extends RunOptions {
  format?: AudioTarget;
  /** Output bitrate (default 64 kbit/s: 300 s of voice stay under Kling's 5 MB). */
  bitrateKbps?: number;
  /** Cut the output at this many seconds (the clip a provider will use). */
  maxSeconds?: number;
}

export const AUDIO_TARGET_MIME: Record<AudioTarget, string> = { mp3: 'audio/mpeg', m4a: 'audio/mp4' };

/** MIME types Kling takes as they are (no conversion needed). */
export const KLING_AUDIO_MIMES: readonly string[] = [
  'audio/mpeg',
  'audio/mp3',
  'audio/wav',
  'audio/x-wav',
  'audio/wave',
  'audio/vnd.wave',
  'audio/mp4',
  'audio/x-m4a',
  'audio/m4a',
  'audio/aac',
  'audio/x-aac',
];

function args(options: AudioConvertOptions): string[] {
  const format = options.format ?? 'mp3';
  const bitrate = `${options.bitrateKbps ?? 64}k`;
  const trim = options.maxSeconds !== undefined ? ['-t', options.maxSeconds.toFixed(3)] : [];
  const codec =
    format === 'mp3'
      ? ['-c:a', 'libmp3lame', '-b:a', bitrate, '-f', 'mp3']
      : // A fragmented MP4 can be written to a pipe (a plain one needs a seekable output).
        ['-c:a', 'aac', '-b:a', bitrate, '-movflags', '+frag_keyframe+empty_moov+default_base_moof', '-f', 'mp4'];
  return ['-hide_banner', '-loglevel', 'error', '-i', 'pipe:0', '-map', '0:a:0', '-vn', '-ac', '1', '-ar', '44100', ...trim, ...codec, 'pipe:1'];
}

/** Streams `input` through ffmpeg; the output stream errors with a MediaToolError on failure. */
export function convertAudio(input: Readable, options: AudioConvertOptions = {}): Readable {
  return runMediaTool('ffmpeg', args(options), input, { timeoutMs: options.timeoutMs ?? 60_000, signal: options.signal, binaryPath: options.binaryPath });
}

/** Converts into memory (for base64 bodies), failing with `too_large` past `maxBytes`. */
export async function convertAudioToBuffer(input: Readable, options: AudioConvertOptions & { maxBytes: number }): Promise<Buffer> {
  const bytes = await collect(convertAudio(input, options), options.maxBytes);
  if (bytes.length === 0) throw new MediaToolError('invalid_input', 'conversion produced no audio');
  return bytes;
}

/** True when a provider that takes only mp3/wav/m4a/aac needs this audio converted. */
export function needsConversion(mime: string, accepted: readonly string[] = KLING_AUDIO_MIMES): boolean {
  return !accepted.includes(mime.split(';')[0]!.trim().toLowerCase());
}

/** An InputMedia of the converted audio, held in memory (voice notes are small). */
export async function convertInputMedia(media: InputMedia, options: AudioConvertOptions & { maxBytes: number }): Promise<InputMedia> {
  const format = options.format ?? 'mp3';
  const bytes = await convertAudioToBuffer(await media.open(), options);
  const { Readable } = await import('node:stream');
  return {
    open: async () => Readable.from([bytes]),
    size: bytes.length,
    mime: AUDIO_TARGET_MIME[format],
    fileName: media.fileName.replace(/\.[^.]*$/, '') + `.${format}`,
  };
}
