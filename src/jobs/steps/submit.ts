/**
 * The submit step (state `queued`): build the provider request, look up the task of an earlier
 * uncertain create, mark "a create may be in flight", send the create, record the task.
 *
 * Retryable failure (no task can exist): back off, the try is not counted as uncertain. Final:
 * fail + refund. Ambiguous (the create may have made a task): the next pass looks the task up —
 * Kling by external_task_id — and resubmits only within MAX_UNCERTAIN_SUBMITS (KIE: once).
 */
import { buildGenerationRequest, type CatalogEntry } from '../../domain/catalog.js';
import type { FailureFacts } from '../../domain/provider-choice.js';
import { generationInputsSchema } from '../../domain/generation-inputs.js';
import type { GenerationRequest, VideoProvider } from '../../providers/types.js';
import { LeaseLostError } from '../lease.js';
import { isPastDeadline, submitBackoffMs } from '../policy.js';
import type { JobView } from '../ports.js';
import { after, jitter, progress, view, wasMade, type NextRun, type StepContext } from './context.js';
import { failAndNotify } from './fail.js';
import { failoverTarget } from '../provider-failover.js';

/**
 * Most create requests whose outcome may have made a task. KIE has no idempotency key and no
 * lookup: at most one resend in total per generation (submitAttempts is only lowered again for a
 * `retryable` failure, which a provider reports only when no task can have been made). Kling's
 * external_task_id is unique, so a resend is answered "already exists" and looked up: keep
 * looking until the job's deadline, never refund a task that exists as bad input.
 */
const MAX_UNCERTAIN_SUBMITS: Record<string, number> = { kie: 2, kling: Number.POSITIVE_INFINITY };

export function callbackUrlFor(publicUrl: string, secret: string, provider: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/callbacks/${provider}?secret=${encodeURIComponent(secret)}`;
}

/** The provider this job is submitted to: the one call site that chooses it. */
export function resolveProvider(ctx: StepContext, model: CatalogEntry): VideoProvider | undefined {
  return ctx.env.providers.get(model.provider);
}

function buildRequest(ctx: StepContext, model: CatalogEntry, providerId: string): GenerationRequest {
  const { env, job } = ctx;
  const inputs = generationInputsSchema.parse(job.inputs);
  const callbackUrl = env.callbacks ? callbackUrlFor(env.callbacks.publicUrl, env.callbacks.secret, providerId) : undefined;
  return buildGenerationRequest(model, job.id, inputs, (ref) => env.media.toInputMedia(ref), callbackUrl);
}

export async function submitStep(ctx: StepContext): Promise<NextRun> {
  const { env, job, lease, log } = ctx;
  const now = env.now();
  const { model } = ctx;
  const provider = resolveProvider(ctx, model);
  if (!provider) {
    const notConfigured = {
      errorClass: 'final',
      code: 'provider_not_configured',
      userReason: 'provider_unavailable',
      message: `provider ${model.provider} is not configured`,
    } as const;
    if (await moveToOtherProvider(ctx, notConfigured, false, job.submitAttempts, job.submitAttempts)) return after(env, 0);
    return failAndNotify(ctx, 'queued', 'provider_unavailable', 'provider_not_configured', `provider ${model.provider} is not configured`);
  }
  const jobView = view(job);
  if (job.statusMessageId === null && job.submitAttempts === 0) await progress(ctx, jobView, 'queued');

  let request: GenerationRequest;
  try {
    request = buildRequest(ctx, model, provider.id);
  } catch (err) {
    return failAndNotify(ctx, 'queued', 'bad_input', 'bad_inputs', `stored inputs unusable: ${(err as Error).message}`);
  }

  // A create request of an earlier pass may have made a task (ambiguous answer or a crash).
  const uncertain = job.submitAttempts;
  if (uncertain > 0) {
    try {
      const found = await provider.findTask(request, lease.signal);
      if (found) {
        log.info({ uncertain }, 'found the task of an earlier submit');
        return recordSubmitted(ctx, jobView, found.taskId);
      }
    } catch (err) {
      if (lease.lost) throw new LeaseLostError(lease.id);
      const error = provider.classifyError(err);
      log.warn({ code: error.code, errorClass: error.errorClass }, 'task lookup failed');
      if (!isPastDeadline(now, job.deadlineAt)) {
        return after(env, jitter(Math.min(env.maxBackoffMs, env.pollIntervalMs * 2)) + (error.retryAfterMs ?? 0));
      }
    }
  }
  if (isPastDeadline(now, job.deadlineAt)) {
    return failAndNotify(ctx, 'queued', 'provider_unavailable', job.errorCode ?? 'submit_deadline', job.error ?? 'could not submit before the deadline');
  }
  if (uncertain > 0) {
    if (uncertain >= (MAX_UNCERTAIN_SUBMITS[provider.id] ?? 1)) {
      return failAndNotify(ctx, 'queued', 'provider_error', 'submit_ambiguous', `the provider's answer to ${uncertain} create requests is unknown`);
    }
    log.warn({ uncertain }, 'no task found for an uncertain submit; submitting again');
  }

  // Mark "a create request may be in flight" before sending it; a crash leaves the mark. The
  // mark is also the lease check of the create: only the lease holder can write it.
  if (!wasMade(ctx, await ctx.state.markSubmitInFlight(uncertain))) return after(env, env.tickMs);

  let taskId: string;
  try {
    await env.submitLimiter(provider.id).acquire();
    await lease.check();
    ({ taskId } = await provider.submit(request, lease.signal));
  } catch (err) {
    if (err instanceof LeaseLostError || lease.lost) throw new LeaseLostError(lease.id);
    const error = provider.classifyError(err);
    const details = { code: error.code, errorClass: error.errorClass, userReason: error.userReason };
    // One model, two providers: an outage-class refusal before any task may exist moves the job (one charge).
    if (!lease.signal.aborted && (await moveToOtherProvider(ctx, error, true, uncertain, uncertain + 1))) {
      log.warn(details, 'submit failed; moved to the other provider of the model');
      return after(env, 0);
    }
    // Cut short by the step deadline (or shutdown): never a final failure. The classification
    // says whether the create may have been sent (ambiguous) or not (retryable: uploads).
    if (error.errorClass === 'final' && !lease.signal.aborted) {
      log.warn(details, 'submit failed for good');
      return failAndNotify(ctx, 'queued', error.userReason, error.code, error.message);
    }
    if (error.errorClass === 'ambiguous') {
      log.warn(details, 'submit outcome unknown; will look the task up');
      return after(env, Math.min(env.pollIntervalMs, 5_000));
    }
    // Retryable: the provider says no task can have been made, so this try is not uncertain.
    wasMade(ctx, await ctx.state.clearSubmitInFlight(uncertain, { code: error.code, message: error.message }));
    const delay = submitBackoffMs(job.attempts, env.maxBackoffMs);
    log.warn({ ...details, retryInMs: delay }, 'submit failed; retrying later');
    return after(env, jitter(delay) + (error.retryAfterMs ?? 0));
  }
  return recordSubmitted(ctx, jobView, taskId);
}

