/**
 * Conversation state in the database (survives restarts). Bump CONVERSATION_STORAGE_VERSION
 * whenever a flow's code changes so stored replays of the old code are dropped.
 *
 * The state of the update's chat is prefetched by the update prelude (same statement as the
 * user upsert), so the plugin's read costs no extra round trip.
 */
import type { Context } from 'grammy';
import type { PrismaClient } from '../db/client.js';

export const CONVERSATION_STORAGE_VERSION = 3; // 3: the engine asks an optional negative prompt

const PREFETCH = Symbol('conversation-prefetch');
/** What this update read, so its write can check nobody changed the row since (compare-and-set). */
const READ = Symbol('conversation-read');
type WithPrefetch = { [PREFETCH]?: { value: string | undefined }; [READ]?: { value: string | undefined } };

/**
 * Another instance changed this chat's conversation while this update was handled (webhook mode
 * with several instances: Telegram queues a chat's messages and a user's button taps separately).
 * The update fails without saving, and Telegram delivers it again against the fresh state.
 */
export class ConversationConflictError extends Error {
  constructor(key: string) {
    super(`conversation state of ${key} changed concurrently`);
    this.name = 'ConversationConflictError';
  }
}

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
  const remember = (ctx: Context, value: string | undefined) => {
    (ctx as WithPrefetch)[READ] = { value };
  };
  return {
    async read(ctx) {
      const prefetched = (ctx as WithPrefetch)[PREFETCH];
      let text: string | undefined;
      if (prefetched) {
        // Used once: a later read in the same update must see what was written since.
        delete (ctx as WithPrefetch)[PREFETCH];
        text = prefetched.value;
      } else {
        const key = conversationKey(ctx);
        if (!key) return undefined;
        text = (await prisma.conversationState.findUnique({ where: { key } }))?.value;
      }
      remember(ctx, text);
      return text === undefined ? undefined : (JSON.parse(text) as T);
    },
    async write(ctx, value) {
      const key = conversationKey(ctx);
      if (!key) return;
      const text = JSON.stringify(value);
      const read = (ctx as WithPrefetch)[READ];
      if (!read) {
        await prisma.conversationState.upsert({ where: { key }, create: { key, value: text }, update: { value: text } });
      } else if (read.value === undefined) {
        const { count } = await prisma.conversationState.createMany({ data: [{ key, value: text }], skipDuplicates: true });
        if (count === 0) throw new ConversationConflictError(key);
      } else if (read.value !== text) {
        const { count } = await prisma.conversationState.updateMany({ where: { key, value: read.value }, data: { value: text } });
        if (count === 0) throw new ConversationConflictError(key);
      }
      remember(ctx, text);
    },
    async delete(ctx) {
      const key = conversationKey(ctx);
      if (!key) return;
      const read = (ctx as WithPrefetch)[READ];
      if (read?.value === undefined) {
        await prisma.conversationState.deleteMany({ where: { key } });
      } else {
        const { count } = await prisma.conversationState.deleteMany({ where: { key, value: read.value } });
        if (count === 0 && (await prisma.conversationState.count({ where: { key } })) > 0) throw new ConversationConflictError(key);
      }
      remember(ctx, undefined);
    },
  };
}
