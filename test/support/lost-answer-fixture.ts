/**
 * The e2e fixture of the lost-answer suites: the fakes with a fault proxy in front of each
 * (KIE api + upload, Kling, Telegram), a fresh database (PGlite, or PostgreSQL with
 * TEST_DATABASE_URL) and the real bot in-process, pointed at the proxies.
 */
import { afterAll, beforeAll } from 'vitest';
import { FakeTelegram, type FakeUser } from './fake-telegram/index.js';
import { FakeKie, type FakeKieOptions } from './fake-kie/index.js';
import { FakeKling } from './fake-kling/index.js';
import { createTestDatabase, type TestDatabase } from './db.js';
import { botEnv, startInProcessBot, type InProcessBot } from './harness.js';
import { FaultProxy } from './fault-proxy.js';
import { onlyModels, PART1_MODELS } from './drive.js';
import { recordMove } from '../../src/domain/ledger.js';
import type { PrismaClient } from '../../src/db/client.js';

export interface LostAnswerFixture {
  tg: FakeTelegram;
  kie: FakeKie;
  kling: FakeKling;
  db: TestDatabase;
  bot: InProcessBot;
  proxy: { kie: FaultProxy; upload: FaultProxy; kling: FaultProxy; telegram: FaultProxy };
  prisma(): PrismaClient;
  newUser(credits?: number): Promise<FakeUser>;
  ledgerOf(user: FakeUser): Promise<string[]>;
}

export function useLostAnswerBot(options: { kie?: FakeKieOptions; env?: Record<string, string> } = {}): LostAnswerFixture {
  const f = {} as LostAnswerFixture;
  beforeAll(async () => {
    const [tg, kie, kling, db] = await Promise.all([
      FakeTelegram.start(),
      FakeKie.start(options.kie ?? {}),
      FakeKling.start({ lifecycle: { unit: 'polls', processingAfter: 1, finishAfter: 2 } }),
      createTestDatabase(),
    ]);
    const [kieProxy, upload, klingProxy, telegram] = await Promise.all([
      FaultProxy.start(kie.apiBaseUrl),
      FaultProxy.start(kie.uploadBaseUrl),
      FaultProxy.start(kling.baseUrl),
      FaultProxy.start(tg.apiRoot),
    ]);
    Object.assign(f, { tg, kie, kling, db, proxy: { kie: kieProxy, upload, kling: klingProxy, telegram } });
    const env = botEnv({ tg, kie, kling }, db, {
      TELEGRAM_API_ROOT: telegram.url,
      KIE_API_BASE_URL: kieProxy.url,
      KIE_UPLOAD_BASE_URL: upload.url,
      KLING_API_BASE_URL: klingProxy.url,
      POLL_INTERVAL_MS: '50',
      POLL_TIMEOUT_MS: '20000',
      PROVIDER_TIMEOUT_MS: '1000',
      ...options.env,
    });
    f.bot = await startInProcessBot(env);
    // These suites test the part-1 models' paths (Catalog v2 would offer every seeded model).
    await onlyModels(f.bot.app.db.prisma, PART1_MODELS);
  });
  afterAll(async () => {
    await f.bot?.stop();
    await Promise.all(Object.values(f.proxy ?? {}).map((p) => p.stop()));
    await Promise.all([f.tg?.stop(), f.kie?.stop(), f.kling?.stop()]);
    await f.db?.cleanup();
  });
  f.prisma = () => f.bot.app.db.prisma;
  f.newUser = async (credits = 0) => {
    const user = f.tg.user({ languageCode: 'en' });
    await user.sendCommand('/start');
    await user.waitForMessage();
    if (credits) await recordMove(f.prisma(), { userId: BigInt(user.id), kind: 'grant', amount: credits, idempotencyKey: `grant:test:${user.id}` });
    return user;
  };
  f.ledgerOf = async (user) =>
    (await f.prisma().ledgerEntry.findMany({ where: { userId: BigInt(user.id) }, orderBy: { id: 'asc' } })).map((e) => `${e.kind}:${e.amount}`);
  return f;
}
