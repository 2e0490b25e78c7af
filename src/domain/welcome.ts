/**
 * A user's first contact: one UserOrigin row per user (existing users were backfilled by the
 * migration), written in the same transaction as the welcome credits (`welcome:<userId>`) and
 * the referral attribution. The row's primary key makes it once per user across redeliveries,
 * restarts and instances; a first update that failed is completed by the next one.
 */
import type { PrismaClient } from '../db/client.js';
import { applyMove, inLedgerTransaction, LedgerRejection } from './ledger.js';

/** Users created longer ago than this are never treated as new (saves a lookup per update). */
export const FIRST_CONTACT_WINDOW_MS = 24 * 60 * 60_000;

export type FirstContactResult = { status: 'known' } | { status: 'new'; welcomeCredits: number; balance: number; inviterId: bigint | null };

export function mayBeFirstContact(user: { createdAt: Date }, now: Date): boolean {
  return now.getTime() - user.createdAt.getTime() < FIRST_CONTACT_WINDOW_MS;
}

export async function recordFirstContact(
  prisma: PrismaClient,
  input: { userId: bigint; inviterId?: bigint; startParam?: string; welcomeCredits: number },
): Promise<FirstContactResult> {
  const { userId } = input;
  if (await prisma.userOrigin.findUnique({ where: { userId }, select: { userId: true } })) return { status: 'known' };
  let inviterId: bigint | null = null;
  if (input.inviterId !== undefined && input.inviterId !== userId) {
    const inviter = await prisma.user.findUnique({ where: { id: input.inviterId }, select: { banned: true } });
    if (inviter && !inviter.banned) inviterId = input.inviterId;
  }
  const outcome = await inLedgerTransaction(prisma, async (tx) => {
    const inserted = await tx.userOrigin.createMany({
      data: [{ userId, invitedBy: inviterId, startParam: input.startParam?.slice(0, 64) ?? null }],
      skipDuplicates: true,
    });
    if (inserted.count === 0) throw new LedgerRejection({ status: 'duplicate', balance: 0 });
    if (input.welcomeCredits <= 0) {
      return (await tx.user.findUniqueOrThrow({ where: { id: userId }, select: { balance: true } })).balance;
    }
    return applyMove(tx, { userId, kind: 'welcome', amount: input.welcomeCredits, idempotencyKey: `welcome:${userId}`, reason: 'welcome credits' });
  });
  if (!outcome.ok) return { status: 'known' };
  return { status: 'new', welcomeCredits: Math.max(0, input.welcomeCredits), balance: outcome.value, inviterId };
}
