/**
 * Referrals: a user's link carries `ref_<code>` (the user id in base 36). A new user is
 * attributed once, at first contact (see welcome.ts). The inviter earns a percentage of the
 * credits of each of the invitee's Stars payments, once per charge id (`referral:<chargeId>`,
 * written with the ReferralReward row in one transaction). When a payment is refunded the reward
 * is taken back as far as the inviter's balance allows (`referral_reversal:<chargeId>`); what
 * the balance could not cover is recorded on the reward and in the audit log.
 */
import type { PrismaClient } from '../db/client.js';
import { applyMove, inLedgerTransaction, LedgerRejection } from './ledger.js';
import { writeAudit } from './admin.js';

/** Audit rows written by the bot itself (no admin acted) use this admin id. */
export const SYSTEM_ADMIN_ID = 0n;

export function referralCode(userId: bigint | number): string {
  return BigInt(userId).toString(36);
}

export function parseReferralCode(code: string): bigint | null {
  if (!/^[0-9a-z]{1,13}$/.test(code)) return null;
  let id = 0n;
  for (const ch of code) id = id * 36n + BigInt(parseInt(ch, 36));
  return id > 0n && id < 2n ** 63n ? id : null;
}

export function referralLink(botUsername: string, userId: bigint | number): string {
  return `https://t.me/${botUsername}?start=ref_${referralCode(userId)}`;
}

/** A /start parameter: `ref_<code>`, `promo_<CODE>` or both joined by "-". */
export function parseStartParam(param: string | undefined): { inviterId?: bigint; promo?: string } {
  const out: { inviterId?: bigint; promo?: string } = {};
  for (const part of (param ?? '').trim().split('-')) {
    const ref = /^ref_([0-9a-z]{1,13})$/.exec(part);
    if (ref) out.inviterId = parseReferralCode(ref[1]!) ?? undefined;
    const promo = /^promo_([A-Za-z0-9_]{3,32})$/.exec(part);
    if (promo) out.promo = promo[1]!.toUpperCase();
  }
  return out;
}

export function rewardFor(credits: number, percent: number): number {
  return Math.floor((credits * percent) / 100);
}

export type RewardResult =
  { status: 'rewarded'; inviterId: bigint; inviteeId: bigint; credits: number; balance: number } | { status: 'duplicate' } | { status: 'none' };

/** Rewards the inviter of the payer of `chargeId`, once. No inviter, a zero reward or no payment → none. */
export async function rewardReferral(prisma: PrismaClient, input: { chargeId: string; percent: number }): Promise<RewardResult> {
  const payment = await prisma.payment.findUnique({ where: { telegramPaymentChargeId: input.chargeId } });
  if (!payment || payment.status !== 'paid') return { status: 'none' };
  const origin = await prisma.userOrigin.findUnique({ where: { userId: payment.userId } });
  const inviterId = origin?.invitedBy;
  if (!inviterId || inviterId === payment.userId) return { status: 'none' };
  const credits = rewardFor(payment.credits, input.percent);
  if (credits <= 0) return { status: 'none' };
  const outcome = await inLedgerTransaction(prisma, async (tx) => {
    const inserted = await tx.referralReward.createMany({
      data: [{ chargeId: input.chargeId, inviterId, inviteeId: payment.userId, credits }],
      skipDuplicates: true,
    });
    if (inserted.count === 0) throw new LedgerRejection({ status: 'duplicate', balance: 0 });
    return applyMove(tx, {
      userId: inviterId,
      kind: 'referral',
      amount: credits,
      idempotencyKey: `referral:${input.chargeId}`,
      paymentId: payment.id,
      reason: `referral reward for a payment of ${payment.userId}`,
    });
  });
  if (outcome.ok) return { status: 'rewarded', inviterId, inviteeId: payment.userId, credits, balance: outcome.value };
  if (outcome.result.status === 'duplicate') return { status: 'duplicate' };
  return { status: 'none' }; // the inviter's row is gone
}

