/**
 * The durable job worker. Generations live in the database; any number of workers (in one or
 * several processes on one PostgreSQL) claim due rows with a lease, do one step, and release.
 *
 * Claim: one UPDATE over a `FOR UPDATE SKIP LOCKED` subselect of due rows (active state,
 * nextRunAt ≤ now, no live lease), limited to the free slots; it sets leaseOwner/leaseUntil and
 * bumps attempts. While a step runs, a heartbeat extends the lease; a crashed worker's lease
 * simply expires. Every state change is a conditional update on the expected state, so a step
 * that lost a race (another worker, an admin refund) changes nothing.
 *
 * Steps:
 *  queued      → submit (retryable: back off; final: fail + refund; ambiguous: the next pass looks
 *                the task up — Kling by external_task_id — and resubmits: KIE at most once)
 *  submitted/running → getStatus (rate-capped per provider): pending → running; succeeded →
 *                deliver in the same pass; failed → fail + refund; past deadlineAt → fail (timeout)
 *                + refund with lateDeliveryAllowed, then poll every latePollFactor × interval up to
 *                lateDeliveryHorizonMs so a late success is still delivered (never charged again)
 *  succeeded   → deliver: video, or link; a blocked user → marked unreachable and the job moves to
 *                `delivered` with errorCode user_unreachable (no telegramFileId; the result URL is
 *                kept for /history); repeated send failures past deliveryGiveUpMs → errorCode
 *                delivery_failed, same shape
 *  failed      → (a failure whose refund did not happen, e.g. written by another tool) refund it
 *
 * Provider callbacks only make a job due now; the job reads the state from the provider itself.
 */
import type { Logger } from 'pino';
import type { PrismaClient } from '../db/client.js';
import { buildGenerationRequest, toCatalogEntry, type CatalogEntry } from '../domain/catalog.js';
import { generationInputsSchema } from '../domain/generation-inputs.js';
import { failAndRefund, refundGeneration, transition, type Generation, type GenerationState, type RefundResult } from '../domain/generations.js';
import { markUnreachable } from '../domain/users.js';
import type { CatalogModel } from '../generated/prisma/client.js';
import { type CallbackRequest, type GenerationRequest, type ProviderUserReason, type VideoProvider } from '../providers/types.js';
import type { FailureReason, JobMessenger, JobView, MediaSource, ProgressStage } from './ports.js';
import { createRateLimiters } from './rate-limit.js';
import { createCallbackWakes } from './callback-wakes.js';
import { createLeaseStore, DUE_STATE_SQL, LeaseLostError, type Claimed, type Lease } from './lease.js';
import { deliveryRetry, earliest, isPastDeadline, noticeRetryAt, stepDeadlineMs, submitBackoffMs, uploadBudgetMs } from './policy.js';

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
 * Most create requests whose outcome may have made a task. KIE has no idempotency key and no
 * lookup: at most one resend in total per generation (submitAttempts is only lowered again for a
 * `retryable` failure, which a provider reports only when no task can have been made). Kling's
 * external_task_id is unique, so a resend is answered "already exists" and looked up: keep
 * looking until the job's deadline, never refund a task that exists as bad input.
 */
const MAX_UNCERTAIN_SUBMITS: Record<string, number> = { kie: 2, kling: Number.POSITIVE_INFINITY };

type Job = Generation & { model: CatalogModel };

