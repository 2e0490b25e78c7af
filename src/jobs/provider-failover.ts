/**
 * "One model, two providers" at submit time (docs/providers.md §two-providers; policy in src/domain/provider-choice.ts,
 * catalog representation in src/domain/model-families.ts). A job whose model belongs to a family
 * that both KIE and the official Kling API sell moves to the other provider's row when its own
 * provider is not configured, or fails outage-class before any task may exist. It moves at most
 * once, only when no earlier create of this job is uncertain, keeps its charge (one charge), and
 * records the provider in `Generation.provider` (the state owner's `moveToProvider`); everything after that (submit, lookups, polls)
 * runs on the new provider.
 */
import type { PrismaClient } from '../generated/prisma/client.js';
import { validateRequest, type CatalogEntry } from '../domain/catalog.js';
import { generationInputsSchema } from '../domain/generation-inputs.js';
import { familyAlternate } from '../domain/model-families.js';
import { chooseProvider, taskMayExist, type FailureFacts } from '../domain/provider-choice.js';
import type { ProviderId, VideoProvider } from '../providers/types.js';

interface Registry {
  get(id: string): VideoProvider | undefined;
  readonly configured?: ReadonlySet<string>;
}

const configuredOf = (providers: Registry): ReadonlySet<ProviderId> => (providers.configured ?? new Set()) as ReadonlySet<ProviderId>;

/** The catalog row a job runs on: its own, or the family row of the provider it moved to. */
export async function jobModel(
  prisma: Pick<PrismaClient, 'catalogModel'>,
  job: { provider: string | null },
  own: CatalogEntry,
  providers: Registry,
): Promise<CatalogEntry> {
  if (!job.provider || job.provider === own.provider) return own;
  return (await familyAlternate(prisma, own, job.provider as ProviderId, configuredOf(providers))) ?? own;
}

export interface FailoverInput {
  prisma: Pick<PrismaClient, 'catalogModel'>;
  providers: Registry;
  job: { inputs: unknown; provider: string | null };
  /** The row the job ran on. */
  model: CatalogEntry;
  error: FailureFacts & { message: string };
  /** Whether the failed create was sent (false: the provider is not configured). */
  requestSent: boolean;
  /** Creates of this job before this one whose outcome is unknown (a task may exist). */
  uncertainBefore: number;
}

/**
 * The other provider's row of the job's family when the policy lets the job move there, else
 * null. The move itself is the state owner's leased write (`moveToProvider`).
 */
export async function failoverTarget(input: FailoverInput): Promise<CatalogEntry | null> {
  const { prisma, providers, job, model, error } = input;
  // Once only, and never when an earlier create of this job may have made a task.
  if (job.provider !== null || input.uncertainBefore > 0) return null;
  const family = model.spec?.family;
  if (!family) return null;
  const other: ProviderId = model.provider === 'kie' ? 'kling' : 'kie';
  const alternate = await familyAlternate(prisma, model, other, configuredOf(providers));
  if (!alternate) return null;
  const choice = chooseProvider({
    family: family.id,
    offers: [
      { provider: model.provider, providerModel: model.providerModel, enabled: model.enabled },
      { provider: alternate.provider, providerModel: alternate.providerModel, enabled: alternate.enabled },
    ],
    configured: configuredOf(providers),
    preferred: model.provider,
    attempts: [{ provider: model.provider, error, taskMayExist: taskMayExist(error, input.requestSent) }],
  });
  if (choice.action !== 'use' || choice.provider !== alternate.provider) return null;
  // The other provider must take the same inputs (e.g. KIE's 4K mode has no official twin).
  const parsed = generationInputsSchema.safeParse(job.inputs);
  if (!parsed.success || validateRequest(alternate, parsed.data, providers.get(alternate.provider)).length > 0) return null;
  return alternate;
}
