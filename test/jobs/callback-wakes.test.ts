import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCallbackWakes } from '../../src/jobs/callback-wakes.js';
import { lipsyncInputs, makeUser, openTestDb, silentLogger, uuid, type TestDb } from '../support/builders.js';

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb();
}, 60_000);
afterAll(async () => {
  await t?.close();
});

const later = new Date(Date.now() + 3_600_000);

async function job(state: 'submitted' | 'running' | 'delivered' | 'refunded', taskId: string, extra: { lateDeliveryAllowed?: boolean } = {}) {
  const userId = await makeUser(t.db, 0);
  const id = uuid();
  await t.db.prisma.generation.create({
    data: {
      id,
      userId,
      chatId: userId,
      modelSlug: 'kling-ai-avatar',
      kind: 'lipsync',
      state,
      price: 10,
      inputs: lipsyncInputs() as never,
      externalTaskId: id.replace(/-/g, ''),
      providerTaskId: taskId,
      nextRunAt: later,
      lateDeliveryAllowed: extra.lateDeliveryAllowed ?? false,
    },
  });
  return id;
}

const nextRunAt = async (id: string) => (await t.db.prisma.generation.findUniqueOrThrow({ where: { id } })).nextRunAt.getTime();

describe('callback wakes', () => {
  it('queue at once, write a burst in few statements, wake only jobs still waiting for that provider', async () => {
    const waiting = await Promise.all(Array.from({ length: 40 }, (_, i) => job(i % 2 ? 'running' : 'submitted', `task-${i}`)));
    const done = await job('delivered', 'task-done');
    const lateOk = await job('refunded', 'task-late', { lateDeliveryAllowed: true });
    const refunded = await job('refunded', 'task-refunded');
    const batches: number[] = [];
    const wakeMs = Date.now() - 10 * 365 * 86_400_000;
    const wakes = createCallbackWakes({
      prisma: t.db.prisma,
      logger: silentLogger,
      wakeTime: () => new Date(wakeMs),
      onWoken: (count) => batches.push(count),
    });

    // add() returns before any database work.
    for (let i = 0; i < 40; i++) wakes.add('kie', `task-${i}`);
    for (const task of ['task-done', 'task-late', 'task-refunded', 'task-unknown']) wakes.add('kie', task);
    wakes.add('kling', 'task-0'); // a KIE task id under another provider wakes nothing
    expect(batches).toEqual([]);
    await wakes.flush();

    expect(batches.reduce((a, b) => a + b, 0)).toBe(41);
    expect(batches.length).toBeLessThanOrEqual(2); // one statement per provider
    for (const id of [...waiting, lateOk]) expect(await nextRunAt(id)).toBeLessThan(Date.now());
    for (const id of [done, refunded]) expect(await nextRunAt(id)).toBe(later.getTime());

    // A second wake of the same job writes a later time than the first (the lease release sees it).
    const first = await nextRunAt(waiting[0]!);
    wakes.add('kie', 'task-0');
    await wakes.flush();
    expect(await nextRunAt(waiting[0]!)).toBeGreaterThan(first);
  }, 30_000);

  it('a failed batch is dropped and logged, later wakes still go through', async () => {
    const id = await job('running', 'task-after-failure');
    let fail = true;
    const prisma = new Proxy(t.db.prisma, {
      get(target, key, receiver) {
        if (key === '$executeRawUnsafe' && fail) {
          fail = false;
          return () => Promise.reject(new Error('connection lost'));
        }
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    const woken: number[] = [];
    const wakes = createCallbackWakes({ prisma, logger: silentLogger, wakeTime: () => new Date(0), onWoken: (n) => woken.push(n) });
    wakes.add('kie', 'task-after-failure');
    await wakes.flush();
    expect(woken).toEqual([]);
    expect(await nextRunAt(id)).toBe(later.getTime());
    wakes.add('kie', 'task-after-failure');
    await wakes.flush();
    expect(woken).toEqual([1]);
  }, 30_000);
});
