/**
 * Telegram Stars subscriptions in the fake Bot API (docs/providers.md §stars-subscriptions, §fakes):
 *
 * - `createInvoiceLink` validates the invoice; with `subscription_period` it also requires XTR,
 *   the period 2592000 (or a test period allowed with `allowPeriods`), one price ≤ 10000 Stars;
 *   it returns `https://t.me/$<slug>` and remembers the link.
 * - `editUserStarSubscription(user_id, telegram_payment_charge_id, is_canceled)`: an unknown
 *   charge → 400; strict mode (default) requires the subscription's first charge; cancelling
 *   sets bot_canceled (no more renewals); `is_canceled:false` undoes only a bot cancellation.
 * - Test side (`FakeStars`): a user pays a link (pre_checkout_query, then successful_payment with
 *   both recurring flags and `subscription_expiration_date = now + period`), the clock advances
 *   one period (each live subscription renews with a new charge id and `is_recurring` only, no
 *   pre-checkout — or, when the user's scripted Stars balance is too low, a `subscription` update
 *   `failed`), the user cancels or re-enables in Telegram (`subscription` update), and deep links
 *   (`t.me/<bot>?start=<param>` → `/start <param>`).
 *
 * State hangs off each BotState (a WeakMap), so several fakes run side by side.
 */
import { randomBytes } from 'node:crypto';
import { badRequest } from './errors.js';
import { bool, int, str } from './params.js';
import { validateInvoice, type InvoiceRecord } from './payments.js';
import type { Handler } from './methods.js';
import type { BotState, Message } from './store.js';
import type { FakeTelegram, FakeUser } from './index.js';

export const SUBSCRIPTION_PERIOD = 2_592_000;
export const MAX_SUBSCRIPTION_STARS = 10_000;

export interface InvoiceLink {
  url: string;
  slug: string;
  title: string;
  description: string;
  payload: string;
  amount: number;
  label: string;
  /** Seconds; undefined for a one-off invoice link. */
  subscriptionPeriod: number | undefined;
}

export interface FakeSubscription {
  userId: number;
  payload: string;
  amount: number;
  period: number;
  title: string;
  firstChargeId: string;
  chargeIds: string[];
  /** Unix seconds; the current period ends here. */
  expiration: number;
  canceledByBot: boolean;
  canceledByUser: boolean;
  /** Ended: cancelled and its period is over (no more renewals). */
  ended: boolean;
}

class SubscriptionBook {
  readonly links = new Map<string, InvoiceLink>();
  readonly subscriptions: FakeSubscription[] = [];
  readonly starBalances = new Map<number, number>();
  readonly allowedPeriods = new Set([SUBSCRIPTION_PERIOD]);
  /** editUserStarSubscription accepts only a subscription's first charge id. */
  strict = true;
}

const books = new WeakMap<BotState, SubscriptionBook>();

function bookOf(bot: BotState): SubscriptionBook {
  let book = books.get(bot);
  if (!book) {
    book = new SubscriptionBook();
    books.set(bot, book);
  }
  return book;
}

function bySomeCharge(book: SubscriptionBook, chargeId: string): FakeSubscription | undefined {
  return book.subscriptions.find((s) => s.chargeIds.includes(chargeId));
}

export const subscriptionMethods: Record<string, Handler> = {
  createinvoicelink: ({ bot, params: p }) => {
    const inv = validateInvoice(p);
    const period = p.subscription_period === undefined ? undefined : int(p.subscription_period);
    if (p.subscription_period !== undefined) {
      const book = bookOf(bot);
      if (period === undefined || !book.allowedPeriods.has(period)) throw badRequest('SUBSCRIPTION_PERIOD_INVALID');
      if (inv.amount > MAX_SUBSCRIPTION_STARS) throw badRequest('SUBSCRIPTION_PRICE_INVALID');
    }
    const slug = randomBytes(12).toString('base64url');
    const url = `https://t.me/$${slug}`;
    bookOf(bot).links.set(url, {
      url,
      slug,
      title: inv.title,
      description: inv.description,
      payload: inv.payload,
      amount: inv.amount,
      label: inv.label,
      subscriptionPeriod: period,
    });
    return url;
  },
  edituserstarsubscription: ({ bot, params: p }) => {
    const userId = int(p.user_id);
    const chargeId = str(p.telegram_payment_charge_id) ?? '';
    if (p.is_canceled === undefined) throw badRequest('is_canceled is required');
    const canceled = bool(p.is_canceled);
    const book = bookOf(bot);
    const sub = bySomeCharge(book, chargeId);
    if (!sub || sub.userId !== userId) throw badRequest('CHARGE_ID_INVALID');
    if (book.strict && sub.firstChargeId !== chargeId) throw badRequest('CHARGE_ID_INVALID');
    if (sub.ended) throw badRequest('SUBSCRIPTION_EXPIRED');
    if (!canceled && sub.canceledByUser && !sub.canceledByBot) throw badRequest('SUBSCRIPTION_CANCELED_BY_USER');
    sub.canceledByBot = canceled;
    bot.changed();
    return true;
  },
};

