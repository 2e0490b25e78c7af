/**
 * The update prelude for a batch of updates in one statement (src/bot/update-prelude.ts), its
 * batcher, and the catalog cache keyed by the stamp the prelude reads (src/domain/catalog-cache.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Database, DirectQuery } from '../../src/db/client.js';
import { createPreludeBatcher, LAST_SEEN_PRECISION_SECONDS, runPreludes } from '../../src/bot/update-prelude.js';
import { createCatalogCache } from '../../src/domain/catalog-cache.js';
import type { ProviderId } from '../../src/providers/types.js';
import { usingPostgres } from '../support/db.js';
import { useMigratedDatabase } from '../support/migrated-database.js';

let nextUpdateId = 1_000;
const updateId = () => nextUpdateId++;

describe('update prelude', () => {
  const opened = useMigratedDatabase();
  let db: Database;
  beforeAll(() => {
    db = opened();
  });

  it('marks each update once: a redelivery, and a second copy in the same batch, are not fresh', async () => {
    const [a, b] = [updateId(), updateId()];
    const first = await runPreludes(db.query, [{ updateId: a }, { updateId: b }, { updateId: a }]);
    expect(first.map((r) => r.fresh)).toEqual([true, true, false]);
    const again = await runPreludes(db.query, [{ updateId: b }]);
    expect(again[0]!.fresh).toBe(false);
  });

  it('creates new users, one row for a sender seen twice in a batch, and answers each update with its user', async () => {
    const results = await runPreludes(db.query, [
      { updateId: updateId(), contact: { id: 501, firstName: 'Ann', username: 'ann', languageCode: 'ru' }, conversationKey: 'c:501' },
      { updateId: updateId(), contact: { id: 502, firstName: 'Bob' } },
      { updateId: updateId(), contact: { id: 501, firstName: 'Ann', username: 'ann', languageCode: 'ru' }, conversationKey: 'c:-77' },
    ]);
    expect(results.map((r) => r.user?.id)).toEqual([501n, 502n, 501n]);
    expect(results[0]!.user).toMatchObject({ firstName: 'Ann', username: 'ann', telegramLanguage: 'ru', balance: 0, unreachable: false, banned: false });
    expect(results[0]!.user!.createdAt).toBeInstanceOf(Date);
    expect(await db.prisma.user.count({ where: { id: { in: [501n, 502n] } } })).toBe(2);
  });

  it('writes a known user only when something changed or lastSeenAt is stale', async () => {
    await runPreludes(db.query, [{ updateId: updateId(), contact: { id: 601, firstName: 'Cy' } }]);
    const before = await db.prisma.user.findUniqueOrThrow({ where: { id: 601n } });
    await new Promise((r) => setTimeout(r, 20));

    // Same details, seen a moment ago: no write.
    const same = await runPreludes(db.query, [{ updateId: updateId(), contact: { id: 601, firstName: 'Cy' } }]);
    expect((await db.prisma.user.findUniqueOrThrow({ where: { id: 601n } })).updatedAt).toEqual(before.updatedAt);
    expect(same[0]!.user).toMatchObject({ id: 601n, firstName: 'Cy' });

    // A new username is written at once.
    const renamed = await runPreludes(db.query, [{ updateId: updateId(), contact: { id: 601, firstName: 'Cy', username: 'cy' } }]);
    expect(renamed[0]!.user!.username).toBe('cy');
    expect((await db.prisma.user.findUniqueOrThrow({ where: { id: 601n } })).username).toBe('cy');

    // An unreachable user who writes again is reachable; a stale lastSeenAt is refreshed.
    const stale = new Date(Date.now() - (LAST_SEEN_PRECISION_SECONDS + 5) * 1000);
    await db.prisma.user.update({ where: { id: 601n }, data: { unreachable: true, lastSeenAt: stale } });
    const back = await runPreludes(db.query, [{ updateId: updateId(), contact: { id: 601, firstName: 'Cy', username: 'cy' } }]);
    expect(back[0]!.user!.unreachable).toBe(false);
    const row = await db.prisma.user.findUniqueOrThrow({ where: { id: 601n } });
    expect(row.unreachable).toBe(false);
    expect(row.lastSeenAt.getTime()).toBeGreaterThan(stale.getTime() + 1000);
  });

  it("prefetches each chat's conversation state and whether each sender's first contact is recorded", async () => {
    await db.prisma.conversationState.create({ data: { key: 'c:701', value: '{"step":1}' } });
    await runPreludes(db.query, [{ updateId: updateId(), contact: { id: 701, firstName: 'D' } }]);
    await db.prisma.userOrigin.create({ data: { userId: 701n } });
    const [withState, without] = await runPreludes(db.query, [
      { updateId: updateId(), contact: { id: 701, firstName: 'D' }, conversationKey: 'c:701' },
      { updateId: updateId(), contact: { id: 702, firstName: 'E' }, conversationKey: 'c:702' },
    ]);
    expect(withState).toMatchObject({ conversation: '{"step":1}', firstContactRecorded: true });
    expect(without).toMatchObject({ conversation: undefined, firstContactRecorded: false });
  });

  it('the batcher runs what arrives together in one statement, and retries a statement that lost a deadlock', async () => {
    const statements: number[] = [];
    let failNext = false;
    const counting: DirectQuery = async (sql, params) => {
      statements.push((params[0] as unknown[]).length);
      if (failNext) {
        failNext = false;
        throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
      }
      return db.query(sql, params);
    };
    const batcher = createPreludeBatcher(counting);
    const ids = Array.from({ length: 25 }, updateId);
    const results = await Promise.all(ids.map((id, i) => batcher.run({ updateId: id, contact: { id: 800 + i, firstName: 'F' } })));
    expect(results.every((r) => r.fresh && r.user !== null)).toBe(true);
    expect(statements).toEqual([25]);

    failNext = true;
    const retried = await batcher.run({ updateId: updateId(), contact: { id: 899, firstName: 'G' } });
    expect(retried.fresh).toBe(true);
    expect(statements.slice(1)).toEqual([1, 1]);
  });

  it('the batcher fails every update of a batch whose statement fails, and goes on with the next', async () => {
    let broken = true;
    const flaky: DirectQuery = async (sql, params) => {
      if (broken) throw new Error('connection terminated');
      return db.query(sql, params);
    };
    const batcher = createPreludeBatcher(flaky);
    const failed = await Promise.allSettled([batcher.run({ updateId: updateId() }), batcher.run({ updateId: updateId() })]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    broken = false;
    expect((await batcher.run({ updateId: updateId() })).fresh).toBe(true);
  });

  it.runIf(usingPostgres)('a connection the server ends while idle is replaced, not fatal to the process', async () => {
    await runPreludes(db.query, [{ updateId: updateId() }]);
    await db.prisma.$queryRawUnsafe(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'idle'`,
    );
    await new Promise((r) => setTimeout(r, 200));
    expect((await runPreludes(db.query, [{ updateId: updateId() }]))[0]!.fresh).toBe(true);
  });

  it('the catalog stamp changes with any catalog change, and the cache reads the catalog again only then', async () => {
    await db.prisma.catalogModel.create({
      data: { slug: 'test-model', displayName: 'Test', provider: 'kie', providerModel: 'x', kind: 'text2video', priceRule: 'fixed', priceAmount: 5 },
    });
    const stamp = async () => (await runPreludes(db.query, [{ updateId: updateId() }]))[0]!.catalogStamp;
    const s1 = await stamp();
    expect(await stamp()).toBe(s1);

    let reads = 0;
    const counted = {
      catalogModel: {
        findMany: (...args: Parameters<typeof db.prisma.catalogModel.findMany>) => {
          reads++;
          return db.prisma.catalogModel.findMany(...args);
        },
      },
    } as unknown as Pick<typeof db.prisma, 'catalogModel'>;
    const cache = createCatalogCache();
    const options = { enabledOnly: true, configuredProviders: new Set<ProviderId>(['kie']) };
    expect((await cache.listModels(counted, options, s1)).map((m) => m.slug)).toContain('test-model');
    await cache.listModels(counted, options, s1);
    expect(reads).toBe(1);

    await db.prisma.catalogModel.update({ where: { slug: 'test-model' }, data: { enabled: false } });
    const s2 = await stamp();
    expect(s2).not.toBe(s1);
    expect((await cache.listModels(counted, options, s2)).map((m) => m.slug)).not.toContain('test-model');
    expect(reads).toBe(2);

    await db.prisma.catalogModel.delete({ where: { slug: 'test-model' } });
    expect(await stamp()).not.toBe(s2);
  });
});

describe.runIf(usingPostgres)('update prelude deadline', () => {
  const opened = useMigratedDatabase({ directStatementTimeoutMs: 300 });

  it('a statement that waits past its deadline fails instead of holding every update behind it', async () => {
    const db = opened();
    const contact = { id: 950, firstName: 'H' };
    await runPreludes(db.query, [{ updateId: updateId(), contact }]);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const locking = db.prisma.$transaction(
      async (tx) => {
        await tx.$queryRawUnsafe('SELECT 1 FROM "User" WHERE "id" = 950 FOR UPDATE');
        await held;
      },
      { timeout: 10_000 },
    );
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    // A new first name needs the row the transaction holds.
    await expect(runPreludes(db.query, [{ updateId: updateId(), contact: { ...contact, firstName: 'Renamed' } }])).rejects.toThrow(/statement timeout/);
    expect(Date.now() - started).toBeLessThan(3_000);
    release();
    await locking;
    const [after] = await runPreludes(db.query, [{ updateId: updateId(), contact: { ...contact, firstName: 'Renamed' } }]);
    expect(after!.user!.firstName).toBe('Renamed');
  });
});
