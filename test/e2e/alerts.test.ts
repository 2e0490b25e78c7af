/**
 * Admin alerts end to end, through the fake Telegram and the fake KIE: a revoked KIE key (401),
 * a provider failing N times in a row, the KIE balance under KIE_CREDIT_ALERT, a generation past
 * its deadline, a payment that could not be credited; each announced once to every admin and
 * throttled, with a recovery message; /alerts and an audited mute; and two instances on one
 * PostgreSQL sending each alert once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { FakeUser, Message } from '../support/fake-telegram/index.js';
import { FakeTelegram } from '../support/fake-telegram/index.js';
import { FakeKie } from '../support/fake-kie/index.js';
import { useBot } from '../support/bot-fixture.js';
import { createTestDatabase, usingPostgres, type TestDatabase } from '../support/db.js';
import { botEnv, startInProcessBot, type InProcessBot } from '../support/harness.js';
import { eventually } from '../support/drive.js';
import { freePort } from '../support/net.js';

const FAST = {
  ALERT_CHECK_INTERVAL_MS: '100',
  KIE_CREDIT_CHECK_INTERVAL_MS: '100',
  ALERT_PROVIDER_FAILURES: '3',
  ALERT_JOBS_OVERDUE_MS: '0',
  KIE_CREDIT_ALERT: '500',
};

const textOf = (m: Message): string => (typeof m.text === 'string' ? m.text : '');
const countMatching = (admin: FakeUser, pattern: RegExp) => admin.messages().filter((m) => pattern.test(textOf(m))).length;
const creditRequests = (kie: FakeKie) => kie.requests.filter((r) => r.path === '/api/v1/chat/credit').length;
/** Waits until the bot has read the KIE balance `n` more times (the checks ran, whatever they found). */
async function moreCreditChecks(kie: FakeKie, n = 3): Promise<void> {
  const start = creditRequests(kie);
  await eventually(() => creditRequests(kie) >= start + n, 10_000, `${n} more KIE credit checks`);
}

