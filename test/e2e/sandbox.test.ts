/**
 * The sandbox without a browser: `npm start` with no BOT_TOKEN (and `--sandbox` with one) prints
 * exactly one line and serves the page; the page's API over HTTP (people, messages, files with
 * Range, Server-Sent Events); the provider panel's "rejected" and "never finishes" scripts end in
 * refunds. The bot inside is the real one (startApp) on its own PGlite in DATA_DIR/sandbox.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import http from 'node:http';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/start.js';
import { recordMove } from '../../src/domain/ledger.js';
import { ROOT, spawnBot } from '../support/harness.js';
import { orderLipsync } from '../support/drive.js';
import type { ChatView } from '../../src/sandbox/view.js';

const LINE = /^Sandbox: open http:\/\/127\.0\.0\.1:(\d+)\/$/;

/** Every text the user has seen in the chat, one message a line. */
const chatText = (user: { messages(): readonly object[] }) =>
  user
    .messages()
    .map((m) => String((m as { text?: unknown }).text ?? ''))
    .join('\n');

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'sandbox-'));
}

describe('npm start without a token', () => {
  it('starts the sandbox, prints exactly one line, serves the page and stops on SIGTERM', async () => {
    const dir = tempDir();
    try {
      const bot = spawnBot({ DATA_DIR: dir, PORT: '0' });
      await bot.waitForOutput(/Sandbox: open .*\/\n/, 150_000);
      const lines = bot.output().trim().split('\n');
      expect(lines).toHaveLength(1);
      const port = Number(LINE.exec(lines[0]!)?.[1]);
      expect(port).toBeGreaterThan(0);
      const page = await fetch(`http://127.0.0.1:${port}/`);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('aria-label="Messages"');
      expect(html).toContain('aria-label="Attach"');
      const state = (await (await fetch(`http://127.0.0.1:${port}/sandbox/api/state`)).json()) as { people: { admin: boolean }[] };
      expect(state.people.filter((p) => p.admin)).toHaveLength(1);
      expect(existsSync(path.join(dir, 'sandbox'))).toBe(true);
      const { code } = await bot.kill('SIGTERM');
      expect(code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it('in production (NODE_ENV=production) a missing token is still a one-line configuration error', async () => {
    const bot = spawnBot({ NODE_ENV: 'production' });
    const { code } = await bot.exited;
    expect(code).toBe(2);
    const lines = bot.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('BOT_TOKEN is not set. Create a bot with @BotFather');
  }, 60_000);

  it('npm run sandbox (--sandbox) ignores a real BOT_TOKEN and never calls Telegram', async () => {
    const dir = tempDir();
    try {
      const child = spawnBot(
        {
          DATA_DIR: dir,
          PORT: '0',
          BOT_TOKEN: '123456:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
          // Would fail the start if the sandbox used it.
          TELEGRAM_API_ROOT: 'http://127.0.0.1:9',
        },
        ['--sandbox'],
      );
      await child.waitForOutput(/Sandbox: open .*\/\n/, 150_000);
      expect(child.output().trim()).toMatch(LINE);
      const { code, signal } = await child.kill('SIGTERM');
      expect(`${code} ${signal}`, child.output()).toBe('0 null');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});

describe('the sandbox API and the provider panel', () => {
  let sandbox: Sandbox;
  let dir: string;
  let base: string;

  beforeAll(async () => {
    dir = tempDir();
    sandbox = await startSandbox({
      env: { DATA_DIR: dir, PORT: '0', POLLING_TIMEOUT_SECONDS: '1', POLL_INTERVAL_MS: '100', POLL_TIMEOUT_MS: '2000', SANDBOX_PROVIDER_DELAY_MS: '300' },
      logger: () => pino({ level: 'silent' }),
    });
    base = sandbox.url.replace(/\/$/, '');
  }, 60_000);

  afterAll(async () => {
    await sandbox?.stop(5_000);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const post = async (route: string, body: unknown) => {
    const res = await fetch(`${base}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const chat = async (userId: number) => ((await (await fetch(`${base}/sandbox/api/state?user=${userId}`)).json()) as { chat: ChatView }).chat;

  it('listens on loopback only, and the emulated providers are in use', () => {
    expect(sandbox.config.HOST).toBe('127.0.0.1');
    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(sandbox.providers.state()).toMatchObject({ kie: 'emulated', kling: 'emulated', next: 'succeed', delayMs: 300 });
    expect(sandbox.config.ADMIN_IDS).toEqual([1_000_001n]);
    expect(sandbox.config.DATA_DIR).toBe(path.join(dir, 'sandbox'));
  });

  it('creates people, rejects bad input with a clear error, and pushes changes over SSE', async () => {
    expect(await post('/sandbox/api/people', { name: ' ', language: 'en' })).toEqual({ status: 400, body: { error: 'name is empty' } });
    expect((await post('/sandbox/api/people', { name: 'Kim', language: 'de' })).status).toBe(400);
    const created = await post('/sandbox/api/people', { name: 'Kim', language: 'ru' });
    expect(created.status).toBe(200);
    const id = created.body.id as number;

    const events: string[] = [];
    const stream = http.get(`${base}/sandbox/api/events`, (res) => res.on('data', (chunk: Buffer) => events.push(chunk.toString())));
    try {
      // The stream is registered once its first line ("retry") is in.
      await expect.poll(() => events.join(''), { timeout: 10_000 }).toContain('retry:');
      expect((await post(`/sandbox/api/chats/${id}/text`, { text: '/start' })).status).toBe(200);
      const greeting = await sandbox.people.get(id)!.waitForMessage({ timeoutMs: 10_000 });
      expect(String(greeting.text)).toMatch(/Kim/);
      // Changes are sent debounced (25 ms), so the event may trail the bot's answer a little.
      await expect.poll(() => events.join(''), { timeout: 5_000 }).toContain('event: change');
    } finally {
      stream.destroy();
    }
    const view = await chat(id);
    expect(view.messages.map((m) => m.from)).toEqual(['user', 'bot']);
    expect(view.messages[0]!.text).toBe('/start');
    expect(view.messages[1]!.buttons.flat().length).toBeGreaterThan(0);
    expect((await post(`/sandbox/api/chats/${id}/text`, { text: '' })).body).toEqual({ error: 'the message is empty' });
    expect((await post('/sandbox/api/chats/42/text', { text: 'hi' })).status).toBe(404);
  }, 30_000);

  const newUser = async (name: string, credits: number) => {
    const { body } = await post('/sandbox/api/people', { name, language: 'en' });
    const user = sandbox.people.get(body.id as number)!;
    await user.sendCommand('/start');
    await user.waitForMessage({ timeoutMs: 10_000 });
    await recordMove(sandbox.app.db.prisma, { userId: BigInt(user.id), kind: 'grant', amount: credits, idempotencyKey: `grant:sandbox-test:${user.id}` });
    return user;
  };
  const balance = async (id: number) => (await sandbox.app.db.prisma.user.findUniqueOrThrow({ where: { id: BigInt(id) } })).balance;

  it('"is rejected": the next task is refused at submission and refunded; the one after succeeds', async () => {
    const user = await newUser('Rita', 100);
    expect((await post('/sandbox/api/provider', { next: 'reject' })).body).toMatchObject({ next: 'reject' });
    expect((await post('/sandbox/api/provider', { next: 'sometimes' })).status).toBe(400);
    await orderLipsync(user, 'Kling AI Avatar');
    await expect.poll(() => balance(user.id), { timeout: 15_000, interval: 100 }).toBe(100);
    await expect.poll(() => chatText(user), { timeout: 5_000 }).toMatch(/back on your balance/);
    await expect.poll(() => sandbox.providers.state().next, { timeout: 5_000 }).toBe('succeed');

    await orderLipsync(user, 'Kling AI Avatar');
    const video = await user.waitForMessage({ timeoutMs: 20_000, match: (m) => Boolean(m.video) });
    expect(await balance(user.id)).toBe(50);
    // The page gets the video's bytes from the bot's server, in ranges as <video> asks for them.
    const fileId = (video.video as { file_id: string }).file_id;
    const ranged = await fetch(`${base}/sandbox/api/files/${encodeURIComponent(fileId)}`, { headers: { range: 'bytes=0-99' } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-type')).toBe('video/mp4');
    expect(ranged.headers.get('content-range')).toMatch(/^bytes 0-99\/\d+$/);
    expect((await ranged.arrayBuffer()).byteLength).toBe(100);
    const view = await chat(user.id);
    expect(view.messages.at(-1)?.media).toMatchObject({ kind: 'video', url: `/sandbox/api/files/${encodeURIComponent(fileId)}` });
  }, 60_000);

  it('"never finishes": the task times out (POLL_TIMEOUT_MS) and is refunded', async () => {
    const user = await newUser('Nick', 100);
    await post('/sandbox/api/provider', { next: 'never' });
    const kie = sandbox.providers.kie!;
    const before = kie.tasks.size;
    await orderLipsync(user, 'Kling AI Avatar');
    await expect.poll(() => kie.tasks.size, { timeout: 10_000, interval: 50 }).toBe(before + 1);
    const task = [...kie.tasks.values()].at(-1)!;
    await expect.poll(() => balance(user.id), { timeout: 20_000, interval: 100 }).toBe(100);
    expect(task.state).toBe('generating');
    await expect.poll(() => chatText(user), { timeout: 5_000 }).toMatch(/did not finish in time/);
  }, 60_000);

  it("a user's edit never reaches the bot: it does not ask for edited_message (a quote or an input is not changed after the fact)", async () => {
    const { body } = await post('/sandbox/api/people', { name: 'Eda', language: 'en' });
    const user = sandbox.people.get(body.id as number)!;
    const sent = await user.sendText('hello');
    await expect.poll(() => sandbox.tg.bot().calls('getUpdates').length, { timeout: 10_000 }).toBeGreaterThan(0);
    const edit = sandbox.tg.bot().enqueueUpdate({ edited_message: { ...sent, text: 'hello again', edit_date: sent.date + 1 } });
    expect(edit).toBeUndefined();
  });

  it('uploads from the page become Telegram media: photo, voice, document', async () => {
    const { body } = await post('/sandbox/api/people', { name: 'Pia', language: 'en' });
    const id = body.id as number;
    const upload = (query: string, bytes: Buffer) => fetch(`${base}/sandbox/api/chats/${id}/file?${query}`, { method: 'POST', body: bytes });
    const { readFileSync } = await import('node:fs');
    const media = (name: string) => readFileSync(path.join(ROOT, 'test/fixtures/media', name));
    expect((await upload('kind=photo&name=portrait.jpg', media('portrait.jpg'))).status).toBe(200);
    expect((await upload('kind=voice&name=voice.ogg&mime=audio%2Fogg', media('voice.ogg'))).status).toBe(200);
    expect((await upload('kind=document&name=notes.txt&caption=hello', media('not-media.txt'))).status).toBe(200);
    expect((await upload('kind=sticker&name=x', media('small.jpg'))).status).toBe(400);
    const mine = (await chat(id)).messages.filter((m) => m.from === 'user');
    expect(mine.map((m) => m.media?.kind)).toEqual(['photo', 'voice', 'document']);
    expect(mine[0]!.media).toMatchObject({ width: 512, height: 768 });
    expect(mine[1]!.media!.duration).toBeGreaterThanOrEqual(1);
    expect(mine[2]).toMatchObject({ text: 'hello', media: { fileName: 'notes.txt' } });
  }, 30_000);
  it('Stars subscriptions: a default plan, the invoice link paid from the page, "Next month" renews once per period, cancel from /subscription', async () => {
    expect(sandbox.config.SUBSCRIPTION_PLANS.map((p) => `${p.credits}:${p.stars}`)).toEqual(['600:500', '1500:1100']);
    const { body } = await post('/sandbox/api/people', { name: 'Sue', language: 'en' });
    const id = body.id as number;
    const user = sandbox.people.get(id)!;
    await post(`/sandbox/api/chats/${id}/text`, { text: '/start' });
    await user.waitForMessage({ timeoutMs: 10_000 });
    const start = await balance(id);

    await post(`/sandbox/api/chats/${id}/text`, { text: '/subscribe' });
    const offer = await user.waitForMessage({ timeoutMs: 10_000, match: /Monthly subscription/ });
    const planButton = (await chat(id)).messages.find((m) => m.id === offer.message_id)!.buttons.flat()[0]!;
    expect(planButton.text).toMatch(/^600 credits a month/);
    expect((await post(`/sandbox/api/chats/${id}/tap`, { messageId: offer.message_id, data: planButton.data })).body).toMatchObject({ ok: true });
    const linkMessage = await user.waitForMessage({ timeoutMs: 10_000, match: /Subscription:/ });
    // The link button is a payable item on the page: what, how much, how often.
    const linkButton = (await chat(id)).messages.find((m) => m.id === linkMessage.message_id)!.buttons.flat()[0]!;
    expect(linkButton.url).toMatch(/^https:\/\/t\.me\/\$/);
    expect(linkButton.link).toMatchObject({ title: '600 credits a month', amount: 500, currency: 'XTR', period: 2_592_000, paid: false });

    expect((await post(`/sandbox/api/chats/${id}/pay-link`, { url: 'https://example.com/x' })).status).toBe(400);
    expect((await post(`/sandbox/api/chats/${id}/pay-link`, { url: 'https://t.me/$unknownlink' })).status).toBe(409);
    const paid = await post(`/sandbox/api/chats/${id}/pay-link`, { url: linkButton.url });
    expect(paid.body).toMatchObject({ ok: true, chargeId: expect.any(String) });
    await user.waitForMessage({ timeoutMs: 10_000, match: /Subscription started: \+600 credits/ });
    expect(await balance(id)).toBe(start + 600);
    let view = await chat(id);
    expect(view.messages.find((m) => m.id === linkMessage.message_id)!.buttons.flat()[0]!.link?.paid).toBe(true);
    expect(view.messages.some((m) => m.service === 'You subscribed to Video Bot for 500 ⭐ a month')).toBe(true);
    const state = async () =>
      ((await (await fetch(`${base}/sandbox/api/state?user=${id}`)).json()) as { subscriptions: { state: string; payments: number }[] }).subscriptions;
    expect(await state()).toMatchObject([{ title: '600 credits a month', amount: 500, state: 'active', payments: 1 }]);

    // A month passes: one renewal with a new charge id, credited once.
    const next = await post('/sandbox/api/next-month', {});
    const mine = (next.body.renewals as { userId: number; chargeId: string }[]).filter((r) => r.userId === id);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.chargeId).not.toBe(paid.body.chargeId);
    await user.waitForMessage({ timeoutMs: 10_000, match: /Subscription renewed: \+600 credits/ });
    expect(await balance(id)).toBe(start + 1200);
    const moves = await sandbox.app.db.prisma.ledgerEntry.findMany({ where: { userId: BigInt(id), kind: 'topup' } });
    expect(moves.map((m) => m.idempotencyKey).sort()).toEqual([`topup:${mine[0]!.chargeId}`, `topup:${String(paid.body.chargeId)}`].sort());
    view = await chat(id);
    expect(view.messages.filter((m) => m.service === 'Subscription renewed: you paid 500 ⭐ to Video Bot')).toHaveLength(1);
    expect(await state()).toMatchObject([{ state: 'active', payments: 2 }]);

    // Cancelled from /subscription: the next month brings no renewal.
    await post(`/sandbox/api/chats/${id}/text`, { text: '/subscription' });
    const card = await user.waitForMessage({ timeoutMs: 10_000, match: /Renews on/ });
    const cancel = (await chat(id)).messages.find((m) => m.id === card.message_id)!.buttons.flat()[0]!;
    expect(cancel.text).toBe('Cancel subscription');
    await post(`/sandbox/api/chats/${id}/tap`, { messageId: card.message_id, data: cancel.data });
    await user.waitForEdit(card.message_id, { timeoutMs: 10_000, match: /cancelled/ });
    expect(await state()).toMatchObject([{ state: 'canceled' }]);
    const after = await post('/sandbox/api/next-month', {});
    expect((after.body.renewals as { userId: number }[]).filter((r) => r.userId === id)).toHaveLength(0);
    expect(await state()).toMatchObject([{ state: 'ended', payments: 2 }]);
    expect(await balance(id)).toBe(start + 1200);
  }, 60_000);
});

describe('the sandbox with real provider keys', () => {
  it('uses the providers the keys are for and emulates only Telegram', async () => {
    const { FakeKie } = await import('../../src/sandbox/kie/index.js');
    // Stands in for the real KIE: the sandbox must send the generation there, with this key.
    const realKie = await FakeKie.start({ stepMs: 100, pollsPerStep: 0 });
    const dir = tempDir();
    const sandbox = await startSandbox({
      env: {
        DATA_DIR: dir,
        PORT: '0',
        POLLING_TIMEOUT_SECONDS: '1',
        POLL_INTERVAL_MS: '100',
        KIE_API_KEY: realKie.apiKey,
        KIE_API_BASE_URL: realKie.apiBaseUrl,
        KIE_UPLOAD_BASE_URL: realKie.uploadBaseUrl,
      },
      logger: () => pino({ level: 'silent' }),
    });
    try {
      expect(sandbox.providers.state()).toMatchObject({ kie: 'real', kling: 'off' });
      expect(sandbox.providers.kie).toBeUndefined();
      expect(sandbox.config.kie).toMatchObject({ apiKey: realKie.apiKey, apiBaseUrl: realKie.apiBaseUrl });
      expect(sandbox.config.kling).toBeUndefined();
      const admin = sandbox.people.get(1_000_001)!;
      await admin.sendCommand('/start');
      await admin.waitForMessage({ timeoutMs: 10_000 });
      await recordMove(sandbox.app.db.prisma, { userId: BigInt(admin.id), kind: 'grant', amount: 100, idempotencyKey: 'grant:sandbox-real' });
      await orderLipsync(admin, 'Kling AI Avatar');
      await admin.waitForMessage({ timeoutMs: 20_000, match: (m) => Boolean(m.video) });
      expect(realKie.tasks.size).toBe(1);
      // The panel cannot script real providers.
      sandbox.providers.setNext('fail');
      expect(sandbox.providers.state().next).toBe('succeed');
    } finally {
      await sandbox.stop(5_000);
      await realKie.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
