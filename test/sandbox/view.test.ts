/**
 * What the page shows of a chat, from the emulated Telegram's store: messages in order with
 * media, keyboards and edits, the reply keyboard, and a chat action for 5 s or until the bot
 * writes. Bot API calls go over HTTP to the emulated Telegram, as grammY's would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeTelegram } from '../../src/sandbox/telegram/index.js';
import { chatView, CHAT_ACTION_MS } from '../../src/sandbox/view.js';

describe('sandbox chat view', () => {
  let tg: FakeTelegram;
  const call = async (method: string, params: Record<string, unknown>) => {
    const res = await fetch(`${tg.apiRoot}/bot${tg.token}/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(params),
    });
    const body = (await res.json()) as { ok: boolean; result: { message_id: number } };
    expect(body.ok).toBe(true);
    return body.result;
  };
  beforeAll(async () => {
    tg = await FakeTelegram.start();
  });
  afterAll(() => tg.stop());

  it('shows messages, buttons, edits, the reply keyboard and chat actions as Telegram does', async () => {
    const user = tg.user({ firstName: 'Ann' });
    const bot = tg.bot().state;
    const seen = new Map<number, number>();
    const view = (now = Date.now()) => chatView(bot, bot.chats.get(user.chatId)!, (_chat, id) => seen.get(id), now);

    await user.sendCommand('/start');
    await call('sendChatAction', { chat_id: user.chatId, action: 'upload_video' });
    expect(view().action).toMatchObject({ action: 'upload_video', label: 'uploading video…' });
    expect(view(Date.now() + CHAT_ACTION_MS + 1).action).toBeUndefined();

    const sent = await call('sendMessage', {
      chat_id: user.chatId,
      text: '<b>Hello</b>, Ann',
      parse_mode: 'HTML',
      reply_markup: {
        inline_keyboard: [
          [
            { text: 'Go', callback_data: 'go' },
            { text: 'Site', url: 'https://example.com' },
          ],
        ],
      },
    });
    seen.set(sent.message_id, Date.now());
    // The bot wrote after its chat action: the action is over.
    expect(view().action).toBeUndefined();
    expect(view().messages[1]).toMatchObject({
      edited: false,
      buttons: [
        [
          { text: 'Go', data: 'go' },
          { text: 'Site', url: 'https://example.com' },
        ],
      ],
    });
    expect(view().messages[1]!.entities).toEqual([{ type: 'bold', offset: 0, length: 5 }]);
    await call('editMessageText', { chat_id: user.chatId, message_id: sent.message_id, text: 'Hello again' });
    await call('sendMessage', { chat_id: user.chatId, text: 'Pick one', reply_markup: { keyboard: [['A', 'B'], [{ text: 'C' }]], resize_keyboard: true } });

    const v = view();
    expect(v.messages.map((m) => [m.from, m.text])).toEqual([
      ['user', '/start'],
      ['bot', 'Hello again'],
      ['bot', 'Pick one'],
    ]);
    // An edit without reply_markup drops the inline keyboard, as in Telegram.
    expect(v.messages[1]).toMatchObject({ edited: true, buttons: [] });
    expect(v.replyKeyboard).toEqual([[{ text: 'A' }, { text: 'B' }], [{ text: 'C' }]]);
    expect(new Set(v.messages.map((m) => m.version)).size).toBe(3);
  });

  it('shows invoices and whether they were paid', async () => {
    const user = tg.user({ firstName: 'Bo' });
    const bot = tg.bot().state;
    const invoice = await call('sendInvoice', {
      chat_id: user.chatId,
      title: '100 credits',
      description: 'Credits',
      payload: 'p:1',
      currency: 'XTR',
      prices: [{ label: '100 credits', amount: 100 }],
    });
    const view = () => chatView(bot, bot.chats.get(user.chatId)!, () => undefined).messages.find((m) => m.id === invoice.message_id)!;
    expect(view().invoice).toEqual({ title: '100 credits', description: 'Credits', amount: 100, currency: 'XTR', paid: false });
    const paying = user.pay(invoice.message_id, { timeoutMs: 5_000 });
    // No bot polls here: answer the pre-checkout query directly.
    await expect.poll(() => bot.payments.preCheckouts.size).toBeGreaterThan(0);
    const pcq = [...bot.payments.preCheckouts.values()].at(-1)!;
    await call('answerPreCheckoutQuery', { pre_checkout_query_id: pcq.id, ok: true });
    expect((await paying).ok).toBe(true);
    expect(view().invoice!.paid).toBe(true);
    const service = chatView(bot, bot.chats.get(user.chatId)!, () => undefined).messages.at(-1)!;
    expect(service).toMatchObject({ from: 'user', service: 'You paid 100 ⭐ to Test Bot' });
  });
});
