import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Api } from 'grammy';
import pino from 'pino';
import { FakeTelegram, type FakeUser, type Message } from '../support/fake-telegram/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { botEnv, ROOT, startInProcessBot, type InProcessBot } from '../support/harness.js';
import { createBroadcastWorker, type BroadcastWorker, type BroadcastWorkerOptions } from '../../src/broadcast/worker.js';
import { createBroadcastMessenger } from '../../src/bot/broadcast-messenger.js';
import { createI18n } from '../../src/bot/i18n.js';
import { openDatabase, type PrismaClient } from '../../src/db/client.js';
import { createBroadcast } from '../../src/broadcast/queue.js';
import { until } from '../support/wait.js';

type Markup = { inline_keyboard: { text: string }[][] };
const buttons = (m: Message) => ((m.reply_markup as Markup | undefined)?.inline_keyboard ?? []).flat().map((b) => b.text);
const i18n = createI18n(path.join(ROOT, 'locales'));

describe('broadcasts: throttled, resumable, reported', () => {
  let tg: FakeTelegram;
  let db: TestDatabase;
  let bot: InProcessBot | undefined;
  const workers: BroadcastWorker[] = [];

  afterEach(async () => {
    for (const w of workers.splice(0)) await w.stop();
    await bot?.stop();
    await tg?.stop();
    await db?.cleanup();
  });

  async function setup(userCount: number): Promise<{ admin: FakeUser; users: FakeUser[]; env: Record<string, string> }> {
    [tg, db] = await Promise.all([FakeTelegram.start(), createTestDatabase()]);
    const admin = tg.user({ firstName: 'Admin', languageCode: 'en' });
    // BROADCAST_RATE_PER_SECOND is for an app that runs its own broadcast worker (ignored otherwise).
    const env = botEnv({ tg }, db, { ADMIN_IDS: String(admin.id), BROADCAST_RATE_PER_SECOND: '4' });
    bot = await startInProcessBot(env);
    const users = Array.from({ length: userCount }, () => tg.user({ languageCode: 'en' }));
    for (const u of [admin, ...users]) await u.sendCommand('/start');
    await Promise.all([admin, ...users].map((u) => u.waitForMessage({ timeoutMs: 15_000 })));
    return { admin, users, env };
  }

  function startWorker(prisma: PrismaClient, options: Partial<BroadcastWorkerOptions> = {}): BroadcastWorker {
    const worker = createBroadcastWorker({
      prisma,
      messenger: createBroadcastMessenger({ api: new Api(tg.token, { apiRoot: tg.apiRoot }), i18n }),
      logger: pino({ level: 'silent' }),
      ratePerSecond: 20,
      idleMs: 100,
      retryBaseMs: 100,
      ...options,
    });
    workers.push(worker);
    worker.start();
    return worker;
  }

  async function queueBroadcast(admin: FakeUser, text: string): Promise<Message> {
    await admin.sendCommand(`/broadcast ${text}`);
    const title = await admin.waitForMessage();
    const preview = await admin.waitForMessage();
    expect(preview.text).toBe(text);
    expect(buttons(preview)).toEqual(['✅ Send', '✖️ Cancel']);
    return title;
  }

  /** Successful broadcast sends of `text` (the admin's preview, which has buttons, left out). */
  const deliveries = (text: string) =>
    tg
      .calls('sendMessage')
      .filter((c) => c.status === 200 && c.params.text === text && !c.params.reply_markup)
      .map((c) => Number(c.params.chat_id));

  it(
    'previews, can be cancelled, queues once on a double tap, skips banned and unreachable users, honours 429 and 403, and reports',
    { timeout: 45_000 },
    async () => {
      const { admin, users } = await setup(6);
      const prisma = bot!.app.db.prisma;
      const [u1, u2, u3, u4, u5, u6] = users as [FakeUser, FakeUser, FakeUser, FakeUser, FakeUser, FakeUser];
      await prisma.user.update({ where: { id: BigInt(u5.id) }, data: { banned: true } });
      await prisma.user.update({ where: { id: BigInt(u6.id) }, data: { unreachable: true } });
      u2.blockBot({ notify: false }); // the bot only learns it from the 403

      // Cancel: nothing is queued.
      await admin.sendCommand('/broadcast Never sent');
      await admin.waitForMessage();
      const cancelled = await admin.waitForMessage();
      await admin.tapButton(cancelled, '✖️ Cancel');
      expect((await admin.waitForMessage()).text).toBe('Broadcast cancelled. Nothing was sent.');
      expect(await prisma.broadcast.count()).toBe(0);

      const text = 'Big news: new models are here!';
      const title = await queueBroadcast(admin, text);
      expect(title.text).toContain('this message goes to 5 users'); // admin, u1–u4
      const preview = admin.messages().at(-1)!;
      // From here on, every sendMessage is a broadcast send (the tap is answered with an alert),
      // so the armed 429 hits a broadcast recipient whichever worker sends first.
      tg.failNext('sendMessage', { code: 429, retryAfter: 1 });
      const started = Date.now();
      const tap1 = await admin.tapButton(preview, '✅ Send');
      const tap2 = await admin.tapButton(preview, '✅ Send'); // a double tap before the buttons are gone
      expect((await tg.waitForCallbackAnswer(tap1.id)).text).toBe("📣 Queued for 5 users. I'll report here when it is done.");
      expect((await tg.waitForCallbackAnswer(tap2.id)).text).toBe('This broadcast is already queued.');
      expect(await prisma.broadcast.count()).toBe(1);
      expect(await prisma.broadcastRecipient.count()).toBe(5);
      const audit = await prisma.adminAuditLog.findFirstOrThrow({ where: { action: 'broadcast' } });
      expect(audit.adminId).toBe(BigInt(admin.id));

      startWorker(prisma);
      const report = await admin.waitForMessage({ match: /Broadcast finished/, timeoutMs: 15_000 });
      expect(report.text).toBe('📣 Broadcast finished: 4 sent, 1 blocked the bot, 0 failed (of 5).');
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000); // waited out retry_after

      // The rate-limited recipient was retried and got it; nobody got it twice.
      const sends = tg.calls('sendMessage').filter((c) => c.params.text === text && !c.params.reply_markup);
      const limited = sends.find((c) => c.status === 429)!;
      expect(limited).toBeDefined();
      const delivered = deliveries(text);
      expect(delivered).toContain(Number(limited.params.chat_id));
      expect([...delivered].sort()).toEqual([admin.id, u1.id, u3.id, u4.id].sort());
      expect(new Set(delivered).size).toBe(delivered.length);
      for (const u of [u5, u6]) expect(sends.some((c) => Number(c.params.chat_id) === u.id)).toBe(false);

      expect((await prisma.user.findUniqueOrThrow({ where: { id: BigInt(u2.id) } })).unreachable).toBe(true);
      expect((await prisma.broadcastRecipient.findFirstOrThrow({ where: { userId: BigInt(u2.id) } })).status).toBe('blocked');
      const broadcast = await prisma.broadcast.findFirstOrThrow();
      expect(broadcast).toMatchObject({ status: 'done', total: 5, sent: 4, blocked: 1, failed: 0 });
      expect(broadcast.reportedAt).not.toBeNull();
    },
  );

  it('resumes after a restart on the same database without sending anyone the message twice', { timeout: 45_000 }, async () => {
    const { admin, users, env } = await setup(12);
    let prisma = bot!.app.db.prisma;
    const text = 'Maintenance tonight at 02:00 UTC.';
    await queueBroadcast(admin, text);
    const tap = await admin.tapButton(admin.messages().at(-1)!, '✅ Send');
    expect((await tg.waitForCallbackAnswer(tap.id)).text).toContain('Queued for 13 users');

    const first = startWorker(prisma, { ratePerSecond: 4 });
    await until(async () => (await prisma.broadcastRecipient.count({ where: { status: 'sent' } })) >= 3, 10_000, 'three sends');
    await first.stop();
    workers.splice(workers.indexOf(first), 1);
    await bot!.stop();
    const sentBefore = deliveries(text).length;
    expect(sentBefore).toBeGreaterThanOrEqual(3);
    expect(sentBefore).toBeLessThan(13);

    bot = await startInProcessBot(env);
    prisma = bot.app.db.prisma;
    // Another instance died holding a claim that has not expired yet: it is left alone until then.
    const held = await prisma.broadcastRecipient.findFirstOrThrow({ where: { status: 'pending' }, orderBy: { userId: 'desc' } });
    await prisma.broadcastRecipient.update({
      where: { broadcastId_userId: { broadcastId: held.broadcastId, userId: held.userId } },
      data: { leaseUntil: new Date(Date.now() + 1500) },
    });
    startWorker(prisma);
    const report = await admin.waitForMessage({ match: /Broadcast finished/, timeoutMs: 20_000 });
    expect(report.text).toBe('📣 Broadcast finished: 13 sent, 0 blocked the bot, 0 failed (of 13).');

    const delivered = deliveries(text);
    expect(delivered).toHaveLength(13);
    expect(new Set(delivered)).toEqual(new Set([admin.id, ...users.map((u) => u.id)]));
    for (const u of users) expect(u.messages().filter((m) => m.text === text)).toHaveLength(1);
    expect(admin.messages().filter((m) => m.text === text)).toHaveLength(2); // the preview + the broadcast
    expect(admin.messages().filter((m) => /Broadcast finished/.test(String(m.text)))).toHaveLength(1);
  });

  it('a permanent error fails a recipient at once; transient errors are retried, then failed', { timeout: 30_000 }, async () => {
    bot = undefined;
    [tg, db] = await Promise.all([FakeTelegram.start(), createTestDatabase({ inMemory: true })]);
    const database = await openDatabase({ databaseUrl: db.databaseUrl, dataDir: db.dataDir });
    try {
      await database.migrate();
      const prisma = database.prisma;
      const admin = tg.user({ languageCode: 'ru' });
      const people = [tg.user(), tg.user(), tg.user()];
      await prisma.user.createMany({
        data: [admin, ...people].map((u) => ({ id: BigInt(u.id), firstName: 'U', telegramLanguage: u === admin ? 'ru' : 'en' })),
      });
      await prisma.user.update({ where: { id: BigInt(admin.id) }, data: { unreachable: true } }); // not a recipient
      const b = await createBroadcast(prisma, { adminId: BigInt(admin.id), chatId: BigInt(admin.id), text: 'Hello', now: new Date() });
      expect(b?.total).toBe(3);

      tg.failNext('sendMessage', { code: 400, description: 'chat not found' });
      tg.failNext('sendMessage', { code: 502 }, 3);
      startWorker(prisma, { maxAttempts: 2, retryBaseMs: 50 });
      const report = await admin.waitForMessage({ match: /Рассылка завершена/, timeoutMs: 10_000 });
      expect(report.text).toBe('📣 Рассылка завершена: отправлено 1, заблокировали бота 0, ошибок 2 (из 3).');
      const rows = await prisma.broadcastRecipient.findMany();
      expect(rows.map((r) => r.status).sort()).toEqual(['failed', 'failed', 'sent']);
      expect(rows.find((r) => r.error?.includes('chat not found'))).toMatchObject({ status: 'failed', attempts: 1 });
      expect(rows.find((r) => r.error?.includes('Bad Gateway'))).toMatchObject({ status: 'failed', attempts: 2 });
      expect(tg.calls('sendMessage').filter((c) => c.params.text === 'Hello')).toHaveLength(5);
    } finally {
      for (const w of workers.splice(0)) await w.stop();
      await database.close();
    }
  });
});
