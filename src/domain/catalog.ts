/**
 * The model catalog as the rest of the app sees it: typed rows (limits and defaults parsed from
 * JSON with zod), availability (enabled AND the provider is configured), quotes, and the fit
 * checks of an input against a model's own limits. Provider-level checks stay in the provider
 * (`provider.validate`); `validateRequest` runs both.
 */
import { z } from 'zod';
import type { PrismaClient } from '../db/client.js';
import type { CatalogModel } from '../generated/prisma/client.js';
import type { GenerationKind, GenerationRequest, InputMedia, ProviderId, ValidationIssue, VideoProvider } from '../providers/types.js';
import type { FileRef, GenerationInputs, GenerationOptions } from './generation-inputs.js';
import { describePrice, priceFor, type PriceDescription, type PriceInput, type PriceRule } from './pricing.js';
import {
  OPTION_KEYS,
  allowedValues,
  checkAudioRule,
  checkChoices,
  checkImageRule,
  checkVideoRule,
  multiplierOf,
  resolveChoices,
  type Choices,
  type ModelSpec,
  type OfferedOptions,
  type OptionKey,
} from './model-spec.js';
import { specById } from './specs.js';

type Db = Pick<PrismaClient, 'catalogModel'>;

/** `CatalogModel.limits`; unknown keys are dropped, a malformed value is ignored (not fatal). */
export const catalogLimitsSchema = z.object({
  maxAudioSeconds: z.number().positive().optional().catch(undefined),
  maxImageBytes: z.number().int().positive().optional().catch(undefined),
  maxAudioBytes: z.number().int().positive().optional().catch(undefined),
  maxPromptLength: z.number().int().positive().optional().catch(undefined),
  minImageSide: z.number().int().positive().optional().catch(undefined),
});
export type CatalogLimits = z.infer<typeof catalogLimitsSchema>;

/** `CatalogModel.defaults`: provider parameters sent unless the user chose otherwise. */
export const catalogDefaultsSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));
export type CatalogDefaults = z.infer<typeof catalogDefaultsSchema>;

export interface CatalogEntry {
  slug: string;
  displayName: string;
  provider: ProviderId;
  providerModel: string;
  kind: GenerationKind;
  enabled: boolean;
  priceRule: PriceRule;
  priceAmount: number;
  limits: CatalogLimits;
  defaults: CatalogDefaults;
  sortOrder: number;
  /** The provider's keys are set (its client exists in the registry). */
  configured: boolean;
  /** What the model accepts (src/domain/specs.ts); undefined for a row whose spec is unknown. */
  spec: ModelSpec | undefined;
  /** "key:value" → price factor. */
  multipliers: Record<string, number>;
  /** Option values the operator offers (subset of the spec's). */
  offered: OfferedOptions;
  /** USD per price unit, for margins. */
  providerCostUsd: number;
}

export const optionMultipliersSchema = z.record(z.string().regex(/^[a-zA-Z]+:[a-z0-9:.]+$/), z.number().positive().max(100));
export const offeredOptionsSchema = z.partialRecord(z.enum(OPTION_KEYS), z.array(z.string()));

export interface ListModelsOptions {
  kind?: GenerationKind;
  /** Only models an admin switched on. */
  enabledOnly?: boolean;
  /** The registry's `configured` set. */
  configuredProviders: ReadonlySet<ProviderId>;
  /** Also list models whose provider has no keys (admins see them as "not configured"). */
  includeUnconfigured?: boolean;
}

function parseJson<T>(schema: z.ZodType<T>, value: unknown, fallback: T): T {
  const parsed = schema.safeParse(value ?? undefined);
  return parsed.success ? parsed.data : fallback;
}

