/**
 * The broadcast queue in the database: one Broadcast row and one BroadcastRecipient row per
 * reachable, non-banned user, written in one transaction. The worker (./worker.ts) drains it.
 */
import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '../db/client.js';
import type { Broadcast } from '../generated/prisma/client.js';
import { writeAudit } from '../domain/admin.js';
import { isUniqueViolation } from '../db/errors.js';
import { segmentWhere, type Segment } from './segments.js';

import type { BroadcastButton } from './ports.js';

/** An optional button under a broadcast message: a URL (a bot command becomes a t.me deep link). */
export type { BroadcastButton };

/** Telegram's limit for a text message. */
export const MAX_BROADCAST_LENGTH = 4096;

export async function countBroadcastAudience(prisma: PrismaClient, segment: Segment = 'all', now: Date = new Date()): Promise<number> {
  const rows = await prisma.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM "User" u WHERE ${segmentWhere(segment, now)}`;
  return Number(rows[0]?.n ?? 0);
}

/**
 * Queues a broadcast. With an `id` it is idempotent: a second call with the same id returns null
 * and queues nothing.
 */
export async function createBroadcast(
  prisma: PrismaClient,
  input: { id?: string; adminId: bigint; chatId: bigint; text: string; now: Date; segment?: Segment; button?: BroadcastButton },
): Promise<Broadcast | null> {
  const text = input.text.trim();
  if (text === '' || text.length > MAX_BROADCAST_LENGTH) throw new Error('broadcast text is empty or too long');
  const id = input.id ?? randomUUID();
  if (await prisma.broadcast.findUnique({ where: { id }, select: { id: true } })) return null;
  try {
    return await createIn(prisma, id, text, input);
  } catch (error) {
    if (isUniqueViolation(error)) return null;
    throw error;
  }
}

function createIn(
  prisma: PrismaClient,
  id: string,
  text: string,
  input: { adminId: bigint; chatId: bigint; now: Date; segment?: Segment; button?: BroadcastButton },
): Promise<Broadcast> {
  const segment = input.segment ?? 'all';
  return prisma.$transaction(
    async (tx) => {
      await tx.broadcast.create({
        data: {
          id,
          adminId: input.adminId,
          chatId: input.chatId,
          text,
          createdAt: input.now,
          segment,
          buttonText: input.button?.text ?? null,
          buttonUrl: input.button?.url ?? null,
        },
      });
      // One statement, however many users there are.
      const count = await tx.$executeRaw`
        INSERT INTO "BroadcastRecipient" ("broadcastId", "userId", "nextAttemptAt")
        SELECT ${id}, u."id", ${input.now} FROM "User" u WHERE ${segmentWhere(segment, input.now)}`;
      await writeAudit(tx, input.adminId, 'broadcast', id, { recipients: count, segment, button: input.button ?? null, text: text.slice(0, 200) });
      return tx.broadcast.update({ where: { id }, data: { total: count } });
    },
    { timeout: 60_000, maxWait: 10_000 },
  );
}
