/**
 * FakeTelegram: an in-process fake of the Telegram Bot API over real HTTP (127.0.0.1, random port).
 * No test-framework dependency. Everything hangs off the instance, so several can run at once.
 *
 *   const tg = await FakeTelegram.start();
 *   const bot = new Bot(tg.token, { client: { apiRoot: tg.apiRoot } });
 *   const u = tg.user({ firstName: 'Ann' });
 *   await u.sendCommand('/start');
 *   const reply = await u.waitForMessage({ match: /welcome/i });
 *   await tg.stop();
 */
import { randomBytes, randomInt } from 'node:crypto';
import { FileStore } from './files.js';
import type { Params } from './params.js';
import { ApiServer, type CallRecord, type Fault } from './server.js';
import { BotState, type UserInfo } from './store.js';
import type { Update, WebhookDelivery } from './updates.js';
import { FakeUser } from './user.js';
import { ChangeSignal } from './wait.js';

export { FakeUser, messageText, type Match, type PayResult, type WaitOptions } from './user.js';
export type { CallRecord, Fault } from './server.js';
export type { Message, UserInfo, ChatInfo } from './store.js';
export type { Update, WebhookDelivery } from './updates.js';
export type { FileStore, StoredFile } from './files.js';
export { FakeStars, type FakeSubscription, type InvoiceLink, type LinkPayResult } from './subscriptions.js';

export interface FakeTelegramOptions {
  /** Bot tokens to accept (default: one random valid-looking token). */
  tokens?: string[];
  /** Username of the first bot (default "fake_test_bot"); further bots get a numeric suffix. */
  botUsername?: string;
  botFirstName?: string;
  /** First webhook retry delay; doubles per attempt up to webhookRetryMaxMs (defaults 1000 / 60000). */
  webhookRetryBaseMs?: number;
  webhookRetryMaxMs?: number;
  /** Timeout of one webhook POST (default 60 s). */
  webhookTimeoutMs?: number;
  /** Cap on how long a getUpdates long poll is held, whatever its `timeout` (default 50 s). */
  longPollMaxMs?: number;
  /** How long `user.pay()` waits for answerPreCheckoutQuery by default (10 s). */
  preCheckoutTimeoutMs?: number;
  /** Queue a refunded_payment service message after refundStarPayment (default true). */
  refundServiceMessage?: boolean;
  host?: string;
  port?: number;
}

export interface UserOptions {
  id?: number;
  firstName?: string;
  lastName?: string;
  username?: string;
  languageCode?: 'ru' | 'en' | (string & {});
  isPremium?: boolean;
  /** false: the user never opened the bot, so the bot gets 403 until the user writes (default true). */
  started?: boolean;
}

export interface CallbackAnswer {
  text?: string;
  show_alert?: boolean;
  url?: string;
  cache_time?: number;
}

export function randomToken(): string {
  return `${randomInt(5_000_000_000, 8_000_000_000)}:AA${randomBytes(25).toString('base64url').slice(0, 33)}`;
}

/** Control handle for one bot token. FakeTelegram forwards the same calls to its first bot. */
export class FakeBot {
  constructor(
    readonly state: BotState,
    private readonly tg: FakeTelegram,
  ) {}

  get token(): string {
    return this.state.token;
  }

  /** The bot's User (getMe without the capability flags). */
  get info(): UserInfo & { username: string } {
    return { ...this.state.user };
  }

  user(opts: UserOptions = {}): FakeUser {
    return this.tg.user(opts, this.token);
  }

  /** Queue an arbitrary update (update_id assigned unless given). undefined if allowed_updates filtered it out. */
  enqueueUpdate(raw: Record<string, unknown>): Update | undefined {
    return this.state.updates.push(raw);
  }

  /** Re-queue an earlier update with the same update_id. */
  redeliver(updateId: number): Update {
    return this.state.updates.redeliver(updateId);
  }

  pendingUpdates(): Update[] {
    return this.state.updates.pendingUpdates();
  }

  webhookInfo(): Record<string, unknown> {
    return this.state.updates.webhookInfo();
  }

  webhookDeliveries(): WebhookDelivery[] {
    return [...this.state.updates.deliveries];
  }

  chatActions(chatId: number): { action: string; at: number }[] {
    return this.state.chatActions.filter((a) => a.chatId === chatId).map(({ action, at }) => ({ action, at }));
  }

  /** Resolves with the bot's answerCallbackQuery params for this query id. */
  waitForCallbackAnswer(callbackQueryId: string, timeoutMs = 5000): Promise<CallbackAnswer> {
    return this.tg.signal.until(
      () => {
        const rec = this.state.callbackQueries.get(callbackQueryId);
        if (!rec) throw new Error(`FakeTelegram: unknown callback query ${callbackQueryId}`);
        if (!rec.answered) return undefined;
        const { callback_query_id: _id, ...rest } = rec.answer ?? {};
        return rest as CallbackAnswer;
      },
      timeoutMs,
      () => new Error(`FakeTelegram: callback query ${callbackQueryId} was not answered within ${timeoutMs} ms`),
    );
  }

  /** Commands stored by setMyCommands for a scope (default {type:"default"}) and language. */
  commands(scope: Record<string, unknown> = { type: 'default' }, languageCode = ''): unknown[] {
    return structuredClone(this.state.commands.get(`${JSON.stringify(scope)}|${languageCode}`) ?? []);
  }

  /** Stars charges made through user.pay(). */
  charges(): { chargeId: string; userId: number; amount: number; payload: string; refunded: boolean }[] {
    return [...this.state.payments.charges.values()].map((c) => ({
      chargeId: c.chargeId,
      userId: c.userId,
      amount: c.amount,
      payload: c.payload,
      refunded: c.refundedAt !== undefined,
    }));
  }

