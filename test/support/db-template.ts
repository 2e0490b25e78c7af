/**
 * Makes the run's database template (run by ./global-setup.ts as a child process: the schema
 * engine needs plain Node, not vitest's module runner). PGlite: initialises, migrates and seeds
 * the DATA_DIR given as the argument. PostgreSQL (TEST_DATABASE_URL): creates, migrates and seeds
 * a database, disconnects from it, and prints its name as the last line.
 */
import { rm } from 'node:fs/promises';
import { createTestDatabase, prepareDatabase } from './db.js';

const dataDir = process.argv[2];
if (process.env.TEST_DATABASE_URL) {
  const template = await createTestDatabase({ fresh: true, prefix: 'template' });
  await prepareDatabase(template);
  // The database stays (the run drops it); its unused PGlite folder goes.
  await rm(template.dataDir, { recursive: true, force: true });
  process.stdout.write(`${new URL(template.databaseUrl!).pathname.slice(1)}\n`);
} else if (dataDir) {
  await prepareDatabase({ kind: 'pglite', dataDir, env: {}, cleanup: async () => {} });
} else {
  throw new Error('usage: db-template.ts DATA_DIR (or TEST_DATABASE_URL set)');
}
