/**
 * The durable job worker, as a small orchestrator. Generations live in the database; any number
 * of workers (in one or several processes on one PostgreSQL) claim due rows with a lease, run one
 * step, and release with the time to look again.
 *
 *  lease.ts             claim (one UPDATE over a `FOR UPDATE SKIP LOCKED` subselect of due rows),
 *                       heartbeat, release; a crashed worker's lease simply expires
 *  generation-state.ts  the one owner of Generation state/result/refund writes: each a conditional
 *                       update on the lease (owner + unexpired) and the expected from-state
 *  steps/               one step per file: submit, poll, deliver, fail, refund-notice, sweep
 *                       (steps/index.ts picks one by state)
 *  policy.ts            backoff, deadlines and give-up times as pure functions of `now`
 *
 * This file: the claim loop (submits get at most half the slots, so polls and deliveries keep
 * flowing), one step per claimed job under its lease and deadline, shutdown, wakes and provider
 * callbacks. Provider callbacks only make a job due now; the job reads the state from the provider.
 */
import type { Logger } from 'pino';
import type { PrismaClient } from '../db/client.js';
import { type CallbackRequest, type VideoProvider } from '../providers/types.js';
import { toCatalogEntry } from '../domain/catalog.js';
import { generationStateFor } from './generation-state.js';
import { jobModel } from './provider-failover.js';
import { createCallbackWakes } from './callback-wakes.js';
import { createLeaseStore, DUE_STATE_SQL, LeaseLostError, type Claimed, type Lease } from './lease.js';
import { stepDeadlineMs } from './policy.js';
import type { JobMessenger, MediaSource } from './ports.js';
import { createRateLimiters } from './rate-limit.js';
import { runJobStep, type StepEnv } from './steps/index.js';
import { jitter } from './steps/context.js';

export interface JobWorkerDeps {
  prisma: PrismaClient;
  /** With `configured`, jobs of other providers are never claimed (a worker without their keys leaves them to one that has them). */
  providers: { get(id: string): VideoProvider | undefined; configured?: ReadonlySet<string> };
  messenger: JobMessenger;
  media: MediaSource;
  logger: Logger;
  now: () => Date;
  /** Unique per worker (e.g. hostname + pid + random); written as the lease owner. */
  instanceId: string;
  /** POLL_INTERVAL_MS */
  pollIntervalMs: number;
  /** POLL_TIMEOUT_MS: give-up time after submit (and for a job that cannot be submitted). */
  pollTimeoutMs: number;
  /** Jobs this worker works on at once. */
  concurrency: number;
  /** Cap on status requests per second, per provider (this worker). */
  pollsPerSecond: number;
  /** Cap on create requests per second, per provider (this worker); KIE allows about 2/s (20 per 10 s). Default 2. */
  submitsPerSecond?: number;
  /** PUBLIC_URL and CALLBACK_SECRET: providers get `<publicUrl>/callbacks/<provider>?secret=<secret>`. */
  callbacks?: { publicUrl: string; secret: string };
  /** How often to look for due work (default min(pollIntervalMs, 1000)). */
  tickMs?: number;
  /** Lease length (default 60 s). */
  leaseMs?: number;
  /** After a timeout refund, poll this many times less often (default 4). */
  latePollFactor?: number;
  /** How long after submit a late success is still delivered (default 24 h). */
  lateDeliveryHorizonMs?: number;
  /** How long a just-created task may be "not found" by the provider (default 2 min). */
  taskNotFoundGraceMs?: number;
  /** Stop retrying a delivery this long after the result was ready (default 1 h). */
  deliveryGiveUpMs?: number;
  /** Backoff cap for submit retries (default 60 s). */
  maxBackoffMs?: number;
  /** Step durations (src/metrics). */
  metrics?: { jobStep(step: string, provider: string, seconds: number): void };
  /** Deadline of one step (default and cap: 80 % of the lease); its AbortSignal reaches providers and Telegram. */
  stepDeadlineMs?: number;
}

