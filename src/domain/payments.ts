/**
 * Telegram Stars top-ups and their refunds, as plain functions on the database.
 *
 * - The invoice payload is `pack:<packId>:<credits>:<userId>` (well under 128 bytes): the credits
 *   promised at the price shown travel with the payment, so a later config change cannot change
 *   what a paid invoice is worth.
 * - A payment is credited once per telegram_payment_charge_id: the Payment row (unique charge id)
 *   and the ledger row `topup:<chargeId>` are written in one transaction.
 * - A refund debits first (`payment_refund:<chargeId>`, the payment marked refunded, the audit row,
 *   all in one transaction), then asks Telegram to return the Stars. If Telegram definitely says no,
 *   a compensating ledger row gives the credits back; if the answer is unknown (network), the debit
 *   stays and running the refund again completes it (Telegram answers CHARGE_ALREADY_REFUNDED for
 *   a charge it has already refunded). Money is never handed out twice and never silently lost.
 */
import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '../db/client.js';
import type { Payment } from '../generated/prisma/client.js';
import { applyMove, inLedgerTransaction, LedgerRejection } from './ledger.js';
import { writeAudit } from './admin.js';

/** A top-up offer: `credits` for `stars` Telegram Stars (configured by CREDIT_PACKS). */
export interface CreditPack {
  id: string;
  credits: number;
  stars: number;
}

export interface PackPayload {
  packId: string;
  credits: number;
  userId: bigint;
}

export function packPayload(pack: CreditPack, userId: bigint | number): string {
  return `pack:${pack.id}:${pack.credits}:${userId}`;
}

export function parsePackPayload(payload: string): PackPayload | null {
  const m = /^pack:([A-Za-z0-9_-]{1,32}):(\d{1,9}):(\d{1,19})$/.exec(payload);
  if (!m) return null;
  const credits = Number(m[2]);
  if (credits <= 0) return null;
  return { packId: m[1]!, credits, userId: BigInt(m[3]!) };
}

export type PreCheckoutVerdict =
  { ok: true; pack: CreditPack } | { ok: false; reason: 'bad_payload' | 'unknown_pack' | 'price_changed' | 'wrong_user' | 'no_user' | 'banned' };

/** Decides a pre-checkout query: the pack still exists at the same price and the payer may pay. */
export async function checkPreCheckout(
  prisma: PrismaClient,
  packs: readonly CreditPack[],
  query: { payerId: bigint; payload: string; currency: string; totalAmount: number },
): Promise<PreCheckoutVerdict> {
  const parsed = parsePackPayload(query.payload);
  if (!parsed || query.currency !== 'XTR') return { ok: false, reason: 'bad_payload' };
  const pack = packs.find((p) => p.id === parsed.packId);
  if (!pack) return { ok: false, reason: 'unknown_pack' };
  if (pack.stars !== query.totalAmount || pack.credits !== parsed.credits) return { ok: false, reason: 'price_changed' };
  if (parsed.userId !== query.payerId) return { ok: false, reason: 'wrong_user' };
  const user = await prisma.user.findUnique({ where: { id: query.payerId }, select: { banned: true } });
  if (!user) return { ok: false, reason: 'no_user' };
  if (user.banned) return { ok: false, reason: 'banned' };
  return { ok: true, pack };
}

export interface SuccessfulPayment {
  payerId: bigint;
  currency: string;
  totalAmount: number;
  payload: string;
  telegramChargeId: string;
  providerChargeId?: string;
}

export type CreditResult =
  { status: 'credited'; credits: number; balance: number; payment: Payment } | { status: 'duplicate'; balance: number } | { status: 'bad_payload' };

/**
 * Credits a successful payment once per telegram_payment_charge_id. The Stars are already taken
 * when this runs, so it credits even a banned user or a pack that has since been removed: the
 * credits come from the payload the user agreed to.
 */
export async function creditPayment(prisma: PrismaClient, payment: SuccessfulPayment): Promise<CreditResult> {
  const parsed = parsePackPayload(payment.payload);
  if (!parsed || payment.currency !== 'XTR') return { status: 'bad_payload' };
  const chargeId = payment.telegramChargeId;
  const existing = await prisma.payment.findUnique({ where: { telegramPaymentChargeId: chargeId }, select: { id: true } });
  if (existing) return { status: 'duplicate', balance: await balanceOf(prisma, payment.payerId) };

  const id = randomUUID();
  const outcome = await inLedgerTransaction(prisma, async (tx) => {
    const inserted = await tx.payment.createMany({
      data: [
        {
          id,
          userId: payment.payerId,
          telegramPaymentChargeId: chargeId,
          providerPaymentChargeId: payment.providerChargeId ?? '',
          packId: parsed.packId,
          stars: payment.totalAmount,
          credits: parsed.credits,
          payload: payment.payload,
        },
      ],
      skipDuplicates: true,
    });
    if (inserted.count === 0) throw new LedgerRejection({ status: 'duplicate', balance: 0 });
    const balance = await applyMove(tx, {
      userId: payment.payerId,
      kind: 'topup',
      amount: parsed.credits,
      idempotencyKey: `topup:${chargeId}`,
      paymentId: id,
    });
    const row = await tx.payment.findUniqueOrThrow({ where: { id } });
    return { balance, row };
  });
  if (outcome.ok) return { status: 'credited', credits: parsed.credits, balance: outcome.value.balance, payment: outcome.value.row };
  if (outcome.result.status === 'duplicate') return { status: 'duplicate', balance: await balanceOf(prisma, payment.payerId) };
  // no_user / insufficient cannot happen for a positive move on a user who just wrote to the bot.
  throw new Error(`top-up of ${chargeId} rejected: ${outcome.result.status}`);
}

