/**
 * Security: forged, unsigned, badly signed and stale/replayed provider callbacks change nothing;
 * a "succeed" Kling callback the provider does not confirm delivers and refunds nothing; the
 * Telegram webhook refuses a missing or wrong secret; no secret reaches the logs or a provider
 * (the callback secret only inside the callback URL given to the provider); a non-admin reaches
 * no admin effect. One bot in webhook mode with callbacks and a KIE HMAC key, through a full run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeTelegram, type FakeUser } from '../support/fake-telegram/index.js';
import { FakeKie } from '../support/fake-kie/index.js';
import { FakeKling } from '../support/fake-kling/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { botEnv, startInProcessBot, type InProcessBot } from '../support/harness.js';
import { eventually, onlyModels, orderLipsync, orderText2Video, PART1_MODELS, waitForVideo } from '../support/drive.js';
import { freePort } from '../support/net.js';
import { recordMove } from '../../src/domain/ledger.js';

const UNKNOWN = "I don't know that command. Send /help to see what I can do.";
const WEBHOOK_SECRET = 'wh-secret-Q7v9x2LmN4pR8sT1';
const CALLBACK_SECRET = 'cb-secret-Z3k8w5Yh2Jd6Fq0a';
const HMAC_KEY = 'kie-hmac-key-9f8e7d6c5b4a3210';

describe('security', () => {
  let tg: FakeTelegram;
  let kie: FakeKie;
  let kling: FakeKling;
  let db: TestDatabase;
  let bot: InProcessBot;
  let base: string;
  const adminId = 7_000_000_001;

  beforeAll(async () => {
    [tg, kie, kling, db] = await Promise.all([
      FakeTelegram.start({ webhookRetryBaseMs: 50 }),
      // KIE tasks finish only when the test says so; Kling tasks likewise.
      FakeKie.start({ pollsPerStep: 0, webhookHmacKey: HMAC_KEY }),
      FakeKling.start({ lifecycle: { unit: 'manual' } }),
      createTestDatabase(),
    ]);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    bot = await startInProcessBot(
      botEnv({ tg, kie, kling }, db, {
        PORT: String(port),
        WEBHOOK_URL: `${base}/telegram/webhook`,
        WEBHOOK_SECRET,
        PUBLIC_URL: base,
        CALLBACK_SECRET,
        KIE_WEBHOOK_HMAC_KEY: HMAC_KEY,
        ADMIN_IDS: String(adminId),
        LOG_LEVEL: 'debug',
        // Status checks only when a job is due for another reason (a callback): measurable.
        POLL_INTERVAL_MS: '600000',
        POLL_TIMEOUT_MS: '3600000',
      }),
    );
  }, 60_000);
  afterAll(async () => {
    await bot?.stop();
    await Promise.all([tg?.stop(), kie?.stop(), kling?.stop()]);
    await db?.cleanup();
  });

  const prisma = () => bot.app.db.prisma;
  // This suite drives the part-1 models (its order helpers pick them); Catalog v2 models have their own suites.
  beforeAll(() => onlyModels(prisma(), PART1_MODELS));
  async function userWithCredits(credits: number): Promise<FakeUser> {
    const user = tg.user({ languageCode: 'en' });
    await user.sendCommand('/start');
    await user.waitForMessage({ timeoutMs: 10_000 });
    const granted = await recordMove(prisma(), { userId: BigInt(user.id), kind: 'grant', amount: credits, idempotencyKey: `grant:security:${user.id}` });
    expect(granted.status).toBe('applied');
    return user;
  }
  const generationOf = (user: FakeUser) => prisma().generation.findFirstOrThrow({ where: { userId: BigInt(user.id) } });
  /** What a callback could change: state, money and delivery (not the worker's lease bookkeeping). */
  const essentials = async (user: FakeUser) => {
    const g = await generationOf(user);
    return {
      state: g.state,
      providerTaskId: g.providerTaskId,
      resultUrl: g.resultUrl,
      refundedAt: g.refundedAt,
      deliveredAt: g.deliveredAt,
      telegramFileId: g.telegramFileId,
      errorCode: g.errorCode,
      price: g.price,
      submitAttempts: g.submitAttempts,
      lateDeliveryAllowed: g.lateDeliveryAllowed,
    };
  };
  const ledgerOf = async (user: FakeUser) =>
    (await prisma().ledgerEntry.findMany({ where: { userId: BigInt(user.id) }, orderBy: { id: 'asc' } })).map((e) => `${e.kind}:${e.amount}`);
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const statusCalls = () => kie.count('recordInfo');
  const klingStatusCalls = () => kling.requestsFor('get').length;
  const settle = () => new Promise((r) => setTimeout(r, 600));

  let kieUser: FakeUser;
  let klingUser: FakeUser;

  it('forged, unsigned, badly signed and stale KIE callbacks are refused and change nothing', async () => {
    kieUser = await userWithCredits(100);
    // The bot hears only forged callbacks until the genuine one below: a real progress callback
    // arriving late (a busy host) would wake the job and count as a status request.
    kie.callbackOptions.enabled = false;
    await orderLipsync(kieUser, 'Kling AI Avatar', { timeoutMs: 15_000 });
    await eventually(async () => (await generationOf(kieUser)).state === 'submitted' && kie.tasks.size === 1, 15_000, 'the KIE job to be submitted');
    const [task] = [...kie.tasks.values()];
    // The callback secret goes to the provider inside the callback URL, and only there.
    expect(task!.callBackUrl).toBe(`${base}/callbacks/kie?secret=${CALLBACK_SECRET}`);

    // The job at rest first: a wake that came in during the submit step (the order's own) runs
    // one more step right after it, which would land in the forged phase below.
    await eventually(async () => (await generationOf(kieUser)).leaseOwner === null, 15_000, 'the submitted job to be released');
    await settle();
    const before = await essentials(kieUser);
    const ledgerBefore = await ledgerOf(kieUser);
    const callsBefore = statusCalls();
    // The provider is done, but the bot hears only forged callbacks.
    kie.completeTask(task!.taskId, 'success');
    const body = JSON.stringify({
      code: 200,
      msg: 'success',
      data: { taskId: task!.taskId, state: 'success', resultJson: JSON.stringify({ resultUrls: ['http://127.0.0.1:9/evil.mp4'] }) },
    });
    const now = Math.floor(Date.now() / 1000);
    const signed = (ts: number) => ({ 'x-webhook-timestamp': String(ts), 'x-webhook-signature': FakeKie.sign(HMAC_KEY, task!.taskId, ts) });

    expect((await post('/callbacks/kie?secret=wrong-secret-000', body, signed(now))).status).toBe(401); // forged URL secret
    expect((await post('/callbacks/kie', body, signed(now))).status).toBe(401); // no URL secret
    expect((await post(`/callbacks/kie?secret=${CALLBACK_SECRET}`, body)).status).toBe(401); // unsigned
    expect(
      (
        await post(`/callbacks/kie?secret=${CALLBACK_SECRET}`, body, {
          'x-webhook-timestamp': String(now),
          'x-webhook-signature': FakeKie.sign('another-key-123456', task!.taskId, now),
        })
      ).status,
    ).toBe(401); // bad signature
    expect(
      (
        await post(`/callbacks/kie?secret=${CALLBACK_SECRET}`, body, {
          'x-webhook-timestamp': String(now),
          'x-webhook-signature': FakeKie.sign(HMAC_KEY, 'other-task', now),
        })
      ).status,
    ).toBe(401); // signature of another task
    expect((await post(`/callbacks/kie?secret=${CALLBACK_SECRET}`, body, signed(now - 3_600))).status).toBe(401); // stale (replayed an hour later)
    expect((await post(`/callbacks/kie?secret=${CALLBACK_SECRET}`, body, signed(now + 3_600))).status).toBe(401); // from the future
    expect((await post(`/callbacks/kie?secret=${CALLBACK_SECRET}`, '{"not":"a callback"', signed(now))).status).toBe(401); // malformed
    await settle();

    expect(statusCalls()).toBe(callsBefore); // nothing woke the job: no status request
    expect(await essentials(kieUser)).toEqual(before);
    expect(await ledgerOf(kieUser)).toEqual(ledgerBefore);
    expect(tg.calls('sendVideo').filter((c) => Number(c.params.chat_id) === kieUser.chatId)).toHaveLength(0);

    // The genuine signed callback wakes the job; it reads the result from KIE itself and delivers.
    kie.callbackOptions.enabled = true;
    await post(`/callbacks/kie?secret=${CALLBACK_SECRET}`, body, signed(Math.floor(Date.now() / 1000))).then((r) => expect(r.status).toBe(200));
    const video = await waitForVideo(kieUser, 15_000);
    expect((video as { caption?: string }).caption).toContain('Kling AI Avatar');
    await eventually(async () => (await generationOf(kieUser)).state === 'delivered', 10_000, 'delivered');
    expect(statusCalls()).toBeGreaterThan(callsBefore);
    expect((await generationOf(kieUser)).resultUrl).toBe(kie.resultUrl(task!.taskId)); // not the URL in the forged body
    expect(await ledgerOf(kieUser)).toEqual(['grant:100', 'charge:-50']);
  }, 60_000);

  it('a replayed genuine KIE callback after delivery changes nothing', async () => {
    const [task] = [...kie.tasks.values()];
    const before = await essentials(kieUser);
    const calls = statusCalls();
    const videos = tg.calls('sendVideo').length;
    const ts = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({ code: 200, msg: 'Task completed successfully', data: { taskId: task!.taskId, state: 'success' } });
    for (let i = 0; i < 3; i++) {
      const res = await post(`/callbacks/kie?secret=${CALLBACK_SECRET}`, body, {
        'x-webhook-timestamp': String(ts),
        'x-webhook-signature': FakeKie.sign(HMAC_KEY, task!.taskId, ts),
      });
      expect(res.status).toBe(200); // authentic, so acknowledged — but it only ever wakes a job in flight
    }
    await settle();
    expect(await essentials(kieUser)).toEqual(before);
    expect(statusCalls()).toBe(calls);
    expect(tg.calls('sendVideo').length).toBe(videos);
    expect(await ledgerOf(kieUser)).toEqual(['grant:100', 'charge:-50']);
  });

  it('a Kling "succeed" callback with the right secret for a task still processing delivers and refunds nothing', async () => {
    klingUser = await userWithCredits(100);
    await orderText2Video(klingUser, 'A red fox running through snow', 15_000);
    await eventually(async () => ['submitted', 'running'].includes((await generationOf(klingUser)).state), 15_000, 'the Kling job to be submitted');
    const [task] = [...kling.tasks.values()];
    expect(task!.body.callback_url).toBe(`${base}/callbacks/kling?secret=${CALLBACK_SECRET}`);
    const before = await essentials(klingUser);
    const ledgerBefore = await ledgerOf(klingUser);
    const gets = klingStatusCalls();
    const forged = JSON.stringify({
      ...kling.view(task!),
      task_status: 'succeed',
      task_result: { videos: [{ id: 'x', url: 'http://127.0.0.1:9/forged.mp4', duration: '5' }] },
    });
    expect((await post(`/callbacks/kling?secret=${CALLBACK_SECRET}`, forged)).status).toBe(200);
    // The job was woken and asked Kling, which says the task is still in progress.
    await eventually(() => klingStatusCalls() > gets, 10_000, 'a Kling status request');
    await settle();
    const after = await generationOf(klingUser);
    expect(['submitted', 'running']).toContain(after.state);
    expect(after.resultUrl).toBeNull();
    expect(after.refundedAt).toBeNull();
    expect(await ledgerOf(klingUser)).toEqual(ledgerBefore);
    expect(tg.calls('sendVideo').filter((c) => Number(c.params.chat_id) === klingUser.chatId)).toHaveLength(0);
    expect(before.providerTaskId).toBe(task!.taskId);
    // Wrong secret: 401 and not even a status request.
    const gets2 = klingStatusCalls();
    expect((await post('/callbacks/kling?secret=nope-nope-nope', forged)).status).toBe(401);
    await settle();
    expect(klingStatusCalls()).toBe(gets2);

    // The real completion (Kling's own callback) is delivered.
    kling.completeTask(task!.taskId, { status: 'succeed' });
    await waitForVideo(klingUser, 15_000);
    await eventually(async () => (await generationOf(klingUser)).state === 'delivered', 10_000, 'delivered');
    expect((await generationOf(klingUser)).resultUrl).toBe(task!.videoUrl);
    expect(await ledgerOf(klingUser)).toEqual(['grant:100', 'charge:-35']);
  }, 60_000);

  it('the Telegram webhook refuses a missing or wrong secret', async () => {
    const user = tg.user({ languageCode: 'en' });
    const update = JSON.stringify({
      update_id: 990_000_001,
      message: {
        message_id: 1,
        date: Math.floor(Date.now() / 1000),
        chat: { id: user.id, type: 'private' },
        from: { id: user.id, is_bot: false, first_name: 'Eve' },
        text: '/balance',
        entities: [{ type: 'bot_command', offset: 0, length: 8 }],
      },
    });
    const sent = tg.calls('sendMessage').length;
    expect((await post('/telegram/webhook', update)).status).toBe(401);
    expect((await post('/telegram/webhook', update, { 'x-telegram-bot-api-secret-token': 'wrong-secret-0000' })).status).toBe(401);
    expect((await post('/telegram/webhook', update, { 'x-telegram-bot-api-secret-token': `${WEBHOOK_SECRET}x` })).status).toBe(401);
    await settle();
    expect(tg.calls('sendMessage').length).toBe(sent);
    expect(await prisma().user.findUnique({ where: { id: BigInt(user.id) } })).toBeNull();
  });

  it('a non-admin reaches no admin effect: every admin command is unknown, nothing changes, no audit row', async () => {
    const mallory = await userWithCredits(10);
    const generation = await generationOf(kieUser);
    const snapshot = async () => ({
      catalog: await prisma().catalogModel.findMany({ orderBy: { slug: 'asc' } }),
      ledger: await prisma().ledgerEntry.findMany({ orderBy: { id: 'asc' } }),
      users: (await prisma().user.findMany({ orderBy: { id: 'asc' } })).map((u) => ({ id: u.id, balance: u.balance, banned: u.banned, language: u.language })),
      generations: await prisma().generation.findMany({ orderBy: { id: 'asc' } }),
      payments: await prisma().payment.findMany(),
      broadcasts: await prisma().broadcast.count(),
      audit: await prisma().adminAuditLog.count(),
    });
    const before = await snapshot();
    const commands = [
      '/models',
      '/enable kling-text2video',
      '/disable kling-ai-avatar',
      '/price kling-ai-avatar 1 fixed',
      `/grant ${mallory.id} 1000`,
      `/user ${kieUser.id}`,
      `/refund ${generation.id}`,
      '/refundpayment some-charge-id',
      `/ban ${kieUser.id}`,
      `/unban ${kieUser.id}`,
      '/stats',
      '/broadcast hello everyone',
    ];
    for (const command of commands) {
      await mallory.sendCommand(command);
      expect((await mallory.waitForMessage({ timeoutMs: 10_000 })).text, command).toBe(UNKNOWN);
    }
    expect(await snapshot()).toEqual(before);
    expect(before.audit).toBe(0);
  }, 60_000);

  it('no secret in the logs or in provider traffic; the callback secret only in the callback URL', async () => {
    const token = tg.token;
    const tokenSecret = token.slice(token.indexOf(':') + 1);
    const secrets: Record<string, string> = {
      'bot token': token,
      "bot token's secret half": tokenSecret,
      'KIE key': kie.apiKey,
      'Kling secret key': kling.secretKey,
      'webhook secret': WEBHOOK_SECRET,
      'callback secret': CALLBACK_SECRET,
      'KIE HMAC key': HMAC_KEY,
    };
    // Logs of the whole run (debug level), every line.
    const logs = bot.logs.text();
    expect(bot.logs.lines.length).toBeGreaterThan(20);
    for (const [name, value] of Object.entries(secrets)) expect(logs.includes(value), `${name} in the logs`).toBe(false);

    // Provider traffic: the callback secret only as the callback URL of a create request.
    const kieCallbackUrl = `${base}/callbacks/kie?secret=${CALLBACK_SECRET}`;
    const klingCallbackUrl = `${base}/callbacks/kling?secret=${CALLBACK_SECRET}`;
    const kieTraffic = kie.requests.map((r) => ({
      where: `KIE ${r.method} ${r.path.split('?')[0]}`,
      head: `${r.path}\n${JSON.stringify(r.headers)}`,
      body: r.bodyText,
    }));
    const klingTraffic = kling.requests.map((r) => ({
      where: `Kling ${r.method} ${r.path.split('?')[0]}`,
      head: `${r.path}\n${JSON.stringify(r.headers)}`,
      body: r.body,
    }));
    expect(kieTraffic.length).toBeGreaterThan(3);
    expect(klingTraffic.length).toBeGreaterThan(1);
    let callbackUrlsSent = 0;
    for (const r of [...kieTraffic, ...klingTraffic]) {
      const isKie = r.where.startsWith('KIE');
      const url = isKie ? kieCallbackUrl : klingCallbackUrl;
      let body = r.body;
      if (body.includes(CALLBACK_SECRET)) {
        const parsed = JSON.parse(body) as { callBackUrl?: string; callback_url?: string };
        expect(isKie ? parsed.callBackUrl : parsed.callback_url, r.where).toBe(url);
        expect(body.split(CALLBACK_SECRET).length - 1, r.where).toBe(1);
        body = body.replace(JSON.stringify(url).slice(1, -1), '');
        callbackUrlsSent++;
      }
      for (const [name, value] of Object.entries(secrets)) {
        if (name === 'KIE key' && isKie) continue; // checked below: only as the bearer token
        expect(r.head.includes(value) || body.includes(value), `${name} sent to ${r.where}`).toBe(false);
      }
      if (isKie) {
        expect(body.includes(kie.apiKey), `KIE key in the body of ${r.where}`).toBe(false);
        expect(r.head.replace(`"authorization":"Bearer ${kie.apiKey}"`, '').includes(kie.apiKey), `KIE key outside Authorization (${r.where})`).toBe(false);
      }
    }
    expect(callbackUrlsSent).toBe(kie.count('createTask') + kling.requestsFor('create').length);

    // Nor did a provider secret go to Telegram (setWebhook carries the webhook secret by design).
    const telegram = JSON.stringify(
      tg
        .calls()
        .filter((c) => c.method.toLowerCase() !== 'setwebhook')
        .map((c) => c.params),
    );
    for (const name of ['KIE key', 'Kling secret key', 'callback secret', 'webhook secret', 'KIE HMAC key']) {
      expect(telegram.includes(secrets[name]!), `${name} sent to Telegram`).toBe(false);
    }
  });
});
