/** Database error shapes the rest of the code branches on (Prisma's codes stay here). */
import { Prisma } from '../generated/prisma/client.js';

/** A unique constraint refused the write (Prisma P2002), optionally on the named field. */
export function isUniqueViolation(error: unknown, field?: string): boolean {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError) || error.code !== 'P2002') return false;
  if (!field) return true;
  return JSON.stringify(error.meta ?? {}).includes(field);
}

/**
 * The statement lost a deadlock or a serialization conflict (PostgreSQL 40P01 / 40001, Prisma
 * P2034), from Prisma or straight from the driver: nothing it did was applied, so running it
 * again is safe.
 */
export function isWriteConflict(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === '40P01' || code === '40001' || code === 'P2034') return true;
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return false;
  return /\b40P01\b|\b40001\b|deadlock detected/.test(`${error.message} ${JSON.stringify(error.meta ?? {})}`);
}
