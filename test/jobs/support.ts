/** Shared builders for the domain and job tests: a migrated, seeded database, users, inputs, a recording messenger. */
import { statSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { openDatabase, type Database } from '../../src/db/client.js';
import { seedCatalog } from '../../src/db/seed.js';
import type { FileRef, GenerationInputs } from '../../src/domain/generation-inputs.js';
import { recordMove } from '../../src/domain/ledger.js';
import type { DeliveryOutcome, FailureReason, JobMessenger, JobView, MediaSource, ProgressStage } from '../../src/jobs/ports.js';
import type { ProviderId } from '../../src/providers/types.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { fixtureMedia, fixturePath } from '../support/fake-kie/media.js';

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

/** Serves stored references from test/fixtures/media (fileId "fixture:<name>"). */
export const fixtureMediaSource: MediaSource = {
  toInputMedia(file: FileRef) {
    const name = file.fileId.replace(/^fixture:/, '');
    return fixtureMedia(name, file.mime, {
      fileName: file.fileName,
      ...(file.width ? { width: file.width } : {}),
      ...(file.height ? { height: file.height } : {}),
    });
  },
};

export const uuid = () => randomUUID();

/** A JobMessenger that records every call; deliver downloads the result (so the URL must really serve a video). */
export class RecordingMessenger implements JobMessenger {
  readonly progressCalls: { id: string; stage: ProgressStage }[] = [];
  readonly deliveries: { id: string; url: string; bytes: number; durationSeconds?: number }[] = [];
  readonly failures: { id: string; reason: FailureReason; refunded: number }[] = [];
  /** Outcome override, e.g. () => ({ kind: 'unreachable' }). */
  outcome?: (job: JobView) => DeliveryOutcome;

  async progress(job: JobView, stage: ProgressStage): Promise<void> {
    this.progressCalls.push({ id: job.id, stage });
  }

  async deliver(job: JobView, video: { url: string; durationSeconds?: number }): Promise<DeliveryOutcome> {
    const response = await fetch(video.url);
    const bytes = (await response.arrayBuffer()).byteLength;
    if (!response.ok) return { kind: 'retry', error: `HTTP ${response.status}` };
    this.deliveries.push({ id: job.id, url: video.url, bytes, ...(video.durationSeconds !== undefined ? { durationSeconds: video.durationSeconds } : {}) });
    return this.outcome?.(job) ?? { kind: 'video', fileId: `file-${job.id}` };
  }

  async failed(job: JobView, reason: FailureReason, refunded: number): Promise<void> {
    this.failures.push({ id: job.id, reason, refunded });
  }

  deliveriesOf(id: string) {
    return this.deliveries.filter((d) => d.id === id);
  }
  failuresOf(id: string) {
    return this.failures.filter((d) => d.id === id);
  }
}

export async function waitUntil(predicate: () => boolean | Promise<boolean>, timeoutMs = 8_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
