import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { Api } from 'grammy';
import type { FakeUser } from '../support/fake-telegram/index.js';
import { ROOT } from '../support/harness.js';
import { useBot } from '../support/bot-fixture.js';
import { getModel, listModels, quote } from '../../src/domain/catalog.js';
import type { GenerationInputs } from '../../src/domain/generation-inputs.js';
import type { PrismaClient } from '../../src/db/client.js';
import { createI18n } from '../../src/bot/i18n.js';
import { ADMIN_COMMANDS, setAdminCommands } from '../../src/bot/features/admin/index.js';

const UNKNOWN = "I don't know that command. Send /help to see what I can do.";

async function seedGeneration(
  prisma: PrismaClient,
  g: {
    userId: bigint;
    slug: string;
    state: 'delivered' | 'failed' | 'refunded' | 'running';
    price: number;
    createdAt: Date;
    seconds?: number;
    charge?: boolean;
    refund?: boolean;
  },
): Promise<string> {
  const id = randomUUID();
  const model = await prisma.catalogModel.findUniqueOrThrow({ where: { slug: g.slug } });
  await prisma.generation.create({
    data: {
      id,
      userId: g.userId,
      chatId: g.userId,
      modelSlug: g.slug,
      kind: model.kind,
      state: g.state,
      price: g.price,
      inputs: {},
      externalTaskId: `gen-${id}`,
      createdAt: g.createdAt,
      deliveredAt: g.seconds !== undefined ? new Date(g.createdAt.getTime() + g.seconds * 1000) : null,
      refundedAt: g.refund ? g.createdAt : null,
    },
  });
  if (g.charge !== false) {
    await prisma.ledgerEntry.create({
      data: { userId: g.userId, kind: 'charge', amount: -g.price, balanceAfter: 0, idempotencyKey: `charge:${id}`, generationId: id, createdAt: g.createdAt },
    });
  }
  if (g.refund) {
    await prisma.ledgerEntry.create({
      data: { userId: g.userId, kind: 'refund', amount: g.price, balanceAfter: 0, idempotencyKey: `refund:${id}`, generationId: id, createdAt: g.createdAt },
    });
  }
  return id;
}

