/**
 * The credit ledger: append-only rows, each with a unique idempotency key, written in the same
 * transaction as the balance change. A repeated key changes nothing; a debit never takes a
 * balance below zero.
 */
import type { PrismaClient } from '../db/client.js';
import type { Prisma } from '../generated/prisma/client.js';

export type Tx = Prisma.TransactionClient;
export type LedgerKind = 'charge' | 'refund' | 'topup' | 'grant' | 'payment_refund' | 'welcome' | 'promo' | 'referral';

export interface LedgerMove {
  userId: bigint;
  kind: LedgerKind;
  /** Signed credits: negative for charges and payment refunds. */
  amount: number;
  idempotencyKey: string;
  generationId?: string;
  paymentId?: string;
  adminId?: bigint;
  reason?: string;
}

export type LedgerResult =
  { status: 'applied'; balance: number } | { status: 'duplicate'; balance: number } | { status: 'insufficient'; balance: number } | { status: 'no_user' };

/** Thrown inside a transaction to roll it back; carries the outcome. */
export class LedgerRejection extends Error {
  constructor(readonly result: Exclude<LedgerResult, { status: 'applied' }>) {
    super(`ledger move rejected: ${result.status}`);
    this.name = 'LedgerRejection';
  }
}

async function currentBalance(tx: Tx, userId: bigint): Promise<number | null> {
  const user = await tx.user.findUnique({ where: { id: userId }, select: { balance: true } });
  return user?.balance ?? null;
}

/**
 * Applies one move inside the caller's transaction. Throws LedgerRejection (so the whole
 * transaction rolls back) when the key was used before, the balance is too low, or the user
 * does not exist.
 */
export async function applyMove(tx: Tx, move: LedgerMove): Promise<number> {
  if (!Number.isSafeInteger(move.amount) || move.amount === 0) throw new Error(`bad ledger amount ${move.amount}`);
  const existing = await tx.ledgerEntry.findUnique({ where: { idempotencyKey: move.idempotencyKey }, select: { id: true } });
  if (existing) {
    const balance = await currentBalance(tx, move.userId);
    throw new LedgerRejection(balance === null ? { status: 'no_user' } : { status: 'duplicate', balance });
  }
  const rows = await tx.$queryRaw<{ balance: number }[]>`
    UPDATE "User" SET "balance" = "balance" + ${move.amount}, "updatedAt" = now()
    WHERE "id" = ${move.userId} AND "balance" + ${move.amount} >= 0
    RETURNING "balance"`;
  const balance = rows[0]?.balance;
  if (balance === undefined) {
    const current = await currentBalance(tx, move.userId);
    throw new LedgerRejection(current === null ? { status: 'no_user' } : { status: 'insufficient', balance: current });
  }
  const inserted = await tx.ledgerEntry.createMany({
    data: [
      {
        userId: move.userId,
        kind: move.kind,
        amount: move.amount,
        balanceAfter: Number(balance),
        idempotencyKey: move.idempotencyKey,
        generationId: move.generationId ?? null,
        paymentId: move.paymentId ?? null,
        adminId: move.adminId ?? null,
        reason: move.reason ?? null,
      },
    ],
    skipDuplicates: true,
  });
  if (inserted.count === 0) {
    // A concurrent transaction used the same key first: undo ours.
    throw new LedgerRejection({ status: 'duplicate', balance: Number(balance) - move.amount });
  }
  return Number(balance);
}

/** Runs `work` in a transaction; a LedgerRejection inside becomes its result instead of an error. */
export async function inLedgerTransaction<T>(
  prisma: PrismaClient,
  work: (tx: Tx) => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; result: LedgerRejection['result'] }> {
  try {
    const value = await prisma.$transaction(work, { timeout: 15_000, maxWait: 10_000 });
    return { ok: true, value };
  } catch (error) {
    if (error instanceof LedgerRejection) return { ok: false, result: error.result };
    throw error;
  }
}

/** Records one move in its own transaction. */
export async function recordMove(prisma: PrismaClient, move: LedgerMove): Promise<LedgerResult> {
  const outcome = await inLedgerTransaction(prisma, (tx) => applyMove(tx, move));
  return outcome.ok ? { status: 'applied', balance: outcome.value } : outcome.result;
}

// Lives in src/db; re-exported for the modules that import it from here.
export { isUniqueViolation } from '../db/errors.js';

/** Sum of a user's ledger; equals the balance when the books are right. */
export async function ledgerSum(prisma: PrismaClient, userId: bigint): Promise<number> {
  const agg = await prisma.ledgerEntry.aggregate({ where: { userId }, _sum: { amount: true } });
  return agg._sum.amount ?? 0;
}
