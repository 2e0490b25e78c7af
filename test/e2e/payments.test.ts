import { beforeAll, describe, expect, it } from 'vitest';
import { Api } from 'grammy';
import type { FakeUser, Message } from '../support/fake-telegram/index.js';
import { useBot } from '../support/bot-fixture.js';

type Markup = { inline_keyboard: { text: string; callback_data?: string }[][] };
const buttons = (m: Message) => ((m.reply_markup as Markup | undefined)?.inline_keyboard ?? []).flat().map((b) => b.text);

describe('Telegram Stars top-ups through the fake Bot API', () => {
  let admin: FakeUser;
  let api: Api;
  const f = useBot({
    env: (fx) => {
      admin = fx.tg.user({ firstName: 'Admin', languageCode: 'en' });
      return { ADMIN_IDS: String(admin.id), CREDIT_PACKS: '100,500:450' };
    },
  });
  beforeAll(async () => {
    api = new Api(f.tg.token, { apiRoot: f.tg.apiRoot });
    await admin.sendCommand('/start');
    await admin.waitForMessage();
  });

  const prisma = () => f.bot.app.db.prisma;
  const balanceOf = async (user: FakeUser) => (await prisma().user.findUniqueOrThrow({ where: { id: BigInt(user.id) } })).balance;

  /** /topup → pick the pack → the invoice message. */
  async function invoiceFor(user: FakeUser, pack: RegExp): Promise<Message> {
    await user.sendCommand('/topup');
    const offer = await user.waitForMessage({ match: /Choose a pack|Выберите пакет/ });
    await user.tapButton(offer, pack);
    return user.waitForMessage({ match: (m) => 'invoice' in m });
  }

  async function paidUser(): Promise<{ user: FakeUser; chargeId: string }> {
    const user = f.tg.user({ languageCode: 'en' });
    const invoice = await invoiceFor(user, /^100 credits/);
    const paid = await user.pay(invoice);
    if (!paid.ok) throw new Error('payment failed');
    await user.waitForMessage({ match: /Payment received/ });
    return { user, chargeId: paid.chargeId };
  }

  it('offers the packs, sends an XTR invoice and credits once even when successful_payment arrives again', async () => {
    const user = f.tg.user({ languageCode: 'en' });
    await user.sendCommand('/topup');
    const offer = await user.waitForMessage();
    expect(offer.text).toContain('Buy credits with Telegram Stars');
    expect(buttons(offer)).toEqual(['100 credits — 100 ⭐', '500 credits — 450 ⭐']);

    await user.tapButton(offer, '500 credits — 450 ⭐');
    const invoice = await user.waitForMessage({ match: (m) => 'invoice' in m });
    expect(invoice.invoice).toMatchObject({ currency: 'XTR', total_amount: 450, title: '500 credits' });
    const sent = f.tg.calls('sendInvoice').at(-1)!;
    expect(sent.params.provider_token ?? '').toBe('');
    const prices = typeof sent.params.prices === 'string' ? JSON.parse(sent.params.prices) : sent.params.prices;
    expect(prices).toEqual([{ label: '500 credits', amount: 450 }]);
    expect(String(sent.params.payload)).toBe(`pack:p500:500:${user.id}`);

    const started = Date.now();
    const paid = await user.pay(invoice);
    expect(paid.ok).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000); // pre-checkout answered well within 10 s
    if (!paid.ok) return;
    const confirmation = await user.waitForMessage({ match: /Payment received/ });
    expect(confirmation.text).toContain('+500 credits');
    expect(confirmation.text).toContain('Your balance: 500 credits');

    // The same update again (redelivery), and the same payment in a new update.
    f.tg.redeliver(paid.updateId!);
    f.tg.enqueueUpdate({ message: paid.message });
    await user.sendCommand('/balance');
    expect((await user.waitForMessage({ match: /Your balance/ })).text).toContain('Your balance: 500 credits');
    expect(await balanceOf(user)).toBe(500);
    expect(await prisma().payment.count({ where: { telegramPaymentChargeId: paid.chargeId } })).toBe(1);
    expect(await prisma().ledgerEntry.count({ where: { idempotencyKey: `topup:${paid.chargeId}` } })).toBe(1);
    const payment = await prisma().payment.findUniqueOrThrow({ where: { telegramPaymentChargeId: paid.chargeId } });
    expect(payment).toMatchObject({ stars: 450, credits: 500, packId: 'p500', status: 'paid' });
    expect(user.messages().filter((m) => /Payment received/.test(String(m.text)))).toHaveLength(1);
  });

  it('the Top up menu button offers the packs, in Russian too', async () => {
    const user = f.tg.user({ languageCode: 'ru' });
    await user.sendCommand('/start');
    const menu = await user.waitForMessage();
    await user.tapButton(menu, '⭐ Пополнить');
    const offer = await user.waitForMessage({ match: /Выберите пакет/ });
    expect(buttons(offer)).toEqual(['100 кредитов — 100 ⭐', '500 кредитов — 450 ⭐']);
  });

  it('refuses a pre-checkout for an unknown pack or a changed price, with a message', async () => {
    const user = f.tg.user({ languageCode: 'en' });
    await user.sendCommand('/start');
    await user.waitForMessage();
    const stale = await api.sendInvoice(user.chatId, '999 credits', 'old pack', `pack:p999:999:${user.id}`, 'XTR', [{ label: '999 credits', amount: 999 }]);
    const refused = await user.pay(stale.message_id);
    expect(refused).toEqual({ ok: false, errorMessage: 'This offer has expired. Please send /topup and choose a pack again.', timedOut: false });

    const cheap = await api.sendInvoice(user.chatId, '100 credits', 'cheap', `pack:p100:100:${user.id}`, 'XTR', [{ label: '100 credits', amount: 1 }]);
    const refused2 = await user.pay(cheap.message_id);
    expect(refused2).toMatchObject({ ok: false, errorMessage: expect.stringContaining('price of this pack has changed') });
    expect(await balanceOf(user)).toBe(0);
    expect(
      f.tg
        .bot()
        .charges()
        .filter((c) => c.userId === user.id),
    ).toEqual([]);
  });

  it('a banned user cannot pay: the pre-checkout is refused in their language and /topup says why', async () => {
    const user = f.tg.user({ languageCode: 'ru' });
    const invoice = await invoiceFor(user, /^100 /);
    await admin.sendCommand(`/ban ${user.id}`);
    expect((await admin.waitForMessage()).text).toContain('is banned');

    const refused = await user.pay(invoice);
    expect(refused).toMatchObject({ ok: false, timedOut: false, errorMessage: expect.stringContaining('аккаунт заблокирован') });
    expect(await balanceOf(user)).toBe(0);
    await user.sendCommand('/topup');
    expect((await user.waitForMessage()).text).toBe('Ваш аккаунт заблокирован. Если это ошибка, напишите в /paysupport.');

    await admin.sendCommand(`/unban ${user.id}`);
    expect((await admin.waitForMessage()).text).toContain('is unbanned');
    const again = await invoiceFor(user, /^100 /);
    expect((await user.pay(again)).ok).toBe(true);
    await user.waitForMessage({ match: /Оплата получена/ });
    expect(await balanceOf(user)).toBe(100);
  });

  it('/paysupport explains refunds and forwards a question to the admins', async () => {
    const user = f.tg.user({ firstName: 'Bob', username: 'bob_pays', languageCode: 'en' });
    await user.sendCommand('/paysupport');
    const help = await user.waitForMessage();
    expect(help.text).toContain('Payment support');
    expect(help.text).toContain('refunded');
    await user.sendCommand('/paysupport I paid but got nothing');
    expect((await user.waitForMessage()).text).toContain('your message went to our support team');
    const forwarded = await admin.waitForMessage({ match: /Support request/ });
    expect(forwarded.text).toContain(`id ${user.id}, @bob_pays`);
    expect(forwarded.text).toContain('I paid but got nothing');
  });

  it('/refundpayment returns the Stars and takes the credits back, once', async () => {
    const { user, chargeId } = await paidUser();
    await admin.sendCommand(`/refundpayment ${chargeId}`);
    const done = await admin.waitForMessage();
    expect(done.text).toContain('Refunded 100 ⭐');
    expect(done.text).toContain('balance 0');
    expect(
      f.tg
        .bot()
        .charges()
        .find((c) => c.chargeId === chargeId)?.refunded,
    ).toBe(true);
    expect(await balanceOf(user)).toBe(0);
    const payment = await prisma().payment.findUniqueOrThrow({ where: { telegramPaymentChargeId: chargeId } });
    expect(payment.status).toBe('refunded');
    expect(await prisma().ledgerEntry.count({ where: { idempotencyKey: `payment_refund:${chargeId}`, amount: -100, kind: 'payment_refund' } })).toBe(1);
    expect(await prisma().adminAuditLog.count({ where: { action: 'payment_refund', target: chargeId, adminId: BigInt(admin.id) } })).toBe(1);
    // Telegram's refunded_payment service message reaches the user.
    expect((await user.waitForMessage({ match: /refunded to you/ })).text).toBe('↩️ 100 ⭐ were refunded to you.');

    await admin.sendCommand(`/refundpayment ${chargeId}`);
    expect((await admin.waitForMessage()).text).toContain('already refunded');
    expect(await balanceOf(user)).toBe(0);
  });

  it('/refundpayment refuses when the credits were spent, before calling Telegram', async () => {
    const { user, chargeId } = await paidUser();
    await admin.sendCommand(`/grant ${user.id} -30 used`);
    await admin.waitForMessage({ match: /Balance now 70/ });
    const refundCalls = f.tg.calls('refundStarPayment').length;
    await admin.sendCommand(`/refundpayment ${chargeId}`);
    const answer = await admin.waitForMessage();
    expect(answer.text).toContain('Not refunded');
    expect(answer.text).toContain('70 credits left of the 100');
    expect(f.tg.calls('refundStarPayment')).toHaveLength(refundCalls);
    expect(
      f.tg
        .bot()
        .charges()
        .find((c) => c.chargeId === chargeId)?.refunded,
    ).toBe(false);
    expect(await balanceOf(user)).toBe(70);
  });

  it('/refundpayment gives the credits back when Telegram refuses', async () => {
    const { user, chargeId } = await paidUser();
    f.tg.failNext('refundStarPayment', { code: 400, description: 'CHARGE_NOT_FOUND' });
    await admin.sendCommand(`/refundpayment ${chargeId}`);
    const answer = await admin.waitForMessage();
    expect(answer.text).toContain('Telegram refused the refund');
    expect(await balanceOf(user)).toBe(100);
    expect((await prisma().payment.findUniqueOrThrow({ where: { telegramPaymentChargeId: chargeId } })).status).toBe('paid');
    expect(await prisma().adminAuditLog.count({ where: { action: 'payment_refund_failed', target: chargeId } })).toBe(1);
  });

  it('an unknown charge id gets a clear answer', async () => {
    await admin.sendCommand('/refundpayment nope');
    expect((await admin.waitForMessage()).text).toContain('There is no payment with charge id "nope"');
    await admin.sendCommand('/refundpayment');
    expect((await admin.waitForMessage()).text).toContain('Usage: /refundpayment CHARGE_ID');
  });
});
