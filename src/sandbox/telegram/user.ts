/** A simulated Telegram user talking to one bot in a private chat (test-side control API). */
import { createHash } from 'node:crypto';
import { mediaObject, photoSizes } from './files.js';
import type { CallRecord } from './server.js';
import type { BotState, ChatRecord, Message, UserInfo } from './store.js';
import type { Update } from './updates.js';
import type { ChangeSignal } from './wait.js';

export type Match = string | RegExp | ((m: Message) => boolean);

export interface WaitOptions {
  match?: Match;
  timeoutMs?: number;
}

export type PayResult =
  { ok: true; chargeId: string; message: Message; updateId: number | undefined } | { ok: false; errorMessage: string | undefined; timedOut: boolean };

export interface UserContext {
  bot: BotState;
  signal: ChangeSignal;
  calls: () => CallRecord[];
  preCheckoutTimeoutMs: number;
}

type Bytes = Buffer | Uint8Array;
const toBuffer = (b: Bytes): Buffer => (Buffer.isBuffer(b) ? b : Buffer.from(b));

/** Text or caption of a message (for matching and error output). */
export function messageText(m: Message): string {
  return (typeof m.text === 'string' ? m.text : typeof m.caption === 'string' ? m.caption : '') as string;
}

function describe(m: Message): string {
  const kinds = ['photo', 'video', 'document', 'audio', 'voice', 'animation', 'video_note', 'sticker', 'invoice'].filter((k) => k in m);
  const kb = (m.reply_markup as { inline_keyboard?: { text: string }[][] } | undefined)?.inline_keyboard;
  const buttons = kb
    ? ` buttons=[${kb
        .flat()
        .map((b) => b.text)
        .join(' | ')}]`
    : '';
  const text = messageText(m);
  return `#${m.message_id}${kinds.length ? ` [${kinds.join(',')}]` : ''} ${JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text)}${buttons}`;
}

export function matches(m: Message, match: Match | undefined): boolean {
  if (match === undefined) return true;
  if (typeof match === 'function') return match(m);
  const text = messageText(m);
  return typeof match === 'string' ? text.includes(match) : match.test(text);
}

export class FakeUser {
  readonly info: UserInfo;
  private lastUpdateId: number | undefined;
  private messageCursor = 0;
  private editCursor = 0;

  constructor(
    private readonly ctx: UserContext,
    info: UserInfo,
    started = true,
  ) {
    this.info = info;
    ctx.bot.privateChat(info, started);
  }

  get id(): number {
    return this.info.id;
  }

  /** Private chat id (= user id). */
  get chatId(): number {
    return this.info.id;
  }

  private get rec(): ChatRecord {
    return this.ctx.bot.privateChat(this.info);
  }

  private push(raw: Record<string, unknown>): Update | undefined {
    const u = this.ctx.bot.updates.push(raw);
    if (u) this.lastUpdateId = u.update_id;
    return u;
  }

  // ---------------------------------------------------------------- sending
  /** Send a message with arbitrary extra fields (contact, location, ...). Returns the user's Message. */
  async send(fields: Record<string, unknown>, opts: { replyTo?: number | Message } = {}): Promise<Message> {
    const rec = this.rec;
    rec.started = true;
    if (rec.blocked) this.unblockBot();
    const extra: Record<string, unknown> = {};
    if (opts.replyTo !== undefined) {
      const id = typeof opts.replyTo === 'number' ? opts.replyTo : opts.replyTo.message_id;
      const target = rec.messages.get(id);
      if (target) {
        const { reply_to_message: _n, ...flat } = target;
        extra.reply_to_message = structuredClone(flat);
      }
    }
    const msg = this.ctx.bot.addMessage(rec, this.info, { ...extra, ...fields });
    this.push({ message: structuredClone(msg) });
    return structuredClone(msg);
  }

  sendText(text: string, opts: { replyTo?: number | Message; entities?: unknown[] } = {}): Promise<Message> {
    return this.send({ text, ...(opts.entities ? { entities: opts.entities } : {}) }, opts);
  }

