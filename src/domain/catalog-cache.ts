/**
 * The catalog as entries, read from the database again only when the catalog's stamp changes.
 * The stamp (an md5 over every row's slug and row version, read by the update prelude in the
 * statement it runs anyway) changes with any admin change on any instance, so the next update
 * sees it: the menu costs no query per update and is never staler than the update's own read.
 */
import type { PrismaClient } from '../db/client.js';
import type { ProviderId } from '../providers/types.js';
import { toCatalogEntry, type CatalogEntry, type ListModelsOptions, listModels } from './catalog.js';

export interface CatalogCache {
  /** Same answer as `listModels`; without a stamp it reads the database. */
  listModels(prisma: Pick<PrismaClient, 'catalogModel'>, options: ListModelsOptions, stamp: string | undefined): Promise<CatalogEntry[]>;
}

export function createCatalogCache(): CatalogCache {
  let cached: { stamp: string; configured: ReadonlySet<ProviderId>; entries: Promise<CatalogEntry[]> } | undefined;
  const all = (prisma: Pick<PrismaClient, 'catalogModel'>, stamp: string, configured: ReadonlySet<ProviderId>) => {
    if (cached?.stamp !== stamp || cached.configured !== configured) {
      const entries = prisma.catalogModel
        .findMany({ orderBy: [{ sortOrder: 'asc' }, { slug: 'asc' }] })
        .then((rows) => rows.map((row) => toCatalogEntry(row, configured)));
      const entry = { stamp, configured, entries };
      cached = entry;
      // A failed read is not kept: the next update reads again.
      entries.catch(() => {
        if (cached === entry) cached = undefined;
      });
    }
    return cached.entries;
  };
  return {
    async listModels(prisma, options, stamp) {
      if (stamp === undefined) return listModels(prisma, options);
      const entries = await all(prisma, stamp, options.configuredProviders);
      return entries.filter(
        (e) => (!options.kind || e.kind === options.kind) && (!options.enabledOnly || e.enabled) && (e.configured || options.includeUnconfigured),
      );
    },
  };
}
