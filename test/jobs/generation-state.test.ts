/**
 * The generation-state owner on a real database: every leased write is refused when the lease is
 * expired or another worker's, or when the job is not in the expected state — and says which.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confirmGeneration } from '../../src/domain/generations.js';
import { adminRefundGeneration, generationStateFor, transition, type SuccessResult } from '../../src/jobs/generation-state.js';
import { POLLED_STATES } from '../../src/domain/generation-states.js';
import { expectBooks } from '../support/books.js';
import { confirmRequest, makeUser, openTestDb, type TestDb } from '../support/builders.js';

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb();
});
afterAll(async () => {
  await t?.close();
});

const PRICE = 21;
const now = () => new Date();
const result = (): SuccessResult => ({ resultUrl: 'https://example.test/v.mp4', resultDurationSeconds: 7, completedAt: new Date() });

/** A charged generation, moved to `state` (queued or submitted), leased to `owner` until `leaseUntil`. */
async function job(state: 'queued' | 'submitted', owner = 'w1', leaseUntil = new Date(Date.now() + 60_000)) {
  const userId = await makeUser(t.db, 100);
  const request = confirmRequest(userId, { quotedPrice: PRICE });
  const id = request.generationId;
  const created = await confirmGeneration(t.db.prisma, request);
  expect(created.status).toBe('created');
  if (state === 'submitted') expect(await transition(t.db.prisma, id, 'queued', 'submitted', { providerTaskId: 'task-1', submittedAt: new Date() })).toBe(true);
  await t.db.prisma.generation.update({ where: { id }, data: { leaseOwner: owner, leaseUntil } });
  return { id, userId, state: generationStateFor(t.db.prisma, { id, owner: 'w1' }, now) };
}

const row = (id: string) => t.db.prisma.generation.findUniqueOrThrow({ where: { id } });
const refunds = (id: string) => t.db.prisma.ledgerEntry.count({ where: { generationId: id, kind: 'refund' } });

