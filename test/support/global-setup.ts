/**
 * vitest globalSetup: makes the run's database template once — initialised, migrated and seeded
 * (./db-template.ts, in a child process) — and names it in the environment, so every test
 * database is a copy of it (./db.ts) instead of being created and migrated from nothing.
 * Removed again after the run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { runNodeScript } from './child-process.js';
import { PGLITE_TEMPLATE_ENV, POSTGRES_TEMPLATE_ENV } from './db.js';

async function makeTemplate(args: string[], env: Record<string, string>): Promise<string> {
  const run = await runNodeScript('test/support/db-template.ts', args, { env, timeoutMs: 120_000, label: 'database template' });
  if (run.code !== 0) throw new Error(`the database template could not be made:\n${run.output}`);
  return run.output.trim().split('\n').at(-1) ?? '';
}

export default async function setup(): Promise<() => Promise<void>> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'bot-template-'));
    await makeTemplate([dataDir], {}).catch(async (error: unknown) => {
      await rm(dataDir, { recursive: true, force: true });
      throw error;
    });
    process.env[PGLITE_TEMPLATE_ENV] = dataDir;
    return async () => {
      delete process.env[PGLITE_TEMPLATE_ENV];
      await rm(dataDir, { recursive: true, force: true });
    };
  }
  const name = await makeTemplate([], { TEST_DATABASE_URL: adminUrl });
  process.env[POSTGRES_TEMPLATE_ENV] = name;
  return async () => {
    delete process.env[POSTGRES_TEMPLATE_ENV];
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  };
}