export function toCatalogEntry(row: CatalogModel, configuredProviders?: ReadonlySet<ProviderId>): CatalogEntry {
  return {
    slug: row.slug,
    displayName: row.displayName,
    provider: row.provider,
    providerModel: row.providerModel,
    kind: row.kind,
    enabled: row.enabled,
    priceRule: row.priceRule,
    priceAmount: row.priceAmount,
    limits: parseJson(catalogLimitsSchema, row.limits, {}),
    defaults: parseJson(catalogDefaultsSchema, row.defaults, {}),
    sortOrder: row.sortOrder,
    configured: configuredProviders ? configuredProviders.has(row.provider) : true,
    spec: specById(row.spec ?? row.slug),
    multipliers: parseJson(optionMultipliersSchema, row.optionMultipliers, {}),
    offered: parseJson(offeredOptionsSchema, row.offeredOptions, {}) as OfferedOptions,
    providerCostUsd: row.providerCostUsd,
  };
}

/** Stored options → the spec's string choices. */
export function choicesOf(options: GenerationOptions | undefined): Choices {
  const choices: Choices = {};
  if (!options) return choices;
  if (options.duration !== undefined) choices.duration = String(options.duration);
  if (options.aspectRatio !== undefined) choices.aspectRatio = options.aspectRatio;
  if (options.resolution !== undefined) choices.resolution = options.resolution;
  if (options.mode !== undefined) choices.mode = options.mode;
  if (options.sound !== undefined) choices.sound = options.sound ? 'on' : 'off';
  return choices;
}

/** The spec's string choices → stored options (durations as numbers, sound as a boolean). */
export function optionsOf(choices: Choices, base: GenerationOptions = {}): GenerationOptions {
  const options: GenerationOptions = { ...base };
  for (const key of OPTION_KEYS) {
    const value = choices[key];
    if (value === undefined) continue;
    if (key === 'duration') options.duration = Number(value);
    else if (key === 'sound') options.sound = value === 'on';
    else if (key === 'mode') options.mode = value as GenerationOptions['mode'];
    else options[key] = value;
  }
  return options;
}

/** Option defaults of a row (`defaults` keys named like options). */
export function defaultChoices(model: CatalogEntry): Choices {
  const choices: Choices = {};
  for (const key of OPTION_KEYS) {
    const value = model.defaults[key];
    if (value !== undefined) choices[key] = String(value);
  }
  return choices;
}

/** Every option of the model filled in: the user's choice, else the row's default, else the spec's. */
export function resolvedChoices(model: CatalogEntry, inputs: GenerationInputs): Choices {
  if (!model.spec) return choicesOf(inputs.options);
  return resolveChoices(model.spec, model.offered, choicesOf(inputs.options), defaultChoices(model));
}

/** A stored choice the model no longer offers, and the value a fresh quote uses instead. */
export interface StaleChoice {
  key: OptionKey;
  from: string;
  to: string;
}

/**
 * Re-quote after an operator change: every stored choice the model no longer offers (offered
 * values or refused combinations) is reset to the row's default, else the spec's, else the first
 * allowed value. `stale` is empty when every choice still stands.
 */
export function requoteInputs(model: CatalogEntry, inputs: GenerationInputs): { inputs: GenerationInputs; stale: StaleChoice[] } {
  if (!model.spec) return { inputs, stale: [] };
  const chosen = choicesOf(inputs.options);
  if (checkChoices(model.spec, model.offered, chosen).length === 0) return { inputs, stale: [] };
  const resolved = resolveChoices(model.spec, model.offered, chosen, defaultChoices(model));
  const stale: StaleChoice[] = [];
  for (const key of OPTION_KEYS) {
    const from = chosen[key];
    const to = resolved[key];
    if (from !== undefined && to !== undefined && from !== to) stale.push({ key, from, to });
  }
  return { inputs: { ...inputs, options: optionsOf(resolved, inputs.options) }, stale };
}

/** The values of `key` a user may pick now on this model (see allowedValues). */
export function offeredValues(model: CatalogEntry, key: OptionKey, chosen: Choices): string[] {
  if (!model.spec) return [];
  return allowedValues(model.spec, model.offered, key, chosen);
}

