import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.js';
import { ledgerSum, recordMove } from '../../src/domain/ledger.js';
import {
  checkPreCheckout,
  creditPayment,
  packPayload,
  parsePackPayload,
  refundPayment,
  type RefundStars,
  type StarRefundOutcome,
} from '../../src/domain/payments.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const PACKS = [
  { id: 'p100', credits: 100, stars: 100 },
  { id: 'p500', credits: 500, stars: 450 },
];

describe('Stars payments (domain)', () => {
  let testDb: TestDatabase;
  let db: Database;
  let nextUser = 5000n;
  const adminId = 42n;

  async function newUser(banned = false): Promise<bigint> {
    const id = nextUser++;
    await db.prisma.user.create({ data: { id, firstName: 'U', banned } });
    return id;
  }

  async function paid(userId: bigint, chargeId: string, pack = PACKS[0]!) {
    const result = await creditPayment(db.prisma, {
      payerId: userId,
      currency: 'XTR',
      totalAmount: pack.stars,
      payload: packPayload(pack, userId),
      telegramChargeId: chargeId,
    });
    expect(result.status).toBe('credited');
  }

  const refunder = (outcomes: StarRefundOutcome[]) => {
    const calls: string[] = [];
    const fn: RefundStars = async (_userId, chargeId) => {
      calls.push(chargeId);
      return outcomes.shift() ?? { ok: true };
    };
    return { fn, calls };
  };

  beforeAll(async () => {
    testDb = await createTestDatabase({ inMemory: true });
    db = await openDatabase({ databaseUrl: testDb.databaseUrl, dataDir: testDb.dataDir });
    await db.migrate();
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    await testDb?.cleanup();
  });

  it('round-trips the invoice payload within 128 bytes', () => {
    const payload = packPayload(PACKS[1]!, 9_999_999_999n);
    expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(128);
    expect(parsePackPayload(payload)).toEqual({ packId: 'p500', credits: 500, userId: 9_999_999_999n });
    expect(parsePackPayload('pack:p1:0:1')).toBeNull();
    expect(parsePackPayload('{"x":1}')).toBeNull();
  });

  it('checks the pre-checkout: pack, price, payer, ban', async () => {
    const user = await newUser();
    const banned = await newUser(true);
    const q = (over: Partial<{ payerId: bigint; payload: string; currency: string; totalAmount: number }>) =>
      checkPreCheckout(db.prisma, PACKS, { payerId: user, payload: packPayload(PACKS[0]!, user), currency: 'XTR', totalAmount: 100, ...over });
    expect((await q({})).ok).toBe(true);
    expect(await q({ payload: `pack:p999:999:${user}`, totalAmount: 999 })).toEqual({ ok: false, reason: 'unknown_pack' });
    expect(await q({ totalAmount: 50 })).toEqual({ ok: false, reason: 'price_changed' });
    expect(await q({ payload: packPayload(PACKS[0]!, 1n) })).toEqual({ ok: false, reason: 'wrong_user' });
    expect(await q({ payload: 'garbage' })).toEqual({ ok: false, reason: 'bad_payload' });
    expect(await q({ payerId: banned, payload: packPayload(PACKS[0]!, banned) })).toEqual({ ok: false, reason: 'banned' });
  });

  it('credits once per charge id, even when concurrent', async () => {
    const user = await newUser();
    const payment = { payerId: user, currency: 'XTR', totalAmount: 450, payload: packPayload(PACKS[1]!, user), telegramChargeId: 'ch-concurrent' };
    const results = await Promise.all(Array.from({ length: 6 }, () => creditPayment(db.prisma, payment)));
    expect(results.filter((r) => r.status === 'credited')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'duplicate')).toHaveLength(5);
    const row = await db.prisma.user.findUniqueOrThrow({ where: { id: user } });
    expect(row.balance).toBe(500);
    expect(await ledgerSum(db.prisma, user)).toBe(500);
    expect(await db.prisma.payment.count({ where: { telegramPaymentChargeId: 'ch-concurrent' } })).toBe(1);
    expect(await db.prisma.ledgerEntry.count({ where: { idempotencyKey: 'topup:ch-concurrent' } })).toBe(1);
  });

  it('refunds: debits, calls Telegram, marks refunded, audits; a second run reports already refunded', async () => {
    const user = await newUser();
    await paid(user, 'ch-r1');
    const tg = refunder([{ ok: true }, { ok: false, alreadyRefunded: true }]);
    const result = await refundPayment(db.prisma, { chargeId: 'ch-r1', adminId, now: new Date(), refundStars: tg.fn });
    expect(result).toMatchObject({ status: 'refunded', stars: 100, credits: 100, balance: 0 });
    const payment = await db.prisma.payment.findUniqueOrThrow({ where: { telegramPaymentChargeId: 'ch-r1' } });
    expect(payment.status).toBe('refunded');
    expect(payment.refundedAt).not.toBeNull();
    expect(await db.prisma.ledgerEntry.count({ where: { idempotencyKey: 'payment_refund:ch-r1', amount: -100 } })).toBe(1);
    expect(await db.prisma.adminAuditLog.count({ where: { action: 'payment_refund', target: 'ch-r1', adminId } })).toBe(1);

    const again = await refundPayment(db.prisma, { chargeId: 'ch-r1', adminId, now: new Date(), refundStars: tg.fn });
    expect(again.status).toBe('already_refunded');
    expect((await db.prisma.user.findUniqueOrThrow({ where: { id: user } })).balance).toBe(0);
  });

  it('refuses when the credits were spent, before calling Telegram', async () => {
    const user = await newUser();
    await paid(user, 'ch-spent');
    await recordMove(db.prisma, { userId: user, kind: 'charge', amount: -30, idempotencyKey: 'charge:g-spent' });
    const tg = refunder([]);
    const result = await refundPayment(db.prisma, { chargeId: 'ch-spent', adminId, now: new Date(), refundStars: tg.fn });
    expect(result).toMatchObject({ status: 'spent', credits: 100, balance: 70 });
    expect(tg.calls).toEqual([]);
    expect((await db.prisma.payment.findUniqueOrThrow({ where: { telegramPaymentChargeId: 'ch-spent' } })).status).toBe('paid');
  });

  it('gives the credits back when Telegram refuses, and a later attempt still works', async () => {
    const user = await newUser();
    await paid(user, 'ch-fail');
    const tg = refunder([{ ok: false, definite: true, error: 'Bad Request: CHARGE_NOT_FOUND' }, { ok: true }]);
    const first = await refundPayment(db.prisma, { chargeId: 'ch-fail', adminId, now: new Date(), refundStars: tg.fn });
    expect(first).toMatchObject({ status: 'telegram_failed', balance: 100 });
    expect((await db.prisma.payment.findUniqueOrThrow({ where: { telegramPaymentChargeId: 'ch-fail' } })).status).toBe('paid');
    expect(await db.prisma.ledgerEntry.count({ where: { idempotencyKey: 'payment_refund_reversal:ch-fail:0', amount: 100 } })).toBe(1);

    const second = await refundPayment(db.prisma, { chargeId: 'ch-fail', adminId, now: new Date(), refundStars: tg.fn });
    expect(second).toMatchObject({ status: 'refunded', balance: 0 });
    expect(await db.prisma.ledgerEntry.count({ where: { idempotencyKey: 'payment_refund:ch-fail:1' } })).toBe(1);
    const u = await db.prisma.user.findUniqueOrThrow({ where: { id: user } });
    expect(u.balance).toBe(0);
    expect(await ledgerSum(db.prisma, user)).toBe(0);
  });

  it('keeps the debit when the Telegram answer is unknown; re-running completes the refund', async () => {
    const user = await newUser();
    await paid(user, 'ch-unknown');
    const tg = refunder([{ ok: false, definite: false, error: 'socket hang up' }, { ok: true }]);
    const first = await refundPayment(db.prisma, { chargeId: 'ch-unknown', adminId, now: new Date(), refundStars: tg.fn });
    expect(first.status).toBe('uncertain');
    expect((await db.prisma.user.findUniqueOrThrow({ where: { id: user } })).balance).toBe(0);
    const second = await refundPayment(db.prisma, { chargeId: 'ch-unknown', adminId, now: new Date(), refundStars: tg.fn });
    expect(second.status).toBe('already_refunded');
    expect(tg.calls).toEqual(['ch-unknown', 'ch-unknown']);
  });

  it('refunds exactly once when two admins race', async () => {
    const user = await newUser();
    await paid(user, 'ch-race');
    const tg = refunder([]);
    const results = await Promise.all([1, 2, 3].map(() => refundPayment(db.prisma, { chargeId: 'ch-race', adminId, now: new Date(), refundStars: tg.fn })));
    expect(results.filter((r) => r.status === 'refunded')).toHaveLength(1);
    expect((await db.prisma.user.findUniqueOrThrow({ where: { id: user } })).balance).toBe(0);
    expect(await db.prisma.ledgerEntry.count({ where: { userId: user, kind: 'payment_refund' } })).toBe(1);
  });

  it('answers not_found for an unknown charge', async () => {
    const tg = refunder([]);
    expect(await refundPayment(db.prisma, { chargeId: 'nope', adminId, now: new Date(), refundStars: tg.fn })).toEqual({ status: 'not_found' });
  });
});
