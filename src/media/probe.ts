/**
 * Media probing with the shipped ffprobe: duration, container, and the first video/audio stream
 * (codec, pixel size). Reads a file path or a stream; time-bounded; the JSON is parsed with zod.
 */
import type { ValidationIssue } from '../domain/validation.js';
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
  const out = runMediaTool('ffprobe', args, typeof source === 'string' ? null : source, {
    timeoutMs: options.timeoutMs ?? 30_000,
    signal: options.signal,
    binaryPath: options.binaryPath,
  });
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

export interface VideoRules {
  minSeconds: number;
  maxSeconds: number;
  minSide: number;
  maxSide: number;
  maxBytes: number;
}

/** Kling identify-face `video_url` (docs/providers.md §kling-suite): 2–60 s, 720p/1080p, sides 512–2160, ≤100 MB. */
export const LIPSYNC_VIDEO_RULES: VideoRules = { minSeconds: 2, maxSeconds: 60, minSide: 512, maxSide: 2160, maxBytes: 100 * 1024 * 1024 };

/** Kling motion-control reference (docs/providers.md §kling-suite): ≥3 s, ≤10 s (orientation image) or ≤30 s (video), sides 340–3850. */
export function motionVideoRules(orientation: 'image' | 'video'): VideoRules {
  return { minSeconds: 3, maxSeconds: orientation === 'video' ? 30 : 10, minSide: 340, maxSide: 3850, maxBytes: 100 * 1024 * 1024 };
}

type Issue = ValidationIssue;

/**
 * Checks what is known of a video against the rules: usable on Telegram's metadata before any
 * download (fields may be missing) and again on the probe after it. Empty = nothing wrong known.
 */
export function checkVideoMeta(meta: { durationSeconds?: number; width?: number; height?: number; sizeBytes?: number }, rules: VideoRules): Issue[] {
  const issues: Issue[] = [];
  if (meta.sizeBytes !== undefined && meta.sizeBytes > rules.maxBytes) issues.push({ code: 'video-too-large', vars: { maxMb: rules.maxBytes / 1024 / 1024 } });
  const seconds = meta.durationSeconds;
  if (seconds !== undefined && seconds < rules.minSeconds) issues.push({ code: 'video-too-short', vars: { min: rules.minSeconds } });
  if (seconds !== undefined && seconds > rules.maxSeconds) issues.push({ code: 'video-too-long', vars: { max: rules.maxSeconds } });
  const { width, height } = meta;
  if (width !== undefined && height !== undefined && (Math.min(width, height) < rules.minSide || Math.max(width, height) > rules.maxSide)) {
    issues.push({ code: 'video-resolution', vars: { min: rules.minSide, max: rules.maxSide } });
  }
  return issues;
}

/** The probe of a downloaded video against the rules (a probe without a video stream or length fails). */
export function checkProbedVideo(probe: MediaProbe, sizeBytes: number, rules: VideoRules): Issue[] {
  if (!probe.video || probe.durationSeconds === undefined) {
    const size = checkVideoMeta({ sizeBytes }, rules);
    return [...size, { code: 'video-unreadable' }];
  }
  return checkVideoMeta({ durationSeconds: probe.durationSeconds, width: probe.video.width, height: probe.video.height, sizeBytes }, rules);
}

/** Kling identify-face video_url rules on a probe (see LIPSYNC_VIDEO_RULES). */
export function checkLipSyncVideo(probe: MediaProbe, sizeBytes: number): Issue[] {
  return checkProbedVideo(probe, sizeBytes, LIPSYNC_VIDEO_RULES);
}
