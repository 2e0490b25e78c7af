import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { autoRetry } from '@grammyjs/auto-retry';
import { Bot, GrammyError, HttpError, InlineKeyboard, InputFile, webhookCallback } from 'grammy';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeTelegram } from '../support/fake-telegram/index.js';

let tg: FakeTelegram;
const bots: Bot[] = [];

function makeBot(token = tg.token): Bot {
  const bot = new Bot(token, { client: { apiRoot: tg.apiRoot } });
  bot.catch((err) => {
    throw err.error;
  });
  bots.push(bot);
  return bot;
}

/** Start long polling with a short timeout; resolves once polling is running. */
async function startPolling(bot: Bot): Promise<{ done: Promise<void> }> {
  let running!: () => void;
  const started = new Promise<void>((r) => (running = r));
  const done = bot.start({ timeout: 1, onStart: () => running() });
  done.catch(() => undefined);
  await started;
  return { done };
}

async function api(path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(`${tg.apiRoot}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

async function rejection(p: Promise<unknown>): Promise<GrammyError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GrammyError);
  return err as GrammyError;
}

beforeEach(async () => {
  tg = await FakeTelegram.start({ webhookRetryBaseMs: 20, webhookRetryMaxMs: 100, longPollMaxMs: 2000 });
});

afterEach(async () => {
  await Promise.all(bots.splice(0).map((b) => (b.isRunning() ? b.stop().catch(() => undefined) : undefined)));
  await tg.stop();
});

describe('FakeTelegram wire protocol', () => {
  it('answers with Bot API envelopes and literal errors', { timeout: 5000 }, async () => {
    const me = await api(`/bot${tg.token}/GETME`);
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({ ok: true, result: { is_bot: true, username: 'fake_test_bot' } });
    expect((await api(`/bot${tg.token}/test/getMe`)).status).toBe(200);

    expect(await api('/bot123:nope/getMe')).toMatchObject({ status: 401, json: { ok: false, error_code: 401, description: 'Unauthorized' } });
    expect(await api(`/bot${tg.token}/noSuchMethod`)).toMatchObject({ status: 404, json: { description: 'Not Found' } });

    const u = tg.user({ firstName: 'Ann', languageCode: 'ru' });
    const empty = await api(`/bot${tg.token}/sendMessage`, { chat_id: u.id, text: '  ' });
    expect(empty).toMatchObject({ status: 400, json: { description: 'Bad Request: message text is empty' } });
    const long = await api(`/bot${tg.token}/sendMessage?chat_id=${u.id}&text=${'x'.repeat(4097)}`);
    expect(long.json.description).toBe('Bad Request: message is too long');
    expect((await api(`/bot${tg.token}/sendMessage`, { chat_id: 42, text: 'hi' })).json.description).toBe('Bad Request: chat not found');

    // urlencoded with a JSON-string reply_markup and HTML parse mode
    const form = new URLSearchParams({
      chat_id: String(u.id),
      text: '<b>Hi</b> &amp; bye',
      parse_mode: 'HTML',
      reply_markup: JSON.stringify({ inline_keyboard: [[{ text: 'A', callback_data: 'a' }]] }),
    });
    const sent = (await (await fetch(`${tg.apiRoot}/bot${tg.token}/sendMessage`, { method: 'POST', body: form })).json()) as {
      result: Record<string, unknown>;
    };
    expect(sent.result).toMatchObject({
      message_id: 1,
      text: 'Hi & bye',
      entities: [{ type: 'bold', offset: 0, length: 2 }],
      from: { is_bot: true },
      chat: { id: u.id, type: 'private', first_name: 'Ann' },
      reply_markup: { inline_keyboard: [[{ text: 'A', callback_data: 'a' }]] },
    });
    expect(sent.result.date).toBeLessThan(Date.now() / 1000 + 1);

    u.blockBot();
    expect((await api(`/bot${tg.token}/sendMessage`, { chat_id: u.id, text: 'hi' })).json).toMatchObject({
      error_code: 403,
      description: 'Forbidden: bot was blocked by the user',
    });
    u.unblockBot();

    tg.failNext('sendMessage', { code: 429, retryAfter: 7 });
    const limited = await api(`/bot${tg.token}/sendMessage`, { chat_id: u.id, text: 'hi' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.json).toEqual({ ok: false, error_code: 429, description: 'Too Many Requests: retry after 7', parameters: { retry_after: 7 } });

    const bot = makeBot();
    tg.failNext('*', { drop: true });
    await expect(bot.api.getMe()).rejects.toBeInstanceOf(HttpError);
  });
});

describe('FakeTelegram update queue', () => {
  it('getUpdates: offsets, limit, sticky allowed_updates, aborted polls confirm nothing', { timeout: 5000 }, async () => {
    const u = tg.user();
    for (const t of ['a', 'b', 'c']) await u.sendText(t);
    const all = (await api(`/bot${tg.token}/getUpdates`)).json.result as { update_id: number; message: { text: string } }[];
    expect(all.map((x) => x.message.text)).toEqual(['a', 'b', 'c']);
    expect(all[1]!.update_id).toBe(all[0]!.update_id + 1);
    const limited = (await api(`/bot${tg.token}/getUpdates?limit=1&offset=${all[1]!.update_id}`)).json.result as unknown[];
    expect(limited).toHaveLength(1);
    expect(tg.bot().pendingUpdates()).toHaveLength(2);
    await api(`/bot${tg.token}/getUpdates?offset=-1`);
    expect(
      tg
        .bot()
        .pendingUpdates()
        .map((x) => (x.message as { text: string }).text),
    ).toEqual(['c']);
    await api(`/bot${tg.token}/getUpdates`, { offset: all[2]!.update_id + 1, allowed_updates: ['callback_query'] });

    // aborted long poll: the update that arrives later stays queued
    const ac = new AbortController();
    const held = fetch(`${tg.apiRoot}/bot${tg.token}/getUpdates?timeout=5`, { signal: ac.signal }).catch(() => 'aborted');
    await tg.signal.until(
      () => (tg.calls('getUpdates').some((c) => c.status === 0) ? true : undefined),
      2000,
      () => new Error('no held poll'),
    );
    ac.abort();
    expect(await held).toBe('aborted');
    await new Promise((r) => setTimeout(r, 50));
    await u.sendText('filtered out'); // allowed_updates is sticky: messages are no longer queued
    expect(tg.bot().pendingUpdates()).toHaveLength(0);
    const menu = await (async () => {
      await api(`/bot${tg.token}/sendMessage`, { chat_id: u.id, text: 'm', reply_markup: { inline_keyboard: [[{ text: 'Go', callback_data: 'go' }]] } });
      return u.lastMessage()!;
    })();
    const cb = await u.tapButton(menu, 'go');
    const got = (await api(`/bot${tg.token}/getUpdates?timeout=1`)).json.result as { callback_query: { id: string; data: string } }[];
    expect(got.map((x) => x.callback_query)).toMatchObject([{ id: cb.id, data: 'go' }]);
  });

  it('webhook deliveries are sequential per chat and parallel across chats', { timeout: 5000 }, async () => {
    const log: string[] = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const upd = JSON.parse(Buffer.concat(chunks).toString()) as { message: { text: string } };
        log.push(`start ${upd.message.text}`);
        setTimeout(() => {
          log.push(`end ${upd.message.text}`);
          res.writeHead(200, { 'content-type': 'application/json' });
          // webhook reply: executed by the fake
          res.end(upd.message.text === 'b1' ? JSON.stringify({ method: 'sendMessage', chat_id: 0, text: 'x' }) : '');
        }, 60);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      await makeBot().api.setWebhook(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const a = tg.user();
      const b = tg.user();
      await a.sendText('a1');
      await a.sendText('a2');
      await b.sendText('b1');
      await tg.signal.until(
        () => (log.length === 6 ? true : undefined),
        3000,
        () => new Error(log.join(',')),
      );
      expect(log.indexOf('start a2')).toBeGreaterThan(log.indexOf('end a1'));
      expect(log.indexOf('start b1')).toBeLessThan(log.indexOf('end a1'));
      await tg.waitForCall((c) => c.viaWebhookReply === true);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('rejects uploads over 50 MB with 413', { timeout: 8000 }, async () => {
    const bot = makeBot();
    const u = tg.user();
    const err = await rejection(bot.api.sendDocument(u.id, new InputFile(Buffer.alloc(50 * 1024 * 1024 + 300 * 1024), 'huge.bin')));
    expect(err.error_code).toBe(413);
    expect(err.description).toBe('Request Entity Too Large');
  });
});

describe('FakeTelegram with real grammY', () => {
  it('long polling round trip with start/stop', { timeout: 8000 }, async () => {
    const bot = makeBot();
    bot.command('start', (ctx) => ctx.reply(`hello ${ctx.match || 'anon'}`));
    bot.on('message:text', (ctx) => ctx.reply(`echo: ${ctx.message.text}`));
    const { done } = await startPolling(bot);

    const u = tg.user({ firstName: 'Bob' });
    await u.sendCommand('/start ref42');
    expect((await u.waitForMessage()).text).toBe('hello ref42');
    await u.sendText('ping');
    const echo = await u.waitForMessage({ match: /^echo/ });
    expect(echo).toMatchObject({ text: 'echo: ping', chat: { id: u.id } });
    expect(u.messages().map((m) => m.text)).toEqual(['hello ref42', 'echo: ping']);

    await bot.stop();
    await done;
    expect(tg.calls('deleteWebhook')).toHaveLength(1);
    const polls = tg.calls('getUpdates');
    expect(polls[0]!.params).toMatchObject({ timeout: 1 });
    expect(tg.bot().pendingUpdates()).toHaveLength(0); // confirmed by the final offset call

    // Redelivery: the same update (same update_id) comes back.
    const seen: number[] = [];
    const bot2 = makeBot();
    bot2.on('message', (ctx) => {
      seen.push(ctx.update.update_id);
    });
    await u.sendText('once');
    const again = await u.resendLastUpdate();
    const { done: done2 } = await startPolling(bot2);
    await tg.signal.until(
      () => (seen.length >= 2 ? true : undefined),
      3000,
      () => new Error(`seen ${seen.join(',')}`),
    );
    expect(seen).toEqual([again.update_id, again.update_id]);
    await bot2.stop();
    await done2;
  });

  it('inline keyboard, tapButton, answerCallbackQuery and edits', { timeout: 8000 }, async () => {
    const bot = makeBot();
    bot.command('menu', (ctx) => ctx.reply('Pick one', { reply_markup: new InlineKeyboard().text('Red', 'color:red').text('Blue', 'color:blue') }));
    bot.callbackQuery(/^color:(.+)$/, async (ctx) => {
      await ctx.answerCallbackQuery({ text: `You chose ${ctx.match[1]}` });
      await ctx.editMessageText(`Chosen: ${ctx.match[1]}`);
    });
    await startPolling(bot);

    const u = tg.user();
    await u.sendCommand('/menu');
    const menu = await u.waitForMessage({ match: 'Pick one' });
    const cb = await u.tapButton(menu, 'Blue');
    expect(await tg.waitForCallbackAnswer(cb.id)).toMatchObject({ text: 'You chose blue' });
    const edited = await u.waitForEdit(menu.message_id);
    expect(edited.text).toBe('Chosen: blue');
    expect(edited.reply_markup).toBeUndefined();
    expect(u.lastMessage()?.text).toBe('Chosen: blue');

    // identical edit and double answer are rejected like Telegram does
    const notModified = await rejection(bot.api.editMessageText(u.id, menu.message_id, 'Chosen: blue'));
    expect(notModified.description).toMatch(/^Bad Request: message is not modified/);
    const twice = await rejection(bot.api.answerCallbackQuery(cb.id));
    expect(twice.error_code).toBe(400);
    await expect(u.tapButton(edited, 'Red')).rejects.toThrow(/no inline button/);

    await bot.api.sendChatAction(u.id, 'typing');
    expect(tg.chatActions(u.id)).toEqual([{ action: 'typing', at: expect.any(Number) }]);
  });

  it('multipart sendVideo upload, getFile and download', { timeout: 8000 }, async () => {
    const bot = makeBot();
    const u = tg.user();
    const bytes = Buffer.alloc(300_000, 7);
    bytes.write('fake mp4 payload', 0);
    const msg = await bot.api.sendVideo(u.id, new InputFile(bytes, 'clip one.mp4'), {
      duration: 5,
      width: 1280,
      height: 720,
      caption: 'Your video',
      supports_streaming: true,
    });
    expect(msg.video).toMatchObject({ duration: 5, width: 1280, height: 720, mime_type: 'video/mp4', file_name: 'clip one.mp4', file_size: bytes.length });
    expect(msg.caption).toBe('Your video');
    const call = tg.calls('sendVideo')[0]!;
    expect(call.params).toMatchObject({ chat_id: u.id, duration: 5, supports_streaming: true });

    const file = await bot.api.getFile(msg.video!.file_id);
    expect(file.file_path).toMatch(/^videos\/file_\d+\.mp4$/);
    const res = await fetch(`${tg.apiRoot}/file/bot${tg.token}/${file.file_path}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(bytes.length));
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    expect(tg.files.get(msg.video!.file_id)?.equals(bytes)).toBe(true);

    // re-send by file_id reuses the stored file
    const again = await bot.api.sendVideo(u.id, msg.video!.file_id);
    expect(again.video?.file_unique_id).toBe(msg.video!.file_unique_id);
    expect(again.message_id).toBe(msg.message_id + 1);

    const photo = await bot.api.sendPhoto(u.id, new InputFile(Buffer.from('not really a jpeg')));
    expect(photo.photo!.length).toBeGreaterThanOrEqual(2);
    expect(photo.photo!.at(-1)!.width).toBeGreaterThan(photo.photo![0]!.width);
    expect((await bot.api.getFile(photo.photo!.at(-1)!.file_id)).file_path).toMatch(/^photos\/file_\d+\.jpg$/);
  });

  it('getFile refuses files over 20 MB and unknown ids', { timeout: 8000 }, async () => {
    const bot = makeBot();
    const u = tg.user();
    const big = await u.sendDocument(Buffer.alloc(20 * 1024 * 1024 + 1), { fileName: 'big.bin' });
    const voice = await u.sendVoice(Buffer.from('OggS'), { duration: 3 });
    const tooBig = await rejection(bot.api.getFile((big.document as { file_id: string }).file_id));
    expect(tooBig.description).toBe('Bad Request: file is too big');
    const bad = await rejection(bot.api.getFile('nope'));
    expect(bad.description).toBe('Bad Request: wrong file_id or the file is temporarily unavailable');
    const v = await bot.api.getFile((voice.voice as { file_id: string }).file_id);
    expect(v.file_path).toMatch(/^voice\/file_\d+\.oga$/);
    expect(voice.voice).toMatchObject({ duration: 3, mime_type: 'audio/ogg' });
  });

  it('a second poller terminates the first with 409', { timeout: 8000 }, async () => {
    const first = makeBot();
    const { done } = await startPolling(first);
    await tg.signal.until(
      () => (tg.calls('getUpdates').length > 0 ? true : undefined),
      2000,
      () => new Error('no poll'),
    );
    const second = makeBot();
    await second.api.getUpdates({ timeout: 0 });
    const err = await rejection(done);
    expect(err.error_code).toBe(409);
    expect(err.description).toBe('Conflict: terminated by other getUpdates request; make sure that only one bot instance is running');
  });

  it('webhook delivery with secret header, retries and getWebhookInfo', { timeout: 8000 }, async () => {
    const bot = makeBot();
    bot.on('message:text', (ctx) => ctx.reply(`got ${ctx.message.text}`));
    const handle = webhookCallback(bot, 'http', { secretToken: 's3cret_T0ken' });
    const seenSecrets: (string | undefined)[] = [];
    let failFirst = true;
    const server = http.createServer((req, res) => {
      seenSecrets.push(req.headers['x-telegram-bot-api-secret-token'] as string | undefined);
      if (failFirst) {
        failFirst = false;
        req.resume();
        res.writeHead(500).end();
        return;
      }
      void handle(req, res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      const badSecret = await rejection(bot.api.setWebhook(url, { secret_token: 'bad secret!' }));
      expect(badSecret.description).toBe('Bad Request: secret token contains unallowed characters');
      await bot.api.setWebhook(url, { secret_token: 's3cret_T0ken' });
      const conflict = await rejection(bot.api.getUpdates());
      expect(conflict.error_code).toBe(409);

      const u = tg.user();
      await u.sendText('hook');
      expect((await u.waitForMessage({ timeoutMs: 3000 })).text).toBe('got hook');
      expect(seenSecrets).toEqual(['s3cret_T0ken', 's3cret_T0ken']);
      const info = await bot.api.getWebhookInfo();
      expect(info).toMatchObject({ url, pending_update_count: 0, last_error_message: 'Wrong response from the webhook: 500 Internal Server Error' });
      expect(
        tg
          .bot()
          .webhookDeliveries()
          .map((d) => d.status),
      ).toEqual([500, 200]);

      await bot.api.deleteWebhook();
      expect(tg.webhookInfo().url).toBe('');
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('429 injection is retried by @grammyjs/auto-retry', { timeout: 8000 }, async () => {
    const bot = makeBot();
    bot.api.config.use(autoRetry());
    const u = tg.user();
    tg.failNext('sendMessage', { code: 429, retryAfter: 1 });
    const t0 = Date.now();
    const msg = await bot.api.sendMessage(u.id, 'after flood');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(msg.text).toBe('after flood');
    expect(tg.calls('sendMessage').map((c) => c.status)).toEqual([429, 200]);
    expect(u.messages()).toHaveLength(1);
  });

  it('Stars invoice, pre-checkout, successful_payment and refunds', { timeout: 8000 }, async () => {
    const bot = makeBot();
    bot.command('buy', (ctx) => ctx.replyWithInvoice('100 credits', 'Credits for videos', 'pack:100', 'XTR', [{ label: '100 credits', amount: 50 }]));
    bot.on('pre_checkout_query', (ctx) =>
      ctx.preCheckoutQuery.invoice_payload === 'pack:100' ? ctx.answerPreCheckoutQuery(true) : ctx.answerPreCheckoutQuery(false, 'Unknown item'),
    );
    bot.on('message:successful_payment', (ctx) => ctx.reply(`paid ${ctx.message.successful_payment.total_amount}`));
    await startPolling(bot);

    const u = tg.user();
    const invalid = await rejection(
      bot.api.sendInvoice(u.id, 't', 'd', 'p', 'XTR', [
        { label: 'a', amount: 1 },
        { label: 'b', amount: 2 },
      ]),
    );
    expect(invalid.error_code).toBe(400);

    await u.sendCommand('/buy');
    const invoice = await u.waitForMessage({ match: (m) => 'invoice' in m });
    expect(invoice.invoice).toMatchObject({ title: '100 credits', currency: 'XTR', total_amount: 50 });
    const paid = await u.pay(invoice);
    if (!paid.ok) throw new Error(`payment failed: ${paid.errorMessage}`);
    expect((await u.waitForMessage({ match: /^paid/ })).text).toBe('paid 50');
    expect(paid.message.successful_payment).toMatchObject({ invoice_payload: 'pack:100', telegram_payment_charge_id: paid.chargeId });

    expect(await bot.api.refundStarPayment(u.id, paid.chargeId)).toBe(true);
    const second = await rejection(bot.api.refundStarPayment(u.id, paid.chargeId));
    expect(second.description).toBe('Bad Request: CHARGE_ALREADY_REFUNDED');
    const unknown = await rejection(bot.api.refundStarPayment(u.id, 'nope'));
    expect(unknown.description).toBe('Bad Request: CHARGE_NOT_FOUND');
    const tx = await bot.api.getStarTransactions();
    expect(tx.transactions.map((t) => [t.id, t.amount, 'source' in t ? 'in' : 'out'])).toEqual([
      [paid.chargeId, 50, 'in'],
      [paid.chargeId, 50, 'out'],
    ]);
  });
});
