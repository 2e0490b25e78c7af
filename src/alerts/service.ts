/**
 * Admin alerts: conditions raised and cleared by observations (provider answers, periodic
 * checks), stored in AlertState and announced to every admin in Telegram through `send`.
 * The policy (policy.ts) decides; the store's compare-and-set decides which instance of a group
 * sends. Telegram-free: the composition root passes `send`.
 *
 * Observations:
 *  - every provider call (through the instrumented providers): `ALERT_PROVIDER_FAILURES` failures
 *    in a row raise provider_failing:<p>; an answer meaning "our key / our account" (KIE 401, 402,
 *    433; Kling 1000–1002, 1100–1102) raises provider_code:<p>:<auth|credits|limit> at once (and
 *    does not count toward the streak). Any
 *    success clears provider_failing and auth; credits and limit clear on a successful submit.
 *  - every KIE_CREDIT_CHECK_INTERVAL_MS: GET /api/v1/chat/credit; under KIE_CREDIT_ALERT raises
 *    kie_credit_low (and the call itself is a health probe of the key).
 *  - every ALERT_CHECK_INTERVAL_MS: generations past their deadline by ALERT_JOBS_OVERDUE_MS
 *    raise jobs_overdue; an uncredited payment clears once its Payment row exists.
 *  - `paymentNotCredited`, called by the payments code, raises payment_uncredited:<charge id>.
 */
import type { MessageKey } from '../message-keys.js';
import type { PrismaClient } from '../db/client.js';
import type { ProviderError } from '../providers/types.js';
import type { Metrics } from '../metrics/types.js';
import { noopMetrics } from '../metrics/types.js';
import { onCleared, onRaised, type AlertDecision, type AlertEffect, type AlertPolicy, type AlertRow } from './policy.js';
import { conditionKey, conditionKind, criticalReason, describe } from './conditions.js';
import { PROVIDER_STATES } from '../domain/generation-states.js';
import { createAlertStore, type AlertStore, type StoredAlert } from './store.js';

export interface AlertsLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface AlertsDeps {
  prisma: PrismaClient;
  admins: readonly bigint[];
  /** Renders a message for one admin (their language) — the bot layer's i18n. */
  render(adminId: bigint, key: MessageKey, vars: Record<string, string | number>): Promise<string>;
  /** Sends one message to one admin; throws when it was not sent. */
  send(adminId: bigint, text: string): Promise<void>;
  now: () => Date;
  logger: AlertsLogger;
  metrics?: Metrics;
  throttleMs: number;
  checkIntervalMs: number;
  providerFailures: number;
  jobsOverdueMs: number;
  /** The KIE balance source (the instrumented KIE provider), when KIE is configured. */
  kieCredits?: (signal: AbortSignal) => Promise<number>;
  kieCreditAlert?: number;
  kieCreditCheckIntervalMs: number;
  /** Deadline of one credit request. */
  requestTimeoutMs: number;
}

export interface PaymentNotCredited {
  chargeId: string;
  userId: bigint;
  stars: number;
  error: string;
}

export interface Alerts {
  /** Feed for instrumentProvider: the result of every provider call. */
  providerResult(provider: string, operation: string, error: ProviderError | null): void;
  /** For the payments code: a successful payment whose credit could not be written. Never throws. */
  paymentNotCredited(payment: PaymentNotCredited): Promise<void>;
  raise(key: string, details?: Record<string, unknown>): Promise<AlertEffect>;
  clear(key: string): Promise<AlertEffect>;
  /** Runs the periodic checks once (overdue jobs, payments, and the KIE balance when `credits`). */
  check(options?: { credits?: boolean }): Promise<void>;
  /** For /alerts. */
  list(): Promise<StoredAlert[]>;
  /** Mutes a condition for `minutes` (0 = unmute); audited. */
  mute(id: number, adminId: bigint, minutes: number): Promise<StoredAlert | null>;
  start(): void;
  /** Resolves when the writes and sends started so far have finished. */
  settled(): Promise<void>;
  /** Stops the timers and waits for writes and sends in progress. */
  stop(): Promise<void>;
}

/** Provider errors that say nothing about the provider's health. */
function countsAsFailure(error: ProviderError): boolean {
  if (error.userReason === 'bad_input' || error.userReason === 'content_rejected') return false;
  return !['aborted', 'task_not_found', 'input_size_mismatch'].includes(error.code);
}