async function balanceOf(prisma: PrismaClient, userId: bigint): Promise<number> {
  return (await prisma.user.findUnique({ where: { id: userId }, select: { balance: true } }))?.balance ?? 0;
}

/** What the Telegram call reported. `definite: false` = we do not know whether it happened. */
export type StarRefundOutcome = { ok: true } | { ok: false; alreadyRefunded: true } | { ok: false; alreadyRefunded?: false; definite: boolean; error: string };

export type RefundStars = (userId: bigint, chargeId: string) => Promise<StarRefundOutcome>;

export type PaymentRefundResult =
  | { status: 'refunded'; userId: bigint; stars: number; credits: number; balance: number }
  | { status: 'already_refunded'; userId: bigint; stars: number }
  | { status: 'not_found' }
  | { status: 'spent'; userId: bigint; credits: number; balance: number }
  | { status: 'telegram_failed'; userId: bigint; error: string; balance: number }
  | { status: 'uncertain'; userId: bigint; error: string };

/**
 * Refunds a Stars payment: takes the credits back (refused when they were already spent), then
 * returns the Stars through `refundStars`. See the file comment for the order and recovery.
 */
export async function refundPayment(
  prisma: PrismaClient,
  input: { chargeId: string; adminId: bigint; now: Date; refundStars: RefundStars },
): Promise<PaymentRefundResult> {
  const { chargeId, adminId, refundStars } = input;
  const payment = await prisma.payment.findUnique({ where: { telegramPaymentChargeId: chargeId } });
  if (!payment) return { status: 'not_found' };
  const userId = payment.userId;

  if (payment.status === 'refunded') {
    // Already debited here; make sure Telegram returned the Stars (a crash or a network error
    // may have left that step undone). Telegram refuses a second refund of the same charge.
    const outcome = await refundStars(userId, chargeId);
    if (outcome.ok || outcome.alreadyRefunded) return { status: 'already_refunded', userId, stars: payment.stars };
    return { status: 'uncertain', userId, error: outcome.error };
  }

  const attempt = await prisma.ledgerEntry.count({ where: { idempotencyKey: { startsWith: `payment_refund_reversal:${chargeId}:` } } });
  const debitKey = attempt === 0 ? `payment_refund:${chargeId}` : `payment_refund:${chargeId}:${attempt}`;
  const debit = await inLedgerTransaction(prisma, async (tx) => {
    const marked = await tx.payment.updateMany({
      where: { id: payment.id, status: 'paid' },
      data: { status: 'refunded', refundedAt: input.now },
    });
    if (marked.count === 0) throw new LedgerRejection({ status: 'duplicate', balance: 0 });
    const balance = await applyMove(tx, {
      userId,
      kind: 'payment_refund',
      amount: -payment.credits,
      idempotencyKey: debitKey,
      paymentId: payment.id,
      adminId,
      reason: 'Stars payment refunded',
    });
    await writeAudit(tx, adminId, 'payment_refund', chargeId, { userId, stars: payment.stars, credits: payment.credits, balance });
    return balance;
  });
  if (!debit.ok) {
    if (debit.result.status === 'insufficient') return { status: 'spent', userId, credits: payment.credits, balance: debit.result.balance };
    if (debit.result.status === 'duplicate') return { status: 'already_refunded', userId, stars: payment.stars };
    return { status: 'not_found' };
  }

  const outcome = await refundStars(userId, chargeId).catch((error: unknown): StarRefundOutcome => ({ ok: false, definite: false, error: String(error) }));
  if (outcome.ok || outcome.alreadyRefunded) {
    return { status: 'refunded', userId, stars: payment.stars, credits: payment.credits, balance: debit.value };
  }
  if (!outcome.definite) return { status: 'uncertain', userId, error: outcome.error };

  // Telegram said no: give the credits back and mark the payment paid again.
  const reversal = await inLedgerTransaction(prisma, async (tx) => {
    await tx.payment.updateMany({ where: { id: payment.id, status: 'refunded' }, data: { status: 'paid', refundedAt: null } });
    const balance = await applyMove(tx, {
      userId,
      kind: 'payment_refund',
      amount: payment.credits,
      idempotencyKey: `payment_refund_reversal:${chargeId}:${attempt}`,
      paymentId: payment.id,
      adminId,
      reason: `Stars refund failed: ${outcome.error}`.slice(0, 500),
    });
    await writeAudit(tx, adminId, 'payment_refund_failed', chargeId, { userId, error: outcome.error, balance });
    return balance;
  });
  const balance = reversal.ok ? reversal.value : await balanceOf(prisma, userId);
  return { status: 'telegram_failed', userId, error: outcome.error, balance };
}
