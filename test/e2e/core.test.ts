import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeTelegram } from '../support/fake-telegram/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { botEnv, startInProcessBot, type InProcessBot } from '../support/harness.js';

describe('bot core through the fake Bot API', () => {
  let tg: FakeTelegram;
  let db: TestDatabase;
  let bot: InProcessBot;

  beforeAll(async () => {
    tg = await FakeTelegram.start();
    db = await createTestDatabase();
    // Provider keys (never called here): the menu shows a task only when a configured model serves it.
    bot = await startInProcessBot(
      botEnv({ tg }, db, {
        KIE_API_KEY: 'kie-test-key',
        KIE_API_BASE_URL: 'http://127.0.0.1:9',
        KLING_ACCESS_KEY: 'ak-test',
        KLING_SECRET_KEY: 'sk-test-secret',
        KLING_API_BASE_URL: 'http://127.0.0.1:9',
      }),
    );
  });
  afterEach(() => tg.reset?.());
  afterAll(async () => {
    await bot?.stop();
    await tg?.stop();
    await db?.cleanup();
  });

  it('greets in Russian with the balance and the menu', async () => {
    const user = tg.user({ firstName: 'Оля', languageCode: 'ru' });
    await user.sendCommand('/start');
    const reply = await user.waitForMessage();
    expect(reply.text).toContain('Привет, Оля!');
    expect(reply.text).toContain('Ваш баланс: 0 кредитов');
    const buttons = (reply.reply_markup as { inline_keyboard: { text: string }[][] }).inline_keyboard.flat().map((b) => b.text);
    expect(buttons).toEqual(
      expect.arrayContaining(['🗣 Говорящий аватар', '✍️ Видео по тексту', '🖼 Видео из картинки', '💰 Баланс', '⭐ Пополнить', '📜 История', '❓ Помощь']),
    );
    const row = await bot.app.db.prisma.user.findUnique({ where: { id: BigInt(user.id) } });
    expect(row?.firstName).toBe('Оля');
  });

  it('greets in English and creates the user on first contact', async () => {
    const user = tg.user({ firstName: 'Ann', languageCode: 'en' });
    await user.sendCommand('/start');
    const reply = await user.waitForMessage();
    expect(reply.text).toContain('Hi, Ann!');
    expect(reply.text).toContain('Your balance: 0 credits');
    expect((reply.reply_markup as { inline_keyboard: { text: string }[][] }).inline_keyboard.flat().map((b) => b.text)).toContain('🗣 Talking avatar');
  });

  it('shows the balance from the database', async () => {
    const user = tg.user({ languageCode: 'en' });
    await user.sendCommand('/start');
    await user.waitForMessage();
    await bot.app.db.prisma.user.update({ where: { id: BigInt(user.id) }, data: { balance: 42 } });
    await user.sendCommand('/balance');
    expect((await user.waitForMessage()).text).toContain('Your balance: 42 credits.');
  });

  it('answers /cancel with nothing to cancel', async () => {
    const user = tg.user({ languageCode: 'en' });
    await user.sendCommand('/cancel');
    expect((await user.waitForMessage()).text).toBe('There is nothing to cancel. Send /start to see the menu.');
  });

  it('switches the language with /language', async () => {
    const user = tg.user({ languageCode: 'en' });
    await user.sendCommand('/language');
    const menu = await user.waitForMessage();
    await user.tapButton(menu, 'Русский');
    const edited = await user.waitForEdit(menu.message_id);
    expect(edited.text).toBe('Готово — теперь говорю по-русски.');
    await user.sendCommand('/balance');
    expect((await user.waitForMessage()).text).toContain('Ваш баланс');
  });

  it('retries a 429 from the Bot API after retry_after', async () => {
    const user = tg.user({ languageCode: 'en' });
    tg.failNext('sendMessage', { code: 429, retryAfter: 1 });
    const started = Date.now();
    await user.sendCommand('/help');
    const reply = await user.waitForMessage({ timeoutMs: 8_000 });
    expect(reply.text).toContain('/lipsync');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const sends = tg.calls('sendMessage').filter((c) => Number((c.params as { chat_id: unknown }).chat_id) === user.id);
    expect(sends.map((c) => c.status)).toEqual([429, 200]);
  });

  it('answers unknown commands and sets the command lists per language', async () => {
    const user = tg.user({ languageCode: 'en' });
    await user.sendCommand('/frobnicate');
    expect((await user.waitForMessage()).text).toContain("I don't know that command");
    const ru = tg.bot().commands({ type: 'default' }, 'ru') as { command: string; description: string }[];
    expect(ru.find((c) => c.command === 'balance')?.description).toBe('Ваши кредиты');
    const en = tg.bot().commands({ type: 'default' }, '') as { command: string }[];
    expect(en.map((c) => c.command)).toContain('lipsync');
  });
});