/** Catalog models sorted by sortOrder (then slug). Models of unconfigured providers are hidden unless `includeUnconfigured`. */
export async function listModels(prisma: Db, options: ListModelsOptions): Promise<CatalogEntry[]> {
  const rows = await prisma.catalogModel.findMany({
    where: {
      ...(options.kind ? { kind: options.kind } : {}),
      ...(options.enabledOnly ? { enabled: true } : {}),
    },
    orderBy: [{ sortOrder: 'asc' }, { slug: 'asc' }],
  });
  return rows.map((row) => toCatalogEntry(row, options.configuredProviders)).filter((entry) => entry.configured || options.includeUnconfigured);
}

/**
 * One model by slug, or null. Pass the registry's configured set to get a true `configured`;
 * without it `configured` is true (callers that need availability must pass the set).
 */
export async function getModel(prisma: Db, slug: string, configuredProviders?: ReadonlySet<ProviderId>): Promise<CatalogEntry | null> {
  const row = await prisma.catalogModel.findUnique({ where: { slug } });
  return row ? toCatalogEntry(row, configuredProviders) : null;
}

/** A user may start a generation with this model now. */
export function isAvailable(model: CatalogEntry): boolean {
  return model.enabled && model.configured;
}

/**
 * The pricing input of a request: audio length, the video length (user option, else the row's or
 * the spec's default, else 5 s) and the product of the chosen options' multipliers.
 */
export function priceInputOf(model: CatalogEntry, inputs: GenerationInputs): PriceInput {
  const choices = resolvedChoices(model, inputs);
  // Tasks without a length option make a video as long as the input video (lip-sync, motion).
  const duration = Number(choices.duration ?? model.defaults.duration ?? inputs.videoSeconds ?? inputs.sourceVideo?.durationSeconds);
  return {
    audioSeconds: inputs.audioSeconds,
    durationSeconds: Number.isFinite(duration) && duration > 0 ? duration : undefined,
    multiplier: multiplierOf(model.multipliers, choices, { endImage: Boolean(inputs.endImage) }),
  };
}

/** The price of `inputs` on `model` now. Throws PriceInputError when e.g. per-second pricing has no audio length. */
export function quote(model: CatalogEntry, inputs: GenerationInputs): number {
  return priceFor(model.priceRule, model.priceAmount, priceInputOf(model, inputs));
}

export function describeQuote(model: CatalogEntry, inputs: GenerationInputs): PriceDescription {
  return describePrice(model.priceRule, model.priceAmount, priceInputOf(model, inputs));
}

const MB = 1024 * 1024;
const toMb = (bytes: number) => Math.max(1, Math.floor(bytes / MB));

/**
 * Checks the input against the catalog's limits for this model (what an admin configured),
 * plus the inputs the model's kind needs. Codes match the providers' codes where they overlap.
 */
