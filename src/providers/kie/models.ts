/**
 * KIE Market lip-sync models (docs/providers.md §kie-models): limits, pre-flight validation and the `input`
 * object for createTask. Model ids stay configurable: the Kling avatar family is recognised by
 * prefix so the older aliases (kling/v1-avatar-standard, kling/ai-avatar-v1-pro) also work.
 */
import type { GenerationRequest, ModelLimits, ValidationIssue } from '../types.js';
import { buildMarketInput, isMarketVideoModel, validateMarketRequest } from './market-models.js';

export const INFINITALK_MODEL = 'infinitalk/from-audio';

export const DEFAULT_INFINITALK_PROMPT = 'A person speaking naturally';
export const KIE_RESOLUTIONS = ['480p', '720p'] as const;
export const KIE_SEED_MIN = 10_000;
export const KIE_SEED_MAX = 1_000_000;

const MB = 1024 * 1024;
export const KIE_IMAGE_MIMES = ['image/jpeg', 'image/png', 'image/webp'];
export const KIE_AUDIO_MIMES = ['audio/mpeg', 'audio/wav', 'audio/x-wav', 'audio/aac', 'audio/mp4', 'audio/ogg'];

const LIMITS: ModelLimits = {
  maxAudioSeconds: 15,
  maxImageBytes: 10 * MB,
  maxAudioBytes: 10 * MB,
  maxPromptLength: 5000,
  imageMimes: KIE_IMAGE_MIMES,
  audioMimes: KIE_AUDIO_MIMES,
};

export type KieModelFamily = 'infinitalk' | 'avatar';

export function modelFamily(model: string): KieModelFamily | undefined {
  if (model === INFINITALK_MODEL) return 'infinitalk';
  if (model.startsWith('kling/') && model.includes('avatar')) return 'avatar';
  return undefined;
}

export function kieLimits(_model: string): ModelLimits {
  return { ...LIMITS, imageMimes: [...KIE_IMAGE_MIMES], audioMimes: [...KIE_AUDIO_MIMES] };
}

/** `audio/ogg; codecs=opus` → `audio/ogg`. */
export function baseMime(mime: string): string {
  return mime.split(';')[0]!.trim().toLowerCase();
}

function seedOf(request: GenerationRequest): number | undefined | 'invalid' {
  const raw = request.options.seed;
  if (raw === undefined || raw === '') return undefined;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : NaN;
  return Number.isInteger(n) ? n : 'invalid';
}

export function validateKieRequest(request: GenerationRequest): ValidationIssue[] {
  if (isMarketVideoModel(request.providerModel)) return validateMarketRequest(request);
  const issues: ValidationIssue[] = [];
  const family = modelFamily(request.providerModel);
  if (!family) return [{ code: 'unsupported-model', vars: { model: request.providerModel } }];
  if (request.kind !== 'lipsync') return [{ code: 'unsupported-kind', vars: { kind: request.kind } }];
  const limits = LIMITS;

  const { image, audio } = request;
  if (!image) issues.push({ code: 'image-missing' });
  else {
    if (!KIE_IMAGE_MIMES.includes(baseMime(image.mime))) issues.push({ code: 'image-type', vars: { mime: baseMime(image.mime) } });
    if (image.size > limits.maxImageBytes!) issues.push({ code: 'image-too-large', vars: { maxMb: 10 } });
    if (image.size <= 0) issues.push({ code: 'image-empty' });
  }
  if (!audio) issues.push({ code: 'audio-missing' });
  else {
    if (!KIE_AUDIO_MIMES.includes(baseMime(audio.mime))) issues.push({ code: 'audio-type', vars: { mime: baseMime(audio.mime) } });
    if (audio.size > limits.maxAudioBytes!) issues.push({ code: 'audio-too-large', vars: { maxMb: 10 } });
    if (audio.size <= 0) issues.push({ code: 'audio-empty' });
  }
  if (request.audioSeconds !== undefined && request.audioSeconds > limits.maxAudioSeconds!) {
    issues.push({ code: 'audio-too-long', vars: { max: limits.maxAudioSeconds!, seconds: Math.ceil(request.audioSeconds) } });
  }
  if ((request.prompt ?? '').length > limits.maxPromptLength!) {
    issues.push({ code: 'prompt-too-long', vars: { max: limits.maxPromptLength! } });
  }

  if (family === 'infinitalk') {
    const resolution = request.options.resolution;
    if (resolution !== undefined && !(KIE_RESOLUTIONS as readonly unknown[]).includes(resolution)) {
      issues.push({ code: 'resolution-invalid', vars: { allowed: KIE_RESOLUTIONS.join(', ') } });
    }
    const seed = seedOf(request);
    if (seed === 'invalid' || (seed !== undefined && (seed < KIE_SEED_MIN || seed > KIE_SEED_MAX))) {
      issues.push({ code: 'seed-out-of-range', vars: { min: KIE_SEED_MIN, max: KIE_SEED_MAX } });
    }
  }
  return issues;
}

/** The createTask `input` for a validated request, given the re-hosted media URLs. */
export function buildKieInput(request: GenerationRequest, urls: { imageUrl?: string; audioUrl?: string; endImageUrl?: string }): Record<string, unknown> {
  if (isMarketVideoModel(request.providerModel)) return buildMarketInput(request, urls);
  const prompt = (request.prompt ?? '').trim();
  if (modelFamily(request.providerModel) === 'infinitalk') {
    const input: Record<string, unknown> = {
      image_url: urls.imageUrl,
      audio_url: urls.audioUrl,
      // Required and must be non-empty, or the task fails.
      prompt: prompt === '' ? DEFAULT_INFINITALK_PROMPT : prompt,
      resolution: typeof request.options.resolution === 'string' ? request.options.resolution : '480p',
    };
    const seed = seedOf(request);
    if (typeof seed === 'number') input.seed = seed;
    return input;
  }
  // Kling avatar: the prompt key must be present (may be ""); no resolution/seed in its schema.
  return { image_url: urls.imageUrl, audio_url: urls.audioUrl, prompt };
}

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'audio/mpeg': 'mp3',
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'audio/aac': 'aac',
  'audio/mp4': 'm4a',
  'audio/ogg': 'ogg',
};

export function extensionFor(mime: string): string {
  return EXTENSIONS[baseMime(mime)] ?? 'bin';
}
