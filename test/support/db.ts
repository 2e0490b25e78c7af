/**
 * A fresh database for one test: a new PostgreSQL database on the server named by
 * TEST_DATABASE_URL (CI runs the suite once with it), otherwise embedded PGlite.
 *
 * Under vitest the databases start as copies of a template that test/support/global-setup.ts
 * made once per run (initialised, migrated, seeded): creating a PGlite database from nothing
 * costs 10–15 s of CPU, a copy a fraction of a second. `fresh: true` asks for an empty one.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { openDatabase, type Database } from '../../src/db/client.js';
import { applyMigrations, defaultMigrationPaths } from '../../src/db/migrate.js';
import { seedCatalog } from '../../src/db/seed.js';
import { becomesTrue } from './wait.js';

export interface TestDatabase {
  kind: 'pglite' | 'postgres';
  /** Set for PostgreSQL. */
  databaseUrl?: string;
  /** PGlite folder (on disk, so a restarted bot process finds its data). */
  dataDir: string;
  /** Environment for a bot under test. */
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

export const usingPostgres = Boolean(process.env.TEST_DATABASE_URL);

export interface TestDatabaseOptions {
  inMemory?: boolean;
  /** Server to create the database on; default TEST_DATABASE_URL; null = PGlite. */
  adminUrl?: string | null;
  /** Prefix of the database / folder name. */
  prefix?: string;
  /** An empty database (not copied from the run's migrated template), e.g. to test the migrations. */
  fresh?: boolean;
}

/** Set by test/support/global-setup.ts: a closed, migrated and seeded PGlite DATA_DIR to copy. */
export const PGLITE_TEMPLATE_ENV = 'TEST_PGLITE_TEMPLATE';
/** Set by test/support/global-setup.ts: the PostgreSQL database to use as TEMPLATE. */
export const POSTGRES_TEMPLATE_ENV = 'TEST_POSTGRES_TEMPLATE';

export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const prefix = options.prefix ?? 't';
  const adminUrl = options.adminUrl === undefined ? process.env.TEST_DATABASE_URL : (options.adminUrl ?? undefined);
  const pgliteTemplate = !adminUrl && !options.fresh ? process.env[PGLITE_TEMPLATE_ENV] : undefined;
  // A template copy lives on disk even when an in-memory database was asked for.
  const inMemory = options.inMemory && !pgliteTemplate;
  const dataDir = inMemory ? 'memory://' : await mkdtemp(path.join(tmpdir(), `bot-${prefix}-`));
  const removeDir = async () => {
    if (!inMemory) await rm(dataDir, { recursive: true, force: true });
  };
  if (!adminUrl) {
    if (pgliteTemplate) await cp(path.join(pgliteTemplate, 'pglite'), path.join(dataDir, 'pglite'), { recursive: true });
    return { kind: 'pglite', dataDir, env: { DATA_DIR: dataDir }, cleanup: removeDir };
  }
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const postgresTemplate = options.fresh || options.adminUrl !== undefined ? undefined : process.env[POSTGRES_TEMPLATE_ENV];
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(postgresTemplate ? `CREATE DATABASE "${name}" TEMPLATE "${postgresTemplate}"` : `CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  return {
    kind: 'postgres',
    databaseUrl,
    dataDir,
    env: { DATABASE_URL: databaseUrl, DATA_DIR: dataDir },
    async cleanup() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => {});
      await c.end();
      await removeDir();
    },
  };
}

/** Opens the test database from this process for `work`, and closes it again. */
export async function withDatabase<T>(db: TestDatabase, work: (direct: Database) => Promise<T>): Promise<T> {
  const direct = await openDatabase({ databaseUrl: db.databaseUrl, dataDir: db.dataDir });
  try {
    return await work(direct);
  } finally {
    await direct.close();
  }
}

/**
 * Applies the migrations and seeds the catalog from this process. On PostgreSQL the schema
 * engine runs on a one-connection pool that is ended afterwards: Prisma's migration advisory
 * lock (pg_advisory_lock(72707369)) is never unlocked by the engine, so with Database.migrate()
 * it stays held by an idle pooled connection for ~10 s and a bot starting meanwhile times out
 * (P1002) — see docs/reliability.md.
 */
export async function prepareDatabase(db: TestDatabase): Promise<void> {
  if (db.databaseUrl) {
    const pool = new pg.Pool({ connectionString: db.databaseUrl, max: 1 });
    try {
      await applyMigrations(new PrismaPg(pool), defaultMigrationPaths());
    } finally {
      await pool.end();
    }
  }
  await withDatabase(db, async (direct) => {
    if (!db.databaseUrl) await direct.migrate();
    await seedCatalog(direct.prisma);
  });
}

/** PostgreSQL: waits until nobody holds Prisma's migration advisory lock (true when free). */
export async function migrationLockFree(databaseUrl: string | undefined, timeoutMs: number): Promise<boolean> {
  if (!databaseUrl) return true;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await becomesTrue(
      async () => (await client.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = 72707369 AND granted`)).rowCount === 0,
      timeoutMs,
      100,
    );
  } finally {
    await client.end();
  }
}