export type LinkPayResult =
  { ok: true; chargeId: string; message: Message; expiration: number } | { ok: false; errorMessage: string | undefined; timedOut: boolean };

/** Test-side control of Stars subscriptions and deep links of one bot. */
export class FakeStars {
  private readonly bot: BotState;

  constructor(
    private readonly tg: FakeTelegram,
    token: string = tg.token,
  ) {
    this.bot = tg.bot(token).state;
  }

  private get book(): SubscriptionBook {
    return bookOf(this.bot);
  }

  /** Also accept these subscription periods (Telegram's test environment: 60 or 300 s). */
  allowPeriods(...periods: number[]): void {
    for (const p of periods) this.book.allowedPeriods.add(p);
  }

  /** false: editUserStarSubscription accepts any charge of the subscription. */
  setStrict(strict: boolean): void {
    this.book.strict = strict;
  }

  /** The user's Stars balance for renewals (unset = unlimited). */
  setStarBalance(userId: number, stars: number): void {
    this.book.starBalances.set(userId, stars);
  }

  link(url: string): InvoiceLink | undefined {
    return this.book.links.get(url);
  }

  subscriptions(userId?: number): FakeSubscription[] {
    return this.book.subscriptions.filter((s) => userId === undefined || s.userId === userId).map((s) => structuredClone(s));
  }

  /** The user opens `https://t.me/<bot>?start=<param>`: the client sends "/start <param>". */
  async openDeepLink(user: FakeUser, url: string): Promise<Message> {
    const u = new URL(url);
    const name = u.pathname.replace(/^\//, '');
    if (u.host !== 't.me' || name.toLowerCase() !== this.bot.user.username.toLowerCase())
      throw new Error(`FakeTelegram: ${url} is not a link to @${this.bot.user.username}`);
    const param = u.searchParams.get('start');
    if (param === null) return user.sendCommand('/start');
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(param)) throw new Error(`FakeTelegram: start parameter ${JSON.stringify(param)} is not allowed (A-Z a-z 0-9 _ -, 1–64)`);
    return user.sendCommand(`/start ${param}`);
  }

