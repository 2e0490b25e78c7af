/**
 * A fresh database for one test: a new PostgreSQL database on the server named by
 * TEST_DATABASE_URL (CI runs the suite once with it), otherwise embedded PGlite.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

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
}

export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const prefix = options.prefix ?? 't';
  const dataDir = options.inMemory ? 'memory://' : await mkdtemp(path.join(tmpdir(), `bot-${prefix}-`));
  const removeDir = async () => {
    if (!options.inMemory) await rm(dataDir, { recursive: true, force: true });
  };
  const adminUrl = options.adminUrl === undefined ? process.env.TEST_DATABASE_URL : (options.adminUrl ?? undefined);
  if (!adminUrl) {
    return { kind: 'pglite', dataDir, env: { DATA_DIR: dataDir }, cleanup: removeDir };
  }
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
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
