import { beforeAll, describe, expect, it } from 'vitest';
import type { Context } from 'grammy';
import type { Database } from '../../src/db/client.js';
import { ConversationConflictError, prismaConversationAdapter, setConversationPrefetch } from '../../src/bot/conversation-storage.js';
import { useMigratedDatabase } from '../support/migrated-database.js';

const ctxFor = (chatId: number) => ({ chatId }) as unknown as Context;

describe('conversation storage (compare-and-set across instances)', () => {
  const opened = useMigratedDatabase();
  let db: Database;
  beforeAll(() => {
    db = opened();
  });

  it('two updates that read the same state: the first write wins, the second fails without saving', async () => {
    const adapter = prismaConversationAdapter<{ step: number }>(db.prisma);
    const seed = ctxFor(1);
    await adapter.read(seed);
    await adapter.write(seed, { step: 1 });

    const a = ctxFor(1);
    const b = ctxFor(1);
    expect(await adapter.read(a)).toEqual({ step: 1 });
    expect(await adapter.read(b)).toEqual({ step: 1 });
    await adapter.write(a, { step: 2 });
    await expect(adapter.write(b, { step: 3 })).rejects.toBeInstanceOf(ConversationConflictError);
    expect(await adapter.read(ctxFor(1))).toEqual({ step: 2 });
  });

  it('two first writes of a new chat: one wins', async () => {
    const adapter = prismaConversationAdapter<{ step: number }>(db.prisma);
    const a = ctxFor(2);
    const b = ctxFor(2);
    expect(await adapter.read(a)).toBeUndefined();
    expect(await adapter.read(b)).toBeUndefined();
    await adapter.write(a, { step: 1 });
    await expect(adapter.write(b, { step: 9 })).rejects.toBeInstanceOf(ConversationConflictError);
  });

  it('a prefetched state counts as read, and an unchanged state is not rewritten', async () => {
    const adapter = prismaConversationAdapter<{ step: number }>(db.prisma);
    const first = ctxFor(3);
    await adapter.read(first);
    await adapter.write(first, { step: 1 });
    const ctx = ctxFor(3);
    setConversationPrefetch(ctx, JSON.stringify({ step: 1 }));
    expect(await adapter.read(ctx)).toEqual({ step: 1 });
    await adapter.write(ctx, { step: 1 });
    await adapter.write(ctx, { step: 2 });
    await adapter.delete(ctx);
    expect(await adapter.read(ctxFor(3))).toBeUndefined();
  });

  it('deleting a state someone else changed is a conflict', async () => {
    const adapter = prismaConversationAdapter<{ step: number }>(db.prisma);
    const seed = ctxFor(4);
    await adapter.read(seed);
    await adapter.write(seed, { step: 1 });
    const a = ctxFor(4);
    const b = ctxFor(4);
    await adapter.read(a);
    await adapter.read(b);
    await adapter.write(a, { step: 2 });
    await expect(adapter.delete(b)).rejects.toBeInstanceOf(ConversationConflictError);
  });
});
