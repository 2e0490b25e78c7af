/**
 * docs/providers.md §failure-model, payments: a successful_payment is never acknowledged before its credit is
 * committed. A database fault at the credit (a trigger failing the Payment insert, on PGlite and
 * PostgreSQL) ends with the credits on the balance exactly once: by Telegram's redelivery in
 * webhook mode (the bot answers 5xx), by the in-handler retry or the getStarTransactions
 * reconciliation in long polling (the runner has already confirmed the update).
 */
import { describe, expect, it } from 'vitest';
import type { FakeUser, Message } from '../support/fake-telegram/index.js';
import { useBot, type BotFixture } from '../support/bot-fixture.js';
import { eventually } from '../support/drive.js';
import { failNextPaymentCredits, paymentCreditAttempts } from '../support/db-faults.js';

async function buyPack(f: BotFixture): Promise<{ user: FakeUser; chargeId: string }> {
  const user = await f.newUser(0);
  await user.sendCommand('/topup');
  const offer = await user.waitForMessage({ match: /Choose a pack/ });
  await user.tapButton(offer, /^100 credits/);
  const invoice: Message = await user.waitForMessage({ match: (m) => 'invoice' in m });
  const paid = await user.pay(invoice);
  if (!paid.ok) throw new Error('payment refused');
  return { user, chargeId: paid.chargeId };
}

async function expectCreditedOnce(f: BotFixture, user: FakeUser, chargeId: string): Promise<void> {
  await user.waitForMessage({ match: /Payment received/, timeoutMs: 20_000 });
  expect(await f.balanceOf(user)).toBe(100);
  expect(await f.ledgerOf(user)).toEqual(['topup:100']);
  expect(await f.prisma().payment.count({ where: { telegramPaymentChargeId: chargeId } })).toBe(1);
  await new Promise((r) => setTimeout(r, 300));
  expect(user.messages().filter((m) => /Payment received/.test(String(m.text)))).toHaveLength(1);
}

describe('webhook mode: a database fault at the credit answers 5xx and Telegram redelivers', { timeout: 60_000 }, () => {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const f = useBot({
    telegram: { webhookRetryBaseMs: 50 },
    env: {
      CREDIT_PACKS: '100',
      PORT: String(port),
      WEBHOOK_URL: `http://127.0.0.1:${port}/telegram/webhook`,
      WEBHOOK_SECRET: 'test-secret-0123456789',
      PAYMENT_RECONCILE_INTERVAL_MS: '3600000',
    },
  });

  it('the payment fails twice over its retry budget, is redelivered, and is credited once', async () => {
    // 5 tries per delivery within the webhook budget: 7 failures = two 5xx answers, then success.
    await failNextPaymentCredits(f.prisma(), 7);
    const { user, chargeId } = await buyPack(f);
    await expectCreditedOnce(f, user, chargeId);
    expect(await paymentCreditAttempts(f.prisma())).toBeGreaterThanOrEqual(8);
    expect(f.tg.webhookInfo()).toMatchObject({ pending_update_count: 0 });
    expect(String(f.tg.webhookInfo().last_error_message ?? '')).toMatch(/Wrong response from the webhook: 5\d\d/);
  });
});

describe('long polling: retried in the handler, reconciled against getStarTransactions', { timeout: 60_000 }, () => {
  const f = useBot({
    env: { CREDIT_PACKS: '100', PAYMENT_CREDIT_RETRY_MS: '300', PAYMENT_RECONCILE_INTERVAL_MS: '1000' },
  });

  it('a passing fault is retried by the handler: credited once', async () => {
    await failNextPaymentCredits(f.prisma(), 2);
    const { user, chargeId } = await buyPack(f);
    await expectCreditedOnce(f, user, chargeId);
  });

  it('a fault longer than the budget: the update is gone, reconciliation credits the charge once', async () => {
    await failNextPaymentCredits(f.prisma(), 5);
    const { user, chargeId } = await buyPack(f);
    await eventually(async () => (await paymentCreditAttempts(f.prisma())) > 0, 10_000, 'the first credit attempts');
    await expectCreditedOnce(f, user, chargeId);
    // Telegram's list and the ledger agree; later passes credit nothing more.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await f.ledgerOf(user)).toEqual(['topup:100']);
  });

  it('a charge the bot never saw (lost update) is credited from the transaction list', async () => {
    const user = await f.newUser(0);
    const bot = f.tg.bot().state;
    const invoice = {
      chatId: user.chatId,
      messageId: 1,
      title: '100 credits',
      description: 'x',
      payload: `pack:p100:100:${user.id}`,
      currency: 'XTR' as const,
      amount: 100,
      label: '100 credits',
    };
    const charge = bot.payments.charge(user.id, invoice);
    await expectCreditedOnce(f, user, charge.chargeId);
  });

  it('a subscription charge the bot never saw is credited from the transaction list once, with its subscription', async () => {
    const user = await f.newUser(0);
    const bot = f.tg.bot().state;
    const payload = `sub:600:500:${user.id}`;
    const invoice = { chatId: user.chatId, messageId: 1, title: 'Monthly', description: 'x', payload, currency: 'XTR' as const, amount: 500, label: 'Monthly' };
    const charge = bot.payments.charge(user.id, invoice);
    await user.waitForMessage({ match: /Payment received/, timeoutMs: 20_000 });
    expect(await f.balanceOf(user)).toBe(600);
    expect(await f.ledgerOf(user)).toEqual(['topup:600']);
    expect(await f.prisma().payment.count({ where: { telegramPaymentChargeId: charge.chargeId } })).toBe(1);
    expect(await f.prisma().starSubscription.findUnique({ where: { payload } })).toMatchObject({ credits: 600, stars: 500 });
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await f.ledgerOf(user)).toEqual(['topup:600']);
  });
});
