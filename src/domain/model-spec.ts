/**
 * Model specs: what a provider model accepts, in code (Catalog v2). A spec names the task it
 * serves, its inputs (image, optional end frame, audio, prompt, negative prompt) with their
 * rules, its options with the allowed values and the combinations the provider refuses, and its
 * default price. The catalog row (database) holds the operator's choices for it: enabled, name,
 * base price and rule, per-option multipliers, offered values, defaults, order, provider cost.
 *
 * Pure: no database, no Telegram, no clock. Option values are plain strings in the domain
 * (`duration: "5"`, `aspectRatio: "16:9"`, `resolution: "1080p"`, `mode: "4k"`, `sound: "on"`);
 * the provider layer maps them to its wire types (string or integer durations, `4K`, `768P`,
 * `portrait`/`landscape`).
 */
import type { GenerationKind, ProviderId, ValidationIssue } from '../providers/types.js';
import type { PriceRule } from './pricing.js';

/** Options a model may have, in the order the conversation asks them. */
export const OPTION_KEYS = ['mode', 'duration', 'resolution', 'aspectRatio', 'sound'] as const;
export type OptionKey = (typeof OPTION_KEYS)[number];

export interface OptionSpec {
  key: OptionKey;
  /** Allowed values, in display order. */
  values: readonly string[];
  /** Used when the operator offers several values and the user does not choose (and as the first button). */
  default: string;
}

export interface ImageRule {
  mimes: readonly string[];
  maxBytes: number;
  /** Each side at least this many pixels. */
  minSide?: number;
  /** Long side / short side at most this. */
  maxRatio?: number;
}

export interface AudioRule {
  mimes: readonly string[];
  maxBytes: number;
  minSeconds?: number;
  maxSeconds: number;
}

export interface VideoRule {
  mimes: readonly string[];
  maxBytes: number;
  minSeconds: number;
  maxSeconds: number;
  minSide: number;
  maxSide: number;
}

export interface ModelSpec {
  /** Spec id; the seeded catalog row has the same slug. */
  id: string;
  task: GenerationKind;
  provider: ProviderId;
  providerModel: string;
  displayName: string;
  /** The main picture (lip sync: the face; image → video: the first frame). */
  image?: ImageRule;
  /** An optional last frame, asked as an extra with Skip. */
  endImage?: ImageRule;
  audio?: AudioRule;
  /** Several photos (several photos → video). */
  images?: { min: number; max: number; rule: ImageRule };
  /** A video the user sends (lip-sync a video, the motion reference). */
  video?: VideoRule;
  /** A delivered video of this provider: `required` (extend) or `accepted` instead of `video` (lip-sync). */
  sourceVideo?: 'required' | 'accepted';
  /**
   * "One model, two providers" (src/domain/provider-choice.ts): the family this model belongs
   * to. The rows of one family and task are ONE entry for the user; the job runs on the
   * admin's preferred provider and may move to the other.
   */
  family?: { id: 'kling-2.6' | 'kling-3.0' | 'kling-avatar'; variant?: string };
  prompt: { required: boolean; max: number; min?: number };
  negativePrompt?: { max: number };
  options: readonly OptionSpec[];
  /** Combinations the provider refuses, e.g. Hailuo 2.3 `{ duration: "10", resolution: "1080p" }`. */
  refused?: readonly Partial<Record<OptionKey, string>>[];
  price: {
    rule: PriceRule;
    amount: number;
    /** "key:value" → factor, e.g. { "mode:pro": 2 }. */
    multipliers?: Readonly<Record<string, number>>;
    /** USD per price unit (job / audio second / output second / 5-second block). */
    costUsd: number;
  };
  /** Seeding: a new row starts with these. */
  seed: {
    enabled: boolean;
    sortOrder: number;
    /** Provider parameters sent by default (part 1 rows: resolution, mode). */
    defaults?: Readonly<Record<string, string | number | boolean>>;
    /** `CatalogModel.limits` of the row (admin-editable, may be stricter than the spec). */
    limits?: Readonly<Record<string, number>>;
  };
}

/** The user's choices, one value per option key. */
export type Choices = Partial<Record<OptionKey, string>>;

/** The operator's view of a model's options: values offered per key (a subset of the spec). */
export type OfferedOptions = Partial<Record<OptionKey, readonly string[]>>;

function refusedBy(spec: ModelSpec, choices: Choices): boolean {
  return (spec.refused ?? []).some((rule) => Object.entries(rule).every(([k, v]) => choices[k as OptionKey] === v));
}

/**
 * The values of `key` a user may pick now: the spec's values ∩ what the operator offers, minus
 * those that the provider refuses together with the choices made so far (or with the defaults of
 * the options still to come, when only those defaults remain possible).
 */
export function allowedValues(spec: ModelSpec, offered: OfferedOptions, key: OptionKey, chosen: Choices): string[] {
  const option = spec.options.find((o) => o.key === key);
  if (!option) return [];
  const operator = offered[key];
  const base = option.values.filter((v) => !operator || operator.length === 0 || operator.includes(v));
  const values = base.length > 0 ? base : [...option.values];
  return values.filter((value) => {
    const next = { ...chosen, [key]: value };
    if (refusedBy(spec, next)) return false;
    // Keep a value only when the options still to choose can take some value with it.
    const later = spec.options.filter((o) => next[o.key] === undefined);
    return later.every((o) => o.values.some((v) => !refusedBy(spec, { ...next, [o.key]: v })));
  });
}

