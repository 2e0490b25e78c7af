/**
 * The database-derived gauges, read at scrape time. They describe the whole instance group (all
 * instances share the database), so every instance reports the same value: aggregate them with
 * `max without (instance)`, never `sum` (README "Operations").
 *
 * Cost per scrape: grouped counts over the active job states (the (state, nextRunAt) index), one
 * overdue count, the open broadcasts, and two grouped sums over the ledger plus one over the
 * payments. The ledger and payment sums grow with the books, so a snapshot is reused for
 * `cacheMs` (default 15 s) whatever the scrape rate.
 */
import type { PrismaClient } from '../db/client.js';

import { PROVIDER_STATES, WORKED_STATES } from '../domain/generation-states.js';

const ACTIVE_JOB_STATES = WORKED_STATES;

export interface DbSnapshot {
  /** Generations in each active state (terminal states are counted by the per-instance counters). */
  jobs: Record<(typeof ACTIVE_JOB_STATES)[number], number>;
  /** Active generations past their deadline (the worker should have failed and refunded them). */
  jobsOverdue: number;
  /** Credits moved by ledger kind: `in` = sum of credits added, `out` = sum of credits taken. */
  ledger: Array<{ kind: string; direction: 'in' | 'out'; credits: number; moves: number }>;
  /** Stars received in payments (refunded ones included) and the payments by status. */
  stars: number;
  payments: Array<{ status: string; count: number }>;
  /** Recipients of the pending and running broadcasts, by status. */
  broadcast: { active: number; recipients: Record<'total' | 'sent' | 'blocked' | 'failed' | 'pending', number> };
}

export type DbSnapshotSource = () => Promise<DbSnapshot>;

export async function readDbSnapshot(prisma: PrismaClient, now: Date): Promise<DbSnapshot> {
  const [byState, overdue, credited, debited, stars, payments, broadcasts] = await Promise.all([
    prisma.generation.groupBy({ by: ['state'], where: { state: { in: [...ACTIVE_JOB_STATES] } }, _count: { _all: true } }),
    prisma.generation.count({ where: { state: { in: [...PROVIDER_STATES] }, deadlineAt: { lt: now } } }),
    prisma.ledgerEntry.groupBy({ by: ['kind'], where: { amount: { gt: 0 } }, _sum: { amount: true }, _count: { _all: true } }),
    prisma.ledgerEntry.groupBy({ by: ['kind'], where: { amount: { lt: 0 } }, _sum: { amount: true }, _count: { _all: true } }),
    prisma.payment.aggregate({ _sum: { stars: true } }),
    prisma.payment.groupBy({ by: ['status'], _count: { _all: true } }),
    prisma.broadcast.findMany({ where: { status: { in: ['pending', 'running'] } }, select: { total: true, sent: true, blocked: true, failed: true } }),
  ]);
  const jobs = Object.fromEntries(ACTIVE_JOB_STATES.map((s) => [s, 0])) as DbSnapshot['jobs'];
  for (const row of byState) jobs[row.state as keyof DbSnapshot['jobs']] = row._count._all;
  const recipients = { total: 0, sent: 0, blocked: 0, failed: 0, pending: 0 };
  for (const b of broadcasts) {
    recipients.total += b.total;
    recipients.sent += b.sent;
    recipients.blocked += b.blocked;
    recipients.failed += b.failed;
    recipients.pending += Math.max(0, b.total - b.sent - b.blocked - b.failed);
  }
  return {
    jobs,
    jobsOverdue: overdue,
    ledger: [
      ...credited.map((r) => ({ kind: r.kind, direction: 'in' as const, credits: r._sum.amount ?? 0, moves: r._count._all })),
      ...debited.map((r) => ({ kind: r.kind, direction: 'out' as const, credits: -(r._sum.amount ?? 0), moves: r._count._all })),
    ],
    stars: stars._sum.stars ?? 0,
    payments: payments.map((p) => ({ status: p.status, count: p._count._all })),
    broadcast: { active: broadcasts.length, recipients },
  };
}

/** Reuses one snapshot for `cacheMs`; concurrent scrapes share one read. */
export function cachedDbSnapshot(read: () => Promise<DbSnapshot>, cacheMs: number, clock: () => number = Date.now): DbSnapshotSource {
  let last: { at: number; value: Promise<DbSnapshot> } | undefined;
  return () => {
    const t = clock();
    if (!last || t - last.at >= cacheMs) {
      const value = read();
      last = { at: t, value };
      // A failed read is not cached.
      value.catch(() => {
        if (last?.value === value) last = undefined;
      });
    }
    return last.value;
  };
}