export function checkFit(model: CatalogEntry, inputs: GenerationInputs): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const { limits } = model;
  const prompt = inputs.prompt ?? '';

  if (model.kind === 'lipsync') {
    if (!inputs.image) issues.push({ code: 'image-missing' });
    if (!inputs.audio) issues.push({ code: 'audio-missing' });
    if (model.priceRule === 'per_second' && !(inputs.audioSeconds && inputs.audioSeconds > 0)) {
      issues.push({ code: 'audio-duration-unknown' });
    }
  } else if (model.kind === 'image2video') {
    if (!inputs.image) issues.push({ code: 'image-required' });
  } else if (model.kind === 'video_extend') {
    if (!inputs.sourceVideo) issues.push({ code: 'source-video-required' });
  } else if (model.kind === 'video_lipsync') {
    if (!inputs.video && !inputs.sourceVideo) issues.push({ code: 'video-required' });
    if (!inputs.audio) issues.push({ code: 'audio-missing' });
  } else if (model.kind === 'motion_control') {
    if (!inputs.image) issues.push({ code: 'image-required' });
    if (!inputs.video) issues.push({ code: 'video-required' });
  } else if (prompt.trim() === '') {
    issues.push({ code: 'prompt-required' });
  }

  if (limits.maxAudioSeconds !== undefined && inputs.audioSeconds !== undefined && inputs.audioSeconds > limits.maxAudioSeconds) {
    issues.push({ code: 'audio-too-long', vars: { max: limits.maxAudioSeconds, seconds: Math.ceil(inputs.audioSeconds) } });
  }
  if (limits.maxPromptLength !== undefined) {
    const longest = Math.max([...prompt].length, [...(inputs.negativePrompt ?? '')].length);
    if (longest > limits.maxPromptLength) issues.push({ code: 'prompt-too-long', vars: { max: limits.maxPromptLength } });
  }
  if (inputs.image && limits.maxImageBytes !== undefined && inputs.image.size > limits.maxImageBytes) {
    issues.push({ code: 'image-too-large', vars: { maxMb: toMb(limits.maxImageBytes) } });
  }
  if (inputs.audio && limits.maxAudioBytes !== undefined && inputs.audio.size > limits.maxAudioBytes) {
    issues.push({ code: 'audio-too-large', vars: { maxMb: toMb(limits.maxAudioBytes) } });
  }
  const { width, height } = inputs.image ?? {};
  if (limits.minImageSide !== undefined && width !== undefined && height !== undefined && Math.min(width, height) < limits.minImageSide) {
    issues.push({ code: 'image-too-small', vars: { minSide: limits.minImageSide } });
  }
  if (model.spec) issues.push(...checkSpec(model, model.spec, inputs));
  return dedupe(issues);
}

function dedupe(issues: ValidationIssue[]): ValidationIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => (seen.has(i.code) ? false : (seen.add(i.code), true)));
}

/** The spec's rules: inputs it needs or refuses, their types, sizes, pixels and lengths, and the option choices. */
function checkSpec(model: CatalogEntry, spec: ModelSpec, inputs: GenerationInputs): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const prompt = (inputs.prompt ?? '').trim();
  if (spec.image && !inputs.image) issues.push({ code: spec.task === 'lipsync' ? 'image-missing' : 'image-required' });
  if (!spec.image && inputs.image) issues.push({ code: 'image-not-accepted' });
  if (inputs.image && spec.image) issues.push(...checkImageRule(spec.image, inputs.image));
  if (inputs.endImage) {
    if (!spec.endImage) issues.push({ code: 'end-image-not-accepted' });
    else issues.push(...checkImageRule(spec.endImage, inputs.endImage, 'end-image'));
  }
  if (spec.images) {
    const images = inputs.images ?? [];
    if (images.length < spec.images.min || images.length > spec.images.max)
      issues.push({ code: 'images-count', vars: { min: spec.images.min, max: spec.images.max } });
    for (const image of images) issues.push(...checkImageRule(spec.images.rule, image));
  } else if (inputs.images?.length) issues.push({ code: 'images-not-accepted' });
  if (inputs.video) {
    if (!spec.video) issues.push({ code: 'video-not-accepted' });
    else issues.push(...checkVideoRule(spec.video, inputs.video, inputs.videoSeconds));
  }
  if (inputs.sourceVideo && !spec.sourceVideo) issues.push({ code: 'source-video-not-accepted' });
  if (spec.sourceVideo === 'required' && !inputs.sourceVideo) issues.push({ code: 'source-video-required' });
  if (spec.audio && !inputs.audio) issues.push({ code: 'audio-missing' });
  if (inputs.audio && spec.audio) issues.push(...checkAudioRule(spec.audio, inputs.audio, inputs.audioSeconds));
  if (spec.prompt.required && prompt === '') issues.push({ code: 'prompt-required' });
  if ([...prompt].length > spec.prompt.max) issues.push({ code: 'prompt-too-long', vars: { max: spec.prompt.max } });
  if (prompt !== '' && spec.prompt.min !== undefined && [...prompt].length < spec.prompt.min) {
    issues.push({ code: 'prompt-too-short', vars: { min: spec.prompt.min } });
  }
  if (inputs.negativePrompt && (!spec.negativePrompt || [...inputs.negativePrompt].length > spec.negativePrompt.max)) {
    issues.push({ code: 'negative-prompt-too-long' });
  }
  issues.push(...checkChoices(spec, model.offered, choicesOf(inputs.options)));
  return issues;
}