/**
 * Rewards every paid payment of `payerId` that has no reward yet (this one and any whose reward
 * a crash or a reconciliation left out). Only payers with an inviter cost more than one query.
 */
export async function rewardPendingReferrals(
  prisma: PrismaClient,
  input: { payerId: bigint; percent: number },
): Promise<Extract<RewardResult, { status: 'rewarded' }>[]> {
  if (input.percent <= 0) return [];
  const origin = await prisma.userOrigin.findUnique({ where: { userId: input.payerId }, select: { invitedBy: true } });
  if (!origin?.invitedBy) return [];
  const pending = await prisma.$queryRaw<{ chargeId: string }[]>`
    SELECT p."telegramPaymentChargeId" AS "chargeId" FROM "Payment" p
    WHERE p."userId" = ${input.payerId} AND p."status" = 'paid'
      AND NOT EXISTS (SELECT 1 FROM "ReferralReward" r WHERE r."chargeId" = p."telegramPaymentChargeId")
    ORDER BY p."createdAt" LIMIT 100`;
  const rewarded: Extract<RewardResult, { status: 'rewarded' }>[] = [];
  for (const { chargeId } of pending) {
    const result = await rewardReferral(prisma, { chargeId, percent: input.percent });
    if (result.status === 'rewarded') rewarded.push(result);
  }
  return rewarded;
}

export type ReversalResult = { status: 'reversed'; inviterId: bigint; credits: number; taken: number; shortfall: number } | { status: 'none' };

/** Takes a refunded payment's reward back, once, as far as the inviter's balance allows. */
export async function reverseReferral(prisma: PrismaClient, input: { chargeId: string; adminId?: bigint; now: Date }): Promise<ReversalResult> {
  const reward = await prisma.referralReward.findUnique({ where: { chargeId: input.chargeId } });
  if (!reward || reward.reversedAt) return { status: 'none' };
  const outcome = await inLedgerTransaction(prisma, async (tx) => {
    const claimed = await tx.referralReward.updateMany({ where: { chargeId: input.chargeId, reversedAt: null }, data: { reversedAt: input.now } });
    if (claimed.count === 0) throw new LedgerRejection({ status: 'duplicate', balance: 0 });
    const rows = await tx.$queryRaw<{ balance: number }[]>`SELECT "balance" FROM "User" WHERE "id" = ${reward.inviterId} FOR UPDATE`;
    const balance = Number(rows[0]?.balance ?? 0);
    const taken = Math.max(0, Math.min(reward.credits, balance));
    const shortfall = reward.credits - taken;
    if (taken > 0) {
      await applyMove(tx, {
        userId: reward.inviterId,
        kind: 'referral',
        amount: -taken,
        idempotencyKey: `referral_reversal:${input.chargeId}`,
        reason: 'referred payment refunded',
      });
    }
    await tx.referralReward.update({ where: { chargeId: input.chargeId }, data: { reversed: taken, shortfall } });
    await writeAudit(tx, input.adminId ?? SYSTEM_ADMIN_ID, 'referral_reversal', input.chargeId, {
      inviterId: reward.inviterId,
      inviteeId: reward.inviteeId,
      credits: reward.credits,
      taken,
      shortfall,
    });
    return { taken, shortfall };
  });
  if (!outcome.ok) return { status: 'none' };
  return { status: 'reversed', inviterId: reward.inviterId, credits: reward.credits, ...outcome.value };
}

export interface ReferralSummary {
  joined: number;
  earned: number;
}

/** How many joined through the user's link and the credits it earned (rewards minus take-backs). */
export async function referralSummary(prisma: PrismaClient, userId: bigint): Promise<ReferralSummary> {
  const [joined, rewards] = await Promise.all([
    prisma.userOrigin.count({ where: { invitedBy: userId } }),
    prisma.referralReward.aggregate({ where: { inviterId: userId }, _sum: { credits: true, reversed: true } }),
  ]);
  return { joined, earned: (rewards._sum.credits ?? 0) - (rewards._sum.reversed ?? 0) };
}