  /** "/start", "/start payload" or "/cmd@botname args": adds the bot_command entity. */
  sendCommand(command: string): Promise<Message> {
    const text = command.startsWith('/') ? command : `/${command}`;
    const length = text.split(/\s/, 1)[0]!.length;
    return this.send({ text, entities: [{ type: 'bot_command', offset: 0, length }] });
  }

  sendPhoto(bytes: Bytes, opts: { width: number; height: number; caption?: string }): Promise<Message> {
    const group = this.ctx.bot.files.addPhoto(toBuffer(bytes), opts.width, opts.height);
    return this.send({ photo: photoSizes(group.at(-1)!), ...(opts.caption ? { caption: opts.caption } : {}) });
  }

  sendVoice(bytes: Bytes, opts: { duration: number; mimeType?: string }): Promise<Message> {
    const mimeType = opts.mimeType ?? 'audio/ogg';
    const f = this.ctx.bot.files.add('voice', toBuffer(bytes), { mimeType, meta: { duration: opts.duration, mimeType } });
    return this.send({ voice: mediaObject(f, 'voice', { duration: opts.duration, mimeType }) });
  }

  sendAudio(
    bytes: Bytes,
    opts: { duration: number; fileName?: string; mimeType?: string; title?: string; performer?: string; caption?: string },
  ): Promise<Message> {
    const meta = { duration: opts.duration, fileName: opts.fileName, mimeType: opts.mimeType ?? 'audio/mpeg', title: opts.title, performer: opts.performer };
    const f = this.ctx.bot.files.add('audio', toBuffer(bytes), { fileName: opts.fileName, mimeType: meta.mimeType, meta });
    return this.send({ audio: mediaObject(f, 'audio', meta), ...(opts.caption ? { caption: opts.caption } : {}) });
  }

  sendDocument(bytes: Bytes, opts: { fileName: string; mimeType?: string; caption?: string }): Promise<Message> {
    const f = this.ctx.bot.files.add('document', toBuffer(bytes), { fileName: opts.fileName, mimeType: opts.mimeType });
    return this.send({ document: mediaObject(f, 'document'), ...(opts.caption ? { caption: opts.caption } : {}) });
  }

  sendVideo(bytes: Bytes, opts: { duration: number; width: number; height: number; caption?: string; fileName?: string; mimeType?: string }): Promise<Message> {
    const meta = { duration: opts.duration, width: opts.width, height: opts.height, fileName: opts.fileName, mimeType: opts.mimeType ?? 'video/mp4' };
    const f = this.ctx.bot.files.add('video', toBuffer(bytes), {
      fileName: opts.fileName,
      mimeType: meta.mimeType,
      width: opts.width,
      height: opts.height,
      meta,
    });
    return this.send({ video: mediaObject(f, 'video', meta), ...(opts.caption ? { caption: opts.caption } : {}) });
  }