describe('admin alerts', () => {
  let admins: FakeUser[] = [];
  const f = useBot({
    kie: { pollsPerStep: 1 },
    env: (fx) => {
      admins = [fx.tg.user({ firstName: 'Ops', languageCode: 'en' }), fx.tg.user({ firstName: 'Опс', languageCode: 'ru' })];
      // A failed payment credit is retried for PAYMENT_CREDIT_RETRY_MS before it alerts: keep it short.
      return { ...FAST, PAYMENT_CREDIT_RETRY_MS: '300', ADMIN_IDS: admins.map((a) => a.id).join(',') };
    },
  });
  const prisma = () => f.prisma();
  const alertRow = (key: string) => prisma().alertState.findUnique({ where: { key } });

  beforeAll(async () => {
    for (const admin of admins) {
      await admin.sendCommand('/start');
      await admin.waitForMessage();
    }
  });

  it('a revoked KIE key (401): every admin gets one alert in their language, then one recovery; a relapse within 15 min sends nothing', async () => {
    const [en, ru] = admins as [FakeUser, FakeUser];
    const alertEn = /kie: the API key was rejected \(code 401\)/;
    const alertRu = /kie: ключ API отклонён \(код 401\)/;
    const recoveryEn = /kie: the API key is accepted again/;
    const recoveryRu = /kie: ключ API снова принимается/;

    f.kie.keyRevoked = true;
    await en.waitForMessage({ timeoutMs: 10_000, match: alertEn });
    await ru.waitForMessage({ timeoutMs: 10_000, match: alertRu });
    await moreCreditChecks(f.kie, 4); // still 401 on every check
    expect(countMatching(en, alertEn)).toBe(1);
    expect(countMatching(ru, alertRu)).toBe(1);
    // A 401 is its own condition: it does not also count as "failing N times in a row".
    expect(countMatching(en, /kie is failing/)).toBe(0);
    expect(await alertRow('provider_code:kie:auth')).toMatchObject({ active: true, notified: true });

    f.kie.keyRevoked = false;
    await en.waitForMessage({ timeoutMs: 10_000, match: recoveryEn });
    await ru.waitForMessage({ timeoutMs: 10_000, match: recoveryRu });
    expect(await alertRow('provider_code:kie:auth')).toMatchObject({ active: false, notified: false });

    // Revoked again a moment later: the condition is stored, but no second alert within 15 min.
    f.kie.keyRevoked = true;
    await eventually(async () => (await alertRow('provider_code:kie:auth'))?.active === true, 10_000, 'the relapse to be stored');
    await moreCreditChecks(f.kie, 3);
    f.kie.keyRevoked = false;
    await eventually(async () => (await alertRow('provider_code:kie:auth'))?.active === false, 10_000, 'the relapse to clear');
    await moreCreditChecks(f.kie, 2);
    expect(countMatching(en, alertEn)).toBe(1);
    expect(countMatching(en, recoveryEn)).toBe(1);
    expect(countMatching(ru, recoveryRu)).toBe(1);
  });

  it('a provider failing N times in a row raises one alert and a recovery', async () => {
    const [en] = admins as [FakeUser];
    f.kie.failNext('credit', { code: 505 }, 3); // final, but not one of the key/account codes
    const alert = await en.waitForMessage({ timeoutMs: 10_000, match: /kie is failing/ });
    expect(textOf(alert)).toContain('3 requests in a row failed (last error: 505)');
    await en.waitForMessage({ timeoutMs: 10_000, match: /kie answers again/ });
    expect(countMatching(en, /kie is failing/)).toBe(1);
  });

  it('the KIE balance under KIE_CREDIT_ALERT: one alert; /alerts lists it; a mute (audited) silences the recovery and the next episode', async () => {
    const [en, ru] = admins as [FakeUser, FakeUser];
    const low = /KIE balance is low: 100 credits \(alert threshold 500\)/;
    f.kie.credits = 100;
    await en.waitForMessage({ timeoutMs: 10_000, match: low });
    await ru.waitForMessage({ timeoutMs: 10_000, match: /На счёте KIE мало кредитов: 100/ });
    await moreCreditChecks(f.kie, 3);
    expect(countMatching(en, low)).toBe(1);
    const row = (await alertRow('kie_credit_low'))!;

    await en.sendCommand('/alerts');
    const list = await en.waitForMessage({ match: /alert holds now/ });
    expect(textOf(list)).toContain(`#${row.id} 💸 KIE balance is low: 100 credits`);
    await en.tapButton(list, new RegExp(`#${row.id} for 1 h`));
    await en.waitForMessage({ match: new RegExp(`Alert #${row.id} is muted until`) });
    const audit = await prisma().adminAuditLog.findFirstOrThrow({ where: { action: 'alert_mute', target: 'kie_credit_low' } });
    expect(audit.adminId).toBe(BigInt(en.id));
    expect((await alertRow('kie_credit_low'))!.mutedBy).toBe(BigInt(en.id));

    // Topped up: cleared, but muted, so no recovery message.
    f.kie.credits = 10_000;
    await eventually(async () => (await alertRow('kie_credit_low'))?.active === false, 10_000, 'the low balance to clear');
    // Low again while muted: stored, nothing sent.
    f.kie.credits = 50;
    await eventually(async () => (await alertRow('kie_credit_low'))?.active === true, 10_000, 'the second episode');
    await moreCreditChecks(f.kie, 3);
    expect(countMatching(en, /^💸 KIE balance is low/)).toBe(1); // /alerts listings start otherwise
    expect(countMatching(en, /back above the threshold/)).toBe(0);

    // /alerts shows the mute; unmuting is audited too.
    await en.sendCommand('/alerts');
    const muted = await en.waitForMessage({ match: /muted until/ });
    expect(textOf(muted)).toContain(`#${row.id}`);
    await en.sendCommand(`/alerts unmute ${row.id}`);
    await en.waitForMessage({ match: new RegExp(`Alert #${row.id} is no longer muted`) });
    expect(await prisma().adminAuditLog.count({ where: { action: 'alert_unmute', target: 'kie_credit_low' } })).toBe(1);
    await en.sendCommand('/alerts mute 999999 abc');
    await en.waitForMessage({ match: /Usage: \/alerts/ });
    f.kie.credits = 10_000;
    await eventually(async () => (await alertRow('kie_credit_low'))?.active === false, 10_000, 'the balance to recover');
  });

  it('a generation past its deadline raises "jobs overdue" once, and its end sends the recovery', async () => {
    const [en] = admins as [FakeUser];
    const user = await f.newUser(0);
    const id = randomUUID();
    // Held by a worker that is gone for good (its lease runs for an hour): nobody finishes it.
    await prisma().generation.create({
      data: {
        id,
        userId: BigInt(user.id),
        chatId: BigInt(user.id),
        modelSlug: 'infinitalk-480p',
        kind: 'lipsync',
        state: 'submitted',
        price: 9,
        inputs: {},
        externalTaskId: `ext-${id}`,
        deadlineAt: new Date(Date.now() - 60_000),
        leaseOwner: 'a-worker-that-died',
        leaseUntil: new Date(Date.now() + 3_600_000),
      },
    });
    await en.waitForMessage({ timeoutMs: 10_000, match: /1 generation is past the deadline/ });
    await prisma().generation.update({ where: { id }, data: { state: 'refunded', refundNoticeAt: new Date(), leaseOwner: null, leaseUntil: null } });
    await en.waitForMessage({ timeoutMs: 10_000, match: /No generation is past its deadline any more/ });
    expect(countMatching(en, /past the deadline/)).toBe(1);
  });

  it('a payment that could not be credited alerts every admin with the charge id', async () => {
    const user = await f.newUser(0);
    await user.send({
      successful_payment: {
        currency: 'XTR',
        total_amount: 40,
        invoice_payload: 'garbage',
        telegram_payment_charge_id: 'charge-alert-1',
        provider_payment_charge_id: '',
      },
    });
    for (const admin of admins) {
      const alert = await admin.waitForMessage({ timeoutMs: 10_000, match: /charge-alert-1/ });
      expect(textOf(alert)).toContain(String(user.id));
    }
    expect(await alertRow('payment_uncredited:charge-alert-1')).toMatchObject({ active: true, notified: true });
  });

  it('a payment whose credit fails in the database alerts the admins, and the recovery follows once it is credited', async () => {
    const [en] = admins as [FakeUser];
    const user = await f.newUser(0);
    const payment = {
      currency: 'XTR',
      total_amount: 100,
      invoice_payload: `pack:p100:100:${user.id}`,
      telegram_payment_charge_id: 'charge-alert-db-1',
      provider_payment_charge_id: '',
    };
    // The database refuses the write: creditPayment throws.
    await prisma().$executeRawUnsafe('ALTER TABLE "Payment" RENAME TO "Payment_offline"');
    try {
      await user.send({ successful_payment: payment });
      const alert = await en.waitForMessage({ timeoutMs: 10_000, match: /charge-alert-db-1/ });
      expect(textOf(alert)).toContain('could not be credited');
    } finally {
      await prisma().$executeRawUnsafe('ALTER TABLE "Payment_offline" RENAME TO "Payment"');
    }
    // Telegram (or the reconciliation) delivers it again; now it is credited and the alert clears.
    await user.send({ successful_payment: payment });
    await user.waitForMessage({ match: /Payment received/ });
    await en.waitForMessage({ timeoutMs: 10_000, match: /The payment charge-alert-db-1 is credited now/ });
    expect(await f.balanceOf(user)).toBe(100);
  });
});

