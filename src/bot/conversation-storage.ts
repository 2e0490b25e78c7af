/**
 * Conversation state in the database (survives restarts). Bump CONVERSATION_STORAGE_VERSION
 * whenever a flow's code changes so stored replays of the old code are dropped.
 *
 * The state of the update's chat is prefetched by the update prelude (same statement as the
 * user upsert), so the plugin's read costs no extra round trip.
 */
import type { Context } from 'grammy';
import type { PrismaClient } from '../db/client.js';

export const CONVERSATION_STORAGE_VERSION = 1;

const PREFETCH = Symbol('conversation-prefetch');
type WithPrefetch = { [PREFETCH]?: { value: string | undefined } };

/** The storage key of a chat's conversations (the plugin's default key, prefixed). */
export function conversationKey(ctx: Context): string | undefined {
  return ctx.chatId === undefined ? undefined : `c:${ctx.chatId}`;
}

export function setConversationPrefetch(ctx: Context, value: string | undefined): void {
  (ctx as WithPrefetch)[PREFETCH] = { value };
}

export interface ContextAdapter<T> {
  read(ctx: Context): Promise<T | undefined>;
  write(ctx: Context, value: T): Promise<void>;
  delete(ctx: Context): Promise<void>;
}

export function prismaConversationAdapter<T>(prisma: PrismaClient): ContextAdapter<T> {
  return {
    async read(ctx) {
      const prefetched = (ctx as WithPrefetch)[PREFETCH];
      if (prefetched) {
        // Used once: a later read in the same update must see what was written since.
        delete (ctx as WithPrefetch)[PREFETCH];
        return prefetched.value === undefined ? undefined : (JSON.parse(prefetched.value) as T);
      }
      const key = conversationKey(ctx);
      if (!key) return undefined;
      const row = await prisma.conversationState.findUnique({ where: { key } });
      return row ? (JSON.parse(row.value) as T) : undefined;
    },
    async write(ctx, value) {
      const key = conversationKey(ctx);
      if (!key) return;
      const text = JSON.stringify(value);
      await prisma.conversationState.upsert({ where: { key }, create: { key, value: text }, update: { value: text } });
    },
    async delete(ctx) {
      const key = conversationKey(ctx);
      if (key) await prisma.conversationState.deleteMany({ where: { key } });
    },
  };
}
