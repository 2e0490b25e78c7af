/**
 * Telegram Stars subscriptions, as plain functions on the database.
 *
 * - The invoice payload is `sub:<credits>:<stars>:<userId>`: unique per plan and user, and it
 *   carries the credits promised at the price shown.
 * - Every successful_payment of a plan (the first and each renewal, each with a new charge id) is
 *   a Payment row and the ledger row `topup:<chargeId>`, in one transaction with the
 *   StarSubscription row's new state and expiry — so a charge is credited once, and a refund
 *   goes through the same path as a pack's (domain/payments.ts refundPayment).
 * - `subscription` updates (canceled / active / failed) only change the state; access lasts
 *   until `expiresAt` (Telegram's subscription_expiration_date).
 */
import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '../db/client.js';
import type { SubscriptionPlan } from '../config/schema.js';
import type { StarSubscription } from '../generated/prisma/client.js';
import { applyMove, inLedgerTransaction, LedgerRejection } from './ledger.js';

export type SubscriptionStateName = 'active' | 'canceled' | 'failed';

export function subscriptionPayload(plan: Pick<SubscriptionPlan, 'credits' | 'stars'>, userId: bigint | number): string {
  return `sub:${plan.credits}:${plan.stars}:${userId}`;
}

export function isSubscriptionPayload(payload: string): boolean {
  return payload.startsWith('sub:');
}

export function parseSubscriptionPayload(payload: string): { credits: number; stars: number; userId: bigint } | null {
  const m = /^sub:(\d{1,9}):(\d{1,5}):(\d{1,19})$/.exec(payload);
  if (!m || Number(m[1]) <= 0 || Number(m[2]) <= 0) return null;
  return { credits: Number(m[1]), stars: Number(m[2]), userId: BigInt(m[3]!) };
}

export function findPlan(plans: readonly SubscriptionPlan[], id: string): SubscriptionPlan | undefined {
  return plans.find((p) => p.id === id);
}

/** Still paid for: not past its expiry. */
export function isRunning(sub: Pick<StarSubscription, 'expiresAt'>, now: Date): boolean {
  return sub.expiresAt !== null && sub.expiresAt.getTime() > now.getTime();
}

export type SubscriptionPreCheckout =
  { ok: true; plan: SubscriptionPlan } | { ok: false; reason: 'bad_payload' | 'unknown_plan' | 'wrong_user' | 'no_user' | 'banned' | 'already_subscribed' };

/** As for packs: the plan is still offered at this price, the payer is the user it was made for and may pay. */
export async function checkSubscriptionPreCheckout(
  prisma: PrismaClient,
  plans: readonly SubscriptionPlan[],
  query: { payerId: bigint; payload: string; currency: string; totalAmount: number; now: Date },
): Promise<SubscriptionPreCheckout> {
  const parsed = parseSubscriptionPayload(query.payload);
  if (!parsed || query.currency !== 'XTR') return { ok: false, reason: 'bad_payload' };
  const plan = plans.find((p) => p.credits === parsed.credits && p.stars === parsed.stars);
  if (!plan || plan.stars !== query.totalAmount) return { ok: false, reason: 'unknown_plan' };
  if (parsed.userId !== query.payerId) return { ok: false, reason: 'wrong_user' };
  const user = await prisma.user.findUnique({ where: { id: query.payerId }, select: { banned: true } });
  if (!user) return { ok: false, reason: 'no_user' };
  if (user.banned) return { ok: false, reason: 'banned' };
  const existing = await prisma.starSubscription.findUnique({ where: { payload: query.payload } });
  if (existing && existing.state === 'active' && isRunning(existing, query.now)) return { ok: false, reason: 'already_subscribed' };
  return { ok: true, plan };
}

export interface SubscriptionPayment {
  payerId: bigint;
  currency: string;
  totalAmount: number;
  payload: string;
  telegramChargeId: string;
  providerChargeId?: string;
  isFirstRecurring: boolean;
  /** subscription_expiration_date; when absent, now + the period. */
  expiresAt: Date;
}

export type SubscriptionCreditResult =
  | { status: 'credited'; credits: number; balance: number; first: boolean; subscription: StarSubscription }
  | { status: 'duplicate' }
  | { status: 'bad_payload' };

