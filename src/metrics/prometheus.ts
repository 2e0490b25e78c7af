/**
 * The Prometheus side of `Metrics`: one prom-client Registry per app (created in the composition
 * root; never the global default registry), the per-instance counters and histograms, the
 * database-derived gauges filled from a snapshot at scrape time, and Node's default process
 * metrics. `render()` is what GET /metrics serves.
 */
import { Counter, Gauge, Histogram, type Registry, collectDefaultMetrics } from 'prom-client';
import type { DbSnapshotSource } from './db-snapshot.js';
import type { Metrics } from './types.js';

export interface PrometheusMetrics extends Metrics {
  readonly registry: Registry;
  /** The exposition text (reads the database snapshot first). */
  render(): Promise<{ contentType: string; body: string }>;
}

export interface PrometheusMetricsOptions {
  registry: Registry;
  /** Database-derived gauges; omitted = not exposed. */
  dbSnapshot?: DbSnapshotSource;
  /** Node's default process metrics (default true). */
  processMetrics?: boolean;
  /** Called when the snapshot cannot be read (the scrape still answers, with bot_db_up 0). */
  onSnapshotError?: (error: unknown) => void;
}

const LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const STEP_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export function createPrometheusMetrics(options: PrometheusMetricsOptions): PrometheusMetrics {
  const registers = [options.registry];
  if (options.processMetrics !== false) collectDefaultMetrics({ register: options.registry });

  const updates = new Counter({
    name: 'bot_updates_total',
    help: 'Telegram updates handled, by update type and outcome',
    labelNames: ['type', 'outcome'],
    registers,
  });
  const updateSeconds = new Histogram({
    name: 'bot_update_duration_seconds',
    help: 'Time to handle one Telegram update',
    labelNames: ['type'],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const providerRequests = new Counter({
    name: 'bot_provider_requests_total',
    help: 'Provider calls by provider, operation and outcome (ok or the error class)',
    labelNames: ['provider', 'operation', 'outcome'],
    registers,
  });
  const providerErrors = new Counter({
    name: 'bot_provider_errors_total',
    help: 'Failed provider calls by provider and error code',
    labelNames: ['provider', 'code'],
    registers,
  });
  const providerSeconds = new Histogram({
    name: 'bot_provider_request_duration_seconds',
    help: 'Provider call latency (retries included)',
    labelNames: ['provider', 'operation'],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const callbacks = new Counter({
    name: 'bot_provider_callbacks_total',
    help: 'Provider callbacks accepted or refused',
    labelNames: ['provider', 'result'],
    registers,
  });
  const stepSeconds = new Histogram({
    name: 'bot_job_step_duration_seconds',
    help: 'One job worker step, by the state it started from and the provider',
    labelNames: ['step', 'provider'],
    buckets: STEP_BUCKETS,
    registers,
  });
  const deliveries = new Counter({
    name: 'bot_deliveries_total',
    help: 'Result deliveries by outcome (failed = an attempt that sent nothing)',
    labelNames: ['outcome'],
    registers,
  });
  const creditFailures = new Counter({ name: 'bot_payment_credit_failures_total', help: 'Successful payments whose credit could not be written', registers });
  const alerts = new Counter({
    name: 'bot_alerts_sent_total',
    help: 'Admin alert and recovery messages sent by this instance',
    labelNames: ['kind', 'condition'],
    registers,
  });
  const kieCredits = new Gauge({ name: 'bot_kie_credits', help: 'KIE account balance at the last check (GET /api/v1/chat/credit)', registers });
  for (const outcome of ['video', 'link', 'unreachable', 'failed']) deliveries.inc({ outcome }, 0);
  creditFailures.inc(0);

  const db = options.dbSnapshot
    ? {
        up: new Gauge({ name: 'bot_db_up', help: '1 when the database snapshot for the gauges below was read', registers }),
        jobs: new Gauge({ name: 'bot_jobs', help: 'Generations in each active state (database; same on every instance)', labelNames: ['state'], registers }),
        overdue: new Gauge({ name: 'bot_jobs_overdue', help: 'Active generations past their deadline (database)', registers }),
        credits: new Gauge({
          name: 'bot_ledger_credits',
          help: 'Credits moved through the ledger by kind and direction (database)',
          labelNames: ['kind', 'direction'],
          registers,
        }),
        moves: new Gauge({ name: 'bot_ledger_moves', help: 'Ledger rows by kind and direction (database)', labelNames: ['kind', 'direction'], registers }),
        stars: new Gauge({ name: 'bot_stars_received', help: 'Telegram Stars received in payments, refunded ones included (database)', registers }),
        payments: new Gauge({ name: 'bot_payments', help: 'Payments by status (database)', labelNames: ['status'], registers }),
        broadcasts: new Gauge({ name: 'bot_broadcasts_active', help: 'Pending and running broadcasts (database)', registers }),
        recipients: new Gauge({
          name: 'bot_broadcast_recipients',
          help: 'Recipients of the active broadcasts by status (database)',
          labelNames: ['status'],
          registers,
        }),
      }
    : undefined;

  let rendering: Promise<unknown> = Promise.resolve();

  async function fillDbGauges(): Promise<void> {
    if (!db || !options.dbSnapshot) return;
    let snapshot;
    try {
      snapshot = await options.dbSnapshot();
    } catch (error) {
      options.onSnapshotError?.(error);
      db.up.set(0);
      return;
    }
    db.up.set(1);
    for (const [state, n] of Object.entries(snapshot.jobs)) db.jobs.set({ state }, n);
    db.overdue.set(snapshot.jobsOverdue);
    db.credits.reset();
    db.moves.reset();
    for (const row of snapshot.ledger) {
      db.credits.set({ kind: row.kind, direction: row.direction }, row.credits);
      db.moves.set({ kind: row.kind, direction: row.direction }, row.moves);
    }
    db.stars.set(snapshot.stars);
    db.payments.reset();
    for (const p of snapshot.payments) db.payments.set({ status: p.status }, p.count);
    db.broadcasts.set(snapshot.broadcast.active);
    for (const [status, n] of Object.entries(snapshot.broadcast.recipients)) db.recipients.set({ status }, n);
  }

  return {
    registry: options.registry,
    update(type, outcome, seconds) {
      updates.inc({ type, outcome });
      updateSeconds.observe({ type }, seconds);
    },
    providerRequest(provider, operation, outcome, seconds, code) {
      providerRequests.inc({ provider, operation, outcome });
      providerSeconds.observe({ provider, operation }, seconds);
      if (outcome !== 'ok') providerErrors.inc({ provider, code: code ?? 'unknown' });
    },
    callback(provider, result) {
      callbacks.inc({ provider, result });
    },
    jobStep(step, provider, seconds) {
      stepSeconds.observe({ step, provider }, seconds);
    },
    delivery(outcome) {
      deliveries.inc({ outcome });
    },
    paymentCreditFailed() {
      creditFailures.inc();
    },
    alertSent(kind, condition) {
      alerts.inc({ kind, condition });
    },
    kieCredits(credits) {
      kieCredits.set(credits);
    },
    render() {
      // One render at a time: the database gauges are reset and refilled for each.
      const run = rendering
        .catch(() => {})
        .then(async () => {
          await fillDbGauges();
          return { contentType: options.registry.contentType, body: await options.registry.metrics() };
        });
      rendering = run;
      return run;
    },
  };
}
