/** Housekeeping of per-update marks. */
import type { PrismaClient } from '../db/client.js';

/** Forgets marks older than a day (Telegram keeps updates for 24 h at most). */
export async function pruneProcessedUpdates(prisma: PrismaClient, now: Date): Promise<number> {
  const { count } = await prisma.processedUpdate.deleteMany({ where: { createdAt: { lt: new Date(now.getTime() - 86_400_000) } } });
  return count;
}
