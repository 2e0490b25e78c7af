/**
 * Conversation state in the database (survives restarts). Bump CONVERSATION_STORAGE_VERSION
 * whenever a flow's code changes so stored replays of the old code are dropped.
 */
import type { PrismaClient } from '../db/client.js';

export const CONVERSATION_STORAGE_VERSION = 1;

export interface KeyAdapter<T> {
  read(key: string): Promise<T | undefined>;
  write(key: string, value: T): Promise<void>;
  delete(key: string): Promise<void>;
}

export function prismaConversationAdapter<T>(prisma: PrismaClient): KeyAdapter<T> {
  return {
    async read(key) {
      const row = await prisma.conversationState.findUnique({ where: { key } });
      return row ? (JSON.parse(row.value) as T) : undefined;
    },
    async write(key, value) {
      const text = JSON.stringify(value);
      await prisma.conversationState.upsert({ where: { key }, create: { key, value: text }, update: { value: text } });
    },
    async delete(key) {
      await prisma.conversationState.deleteMany({ where: { key } });
    },
  };
}
