/**
 * startApp is buildApp (wiring) then start() (the start-up effects): building touches neither
 * Telegram nor the schema and listens nowhere; start() migrates, seeds, talks to Telegram and
 * listens.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import { FakeTelegram } from '../support/fake-telegram/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { botEnv } from '../support/harness.js';

describe('buildApp and start()', () => {
  let tg: FakeTelegram;
  let db: TestDatabase;
  beforeAll(async () => {
    [tg, db] = await Promise.all([FakeTelegram.start(), createTestDatabase({ fresh: true })]);
  });
  afterAll(async () => {
    await tg?.stop();
    await db?.cleanup();
  });

  it('building has no start-up effects; start() migrates, seeds, calls Telegram and listens', async () => {
    const built = await buildApp({ config: loadConfig(botEnv({ tg }, db)), logger: pino({ level: 'silent' }) });
    try {
      expect(tg.calls()).toEqual([]);
      // Not migrated yet: the tables do not exist.
      await expect(built.db.prisma.catalogModel.count()).rejects.toThrow();
    } catch (error) {
      await built.db.close();
      throw error;
    }
    const app = await built.start();
    try {
      expect(app.db).toBe(built.db);
      expect(await app.db.prisma.catalogModel.count()).toBeGreaterThan(0);
      expect(tg.calls().map((c) => c.method)).toEqual(expect.arrayContaining(['getMe', 'setMyCommands', 'deleteWebhook']));
      expect((await fetch(`http://127.0.0.1:${app.port}/readyz`)).status).toBe(200);
    } finally {
      await app.stop(5_000);
    }
  }, 60_000);
});