/** Fills every option of the spec: the user's choice when it is allowed, else the default, else the first allowed value. */
export function resolveChoices(spec: ModelSpec, offered: OfferedOptions, chosen: Choices, defaults: Choices = {}): Choices {
  const result: Choices = {};
  for (const option of spec.options) {
    const allowed = allowedValues(spec, offered, option.key, result);
    const wanted = chosen[option.key];
    const fallback = defaults[option.key] ?? option.default;
    const value = wanted && allowed.includes(wanted) ? wanted : allowed.includes(fallback) ? fallback : allowed[0];
    if (value !== undefined) result[option.key] = value;
  }
  return result;
}

/** Checks choices against the spec: unknown values and refused combinations. */
export function checkChoices(spec: ModelSpec, offered: OfferedOptions, chosen: Choices): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const sofar: Choices = {};
  for (const option of spec.options) {
    const value = chosen[option.key];
    if (value === undefined) continue;
    if (!allowedValues(spec, offered, option.key, sofar).includes(value)) {
      issues.push({ code: `option-invalid`, vars: { option: option.key, value } });
    }
    sofar[option.key] = value;
  }
  return issues;
}

/** The product of the multipliers of the chosen values (1 when none apply). */
export function multiplierOf(multipliers: Readonly<Record<string, number>>, choices: Choices, extras: { endImage?: boolean } = {}): number {
  let factor = 1;
  for (const [key, value] of Object.entries(choices)) {
    const m = multipliers[`${key}:${value}`];
    if (typeof m === 'number' && Number.isFinite(m) && m > 0) factor *= m;
  }
  if (extras.endImage) {
    const m = multipliers['endImage:on'];
    if (typeof m === 'number' && Number.isFinite(m) && m > 0) factor *= m;
  }
  return factor;
}

const MB = 1024 * 1024;
export const toMb = (bytes: number): number => Math.max(1, Math.floor(bytes / MB));

/** Issues of one image against a rule (metadata only: type, size, pixels). */
export function checkImageRule(
  rule: ImageRule,
  image: { mime: string; size: number; width?: number; height?: number },
  role: 'image' | 'end-image' = 'image',
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const prefix = role === 'image' ? 'image' : 'end-image';
  const mime = image.mime.split(';')[0]!.trim().toLowerCase();
  if (!rule.mimes.includes(mime)) {
    issues.push({ code: rule.mimes.includes('image/webp') ? `${prefix}-type` : 'image-wrong-type' });
  }
  if (image.size > rule.maxBytes) issues.push({ code: `${prefix}-too-large`, vars: { maxMb: toMb(rule.maxBytes) } });
  const { width, height } = image;
  if (width !== undefined && height !== undefined) {
    if (rule.minSide !== undefined && Math.min(width, height) < rule.minSide) issues.push({ code: 'image-too-small', vars: { minSide: rule.minSide } });
    if (rule.maxRatio !== undefined && Math.max(width, height) / Math.max(1, Math.min(width, height)) > rule.maxRatio) {
      issues.push({ code: 'image-bad-ratio', vars: { ratio: rule.maxRatio } });
    }
  }
  return issues;
}

/** Issues of a video's metadata against a rule (before download: fields may be missing). */
export function checkVideoRule(
  rule: VideoRule,
  video: { mime: string; size: number; width?: number; height?: number },
  seconds: number | undefined,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (!rule.mimes.includes(video.mime.split(';')[0]!.trim().toLowerCase())) issues.push({ code: 'video-unreadable' });
  if (video.size > rule.maxBytes) issues.push({ code: 'video-too-large', vars: { maxMb: toMb(rule.maxBytes) } });
  if (seconds !== undefined && seconds < rule.minSeconds) issues.push({ code: 'video-too-short', vars: { min: rule.minSeconds } });
  if (seconds !== undefined && seconds > rule.maxSeconds) issues.push({ code: 'video-too-long', vars: { max: rule.maxSeconds } });
  const { width, height } = video;
  if (width !== undefined && height !== undefined && (Math.min(width, height) < rule.minSide || Math.max(width, height) > rule.maxSide)) {
    issues.push({ code: 'video-resolution', vars: { min: rule.minSide, max: rule.maxSide } });
  }
  return issues;
}

/** Issues of the audio against a rule. */
export function checkAudioRule(rule: AudioRule, audio: { mime: string; size: number }, seconds: number | undefined): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (!rule.mimes.includes(audio.mime.split(';')[0]!.trim().toLowerCase())) issues.push({ code: 'audio-type' });
  if (audio.size > rule.maxBytes) issues.push({ code: 'audio-too-large', vars: { maxMb: toMb(rule.maxBytes) } });
  if (seconds !== undefined && seconds > rule.maxSeconds) {
    issues.push({ code: 'audio-too-long', vars: { max: rule.maxSeconds, seconds: Math.ceil(seconds) } });
  }
  if (seconds !== undefined && rule.minSeconds !== undefined && seconds < rule.minSeconds) {
    issues.push({ code: 'audio-too-short', vars: { min: rule.minSeconds, seconds: Math.floor(seconds) } });
  }
  return issues;
}
