/**
 * KIE Market video models (docs/providers.md §market): the wire mapping of the domain's options
 * for each `model` id, and the pre-flight checks of what that model accepts. Domain values
 * (duration "5", aspect "16:9", resolution "1080p", mode "4k", sound on/off) become the wire's
 * own types here: Kling/Hailuo/Wan/Seedance 1.5 durations are strings, Grok's t2v duration is a
 * number, Kling 3.0's 4K is `4K`, Hailuo resolutions are `768P`/`1080P`, Sora's aspect is
 * `portrait`/`landscape` and its duration is `n_frames`.
 *
 * Results are read from `resultJson.resultUrls[0]` like every Market task (docs/providers.md §market).
 */
import type { GenerationKind, GenerationRequest, ValidationIssue } from '../types.js';

export interface MarketUrls {
  imageUrl?: string;
  endImageUrl?: string;
}

interface MarketModel {
  kinds: readonly GenerationKind[];
  /** The model needs a picture (i2v), takes none (t2v) or either (one model for both). */
  image: 'required' | 'none' | 'optional';
  endImage?: boolean;
  prompt: { max: number; min?: number };
  durations: readonly string[];
  aspectRatios?: readonly string[];
  resolutions?: readonly string[];
  modes?: readonly string[];
  sound?: boolean;
  /** Refused combinations (domain values). */
  refused?: readonly { duration?: string; resolution?: string }[];
  build(o: MarketOptions, urls: MarketUrls): Record<string, unknown>;
}

export interface MarketOptions {
  prompt: string;
  duration: string;
  aspectRatio?: string;
  resolution?: string;
  mode?: string;
  sound: boolean;
}

const KLING_ASPECTS = ['16:9', '9:16', '1:1'] as const;
const SEEDANCE_ASPECTS = ['1:1', '4:3', '3:4', '16:9', '9:16', '21:9'] as const;

export const MARKET_MODELS: Readonly<Record<string, MarketModel>> = {
  'kling-2.6/text-to-video': {
    kinds: ['text2video'],
    image: 'none',
    prompt: { max: 1000 },
    durations: ['5', '10'],
    aspectRatios: KLING_ASPECTS,
    sound: true,
    build: (o) => ({ prompt: o.prompt, sound: o.sound, aspect_ratio: o.aspectRatio ?? '16:9', duration: o.duration }),
  },
  'kling-2.6/image-to-video': {
    kinds: ['image2video'],
    image: 'required',
    prompt: { max: 1000 },
    durations: ['5', '10'],
    sound: true,
    build: (o, u) => ({ prompt: o.prompt, image_urls: [u.imageUrl], sound: o.sound, duration: o.duration }),
  },
  'kling-3.0/video': {
    kinds: ['text2video', 'image2video'],
    image: 'optional',
    endImage: true,
    prompt: { max: 2500 },
    durations: ['3', '4', '5', '6', '7', '8', '9', '10', '11', '12', '13', '14', '15'],
    aspectRatios: KLING_ASPECTS,
    modes: ['std', 'pro', '4k'],
    sound: true,
    build: (o, u) => ({
      prompt: o.prompt,
      ...(u.imageUrl ? { image_urls: u.endImageUrl ? [u.imageUrl, u.endImageUrl] : [u.imageUrl] } : { aspect_ratio: o.aspectRatio ?? '16:9' }),
      sound: o.sound,
      duration: o.duration,
      mode: o.mode === '4k' ? '4K' : (o.mode ?? 'pro'),
      multi_shots: false,
    }),
  },
  'hailuo/02-text-to-video-standard': {
    kinds: ['text2video'],
    image: 'none',
    prompt: { max: 1500 },
    durations: ['6', '10'],
    build: (o) => ({ prompt: o.prompt, duration: o.duration, prompt_optimizer: true }),
  },
  'hailuo/2-3-image-to-video-standard': {
    kinds: ['image2video'],
    image: 'required',
    prompt: { max: 5000 },
    durations: ['6', '10'],
    resolutions: ['768p', '1080p'],
    refused: [{ duration: '10', resolution: '1080p' }],
    build: (o, u) => ({ prompt: o.prompt, image_url: u.imageUrl, duration: o.duration, resolution: (o.resolution ?? '768p').toUpperCase() }),
  },
  'bytedance/seedance-1.5-pro': {
    kinds: ['text2video', 'image2video'],
    image: 'optional',
    endImage: true,
    prompt: { max: 2500, min: 3 },
    durations: ['4', '8', '12'],
    aspectRatios: SEEDANCE_ASPECTS,
    resolutions: ['480p', '720p', '1080p'],
    sound: true,
    build: (o, u) => ({
      prompt: o.prompt,
      input_urls: [u.imageUrl, u.endImageUrl].filter((x): x is string => Boolean(x)),
      aspect_ratio: o.aspectRatio ?? '16:9',
      resolution: o.resolution ?? '720p',
      duration: o.duration,
      generate_audio: o.sound,
    }),
  },
  'wan/2-6-text-to-video': {
    kinds: ['text2video'],
    image: 'none',
    prompt: { max: 5000 },
    durations: ['5', '10', '15'],
    resolutions: ['720p', '1080p'],
    build: (o) => ({ prompt: o.prompt, duration: o.duration, resolution: o.resolution ?? '1080p' }),
  },
  'wan/2-6-image-to-video': {
    kinds: ['image2video'],
    image: 'required',
    prompt: { max: 5000 },
    durations: ['5', '10', '15'],
    resolutions: ['720p', '1080p'],
    build: (o, u) => ({ prompt: o.prompt, image_urls: [u.imageUrl], duration: o.duration, resolution: o.resolution ?? '1080p' }),
  },
  'sora-2-text-to-video': {
    kinds: ['text2video'],
    image: 'none',
    prompt: { max: 10000 },
    durations: ['10', '15'],
    aspectRatios: ['16:9', '9:16'],
    build: (o) => ({
      prompt: o.prompt,
      aspect_ratio: o.aspectRatio === '9:16' ? 'portrait' : 'landscape',
      n_frames: o.duration,
      remove_watermark: true,
      upload_method: 's3',
    }),
  },
  'sora-2-image-to-video': {
    kinds: ['image2video'],
    image: 'required',
    prompt: { max: 10000 },
    durations: ['10', '15'],
    aspectRatios: ['16:9', '9:16'],
    build: (o, u) => ({
      prompt: o.prompt,
      image_urls: [u.imageUrl],
      aspect_ratio: o.aspectRatio === '9:16' ? 'portrait' : 'landscape',
      n_frames: o.duration,
      remove_watermark: true,
      upload_method: 's3',
    }),
  },
  'grok-imagine/text-to-video': {
    kinds: ['text2video'],
    image: 'none',
    prompt: { max: 5000 },
    durations: Array.from({ length: 25 }, (_, i) => String(i + 6)),
    aspectRatios: ['2:3', '3:2', '1:1', '16:9', '9:16'],
    resolutions: ['480p', '720p'],
    build: (o) => ({
      prompt: o.prompt,
      aspect_ratio: o.aspectRatio ?? '2:3',
      mode: 'normal',
      duration: Number(o.duration),
      resolution: o.resolution ?? '480p',
    }),
  },
};

