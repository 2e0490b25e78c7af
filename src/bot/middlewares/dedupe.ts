/**
 * Each update is handled once: a redelivered webhook update, or one seen by a second instance,
 * is dropped. If handling fails, the mark is removed so Telegram's retry is handled again.
 */
import type { MiddlewareFn } from 'grammy';
import type { PrismaClient } from '../../db/client.js';
import type { BotContext } from '../context.js';

export function dedupeUpdates(prisma: PrismaClient): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    const updateId = BigInt(ctx.update.update_id);
    const claimed = await prisma.processedUpdate.createMany({ data: [{ updateId }], skipDuplicates: true });
    if (claimed.count === 0) return;
    try {
      await next();
    } catch (error) {
      await prisma.processedUpdate.deleteMany({ where: { updateId } }).catch(() => {});
      throw error;
    }
  };
}

/** Forgets marks older than a day (Telegram keeps updates for 24 h at most). */
export async function pruneProcessedUpdates(prisma: PrismaClient, now: Date): Promise<number> {
  const { count } = await prisma.processedUpdate.deleteMany({ where: { createdAt: { lt: new Date(now.getTime() - 86_400_000) } } });
  return count;
}
