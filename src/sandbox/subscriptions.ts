/**
 * Stars subscriptions on the page: a subscription offer is an invoice link
 * (`https://t.me/$…`, from createInvoiceLink with subscription_period) that the user pays, and
 * "Next month" renews every live subscription as if a period had passed. The emulated Telegram
 * gets subscriptions from another branch (src/sandbox/telegram/subscriptions.ts, `FakeStars`);
 * this is the one place that connects them. While that module is absent the page simply shows no
 * subscription controls.
 */
import type { FakeTelegram, FakeUser } from './telegram/index.js';

export interface SubscriptionHook {
  /** Advances the clock by one subscription period; resolves with the number of renewals. */
  nextMonth(): Promise<number>;
  /** The user pays an invoice link the bot sent (pre-checkout → successful payment). */
  payLink(user: FakeUser, url: string): Promise<{ ok: boolean; errorMessage?: string; timedOut?: boolean }>;
}

interface StarsLike {
  advancePeriod(): Promise<unknown[]>;
  payLink(user: FakeUser, url: string): Promise<{ ok: boolean; errorMessage?: string; timedOut?: boolean }>;
}

/** Invoice links as Telegram makes them: t.me/$<slug> (also telegram.me, and the `invoice/` form). */
export const INVOICE_LINK = /^https:\/\/t(?:elegram)?\.me\/(?:\$|invoice\/)[\w-]+$/;

export async function loadSubscriptions(tg: FakeTelegram): Promise<SubscriptionHook | undefined> {
  // Not a literal import: the module may not exist on this branch.
  const specifier = './telegram/subscriptions.js';
  let stars: StarsLike;
  try {
    const mod = (await import(specifier)) as { FakeStars?: new (tg: FakeTelegram) => StarsLike };
    if (typeof mod.FakeStars !== 'function') return undefined;
    stars = new mod.FakeStars(tg);
    if (typeof stars.advancePeriod !== 'function' || typeof stars.payLink !== 'function') return undefined;
  } catch {
    return undefined;
  }
  return {
    nextMonth: async () => (await stars.advancePeriod()).length,
    payLink: (user, url) => stars.payLink(user, url),
  };
}
