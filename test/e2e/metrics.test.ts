/**
 * GET /metrics after real traffic through the fakes: a delivered generation, a refunded one, a
 * Stars payment, a payment that could not be credited and refused provider callbacks — then the
 * exposition text is parsed and the counters and database gauges checked; and the token rule.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { FakeUser, Message } from '../support/fake-telegram/index.js';
import { useBot } from '../support/bot-fixture.js';
import { eventually, orderLipsync, waitForVideo } from '../support/drive.js';
import { parseExposition } from '../support/prometheus.js';

const CALLBACK_SECRET = 'cb-secret-metrics-7Hq2Lw9x';
const METRICS_TOKEN = 'metrics-token-Qm4vT8zR1k';

describe('/metrics', () => {
  let user: FakeUser;
  const f = useBot({
    kie: { pollsPerStep: 1 },
    env: { CALLBACK_SECRET, METRICS_TOKEN, CREDIT_PACKS: '100', METRICS_DB_CACHE_MS: '0', POLL_INTERVAL_MS: '50' },
  });
  const base = () => `http://127.0.0.1:${f.bot.app.port}`;
  const scrape = (token?: string) => fetch(`${base()}/metrics`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
  const settled = () =>
    eventually(
      async () => (await f.prisma().generation.count({ where: { userId: BigInt(user.id), state: { notIn: ['delivered', 'refunded'] } } })) === 0,
      15_000,
      'jobs to settle',
    );

  beforeAll(async () => {
    user = await f.newUser(100);
    // 1. A generation delivered as a video (InfiniteTalk 480p: 9 credits for 3 s).
    await orderLipsync(user, 'InfiniteTalk 480p');
    await waitForVideo(user);
    await settled();
    // 2. A generation KIE fails: refunded.
    f.kie.nextTaskOutcome('fail', { failCode: '500', failMsg: 'internal error' });
    await orderLipsync(user, 'InfiniteTalk 480p');
    await user.waitForMessage({ timeoutMs: 15_000, match: /refund|returned|back/i });
    await settled();
    // 3. A Stars payment.
    await user.sendCommand('/topup');
    const offer = await user.waitForMessage({ match: /Choose a pack/ });
    await user.tapButton(offer, /^100 credits/);
    const invoice = await user.waitForMessage({ match: (m: Message) => 'invoice' in m });
    const paid = await user.pay(invoice);
    expect(paid.ok).toBe(true);
    await user.waitForMessage({ match: /Payment received/ });
    // 4. A successful_payment the bot cannot credit (its payload is not one of ours).
    await user.send({
      successful_payment: {
        currency: 'XTR',
        total_amount: 40,
        invoice_payload: 'not-a-pack',
        telegram_payment_charge_id: 'charge-metrics-bad-1',
        provider_payment_charge_id: '',
      },
    });
    await user.waitForMessage({ match: /charge-metrics-bad-1/ });
    // 5. Provider callbacks: a wrong URL secret, and a right one with a body that is not a KIE callback.
    expect((await fetch(`${base()}/callbacks/kie?secret=wrong-secret`, { method: 'POST', body: '{}' })).status).toBe(401);
    expect((await fetch(`${base()}/callbacks/kie?secret=${CALLBACK_SECRET}`, { method: 'POST', body: '{"nope":1}' })).status).toBe(401);
  }, 90_000);

  it('answers 401 without the bearer token or with a wrong one, and 200 with it', async () => {
    const none = await scrape();
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await none.text()).not.toContain('bot_');
    expect((await scrape('wrong')).status).toBe(401);
    expect((await scrape(METRICS_TOKEN + 'x')).status).toBe(401);
    const ok = await scrape(METRICS_TOKEN);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('exposes the counters, histograms and database gauges an operator charts', async () => {
    const text = await (await scrape(METRICS_TOKEN)).text();
    expect(text).not.toContain(f.kie.apiKey);
    expect(text).not.toContain(f.tg.token);
    const m = parseExposition(text);

    // Updates by type and outcome, and their latency histogram.
    expect(m.types.get('bot_updates_total')).toBe('counter');
    expect(m.types.get('bot_update_duration_seconds')).toBe('histogram');
    expect(m.value('bot_updates_total', { type: 'command', outcome: 'ok' })).toBeGreaterThanOrEqual(4); // /start, 2× /lipsync, /topup
    expect(m.value('bot_updates_total', { type: 'callback_query', outcome: 'ok' })).toBeGreaterThanOrEqual(5);
    expect(m.value('bot_updates_total', { type: 'pre_checkout_query', outcome: 'ok' })).toBe(1);
    expect(m.value('bot_updates_total', { type: 'payment', outcome: 'ok' })).toBe(2);
    expect(m.sum('bot_update_duration_seconds_count')).toBe(m.sum('bot_updates_total'));
    expect(m.value('bot_update_duration_seconds_bucket', { type: 'payment', le: '+Inf' })).toBe(2);

    // Provider requests by provider / operation / outcome, with latency.
    expect(m.value('bot_provider_requests_total', { provider: 'kie', operation: 'submit', outcome: 'ok' })).toBe(2);
    expect(m.value('bot_provider_requests_total', { provider: 'kie', operation: 'get_status', outcome: 'ok' })).toBeGreaterThanOrEqual(2);
    expect(m.value('bot_provider_requests_total', { provider: 'kie', operation: 'credit', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(m.value('bot_provider_request_duration_seconds_count', { provider: 'kie', operation: 'submit' })).toBe(2);

    // Callbacks refused; job steps; deliveries.
    expect(m.value('bot_provider_callbacks_total', { provider: 'kie', result: 'refused' })).toBe(2);
    expect(m.value('bot_provider_callbacks_total', { provider: 'kie', result: 'accepted' })).toBe(0);
    expect(m.value('bot_job_step_duration_seconds_count', { step: 'queued', provider: 'kie' })).toBe(2);
    expect(m.sum('bot_job_step_duration_seconds_count', { provider: 'kie' })).toBeGreaterThanOrEqual(4);
    expect(m.value('bot_deliveries_total', { outcome: 'video' })).toBe(1);
    expect(m.value('bot_deliveries_total', { outcome: 'link' })).toBe(0);
    expect(m.has('bot_deliveries_total')).toBe(true);

    // Money, from the database: charges, the refund, the top-up, the test grant; Stars.
    expect(m.value('bot_ledger_credits', { kind: 'charge', direction: 'out' })).toBe(18);
    expect(m.value('bot_ledger_moves', { kind: 'charge', direction: 'out' })).toBe(2);
    expect(m.value('bot_ledger_credits', { kind: 'refund', direction: 'in' })).toBe(9);
    expect(m.value('bot_ledger_credits', { kind: 'topup', direction: 'in' })).toBe(100);
    expect(m.value('bot_ledger_credits', { kind: 'grant', direction: 'in' })).toBe(100);
    expect(m.value('bot_stars_received')).toBe(100);
    expect(m.value('bot_payments', { status: 'paid' })).toBe(1);
    expect(m.value('bot_payment_credit_failures_total')).toBe(1);

    // Jobs by state (database): nothing in flight now; the snapshot was read.
    expect(m.value('bot_db_up')).toBe(1);
    for (const state of ['queued', 'submitted', 'running', 'succeeded', 'failed']) expect(m.value('bot_jobs', { state })).toBe(0);
    expect(m.value('bot_jobs_overdue')).toBe(0);
    expect(m.has('bot_broadcast_recipients')).toBe(true);
    expect(m.value('bot_kie_credits')).toBe(10_000); // read at start; the next check is minutes away

    // Node's default process metrics.
    expect(m.has('process_cpu_user_seconds_total')).toBe(true);
    expect(m.has('nodejs_heap_size_used_bytes')).toBe(true);
  });

  it('jobs in flight show in the state gauge at scrape time', async () => {
    const kieTaskCount = f.kie.tasks.size;
    f.kie.failNext('recordInfo', { code: 500 }, 1_000);
    await orderLipsync(user, 'InfiniteTalk 480p');
    await eventually(() => f.kie.tasks.size > kieTaskCount, 10_000, 'the task to be created');
    await eventually(async () => parseExposition(await (await scrape(METRICS_TOKEN)).text()).sum('bot_jobs') === 1, 10_000, 'one job in flight');
    const m = parseExposition(await (await scrape(METRICS_TOKEN)).text());
    expect(m.value('bot_jobs', { state: 'submitted' }) + m.value('bot_jobs', { state: 'running' })).toBe(1);
  });
});
