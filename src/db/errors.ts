/** Database error shapes the rest of the code branches on (Prisma's codes stay here). */
import { Prisma } from '../generated/prisma/client.js';

/** A unique constraint refused the write (Prisma P2002), optionally on the named field. */
export function isUniqueViolation(error: unknown, field?: string): boolean {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError) || error.code !== 'P2002') return false;
  if (!field) return true;
  return JSON.stringify(error.meta ?? {}).includes(field);
}
