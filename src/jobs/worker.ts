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
import {
  failAndRefund,
  refundGeneration,
  transition,
  type Generation,
  type GenerationState,
  type RefundResult,
} from '../domain/generations.js';
import { markUnreachable } from '../domain/users.js';
import type { CatalogModel } from '../generated/prisma/client.js';
import { type CallbackRequest, type GenerationRequest, type ProviderUserReason, type VideoProvider } from '../providers/types.js';
import type { FailureReason, JobMessenger, JobView, MediaSource, ProgressStage } from './ports.js';
import { createRateLimiters } from './rate-limit.js';

export interface JobWorkerDeps {
  prisma: PrismaClient;
  providers: { get(id: string): VideoProvider | undefined };
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
}

export interface JobWorker {
  start(): void;
  /** Stops claiming and waits for the steps in progress. */
  stop(): Promise<void>;
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
type Claimed = { id: string; nextRunAt: Date; state: GenerationState };

export function callbackUrlFor(publicUrl: string, secret: string, provider: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/callbacks/${provider}?secret=${encodeURIComponent(secret)}`;
}

/**
 * A woken job (new confirm, provider callback) gets nextRunAt = now − 10 years, so it is claimed
 * before jobs that are merely due for their next poll, in the order of the wakes. Each wake writes
 * a distinct time, so the lease release (which compares with the claimed time) never misses one.
 */
const URGENT_OFFSET_MS = 10 * 365 * 86_400_000;

const DUE_STATE_SQL = `("state" IN ('queued', 'submitted', 'running', 'succeeded', 'failed') OR ("state" = 'refunded' AND ("lateDeliveryAllowed" OR "refundNoticeAt" IS NULL)))`;

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

  const at = (ms: number) => new Date(deps.now().getTime() + ms);
  const jitter = (ms: number) => Math.round(ms * (0.8 + Math.random() * 0.4));

  // ------------------------------------------------------------------------- claim and release

  /**
   * Claims up to `limit` due jobs: `work` = polls and deliveries (past submit), `submit` = queued
   * jobs. Polls and deliveries are claimed first and submits only into their share of the slots,
   * so a backlog of slow submits (uploads + create) never keeps a woken job waiting for a slot.
   */
  async function claim(kind: 'work' | 'submit', limit: number): Promise<Claimed[]> {
    if (limit <= 0) return [];
    const now = deps.now();
    const until = new Date(now.getTime() + leaseMs);
    const stateFilter = kind === 'submit' ? `"state" = 'queued'` : `"state" <> 'queued'`;
    return prisma.$queryRawUnsafe<Claimed[]>(
      `UPDATE "Generation" SET "leaseOwner" = $1, "leaseUntil" = $2, "attempts" = "attempts" + 1
       WHERE "id" IN (
         SELECT "id" FROM "Generation"
         WHERE ${DUE_STATE_SQL} AND ${stateFilter} AND "nextRunAt" <= $3 AND ("leaseUntil" IS NULL OR "leaseUntil" < $3)
         ORDER BY "nextRunAt" LIMIT $4
         FOR UPDATE SKIP LOCKED)
       RETURNING "id", "nextRunAt", "state"::text AS "state"`,
      instanceId,
      until,
      now,
      limit,
    );
  }

  /**
   * Clears our lease and sets the next run. A wake (callback) that arrived during the step wrote
   * its own time into nextRunAt, so nextRunAt is no longer what we claimed: the earlier one wins
   * and the wake is not lost. (Wakes always write, even when the row is already due.)
   */
  async function release(claimed: Claimed, next: Date): Promise<void> {
    await prisma.$executeRawUnsafe(
      `UPDATE "Generation" SET "leaseOwner" = NULL, "leaseUntil" = NULL,
         "nextRunAt" = CASE WHEN "nextRunAt" <> $1 THEN LEAST("nextRunAt", $2) ELSE $2 END
       WHERE "id" = $3 AND "leaseOwner" = $4`,
      claimed.nextRunAt,
      next,
      claimed.id,
      instanceId,
    );
  }

  function heartbeat(id: string): NodeJS.Timeout {
    const beat = setInterval(() => {
      prisma.generation
        .updateMany({ where: { id, leaseOwner: instanceId }, data: { leaseUntil: at(leaseMs) } })
        .catch((err: unknown) => log.warn({ err, generationId: id }, 'lease renewal failed'));
    }, Math.max(10, Math.floor(leaseMs / 3)));
    beat.unref();
    return beat;
  }

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
    let run: Promise<void> | undefined;
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
    const beat = heartbeat(claimed.id);
    let next = at(deps.pollIntervalMs);
    try {
      const job = await prisma.generation.findUnique({ where: { id: claimed.id }, include: { model: true } });
      if (!job || job.leaseOwner !== instanceId) return;
      next = (await step(job, jobLog.child({ state: job.state, provider: job.model.provider }))) ?? deps.now();
      jobLog.debug({ state: job.state, next }, 'step done');
    } catch (err) {
      jobLog.error({ err }, 'job step failed');
      next = at(jitter(Math.max(deps.pollIntervalMs, 1_000)));
    } finally {
      clearInterval(beat);
      await release(claimed, next).catch((err: unknown) => jobLog.error({ err }, 'releasing the lease failed'));
    }
  }

  // ------------------------------------------------------------------------- steps

  /** Runs one step; returns when to look again (null: nothing left to do). */
  async function step(job: Job, jobLog: Logger): Promise<Date | null> {
    const model = toCatalogEntry(job.model);
    const provider = deps.providers.get(model.provider);
    switch (job.state) {
      case 'queued':
        return submitStep(job, model, provider, jobLog);
      case 'submitted':
      case 'running':
        return pollStep(job, provider, jobLog, false);
      case 'succeeded':
        return deliverStep(job, jobLog, false);
      case 'failed':
        return sweepFailed(job, jobLog);
      case 'refunded': {
        if (!job.refundNoticeAt) {
          // A crash came between the refund and its notice: send it now.
          const retry = await noticeRefund(job, jobLog, job.errorCode === 'timeout' ? 'timeout' : 'provider_error', job.price);
          if (retry) return retry;
        }
        if (!job.lateDeliveryAllowed) return null;
        return job.resultUrl ? deliverStep(job, jobLog, true) : pollStep(job, provider, jobLog, true);
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

  /** Sends a message to the user; false when it could not be sent (logged, never thrown). */
  async function tell(jobLog: Logger, what: string, send: () => Promise<void>): Promise<boolean> {
    try {
      await send();
      return true;
    } catch (err) {
      jobLog.warn({ err, what }, 'could not message the user');
      return false;
    }
  }

  /**
   * Tells the user about a failure and its refund, and records that it was told. A crash between
   * the refund and the notice leaves refundNoticeAt empty: the job stays due and a later pass
   * sends it. A user who cannot be reached (or an hour of failures) ends the attempts.
   */
  async function noticeRefund(job: Job, jobLog: Logger, reason: FailureReason, amount: number): Promise<Date | null> {
    const sent = await tell(jobLog, 'failed', () => messenger.failed(view(job), reason, amount));
    const refundedAt = (job.refundedAt ?? deps.now()).getTime();
    const user = sent ? null : await prisma.user.findUnique({ where: { id: job.userId }, select: { unreachable: true } });
    if (sent || user?.unreachable || deps.now().getTime() - refundedAt > 60 * 60_000) {
      await prisma.generation.updateMany({ where: { id: job.id, refundNoticeAt: null }, data: { refundNoticeAt: deps.now() } });
      return null;
    }
    return at(jitter(60_000));
  }

  const progress = (job: Job, jobView: JobView, jobLog: Logger, stage: ProgressStage) =>
    tell(jobLog, `progress:${stage}`, () => messenger.progress(jobView, stage));

  /** Fails the job from `from`, refunds it once, tells the user. */
  async function fail(
    job: Job,
    jobLog: Logger,
    from: GenerationState | readonly GenerationState[],
    reason: FailureReason,
    errorCode: string,
    error: string,
    late = false,
  ): Promise<RefundResult> {
    const result = await failAndRefund(prisma, job.id, from, {
      errorCode,
      error,
      now: deps.now(),
      lateDeliveryAllowed: late,
    });
    if (result.status === 'refunded') {
      jobLog.info({ state: 'refunded', errorCode, reason, refunded: result.amount, lateDelivery: late }, 'generation failed and refunded');
      await noticeRefund(job, jobLog, reason, result.amount);
    } else {
      jobLog.info({ result: result.status }, 'generation already moved on; not failing it');
    }
    return result;
  }

  function callbackUrl(providerId: string): string | undefined {
    return deps.callbacks ? callbackUrlFor(deps.callbacks.publicUrl, deps.callbacks.secret, providerId) : undefined;
  }

  function buildRequest(job: Job, model: CatalogEntry, providerId: string): GenerationRequest {
    const inputs = generationInputsSchema.parse(job.inputs);
    return buildGenerationRequest(model, job.id, inputs, (ref) => deps.media.toInputMedia(ref), callbackUrl(providerId));
  }

  async function submitStep(job: Job, model: CatalogEntry, provider: VideoProvider | undefined, jobLog: Logger): Promise<Date | null> {
    const now = deps.now();
    if (!provider) {
      await fail(job, jobLog, 'queued', 'provider_unavailable', 'provider_not_configured', `provider ${model.provider} is not configured`);
      return null;
    }
    const jobView = view(job);
    if (job.statusMessageId === null && job.submitAttempts === 0) await progress(job, jobView, jobLog, 'queued');

    let request: GenerationRequest;
    try {
      request = buildRequest(job, model, provider.id);
    } catch (err) {
      await fail(job, jobLog, 'queued', 'bad_input', 'bad_inputs', `stored inputs unusable: ${(err as Error).message}`);
      return null;
    }

    // A create request of an earlier pass may have made a task (ambiguous answer or a crash).
    const uncertain = job.submitAttempts;
    if (uncertain > 0) {
      try {
        const found = await provider.findTask(request);
        if (found) {
          jobLog.info({ uncertain }, 'found the task of an earlier submit');
          return recordSubmitted(job, jobView, found.taskId, jobLog);
        }
      } catch (err) {
        const error = provider.classifyError(err);
        jobLog.warn({ code: error.code, errorClass: error.errorClass }, 'task lookup failed');
        if (!(job.deadlineAt && now > job.deadlineAt)) {
          return at(jitter(Math.min(maxBackoffMs, deps.pollIntervalMs * 2)) + (error.retryAfterMs ?? 0));
        }
      }
    }
    if (job.deadlineAt && now > job.deadlineAt) {
      await fail(job, jobLog, 'queued', 'provider_unavailable', job.errorCode ?? 'submit_deadline', job.error ?? 'could not submit before the deadline');
      return null;
    }
    if (uncertain > 0) {
      if (uncertain >= (MAX_UNCERTAIN_SUBMITS[provider.id] ?? 1)) {
        await fail(job, jobLog, 'queued', 'provider_error', 'submit_ambiguous', `the provider's answer to ${uncertain} create requests is unknown`);
        return null;
      }
      jobLog.warn({ uncertain }, 'no task found for an uncertain submit; submitting again');
    }

    // Mark "a create request may be in flight" before sending it; a crash leaves the mark.
    const marked = await prisma.generation.updateMany({
      where: { id: job.id, state: 'queued', submitAttempts: uncertain },
      data: { submitAttempts: uncertain + 1 },
    });
    if (marked.count !== 1) return at(tickMs);

    let taskId: string;
    try {
      await submitLimiterFor(provider.id).acquire();
      ({ taskId } = await provider.submit(request));
    } catch (err) {
      const error = provider.classifyError(err);
      const details = { code: error.code, errorClass: error.errorClass, userReason: error.userReason };
      if (error.errorClass === 'final') {
        jobLog.warn(details, 'submit failed for good');
        await fail(job, jobLog, 'queued', error.userReason, error.code, error.message);
        return null;
      }
      if (error.errorClass === 'ambiguous') {
        jobLog.warn(details, 'submit outcome unknown; will look the task up');
        return at(Math.min(deps.pollIntervalMs, 5_000));
      }
      // Retryable: no task was made, so this attempt does not count as uncertain.
      await prisma.generation.updateMany({
        where: { id: job.id, state: 'queued', submitAttempts: uncertain + 1 },
        data: { submitAttempts: uncertain, errorCode: error.code, error: error.message.slice(0, 1000) },
      });
      const delay = Math.min(maxBackoffMs, 1_000 * 2 ** Math.min(job.attempts, 10));
      jobLog.warn({ ...details, retryInMs: delay }, 'submit failed; retrying later');
      return at(jitter(delay) + (error.retryAfterMs ?? 0));
    }
    return recordSubmitted(job, jobView, taskId, jobLog);
  }

  async function recordSubmitted(job: Job, jobView: JobView, taskId: string, jobLog: Logger): Promise<Date> {
    const now = deps.now();
    const moved = await transition(prisma, job.id, 'queued', 'submitted', {
      providerTaskId: taskId,
      submittedAt: now,
      deadlineAt: new Date(now.getTime() + deps.pollTimeoutMs),
      error: null,
      errorCode: null,
    });
    if (!moved) {
      // Refunded meanwhile (admin): keep the task so a result can still be delivered.
      await prisma.generation.updateMany({
        where: { id: job.id, state: 'refunded', providerTaskId: null },
        data: { providerTaskId: taskId, submittedAt: now, lateDeliveryAllowed: true },
      });
      jobLog.warn({ providerTaskId: taskId }, 'submitted, but the job was refunded meanwhile');
      return at(latePollMs);
    }
    jobLog.info({ state: 'submitted', providerTaskId: taskId }, 'generation submitted');
    await progress(job, jobView, jobLog, 'submitted');
    return at(deps.pollIntervalMs);
  }

  async function stopLatePolling(job: Job, jobLog: Logger, why: string): Promise<null> {
    await prisma.generation.updateMany({ where: { id: job.id, state: 'refunded' }, data: { lateDeliveryAllowed: false } });
    jobLog.info({ why }, 'stopped waiting for a late result');
    return null;
  }

  async function pollStep(job: Job, provider: VideoProvider | undefined, jobLog: Logger, late: boolean): Promise<Date | null> {
    const now = deps.now();
    const from = ['submitted', 'running'] as const;
    const again = late ? latePollMs : deps.pollIntervalMs;
    const taskId = job.providerTaskId;
    if (!taskId) return late ? stopLatePolling(job, jobLog, 'no provider task') : null;
    if (late && now.getTime() > (job.submittedAt ?? job.createdAt).getTime() + lateHorizonMs) {
      return stopLatePolling(job, jobLog, 'late-delivery horizon passed');
    }
    const pastDeadline = !late && job.deadlineAt !== null && now > job.deadlineAt;
    const timeout = async () => {
      await fail(job, jobLog, from, 'timeout', 'timeout', `no result within ${deps.pollTimeoutMs} ms`, true);
      return at(latePollMs);
    };

    if (!provider) {
      if (pastDeadline) return timeout();
      jobLog.warn('provider not configured; cannot poll');
      return at(again * 4);
    }

    await limiterFor(provider.id).acquire();
    let status;
    try {
      status = await provider.getStatus(taskId, job.kind);
    } catch (err) {
      const error = provider.classifyError(err);
      const sinceSubmit = now.getTime() - (job.submittedAt ?? job.createdAt).getTime();
      const final = error.errorClass === 'final' || (error.code === 'task_not_found' && sinceSubmit > notFoundGraceMs);
      if (final) {
        if (late) return stopLatePolling(job, jobLog, `status failed: ${error.code}`);
        jobLog.warn({ code: error.code, errorClass: error.errorClass }, 'status check failed for good');
        await fail(job, jobLog, from, error.userReason, error.code, error.message);
        return null;
      }
      if (pastDeadline) return timeout();
      jobLog.warn({ code: error.code, errorClass: error.errorClass }, 'status check failed; retrying');
      return at(jitter(Math.min(maxBackoffMs, again * 2)) + (error.retryAfterMs ?? 0));
    }

    if (status.state === 'pending') {
      if (pastDeadline) return timeout();
      if (!late && job.state === 'submitted') {
        if (await transition(prisma, job.id, 'submitted', 'running')) {
          jobLog.info({ state: 'running', providerState: status.providerState }, 'generation running');
          await progress(job, view(job), jobLog, 'running');
        }
      }
      return at(again);
    }

    if (status.state === 'failed') {
      if (late) return stopLatePolling(job, jobLog, `late failure: ${status.code ?? 'failed'}`);
      await fail(job, jobLog, from, status.userReason, status.code ?? 'task_failed', status.reason);
      return null;
    }

    // Succeeded: record the result, then deliver in the same pass.
    const result = {
      resultUrl: status.videoUrl,
      resultDurationSeconds: status.durationSeconds ?? null,
      completedAt: now,
    };
    if (late) {
      const kept = await prisma.generation.updateMany({
        where: { id: job.id, state: 'refunded', lateDeliveryAllowed: true },
        data: result,
      });
      if (kept.count !== 1) return null;
      jobLog.info({ state: 'refunded', late: true }, 'late result arrived after the refund; delivering without a charge');
    } else {
      if (!(await transition(prisma, job.id, from, 'succeeded', { ...result, error: null, errorCode: null }))) return at(tickMs);
      jobLog.info({ state: 'succeeded' }, 'generation succeeded');
    }
    return deliverStep({ ...job, ...result, state: late ? 'refunded' : 'succeeded' }, jobLog, late);
  }

  async function deliverStep(job: Job, jobLog: Logger, late: boolean): Promise<Date | null> {
    // Either state: an admin may refund a succeeded job while it is being delivered (it then
    // stays deliverable with lateDeliveryAllowed), and the delivery must still be recorded once.
    const from = ['succeeded', 'refunded'] as const;
    if (!job.resultUrl) {
      jobLog.error('no result URL to deliver');
      return late ? stopLatePolling(job, jobLog, 'no result URL') : null;
    }
    const jobView = view(job);
    await progress(job, jobView, jobLog, 'uploading');
    let outcome;
    try {
      outcome = await messenger.deliver(jobView, {
        url: job.resultUrl,
        ...(job.resultDurationSeconds !== null ? { durationSeconds: job.resultDurationSeconds } : {}),
      });
    } catch (err) {
      outcome = { kind: 'retry' as const, error: (err as Error).message };
    }
    const now = deps.now();
    const done = { lateDeliveryAllowed: false };
    switch (outcome.kind) {
      case 'video':
        if (await transition(prisma, job.id, from, 'delivered', { ...done, deliveredAt: now, telegramFileId: outcome.fileId, deliveredAsLink: false })) {
          jobLog.info({ state: 'delivered', late }, 'video delivered');
        }
        return null;
      case 'link':
        if (await transition(prisma, job.id, from, 'delivered', { ...done, deliveredAt: now, deliveredAsLink: true })) {
          jobLog.info({ state: 'delivered', late, asLink: true }, 'result delivered as a link');
        }
        return null;
      case 'unreachable':
        await markUnreachable(prisma, job.userId);
        await transition(prisma, job.id, from, 'delivered', { ...done, errorCode: 'user_unreachable', error: 'the user blocked the bot' });
        jobLog.info({ state: 'delivered', sent: false }, 'user unreachable; result kept for /history');
        return null;
      case 'retry': {
        const readyFor = now.getTime() - (job.completedAt ?? now).getTime();
        if (readyFor > deliveryGiveUpMs) {
          await transition(prisma, job.id, from, 'delivered', { ...done, errorCode: 'delivery_failed', error: outcome.error.slice(0, 1000) });
          jobLog.warn({ state: 'delivered', sent: false }, 'gave up delivering; result kept for /history');
          return null;
        }
        jobLog.warn({ error: outcome.error.slice(0, 200) }, 'delivery failed; retrying');
        return at(jitter(Math.min(maxBackoffMs, Math.max(deps.pollIntervalMs, 1_000) * 2)));
      }
    }
  }

  async function sweepFailed(job: Job, jobLog: Logger): Promise<Date | null> {
    const result = await refundGeneration(prisma, job.id, job.errorCode ?? 'failed', deps.now());
    if (result.status === 'refunded') {
      jobLog.info({ state: 'refunded', refunded: result.amount }, 'refunded a failed generation');
      const reason: ProviderUserReason = 'provider_error';
      return noticeRefund(job, jobLog, job.errorCode === 'timeout' ? 'timeout' : reason, result.amount);
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

    async stop() {
      stopping = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      if (ticking) await ticking.catch(() => {});
      await Promise.allSettled([...inFlight]);
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
      const woken = await prisma.generation.updateMany({
        where: {
          providerTaskId: signal.taskId,
          model: { provider: provider.id },
          OR: [{ state: { in: ['submitted', 'running'] } }, { state: 'refunded', lateDeliveryAllowed: true }],
        },
        data: { nextRunAt: new Date(deps.now().getTime() - URGENT_OFFSET_MS) },
      });
      log.debug({ provider: providerId, woken: woken.count }, 'provider callback');
      kick();
      return true;
    },
  };
}