describe('admin commands through the fake Bot API', () => {
  let admin: FakeUser;
  // KIE has a key (its models are offered), Kling has none (its models are "not configured").
  const f = useBot({
    env: (fx) => {
      admin = fx.tg.user({ firstName: 'Admin', languageCode: 'en' });
      return { ADMIN_IDS: `1,${admin.id}`, KIE_API_KEY: 'kie-test-key', KIE_API_BASE_URL: 'http://127.0.0.1:9' };
    },
  });
  beforeAll(async () => {
    await admin.sendCommand('/start');
    await admin.waitForMessage();
  });

  const prisma = () => f.bot.app.db.prisma;
  const adminId = () => BigInt(admin.id);
  async function ask(command: string, user: FakeUser = admin): Promise<string> {
    await user.sendCommand(command);
    return String((await user.waitForMessage()).text);
  }
  /** /models answers one message per task (Catalog v2); the last ends with the hint. */
  async function askModels(): Promise<string> {
    await admin.sendCommand('/models');
    const parts: string[] = [];
    for (;;) {
      const text = String((await admin.waitForMessage()).text);
      parts.push(text);
      if (text.includes('/cost SLUG USD')) return parts.join('\n');
    }
  }
  async function newUser(opts: { username?: string; languageCode?: string } = {}): Promise<FakeUser> {
    const user = f.tg.user({ languageCode: 'en', ...opts });
    await user.sendCommand('/start');
    await user.waitForMessage();
    return user;
  }

  it('a non-admin gets the unknown-command answer for every admin command, and nothing changes', async () => {
    const user = await newUser({ username: 'mallory' });
    const victim = await newUser();
    const before = await prisma().catalogModel.findMany({ orderBy: { slug: 'asc' } });
    const commands = [
      '/models',
      '/enable kling-text2video',
      '/disable kling-ai-avatar',
      '/price kling-ai-avatar 1 fixed',
      '/cost kling-ai-avatar 0.1',
      '/provider kling-2.6 kling',
      `/grant ${user.id} 1000 free money`,
      `/grant @mallory 5`,
      `/user ${victim.id}`,
      '/refund some-generation',
      '/refundpayment some-charge',
      `/ban ${victim.id}`,
      `/unban ${victim.id}`,
      '/stats',
      '/broadcast hello everyone',
      '/alerts mute 1 60',
      '/models@fake_test_bot',
    ];
    expect(commands.map((c) => c.slice(1).split(/[\s@]/)[0])).toEqual(expect.arrayContaining([...ADMIN_COMMANDS]));
    for (const command of commands) {
      expect(await ask(command, user), command).toBe(UNKNOWN);
    }
    // A forged broadcast button does nothing either.
    const api = new Api(f.tg.token, { apiRoot: f.tg.apiRoot });
    const forged = await api.sendMessage(user.chatId, 'x', { reply_markup: { inline_keyboard: [[{ text: 'Send', callback_data: 'abc:send' }]] } });
    const tap = await user.tapButton(forged.message_id, 'Send');
    await f.tg.waitForCallbackAnswer(tap.id);

    expect(await prisma().catalogModel.findMany({ orderBy: { slug: 'asc' } })).toEqual(before);
    expect((await prisma().user.findUniqueOrThrow({ where: { id: BigInt(user.id) } })).balance).toBe(0);
    expect((await prisma().user.findUniqueOrThrow({ where: { id: BigInt(victim.id) } })).banned).toBe(false);
    expect(await prisma().broadcast.count()).toBe(0);
    expect(await prisma().ledgerEntry.count({ where: { userId: BigInt(user.id) } })).toBe(0);
    expect(await prisma().adminAuditLog.count()).toBe(0);
  });

  it('/models lists state, price rule and amount; providers without keys show "not configured"', async () => {
    const text = await askModels();
    expect(text).toContain('Model catalog:');
    expect(text).toContain('✅ on kling-ai-avatar — Kling AI Avatar: 50 credits per video [kie]');
    expect(text).toContain('✅ on infinitalk-480p — InfiniteTalk 480p: 3 credits per second of audio [kie]');
    expect(text).toContain('⚙️ not configured kling-text2video — Kling text-to-video: 35 credits per 5 s of video [kling]');
  });

  it('/disable and /enable switch a model at once and are audited', async () => {
    expect(await ask('/disable infinitalk-720p')).toContain('infinitalk-720p is off');
    const configured = new Set(['kie' as const]);
    expect((await listModels(prisma(), { enabledOnly: true, configuredProviders: configured })).map((m) => m.slug)).not.toContain('infinitalk-720p');
    expect(await askModels()).toContain('⛔ off infinitalk-720p');
    expect(await ask('/disable infinitalk-720p')).toContain('already off');
    expect(await ask('/enable infinitalk-720p')).toContain('infinitalk-720p is on');
    expect((await listModels(prisma(), { enabledOnly: true, configuredProviders: configured })).map((m) => m.slug)).toContain('infinitalk-720p');
    expect(await ask('/enable kling-text2video')).toContain('provider kling has no API keys');
    await ask('/disable kling-text2video');
    expect(await ask('/enable')).toBe('Usage: /enable SLUG (see /models)');
    expect(await ask('/disable no-such-model')).toBe('There is no model "no-such-model". See /models.');
    const audit = await prisma().adminAuditLog.findMany({ where: { target: 'infinitalk-720p' }, orderBy: { id: 'asc' } });
    expect(audit.map((a) => [a.action, a.adminId])).toEqual([
      ['model_disable', adminId()],
      ['model_enable', adminId()],
    ]);
  });

  it('/price changes the amount (and optionally the rule); the next quote and /models use it', async () => {
    const inputs = { audioSeconds: 10 } as GenerationInputs;
    expect(quote((await getModel(prisma(), 'infinitalk-480p'))!, inputs)).toBe(30);
    expect(await ask('/price infinitalk-480p 5')).toBe(
      'infinitalk-480p: now 5 credits per second of audio (was 3 credits per second of audio). The next quote uses it.',
    );
    expect(quote((await getModel(prisma(), 'infinitalk-480p'))!, inputs)).toBe(50);
    expect(await askModels()).toContain('infinitalk-480p — InfiniteTalk 480p: 5 credits per second of audio');

    expect(await ask('/price kling-ai-avatar 7 per_second')).toContain('now 7 credits per second of audio (was 50 credits per video)');
    expect(quote((await getModel(prisma(), 'kling-ai-avatar'))!, inputs)).toBe(70);
    expect(await ask('/price kling-ai-avatar 7')).toContain('already costs');

    for (const bad of ['/price', '/price infinitalk-480p', '/price infinitalk-480p -3', '/price infinitalk-480p 5 weekly', '/price infinitalk-480p 1.5']) {
      expect(await ask(bad), bad).toBe(
        'Usage: /price SLUG AMOUNT [fixed|per_second|per_5s] — AMOUNT is whole credits per video, per second of audio or per 5 s of video',
      );
    }
    expect(await ask('/price nope 5')).toContain('There is no model "nope"');
    const audit = await prisma().adminAuditLog.findFirstOrThrow({ where: { action: 'model_price', target: 'infinitalk-480p' } });
    expect(audit.adminId).toBe(adminId());
    expect(audit.details).toEqual({ from: { amount: 3, rule: 'per_second' }, to: { amount: 5, rule: 'per_second' } });
  });

  it('/grant adds and takes credits through the ledger, once per update, never below 0', async () => {
    const user = await newUser({ username: 'granted_user' });
    const uid = BigInt(user.id);
    await admin.sendCommand('/grant @granted_user 150 welcome bonus');
    expect((await admin.waitForMessage()).text).toContain('+150 credits. Balance now 150.');
    const row = await prisma().ledgerEntry.findFirstOrThrow({ where: { userId: uid, kind: 'grant' } });
    expect(row).toMatchObject({ amount: 150, adminId: adminId(), reason: 'welcome bonus' });
    expect(row.idempotencyKey).toMatch(/^grant:\d+$/);

    // The same update delivered again grants nothing more.
    await admin.resendLastUpdate();
    expect(await ask('/user @granted_user')).toContain('Balance: 150 credits');
    expect(await prisma().ledgerEntry.count({ where: { userId: uid, kind: 'grant' } })).toBe(1);

    expect(await ask(`/grant ${user.id} -200`)).toContain('has only 150 credits');
    expect(await ask(`/grant ${user.id} -50 correction`)).toContain(': -50 credits. Balance now 100.');
    expect((await prisma().user.findUniqueOrThrow({ where: { id: uid } })).balance).toBe(100);
    expect(await ask('/grant @nobody_here 5')).toContain('No user "@nobody_here"');
    for (const bad of ['/grant', `/grant ${user.id}`, `/grant ${user.id} lots`, `/grant ${user.id} 0`]) {
      expect(await ask(bad), bad).toContain('Usage: /grant USER AMOUNT [reason]');
    }
    const audit = await prisma().adminAuditLog.findMany({ where: { action: 'grant', target: String(uid) } });
    expect(audit).toHaveLength(2);
    expect(audit.every((a) => a.adminId === adminId())).toBe(true);
  });

  it('/user shows balance, language, flags, last generations and payments', async () => {
    const user = await newUser({ username: 'shown_user', languageCode: 'ru' });
    const uid = BigInt(user.id);
    await prisma().user.update({ where: { id: uid }, data: { balance: 42, unreachable: true } });
    const genId = await seedGeneration(prisma(), { userId: uid, slug: 'kling-ai-avatar', state: 'delivered', price: 50, createdAt: new Date(), seconds: 30 });
    await prisma().payment.create({
      data: { id: randomUUID(), userId: uid, telegramPaymentChargeId: 'charge-shown', packId: 'p100', stars: 100, credits: 100, payload: 'pack:p100:100:1' },
    });
    const text = await ask('/user @shown_user');
    expect(text).toContain(`(@shown_user, ${user.id})`);
    expect(text).toContain('Balance: 42 credits');
    expect(text).toContain('Language: ru (Telegram)');
    expect(text).toContain('Banned: no · Unreachable (blocked the bot): yes');
    expect(text).toContain(`• ${genId} · kling-ai-avatar · delivered · 50 cr`);
    expect(text).toContain('• 100 ⭐ → 100 cr · paid');
    expect(text).toContain('charge-shown');
    expect(await ask(`/user ${user.id}`)).toContain('Balance: 42 credits');
    expect(await ask('/user 999')).toContain('No user "999"');
    expect(await ask('/user')).toBe('Usage: /user USER — a Telegram id or @username');
  });

  it('/ban and /unban set the flag and are audited', async () => {
    const user = await newUser({ username: 'bad_guy' });
    expect(await ask('/ban @bad_guy')).toContain('is banned');
    expect((await prisma().user.findUniqueOrThrow({ where: { id: BigInt(user.id) } })).banned).toBe(true);
    expect(await ask('/ban @bad_guy')).toContain('already banned');
    expect(await ask(`/unban ${user.id}`)).toContain('is unbanned');
    expect((await prisma().user.findUniqueOrThrow({ where: { id: BigInt(user.id) } })).banned).toBe(false);
    expect(await ask('/ban')).toContain('Usage: /ban USER');
    const audit = await prisma().adminAuditLog.findMany({ where: { target: String(user.id) }, orderBy: { id: 'asc' } });
    expect(audit.map((a) => a.action)).toEqual(['ban', 'unban']);
  });

  it('/refund GENERATION_ID gives the charge back once and is audited', async () => {
    const user = await newUser();
    const uid = BigInt(user.id);
    // Delivered (a terminal state the job worker leaves alone): a goodwill refund of a bad result.
    const id = await seedGeneration(prisma(), { userId: uid, slug: 'kling-ai-avatar', state: 'delivered', price: 50, createdAt: new Date(), seconds: 40 });
    expect(await ask(`/refund ${id}`)).toContain(`Generation ${id} refunded: 50 credits back`);
    expect((await prisma().user.findUniqueOrThrow({ where: { id: uid } })).balance).toBe(50);
    expect((await prisma().generation.findUniqueOrThrow({ where: { id } })).refundedAt).not.toBeNull();
    expect(await prisma().ledgerEntry.findUniqueOrThrow({ where: { idempotencyKey: `refund:${id}` } })).toMatchObject({ amount: 50, adminId: adminId() });
    expect(await ask(`/refund ${id}`)).toContain('was already refunded');
    expect((await prisma().user.findUniqueOrThrow({ where: { id: uid } })).balance).toBe(50);
    expect(await ask('/refund nope')).toContain('There is no generation "nope"');
    expect(await ask('/refund charge-shown')).toContain('use /refundpayment charge-shown');
    expect(await ask('/refund')).toContain('Usage: /refund GENERATION_ID');
    const audit = await prisma().adminAuditLog.findMany({ where: { action: 'generation_refund', target: id } });
    expect(audit).toHaveLength(1);
    expect(audit[0]!.adminId).toBe(adminId());
  });

  it("sets the admin command list for the admins' chats only", async () => {
    const api = new Api(f.tg.token, { apiRoot: f.tg.apiRoot });
    const i18n = createI18n(path.join(ROOT, 'locales'));
    const result = await setAdminCommands(api, i18n, [adminId()]);
    expect(result.failed).toEqual([]);
    const scope = { type: 'chat', chat_id: admin.id };
    const en = f.tg.bot().commands(scope) as { command: string; description: string }[];
    expect(en.map((c) => c.command)).toEqual(expect.arrayContaining(['start', 'topup', ...ADMIN_COMMANDS]));
    expect(en.find((c) => c.command === 'stats')?.description).toBe('Admin: statistics');
    const ru = f.tg.bot().commands(scope, 'ru') as { command: string; description: string }[];
    expect(ru.find((c) => c.command === 'stats')?.description).toBe('Админ: статистика');
    const everyone = f.tg.bot().commands({ type: 'default' }) as { command: string }[];
    expect(everyone.map((c) => c.command)).not.toContain('stats');
  });
});

