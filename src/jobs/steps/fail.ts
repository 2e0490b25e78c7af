/**
 * Failing a job: `from` → failed → refunded with the ledger refund in one transaction (the state
 * owner), then the refund notice. Used by the submit and poll steps.
 */
import type { GenerationState } from '../../domain/generations.js';
import type { FailureReason } from '../ports.js';
import { wasMade, type NextRun, type StepContext } from './context.js';
import { noticeRefund } from './refund-notice.js';

/**
 * Fails the job from `from` (while this worker holds it), refunds it once, tells the user.
 * Returns when to look again: a notice that could not be sent is retried with backoff.
 * `late`: a timeout — the job keeps polling, so a late success is still delivered (free).
 */
export async function failAndNotify(
  ctx: StepContext,
  from: GenerationState | readonly GenerationState[],
  reason: FailureReason,
  errorCode: string,
  error: string,
  late = false,
): Promise<NextRun> {
  const result = await ctx.state.failAndRefund(from, { errorCode, error, lateDeliveryAllowed: late });
  if (result.status === 'refunded') {
    ctx.log.info({ state: 'refunded', errorCode, reason, refunded: result.amount, lateDelivery: late }, 'generation failed and refunded');
    return noticeRefund(ctx, reason, result.amount, ctx.env.now());
  }
  wasMade(ctx, result);
  ctx.log.info({ result: result.status }, 'generation already moved on; not failing it');
  return null;
}
