import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confirmGeneration } from '../../src/domain/generations.js';
import { adminRefundGeneration } from '../../src/jobs/generation-state.js';
import { confirmRequest, makeUser, openTestDb, textInputs, type TestDb } from '../support/builders.js';

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb();
});
afterAll(async () => {
  await t?.close();
});

describe('/refund', () => {
  it('writes its audit row in the refund transaction: one refund, one audit row, even when repeated', async () => {
    const userId = await makeUser(t.db, 100);
    const request = confirmRequest(userId, { modelSlug: 'kling-text2video', inputs: textInputs(), quotedPrice: 35 });
    const id = request.generationId;
    const created = await confirmGeneration(t.db.prisma, request);
    expect(created.status).toBe('created');
    const adminId = 42n;
    expect(await adminRefundGeneration(t.db.prisma, id, adminId)).toMatchObject({ status: 'refunded', amount: 35, previousState: 'queued' });
    expect(await adminRefundGeneration(t.db.prisma, id, adminId)).toEqual({ status: 'already_refunded' });
    const audit = await t.db.prisma.adminAuditLog.findMany({ where: { action: 'generation_refund', target: id } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ adminId, details: { amount: 35, previousState: 'queued' } });
  });
});