  // ---------------------------------------------------------------- buttons, payments
  /**
   * Tap an inline button of a bot message (looked up in its *current* reply_markup) by its text
   * (string or RegExp) or callback_data. Queues a callback_query update.
   */
  async tapButton(message: number | Message, button: string | RegExp): Promise<{ id: string; updateId: number | undefined; data: string }> {
    const rec = this.rec;
    const id = typeof message === 'number' ? message : message.message_id;
    const msg = rec.messages.get(id);
    if (!msg || rec.deleted.has(id)) throw new Error(`FakeTelegram: message #${id} not found in chat ${rec.chat.id}`);
    const rows = (msg.reply_markup as { inline_keyboard?: Record<string, unknown>[][] } | undefined)?.inline_keyboard ?? [];
    const all = rows.flat();
    const found =
      all.find((b) => (typeof button === 'string' ? b.text === button : button.test(String(b.text)))) ??
      all.find((b) => typeof button === 'string' && b.callback_data === button);
    if (!found)
      throw new Error(
        `FakeTelegram: no inline button ${String(button)} on message ${describe(msg)}; buttons: ${JSON.stringify(all.map((b) => ({ text: b.text, callback_data: b.callback_data })))}`,
      );
    if (typeof found.callback_data !== 'string')
      throw new Error(`FakeTelegram: button ${JSON.stringify(found.text)} has no callback_data (${JSON.stringify(found)})`);
    const cbId = `${BigInt(this.info.id) * 1000n + BigInt(Math.floor(Math.random() * 1000))}${Date.now() % 100000}`;
    this.ctx.bot.callbackQueries.set(cbId, { id: cbId, userId: this.info.id, answered: false, answer: undefined, at: Date.now() });
    const chatInstance = BigInt('0x' + createHash('sha256').update(`${this.ctx.bot.user.id}:${rec.chat.id}`).digest('hex').slice(0, 15)).toString();
    const u = this.push({
      callback_query: { id: cbId, from: { ...this.info }, message: structuredClone(msg), chat_instance: chatInstance, data: found.callback_data },
    });
    return { id: cbId, updateId: u?.update_id, data: found.callback_data };
  }

  /**
   * Pay a Stars invoice the bot sent: queues pre_checkout_query, waits (default 10 s) for
   * answerPreCheckoutQuery, then queues message.successful_payment.
   */
  async pay(invoice: number | Message, opts: { timeoutMs?: number } = {}): Promise<PayResult> {
    const bot = this.ctx.bot;
    const messageId = typeof invoice === 'number' ? invoice : invoice.message_id;
    const inv = bot.payments.invoice(this.chatId, messageId);
    if (!inv) throw new Error(`FakeTelegram: message #${messageId} in chat ${this.chatId} is not an invoice`);
    const pcq = bot.payments.newPreCheckout(this.info.id, inv);
    this.push({
      pre_checkout_query: {
        id: pcq.id,
        from: { ...this.info },
        currency: inv.currency,
        total_amount: inv.amount,
        invoice_payload: inv.payload,
      },
    });
    let answer: { ok: boolean; errorMessage: string | undefined };
    try {
      answer = await this.ctx.signal.until(
        () => pcq.answer,
        opts.timeoutMs ?? this.ctx.preCheckoutTimeoutMs,
        () => new Error('timeout'),
      );
    } catch {
      pcq.expired = true;
      return { ok: false, errorMessage: undefined, timedOut: true };
    }
    if (!answer.ok) return { ok: false, errorMessage: answer.errorMessage, timedOut: false };
    const charge = bot.payments.charge(this.info.id, inv);
    const message = await this.send({
      successful_payment: {
        currency: inv.currency,
        total_amount: inv.amount,
        invoice_payload: inv.payload,
        telegram_payment_charge_id: charge.chargeId,
        provider_payment_charge_id: charge.providerChargeId,
      },
    });
    return { ok: true, chargeId: charge.chargeId, message, updateId: this.lastUpdateId };
  }

  /** Re-queue this user's last update unchanged (same update_id), like a Telegram redelivery. */
  async resendLastUpdate(): Promise<Update> {
    if (this.lastUpdateId === undefined) throw new Error('FakeTelegram: this user has not sent any update yet');
    return this.ctx.bot.updates.redeliver(this.lastUpdateId);
  }

  // ---------------------------------------------------------------- blocking
  blockBot(opts: { notify?: boolean } = {}): void {
    this.setBlocked(true, opts.notify ?? true);
  }

  unblockBot(opts: { notify?: boolean } = {}): void {
    this.setBlocked(false, opts.notify ?? true);
  }