async function recordSubmitted(ctx: StepContext, jobView: JobView, taskId: string): Promise<Date> {
  const { env, log } = ctx;
  const recorded = await ctx.state.recordSubmitted(taskId, after(env, env.pollTimeoutMs));
  if (recorded.status === 'kept_after_refund' || (recorded.status === 'moved_on' && recorded.state === 'refunded')) {
    // Refunded meanwhile (admin): the task is kept so a result can still be delivered.
    log.warn({ providerTaskId: taskId }, 'submitted, but the job was refunded meanwhile');
    return after(env, env.latePollMs);
  }
  if (!wasMade(ctx, recorded)) {
    log.warn({ providerTaskId: taskId, state: recorded.status === 'moved_on' ? recorded.state : undefined }, 'submitted, but the job moved on');
    return after(env, env.latePollMs);
  }
  log.info({ state: 'submitted', providerTaskId: taskId }, 'generation submitted');
  await progress(ctx, jobView, 'submitted');
  return after(env, env.pollIntervalMs);
}

/**
 * Moves the job to the other provider of its model family when the policy allows
 * (provider-failover.ts): true when moved. `uncertainBefore` counts this job's earlier uncertain
 * creates; `submitAttempts` is the row's value now (this create's in-flight mark included).
 */
async function moveToOtherProvider(
  ctx: StepContext,
  error: FailureFacts & { message: string },
  requestSent: boolean,
  uncertainBefore: number,
  submitAttempts: number,
): Promise<boolean> {
  const { env, job, model } = ctx;
  const target = await failoverTarget({ prisma: env.prisma, providers: env.providers, job, model, error, requestSent, uncertainBefore });
  if (!target) return false;
  return wasMade(ctx, await ctx.state.moveToProvider(target.provider, submitAttempts, error));
}