export async function creditSubscriptionPayment(prisma: PrismaClient, p: SubscriptionPayment): Promise<SubscriptionCreditResult> {
  const parsed = parseSubscriptionPayload(p.payload);
  if (!parsed || p.currency !== 'XTR') return { status: 'bad_payload' };
  const chargeId = p.telegramChargeId;
  if (await prisma.payment.findUnique({ where: { telegramPaymentChargeId: chargeId }, select: { id: true } })) return { status: 'duplicate' };
  const paymentId = randomUUID();
  const outcome = await inLedgerTransaction(prisma, async (tx) => {
    const inserted = await tx.payment.createMany({
      data: [
        {
          id: paymentId,
          userId: p.payerId,
          telegramPaymentChargeId: chargeId,
          providerPaymentChargeId: p.providerChargeId ?? '',
          packId: `sub-${parsed.credits}x${parsed.stars}`,
          stars: p.totalAmount,
          credits: parsed.credits,
          payload: p.payload,
        },
      ],
      skipDuplicates: true,
    });
    if (inserted.count === 0) throw new LedgerRejection({ status: 'duplicate', balance: 0 });
    const balance = await applyMove(tx, { userId: p.payerId, kind: 'topup', amount: parsed.credits, idempotencyKey: `topup:${chargeId}`, paymentId });
    // Lock the subscription row (if any) so concurrent charges of one subscription apply in turn.
    const rows = await tx.$queryRaw<{ id: string; expiresAt: Date | null; firstChargeId: string | null }[]>`
      SELECT "id", "expiresAt", "firstChargeId" FROM "StarSubscription" WHERE "payload" = ${p.payload} FOR UPDATE`;
    const current = rows[0];
    const later = (a: Date | null) => (a && a.getTime() > p.expiresAt.getTime() ? a : p.expiresAt);
    const subscription = current
      ? await tx.starSubscription.update({
          where: { id: current.id },
          data: {
            state: 'active',
            // A new first payment starts a new subscription (after the old one ended).
            ...(p.isFirstRecurring || !current.firstChargeId ? { firstChargeId: chargeId, canceledByBot: false } : {}),
            lastChargeId: chargeId,
            payments: { increment: 1 },
            expiresAt: p.isFirstRecurring ? p.expiresAt : later(current.expiresAt ? new Date(current.expiresAt) : null),
          },
        })
      : await tx.starSubscription.create({
          data: {
            id: randomUUID(),
            userId: p.payerId,
            payload: p.payload,
            credits: parsed.credits,
            stars: parsed.stars,
            state: 'active',
            firstChargeId: chargeId,
            lastChargeId: chargeId,
            payments: 1,
            expiresAt: p.expiresAt,
          },
        });
    return { balance, subscription };
  });
  if (outcome.ok)
    return { status: 'credited', credits: parsed.credits, balance: outcome.value.balance, first: p.isFirstRecurring, subscription: outcome.value.subscription };
  if (outcome.result.status === 'duplicate') return { status: 'duplicate' };
  throw new Error(`subscription payment ${chargeId} rejected: ${outcome.result.status}`);
}

/** A `subscription` update: the new state of the user's subscription with this payload. */
export async function applySubscriptionUpdate(
  prisma: PrismaClient,
  input: { userId: bigint; payload: string; state: SubscriptionStateName },
): Promise<StarSubscription | null> {
  const sub = await prisma.starSubscription.findUnique({ where: { payload: input.payload } });
  if (!sub || sub.userId !== input.userId) return null;
  return prisma.starSubscription.update({
    where: { id: sub.id },
    // A cancellation by the user in Telegram cannot be undone by the bot; an echo of the bot's own
    // cancellation keeps it undoable.
    data: { state: input.state, canceledByBot: input.state === 'canceled' && sub.state === 'canceled' && sub.canceledByBot },
  });
}

/** After editUserStarSubscription succeeded. */
export async function setCanceledByBot(prisma: PrismaClient, id: string, canceled: boolean): Promise<StarSubscription> {
  return prisma.starSubscription.update({
    where: { id },
    data: canceled ? { state: 'canceled', canceledByBot: true } : { state: 'active', canceledByBot: false },
  });
}

export async function userSubscriptions(prisma: PrismaClient, userId: bigint): Promise<StarSubscription[]> {
  return prisma.starSubscription.findMany({ where: { userId }, orderBy: { createdAt: 'asc' } });
}

export async function findSubscription(prisma: PrismaClient, id: string): Promise<StarSubscription | null> {
  return prisma.starSubscription.findUnique({ where: { id } });
}