describe.skipIf(!usingPostgres)('admin alerts with two instances on one PostgreSQL', () => {
  let tg: FakeTelegram;
  let kie: FakeKie;
  let db: TestDatabase;
  const bots: InProcessBot[] = [];
  let admin: FakeUser;

  beforeAll(async () => {
    [tg, kie, db] = await Promise.all([FakeTelegram.start(), FakeKie.start(), createTestDatabase()]);
    admin = tg.user({ languageCode: 'en' });
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      bots.push(
        await startInProcessBot(
          botEnv({ tg, kie }, db, {
            ...FAST,
            ADMIN_IDS: String(admin.id),
            PORT: String(port),
            WEBHOOK_URL: `http://127.0.0.1:${port}/telegram/webhook`,
            WEBHOOK_SECRET: 'two-instances-alerts-secret',
          }),
        ),
      );
    }
    await admin.sendCommand('/start');
    await admin.waitForMessage({ timeoutMs: 10_000 });
  }, 60_000);
  afterAll(async () => {
    await Promise.all(bots.map((b) => b.stop()));
    await Promise.all([tg?.stop(), kie?.stop()]);
    await db?.cleanup();
  });

  it('both see the revoked key; the admin gets one alert and one recovery', async () => {
    kie.keyRevoked = true;
    await admin.waitForMessage({ timeoutMs: 10_000, match: /the API key was rejected/ });
    // Both instances keep checking (and both see the 401) for a while.
    await moreCreditChecks(kie, 8);
    expect(countMatching(admin, /the API key was rejected/)).toBe(1);
    kie.keyRevoked = false;
    await admin.waitForMessage({ timeoutMs: 10_000, match: /the API key is accepted again/ });
    await moreCreditChecks(kie, 8);
    expect(countMatching(admin, /the API key is accepted again/)).toBe(1);
    // Both instances saw the 401 themselves; one of them won each claim.
    for (const bot of bots) expect(bot.logs.text()).toContain('could not read the KIE balance');
    const sent = bots.map((b) => b.logs.lines.filter((l) => l.includes('admin alert sent')).length);
    expect(sent[0]! + sent[1]!).toBe(2);
  });
});
