/**
 * Margins per model: revenue (credits charged and kept → Stars → USD at STAR_USD_RATE), the
 * provider's cost (the row's USD per price unit × the units and option multipliers of each
 * generation) and the difference, for today (since 00:00 UTC) and the last 7 days. Only
 * generations that made a video count: failed ones are refunded to the user and, per KIE's docs,
 * not charged by the provider. The cost uses the row's current `providerCostUsd` (set with /cost).
 */
import type { PrismaClient } from '../db/client.js';
import type { CatalogModel } from '../generated/prisma/client.js';
import { describeQuote, toCatalogEntry } from './catalog.js';
import { generationInputsSchema } from './generation-inputs.js';
import { writeAudit, statsPeriods } from './admin.js';

export interface ModelMargin {
  slug: string;
  count: number;
  revenueUsd: number;
  costUsd: number;
  marginUsd: number;
}

export interface MarginReport {
  today: ModelMargin[];
  week: ModelMargin[];
}

export interface MarginRates {
  starsPerCredit: number;
  starUsdRate: number;
}

/** USD cost of one generation of `model` with these stored inputs (0 when they no longer parse). */
export function generationCostUsd(model: CatalogModel, inputs: unknown): number {
  const parsed = generationInputsSchema.safeParse(inputs);
  if (!parsed.success) return 0;
  try {
    const { units, multiplier } = describeQuote(toCatalogEntry(model), parsed.data);
    return model.providerCostUsd * units * multiplier;
  } catch {
    return 0;
  }
}

const round = (usd: number) => Math.round(usd * 100) / 100;

export async function computeMargins(prisma: PrismaClient, now: Date, rates: MarginRates): Promise<MarginReport> {
  const { today, week } = statsPeriods(now);
  const rows = await prisma.generation.findMany({
    where: { createdAt: { gte: week }, state: { in: ['succeeded', 'delivered'] }, refundedAt: null },
    select: { modelSlug: true, price: true, inputs: true, createdAt: true, model: true },
  });
  const sum = (since: Date): ModelMargin[] => {
    const by = new Map<string, ModelMargin>();
    for (const g of rows) {
      if (g.createdAt < since) continue;
      const m = by.get(g.modelSlug) ?? { slug: g.modelSlug, count: 0, revenueUsd: 0, costUsd: 0, marginUsd: 0 };
      m.count++;
      m.revenueUsd += g.price * rates.starsPerCredit * rates.starUsdRate;
      m.costUsd += generationCostUsd(g.model, g.inputs);
      by.set(g.modelSlug, m);
    }
    return [...by.values()]
      .map((m) => ({ ...m, revenueUsd: round(m.revenueUsd), costUsd: round(m.costUsd), marginUsd: round(m.revenueUsd - m.costUsd) }))
      .sort((a, b) => b.revenueUsd - a.revenueUsd || a.slug.localeCompare(b.slug));
  };
  return { today: sum(today), week: sum(week) };
}

export const MAX_COST_USD = 1000;

export type CostChange = { status: 'ok'; model: CatalogModel; before: number } | { status: 'unchanged'; model: CatalogModel } | { status: 'not_found' };

/** `/cost SLUG USD`: the provider's cost per price unit, audited. */
export async function setModelCost(prisma: PrismaClient, adminId: bigint, slug: string, costUsd: number): Promise<CostChange> {
  if (!Number.isFinite(costUsd) || costUsd < 0 || costUsd > MAX_COST_USD) throw new Error(`bad cost ${costUsd}`);
  return prisma.$transaction(async (tx) => {
    const before = await tx.catalogModel.findUnique({ where: { slug } });
    if (!before) return { status: 'not_found' } as const;
    if (before.providerCostUsd === costUsd) return { status: 'unchanged', model: before } as const;
    const model = await tx.catalogModel.update({ where: { slug }, data: { providerCostUsd: costUsd } });
    await writeAudit(tx, adminId, 'model_cost', slug, { before: before.providerCostUsd, after: costUsd });
    return { status: 'ok', model, before: before.providerCostUsd } as const;
  });
}
