/**
 * Promo codes. Admins create, list and switch off codes (audited); a user redeems a code once.
 *
 * - The use limit is exact under concurrency, on one instance or many: the use is counted by one
 *   conditional UPDATE (`uses < maxUses`, still active, not expired) that locks the code's row,
 *   in the same transaction as the user's PromoRedemption row (primary key code + user) and the
 *   ledger row `promo:<CODE>:<userId>`. A racing transaction waits on the lock and then finds
 *   the limit reached; a failed step rolls the use back.
 * - Guessing is rate-limited per user: failed guesses are rows in PromoAttempt (shared by all
 *   instances); at `maxFailures` within `windowMs` further tries are refused until the window
 *   moves on, without looking the code up.
 */
import type { PrismaClient } from '../db/client.js';
import type { PromoCode } from '../generated/prisma/client.js';
import { applyMove, inLedgerTransaction, isUniqueViolation, LedgerRejection } from './ledger.js';
import { writeAudit } from './admin.js';

export const MAX_PROMO_CREDITS = 1_000_000;
export const MAX_PROMO_USES = 10_000_000;
export const MAX_PROMO_DAYS = 3650;

export interface PromoRateLimit {
  maxFailures: number;
  windowMs: number;
}

export const DEFAULT_PROMO_RATE_LIMIT: PromoRateLimit = { maxFailures: 5, windowMs: 15 * 60_000 };

/** "summer_25" → "SUMMER_25"; null when it cannot be a code. */
export function normalizeCode(text: string | undefined): string | null {
  const code = (text ?? '').trim().toUpperCase();
  return /^[A-Z0-9_]{3,32}$/.test(code) ? code : null;
}

export type CreatePromoResult = { status: 'created'; promo: PromoCode } | { status: 'exists' };

export async function createPromo(
  prisma: PrismaClient,
  input: { adminId: bigint; code: string; credits: number; maxUses?: number; days?: number; now: Date },
): Promise<CreatePromoResult> {
  if (!Number.isSafeInteger(input.credits) || input.credits <= 0 || input.credits > MAX_PROMO_CREDITS) throw new Error('bad promo credits');
  const expiresAt = input.days ? new Date(input.now.getTime() + input.days * 86_400_000) : null;
  try {
    const promo = await prisma.$transaction(async (tx) => {
      const created = await tx.promoCode.create({
        data: { code: input.code, credits: input.credits, maxUses: input.maxUses ?? null, expiresAt, createdBy: input.adminId, createdAt: input.now },
      });
      await writeAudit(tx, input.adminId, 'promo_create', input.code, { credits: input.credits, maxUses: input.maxUses ?? null, expiresAt });
      return created;
    });
    return { status: 'created', promo };
  } catch (error) {
    if (isUniqueViolation(error)) return { status: 'exists' };
    throw error;
  }
}

export async function listPromos(prisma: PrismaClient): Promise<PromoCode[]> {
  return prisma.promoCode.findMany({ orderBy: [{ active: 'desc' }, { createdAt: 'desc' }], take: 50 });
}

export type DisablePromoResult = { status: 'ok' | 'unchanged'; promo: PromoCode } | { status: 'not_found' };

export async function disablePromo(prisma: PrismaClient, input: { adminId: bigint; code: string }): Promise<DisablePromoResult> {
  return prisma.$transaction(async (tx) => {
    const promo = await tx.promoCode.findUnique({ where: { code: input.code } });
    if (!promo) return { status: 'not_found' } as const;
    if (!promo.active) return { status: 'unchanged', promo } as const;
    const updated = await tx.promoCode.update({ where: { code: input.code }, data: { active: false } });
    await writeAudit(tx, input.adminId, 'promo_off', input.code, { uses: updated.uses });
    return { status: 'ok', promo: updated } as const;
  });
}

export type RedeemResult =
  | { status: 'redeemed'; code: string; credits: number; balance: number }
  | { status: 'already_used'; code: string }
  | { status: 'used_up'; code: string }
  | { status: 'expired'; code: string }
  | { status: 'off'; code: string }
  | { status: 'unknown' }
  | { status: 'rate_limited'; retryAt: Date };

/** Why a code cannot be used now (null = it can, as far as this read shows). */
function blocked(promo: PromoCode, now: Date): 'off' | 'expired' | 'used_up' | null {
  if (!promo.active) return 'off';
  if (promo.expiresAt && promo.expiresAt.getTime() <= now.getTime()) return 'expired';
  if (promo.maxUses !== null && promo.uses >= promo.maxUses) return 'used_up';
  return null;
}

export async function redeemPromo(prisma: PrismaClient, input: { userId: bigint; text: string; now: Date; limit?: PromoRateLimit }): Promise<RedeemResult> {
  const { userId, now } = input;
  const limit = input.limit ?? DEFAULT_PROMO_RATE_LIMIT;
  const since = new Date(now.getTime() - limit.windowMs);
  const failures = await prisma.promoAttempt.findMany({
    where: { userId, createdAt: { gt: since } },
    orderBy: { createdAt: 'asc' },
    select: { createdAt: true },
  });
  if (failures.length >= limit.maxFailures) {
    const oldest = failures[failures.length - limit.maxFailures]!.createdAt;
    return { status: 'rate_limited', retryAt: new Date(oldest.getTime() + limit.windowMs) };
  }
  const code = normalizeCode(input.text);
  const promo = code ? await prisma.promoCode.findUnique({ where: { code } }) : null;
  if (!code || !promo) {
    // Record the failure; the user's failures older than the window are of no more use.
    await prisma.$transaction([
      prisma.promoAttempt.deleteMany({ where: { userId, createdAt: { lte: since } } }),
      prisma.promoAttempt.create({ data: { userId, createdAt: now } }),
    ]);
    return { status: 'unknown' };
  }
  if (await prisma.promoRedemption.findUnique({ where: { code_userId: { code, userId } }, select: { code: true } })) {
    return { status: 'already_used', code };
  }
  const reason = blocked(promo, now);
  if (reason) return { status: reason, code };

  const outcome = await inLedgerTransaction(prisma, async (tx) => {
    const counted = await tx.$executeRaw`
      UPDATE "PromoCode" SET "uses" = "uses" + 1
      WHERE "code" = ${code} AND "active" = true
        AND ("maxUses" IS NULL OR "uses" < "maxUses")
        AND ("expiresAt" IS NULL OR "expiresAt" > ${now})`;
    if (counted === 0) throw new LedgerRejection({ status: 'insufficient', balance: 0 });
    const inserted = await tx.promoRedemption.createMany({ data: [{ code, userId, credits: promo.credits, createdAt: now }], skipDuplicates: true });
    if (inserted.count === 0) throw new LedgerRejection({ status: 'duplicate', balance: 0 });
    return applyMove(tx, { userId, kind: 'promo', amount: promo.credits, idempotencyKey: `promo:${code}:${userId}`, reason: `promo code ${code}` });
  });
  if (outcome.ok) return { status: 'redeemed', code, credits: promo.credits, balance: outcome.value };
  if (outcome.result.status === 'duplicate') return { status: 'already_used', code };
  // The conditional update found the code used up, switched off or expired meanwhile: say which.
  const now2 = await prisma.promoCode.findUnique({ where: { code } });
  return { status: (now2 && blocked(now2, now)) || 'used_up', code };
}