export function createAlerts(deps: AlertsDeps): Alerts {
  const store: AlertStore = createAlertStore(deps.prisma);
  const metrics = deps.metrics ?? noopMetrics;
  const policy: AlertPolicy = { throttleMs: deps.throttleMs };
  const streaks = new Map<string, number>();
  /** Keys believed active (refreshed from the database on every check). */
  const knownActive = new Set<string>();
  /** When this instance last wrote an observation of a key (to skip redundant writes). */
  const lastObserved = new Map<string, number>();
  /** One chain per key: this instance never races itself. */
  const chains = new Map<string, Promise<unknown>>();
  const pending = new Set<Promise<unknown>>();
  let checkTimer: NodeJS.Timeout | undefined;
  let creditTimer: NodeJS.Timeout | undefined;
  let stopped = false;

  function track<T>(work: Promise<T>): Promise<T> {
    pending.add(work);
    void work.finally(() => pending.delete(work)).catch(() => {});
    return work;
  }

  function serial<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = chains.get(key) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(work);
    chains.set(key, next);
    void next
      .finally(() => {
        if (chains.get(key) === next) chains.delete(key);
      })
      .catch(() => {});
    return track(next);
  }

  async function notify(row: StoredAlert, decision: AlertDecision): Promise<number> {
    const wording = describe(row.key, decision.next.details, decision.effect === 'recovery');
    let sent = 0;
    for (const admin of deps.admins) {
      try {
        await deps.send(admin, await deps.render(admin, wording.key, wording.vars));
        sent++;
      } catch (err) {
        deps.logger.warn({ err, admin: String(admin), alert: row.key }, 'could not send an admin alert');
      }
    }
    if (sent > 0) metrics.alertSent(decision.effect!, conditionKind(row.key));
    deps.logger.info({ alert: row.key, effect: decision.effect, admins: sent }, 'admin alert sent');
    return sent;
  }

  /** Reads, decides, writes with compare-and-set, and sends when this write won. */
  async function apply(key: string, decide: (row: StoredAlert) => AlertDecision | null, always: boolean): Promise<AlertEffect> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const row = await store.get(key);
      if (!row) {
        await store.ensure(key);
        continue;
      }
      const decision = decide(row);
      if (!decision) {
        knownActive.delete(key);
        return null;
      }
      if (!decision.changed && !always) return null;
      if (!(await store.write(row.id, row.version, decision.next))) continue;
      if (decision.next.active) knownActive.add(key);
      else knownActive.delete(key);
      if (!decision.effect) return null;
      const sent = await notify(row, decision);
      if (sent === 0 && deps.admins.length > 0 && decision.effect === 'alert') {
        // Nobody got it: give the next observation (here or on another instance) the chance.
        const undo: AlertRow = { ...decision.next, notified: false, lastSentAt: row.lastSentAt };
        await store.write(row.id, row.version + 1, undo).catch(() => false);
        return null;
      }
      return decision.effect;
    }
    deps.logger.warn({ alert: key }, 'alert state kept changing; observation dropped');
    return null;
  }

  function raise(key: string, details: Record<string, unknown> = {}): Promise<AlertEffect> {
    return serial(key, () => {
      const now = deps.now();
      const last = lastObserved.get(key);
      // Refresh lastSeenAt/details at most once per check interval; state changes always write.
      const always = last === undefined || now.getTime() - last >= deps.checkIntervalMs || !knownActive.has(key);
      return apply(key, (row) => onRaised(row, details, now, policy), always).then((effect) => {
        lastObserved.set(key, now.getTime());
        return effect;
      });
    });
  }

  function clear(key: string): Promise<AlertEffect> {
    return serial(key, () => {
      lastObserved.delete(key);
      const now = deps.now();
      return apply(key, (row) => onCleared(row, now), true);
    });
  }

  function fireAndForget(work: Promise<unknown>, what: string): void {
    work.catch((err: unknown) => deps.logger.error({ err, what }, 'alert bookkeeping failed'));
  }

  function providerResult(provider: string, operation: string, error: ProviderError | null): void {
    if (stopped) return;
    if (!error) {
      streaks.set(provider, 0);
      const keys = [conditionKey.providerFailing(provider), conditionKey.providerCode(provider, 'auth')];
      if (operation === 'submit') keys.push(conditionKey.providerCode(provider, 'credits'), conditionKey.providerCode(provider, 'limit'));
      for (const key of keys) if (knownActive.has(key)) fireAndForget(clear(key), key);
      return;
    }
    if (!countsAsFailure(error)) return;
    const reason = criticalReason(provider, error.code);
    if (reason) {
      // Its own condition says what to do; it does not also count as "failing".
      fireAndForget(raise(conditionKey.providerCode(provider, reason), { code: error.code, operation }), 'provider code');
      return;
    }
    const streak = (streaks.get(provider) ?? 0) + 1;
    streaks.set(provider, streak);
    if (streak >= deps.providerFailures) {
      fireAndForget(raise(conditionKey.providerFailing(provider), { count: streak, code: error.code, operation }), 'provider failing');
    }
  }

  async function checkKieCredits(): Promise<void> {
    if (!deps.kieCredits) return;
    let balance: number;
    try {
      balance = await deps.kieCredits(AbortSignal.timeout(deps.requestTimeoutMs));
    } catch (err) {
      // The instrumented provider has already reported the failure to providerResult.
      deps.logger.warn({ err }, 'could not read the KIE balance');
      return;
    }
    metrics.kieCredits(balance);
    if (deps.kieCreditAlert === undefined) return;
    const key = conditionKey.kieCreditLow();
    if (balance < deps.kieCreditAlert) await raise(key, { balance, threshold: deps.kieCreditAlert });
    else if (knownActive.has(key)) await clear(key);
  }

  async function checkJobs(): Promise<void> {
    const cutoff = new Date(deps.now().getTime() - deps.jobsOverdueMs);
    const where = { state: { in: [...PROVIDER_STATES] }, deadlineAt: { lt: cutoff } };
    const [count, oldest] = await Promise.all([
      deps.prisma.generation.count({ where }),
      deps.prisma.generation.findFirst({ where, orderBy: { deadlineAt: 'asc' }, select: { deadlineAt: true } }),
    ]);
    const key = conditionKey.jobsOverdue();
    if (count > 0) await raise(key, { count, oldest: oldest?.deadlineAt?.toISOString().slice(0, 16).replace('T', ' ') ?? '' });
    else if (knownActive.has(key)) await clear(key);
  }

  async function checkPayments(): Promise<void> {
    const prefix = conditionKey.paymentUncredited('');
    for (const key of [...knownActive].filter((k) => k.startsWith(prefix))) {
      const chargeId = key.slice(prefix.length);
      const paid = await deps.prisma.payment.findUnique({ where: { telegramPaymentChargeId: chargeId }, select: { id: true } });
      if (paid) await clear(key);
    }
  }

  async function refreshKnown(): Promise<void> {
    const keys = await store.activeKeys();
    knownActive.clear();
    for (const key of keys) knownActive.add(key);
  }

  async function check(options: { credits?: boolean } = {}): Promise<void> {
    await refreshKnown();
    const results = await Promise.allSettled([checkJobs(), checkPayments(), options.credits ? checkKieCredits() : Promise.resolve()]);
    for (const r of results) if (r.status === 'rejected') deps.logger.error({ err: r.reason }, 'alert check failed');
  }

  const loop = (what: string, work: () => Promise<void>) => () => {
    if (stopped) return;
    track(work()).catch((err: unknown) => deps.logger.error({ err, what }, 'alert check failed'));
  };

  return {
    providerResult,
    async paymentNotCredited(payment) {
      metrics.paymentCreditFailed();
      deps.logger.error({ chargeId: payment.chargeId, userId: String(payment.userId), stars: payment.stars }, 'payment not credited');
      await raise(conditionKey.paymentUncredited(payment.chargeId), {
        userId: String(payment.userId),
        stars: payment.stars,
        error: payment.error.slice(0, 200),
      }).catch((err: unknown) => deps.logger.error({ err }, 'could not raise the payment alert'));
    },
    raise,
    clear,
    check,
    list: () => store.list(deps.now()),
    mute(id, adminId, minutes) {
      return store.mute(id, adminId, minutes > 0 ? new Date(deps.now().getTime() + minutes * 60_000) : null);
    },
    start() {
      stopped = false;
      checkTimer = setInterval(
        loop('checks', () => check()),
        deps.checkIntervalMs,
      );
      checkTimer.unref();
      if (deps.kieCredits) {
        creditTimer = setInterval(loop('kie credits', checkKieCredits), deps.kieCreditCheckIntervalMs);
        creditTimer.unref();
      }
      loop('first check', () => check({ credits: true }))();
    },
    async settled() {
      while (pending.size) await Promise.allSettled([...pending]);
    },
    async stop() {
      stopped = true;
      if (checkTimer) clearInterval(checkTimer);
      if (creditTimer) clearInterval(creditTimer);
      await Promise.allSettled([...pending]);
    },
  };
}
