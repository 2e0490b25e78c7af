/**
 * Media probing with the shipped ffprobe: duration, container, and the first video/audio stream
 * (codec, pixel size). Reads a file path or a stream; time-bounded; the JSON is parsed with zod.
 */
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { collect, MediaToolError, runMediaTool, type RunOptions } from './ffmpeg.js';

export interface MediaProbe {
  /** Seconds, from the container (or the longest stream when the container has none). */
  durationSeconds?: number;
  formatName: string;
  video?: { codec: string; width: number; height: number };
  audio?: { codec: string };
}

const numberish = z.union([z.string(), z.number()]).transform(Number).pipe(z.number().finite());

const probeSchema = z.object({
  streams: z
    .array(
      z.object({
        codec_type: z.string().optional(),
        codec_name: z.string().optional(),
        width: z.number().int().optional(),
        height: z.number().int().optional(),
        duration: numberish.optional().catch(undefined),
      }),
    )
    .default([]),
  format: z.object({ format_name: z.string().default(''), duration: numberish.optional().catch(undefined) }).default({ format_name: '' }),
});

/** Probes `source` (a path, or a stream read through stdin). */
export async function probeMedia(source: string | Readable, options: RunOptions = {}): Promise<MediaProbe> {
  const target = typeof source === 'string' ? source : 'pipe:0';
  const args = ['-v', 'error', '-show_entries', 'format=format_name,duration:stream=codec_type,codec_name,width,height,duration', '-of', 'json', target];
  const out = runMediaTool('ffprobe', args, typeof source === 'string' ? null : source, { timeoutMs: options.timeoutMs ?? 30_000, signal: options.signal, binaryPath: options.binaryPath });
  const text = (await collect(out, 1_000_000)).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new MediaToolError('invalid_input', 'ffprobe printed no JSON');
  }
  const parsed = probeSchema.safeParse(json);
  if (!parsed.success) throw new MediaToolError('invalid_input', 'ffprobe JSON has an unexpected shape');
  const { streams, format } = parsed.data;
  if (streams.length === 0) throw new MediaToolError('invalid_input', 'no audio or video stream');
  const video = streams.find((s) => s.codec_type === 'video' && s.width && s.height);
  const audio = streams.find((s) => s.codec_type === 'audio');
  const streamMax = Math.max(0, ...streams.map((s) => s.duration ?? 0));
  const duration = format.duration ?? (streamMax > 0 ? streamMax : undefined);
  return {
    ...(duration !== undefined && duration > 0 ? { durationSeconds: duration } : {}),
    formatName: format.format_name,
    ...(video ? { video: { codec: video.codec_name ?? 'unknown', width: video.width!, height: video.height! } } : {}),
    ...(audio ? { audio: { codec: audio.codec_name ?? 'unknown' } } : {}),
  };
}

/** Kling identify-face video_url rules (PROVIDERS-MORE.md D.5): 2–60 s, 720p/1080p, sides 512–2160. */
export function checkLipSyncVideo(probe: MediaProbe, sizeBytes: number): { code: string; vars?: Record<string, string | number> }[] {
  const issues: { code: string; vars?: Record<string, string | number> }[] = [];
  if (sizeBytes > 100 * 1024 * 1024) issues.push({ code: 'video-too-large', vars: { maxMb: 100 } });
  if (!probe.video) return [...issues, { code: 'video-unreadable' }];
  const seconds = probe.durationSeconds;
  if (seconds === undefined) issues.push({ code: 'video-unreadable' });
  else if (seconds < 2) issues.push({ code: 'video-too-short', vars: { min: 2 } });
  else if (seconds > 60) issues.push({ code: 'video-too-long', vars: { max: 60 } });
  const { width, height } = probe.video;
  if (Math.min(width, height) < 512 || Math.max(width, height) > 2160) issues.push({ code: 'video-resolution', vars: { min: 512, max: 2160 } });
  return issues;
}
