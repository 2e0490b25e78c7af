/**
 * The model catalog, one row per model spec (src/domain/specs.ts), inserted once. A restart never
 * overwrites an admin's change: existing rows are left alone (INSERT … ON CONFLICT DO NOTHING),
 * and a spec added in a new release gets its row on the next start.
 */
import type { PrismaClient } from '../generated/prisma/client.js';
import { MODEL_SPECS } from '../domain/specs.js';

export const DEFAULT_CATALOG = MODEL_SPECS.map((spec) => ({
  slug: spec.id,
  spec: spec.id,
  displayName: spec.displayName,
  provider: spec.provider,
  providerModel: spec.providerModel,
  kind: spec.task,
  enabled: spec.seed.enabled,
  priceRule: spec.price.rule,
  priceAmount: spec.price.amount,
  limits: { ...spec.seed.limits },
  defaults: { ...spec.seed.defaults },
  optionMultipliers: { ...spec.price.multipliers },
  offeredOptions: {},
  providerCostUsd: spec.price.costUsd,
  sortOrder: spec.seed.sortOrder,
}));

/** Inserts the catalog models that are missing; returns how many were inserted. */
export async function seedCatalog(prisma: PrismaClient): Promise<number> {
  const result = await prisma.catalogModel.createMany({ data: DEFAULT_CATALOG, skipDuplicates: true });
  return result.count;
}