export function isMarketVideoModel(model: string): boolean {
  return Object.hasOwn(MARKET_MODELS, model);
}

function str(value: unknown): string | undefined {
  return value === undefined || value === null || value === '' ? undefined : String(value);
}

export function marketOptions(model: MarketModel, request: GenerationRequest): MarketOptions {
  const o = request.options;
  return {
    prompt: (request.prompt ?? '').trim(),
    duration: str(o.duration) ?? model.durations[0]!,
    ...(str(o.aspectRatio) ? { aspectRatio: str(o.aspectRatio)! } : {}),
    ...(str(o.resolution) ? { resolution: str(o.resolution)!.toLowerCase() } : {}),
    ...(str(o.mode) ? { mode: str(o.mode)!.toLowerCase() } : {}),
    sound: o.sound === true || o.sound === 'on' || o.sound === 'true',
  };
}

/** Pre-flight checks of a Market video request (metadata only). */
export function validateMarketRequest(request: GenerationRequest): ValidationIssue[] {
  const model = MARKET_MODELS[request.providerModel];
  if (!model) return [{ code: 'unsupported-model', vars: { model: request.providerModel } }];
  if (!model.kinds.includes(request.kind)) return [{ code: 'unsupported-kind', vars: { kind: request.kind } }];
  const issues: ValidationIssue[] = [];
  const o = marketOptions(model, request);
  if (o.prompt === '') issues.push({ code: 'prompt-required' });
  else if ([...o.prompt].length > model.prompt.max) issues.push({ code: 'prompt-too-long', vars: { max: model.prompt.max } });
  else if (model.prompt.min !== undefined && [...o.prompt].length < model.prompt.min)
    issues.push({ code: 'prompt-too-short', vars: { min: model.prompt.min } });
  const needsImage = model.image === 'required' || (model.image === 'optional' && request.kind === 'image2video');
  if (needsImage && !request.image) issues.push({ code: 'image-required' });
  if (model.image === 'none' && request.image) issues.push({ code: 'image-not-accepted' });
  if (request.endImage && (!model.endImage || !request.image)) issues.push({ code: 'end-image-not-accepted' });
  for (const media of [request.image, request.endImage]) {
    if (!media) continue;
    if (!['image/jpeg', 'image/png', 'image/webp'].includes(media.mime.split(';')[0]!.trim().toLowerCase())) issues.push({ code: 'image-type' });
    if (media.size > 10 * 1024 * 1024) issues.push({ code: 'image-too-large', vars: { maxMb: 10 } });
  }
  if (!model.durations.includes(o.duration)) issues.push({ code: 'invalid-duration' });
  // Kling 3.0's aspect ratio follows the image; elsewhere an unknown ratio is refused.
  if (o.aspectRatio !== undefined && model.aspectRatios && !(request.image && model.image === 'optional') && !model.aspectRatios.includes(o.aspectRatio)) {
    issues.push({ code: 'invalid-aspect-ratio' });
  }
  if (o.resolution !== undefined && model.resolutions && !model.resolutions.includes(o.resolution))
    issues.push({ code: 'resolution-invalid', vars: { allowed: model.resolutions.join(', ') } });
  if (o.mode !== undefined && model.modes && !model.modes.includes(o.mode)) issues.push({ code: 'invalid-mode' });
  if (o.sound && !model.sound) issues.push({ code: 'sound-not-supported' });
  for (const rule of model.refused ?? []) {
    if ((rule.duration === undefined || rule.duration === o.duration) && (rule.resolution === undefined || rule.resolution === o.resolution)) {
      issues.push({ code: 'option-combination-refused' });
    }
  }
  return issues;
}

/** The createTask `input` of a validated Market video request, given the re-hosted image URLs. */
export function buildMarketInput(request: GenerationRequest, urls: MarketUrls): Record<string, unknown> {
  const model = MARKET_MODELS[request.providerModel];
  if (!model) throw new Error(`not a KIE Market video model: ${request.providerModel}`);
  return model.build(marketOptions(model, request), urls);
}
