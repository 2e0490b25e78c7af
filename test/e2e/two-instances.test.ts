/**
 * Two bot processes on one PostgreSQL in webhook mode behind a round-robin balancer (fast
 * version of scripts/two-instances.ts): every update handled once — also when redelivered or
 * POSTed to both instances — and every generation charged, submitted and delivered once, with
 * both instances doing some of the work. Skipped on PGlite (one process only).
 */
import { describe, expect, it } from 'vitest';
import { usingPostgres } from '../support/db.js';
import { formatTwoInstancesReport, runTwoInstances } from '../support/two-instances.js';

describe.skipIf(!usingPostgres)('two instances on one PostgreSQL behind a load balancer', () => {
  it('200 updates and 20 generations: each handled, claimed and delivered exactly once, by both instances', async () => {
    const report = await runTwoInstances({ updates: 200, generations: 20, seed: 7, maxMs: 80_000, flowConcurrency: 20, log: () => {} });
    const text = formatTwoInstancesReport(report);
    // Updates: one reply per update, redeliveries and double posts change nothing.
    expect(report.balanceReplies, text).toBe(report.updates + report.postedToBoth);
    expect(report.updatesNotAnsweredOnce, text).toBe(0);
    expect(report.extraRepliesAfterRedelivery, text).toBe(0);
    expect(report.redelivered, text).toBeGreaterThan(0);
    expect(report.bothPostsAccepted, text).toBe(report.postedToBoth);
    // Generations: one charge, one provider task, one sendVideo each.
    expect(report.generations, text).toBe(20);
    expect(report.delivered, text).toBe(20);
    expect(report.chargeRows, text).toBe(20);
    expect(report.doubleCharges, text).toBe(0);
    expect(report.providerTasks, text).toBe(20);
    expect(report.sendVideoCalls, text).toBe(20);
    expect(report.chatsWithOtherThanOneVideo, text).toBe(0);
    expect(report.lost + report.duplicateDeliveries + report.ledgerMismatches, text).toBe(0);
    // Both instances worked: webhook requests, and jobs (submitted or delivered) on each.
    for (const instance of report.instances) {
      expect(instance.webhookRequests, text).toBeGreaterThan(0);
      expect(instance.submitted + instance.delivered, text).toBeGreaterThan(0);
    }
  }, 90_000);
});
