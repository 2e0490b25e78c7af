/** For a describe block: a migrated test database opened in this process, closed after its tests. */
import { afterAll, beforeAll } from 'vitest';
import { openDatabase, type Database, type DatabaseOptions } from '../../src/db/client.js';
import { createTestDatabase, type TestDatabase } from './db.js';

export function useMigratedDatabase(options: Pick<DatabaseOptions, 'directStatementTimeoutMs'> = {}): () => Database {
  let testDb: TestDatabase | undefined;
  let db: Database | undefined;
  beforeAll(async () => {
    testDb = await createTestDatabase({ inMemory: true });
    db = await openDatabase({ ...options, databaseUrl: testDb.databaseUrl, dataDir: testDb.dataDir });
    await db.migrate();
  });
  afterAll(async () => {
    await db?.close();
    await testDb?.cleanup();
  });
  return () => {
    if (!db) throw new Error('the database is opened in beforeAll');
    return db;
  };
}
