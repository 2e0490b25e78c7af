/**
 * The fast chaos run (scripts/chaos.ts runs the full size of test/support/chaos.ts): generations in flight while the bot
 * child process is SIGKILLed and restarted; afterwards nothing is lost, charged or refunded twice,
 * delivered twice, and every user's ledger sums to the balance. PGlite and PostgreSQL alike.
 */
import { describe, expect, it } from 'vitest';
import { formatChaosReport, runChaos } from '../support/chaos.js';

describe('chaos: SIGKILL and restart while generations run', () => {
  it('12 generations, 3 kills: 0 lost, 0 double charges/refunds, no duplicate delivery but the at-least-once window, books balance', async () => {
    const report = await runChaos({
      generations: 12,
      realFlows: 2,
      kills: 3,
      seed: 42,
      failRate: 0.25,
      killDelayMs: [200, 1_000],
      workerConcurrency: 4,
      maxMs: 150_000, // the chaos lease is 4 s (takeover after a kill), and the host is shared
      log: () => {},
    });
    const text = formatChaosReport(report);
    expect(report.generations, text).toBe(12);
    expect(report.kills, text).toBe(3);
    expect(report.killsWithJobsInFlight, text).toBeGreaterThanOrEqual(1);
    expect(report.lost, text).toBe(0);
    expect(report.doubleCharges, text).toBe(0);
    expect(report.chargeRows, text).toBe(12);
    expect(report.doubleRefunds, text).toBe(0);
    // Telegram has no idempotency key: a SIGKILL after Telegram accepted a video and before the
    // delivery was recorded re-sends it after the restart (at-least-once, docs/reliability.md).
    // Any other duplicate is a bug; and at most the deliveries in flight at each kill.
    expect(report.unexplainedDuplicates, text).toBe(0);
    expect(report.duplicateDeliveries, text).toBeLessThanOrEqual(report.kills * 4);
    expect(report.deliveredAndRefunded, text).toBe(0);
    expect(report.ledgerMismatches, text).toBe(0);
    expect(report.ledgerTotal, text).toBe(report.balanceTotal);
    expect(report.delivered + report.refunded, text).toBe(12);
  }, 180_000);
});
