import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeTelegram } from '../support/fake-telegram/index.js';
import { FakeKie } from '../support/fake-kie/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { botEnv, spawnBot } from '../support/harness.js';
import { orderLipsync, waitForVideo } from '../support/drive.js';
import { staysTrue } from '../support/wait.js';
import { openDatabase } from '../../src/db/client.js';
import { ledgerSum, recordMove } from '../../src/domain/ledger.js';

describe('crash safety', () => {
  let tg: FakeTelegram;
  let kie: FakeKie;
  let db: TestDatabase;

  beforeAll(async () => {
    [tg, kie, db] = await Promise.all([FakeTelegram.start(), FakeKie.start({ pollsPerStep: 0 }), createTestDatabase()]);
  });
  afterAll(async () => {
    await Promise.all([tg?.stop(), kie?.stop()]);
    await db?.cleanup();
  });

  it('the bot killed with SIGKILL while a job runs, started again, delivers exactly once', async () => {
    const env = botEnv({ tg, kie }, db, { JOB_LEASE_MS: '4000', POLL_INTERVAL_MS: '100', POLL_TIMEOUT_MS: '60000' });
    const user = tg.user({ languageCode: 'en' });

    let bot = spawnBot(env);
    await bot.waitForOutput(/bot started/);
    await user.sendCommand('/start');
    await user.waitForMessage({ timeoutMs: 10_000 });
    await bot.kill('SIGTERM');
    // Credits for the test, written while no bot holds the embedded database.
    {
      const direct = await openDatabase({ databaseUrl: db.databaseUrl, dataDir: db.dataDir });
      await recordMove(direct.prisma, { userId: BigInt(user.id), kind: 'grant', amount: 100, idempotencyKey: `grant:test:${user.id}` });
      await direct.close();
    }

    bot = spawnBot(env);
    await bot.waitForOutput(/bot started/);
    await orderLipsync(user, 'Kling AI Avatar');
    // Wait until the job has recorded its KIE task, then kill the bot hard mid-job. (Killed
    // between the create and that record, the restarted bot cannot look a KIE task up and
    // creates one more, as the failure model allows: lost-answers.test.ts covers that window.)
    await bot.waitForOutput(/generation submitted/, 15_000);
    expect(kie.tasks.size).toBe(1);
    await bot.kill('SIGKILL');

    const [task] = [...kie.tasks.values()];
    kie.completeTask(task!.taskId, 'success');

    bot = spawnBot(env);
    try {
      await bot.waitForOutput(/bot started/);
      await waitForVideo(user, 45_000).catch((error: unknown) => {
        throw new Error(`${String(error)}\n--- bot output after the restart ---\n${bot.output().slice(-4000)}`);
      });
      const videoCount = () => user.messages().filter((m) => Boolean((m as { video?: unknown }).video)).length;
      await staysTrue(() => videoCount() === 1, 1500, 'exactly one video after the restart');
    } finally {
      await bot.kill('SIGTERM');
    }
    const videos = user.messages().filter((m) => Boolean((m as { video?: unknown }).video));
    expect(videos).toHaveLength(1);
    expect(kie.tasks.size).toBe(1);

    const direct = await openDatabase({ databaseUrl: db.databaseUrl, dataDir: db.dataDir });
    try {
      const generation = await direct.prisma.generation.findFirstOrThrow({ where: { userId: BigInt(user.id) } });
      expect(generation.state).toBe('delivered');
      const ledger = await direct.prisma.ledgerEntry.findMany({ where: { userId: BigInt(user.id) } });
      expect(ledger.map((e) => `${e.kind}:${e.amount}`)).toEqual(['grant:100', 'charge:-50']);
      expect((await direct.prisma.user.findUniqueOrThrow({ where: { id: BigInt(user.id) } })).balance).toBe(50);
      expect(await ledgerSum(direct.prisma, BigInt(user.id))).toBe(50);
    } finally {
      await direct.close();
    }
  }, 90_000);
});
