/** The books check: a user's balance equals the sum of their ledger rows. */
import { expect } from 'vitest';
import type { PrismaClient } from '../../src/db/client.js';
import { ledgerSum } from '../../src/domain/ledger.js';

/** Asserts the books balance for one user and returns the balance (checked against `expected` when given). */
export async function expectBooks(prisma: PrismaClient, userId: bigint, expected?: number): Promise<number> {
  const user = await prisma.user.findUniqueOrThrow({ where: { id: userId }, select: { balance: true } });
  expect(await ledgerSum(prisma, userId)).toBe(user.balance);
  if (expected !== undefined) expect(user.balance).toBe(expected);
  return user.balance;
}
