/** Builders for the domain and job tests: a migrated, seeded database, users with credits, generation inputs, fixture media. */
import { statSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { openDatabase, type Database } from '../../src/db/client.js';
import { seedCatalog } from '../../src/db/seed.js';
import type { FileRef, GenerationInputs } from '../../src/domain/generation-inputs.js';
import { recordMove } from '../../src/domain/ledger.js';
import type { ProviderId } from '../../src/providers/types.js';
import { createTestDatabase, type TestDatabase } from './db.js';
import { fixturePath } from './fake-kie/media.js';

export const silentLogger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
export const BOTH: ReadonlySet<ProviderId> = new Set<ProviderId>(['kie', 'kling']);

export interface TestDb {
  testDb: TestDatabase;
  db: Database;
  /** A second connection pool to the same database (PostgreSQL), or the same handle (PGlite: one process, one connection). */
  second(): Promise<Database>;
  close(): Promise<void>;
}

export async function openTestDb(): Promise<TestDb> {
  const testDb = await createTestDatabase({ inMemory: true });
  const db = await openDatabase({ databaseUrl: testDb.databaseUrl, dataDir: testDb.dataDir });
  await db.migrate();
  await seedCatalog(db.prisma);
  const extra: Database[] = [];
  return {
    testDb,
    db,
    async second() {
      if (!testDb.databaseUrl) return db;
      const other = await openDatabase({ databaseUrl: testDb.databaseUrl });
      extra.push(other);
      return other;
    },
    async close() {
      for (const other of extra) await other.close();
      await db.close();
      await testDb.cleanup();
    },
  };
}

let nextUserId = 5_000_000n;
/** A fresh user with `balance` credits granted through the ledger. */
export async function makeUser(db: Database, balance: number, extra: { banned?: boolean } = {}): Promise<bigint> {
  const id = nextUserId++;
  await db.prisma.user.create({ data: { id, firstName: `U${id}`, banned: extra.banned ?? false } });
  if (balance > 0) await recordMove(db.prisma, { userId: id, kind: 'grant', amount: balance, idempotencyKey: `grant:test:${id}` });
  return id;
}

function ref(name: string, mime: string, extra: Partial<FileRef> = {}): FileRef {
  return { fileId: `fixture:${name}`, mime, size: statSync(fixturePath(name)).size, fileName: name, ...extra };
}

export function lipsyncInputs(audioSeconds = 3): GenerationInputs {
  return {
    image: ref('portrait.jpg', 'image/jpeg'),
    audio: ref('voice.ogg', 'audio/ogg'),
    audioSeconds,
    options: {},
  };
}

export function textInputs(duration: 5 | 10 = 5): GenerationInputs {
  return { prompt: 'A red fox running through snow', options: { duration } };
}

export const uuid = () => randomUUID();
