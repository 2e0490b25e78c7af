import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeTelegram } from '../support/fake-telegram/index.js';
import { FakeKie } from '../support/fake-kie/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { botEnv, ROOT, spawnBot, startInProcessBot } from '../support/harness.js';

const media = (name: string) => readFileSync(path.join(ROOT, 'test/fixtures/media', name));

describe('webhook mode', () => {
  let tg: FakeTelegram;
  let db: TestDatabase;

  beforeAll(async () => {
    tg = await FakeTelegram.start({ webhookRetryBaseMs: 50 });
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await tg?.stop();
    await db?.cleanup();
  });

  it('registers the webhook, answers updates, and refuses a missing or wrong secret with 401', async () => {
    // The webhook URL must name the port the bot will listen on: pick a free one first.
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const secret = 'test-secret-0123456789';
    const bot = await startInProcessBot(
      botEnv({ tg }, db, { PORT: String(port), WEBHOOK_URL: `http://127.0.0.1:${port}/telegram/webhook`, WEBHOOK_SECRET: secret }),
    );
    try {
      expect(tg.webhookInfo()).toMatchObject({ url: `http://127.0.0.1:${port}/telegram/webhook` });
      const user = tg.user({ languageCode: 'en' });
      await user.sendCommand('/start');
      expect((await user.waitForMessage()).text).toContain('Hi, Test!');

      const update = JSON.stringify({
        update_id: 999_999,
        message: {
          message_id: 1,
          date: 1,
          chat: { id: user.id, type: 'private' },
          from: { id: user.id, is_bot: false, first_name: 'Eve' },
          text: '/balance',
          entities: [{ type: 'bot_command', offset: 0, length: 8 }],
        },
      });
      const post = (headers: Record<string, string>) =>
        fetch(`http://127.0.0.1:${port}/telegram/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: update });
      expect((await post({})).status).toBe(401);
      expect((await post({ 'x-telegram-bot-api-secret-token': 'wrong-secret-0000' })).status).toBe(401);
      const sentBefore = tg.calls('sendMessage').length;
      await new Promise((r) => setTimeout(r, 200));
      expect(tg.calls('sendMessage').length).toBe(sentBefore);
      // The right secret is accepted; the same update delivered again is handled once.
      expect((await post({ 'x-telegram-bot-api-secret-token': secret })).status).toBe(200);
      expect((await post({ 'x-telegram-bot-api-secret-token': secret })).status).toBe(200);
      expect(tg.calls('sendMessage').length).toBe(sentBefore + 1);

      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    } finally {
      await bot.stop();
    }
  });
});

describe('restarts', () => {
  let tg: FakeTelegram;
  let kie: FakeKie;
  let db: TestDatabase;

  beforeAll(async () => {
    [tg, kie, db] = await Promise.all([FakeTelegram.start(), FakeKie.start(), createTestDatabase()]);
  });
  afterAll(async () => {
    await Promise.all([tg?.stop(), kie?.stop()]);
    await db?.cleanup();
  });

  it('a conversation survives a bot restart (npm start from the same data directory)', async () => {
    const env = botEnv({ tg, kie }, db);
    const user = tg.user({ languageCode: 'en' });

    let bot = spawnBot(env);
    await bot.waitForOutput(/bot started/);
    await user.sendCommand('/lipsync');
    expect((await user.waitForMessage({ timeoutMs: 10_000 })).text).toContain('Send a photo');
    await user.sendPhoto(media('portrait.jpg'), { width: 512, height: 768 });
    await user.waitForMessage({ timeoutMs: 10_000 });
    expect((await user.waitForMessage({ timeoutMs: 10_000 })).text).toContain('Now send the speech');
    const { code } = await bot.kill('SIGTERM');
    expect(code).toBe(0);
    expect(bot.output()).toContain('"msg":"stopped"');

    bot = spawnBot(env);
    try {
      await bot.waitForOutput(/bot started/);
      await user.sendVoice(media('voice.ogg'), { duration: 3 });
      const choice = await user.waitForMessage({ timeoutMs: 10_000 });
      expect(choice.text).toContain('Choose the model (audio: 3 s)');
    } finally {
      await bot.kill('SIGTERM');
    }
  }, 60_000);

  it('a rejected token is one clear line', async () => {
    const env = botEnv({ tg }, db, { BOT_TOKEN: '111111:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
    const bot = spawnBot(env);
    const { code } = await bot.exited;
    expect(code).toBe(1);
    expect(bot.output()).toContain('Startup error: the Bot API rejected BOT_TOKEN (401 Unauthorized)');
  }, 30_000);
});
