import { describe, expect, it } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { diffMigrationsToSchema, pendingMigrations } from '../../src/db/migrate.js';
import { openDatabase } from '../../src/db/client.js';
import { DEFAULT_CATALOG, seedCatalog } from '../../src/db/seed.js';
import { createTestDatabase } from '../support/db.js';

describe('migrations', () => {
  it('the committed migrations produce exactly schema.prisma', async () => {
    const pglite = new PGlite();
    try {
      expect(await diffMigrationsToSchema(new PrismaPGlite(pglite))).toBe('');
    } finally {
      await pglite.close();
    }
  }, 60_000);

  it('apply once, record themselves, and the catalog seed never overwrites an admin change', async () => {
    const testDb = await createTestDatabase({ inMemory: true, fresh: true });
    const db = await openDatabase({ databaseUrl: testDb.databaseUrl, dataDir: testDb.dataDir });
    try {
      expect((await pendingMigrations(db.prisma)).length).toBeGreaterThan(0);
      expect((await db.migrate()).length).toBeGreaterThan(0);
      expect(await pendingMigrations(db.prisma)).toEqual([]);
      expect(await db.migrate()).toEqual([]);
      // A migration recorded as not finished is pending again (and the engine is loaded for it).
      await db.prisma.$executeRawUnsafe(
        `UPDATE "_prisma_migrations" SET "finished_at" = NULL WHERE "migration_name" = (SELECT max("migration_name") FROM "_prisma_migrations")`,
      );
      expect(await pendingMigrations(db.prisma)).toHaveLength(1);
      await db.prisma.$executeRawUnsafe(`UPDATE "_prisma_migrations" SET "finished_at" = now() WHERE "finished_at" IS NULL`);
      const recorded = await db.prisma.$queryRawUnsafe<{ n: number }[]>('SELECT count(*)::int AS n FROM "_prisma_migrations" WHERE finished_at IS NOT NULL');
      expect(recorded[0]!.n).toBeGreaterThan(0);

      expect(await seedCatalog(db.prisma)).toBe(DEFAULT_CATALOG.length);
      await db.prisma.catalogModel.update({ where: { slug: 'infinitalk-480p' }, data: { priceAmount: 4, enabled: false } });
      expect(await seedCatalog(db.prisma)).toBe(0);
      const model = await db.prisma.catalogModel.findUniqueOrThrow({ where: { slug: 'infinitalk-480p' } });
      expect([model.priceAmount, model.enabled]).toEqual([4, false]);
      // One row per model spec, each naming its spec.
      const rows = await db.prisma.catalogModel.findMany();
      expect(rows.map((m) => m.slug).sort()).toEqual(DEFAULT_CATALOG.map((m) => m.slug).sort());
      expect(rows.every((m) => m.spec === m.slug)).toBe(true);
    } finally {
      await db.close();
      await testDb.cleanup();
    }
  }, 60_000);
});