describe('/stats on seeded data', () => {
  let admin: FakeUser;
  const f = useBot({
    env: (fx) => {
      admin = fx.tg.user({ firstName: 'Admin', languageCode: 'en' });
      return { ADMIN_IDS: String(admin.id) };
    },
  });

  it('counts users, payments, generations, success rate, mean time, credits and refunds for today and 7 days, per model', async () => {
    const prisma = f.bot.app.db.prisma;
    await admin.sendCommand('/start'); // the admin: a new user today
    await admin.waitForMessage();
    const now = Date.now();
    const today = new Date(now - 1000);
    const daysAgo = (d: number) => new Date(now - d * 86_400_000);
    await prisma.user.createMany({
      data: [
        { id: 101n, firstName: 'Today', createdAt: today },
        { id: 102n, firstName: 'ThreeDays', createdAt: daysAgo(3) },
        { id: 103n, firstName: 'Old', createdAt: daysAgo(10) },
      ],
    });
    const pay = (userId: bigint, charge: string, stars: number, createdAt: Date, refunded = false) => ({
      id: randomUUID(),
      userId,
      telegramPaymentChargeId: charge,
      packId: 'p',
      stars,
      credits: stars,
      payload: 'x',
      createdAt,
      status: refunded ? ('refunded' as const) : ('paid' as const),
      refundedAt: refunded ? createdAt : null,
    });
    await prisma.payment.createMany({
      data: [pay(101n, 'c1', 100, today), pay(102n, 'c2', 450, daysAgo(3)), pay(102n, 'c3', 100, daysAgo(3), true), pay(103n, 'c4', 100, daysAgo(10))],
    });
    await seedGeneration(prisma, { userId: 101n, slug: 'kling-ai-avatar', state: 'delivered', price: 50, createdAt: today, seconds: 60 });
    await seedGeneration(prisma, { userId: 101n, slug: 'kling-ai-avatar', state: 'refunded', price: 50, createdAt: today, refund: true });
    await seedGeneration(prisma, { userId: 102n, slug: 'infinitalk-480p', state: 'delivered', price: 30, createdAt: daysAgo(3), seconds: 120 });
    await seedGeneration(prisma, { userId: 103n, slug: 'infinitalk-720p', state: 'delivered', price: 99, createdAt: daysAgo(10), seconds: 10 });

    await admin.sendCommand('/stats');
    const text = String((await admin.waitForMessage()).text);
    const [todayPart, weekPart] = text.split('📊 Last 7 days');
    expect(todayPart).toContain('📊 Today (since 00:00 UTC)');
    expect(todayPart).toContain('New users: 2 · paying users: 1');
    expect(todayPart).toContain('Stars received: 100 ⭐ in 1 payment · refunded: 0 ⭐');
    expect(todayPart).toContain('Generations: 2 (✅ 1 · ❌ 1) · success rate 50% · mean time 60 s');
    expect(todayPart).toContain('Credits spent: 50 · refunds: 1 (50 credits)');
    expect(todayPart).toContain('• kling-ai-avatar: 2 generations · success 50% · mean 60 s · 50 credits');
    expect(todayPart).not.toContain('infinitalk');

    expect(weekPart).toContain('New users: 3 · paying users: 2');
    expect(weekPart).toContain('Stars received: 650 ⭐ in 3 payments · refunded: 100 ⭐');
    expect(weekPart).toContain('Generations: 3 (✅ 2 · ❌ 1) · success rate 67% · mean time 90 s');
    expect(weekPart).toContain('Credits spent: 80 · refunds: 1 (50 credits)');
    expect(weekPart).toContain('• infinitalk-480p: 1 generation · success 100% · mean 2 min 0 s · 30 credits');
    expect(weekPart).not.toContain('infinitalk-720p');
  });
});
