/**
 * What a step works with: the worker's settings and ports (`StepEnv`, built once per worker) and
 * the one job it holds (`StepContext`: the row, its lease, its state owner, its logger), plus the
 * small helpers all steps share: run times, the job's view for the messenger, messages to the
 * user that check the lease first, and the rule for a refused state write.
 */
import type { Logger } from 'pino';
import type { PrismaClient } from '../../db/client.js';
import type { CatalogModel, Generation } from '../../generated/prisma/client.js';
import type { CatalogEntry } from '../../domain/catalog.js';
import type { VideoProvider } from '../../providers/types.js';
import type { LeasedGenerationState, Moved } from '../generation-state.js';
import { LeaseLostError, type Lease } from '../lease.js';
import type { JobMessenger, JobView, MediaSource, ProgressStage } from '../ports.js';
import type { RateLimiter } from '../rate-limit.js';

export type Job = Generation & { model: CatalogModel };

/** When to look at the job again (null: nothing left to do). */
export type NextRun = Date | null;

export interface StepEnv {
  prisma: PrismaClient;
  providers: { get(id: string): VideoProvider | undefined; readonly configured?: ReadonlySet<string> };
  messenger: JobMessenger;
  media: MediaSource;
  now: () => Date;
  /** PUBLIC_URL and CALLBACK_SECRET for the providers' callback URLs. */
  callbacks: { publicUrl: string; secret: string } | undefined;
  pollIntervalMs: number;
  pollTimeoutMs: number;
  /** Poll interval after a timeout refund (a late result is still delivered). */
  latePollMs: number;
  /** How long after submit a late result is still delivered. */
  lateHorizonMs: number;
  /** How long a just-created task may be "not found". */
  notFoundGraceMs: number;
  deliveryGiveUpMs: number;
  maxBackoffMs: number;
  /** The worker's tick: a write that lost a race looks again this soon. */
  tickMs: number;
  /** One step's deadline (its lease signal aborts then). */
  deadlineMs: number;
  pollLimiter(provider: string): RateLimiter;
  submitLimiter(provider: string): RateLimiter;
}

export interface StepContext {
  env: StepEnv;
  job: Job;
  /** The catalog row the job runs on: its own, or the family row of the provider it moved to (provider-failover.ts). */
  model: CatalogEntry;
  lease: Lease;
  /** The only way a step changes the generation: each write checks this lease and the expected state. */
  state: LeasedGenerationState;
  log: Logger;
}

/** `ms` from now. */
export const after = (env: StepEnv, ms: number): Date => new Date(env.now().getTime() + ms);

/** ±20 %, so retries of many jobs do not line up. */
export const jitter = (ms: number): number => Math.round(ms * (0.8 + Math.random() * 0.4));

/**
 * A state write the owner refused because the lease is gone stops the step: thrown, so nothing
 * else happens. Otherwise true when the write was made, false when the job had moved on.
 */
export function wasMade(ctx: StepContext, result: Moved | { status: string }): boolean {
  if (result.status === 'lease_lost') throw new LeaseLostError(ctx.lease.id);
  return result.status === 'moved';
}

export function view(job: Job): JobView {
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
export async function tell(ctx: StepContext, what: string, send: () => Promise<void>): Promise<boolean> {
  await ctx.lease.check();
  try {
    await send();
    return true;
  } catch (err) {
    if (err instanceof LeaseLostError) throw err;
    if (ctx.lease.lost) throw new LeaseLostError(ctx.lease.id);
    ctx.log.warn({ err, what }, 'could not message the user');
    return false;
  }
}

/** Shows the stage; a status message the messenger had to send is recorded under the lease. */
export const progress = (ctx: StepContext, jobView: JobView, stage: ProgressStage): Promise<boolean> =>
  tell(ctx, `progress:${stage}`, async () => {
    const sent = await ctx.env.messenger.progress(jobView, stage, ctx.lease.signal);
    if (sent !== null) wasMade(ctx, await ctx.state.recordStatusMessage(sent));
  });

/** A refunded job stops waiting for a late result. */
export async function stopLateDelivery(ctx: StepContext, why: string): Promise<null> {
  wasMade(ctx, await ctx.state.stopLateDelivery());
  ctx.log.info({ why }, 'stopped waiting for a late result');
  return null;
}
