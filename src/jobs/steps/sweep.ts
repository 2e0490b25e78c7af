/**
 * The sweep of a `failed` job: a failure whose refund did not happen (e.g. written by another
 * tool) is refunded once, and the user told.
 */
import { type NextRun, type StepContext, wasMade } from './context.js';
import { noticeReason, noticeRefund } from './refund-notice.js';

export async function sweepFailedStep(ctx: StepContext): Promise<NextRun> {
  const result = await ctx.state.refundFailed(ctx.job.errorCode ?? 'failed');
  if (result.status === 'refunded') {
    ctx.log.info({ state: 'refunded', refunded: result.amount }, 'refunded a failed generation');
    return noticeRefund(ctx, noticeReason(ctx.job.errorCode), result.amount, ctx.env.now());
  }
  wasMade(ctx, result);
  return null;
}
