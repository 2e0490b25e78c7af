/**
 * The page's "Next month" control: renews the Stars subscriptions of the emulated Telegram as if
 * a month had passed (each active subscription is charged again and the bot gets the renewal
 * payment). Subscriptions are being added to the emulated Telegram on another branch; this is the
 * one place that connects them: when the fake offers a renewal method, the page shows the control.
 */
import type { FakeTelegram } from './telegram/index.js';

export interface SubscriptionHook {
  /** Advances the clock by one subscription period; resolves with the number of renewals. */
  nextMonth(): Promise<number>;
}

type Renewer = (...args: never[]) => unknown;
const METHOD_NAMES = ['renewSubscriptions', 'advanceSubscriptions', 'nextSubscriptionPeriod'] as const;

export function subscriptionHook(tg: FakeTelegram): SubscriptionHook | undefined {
  for (const target of [tg.bot(), tg] as object[]) {
    for (const name of METHOD_NAMES) {
      const method = (target as Record<string, unknown>)[name];
      if (typeof method === 'function') {
        return {
          async nextMonth() {
            const result = await (method as Renewer).call(target);
            return typeof result === 'number' ? result : Array.isArray(result) ? result.length : 0;
          },
        };
      }
    }
  }
  return undefined;
}
