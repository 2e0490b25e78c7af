/**
 * The job worker's decisions as pure functions of `now` (no database, no clock of their own):
 * backoff, deadlines, give-up times. Plain unit tests in test/jobs/policy.test.ts.
 */

/** Backoff before the next submit try after a retryable failure: 1 s doubling, capped. */
export function submitBackoffMs(attempts: number, maxBackoffMs: number): number {
  return Math.min(maxBackoffMs, 1_000 * 2 ** Math.min(Math.max(0, attempts), 10));
}

/** Past the give-up time? (`deadlineAt` null: no deadline.) */
export function isPastDeadline(now: Date, deadlineAt: Date | null): boolean {
  return deadlineAt !== null && now.getTime() > deadlineAt.getTime();
}

/** A step's deadline: well inside the lease, so a step never outlives it (default 80 %). */
export function stepDeadlineMs(leaseMs: number, requested?: number): number {
  const cap = Math.floor(leaseMs * 0.8);
  return Math.max(1, Math.min(requested ?? cap, cap));
}

/** Within a delivery step: the upload gets this much, the rest is kept for the link fallback. */
export function uploadBudgetMs(stepMs: number): number {
  return Math.floor(stepMs * 0.7);
}

export const NOTICE_GIVE_UP_MS = 60 * 60_000;

/**
 * When to try a failed refund notice again: backoff that grows with the time since the refund
 * (a quarter of it; at least `minMs`, at most 10 min); null once the give-up time has passed.
 */
export function noticeRetryAt(now: Date, refundedAt: Date, minMs: number, giveUpMs = NOTICE_GIVE_UP_MS): Date | null {
  const elapsed = now.getTime() - refundedAt.getTime();
  if (elapsed > giveUpMs) return null;
  const delay = Math.min(10 * 60_000, Math.max(minMs, Math.floor(elapsed / 4)));
  return new Date(now.getTime() + delay);
}

/** A delivery that failed: retry, or give up (the result stays in /history) after giveUpMs. */
export function deliveryRetry(now: Date, readyAt: Date | null, giveUpMs: number): 'retry' | 'give_up' {
  const readyFor = now.getTime() - (readyAt ?? now).getTime();
  return readyFor > giveUpMs ? 'give_up' : 'retry';
}

/** The earlier of two run times (null = none). */
export function earliest(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a.getTime() <= b.getTime() ? a : b;
}