export interface JobWorker {
  start(): void;
  /**
   * Stops claiming at once and waits for the steps in progress; after `graceMs` (default: their
   * own deadlines) the steps still running are aborted, so this always ends within a step deadline.
   */
  stop(graceMs?: number): Promise<void>;
  /** Makes a generation due now (when given) and looks for due work at once. */
  wake(generationId?: string): Promise<void>;
  /**
   * A provider callback (its URL secret already checked by the HTTP server): authenticated with
   * provider.parseCallback; when valid, the matching job is made due now. The callback's content
   * is never trusted: the job asks the provider. Returns false for a forged/malformed callback.
   */
  handleCallback(provider: string, request: CallbackRequest): Promise<boolean>;
}

/**
 * A woken job (new confirm, provider callback) gets nextRunAt = now − 10 years, so it is claimed
 * before jobs that are merely due for their next poll, in the order of the wakes. Each wake writes
 * a distinct time, so the lease release (which compares with the claimed time) never misses one.
 */
const URGENT_OFFSET_MS = 10 * 365 * 86_400_000;

export function createJobWorker(deps: JobWorkerDeps): JobWorker {
  const { prisma, instanceId } = deps;
  const leaseMs = deps.leaseMs ?? 60_000;
  const tickMs = deps.tickMs ?? Math.min(deps.pollIntervalMs, 1_000);
  const log = deps.logger.child({ component: 'jobs', worker: instanceId });
  const deadlineMs = stepDeadlineMs(leaseMs, deps.stepDeadlineMs);

  /** Settings resolved once and the ports, for every step of this worker. */
  const env: StepEnv = {
    prisma,
    providers: deps.providers,
    messenger: deps.messenger,
    media: deps.media,
    now: deps.now,
    callbacks: deps.callbacks,
    pollIntervalMs: deps.pollIntervalMs,
    pollTimeoutMs: deps.pollTimeoutMs,
    latePollMs: deps.pollIntervalMs * (deps.latePollFactor ?? 4),
    lateHorizonMs: deps.lateDeliveryHorizonMs ?? 24 * 60 * 60_000,
    notFoundGraceMs: deps.taskNotFoundGraceMs ?? 2 * 60_000,
    deliveryGiveUpMs: deps.deliveryGiveUpMs ?? 60 * 60_000,
    maxBackoffMs: deps.maxBackoffMs ?? 60_000,
    tickMs,
    deadlineMs,
    pollLimiter: createRateLimiters(deps.pollsPerSecond),
    submitLimiter: createRateLimiters(deps.submitsPerSecond ?? 2),
  };

  let timer: NodeJS.Timeout | undefined;
  let started = false;
  let stopping = false;
  let running = 0;
  /** Slots that submits may use at once: the rest stay free for polls and deliveries. */
  const submitSlots = Math.max(1, Math.ceil(deps.concurrency / 2));
  let runningSubmits = 0;
  let ticking: Promise<void> | undefined;
  let tickAgain = false;
  const inFlight = new Set<Promise<void>>();
  const held = new Set<Lease>();

  const at = (ms: number) => new Date(deps.now().getTime() + ms);

  const leases = createLeaseStore({
    prisma,
    owner: instanceId,
    leaseMs,
    now: deps.now,
    ...(deps.providers.configured ? { providers: [...deps.providers.configured] } : {}),
  });
  const callbackWakes = createCallbackWakes({
    prisma,
    logger: log,
    wakeTime: () => new Date(deps.now().getTime() - URGENT_OFFSET_MS),
    onWoken: () => kick(),
  });

  // ------------------------------------------------------------------------- loop

  function kick(): void {
    if (!started || stopping) return;
    void tick();
  }

  function tick(): Promise<void> {
    if (ticking) {
      tickAgain = true;
      return ticking;
    }
    // The body compares `ticking` with `run` itself, so it is declared before it is assigned.
    let run: Promise<void> | undefined;
    // eslint-disable-next-line prefer-const -- see above
    run = (async () => {
      await null; // never finish synchronously: `ticking` must be assigned before it is cleared
      try {
        do {
          tickAgain = false;
          if (deps.concurrency - running <= 0 || stopping) break;
          for (const job of await leases.claim('work', deps.concurrency - running)) launch(job);
          const submitFree = Math.min(deps.concurrency - running, submitSlots - runningSubmits);
          for (const job of await leases.claim('submit', submitFree)) launch(job);
        } while (tickAgain && !stopping);
      } catch (err) {
        log.error({ err }, 'claiming jobs failed');
      } finally {
        if (ticking === run) ticking = undefined;
      }
    })();
    ticking = run;
    return run;
  }

  function launch(claimed: Claimed): void {
    running++;
    const submitting = claimed.state === 'queued';
    if (submitting) runningSubmits++;
    const work = runStep(claimed).finally(() => {
      running--;
      if (submitting) runningSubmits--;
      inFlight.delete(work);
      kick();
    });
    inFlight.add(work);
  }

  /** Holds the lease (heartbeat, deadline) while one step runs, then releases with the next run time. */
  async function runStep(claimed: Claimed): Promise<void> {
    const jobLog = log.child({ generationId: claimed.id });
    const lease = leases.hold(claimed, deadlineMs, (err) => jobLog.warn({ err }, 'lease renewal failed'));
    held.add(lease);
    let next = at(deps.pollIntervalMs);
    try {
      const job = await prisma.generation.findUnique({ where: { id: claimed.id }, include: { model: true } });
      if (!job || job.leaseOwner !== instanceId) return;
      const stepStarted = performance.now();
      const state = generationStateFor(prisma, lease, deps.now);
      const model = await jobModel(prisma, job, toCatalogEntry(job.model), deps.providers);
      next = (await runJobStep({ env, job, model, lease, state, log: jobLog.child({ state: job.state, provider: model.provider }) })) ?? deps.now();
      deps.metrics?.jobStep(job.state, model.provider, (performance.now() - stepStarted) / 1000);
      jobLog.debug({ state: job.state, next }, 'step done');
    } catch (err) {
      if (err instanceof LeaseLostError || lease.lost) jobLog.warn('lease lost during the step; another worker owns the job now');
      else jobLog.error({ err }, 'job step failed');
      next = at(jitter(Math.max(deps.pollIntervalMs, 1_000)));
    } finally {
      lease.end();
      held.delete(lease);
      await leases.release(claimed, next).catch((err: unknown) => jobLog.error({ err }, 'releasing the lease failed'));
    }
  }

  // ------------------------------------------------------------------------- public API

  return {
    start() {
      if (started) return;
      started = true;
      stopping = false;
      timer = setInterval(kick, tickMs);
      timer.unref();
      kick();
      log.info({ concurrency: deps.concurrency }, 'job worker started');
    },

    async stop(graceMs?: number) {
      stopping = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      if (ticking) await ticking.catch(() => {});
      const steps = Promise.allSettled([...inFlight]);
      if (graceMs !== undefined && inFlight.size > 0) {
        const grace = setTimeout(() => {
          for (const lease of held) lease.abort('the worker is stopping');
        }, graceMs);
        grace.unref();
        await steps;
        clearTimeout(grace);
      } else {
        await steps;
      }
      await callbackWakes.flush(); // queued callback wakes are written before the database closes
      started = false;
      log.info('job worker stopped');
    },

    async wake(generationId?: string) {
      if (generationId) {
        await prisma.$executeRawUnsafe(
          `UPDATE "Generation" SET "nextRunAt" = $1 WHERE "id" = $2 AND ${DUE_STATE_SQL}`,
          new Date(deps.now().getTime() - URGENT_OFFSET_MS),
          generationId,
        );
      }
      kick();
    },

    async handleCallback(providerId: string, request: CallbackRequest): Promise<boolean> {
      const provider = deps.providers.get(providerId);
      if (!provider) {
        log.warn({ provider: providerId }, 'callback for an unknown provider');
        return false;
      }
      let signal;
      try {
        signal = provider.parseCallback(request);
      } catch {
        signal = null;
      }
      if (!signal) {
        log.warn({ provider: providerId }, 'rejected a provider callback');
        return false;
      }
      // Answered before any database work: the wake is queued and written in a batch
      // (callback-wakes.ts explains why a crash loses nothing).
      callbackWakes.add(provider.id, signal.taskId);
      return true;
    },
  };
}