  calls(method?: string): CallRecord[] {
    return this.tg.calls(method).filter((c) => c.token === this.token);
  }
}

export class FakeTelegram {
  readonly signal = new ChangeSignal();
  readonly files = new FileStore();
  readonly tokens: readonly string[];
  private readonly states = new Map<string, BotState>();
  private readonly handles = new Map<string, FakeBot>();
  private readonly server: ApiServer;
  private readonly opts: Required<Pick<FakeTelegramOptions, 'preCheckoutTimeoutMs'>>;
  private nextUserId = randomInt(6_000_000_000, 6_500_000_000);
  private root = '';
  private stopped = false;

  private constructor(opts: FakeTelegramOptions) {
    const tokens = opts.tokens?.length ? opts.tokens : [randomToken()];
    for (const t of tokens) if (!/^\d+:[\w-]+$/.test(t)) throw new Error(`FakeTelegram: token ${t} does not look like <id>:<secret>`);
    this.tokens = [...tokens];
    this.opts = { preCheckoutTimeoutMs: opts.preCheckoutTimeoutMs ?? 10_000 };
    this.server = new ApiServer(this.states, this.signal.notify);
    tokens.forEach((token, i) => {
      const base = opts.botUsername ?? 'fake_test_bot';
      const state = new BotState({
        token,
        username: i === 0 ? base : `${base.replace(/_?bot$/i, '')}${i + 1}_bot`,
        firstName: opts.botFirstName ?? 'Test Bot',
        files: this.files,
        refundServiceMessage: opts.refundServiceMessage ?? true,
        webhookRetryBaseMs: opts.webhookRetryBaseMs ?? 1000,
        webhookRetryMaxMs: opts.webhookRetryMaxMs ?? 60_000,
        webhookTimeoutMs: opts.webhookTimeoutMs ?? 60_000,
        longPollMaxMs: opts.longPollMaxMs ?? 50_000,
        onChange: this.signal.notify,
        executeWebhookReply: async (bot: BotState, method: string, params: Params) => {
          await this.server.execute(bot, method, params, new AbortController().signal, { viaWebhookReply: true });
        },
      });
      this.states.set(token, state);
      this.handles.set(token, new FakeBot(state, this));
    });
  }

  static async start(opts: FakeTelegramOptions = {}): Promise<FakeTelegram> {
    const tg = new FakeTelegram(opts);
    tg.root = await tg.server.listen(opts.host ?? '127.0.0.1', opts.port ?? 0);
    return tg;
  }

  /** "http://127.0.0.1:PORT" (no trailing slash) — pass as grammY `client.apiRoot`. */
  get apiRoot(): string {
    return this.root;
  }

  /** The first bot's token. */
  get token(): string {
    return this.tokens[0]!;
  }

  /** Control handle of one bot (default: the first). */
  bot(token: string = this.token): FakeBot {
    const h = this.handles.get(token);
    if (!h) throw new Error(`FakeTelegram: unknown token ${token}`);
    return h;
  }

  /** A user in a private chat with the bot (chat id = user id). Re-using an id returns the same chat. */
  user(opts: UserOptions = {}, token: string = this.token): FakeUser {
    const state = this.bot(token).state;
    const info: UserInfo = {
      id: opts.id ?? this.nextUserId++,
      is_bot: false,
      first_name: opts.firstName ?? 'Test',
      language_code: opts.languageCode ?? 'en',
    };
    if (opts.lastName) info.last_name = opts.lastName;
    if (opts.username) info.username = opts.username;
    if (opts.isPremium) (info as UserInfo & { is_premium?: boolean }).is_premium = true;
    return new FakeUser(
      { bot: state, signal: this.signal, calls: () => this.server.calls, preCheckoutTimeoutMs: this.opts.preCheckoutTimeoutMs },
      info,
      opts.started ?? true,
    );
  }

  /** Recorded Bot API calls (all bots), optionally for one method (case-insensitive). */
  calls(method?: string): CallRecord[] {
    const m = method?.toLowerCase();
    return this.server.calls.filter((c) => m === undefined || c.method.toLowerCase() === m);
  }

  chatActions(chatId: number): { action: string; at: number }[] {
    return this.bot().chatActions(chatId);
  }

  webhookInfo(): Record<string, unknown> {
    return this.bot().webhookInfo();
  }

  enqueueUpdate(raw: Record<string, unknown>): Update | undefined {
    return this.bot().enqueueUpdate(raw);
  }

  redeliver(updateId: number): Update {
    return this.bot().redeliver(updateId);
  }

  waitForCallbackAnswer(callbackQueryId: string, timeoutMs?: number): Promise<CallbackAnswer> {
    return this.bot().waitForCallbackAnswer(callbackQueryId, timeoutMs);
  }

  /**
   * Make the next `times` calls of `method` ('*' = any method) fail with `fault`.
   * Method-specific faults are used before '*' faults.
   */
  failNext(method: string, fault: Fault, times = 1): void {
    this.server.failNext(method, fault, times);
  }

  /** Clear armed faults and the call log. */
  reset(): void {
    this.server.clearFaults();
    this.server.calls.length = 0;
  }

  /** Wait until some Bot API call satisfies `predicate` (e.g. a sendMessage that failed). */
  waitForCall(predicate: (c: CallRecord) => boolean, timeoutMs = 5000): Promise<CallRecord> {
    return this.signal.until(
      () => this.server.calls.find((c) => c.status !== 0 && predicate(c)),
      timeoutMs,
      () => new Error(`FakeTelegram: no matching Bot API call within ${timeoutMs} ms`),
    );
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const s of this.states.values()) s.updates.stop();
    await this.server.close();
  }
}
