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
import type { FileRef, GenerationInputs } from './generation-inputs.js';
import { describePrice, priceFor, type PriceDescription, type PriceInput, type PriceRule } from './pricing.js';

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
}

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
  };
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
  return rows
    .map((row) => toCatalogEntry(row, options.configuredProviders))
    .filter((entry) => entry.configured || options.includeUnconfigured);
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

/** The pricing input of a request: audio length, and the video length (user option, else the model default, else 5 s). */
export function priceInputOf(model: CatalogEntry, inputs: GenerationInputs): PriceInput {
  const fromDefaults = Number(model.defaults.duration);
  return {
    audioSeconds: inputs.audioSeconds,
    durationSeconds: inputs.options?.duration ?? (Number.isFinite(fromDefaults) && fromDefaults > 0 ? fromDefaults : undefined),
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
  for (const [key, value] of Object.entries(inputs.options ?? {})) {
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
    ...(inputs.audio ? { audio: toMedia(inputs.audio) } : {}),
    ...(inputs.audioSeconds !== undefined ? { audioSeconds: inputs.audioSeconds } : {}),
    options: requestOptions(model, inputs),
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