  /** The user pays an invoice link: pre_checkout_query, then (after ok) successful_payment. */
  async payLink(user: FakeUser, url: string, opts: { timeoutMs?: number } = {}): Promise<LinkPayResult> {
    const link = this.book.links.get(url);
    if (!link) throw new Error(`FakeTelegram: ${url} is not an invoice link of this bot`);
    const invoice: InvoiceRecord = {
      chatId: user.chatId,
      messageId: 0,
      title: link.title,
      description: link.description,
      payload: link.payload,
      currency: 'XTR',
      amount: link.amount,
      label: link.label,
    };
    const pcq = this.bot.payments.newPreCheckout(user.id, invoice);
    this.bot.updates.push({
      pre_checkout_query: { id: pcq.id, from: { ...user.info }, currency: 'XTR', total_amount: link.amount, invoice_payload: link.payload },
    });
    let answer: { ok: boolean; errorMessage: string | undefined };
    try {
      answer = await this.tg.signal.until(
        () => pcq.answer,
        opts.timeoutMs ?? 10_000,
        () => new Error('timeout'),
      );
    } catch {
      pcq.expired = true;
      return { ok: false, errorMessage: undefined, timedOut: true };
    }
    if (!answer.ok) return { ok: false, errorMessage: answer.errorMessage, timedOut: false };
    const charge = this.bot.payments.charge(user.id, invoice);
    const now = Math.floor(Date.now() / 1000);
    const fields: Record<string, unknown> = {
      currency: 'XTR',
      total_amount: link.amount,
      invoice_payload: link.payload,
      telegram_payment_charge_id: charge.chargeId,
      provider_payment_charge_id: charge.providerChargeId,
    };
    let expiration = 0;
    if (link.subscriptionPeriod !== undefined) {
      expiration = now + link.subscriptionPeriod;
      Object.assign(fields, { subscription_expiration_date: expiration, is_recurring: true, is_first_recurring: true });
      this.book.subscriptions.push({
        userId: user.id,
        payload: link.payload,
        amount: link.amount,
        period: link.subscriptionPeriod,
        title: link.title,
        firstChargeId: charge.chargeId,
        chargeIds: [charge.chargeId],
        expiration,
        canceledByBot: false,
        canceledByUser: false,
        ended: false,
      });
    }
    const message = await user.send({ successful_payment: fields });
    return { ok: true, chargeId: charge.chargeId, message, expiration };
  }

  /**
   * The clock moves one period on: every live subscription renews (a new charge id, no
   * pre-checkout) unless cancelled (then it ends) or the user's Stars balance is too low (then a
   * `subscription` update `failed`). Returns the renewal charges.
   */
  async advancePeriod(): Promise<{ userId: number; chargeId: string; payload: string; message: Message }[]> {
    const renewed: { userId: number; chargeId: string; payload: string; message: Message }[] = [];
    for (const sub of this.book.subscriptions) {
      if (sub.ended) continue;
      if (sub.canceledByBot || sub.canceledByUser) {
        sub.ended = true;
        continue;
      }
      const user = this.userOf(sub.userId);
      const balance = this.book.starBalances.get(sub.userId);
      if (balance !== undefined && balance < sub.amount) {
        this.bot.updates.push({ subscription: { user: { ...user.info }, invoice_payload: sub.payload, state: 'failed' } });
        continue;
      }
      if (balance !== undefined) this.book.starBalances.set(sub.userId, balance - sub.amount);
      const invoice: InvoiceRecord = {
        chatId: sub.userId,
        messageId: 0,
        title: sub.title,
        description: sub.title,
        payload: sub.payload,
        currency: 'XTR',
        amount: sub.amount,
        label: sub.title,
      };
      const charge = this.bot.payments.charge(sub.userId, invoice);
      sub.chargeIds.push(charge.chargeId);
      sub.expiration += sub.period;
      const message = await user.send({
        successful_payment: {
          currency: 'XTR',
          total_amount: sub.amount,
          invoice_payload: sub.payload,
          telegram_payment_charge_id: charge.chargeId,
          provider_payment_charge_id: charge.providerChargeId,
          subscription_expiration_date: sub.expiration,
          is_recurring: true,
        },
      });
      renewed.push({ userId: sub.userId, chargeId: charge.chargeId, payload: sub.payload, message });
    }
    this.bot.changed();
    return renewed;
  }

  /** The user cancels (or re-enables) the subscription in Telegram's settings. */
  setCanceledByUser(user: FakeUser, payload: string, canceled: boolean): void {
    const sub = this.book.subscriptions.find((s) => s.userId === user.id && s.payload === payload && !s.ended);
    if (!sub) throw new Error(`FakeTelegram: user ${user.id} has no live subscription ${payload}`);
    sub.canceledByUser = canceled;
    if (!canceled) sub.canceledByBot = false;
    this.bot.updates.push({ subscription: { user: { ...user.info }, invoice_payload: payload, state: canceled ? 'canceled' : 'active' } });
  }

  private userOf(userId: number): FakeUser {
    const info = this.bot.chats.get(userId)?.user;
    if (!info) throw new Error(`FakeTelegram: no chat with user ${userId}`);
    return this.tg.user({ id: userId, firstName: info.first_name, languageCode: info.language_code, username: info.username }, this.bot.token);
  }
}
