/** Growth rules on a real database (PGlite, or PostgreSQL with TEST_DATABASE_URL, where a second pool plays a second instance). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.js';
import { ledgerSum } from '../../src/domain/ledger.js';
import { creditPayment, packPayload, refundPayment } from '../../src/domain/payments.js';
import { recordFirstContact } from '../../src/domain/welcome.js';
import {
  parseReferralCode,
  parseStartParam,
  referralCode,
  referralSummary,
  rewardPendingReferrals,
  rewardReferral,
  reverseReferral,
} from '../../src/domain/referrals.js';
import { createPromo, disablePromo, normalizeCode, redeemPromo } from '../../src/domain/promo-codes.js';
import { applySubscriptionUpdate, checkSubscriptionPreCheckout, creditSubscriptionPayment, subscriptionPayload } from '../../src/domain/subscriptions.js';
import { growthStats } from '../../src/domain/growth-stats.js';
import { countBroadcastAudience } from '../../src/broadcast/queue.js';
import { createTestDatabase, usingPostgres, type TestDatabase } from '../support/db.js';

const PACK = { id: 'p100', credits: 100, stars: 100 };
const PLAN = { id: '600x500', credits: 600, stars: 500 };

describe('growth (domain)', () => {
  let testDb: TestDatabase;
  let db: Database;
  /** A second instance's pool on the same PostgreSQL database (the same client on PGlite). */
  let db2: Database;
  let nextUser = 7000n;
  const adminId = 42n;
  const now = () => new Date();

  async function newUser(data: { banned?: boolean; balance?: number } = {}): Promise<bigint> {
    const id = nextUser++;
    await db.prisma.user.create({ data: { id, firstName: `U${id}`, banned: data.banned ?? false } });
    return id;
  }

  async function books(...ids: bigint[]): Promise<void> {
    for (const id of ids) {
      const user = await db.prisma.user.findUniqueOrThrow({ where: { id } });
      expect(await ledgerSum(db.prisma, id)).toBe(user.balance);
    }
  }

  async function pay(userId: bigint, chargeId: string): Promise<void> {
    const r = await creditPayment(db.prisma, {
      payerId: userId,
      currency: 'XTR',
      totalAmount: 100,
      payload: packPayload(PACK, userId),
      telegramChargeId: chargeId,
    });
    expect(r.status).toBe('credited');
  }

  beforeAll(async () => {
    testDb = await createTestDatabase({ inMemory: !usingPostgres });
    db = await openDatabase({ databaseUrl: testDb.databaseUrl, dataDir: testDb.dataDir });
    await db.migrate();
    db2 = usingPostgres ? await openDatabase({ databaseUrl: testDb.databaseUrl, dataDir: testDb.dataDir }) : db;
  }, 60_000);
  afterAll(async () => {
    if (db2 && db2 !== db) await db2.close();
    await db?.close();
    await testDb?.cleanup();
  });

  describe('welcome credits and attribution', () => {
    it('credits a new user once, however many contacts race (two instances on PostgreSQL)', async () => {
      const user = await newUser();
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => recordFirstContact(i % 2 ? db2.prisma : db.prisma, { userId: user, welcomeCredits: 50 })),
      );
      expect(results.filter((r) => r.status === 'new')).toHaveLength(1);
      expect(await recordFirstContact(db.prisma, { userId: user, welcomeCredits: 50 })).toEqual({ status: 'known' });
      const rows = await db.prisma.ledgerEntry.findMany({ where: { userId: user } });
      expect(rows.map((r) => [r.kind, r.amount, r.idempotencyKey])).toEqual([['welcome', 50, `welcome:${user}`]]);
      await books(user);
    });

    it('writes no ledger row with WELCOME_CREDITS=0, but still records the first contact', async () => {
      const user = await newUser();
      expect(await recordFirstContact(db.prisma, { userId: user, welcomeCredits: 0 })).toMatchObject({ status: 'new', welcomeCredits: 0 });
      expect(await db.prisma.ledgerEntry.count({ where: { userId: user } })).toBe(0);
      expect(await db.prisma.userOrigin.count({ where: { userId: user } })).toBe(1);
    });

    it('attributes at first contact only, never to oneself or a banned inviter', async () => {
      const inviter = await newUser();
      const banned = await newUser({ banned: true });
      const a = await newUser();
      const b = await newUser();
      const c = await newUser();
      expect(await recordFirstContact(db.prisma, { userId: a, inviterId: inviter, welcomeCredits: 0 })).toMatchObject({ inviterId: inviter });
      expect(await recordFirstContact(db.prisma, { userId: b, inviterId: b, welcomeCredits: 0 })).toMatchObject({ inviterId: null });
      expect(await recordFirstContact(db.prisma, { userId: c, inviterId: banned, welcomeCredits: 0 })).toMatchObject({ inviterId: null });
      // An existing user opening a link later is not attributed.
      expect(await recordFirstContact(db.prisma, { userId: c, inviterId: inviter, welcomeCredits: 0 })).toEqual({ status: 'known' });
      expect((await db.prisma.userOrigin.findUniqueOrThrow({ where: { userId: c } })).invitedBy).toBeNull();
      expect(await referralSummary(db.prisma, inviter)).toEqual({ joined: 1, earned: 0 });
    });

    it('parses links: ref codes round-trip, promo codes are upper-cased, both can be combined', () => {
      expect(parseReferralCode(referralCode(6_123_456_789n))).toBe(6_123_456_789n);
      expect(parseStartParam(`ref_${referralCode(77n)}-promo_summer`)).toEqual({ inviterId: 77n, promo: 'SUMMER' });
      expect(parseStartParam('promo_X1')).toEqual({});
      expect(parseStartParam('ref_!!')).toEqual({});
      expect(normalizeCode(' a_b1 ')).toBe('A_B1');
      expect(normalizeCode('ab')).toBeNull();
    });
  });

  describe('referral rewards', () => {
    it('rewards the inviter once per charge id and takes it back on refund, the shortfall audited', async () => {
      const inviter = await newUser();
      const invitee = await newUser();
      await recordFirstContact(db.prisma, { userId: invitee, inviterId: inviter, welcomeCredits: 0 });
      await pay(invitee, 'ch-ref-1');
      await pay(invitee, 'ch-ref-2');
      const rewards = await Promise.all([
        rewardReferral(db.prisma, { chargeId: 'ch-ref-1', percent: 10 }),
        rewardReferral(db2.prisma, { chargeId: 'ch-ref-1', percent: 10 }),
        rewardReferral(db.prisma, { chargeId: 'ch-ref-2', percent: 10 }),
      ]);
      expect(rewards.map((r) => r.status).sort()).toEqual(['duplicate', 'rewarded', 'rewarded']);
      expect((await db.prisma.user.findUniqueOrThrow({ where: { id: inviter } })).balance).toBe(20);
      expect(await referralSummary(db.prisma, inviter)).toEqual({ joined: 1, earned: 20 });

      // The inviter spends 15 of the 20; both payments are refunded.
      await db.prisma.$transaction(async (tx) => {
        const { applyMove } = await import('../../src/domain/ledger.js');
        await applyMove(tx, { userId: inviter, kind: 'charge', amount: -15, idempotencyKey: `charge:test:${inviter}` });
      });
      const refundStars = async () => ({ ok: true as const });
      for (const chargeId of ['ch-ref-1', 'ch-ref-2']) {
        expect((await refundPayment(db.prisma, { chargeId, adminId, now: now(), refundStars })).status).toBe('refunded');
      }
      const first = await reverseReferral(db.prisma, { chargeId: 'ch-ref-1', adminId, now: now() });
      expect(first).toMatchObject({ status: 'reversed', taken: 5, shortfall: 5 });
      expect(await reverseReferral(db.prisma, { chargeId: 'ch-ref-1', adminId, now: now() })).toEqual({ status: 'none' });
      expect(await reverseReferral(db2.prisma, { chargeId: 'ch-ref-2', now: now() })).toMatchObject({ status: 'reversed', taken: 0, shortfall: 10 });
      expect((await db.prisma.user.findUniqueOrThrow({ where: { id: inviter } })).balance).toBe(0);
      const audit = await db.prisma.adminAuditLog.findMany({
        where: { action: 'referral_reversal', target: { in: ['ch-ref-1', 'ch-ref-2'] } },
        orderBy: { id: 'asc' },
      });
      expect(audit.map((a) => (a.details as { shortfall: number }).shortfall)).toEqual([5, 10]);
      expect(await db.prisma.ledgerEntry.count({ where: { idempotencyKey: { startsWith: 'referral_reversal:ch-ref-' } } })).toBe(1);
      await books(inviter, invitee);
    });

    it('catches up a reward a crash left out, once', async () => {
      const inviter = await newUser();
      const invitee = await newUser();
      await recordFirstContact(db.prisma, { userId: invitee, inviterId: inviter, welcomeCredits: 0 });
      await pay(invitee, 'ch-lost'); // credited, but the process died before the reward
      await pay(invitee, 'ch-next');
      const both = await Promise.all([
        rewardPendingReferrals(db.prisma, { payerId: invitee, percent: 10 }),
        rewardPendingReferrals(db2.prisma, { payerId: invitee, percent: 10 }),
      ]);
      expect(both.flat().map((r) => r.credits)).toEqual([10, 10]);
      expect(await rewardPendingReferrals(db.prisma, { payerId: invitee, percent: 10 })).toEqual([]);
      expect(await db.prisma.ledgerEntry.count({ where: { userId: inviter, kind: 'referral' } })).toBe(2);
      await books(inviter);
    });

    it('gives nothing for a payer nobody invited, or a reward that rounds to zero', async () => {
      const alone = await newUser();
      await pay(alone, 'ch-alone');
      expect(await rewardReferral(db.prisma, { chargeId: 'ch-alone', percent: 10 })).toEqual({ status: 'none' });
      const inviter = await newUser();
      const invitee = await newUser();
      await recordFirstContact(db.prisma, { userId: invitee, inviterId: inviter, welcomeCredits: 0 });
      await pay(invitee, 'ch-tiny');
      expect(await rewardReferral(db.prisma, { chargeId: 'ch-tiny', percent: 0 })).toEqual({ status: 'none' });
    });
  });

  describe('promo codes', () => {
    it('credits each user once and answers expired / off / used up / unknown distinctly', async () => {
      const t0 = now();
      expect((await createPromo(db.prisma, { adminId, code: 'ONE', credits: 30, maxUses: 1, now: t0 })).status).toBe('created');
      expect((await createPromo(db.prisma, { adminId, code: 'ONE', credits: 30, now: t0 })).status).toBe('exists');
      await createPromo(db.prisma, { adminId, code: 'OLD', credits: 30, days: 1, now: new Date(t0.getTime() - 2 * 86_400_000) });
      await createPromo(db.prisma, { adminId, code: 'GONE', credits: 30, now: t0 });
      expect((await disablePromo(db.prisma, { adminId, code: 'GONE' })).status).toBe('ok');
      expect((await disablePromo(db.prisma, { adminId, code: 'GONE' })).status).toBe('unchanged');
      const u1 = await newUser();
      const u2 = await newUser();
      expect(await redeemPromo(db.prisma, { userId: u1, text: 'one', now: t0 })).toMatchObject({ status: 'redeemed', credits: 30, balance: 30 });
      expect(await redeemPromo(db.prisma, { userId: u1, text: 'ONE', now: t0 })).toEqual({ status: 'already_used', code: 'ONE' });
      expect(await redeemPromo(db.prisma, { userId: u2, text: 'ONE', now: t0 })).toEqual({ status: 'used_up', code: 'ONE' });
      expect(await redeemPromo(db.prisma, { userId: u2, text: 'OLD', now: t0 })).toEqual({ status: 'expired', code: 'OLD' });
      expect(await redeemPromo(db.prisma, { userId: u2, text: 'GONE', now: t0 })).toEqual({ status: 'off', code: 'GONE' });
      expect(await redeemPromo(db.prisma, { userId: u2, text: 'NOPE', now: t0 })).toEqual({ status: 'unknown' });
      expect(await db.prisma.adminAuditLog.count({ where: { action: { in: ['promo_create', 'promo_off'] }, target: { in: ['ONE', 'OLD', 'GONE'] } } })).toBe(4);
      await books(u1, u2);
    });

    it('rate-limits guessing per user, in the database', async () => {
      const t0 = now();
      await createPromo(db.prisma, { adminId, code: 'REAL', credits: 5, now: t0 });
      const guesser = await newUser();
      const other = await newUser();
      const limit = { maxFailures: 3, windowMs: 60_000 };
      for (const guess of ['AAA', 'BBB', 'CCC'])
        expect((await redeemPromo(db.prisma, { userId: guesser, text: guess, now: t0, limit })).status).toBe('unknown');
      // Even the right code is refused while locked out, from any instance.
      const locked = await redeemPromo(db2.prisma, { userId: guesser, text: 'REAL', now: new Date(t0.getTime() + 1000), limit });
      expect(locked.status).toBe('rate_limited');
      expect((await redeemPromo(db.prisma, { userId: other, text: 'REAL', now: t0, limit })).status).toBe('redeemed');
      const later = new Date(t0.getTime() + 61_000);
      expect(await redeemPromo(db.prisma, { userId: guesser, text: 'REAL', now: later, limit })).toMatchObject({ status: 'redeemed', credits: 5 });
    });

    it('holds the use limit exactly when many users race for the last uses (two instances on PostgreSQL)', async () => {
      const t0 = now();
      await createPromo(db.prisma, { adminId, code: 'RACE', credits: 7, maxUses: 5, now: t0 });
      const users = await Promise.all(Array.from({ length: 16 }, () => newUser()));
      const results = await Promise.all(users.map((u, i) => redeemPromo(i % 2 ? db2.prisma : db.prisma, { userId: u, text: 'RACE', now: t0 })));
      expect(results.filter((r) => r.status === 'redeemed')).toHaveLength(5);
      expect(results.filter((r) => r.status === 'used_up')).toHaveLength(11);
      expect((await db.prisma.promoCode.findUniqueOrThrow({ where: { code: 'RACE' } })).uses).toBe(5);
      expect(await db.prisma.promoRedemption.count({ where: { code: 'RACE' } })).toBe(5);
      expect(await db.prisma.ledgerEntry.count({ where: { idempotencyKey: { startsWith: 'promo:RACE:' } } })).toBe(5);
      await books(...users);

      // The last use raced by two users: exactly one wins. One user racing twice: credited once.
      await createPromo(db.prisma, { adminId, code: 'LAST', credits: 9, maxUses: 1, now: t0 });
      const [a, b] = [await newUser(), await newUser()];
      const pair = await Promise.all([
        redeemPromo(db.prisma, { userId: a, text: 'LAST', now: t0 }),
        redeemPromo(db2.prisma, { userId: b, text: 'LAST', now: t0 }),
      ]);
      expect(pair.map((r) => r.status).sort()).toEqual(['redeemed', 'used_up']);
      await createPromo(db.prisma, { adminId, code: 'TWICE', credits: 4, now: t0 });
      const same = await Promise.all([
        redeemPromo(db.prisma, { userId: a, text: 'TWICE', now: t0 }),
        redeemPromo(db2.prisma, { userId: a, text: 'TWICE', now: t0 }),
      ]);
      expect(same.map((r) => r.status).sort()).toEqual(['already_used', 'redeemed']);
      await books(a, b);
    });
  });

  describe('Stars subscriptions', () => {
    it('credits the first payment and every renewal once per charge id; states follow the updates; refunds as packs', async () => {
      const user = await newUser();
      const payload = subscriptionPayload(PLAN, user);
      const check = (over: Partial<{ payload: string; totalAmount: number; payerId: bigint }> = {}) =>
        checkSubscriptionPreCheckout(db.prisma, [PLAN], { payerId: user, payload, currency: 'XTR', totalAmount: 500, now: now(), ...over });
      expect((await check()).ok).toBe(true);
      expect(await check({ totalAmount: 400 })).toEqual({ ok: false, reason: 'unknown_plan' });
      expect(await check({ payerId: user + 1000n })).toEqual({ ok: false, reason: 'wrong_user' });

      const exp1 = new Date(Date.now() + 30 * 86_400_000);
      const charge = (chargeId: string, first: boolean, expiresAt: Date, prisma = db.prisma) =>
        creditSubscriptionPayment(prisma, {
          payerId: user,
          currency: 'XTR',
          totalAmount: 500,
          payload,
          telegramChargeId: chargeId,
          isFirstRecurring: first,
          expiresAt,
        });
      const firsts = await Promise.all([charge('sub-1', true, exp1), charge('sub-1', true, exp1, db2.prisma)]);
      expect(firsts.map((r) => r.status).sort()).toEqual(['credited', 'duplicate']);
      expect(await check()).toEqual({ ok: false, reason: 'already_subscribed' });
      const exp2 = new Date(exp1.getTime() + 30 * 86_400_000);
      expect(await charge('sub-2', false, exp2)).toMatchObject({ status: 'credited', first: false, balance: 1200 });
      expect((await charge('sub-2', false, exp2)).status).toBe('duplicate');
      let sub = await db.prisma.starSubscription.findUniqueOrThrow({ where: { payload } });
      expect(sub).toMatchObject({ state: 'active', firstChargeId: 'sub-1', lastChargeId: 'sub-2', payments: 2 });
      expect(sub.expiresAt?.getTime()).toBe(exp2.getTime());

      expect((await applySubscriptionUpdate(db.prisma, { userId: user, payload, state: 'canceled' }))?.state).toBe('canceled');
      expect(await applySubscriptionUpdate(db.prisma, { userId: user + 1n, payload, state: 'active' })).toBeNull();
      expect((await applySubscriptionUpdate(db.prisma, { userId: user, payload, state: 'failed' }))?.state).toBe('failed');
      sub = (await applySubscriptionUpdate(db.prisma, { userId: user, payload, state: 'active' }))!;
      expect(sub.state).toBe('active');

      const stats = await growthStats(db.prisma, { today: new Date(Date.now() - 3_600_000), week: new Date(Date.now() - 7 * 86_400_000) }, now());
      expect(stats.subscribers).toBeGreaterThanOrEqual(1);
      expect(stats.monthlyStars).toBeGreaterThanOrEqual(500);
      expect(stats.today.subscriptionPayments).toBeGreaterThanOrEqual(2);

      const refunded = await refundPayment(db.prisma, { chargeId: 'sub-2', adminId, now: now(), refundStars: async () => ({ ok: true }) });
      expect(refunded).toMatchObject({ status: 'refunded', credits: 600, balance: 600 });
      await books(user);
    });

    it('counts broadcast segments: paying, subscribers, languages', async () => {
      const all = await countBroadcastAudience(db.prisma, 'all');
      const paying = await countBroadcastAudience(db.prisma, 'paying');
      const subscribers = await countBroadcastAudience(db.prisma, 'subscribers');
      const ru = await countBroadcastAudience(db.prisma, 'ru');
      const en = await countBroadcastAudience(db.prisma, 'en');
      expect(paying).toBeGreaterThan(0);
      expect(paying).toBeLessThan(all);
      expect(subscribers).toBe(1);
      expect(ru + en).toBe(all);
      const id = await newUser();
      await db.prisma.user.update({ where: { id }, data: { telegramLanguage: 'uk' } });
      expect(await countBroadcastAudience(db.prisma, 'ru')).toBe(ru + 1);
      await db.prisma.user.update({ where: { id }, data: { language: 'en' } });
      expect(await countBroadcastAudience(db.prisma, 'ru')).toBe(ru);
      await db.prisma.user.update({ where: { id }, data: { lastSeenAt: new Date(Date.now() - 40 * 86_400_000) } });
      expect(await countBroadcastAudience(db.prisma, 'inactive')).toBeGreaterThanOrEqual(1);
    });
  });
});
