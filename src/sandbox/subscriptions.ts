/**
 * Stars subscriptions on the page: a subscription offer is an invoice link
 * (`https://t.me/$…`, from createInvoiceLink with subscription_period) that the page shows as a
 * payable item; paying it runs pre-checkout → successful payment, and "Next month" renews every
 * live subscription as if a period had passed (a new charge id each, no pre-checkout). The
 * emulated Telegram's side is `FakeStars` (src/sandbox/telegram/subscriptions.ts); this module
 * connects it to the page.
 */
import { FakeStars, type FakeTelegram, type FakeUser } from './telegram/index.js';

/** Invoice links as Telegram makes them: t.me/$<slug> (also telegram.me, and the `invoice/` form). */
export const INVOICE_LINK = /^https:\/\/t(?:elegram)?\.me\/(?:\$|invoice\/)[\w-]+$/;

/** What the page shows of an invoice link in a bot's button. */
export interface LinkView {
  title: string;
  description: string;
  amount: number;
  currency: 'XTR';
  /** Seconds between renewals; undefined for a one-off link. */
  period: number | undefined;
  /** This user paid this link. */
  paid: boolean;
}

export interface SubscriptionView {
  title: string;
  amount: number;
  /** active, cancelled (by the bot or the user; runs to the end of the period) or ended. */
  state: 'active' | 'canceled' | 'ended';
  /** Unix seconds: the end of the current period. */
  expiration: number;
  payments: number;
}

export type PayLinkResult = { ok: true; chargeId: string } | { ok: false; errorMessage: string | undefined; timedOut: boolean };

export class SandboxSubscriptions {
  private readonly stars: FakeStars;
  /** "userId url" of links paid successfully. */
  private readonly paid = new Set<string>();

  constructor(tg: FakeTelegram) {
    this.stars = new FakeStars(tg);
  }

  /** The user pays an invoice link the bot sent (pre-checkout → successful payment). */
  async payLink(user: FakeUser, url: string): Promise<PayLinkResult> {
    const result = await this.stars.payLink(user, url);
    if (!result.ok) return result;
    this.paid.add(`${user.id} ${url}`);
    return { ok: true, chargeId: result.chargeId };
  }

  /** One subscription period passes: resolves with the renewal charges. */
  async nextMonth(): Promise<{ userId: number; chargeId: string }[]> {
    return (await this.stars.advancePeriod()).map((r) => ({ userId: r.userId, chargeId: r.chargeId }));
  }

  link(userId: number, url: string): LinkView | undefined {
    const link = this.stars.link(url);
    if (!link) return undefined;
    return {
      title: link.title,
      description: link.description,
      amount: link.amount,
      currency: 'XTR',
      period: link.subscriptionPeriod,
      paid: this.paid.has(`${userId} ${url}`),
    };
  }

  /** The user's subscriptions as Telegram's settings list them. */
  of(userId: number): SubscriptionView[] {
    return this.stars.subscriptions(userId).map((s) => ({
      title: s.title,
      amount: s.amount,
      state: s.ended ? 'ended' : s.canceledByBot || s.canceledByUser ? 'canceled' : 'active',
      expiration: s.expiration,
      payments: s.chargeIds.length,
    }));
  }
}