describe('generation-state owner', () => {
  it('refuses a success write under an expired lease (lease_lost) and accepts it under a live one', async () => {
    const expired = await job('submitted', 'w1', new Date(Date.now() - 1));
    expect(await expired.state.recordSuccess(result())).toEqual({ status: 'lease_lost' });
    expect(await row(expired.id)).toMatchObject({ state: 'submitted', resultUrl: null });

    const live = await job('submitted');
    expect(await live.state.recordSuccess(result())).toEqual({ status: 'moved' });
    expect(await row(live.id)).toMatchObject({ state: 'succeeded', resultUrl: 'https://example.test/v.mp4', resultDurationSeconds: 7 });
  });

  it('records the status message only under the lease', async () => {
    const other = await job('submitted', 'w2');
    expect(await other.state.recordStatusMessage(41)).toEqual({ status: 'lease_lost' });
    expect((await row(other.id)).statusMessageId).toBeNull();
    const mine = await job('queued');
    expect(await mine.state.recordStatusMessage(42)).toEqual({ status: 'moved' });
    expect((await row(mine.id)).statusMessageId).toBe(42);
  });

  it("refuses every write under another worker's lease", async () => {
    const other = await job('submitted', 'w2');
    expect(await other.state.markRunning()).toEqual({ status: 'lease_lost' });
    expect(await other.state.recordSuccess(result())).toEqual({ status: 'lease_lost' });
    expect(await other.state.failAndRefund(POLLED_STATES, { errorCode: 'x', error: 'x' })).toEqual({ status: 'lease_lost' });
    expect(await row(other.id)).toMatchObject({ state: 'submitted', refundedAt: null });
    expect(await refunds(other.id)).toBe(0);
    await expectBooks(t.db.prisma, other.userId, 100 - PRICE);
  });

  it('refuses a write from the wrong state (moved_on, with the state found)', async () => {
    const queued = await job('queued');
    expect(await queued.state.markRunning()).toEqual({ status: 'moved_on', state: 'queued' });
    expect(await queued.state.recordSuccess(result())).toEqual({ status: 'moved_on', state: 'queued' });
    expect(await queued.state.recordDelivered({ kind: 'link', deliveredAt: new Date() })).toEqual({ status: 'moved_on', state: 'queued' });
    expect(await queued.state.markSubmitInFlight(1)).toEqual({ status: 'moved_on', state: 'queued' });
    expect(await queued.state.markSubmitInFlight(0)).toEqual({ status: 'moved' });
    expect((await row(queued.id)).submitAttempts).toBe(1);
  });

  it('refunds once: a second fail, a sweep and an expired lease all refund nothing', async () => {
    const j = await job('submitted');
    expect(await j.state.failAndRefund(POLLED_STATES, { errorCode: 'task_failed', error: 'boom' })).toMatchObject({ status: 'refunded', amount: PRICE });
    expect(await j.state.failAndRefund(POLLED_STATES, { errorCode: 'task_failed', error: 'again' })).toEqual({ status: 'already_refunded' });
    expect(await j.state.refundFailed('sweep')).toEqual({ status: 'already_refunded' });
    expect(await refunds(j.id)).toBe(1);
    await expectBooks(t.db.prisma, j.userId, 100);

    const expired = await job('submitted', 'w1', new Date(Date.now() - 1));
    expect(await expired.state.failAndRefund(POLLED_STATES, { errorCode: 'timeout', error: 'late' })).toEqual({ status: 'lease_lost' });
    expect(await refunds(expired.id)).toBe(0);
    expect((await row(expired.id)).state).toBe('submitted');
  });

  it('a late success after the timeout refund is delivered once, free', async () => {
    const j = await job('submitted');
    expect(await j.state.failAndRefund(POLLED_STATES, { errorCode: 'timeout', error: 'no result', lateDeliveryAllowed: true })).toMatchObject({
      status: 'refunded',
    });
    // Not a success from the polled states any more: only the late path takes it.
    expect(await j.state.recordSuccess(result())).toEqual({ status: 'moved_on', state: 'refunded' });
    expect(await j.state.recordLateResult(result())).toEqual({ status: 'moved' });
    expect(await j.state.recordDelivered({ kind: 'video', deliveredAt: new Date(), telegramFileId: 'file-1' })).toEqual({ status: 'moved' });
    expect(await j.state.recordDelivered({ kind: 'video', deliveredAt: new Date(), telegramFileId: 'file-2' })).toEqual({
      status: 'moved_on',
      state: 'delivered',
    });
    expect(await row(j.id)).toMatchObject({ state: 'delivered', telegramFileId: 'file-1', lateDeliveryAllowed: false });
    expect(await t.db.prisma.ledgerEntry.count({ where: { generationId: j.id, kind: 'charge' } })).toBe(1);
    expect(await refunds(j.id)).toBe(1);
    await expectBooks(t.db.prisma, j.userId, 100);
  });

  it('a refund without late delivery takes no late result', async () => {
    const j = await job('submitted');
    await j.state.failAndRefund(POLLED_STATES, { errorCode: 'task_failed', error: 'boom' });
    expect(await j.state.recordLateResult(result())).toEqual({ status: 'moved_on', state: 'refunded' });
    expect(await j.state.recordDelivered({ kind: 'link', deliveredAt: new Date() })).toEqual({ status: 'moved_on', state: 'refunded' });
    expect((await row(j.id)).resultUrl).toBeNull();
  });

  it('after an admin refund the worker is told moved_on, and a fresh task is kept for a late delivery', async () => {
    const polled = await job('submitted');
    await adminRefundGeneration(t.db.prisma, polled.id, 42n);
    expect(await polled.state.recordSuccess(result())).toEqual({ status: 'moved_on', state: 'refunded' });

    const queued = await job('queued');
    expect(await queued.state.markSubmitInFlight(0)).toEqual({ status: 'moved' });
    await adminRefundGeneration(t.db.prisma, queued.id, 42n);
    expect(await queued.state.recordSubmitted('task-late', new Date(Date.now() + 60_000))).toEqual({ status: 'kept_after_refund' });
    expect(await row(queued.id)).toMatchObject({ state: 'refunded', providerTaskId: 'task-late', lateDeliveryAllowed: true });
    await expectBooks(t.db.prisma, queued.userId, 100);
  });

  it('records the refund notice once, only for a refunded job', async () => {
    const j = await job('submitted');
    expect(await j.state.recordRefundNotice()).toEqual({ status: 'moved_on', state: 'submitted' });
    await j.state.failAndRefund(POLLED_STATES, { errorCode: 'task_failed', error: 'boom' });
    expect(await j.state.recordRefundNotice()).toEqual({ status: 'moved' });
    expect(await j.state.recordRefundNotice()).toEqual({ status: 'moved_on', state: 'refunded' });
  });

  it('a success result may carry a provider video id (stored only where the column exists)', async () => {
    const j = await job('submitted');
    expect(await j.state.recordSuccess({ ...result(), providerVideoId: 'video-1' })).toEqual({ status: 'moved' });
    expect((await row(j.id)).state).toBe('succeeded');
  });
});
