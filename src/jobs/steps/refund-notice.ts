/**
 * The refund notice: tells the user about a failure and its refund, and records that it was
 * told. A crash (or a failed send) between the refund and the notice leaves refundNoticeAt empty:
 * the job stays due and a later pass sends it, with backoff that grows with the time since the
 * refund (policy.ts). A user who cannot be reached, or an hour of failures, ends the attempts.
 */
import { noticeRetryAt } from '../policy.js';
import type { FailureReason } from '../ports.js';
import { tell, view, wasMade, type NextRun, type StepContext } from './context.js';

export async function noticeRefund(ctx: StepContext, reason: FailureReason, amount: number, refundedAt: Date): Promise<NextRun> {
  const { env, job, lease } = ctx;
  const sent = await tell(ctx, 'failed', () => env.messenger.failed(view(job), reason, amount, lease.signal));
  const retryAt = noticeRetryAt(env.now(), refundedAt, Math.max(env.pollIntervalMs, 1_000));
  const user = sent ? null : await env.prisma.user.findUnique({ where: { id: job.userId }, select: { unreachable: true } });
  if (sent || user?.unreachable || retryAt === null) {
    wasMade(ctx, await ctx.state.recordRefundNotice());
    return null;
  }
  return retryAt;
}

/** The reason the user is told for a refund that was made without a notice. */
export const noticeReason = (errorCode: string | null): FailureReason => (errorCode === 'timeout' ? 'timeout' : 'provider_error');

/** A refunded job whose notice is still due (a crash or a failed send came between): send it now. */
export function refundNoticeStep(ctx: StepContext): Promise<NextRun> {
  return noticeRefund(ctx, noticeReason(ctx.job.errorCode), ctx.job.price, ctx.job.refundedAt ?? ctx.env.now());
}
