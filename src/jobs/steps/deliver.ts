/**
 * The deliver step (succeeded, or refunded with a late result): the video, or a link; a blocked
 * user → marked unreachable and the job moves to `delivered` with errorCode user_unreachable (no
 * telegramFileId; the result URL is kept for /history); repeated send failures past
 * deliveryGiveUpMs → errorCode delivery_failed, same shape. The upload gets most of the step's
 * deadline; the link fallback runs in the rest.
 */
import { markUnreachable } from '../../domain/users.js';
import type { DeliveryRecord } from '../generation-state.js';
import { LeaseLostError } from '../lease.js';
import { deliveryRetry, uploadBudgetMs } from '../policy.js';
import type { DeliveryOutcome } from '../ports.js';
import { after, jitter, progress, stopLateDelivery, view, wasMade, type NextRun, type StepContext } from './context.js';

/** Runs the messenger's delivery under the step deadline, with an earlier deadline for the upload. */
async function send(ctx: StepContext, url: string, durationSeconds: number | null): Promise<DeliveryOutcome> {
  const { env, job, lease } = ctx;
  const jobView = view(job);
  await progress(ctx, jobView, 'uploading');
  const upload = new AbortController();
  const uploadTimer = setTimeout(() => upload.abort(new Error('upload deadline passed')), uploadBudgetMs(env.deadlineMs));
  uploadTimer.unref();
  const abortUpload = () => upload.abort(lease.signal.reason);
  lease.signal.addEventListener('abort', abortUpload, { once: true });
  try {
    await lease.check();
    return await env.messenger.deliver(
      jobView,
      { url, ...(durationSeconds !== null ? { durationSeconds } : {}) },
      { signal: lease.signal, uploadSignal: upload.signal },
    );
  } catch (err) {
    if (err instanceof LeaseLostError) throw err;
    return { kind: 'retry', error: (err as Error).message };
  } finally {
    clearTimeout(uploadTimer);
    lease.signal.removeEventListener('abort', abortUpload);
  }
}

export async function deliverStep(ctx: StepContext, late: boolean): Promise<NextRun> {
  const { env, job, lease, log } = ctx;
  if (!job.resultUrl) {
    log.error('no result URL to deliver');
    return late ? stopLateDelivery(ctx, 'no result URL') : null;
  }
  const outcome = await send(ctx, job.resultUrl, job.resultDurationSeconds);
  const now = env.now();
  // Either state: an admin may refund a succeeded job while it is being delivered (it then
  // stays deliverable with lateDeliveryAllowed), and the delivery must still be recorded once.
  const record = async (delivery: DeliveryRecord) => wasMade(ctx, await ctx.state.recordDelivered(delivery));
  switch (outcome.kind) {
    case 'video':
      if (await record({ kind: 'video', deliveredAt: now, telegramFileId: outcome.fileId })) log.info({ state: 'delivered', late }, 'video delivered');
      return null;
    case 'link':
      if (await record({ kind: 'link', deliveredAt: now })) log.info({ state: 'delivered', late, asLink: true }, 'result delivered as a link');
      return null;
    case 'unreachable':
      await markUnreachable(env.prisma, job.userId);
      await record({ kind: 'not_sent', errorCode: 'user_unreachable', error: 'the user blocked the bot' });
      log.info({ state: 'delivered', sent: false }, 'user unreachable; result kept for /history');
      return null;
    case 'retry': {
      if (lease.lost) throw new LeaseLostError(lease.id);
      if (deliveryRetry(now, job.completedAt, env.deliveryGiveUpMs) === 'give_up') {
        await record({ kind: 'not_sent', errorCode: 'delivery_failed', error: outcome.error });
        log.warn({ state: 'delivered', sent: false }, 'gave up delivering; result kept for /history');
        return null;
      }
      log.warn({ error: outcome.error.slice(0, 200) }, 'delivery failed; retrying');
      return after(env, jitter(Math.min(env.maxBackoffMs, Math.max(env.pollIntervalMs, 1_000) * 2)));
    }
  }
}
