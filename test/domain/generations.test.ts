import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/domain/errors.js';
import { confirmGeneration, listHistory, type ConfirmRequest } from '../../src/domain/generations.js';
import { adminRefundGeneration, failAndRefund, refundGeneration, transition } from '../../src/jobs/generation-state.js';
import type { ProviderId } from '../../src/providers/types.js';
import { confirmRequest, lipsyncInputs, makeUser, openTestDb, textInputs, type TestDb } from '../support/builders.js';
import { expectBooks } from '../support/books.js';

describe('generations', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb();
  });
  afterAll(async () => {
    await t?.close();
  });

  const request = (userId: bigint, overrides: Partial<ConfirmRequest> = {}): ConfirmRequest => confirmRequest(userId, { maxInFlight: 1, ...overrides });

  const books = (userId: bigint) => expectBooks(t.db.prisma, userId);

  it('created: charges the quoted price once and queues the job', async () => {
    const userId = await makeUser(t.db, 100);
    const req = request(userId);
    const result = await confirmGeneration(t.db.prisma, req);
    expect(result).toMatchObject({ status: 'created', balance: 79 });
    if (result.status !== 'created') throw new Error();
    expect(result.generation).toMatchObject({
      id: req.generationId,
      state: 'queued',
      price: 21,
      kind: 'lipsync',
      externalTaskId: `gen-${req.generationId}`,
      language: 'en',
    });
    expect(result.generation.nextRunAt.getTime()).toBe(req.now.getTime());
    const charge = await t.db.prisma.ledgerEntry.findUniqueOrThrow({ where: { idempotencyKey: `charge:${req.generationId}` } });
    expect(charge).toMatchObject({ kind: 'charge', amount: -21, generationId: req.generationId, balanceAfter: 79 });
    expect(await books(userId)).toBe(79);
  });

  it('duplicate: the same generation id never charges twice', async () => {
    const userId = await makeUser(t.db, 100);
    const req = request(userId);
    expect((await confirmGeneration(t.db.prisma, req)).status).toBe('created');
    const again = await confirmGeneration(t.db.prisma, req);
    expect(again).toMatchObject({ status: 'duplicate', generation: { id: req.generationId } });
    expect(await t.db.prisma.ledgerEntry.count({ where: { userId, kind: 'charge' } })).toBe(1);
    expect(await books(userId)).toBe(79);
  });

  it('five concurrent confirms of one id: one charge, the rest duplicates', async () => {
    const userId = await makeUser(t.db, 100);
    const req = request(userId);
    const results = await Promise.all(Array.from({ length: 5 }, () => confirmGeneration(t.db.prisma, req)));
    expect(results.filter((r) => r.status === 'created')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'duplicate')).toHaveLength(4);
    expect(await t.db.prisma.generation.count({ where: { userId } })).toBe(1);
    expect(await books(userId)).toBe(79);
  });

  it('concurrent confirms of different ids respect the in-flight limit', async () => {
    const userId = await makeUser(t.db, 1000);
    const results = await Promise.all(Array.from({ length: 4 }, () => confirmGeneration(t.db.prisma, request(userId))));
    expect(results.filter((r) => r.status === 'created')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'busy')).toHaveLength(3);
    expect(await books(userId)).toBe(1000 - 21);
  });

  it('price_changed: a stale quote charges nothing', async () => {
    const userId = await makeUser(t.db, 100);
    const result = await confirmGeneration(t.db.prisma, request(userId, { quotedPrice: 18 }));
    expect(result).toEqual({ status: 'price_changed', price: 21 });
    expect(await t.db.prisma.generation.count({ where: { userId } })).toBe(0);
    expect(await books(userId)).toBe(100);
  });

  it('model_unavailable: switched off, unknown, or its provider not configured', async () => {
    const userId = await makeUser(t.db, 100);
    await t.db.prisma.catalogModel.update({ where: { slug: 'infinitalk-720p' }, data: { enabled: false } });
    try {
      expect(await confirmGeneration(t.db.prisma, request(userId, { modelSlug: 'infinitalk-720p', quotedPrice: 84 }))).toEqual({ status: 'model_unavailable' });
    } finally {
      await t.db.prisma.catalogModel.update({ where: { slug: 'infinitalk-720p' }, data: { enabled: true } });
    }
    expect(await confirmGeneration(t.db.prisma, request(userId, { modelSlug: 'nope' }))).toEqual({ status: 'model_unavailable' });
    const kieMissing = new Set<ProviderId>(['kling']);
    expect(await confirmGeneration(t.db.prisma, request(userId, { configuredProviders: kieMissing }))).toEqual({ status: 'model_unavailable' });
    expect(await books(userId)).toBe(100);
  });

  it('insufficient: nothing charged, balance and price reported', async () => {
    const userId = await makeUser(t.db, 20);
    expect(await confirmGeneration(t.db.prisma, request(userId))).toEqual({ status: 'insufficient', balance: 20, price: 21 });
    expect(await t.db.prisma.generation.count({ where: { userId } })).toBe(0);
    expect(await books(userId)).toBe(20);
  });

  it('busy: a second generation while one is in flight (maxInFlight 1)', async () => {
    const userId = await makeUser(t.db, 100);
    expect((await confirmGeneration(t.db.prisma, request(userId))).status).toBe('created');
    expect(await confirmGeneration(t.db.prisma, request(userId))).toEqual({ status: 'busy', inFlight: 1, max: 1 });
    expect((await confirmGeneration(t.db.prisma, request(userId, { maxInFlight: 2 }))).status).toBe('created');
    expect(await books(userId)).toBe(58);
  });

  it('banned: nothing charged', async () => {
    const userId = await makeUser(t.db, 100, { banned: true });
    expect(await confirmGeneration(t.db.prisma, request(userId))).toEqual({ status: 'banned' });
    expect(await books(userId)).toBe(100);
  });

  it('inputs that no longer fit the model are a UserError, not a charge', async () => {
    const userId = await makeUser(t.db, 1000);
    const error = await confirmGeneration(t.db.prisma, request(userId, { inputs: lipsyncInputs(20), quotedPrice: 60 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({ key: 'issue-audio-too-long', vars: { max: 15, seconds: 20 } });
    expect(await books(userId)).toBe(1000);
  });

  it('per-5s pricing for Kling text-to-video', async () => {
    const userId = await makeUser(t.db, 100);
    const result = await confirmGeneration(t.db.prisma, request(userId, { modelSlug: 'kling-text2video', inputs: textInputs(10), quotedPrice: 70 }));
    expect(result).toMatchObject({ status: 'created', balance: 30 });
  });

  it('transitions are conditional on the expected state', async () => {
    const userId = await makeUser(t.db, 100);
    const req = request(userId);
    await confirmGeneration(t.db.prisma, req);
    expect(await transition(t.db.prisma, req.generationId, 'queued', 'submitted', { providerTaskId: 'task-1' })).toBe(true);
    expect(await transition(t.db.prisma, req.generationId, 'queued', 'submitted')).toBe(false);
    await expect(transition(t.db.prisma, req.generationId, 'submitted', 'queued')).rejects.toThrow(/illegal/);
    // refunded → delivered only with lateDeliveryAllowed
    await failAndRefund(t.db.prisma, req.generationId, 'submitted', { errorCode: 'x', error: 'x', now: new Date() });
    expect(await transition(t.db.prisma, req.generationId, 'refunded', 'delivered')).toBe(false);
  });

  it('failAndRefund and refundGeneration refund exactly once', async () => {
    const userId = await makeUser(t.db, 100);
    const req = request(userId);
    await confirmGeneration(t.db.prisma, req);
    const results = await Promise.all(
      Array.from({ length: 4 }, () => failAndRefund(t.db.prisma, req.generationId, 'queued', { errorCode: 'test', error: 'boom', now: new Date() })),
    );
    expect(results.filter((r) => r.status === 'refunded')).toEqual([{ status: 'refunded', amount: 21, balance: 100 }]);
    expect(results.filter((r) => r.status !== 'refunded').every((r) => r.status === 'already_refunded')).toBe(true);
    expect(await refundGeneration(t.db.prisma, req.generationId, 'again')).toEqual({ status: 'already_refunded' });
    expect(await refundGeneration(t.db.prisma, 'missing', 'x')).toEqual({ status: 'not_found' });
    const generation = await t.db.prisma.generation.findUniqueOrThrow({ where: { id: req.generationId } });
    expect(generation).toMatchObject({ state: 'refunded', errorCode: 'test' });
    expect(await t.db.prisma.ledgerEntry.count({ where: { generationId: req.generationId, kind: 'refund' } })).toBe(1);
    expect(await books(userId)).toBe(100);
  });

  it('refundGeneration only refunds failed generations', async () => {
    const userId = await makeUser(t.db, 100);
    const req = request(userId);
    await confirmGeneration(t.db.prisma, req);
    expect(await refundGeneration(t.db.prisma, req.generationId, 'x')).toEqual({ status: 'not_refundable', state: 'queued' });
    await transition(t.db.prisma, req.generationId, 'queued', 'failed');
    expect(await refundGeneration(t.db.prisma, req.generationId, 'x')).toMatchObject({ status: 'refunded', amount: 21 });
    expect(await books(userId)).toBe(100);
  });

  it('admin refund: in flight, delivered (state kept) and repeated', async () => {
    const userId = await makeUser(t.db, 100);
    const running = request(userId, { maxInFlight: 5 });
    await confirmGeneration(t.db.prisma, running);
    await transition(t.db.prisma, running.generationId, 'queued', 'submitted', { providerTaskId: 'task-admin' });
    expect(await adminRefundGeneration(t.db.prisma, running.generationId, 42n)).toMatchObject({ status: 'refunded', amount: 21, previousState: 'submitted' });
    expect(await t.db.prisma.generation.findUniqueOrThrow({ where: { id: running.generationId } })).toMatchObject({
      state: 'refunded',
      lateDeliveryAllowed: true,
      errorCode: 'admin_refund',
    });
    expect(await adminRefundGeneration(t.db.prisma, running.generationId, 42n)).toEqual({ status: 'already_refunded' });

    const delivered = request(userId, { maxInFlight: 5 });
    await confirmGeneration(t.db.prisma, delivered);
    await transition(t.db.prisma, delivered.generationId, 'queued', 'submitted');
    await transition(t.db.prisma, delivered.generationId, 'submitted', 'succeeded');
    await transition(t.db.prisma, delivered.generationId, 'succeeded', 'delivered');
    expect(await adminRefundGeneration(t.db.prisma, delivered.generationId, 42n)).toMatchObject({ status: 'refunded', previousState: 'delivered' });
    const row = await t.db.prisma.generation.findUniqueOrThrow({ where: { id: delivered.generationId } });
    expect(row.state).toBe('delivered');
    expect(row.refundedAt).not.toBeNull();
    expect(await adminRefundGeneration(t.db.prisma, delivered.generationId, 42n)).toEqual({ status: 'already_refunded' });
    expect(await adminRefundGeneration(t.db.prisma, 'missing', 42n)).toEqual({ status: 'not_found' });
    const entry = await t.db.prisma.ledgerEntry.findUniqueOrThrow({ where: { idempotencyKey: `refund:${delivered.generationId}` } });
    expect(entry.adminId).toBe(42n);
    expect(await books(userId)).toBe(100);
  });

  it('lists history newest first with the model name', async () => {
    const userId = await makeUser(t.db, 100);
    const first = request(userId, { maxInFlight: 5, now: new Date(Date.now() - 60_000) });
    const second = request(userId, { maxInFlight: 5, modelSlug: 'kling-text2video', inputs: textInputs(), quotedPrice: 35 });
    await confirmGeneration(t.db.prisma, first);
    await confirmGeneration(t.db.prisma, second);
    const items = await listHistory(t.db.prisma, userId, 10);
    expect(items.map((i) => [i.id, i.displayName, i.state])).toEqual([
      [second.generationId, 'Kling text-to-video', 'queued'],
      [first.generationId, 'InfiniteTalk 480p', 'queued'],
    ]);
    expect(await listHistory(t.db.prisma, userId, 1)).toHaveLength(1);
  });
});
