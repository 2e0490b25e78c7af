import { describe, expect, it } from 'vitest';
import { deliveryRetry, earliest, isPastDeadline, noticeRetryAt, stepDeadlineMs, submitBackoffMs, uploadBudgetMs } from '../../src/jobs/policy.js';

const t0 = new Date('2026-01-01T00:00:00Z');
const plus = (ms: number) => new Date(t0.getTime() + ms);

describe('job policy (pure functions of now)', () => {
  it('submit backoff doubles from 1 s and is capped', () => {
    expect([0, 1, 2, 3].map((a) => submitBackoffMs(a, 60_000))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(submitBackoffMs(30, 60_000)).toBe(60_000);
  });

  it('deadline: only strictly after it, none without one', () => {
    expect(isPastDeadline(plus(1), t0)).toBe(true);
    expect(isPastDeadline(t0, t0)).toBe(false);
    expect(isPastDeadline(plus(1e9), null)).toBe(false);
  });

  it('a step deadline stays inside the lease; the upload leaves room for the link', () => {
    expect(stepDeadlineMs(60_000)).toBe(48_000);
    expect(stepDeadlineMs(60_000, 90_000)).toBe(48_000);
    expect(stepDeadlineMs(60_000, 5_000)).toBe(5_000);
    expect(uploadBudgetMs(10_000)).toBe(7_000);
  });

  it('a failed refund notice backs off with the time since the refund, then gives up', () => {
    expect(noticeRetryAt(plus(0), t0, 1_000)).toEqual(plus(1_000));
    expect(noticeRetryAt(plus(40_000), t0, 1_000)).toEqual(plus(50_000));
    expect(noticeRetryAt(plus(50 * 60_000), t0, 1_000)).toEqual(plus(60 * 60_000));
    expect(noticeRetryAt(plus(61 * 60_000), t0, 1_000)).toBeNull();
  });

  it('a delivery is retried until the give-up time after the result was ready', () => {
    expect(deliveryRetry(plus(1_000), t0, 5_000)).toBe('retry');
    expect(deliveryRetry(plus(6_000), t0, 5_000)).toBe('give_up');
    expect(deliveryRetry(t0, null, 5_000)).toBe('retry');
  });

  it('earliest', () => {
    expect(earliest(null, null)).toBeNull();
    expect(earliest(plus(5), null)).toEqual(plus(5));
    expect(earliest(plus(5), plus(3))).toEqual(plus(3));
  });
});
