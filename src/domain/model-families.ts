/**
 * "One model, two providers" in the catalog (docs/providers.md §two-providers; issue 11).
 *
 * Representation: every provider's model stays its own catalog row (own slug, spec, price, switch,
 * provider cost), and the spec names its `family` (`{ id: 'kling-2.6' | 'kling-3.0' |
 * 'kling-avatar', variant? }`, src/domain/specs.ts). Rows of the same family, variant and task
 * are ONE entry for the user: `collapseFamilies` keeps the row of the provider the job would use
 * (`chooseProvider` of src/domain/provider-choice.ts: the admin's preferred provider when it is
 * configured and its row is switched on, else the other), so the quote, the options and the
 * price are those of that row. The admin's preference per family is a `ProviderPreference` row
 * (`/provider <family> kie|kling`, audited); without one, KIE is preferred.
 *
 * At submit time the job may still move: `familyAlternate` gives the other provider's row of the
 * same entry, used by src/jobs/provider-failover.ts when the preferred provider is not
 * configured or fails outage-class before any task may exist. The generation keeps its charge
 * and its `modelSlug`; `Generation.provider` records the provider it moved to.
 */
import type { PrismaClient } from '../generated/prisma/client.js';
import type { ProviderId } from '../providers/types.js';
import { toCatalogEntry, type CatalogEntry } from './catalog.js';
import { chooseProvider, type ProviderFamily } from './provider-choice.js';
import { MODEL_SPECS } from './specs.js';

export const FAMILY_IDS: readonly ProviderFamily[] = ['kling-2.6', 'kling-3.0', 'kling-avatar'];
export const FAMILY_PROVIDERS: readonly ProviderId[] = ['kie', 'kling'];
/** Without an admin setting the first provider of a family's offers is used: KIE. */
export const DEFAULT_PREFERRED: ProviderId = 'kie';

export type Preferences = ReadonlyMap<string, ProviderId>;

type Db = Pick<PrismaClient, 'providerPreference' | 'adminAuditLog' | '$transaction'>;

export function isFamilyId(value: string): value is ProviderFamily {
  return (FAMILY_IDS as readonly string[]).includes(value);
}

export async function loadPreferences(prisma: Pick<PrismaClient, 'providerPreference'>): Promise<Preferences> {
  const rows = await prisma.providerPreference.findMany();
  return new Map(rows.filter((r) => (FAMILY_PROVIDERS as readonly string[]).includes(r.provider)).map((r) => [r.family, r.provider as ProviderId]));
}

/** Stores the admin's preferred provider of a family, with the audit row, in one transaction. */
export async function setPreference(prisma: Db, family: ProviderFamily, provider: ProviderId, adminId: bigint): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const before = await tx.providerPreference.findUnique({ where: { family } });
    await tx.providerPreference.upsert({ where: { family }, create: { family, provider, updatedBy: adminId }, update: { provider, updatedBy: adminId } });
    await tx.adminAuditLog.create({
      data: { adminId, action: 'provider-preference', target: family, details: { from: before?.provider ?? DEFAULT_PREFERRED, to: provider } },
    });
  });
}

/** The key of one user-facing entry: family, variant and task; null for a model without a family. */
export function entryKey(model: Pick<CatalogEntry, 'spec' | 'kind'>): string | null {
  const family = model.spec?.family;
  return family ? `${family.id}/${family.variant ?? ''}/${model.kind}` : null;
}

/** The row of a group the job would use now (null: no provider of the group can serve). */
function pick(group: readonly CatalogEntry[], preferences: Preferences): CatalogEntry | null {
  const family = group[0]!.spec!.family!.id;
  const choice = chooseProvider({
    family,
    offers: group.map((m) => ({ provider: m.provider, providerModel: m.providerModel, enabled: m.enabled })),
    configured: new Set(group.filter((m) => m.configured).map((m) => m.provider)),
    preferred: preferences.get(family) ?? DEFAULT_PREFERRED,
    attempts: [],
  });
  return choice.action === 'use' ? (group.find((m) => m.provider === choice.provider) ?? null) : null;
}

/**
 * One entry per family, variant and task: the row of the provider the job would use. Models
 * without a family pass unchanged; the order of the list is kept (the kept row takes the place
 * of its group's first row).
 */
export function collapseFamilies(models: readonly CatalogEntry[], preferences: Preferences): CatalogEntry[] {
  const groups = new Map<string, CatalogEntry[]>();
  for (const model of models) {
    const key = entryKey(model);
    if (key) groups.set(key, [...(groups.get(key) ?? []), model]);
  }
  const out: CatalogEntry[] = [];
  const done = new Set<string>();
  for (const model of models) {
    const key = entryKey(model);
    if (!key) {
      out.push(model);
      continue;
    }
    if (done.has(key)) continue;
    done.add(key);
    const kept = pick(groups.get(key)!, preferences);
    if (kept) out.push(kept);
  }
  return out;
}

/** The other provider's row of the same entry (family, variant, task), or null. */
export async function familyAlternate(
  prisma: Pick<PrismaClient, 'catalogModel'>,
  model: CatalogEntry,
  provider: ProviderId,
  configured: ReadonlySet<ProviderId>,
): Promise<CatalogEntry | null> {
  const key = entryKey(model);
  if (!key) return null;
  const slugs = MODEL_SPECS.filter((s) => s.provider === provider && s.task === model.kind && s.family && entryKey({ spec: s, kind: s.task }) === key).map(
    (s) => s.id,
  );
  if (slugs.length === 0) return null;
  const rows = await prisma.catalogModel.findMany({ where: { spec: { in: slugs }, kind: model.kind } });
  const row = rows[0];
  return row ? toCatalogEntry(row, configured) : null;
}