/** A stand-in for a file during pure validation: metadata only, never opened. */
function metadataOnly(ref: FileRef): InputMedia {
  return {
    open: () => Promise.reject(new Error('validation-only media cannot be opened')),
    size: ref.size,
    mime: ref.mime,
    fileName: ref.fileName,
    ...(ref.width !== undefined ? { width: ref.width } : {}),
    ...(ref.height !== undefined ? { height: ref.height } : {}),
  };
}

/** Provider options for a request: the model's defaults, overridden by the user's choices. */
export function requestOptions(model: CatalogEntry, inputs: GenerationInputs): GenerationRequest['options'] {
  const options: GenerationRequest['options'] = { ...model.defaults };
  const chosen = { ...optionsOf(resolvedChoices(model, inputs)), ...inputs.options };
  for (const [key, value] of Object.entries(chosen)) {
    if (value !== undefined) options[key] = value;
  }
  return options;
}

/** The provider request for a generation; `toMedia` turns a stored file reference into a stream source. */
export function buildGenerationRequest(
  model: CatalogEntry,
  generationId: string,
  inputs: GenerationInputs,
  toMedia: (ref: FileRef) => InputMedia,
  callbackUrl?: string,
): GenerationRequest {
  return {
    generationId,
    kind: model.kind,
    providerModel: model.providerModel,
    ...(inputs.prompt !== undefined ? { prompt: inputs.prompt } : {}),
    ...(inputs.negativePrompt ? { negativePrompt: inputs.negativePrompt } : {}),
    ...(inputs.image ? { image: toMedia(inputs.image) } : {}),
    ...(inputs.endImage ? { endImage: toMedia(inputs.endImage) } : {}),
    ...(inputs.audio ? { audio: toMedia(inputs.audio) } : {}),
    ...(inputs.audioSeconds !== undefined ? { audioSeconds: inputs.audioSeconds } : {}),
    ...(inputs.images ? { images: inputs.images.map(toMedia) } : {}),
    ...(inputs.video ? { video: toMedia(inputs.video) } : {}),
    ...(inputs.videoSeconds !== undefined ? { videoSeconds: inputs.videoSeconds } : {}),
    ...(inputs.sourceVideo
      ? {
          sourceVideo: {
            providerVideoId: inputs.sourceVideo.providerVideoId,
            providerModel: inputs.sourceVideo.providerModel,
            durationSeconds: inputs.sourceVideo.durationSeconds,
            createdAt: Date.parse(inputs.sourceVideo.createdAt),
          },
        }
      : {}),
    options: {
      ...requestOptions(model, inputs),
      ...(inputs.face
        ? {
            sessionId: inputs.face.sessionId,
            sessionExpiresAt: inputs.face.expiresAt,
            faceId: inputs.face.faceId,
            faceStartMs: inputs.face.startMs,
            faceEndMs: inputs.face.endMs,
          }
        : {}),
    },
    ...(callbackUrl ? { callbackUrl } : {}),
  };
}

/**
 * All pre-flight checks for a request, without any network call: the catalog's limits
 * (`checkFit`) and the provider's own (`provider.validate`), deduplicated by code. A missing
 * provider (not configured) gives `model-unavailable`.
 */
export function validateRequest(model: CatalogEntry, inputs: GenerationInputs, provider: VideoProvider | undefined): ValidationIssue[] {
  if (!provider || !isAvailable(model)) return [{ code: 'model-unavailable' }];
  const issues = checkFit(model, inputs);
  const request = buildGenerationRequest(model, 'validation', inputs, metadataOnly);
  const seen = new Set(issues.map((i) => i.code));
  for (const issue of provider.validate(request)) {
    if (seen.has(issue.code)) continue;
    seen.add(issue.code);
    issues.push(issue);
  }
  return issues;
}