  private setBlocked(blocked: boolean, notify: boolean): void {
    const rec = this.rec;
    if (rec.blocked === blocked) return;
    rec.blocked = blocked;
    this.ctx.bot.changed();
    if (!notify) return;
    const bot = { ...this.ctx.bot.user };
    const member = { user: bot, status: 'member' };
    const kicked = { user: bot, status: 'kicked', until_date: 0 };
    this.push({
      my_chat_member: {
        chat: { ...rec.chat },
        from: { ...this.info },
        date: Math.floor(Date.now() / 1000),
        old_chat_member: blocked ? member : kicked,
        new_chat_member: blocked ? kicked : member,
      },
    });
  }

  // ---------------------------------------------------------------- inspecting
  /** All bot messages in this chat, in order, in their current state (deleted ones left out). */
  messages(): Message[] {
    return this.ctx.bot.botMessages(this.rec);
  }

  lastMessage(): Message | undefined {
    return this.messages().at(-1);
  }

  /** The current reply keyboard (ReplyKeyboardMarkup) the bot showed, if any. */
  replyKeyboard(): unknown {
    return structuredClone(this.rec.replyKeyboard);
  }

  chatActions(): { action: string; at: number }[] {
    return this.ctx.bot.chatActions.filter((a) => a.chatId === this.chatId).map(({ action, at }) => ({ action, at }));
  }

  private recentFailures(): string {
    const failed = this.ctx
      .calls()
      .filter((c) => c.token === this.ctx.bot.token && !c.ok && c.status !== 0 && c.method.toLowerCase() !== 'getupdates')
      .slice(-5);
    return failed.length ? `\nRecent failed Bot API calls:\n${failed.map((c) => `  ${c.method} → ${c.status} ${c.description ?? ''}`).join('\n')}` : '';
  }

  /**
   * The next bot message in this chat not consumed by an earlier wait (optionally the next one matching).
   * Messages before the returned one are consumed too.
   */
  async waitForMessage(opts: WaitOptions = {}): Promise<Message> {
    const timeoutMs = opts.timeoutMs ?? 5000;
    const rec = this.rec;
    return this.ctx.signal.until(
      () => {
        for (let i = this.messageCursor; i < rec.botSent.length; i++) {
          const m = rec.messages.get(rec.botSent[i]!)!;
          if (matches(m, opts.match)) {
            this.messageCursor = i + 1;
            return structuredClone(m);
          }
        }
        return undefined;
      },
      timeoutMs,
      () => {
        const recent = rec.botSent.slice(-10).map((id) => `  ${describe(rec.messages.get(id)!)}${rec.deleted.has(id) ? ' (deleted)' : ''}`);
        return new Error(
          `FakeTelegram: no new bot message in chat ${rec.chat.id}${opts.match !== undefined ? ` matching ${String(opts.match)}` : ''} within ${timeoutMs} ms ` +
            `(${rec.botSent.length - this.messageCursor} unconsumed).\nRecent bot messages:\n${recent.join('\n') || '  (none)'}${this.recentFailures()}`,
        );
      },
    );
  }

  /** The next edit of a bot message (optionally of one message id / matching) not consumed by an earlier wait. */
  async waitForEdit(messageId?: number, opts: WaitOptions = {}): Promise<Message> {
    const timeoutMs = opts.timeoutMs ?? 5000;
    const rec = this.rec;
    return this.ctx.signal.until(
      () => {
        for (let i = this.editCursor; i < rec.edits.length; i++) {
          const e = rec.edits[i]!;
          if ((messageId === undefined || e.messageId === messageId) && matches(e.message, opts.match)) {
            this.editCursor = i + 1;
            return structuredClone(e.message);
          }
        }
        return undefined;
      },
      timeoutMs,
      () =>
        new Error(
          `FakeTelegram: no edit${messageId !== undefined ? ` of message #${messageId}` : ''} in chat ${rec.chat.id}${opts.match !== undefined ? ` matching ${String(opts.match)}` : ''} within ${timeoutMs} ms.\n` +
            `Recent edits:\n${
              rec.edits
                .slice(-10)
                .map((e) => `  ${describe(e.message)}`)
                .join('\n') || '  (none)'
            }${this.recentFailures()}`,
        ),
    );
  }
}
