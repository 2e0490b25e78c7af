import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.js';
import { applyMove, inLedgerTransaction, ledgerSum, recordMove } from '../../src/domain/ledger.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

describe('credit ledger', () => {
  let testDb: TestDatabase;
  let db: Database;
  const userId = 1001n;

  beforeAll(async () => {
    testDb = await createTestDatabase({ inMemory: true });
    db = await openDatabase({ databaseUrl: testDb.databaseUrl, dataDir: testDb.dataDir });
    await db.migrate();
    await db.prisma.user.create({ data: { id: userId, firstName: 'Ann' } });
  });
  afterAll(async () => {
    await db?.close();
    await testDb?.cleanup();
  });

  it('applies a move once per idempotency key', async () => {
    const grant = { userId, kind: 'grant' as const, amount: 100, idempotencyKey: 'grant:t1' };
    expect(await recordMove(db.prisma, grant)).toEqual({ status: 'applied', balance: 100 });
    expect(await recordMove(db.prisma, grant)).toEqual({ status: 'duplicate', balance: 100 });
    const rows = await db.prisma.ledgerEntry.findMany({ where: { userId } });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.balanceAfter).toBe(100);
  });

  it('never takes the balance below zero and records nothing then', async () => {
    const result = await recordMove(db.prisma, { userId, kind: 'charge', amount: -150, idempotencyKey: 'charge:g-big' });
    expect(result).toEqual({ status: 'insufficient', balance: 100 });
    expect(await db.prisma.ledgerEntry.count({ where: { idempotencyKey: 'charge:g-big' } })).toBe(0);
  });

  it('charges exactly once under concurrent attempts with one key', async () => {
    const charge = { userId, kind: 'charge' as const, amount: -30, idempotencyKey: 'charge:g-1', generationId: 'g-1' };
    const results = await Promise.all(Array.from({ length: 8 }, () => recordMove(db.prisma, charge)));
    expect(results.filter((r) => r.status === 'applied')).toHaveLength(1);
    expect((await db.prisma.user.findUniqueOrThrow({ where: { id: userId } })).balance).toBe(70);
  });

  it('rolls the whole transaction back when a move is rejected', async () => {
    const outcome = await inLedgerTransaction(db.prisma, async (tx) => {
      await applyMove(tx, { userId, kind: 'grant', amount: 5, idempotencyKey: 'grant:t2' });
      await applyMove(tx, { userId, kind: 'charge', amount: -1000, idempotencyKey: 'charge:g-2' });
    });
    expect(outcome).toEqual({ ok: false, result: { status: 'insufficient', balance: 75 } });
    expect(await db.prisma.ledgerEntry.count({ where: { idempotencyKey: 'grant:t2' } })).toBe(0);
    expect((await db.prisma.user.findUniqueOrThrow({ where: { id: userId } })).balance).toBe(70);
  });

  it('keeps the balance equal to the sum of the ledger', async () => {
    await recordMove(db.prisma, { userId, kind: 'refund', amount: 30, idempotencyKey: 'refund:g-1', generationId: 'g-1' });
    const user = await db.prisma.user.findUniqueOrThrow({ where: { id: userId } });
    expect(await ledgerSum(db.prisma, userId)).toBe(user.balance);
    expect(user.balance).toBe(100);
  });

  it('reports an unknown user', async () => {
    expect(await recordMove(db.prisma, { userId: 999n, kind: 'grant', amount: 1, idempotencyKey: 'grant:nobody' })).toEqual({ status: 'no_user' });
  });
});
