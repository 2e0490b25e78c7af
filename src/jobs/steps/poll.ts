/**
 * The poll step (submitted/running, and refunded with lateDeliveryAllowed): one status request
 * (rate-capped per provider). pending → running; succeeded → record the result and deliver in
 * the same pass; failed → fail + refund; past deadlineAt → fail (timeout) + refund with
 * lateDeliveryAllowed, then poll every latePollMs up to lateHorizonMs so a late success is still
 * delivered (never charged again).
 */
import { type SuccessResult } from '../generation-state.js';
import { POLLED_STATES } from '../../domain/generation-states.js';
import { LeaseLostError } from '../lease.js';
import { earliest, isPastDeadline } from '../policy.js';
import { after, jitter, progress, stopLateDelivery, view, wasMade, type NextRun, type StepContext } from './context.js';
import { deliverStep } from './deliver.js';
import { failAndNotify } from './fail.js';

export async function pollStep(ctx: StepContext, late: boolean): Promise<NextRun> {
  const { env, job, lease, log } = ctx;
  const now = env.now();
  const again = late ? env.latePollMs : env.pollIntervalMs;
  const taskId = job.providerTaskId;
  if (!taskId) return late ? stopLateDelivery(ctx, 'no provider task') : null;
  const submittedAt = job.submittedAt ?? job.createdAt;
  if (late && now.getTime() > submittedAt.getTime() + env.lateHorizonMs) return stopLateDelivery(ctx, 'late-delivery horizon passed');
  const pastDeadline = !late && isPastDeadline(now, job.deadlineAt);
  const timeout = async () => {
    const notice = await failAndNotify(ctx, POLLED_STATES, 'timeout', 'timeout', `no result within ${env.pollTimeoutMs} ms`, true);
    return earliest(notice, after(env, env.latePollMs));
  };

  const provider = env.providers.get(ctx.model.provider);
  if (!provider) {
    if (pastDeadline) return timeout();
    log.warn('provider not configured; cannot poll');
    return after(env, again * 4);
  }

  await env.pollLimiter(provider.id).acquire();
  let status;
  try {
    status = await provider.getStatus(taskId, job.kind, lease.signal);
  } catch (err) {
    if (lease.lost) throw new LeaseLostError(lease.id);
    const error = provider.classifyError(err);
    if (lease.signal.aborted) {
      log.warn({ code: error.code }, 'status check cut short by the step deadline; retrying');
      return after(env, env.pollIntervalMs);
    }
    const sinceSubmit = now.getTime() - submittedAt.getTime();
    const final = error.errorClass === 'final' || (error.code === 'task_not_found' && sinceSubmit > env.notFoundGraceMs);
    if (final) {
      if (late) return stopLateDelivery(ctx, `status failed: ${error.code}`);
      log.warn({ code: error.code, errorClass: error.errorClass }, 'status check failed for good');
      return failAndNotify(ctx, POLLED_STATES, error.userReason, error.code, error.message);
    }
    if (pastDeadline) return timeout();
    log.warn({ code: error.code, errorClass: error.errorClass }, 'status check failed; retrying');
    return after(env, jitter(Math.min(env.maxBackoffMs, again * 2)) + (error.retryAfterMs ?? 0));
  }

  if (status.state === 'pending') {
    if (pastDeadline) return timeout();
    if (!late && job.state === 'submitted' && wasMade(ctx, await ctx.state.markRunning())) {
      log.info({ state: 'running', providerState: status.providerState }, 'generation running');
      await progress(ctx, view(job), 'running');
    }
    return after(env, again);
  }

  if (status.state === 'failed') {
    if (late) return stopLateDelivery(ctx, `late failure: ${status.code ?? 'failed'}`);
    return failAndNotify(ctx, POLLED_STATES, status.userReason, status.code ?? 'task_failed', status.reason);
  }

  // Succeeded: record the result, then deliver in the same pass.
  const result: SuccessResult = {
    resultUrl: status.videoUrl,
    resultDurationSeconds: status.durationSeconds ?? null,
    providerVideoId: status.providerVideoId ?? null,
    completedAt: now,
  };
  if (late) {
    if (!wasMade(ctx, await ctx.state.recordLateResult(result))) return null;
    log.info({ state: 'refunded', late: true }, 'late result arrived after the refund; delivering without a charge');
  } else {
    if (!wasMade(ctx, await ctx.state.recordSuccess(result))) return after(env, env.tickMs);
    log.info({ state: 'succeeded' }, 'generation succeeded');
  }
  return deliverStep({ ...ctx, job: { ...job, ...result, state: late ? 'refunded' : 'succeeded' } }, late);
}
