/**
 * The alerts service on a real database with an injected clock: throttling across a clock jump,
 * a mute that ends, and two services (two "instances") on one database racing for each send.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { openDatabase, type Database } from '../../src/db/client.js';
import { createAlerts, type Alerts, type AlertsDeps } from '../../src/alerts/service.js';
import { ProviderError } from '../../src/providers/types.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

describe('alerts service', () => {
  let testDb: TestDatabase;
  let db: Database;
  let clock = new Date('2026-12-01T10:00:00Z');
  const sent: string[] = [];
  const services: Alerts[] = [];

  function service(overrides: Partial<AlertsDeps> = {}): Alerts {
    const alerts = createAlerts({
      prisma: db.prisma,
      admins: [1n, 2n],
      render: async (admin, key, vars) => `${admin}:${key}:${JSON.stringify(vars)}`,
      send: async (_admin, text) => {
        sent.push(text);
      },
      now: () => clock,
      logger: pino({ level: 'silent' }),
      throttleMs: 15 * 60_000,
      checkIntervalMs: 60_000,
      providerFailures: 3,
      jobsOverdueMs: 0,
      kieCreditCheckIntervalMs: 60_000,
      requestTimeoutMs: 1_000,
      ...overrides,
    });
    services.push(alerts);
    return alerts;
  }
  const minutes = (n: number) => (clock = new Date(clock.getTime() + n * 60_000));
  const settle = () => Promise.all(services.map((s) => s.settled()));

  beforeAll(async () => {
    testDb = await createTestDatabase({ inMemory: true });
    db = await openDatabase({ databaseUrl: testDb.databaseUrl, dataDir: testDb.dataDir });
    await db.migrate();
  });
  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await db?.close();
    await testDb?.cleanup();
  });

  it('throttles a flapping condition to one alert per 15 minutes of the injected clock', async () => {
    const alerts = service();
    sent.length = 0;
    expect(await alerts.raise('flap', { n: 1 })).toBe('alert');
    expect(sent).toHaveLength(2); // both admins
    expect(await alerts.clear('flap')).toBe('recovery');
    minutes(5);
    expect(await alerts.raise('flap')).toBeNull();
    expect(await alerts.clear('flap')).toBeNull();
    minutes(5);
    expect(await alerts.raise('flap')).toBeNull();
    minutes(5); // 15 minutes after the first alert, still holding
    expect(await alerts.raise('flap')).toBe('alert');
    expect(sent).toHaveLength(6);
  });

  it('a mute that ends lets the still-held condition be announced', async () => {
    const alerts = service();
    sent.length = 0;
    await db.prisma.alertState.create({ data: { key: 'muted-one' } });
    const row = await db.prisma.alertState.findUniqueOrThrow({ where: { key: 'muted-one' } });
    await alerts.mute(row.id, 42n, 30);
    expect(await alerts.raise('muted-one')).toBeNull();
    minutes(29);
    expect(await alerts.raise('muted-one')).toBeNull();
    minutes(2);
    expect(await alerts.raise('muted-one')).toBe('alert');
    expect(await db.prisma.adminAuditLog.count({ where: { action: 'alert_mute', target: 'muted-one', adminId: 42n } })).toBe(1);
  });

  it('two services on one database: each alert and each recovery is sent once', async () => {
    const a = service();
    const b = service();
    sent.length = 0;
    const raised = await Promise.all([a.raise('shared'), b.raise('shared'), a.raise('shared'), b.raise('shared')]);
    expect(raised.filter((e) => e === 'alert')).toHaveLength(1);
    expect(sent).toHaveLength(2);
    const cleared = await Promise.all([a.clear('shared'), b.clear('shared')]);
    expect(cleared.filter((e) => e === 'recovery')).toHaveLength(1);
    expect(sent).toHaveLength(4);
  });

  it('provider answers: a streak of N failures, a 402 on its own, and a success that clears', async () => {
    const alerts = service();
    await alerts.check(); // learns the active keys
    sent.length = 0;
    const down = new ProviderError('KIE recordInfo: HTTP 502', 'retryable', 'http_502', 'provider_unavailable');
    const badInput = new ProviderError('KIE createTask: code 422', 'final', '422', 'bad_input');
    alerts.providerResult('kie', 'get_status', down);
    alerts.providerResult('kie', 'submit', badInput); // the user's input: not the provider's health
    alerts.providerResult('kie', 'get_status', down);
    await settle();
    expect(sent).toHaveLength(0);
    alerts.providerResult('kie', 'get_status', down);
    await settle();
    expect(sent.filter((t) => t.includes('ops-alert-provider-failing'))).toHaveLength(2);
    expect(sent[0]).toContain('"count":3');

    alerts.providerResult('kie', 'submit', new ProviderError('KIE createTask: code 402', 'final', '402', 'provider_unavailable'));
    await settle();
    expect(sent.filter((t) => t.includes('ops-alert-provider-code') && t.includes('"reason":"credits"'))).toHaveLength(2);

    // A status check succeeds: "failing" clears, but credits only clear on a created task.
    alerts.providerResult('kie', 'get_status', null);
    await settle();
    expect(sent.filter((t) => t.includes('ops-recovery-provider-failing'))).toHaveLength(2);
    expect(sent.filter((t) => t.includes('ops-recovery-provider-code'))).toHaveLength(0);
    alerts.providerResult('kie', 'submit', null);
    await settle();
    expect(sent.filter((t) => t.includes('ops-recovery-provider-code'))).toHaveLength(2);
  });

  it('the KIE balance check: under the threshold raises, at it clears; a failed read changes nothing', async () => {
    let balance = 100;
    let fail = false;
    const alerts = service({
      kieCreditAlert: 500,
      kieCredits: async () => {
        if (fail) throw new Error('down');
        return balance;
      },
    });
    sent.length = 0;
    await alerts.check({ credits: true });
    expect(sent.filter((t) => t.includes('ops-alert-kie-credit'))).toHaveLength(2);
    fail = true;
    await alerts.check({ credits: true });
    fail = false;
    balance = 500;
    await alerts.check({ credits: true });
    expect(sent.filter((t) => t.includes('ops-recovery-kie-credit'))).toHaveLength(2);
    expect(sent).toHaveLength(4);
  });
});
