/** Pure parts of the growth features: settings, broadcast arguments, payloads. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { parseBroadcast } from '../../src/bot/features/admin/broadcast.js';
import { parseSubscriptionPayload, subscriptionPayload } from '../../src/domain/subscriptions.js';
import { rewardFor } from '../../src/domain/referrals.js';

const env = (extra: Record<string, string> = {}) => loadConfig({ BOT_TOKEN: '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ', ENV_FILE: 'none', ...extra });

describe('growth settings', () => {
  it('defaults: no welcome credits, 10 % referrals, no plans, a 30-day period', () => {
    const c = env();
    expect([c.WELCOME_CREDITS, c.REFERRAL_PERCENT, c.SUBSCRIPTION_PLANS, c.SUBSCRIPTION_PERIOD_SECONDS]).toEqual([0, 10, [], 2_592_000]);
  });

  it('parses plans and rejects bad ones with one clear line', () => {
    expect(env({ SUBSCRIPTION_PLANS: '600:500, 1500:1100,600:500' }).SUBSCRIPTION_PLANS).toEqual([
      { id: '600x500', credits: 600, stars: 500 },
      { id: '1500x1100', credits: 1500, stars: 1100 },
    ]);
    expect(() => env({ SUBSCRIPTION_PLANS: '600' })).toThrow(/^SUBSCRIPTION_PLANS must look like "600:500,1500:1100"/);
    expect(() => env({ SUBSCRIPTION_PLANS: '600:10001' })).toThrow(/stars 1–10000/);
    expect(() => env({ REFERRAL_PERCENT: '101' })).toThrow(/^REFERRAL_PERCENT must be between 0 and 100/);
    expect(() => env({ SUBSCRIPTION_PERIOD_SECONDS: '30' })).toThrow(/^SUBSCRIPTION_PERIOD_SECONDS/);
    expect(env({ SUBSCRIPTION_PERIOD_SECONDS: '60' }).SUBSCRIPTION_PERIOD_SECONDS).toBe(60);
  });
});

describe('broadcast arguments', () => {
  it('takes an optional segment and a button on the last line', () => {
    expect(parseBroadcast('Hello all', 'bot')).toEqual({ ok: true, segment: 'all', text: 'Hello all', button: undefined });
    expect(parseBroadcast('RU Привет\nвторая строка', 'bot')).toEqual({ ok: true, segment: 'ru', text: 'Привет\nвторая строка', button: undefined });
    expect(parseBroadcast('paying Thanks!\n[Open site](https://example.com/x?a=1)', 'bot')).toEqual({
      ok: true,
      segment: 'paying',
      text: 'Thanks!',
      button: { text: 'Open site', url: 'https://example.com/x?a=1' },
    });
    expect(parseBroadcast('inactive Come back\n[Top up](/topup)', 'my_bot')).toMatchObject({
      segment: 'inactive',
      button: { text: 'Top up', url: 'https://t.me/my_bot?start=cmd_topup' },
    });
    // "subscribers" alone is a segment without text.
    expect(parseBroadcast('subscribers', 'bot')).toEqual({ ok: false, error: 'empty' });
    expect(parseBroadcast('Hi\n[x](/rm_rf)', 'bot')).toEqual({ ok: false, error: 'bad_button' });
    expect(parseBroadcast('Hi\n[x](tg://resolve)', 'bot')).toEqual({ ok: false, error: 'bad_button' });
    expect(parseBroadcast('[only a button](https://a.b)', 'bot')).toEqual({ ok: false, error: 'empty' });
    expect(parseBroadcast(`en ${'x'.repeat(4097)}`, 'bot')).toEqual({ ok: false, error: 'too_long' });
  });
});

describe('payloads and rewards', () => {
  it('subscription payloads are unique per plan and user and fit Telegram', () => {
    const p = subscriptionPayload({ credits: 600, stars: 500 }, 9_999_999_999n);
    expect(p).toBe('sub:600:500:9999999999');
    expect(Buffer.byteLength(p)).toBeLessThanOrEqual(128);
    expect(parseSubscriptionPayload(p)).toEqual({ credits: 600, stars: 500, userId: 9_999_999_999n });
    expect(parseSubscriptionPayload('pack:p100:100:1')).toBeNull();
    expect(parseSubscriptionPayload('sub:0:5:1')).toBeNull();
  });

  it('rounds the referral reward down', () => {
    expect([rewardFor(100, 10), rewardFor(15, 10), rewardFor(9, 10), rewardFor(600, 0)]).toEqual([10, 1, 0, 0]);
  });
});
