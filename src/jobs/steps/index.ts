/**
 * One step of a job, chosen by its state:
 *  queued            → submit.ts
 *  submitted/running → poll.ts (a success is delivered in the same pass, deliver.ts)
 *  succeeded         → deliver.ts
 *  failed            → sweep.ts (a failure whose refund did not happen)
 *  refunded          → refund-notice.ts while the notice is due; then, with lateDeliveryAllowed,
 *                      poll.ts / deliver.ts for a late result (delivered without a charge)
 */
import type { NextRun, StepContext } from './context.js';
import { deliverStep } from './deliver.js';
import { pollStep } from './poll.js';
import { refundNoticeStep } from './refund-notice.js';
import { submitStep } from './submit.js';
import { sweepFailedStep } from './sweep.js';

export type { Job, NextRun, StepContext, StepEnv } from './context.js';

export async function runJobStep(ctx: StepContext): Promise<NextRun> {
  const { job } = ctx;
  switch (job.state) {
    case 'queued':
      return submitStep(ctx);
    case 'submitted':
    case 'running':
      return pollStep(ctx, false);
    case 'succeeded':
      return deliverStep(ctx, false);
    case 'failed':
      return sweepFailedStep(ctx);
    case 'refunded': {
      if (!job.refundNoticeAt) {
        const retry = await refundNoticeStep(ctx);
        if (retry) return retry;
      }
      if (!job.lateDeliveryAllowed) return null;
      return job.resultUrl ? deliverStep(ctx, true) : pollStep(ctx, true);
    }
    default:
      return null;
  }
}
