/**
 * One line of setup for an e2e suite: starts the fakes, a fresh database and the real bot
 * in-process before the suite, and stops them after it.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { FakeTelegram, type FakeTelegramOptions, type FakeUser } from './fake-telegram/index.js';
import { FakeKie, type FakeKieOptions } from './fake-kie/index.js';
import { FakeKling } from './fake-kling/index.js';
import { createTestDatabase, type TestDatabase } from './db.js';
import { botEnv, startInProcessBot, type InProcessBot } from './harness.js';
import { recordMove } from '../../src/domain/ledger.js';
import type { PrismaClient } from '../../src/db/client.js';
import type { Generation } from '../../src/generated/prisma/client.js';
import { waitForVideo } from './drive.js';
import { eventually } from './wait.js';

type FakeKlingOptions = NonNullable<Parameters<typeof FakeKling.start>[0]>;

export interface BotFixtureOptions {
  telegram?: FakeTelegramOptions;
  /** Start a fake KIE (and configure its key); true = default options. */
  kie?: FakeKieOptions | boolean;
  kling?: FakeKlingOptions | boolean;
  env?: Record<string, string> | ((fixture: BotFixture) => Record<string, string>);
}

export interface BotFixture {
  tg: FakeTelegram;
  kie: FakeKie;
  kling: FakeKling;
  db: TestDatabase;
  bot: InProcessBot;
  prisma(): PrismaClient;
  /** A user who has sent /start, with `credits` granted through the ledger. */
  newUser(credits?: number, languageCode?: string): Promise<FakeUser>;
  balanceOf(user: FakeUser): Promise<number>;
  /** The user's ledger as "kind:amount" strings, oldest first. */
  ledgerOf(user: FakeUser): Promise<string[]>;
  /**
   * Waits for the user's one order to be delivered (the video, then the row) and checks it cost
   * exactly `price` (ledger: the test grant of 1000, one charge); returns both.
   */
  deliveredWithOneCharge(user: FakeUser, price: number): Promise<{ video: Awaited<ReturnType<typeof waitForVideo>>; generation: Generation }>;
}

export function useBot(options: BotFixtureOptions = {}): BotFixture {
  const fixture = {} as BotFixture;
  beforeAll(async () => {
    const opt = <T>(value: T | boolean | undefined): T | undefined => (value === true ? ({} as T) : value || undefined);
    const kieOptions = opt(options.kie);
    const klingOptions = opt(options.kling);
    const [tg, kie, kling, db] = await Promise.all([
      FakeTelegram.start(options.telegram),
      kieOptions ? FakeKie.start(kieOptions) : undefined,
      klingOptions ? FakeKling.start(klingOptions) : undefined,
      createTestDatabase(),
    ]);
    Object.assign(fixture, { tg, kie, kling, db });
    const extra = typeof options.env === 'function' ? options.env(fixture) : (options.env ?? {});
    fixture.bot = await startInProcessBot(botEnv({ tg, kie, kling }, db, extra));
  });
  afterAll(async () => {
    await fixture.bot?.stop();
    await Promise.all([fixture.tg?.stop(), fixture.kie?.stop(), fixture.kling?.stop()]);
    await fixture.db?.cleanup();
  });

  fixture.prisma = () => fixture.bot.app.db.prisma;
  fixture.newUser = async (credits = 0, languageCode = 'en') => {
    const user = fixture.tg.user({ languageCode });
    await user.sendCommand('/start');
    await user.waitForMessage();
    if (credits) await recordMove(fixture.prisma(), { userId: BigInt(user.id), kind: 'grant', amount: credits, idempotencyKey: `grant:test:${user.id}` });
    return user;
  };
  fixture.balanceOf = async (user) => (await fixture.prisma().user.findUniqueOrThrow({ where: { id: BigInt(user.id) } })).balance;
  fixture.ledgerOf = async (user) =>
    (await fixture.prisma().ledgerEntry.findMany({ where: { userId: BigInt(user.id) }, orderBy: { id: 'asc' } })).map((e) => `${e.kind}:${e.amount}`);
  fixture.deliveredWithOneCharge = async (user, price) => {
    const video = await waitForVideo(user, 20_000);
    const userId = BigInt(user.id);
    await eventually(async () => (await fixture.prisma().generation.findFirst({ where: { userId, state: 'delivered' } })) !== null, 15_000, 'delivery');
    expect(await fixture.ledgerOf(user)).toEqual(['grant:1000', `charge:${-price}`]);
    return { video, generation: await fixture.prisma().generation.findFirstOrThrow({ where: { userId } }) };
  };
  return fixture;
}