export function callbackUrlFor(publicUrl: string, secret: string, provider: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/callbacks/${provider}?secret=${encodeURIComponent(secret)}`;
}

/**
 * A woken job (new confirm, provider callback) gets nextRunAt = now − 10 years, so it is claimed
 * before jobs that are merely due for their next poll, in the order of the wakes. Each wake writes
 * a distinct time, so the lease release (which compares with the claimed time) never misses one.
 */
const URGENT_OFFSET_MS = 10 * 365 * 86_400_000;

export function createJobWorker(deps: JobWorkerDeps): JobWorker {
  const { prisma, messenger, instanceId } = deps;
  const leaseMs = deps.leaseMs ?? 60_000;
  const tickMs = deps.tickMs ?? Math.min(deps.pollIntervalMs, 1_000);
  const latePollMs = deps.pollIntervalMs * (deps.latePollFactor ?? 4);
  const lateHorizonMs = deps.lateDeliveryHorizonMs ?? 24 * 60 * 60_000;
  const notFoundGraceMs = deps.taskNotFoundGraceMs ?? 2 * 60_000;
  const deliveryGiveUpMs = deps.deliveryGiveUpMs ?? 60 * 60_000;
  const maxBackoffMs = deps.maxBackoffMs ?? 60_000;
  const limiterFor = createRateLimiters(deps.pollsPerSecond);
  const submitLimiterFor = createRateLimiters(deps.submitsPerSecond ?? 2);
  const log = deps.logger.child({ component: 'jobs', worker: instanceId });

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
  const jitter = (ms: number) => Math.round(ms * (0.8 + Math.random() * 0.4));

  // ------------------------------------------------------------------------- claim and release

  /** The lease rule lives in lease.ts: claims, heartbeats, owner-checked writes, release. */
  const leases = createLeaseStore({
    prisma,
    owner: instanceId,
    leaseMs,
    now: deps.now,
    ...(deps.providers.configured ? { providers: [...deps.providers.configured] } : {}),
  });
  const claim = leases.claim;
  const callbackWakes = createCallbackWakes({
    prisma,
    logger: log,
    wakeTime: () => new Date(deps.now().getTime() - URGENT_OFFSET_MS),
    onWoken: () => kick(),
  });
  const release = leases.release;
  const deadlineMs = stepDeadlineMs(leaseMs, deps.stepDeadlineMs);

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
          for (const job of await claim('work', deps.concurrency - running)) launch(job);
          const submitFree = Math.min(deps.concurrency - running, submitSlots - runningSubmits);
          for (const job of await claim('submit', submitFree)) launch(job);
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

  async function runStep(claimed: Claimed): Promise<void> {
    const jobLog = log.child({ generationId: claimed.id });
    const lease = leases.hold(claimed, deadlineMs, (err) => jobLog.warn({ err }, 'lease renewal failed'));
    held.add(lease);
    let next = at(deps.pollIntervalMs);
    try {
      const job = await prisma.generation.findUnique({ where: { id: claimed.id }, include: { model: true } });
      if (!job || job.leaseOwner !== instanceId) return;
      const stepStarted = performance.now();
      next = (await step(job, lease, jobLog.child({ state: job.state, provider: job.model.provider }))) ?? deps.now();
      deps.metrics?.jobStep(job.state, job.model.provider, (performance.now() - stepStarted) / 1000);
      jobLog.debug({ state: job.state, next }, 'step done');
    } catch (err) {
      if (err instanceof LeaseLostError || lease.lost) jobLog.warn('lease lost during the step; another worker owns the job now');
      else jobLog.error({ err }, 'job step failed');
      next = at(jitter(Math.max(deps.pollIntervalMs, 1_000)));
    } finally {
      lease.end();
      held.delete(lease);
      await release(claimed, next).catch((err: unknown) => jobLog.error({ err }, 'releasing the lease failed'));
    }
  }

  // ------------------------------------------------------------------------- steps

  /** Runs one step; returns when to look again (null: nothing left to do). */
  async function step(job: Job, lease: Lease, jobLog: Logger): Promise<Date | null> {
    const model = toCatalogEntry(job.model);
    const provider = deps.providers.get(model.provider);
    switch (job.state) {
      case 'queued':
        return submitStep(job, lease, model, provider, jobLog);
      case 'submitted':
      case 'running':
        return pollStep(job, lease, provider, jobLog, false);
      case 'succeeded':
        return deliverStep(job, lease, jobLog, false);
      case 'failed':
        return sweepFailed(job, lease, jobLog);
      case 'refunded': {
        if (!job.refundNoticeAt) {
          // A crash (or a failed send) came between the refund and its notice: send it now.
          const retry = await noticeRefund(job, lease, jobLog, job.errorCode === 'timeout' ? 'timeout' : 'provider_error', job.price);
          if (retry) return retry;
        }
        if (!job.lateDeliveryAllowed) return null;
        return job.resultUrl ? deliverStep(job, lease, jobLog, true) : pollStep(job, lease, provider, jobLog, true);
      }
      default:
        return null;
    }
  }

  function view(job: Job): JobView {
    return {
      id: job.id,
      chatId: job.chatId,
      userId: job.userId,
      language: job.language,
      modelSlug: job.modelSlug,
      displayName: job.model.displayName,
      price: job.price,
      statusMessageId: job.statusMessageId,
      createdAt: job.createdAt,
    };
  }

  /**
   * Sends a message to the user while the lease is held; false when it could not be sent
   * (logged, never thrown). A lost lease is thrown: the step must stop.
   */
  async function tell(lease: Lease, jobLog: Logger, what: string, send: () => Promise<void>): Promise<boolean> {
    await lease.check();
    try {
      await send();
      return true;
    } catch (err) {
      if (lease.lost) throw new LeaseLostError(lease.id);
      jobLog.warn({ err, what }, 'could not message the user');
      return false;
    }
  }

  /**
   * Tells the user about a failure and its refund, and records that it was told. A crash between
   * the refund and the notice leaves refundNoticeAt empty: the job stays due and a later pass
   * sends it. A user who cannot be reached (or an hour of failures) ends the attempts.
   */
  async function noticeRefund(job: Job, lease: Lease, jobLog: Logger, reason: FailureReason, amount: number): Promise<Date | null> {
    const sent = await tell(lease, jobLog, 'failed', () => messenger.failed(view(job), reason, amount, lease.signal));
    const retryAt = noticeRetryAt(deps.now(), job.refundedAt ?? deps.now(), Math.max(deps.pollIntervalMs, 1_000));
    const user = sent ? null : await prisma.user.findUnique({ where: { id: job.userId }, select: { unreachable: true } });
    if (sent || user?.unreachable || retryAt === null) {
      await prisma.generation.updateMany({ where: lease.owned({ refundNoticeAt: null }), data: { refundNoticeAt: deps.now() } });
      return null;
    }
    // Backoff grows with the time since the refund (policy.ts); the job stays due until told.
    return retryAt;
  }

  const progress = (job: Job, lease: Lease, jobView: JobView, jobLog: Logger, stage: ProgressStage) =>
    tell(lease, jobLog, `progress:${stage}`, () => messenger.progress(jobView, stage, lease.signal));

  /**
   * Fails the job from `from` (while this worker owns it), refunds it once, tells the user.
   * Returns when to look again: a notice that could not be sent is retried with backoff.
   */
  async function fail(
    job: Job,
    lease: Lease,
    jobLog: Logger,
    from: GenerationState | readonly GenerationState[],
    reason: FailureReason,
    errorCode: string,
    error: string,
    late = false,
  ): Promise<Date | null> {
    const result: RefundResult = await failAndRefund(prisma, job.id, from, {
      errorCode,
      error,
      now: deps.now(),
      lateDeliveryAllowed: late,
      leaseOwner: lease.owner,
    });
    if (result.status === 'refunded') {
      jobLog.info({ state: 'refunded', errorCode, reason, refunded: result.amount, lateDelivery: late }, 'generation failed and refunded');
      return noticeRefund({ ...job, refundedAt: deps.now() }, lease, jobLog, reason, result.amount);
    }
    jobLog.info({ result: result.status }, 'generation already moved on; not failing it');
    return null;
  }

  function callbackUrl(providerId: string): string | undefined {
    return deps.callbacks ? callbackUrlFor(deps.callbacks.publicUrl, deps.callbacks.secret, providerId) : undefined;
  }

  function buildRequest(job: Job, model: CatalogEntry, providerId: string): GenerationRequest {
    const inputs = generationInputsSchema.parse(job.inputs);
    return buildGenerationRequest(model, job.id, inputs, (ref) => deps.media.toInputMedia(ref), callbackUrl(providerId));
  }

  async function submitStep(job: Job, lease: Lease, model: CatalogEntry, provider: VideoProvider | undefined, jobLog: Logger): Promise<Date | null> {
    const now = deps.now();
    if (!provider) {
      return fail(job, lease, jobLog, 'queued', 'provider_unavailable', 'provider_not_configured', `provider ${model.provider} is not configured`);
    }
    const jobView = view(job);
    if (job.statusMessageId === null && job.submitAttempts === 0) await progress(job, lease, jobView, jobLog, 'queued');

    let request: GenerationRequest;
    try {
      request = buildRequest(job, model, provider.id);
    } catch (err) {
      return fail(job, lease, jobLog, 'queued', 'bad_input', 'bad_inputs', `stored inputs unusable: ${(err as Error).message}`);
    }

    // A create request of an earlier pass may have made a task (ambiguous answer or a crash).
    const uncertain = job.submitAttempts;
    if (uncertain > 0) {
      try {
        const found = await provider.findTask(request, lease.signal);
        if (found) {
          jobLog.info({ uncertain }, 'found the task of an earlier submit');
          return recordSubmitted(job, lease, jobView, found.taskId, jobLog);
        }
      } catch (err) {
        if (lease.lost) throw new LeaseLostError(lease.id);
        const error = provider.classifyError(err);
        jobLog.warn({ code: error.code, errorClass: error.errorClass }, 'task lookup failed');
        if (!isPastDeadline(now, job.deadlineAt)) {
          return at(jitter(Math.min(maxBackoffMs, deps.pollIntervalMs * 2)) + (error.retryAfterMs ?? 0));
        }
      }
    }
    if (isPastDeadline(now, job.deadlineAt)) {
      return fail(
        job,
        lease,
        jobLog,
        'queued',
        'provider_unavailable',
        job.errorCode ?? 'submit_deadline',
        job.error ?? 'could not submit before the deadline',
      );
    }
    if (uncertain > 0) {
      if (uncertain >= (MAX_UNCERTAIN_SUBMITS[provider.id] ?? 1)) {
        return fail(job, lease, jobLog, 'queued', 'provider_error', 'submit_ambiguous', `the provider's answer to ${uncertain} create requests is unknown`);
      }
      jobLog.warn({ uncertain }, 'no task found for an uncertain submit; submitting again');
    }

    // Mark "a create request may be in flight" before sending it; a crash leaves the mark. The
    // mark is also the lease check of the create: only the owner can write it.
    const marked = await prisma.generation.updateMany({
      where: lease.owned({ state: 'queued' as const, submitAttempts: uncertain }),
      data: { submitAttempts: uncertain + 1 },
    });
    if (marked.count !== 1) return at(tickMs);

    let taskId: string;
    try {
      await submitLimiterFor(provider.id).acquire();
      await lease.check();
      ({ taskId } = await provider.submit(request, lease.signal));
    } catch (err) {
      if (err instanceof LeaseLostError || lease.lost) throw new LeaseLostError(lease.id);
      const error = provider.classifyError(err);
      const details = { code: error.code, errorClass: error.errorClass, userReason: error.userReason };
      // Cut short by the step deadline (or shutdown): never a final failure. The classification
      // says whether the create may have been sent (ambiguous) or not (retryable: uploads).
      if (error.errorClass === 'final' && !lease.signal.aborted) {
        jobLog.warn(details, 'submit failed for good');
        return fail(job, lease, jobLog, 'queued', error.userReason, error.code, error.message);
      }
      if (error.errorClass === 'ambiguous') {
        jobLog.warn(details, 'submit outcome unknown; will look the task up');
        return at(Math.min(deps.pollIntervalMs, 5_000));
      }
      // Retryable: the provider says no task can have been made, so this try is not uncertain.
      await prisma.generation.updateMany({
        where: lease.owned({ state: 'queued' as const, submitAttempts: uncertain + 1 }),
        data: { submitAttempts: uncertain, errorCode: error.code, error: error.message.slice(0, 1000) },
      });
      const delay = submitBackoffMs(job.attempts, maxBackoffMs);
      jobLog.warn({ ...details, retryInMs: delay }, 'submit failed; retrying later');
      return at(jitter(delay) + (error.retryAfterMs ?? 0));
    }
    return recordSubmitted(job, lease, jobView, taskId, jobLog);
  }

  async function recordSubmitted(job: Job, lease: Lease, jobView: JobView, taskId: string, jobLog: Logger): Promise<Date> {
    const now = deps.now();
    const moved = await transition(
      prisma,
      job.id,
      'queued',
      'submitted',
      {
        providerTaskId: taskId,
        submittedAt: now,
        deadlineAt: new Date(now.getTime() + deps.pollTimeoutMs),
        error: null,
        errorCode: null,
      },
      lease.owner,
    );
    if (!moved) {
      // Refunded meanwhile (admin): keep the task so a result can still be delivered.
      await prisma.generation.updateMany({
        where: lease.owned({ state: 'refunded' as const, providerTaskId: null }),
        data: { providerTaskId: taskId, submittedAt: now, lateDeliveryAllowed: true },
      });
      jobLog.warn({ providerTaskId: taskId }, 'submitted, but the job was refunded meanwhile');
      return at(latePollMs);
    }
    jobLog.info({ state: 'submitted', providerTaskId: taskId }, 'generation submitted');
    await progress(job, lease, jobView, jobLog, 'submitted');
    return at(deps.pollIntervalMs);
  }

  async function stopLatePolling(job: Job, lease: Lease, jobLog: Logger, why: string): Promise<null> {
    await prisma.generation.updateMany({ where: lease.owned({ state: 'refunded' as const }), data: { lateDeliveryAllowed: false } });
    jobLog.info({ why }, 'stopped waiting for a late result');
    return null;
  }

  async function pollStep(job: Job, lease: Lease, provider: VideoProvider | undefined, jobLog: Logger, late: boolean): Promise<Date | null> {
    const now = deps.now();
    const from = ['submitted', 'running'] as const;
    const again = late ? latePollMs : deps.pollIntervalMs;
    const taskId = job.providerTaskId;
    if (!taskId) return late ? stopLatePolling(job, lease, jobLog, 'no provider task') : null;
    if (late && now.getTime() > (job.submittedAt ?? job.createdAt).getTime() + lateHorizonMs) {
      return stopLatePolling(job, lease, jobLog, 'late-delivery horizon passed');
    }
    const pastDeadline = !late && isPastDeadline(now, job.deadlineAt);
    const timeout = async () => {
      const notice = await fail(job, lease, jobLog, from, 'timeout', 'timeout', `no result within ${deps.pollTimeoutMs} ms`, true);
      return earliest(notice, at(latePollMs));
    };

    if (!provider) {
      if (pastDeadline) return timeout();
      jobLog.warn('provider not configured; cannot poll');
      return at(again * 4);
    }

    await limiterFor(provider.id).acquire();
    let status;
    try {
      status = await provider.getStatus(taskId, job.kind, lease.signal);
    } catch (err) {
      if (lease.lost) throw new LeaseLostError(lease.id);
      const error = provider.classifyError(err);
      if (lease.signal.aborted) {
        jobLog.warn({ code: error.code }, 'status check cut short by the step deadline; retrying');
        return at(deps.pollIntervalMs);
      }
      const sinceSubmit = now.getTime() - (job.submittedAt ?? job.createdAt).getTime();
      const final = error.errorClass === 'final' || (error.code === 'task_not_found' && sinceSubmit > notFoundGraceMs);
      if (final) {
        if (late) return stopLatePolling(job, lease, jobLog, `status failed: ${error.code}`);
        jobLog.warn({ code: error.code, errorClass: error.errorClass }, 'status check failed for good');
        return fail(job, lease, jobLog, from, error.userReason, error.code, error.message);
      }
      if (pastDeadline) return timeout();
      jobLog.warn({ code: error.code, errorClass: error.errorClass }, 'status check failed; retrying');
      return at(jitter(Math.min(maxBackoffMs, again * 2)) + (error.retryAfterMs ?? 0));
    }

    if (status.state === 'pending') {
      if (pastDeadline) return timeout();
      if (!late && job.state === 'submitted') {
        if (await transition(prisma, job.id, 'submitted', 'running', {}, lease.owner)) {
          jobLog.info({ state: 'running', providerState: status.providerState }, 'generation running');
          await progress(job, lease, view(job), jobLog, 'running');
        }
      }
      return at(again);
    }

    if (status.state === 'failed') {
      if (late) return stopLatePolling(job, lease, jobLog, `late failure: ${status.code ?? 'failed'}`);
      return fail(job, lease, jobLog, from, status.userReason, status.code ?? 'task_failed', status.reason);
    }

    // Succeeded: record the result, then deliver in the same pass.
    const result = {
      resultUrl: status.videoUrl,
      resultDurationSeconds: status.durationSeconds ?? null,
      completedAt: now,
    };
    if (late) {
      const kept = await prisma.generation.updateMany({
        where: lease.owned({ state: 'refunded' as const, lateDeliveryAllowed: true }),
        data: result,
      });
      if (kept.count !== 1) return null;
      jobLog.info({ state: 'refunded', late: true }, 'late result arrived after the refund; delivering without a charge');
    } else {
      if (!(await transition(prisma, job.id, from, 'succeeded', { ...result, error: null, errorCode: null }, lease.owner))) return at(tickMs);
      jobLog.info({ state: 'succeeded' }, 'generation succeeded');
    }
    return deliverStep({ ...job, ...result, state: late ? 'refunded' : 'succeeded' }, lease, jobLog, late);
  }

  async function deliverStep(job: Job, lease: Lease, jobLog: Logger, late: boolean): Promise<Date | null> {
    // Either state: an admin may refund a succeeded job while it is being delivered (it then
    // stays deliverable with lateDeliveryAllowed), and the delivery must still be recorded once.
    const from = ['succeeded', 'refunded'] as const;
    if (!job.resultUrl) {
      jobLog.error('no result URL to deliver');
      return late ? stopLatePolling(job, lease, jobLog, 'no result URL') : null;
    }
    const jobView = view(job);
    await progress(job, lease, jobView, jobLog, 'uploading');
    // The upload gets most of what is left of the step; the link fallback runs in the rest.
    const upload = new AbortController();
    const uploadTimer = setTimeout(() => upload.abort(new Error('upload deadline passed')), uploadBudgetMs(deadlineMs));
    uploadTimer.unref();
    const abortUpload = () => upload.abort(lease.signal.reason);
    lease.signal.addEventListener('abort', abortUpload, { once: true });
    let outcome;
    try {
      await lease.check();
      outcome = await messenger.deliver(
        jobView,
        { url: job.resultUrl, ...(job.resultDurationSeconds !== null ? { durationSeconds: job.resultDurationSeconds } : {}) },
        { signal: lease.signal, uploadSignal: upload.signal },
      );
    } catch (err) {
      if (err instanceof LeaseLostError) throw err;
      outcome = { kind: 'retry' as const, error: (err as Error).message };
    } finally {
      clearTimeout(uploadTimer);
      lease.signal.removeEventListener('abort', abortUpload);
    }
    const now = deps.now();
    const done = { lateDeliveryAllowed: false };
    const record = (data: Parameters<typeof transition>[4]) => transition(prisma, job.id, from, 'delivered', { ...done, ...data }, lease.owner);
    switch (outcome.kind) {
      case 'video':
        if (await record({ deliveredAt: now, telegramFileId: outcome.fileId, deliveredAsLink: false })) {
          jobLog.info({ state: 'delivered', late }, 'video delivered');
        }
        return null;
      case 'link':
        if (await record({ deliveredAt: now, deliveredAsLink: true })) {
          jobLog.info({ state: 'delivered', late, asLink: true }, 'result delivered as a link');
        }
        return null;
      case 'unreachable':
        await markUnreachable(prisma, job.userId);
        await record({ errorCode: 'user_unreachable', error: 'the user blocked the bot' });
        jobLog.info({ state: 'delivered', sent: false }, 'user unreachable; result kept for /history');
        return null;
      case 'retry': {
        if (lease.lost) throw new LeaseLostError(lease.id);
        if (deliveryRetry(now, job.completedAt, deliveryGiveUpMs) === 'give_up') {
          await record({ errorCode: 'delivery_failed', error: outcome.error.slice(0, 1000) });
          jobLog.warn({ state: 'delivered', sent: false }, 'gave up delivering; result kept for /history');
          return null;
        }
        jobLog.warn({ error: outcome.error.slice(0, 200) }, 'delivery failed; retrying');
        return at(jitter(Math.min(maxBackoffMs, Math.max(deps.pollIntervalMs, 1_000) * 2)));
      }
    }
  }

  async function sweepFailed(job: Job, lease: Lease, jobLog: Logger): Promise<Date | null> {
    const result = await refundGeneration(prisma, job.id, job.errorCode ?? 'failed', deps.now(), lease.owner);
    if (result.status === 'refunded') {
      jobLog.info({ state: 'refunded', refunded: result.amount }, 'refunded a failed generation');
      const reason: ProviderUserReason = 'provider_error';
      return noticeRefund({ ...job, refundedAt: deps.now() }, lease, jobLog, job.errorCode === 'timeout' ? 'timeout' : reason, result.amount);
    }
    return null;
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
