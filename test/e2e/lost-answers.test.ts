/**
 * The failure model (docs/providers.md §failure-model): requests that SUCCEED and whose answer is then lost (a proxy's
 * 502/504/524 after the origin took it, a reset connection, an answer that never comes), injected
 * by a fault proxy in front of each fake. Outcomes: at most one extra KIE task, the Kling task
 * found by external_task_id, the video delivered, one charge, no refund for a task that may still
 * deliver. Runs on PGlite, and on PostgreSQL with TEST_DATABASE_URL.
 */
import { describe, expect, it } from 'vitest';
import type { FakeUser } from '../support/fake-telegram/index.js';
import type { LostAnswer } from '../support/fault-proxy.js';
import { useLostAnswerBot } from '../support/lost-answer-fixture.js';
import { eventually, orderLipsync, orderText2Video, waitForVideo } from '../support/drive.js';

const CREATE = /\/api\/v1\/jobs\/createTask/;
const RECORD = /\/api\/v1\/jobs\/recordInfo/;
const UPLOAD = /file-stream-upload|file-base64-upload/;
const KLING_CREATE = (r: { method: string; path: string }) => r.method === 'POST' && /^\/v1\/videos\/text2video$/.test(r.path);
const KLING_QUERY = (r: { method: string; path: string }) => r.method === 'GET' && /^\/v1\/videos\/text2video\/[^?]+$/.test(r.path);

describe('lost answers end to end', { timeout: 60_000 }, () => {
  const f = useLostAnswerBot({ kie: { pollsPerStep: 1 } });

  async function settled(user: FakeUser) {
    await eventually(
      async () => (await f.prisma().generation.count({ where: { userId: BigInt(user.id), state: { notIn: ['delivered', 'refunded'] } } })) === 0,
      30_000,
      'the job to settle',
    );
    return f.prisma().generation.findFirstOrThrow({ where: { userId: BigInt(user.id) }, orderBy: { createdAt: 'desc' } });
  }
  const kieTasksOf = (generationId: string) => [...f.kie.tasks.values()].filter((t) => JSON.stringify(t.input).includes(generationId));

  it.each<[string, LostAnswer]>([
    ['502', 502],
    ['524', 524],
    ['reset', 'reset'],
    ['stall past the client timeout', 'stall'],
  ])('KIE createTask processed, then %s: one resend at most, delivered, charged once', async (_label, fault) => {
    const user = await f.newUser(100);
    f.proxy.kie.loseAnswer(CREATE, fault);
    await orderLipsync(user, 'InfiniteTalk 480p');
    await waitForVideo(user, 30_000);
    const generation = await settled(user);
    expect(generation.state).toBe('delivered');
    expect(kieTasksOf(generation.id).length).toBeLessThanOrEqual(2);
    expect(kieTasksOf(generation.id).length).toBeGreaterThanOrEqual(1);
    expect(await f.ledgerOf(user)).toEqual(['grant:100', 'charge:-9']);
  });

  it('KIE createTask answers lost twice (504): no third task, refunded exactly once', async () => {
    const user = await f.newUser(100);
    f.proxy.kie.loseAnswer(CREATE, 504, 2);
    await orderLipsync(user, 'InfiniteTalk 480p');
    const generation = await settled(user);
    expect(generation.state).toBe('refunded');
    expect(kieTasksOf(generation.id)).toHaveLength(2);
    expect(await f.ledgerOf(user)).toEqual(['grant:100', 'charge:-9', 'refund:9']);
    await user.waitForMessage({ match: /refund|returned|back/i, timeoutMs: 10_000 });
  });

  it.each<[string, RegExp, LostAnswer]>([
    ['upload 524', UPLOAD, 524],
    ['upload reset', UPLOAD, 'reset'],
    ['recordInfo 502', RECORD, 502],
    ['recordInfo stall', RECORD, 'stall'],
  ])('KIE %s: retried (free), one task, delivered', async (_label, route, fault) => {
    const user = await f.newUser(100);
    f.proxy.upload.loseAnswer(route, fault);
    f.proxy.kie.loseAnswer(route, fault);
    await orderLipsync(user, 'InfiniteTalk 480p');
    await waitForVideo(user, 30_000);
    const generation = await settled(user);
    expect(generation.state).toBe('delivered');
    expect(kieTasksOf(generation.id)).toHaveLength(1);
    expect(await f.ledgerOf(user)).toEqual(['grant:100', 'charge:-9']);
    f.proxy.upload.clear();
    f.proxy.kie.clear();
  });

  it.each<[string, LostAnswer]>([
    ['502', 502],
    ['reset', 'reset'],
    ['stall past the client timeout', 'stall'],
  ])('Kling create processed, then %s: the task is found by external_task_id, one task, delivered', async (_label, fault) => {
    const user = await f.newUser(100);
    f.proxy.kling.loseAnswer(KLING_CREATE, fault);
    await orderText2Video(user);
    await waitForVideo(user, 30_000);
    const generation = await settled(user);
    expect(generation.state).toBe('delivered');
    const tasks = [...f.kling.tasks.values()].filter((t) => t.externalTaskId === generation.externalTaskId);
    expect(tasks).toHaveLength(1);
    expect(generation.providerTaskId).toBe(tasks[0]!.taskId);
    expect(await f.ledgerOf(user)).toEqual(['grant:100', 'charge:-35']);
  });

  it.each<[string, LostAnswer]>([
    ['504', 504],
    ['stall', 'stall'],
  ])('Kling query answer lost (%s): retried, delivered once', async (_label, fault) => {
    const user = await f.newUser(100);
    f.proxy.kling.loseAnswer(KLING_QUERY, fault);
    await orderText2Video(user);
    await waitForVideo(user, 30_000);
    const generation = await settled(user);
    expect(generation.state).toBe('delivered');
    expect(await f.ledgerOf(user)).toEqual(['grant:100', 'charge:-35']);
    expect(user.messages().filter((m) => Boolean((m as { video?: unknown }).video))).toHaveLength(1);
  });
});
