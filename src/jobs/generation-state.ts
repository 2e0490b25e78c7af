/**
 * The one owner of a generation's state: the only code that writes Generation.state, its result
 * fields (resultUrl, resultDurationSeconds, completedAt, providerTaskId, telegramFileId, …) and
 * its refund fields (refundedAt, refundNoticeAt, lateDeliveryAllowed). Rows are created in
 * `queued` by confirmGeneration (src/domain/generations.ts, with the charge); everything after
 * that goes through here.
 *
 *   queued → submitted → running → succeeded → delivered
 *   any of queued/submitted/running/succeeded → failed → refunded
 *   refunded → delivered        only with lateDeliveryAllowed (a success after the timeout refund)
 *
 * Every write is ONE conditional update on the expected from-state. The job worker's writes go
 * through `generationStateFor(lease)`, which adds the lease rule to each of them: the row must
 * still be leased to this worker and the lease unexpired (leaseOwner = me AND leaseUntil > now).
 * A refused write reports why — `lease_lost` (the step must stop, with no further side effects)
 * or `moved_on` (someone else, e.g. an admin refund, moved the job first).
 *
 * The admin /refund (`adminRefundGeneration`) is the one writer without a lease: it locks the row
 * FOR UPDATE and checks the state in the same transaction, so a worker's later write finds the
 * state changed and is refused. A refund and its state change happen in one transaction with the
 * ledger row `refund:<id>`, whose unique key makes a second refund impossible.
 *
 * The status message id is written here too (`recordStatusMessage`, under the lease: the step
 * records the message the messenger had to send), and the bot's reads of a generation outside the
 * worker (`generationOwnerOf`, for Confirm) come from here. Not owned here: the lease columns
 * (lease.ts) and nextRunAt (lease release and wakes).
 */
import type { PrismaClient } from '../db/client.js';
import { POLLED_STATES } from '../domain/generation-states.js';
import { chargeKey, refundKey, type Generation, type GenerationState } from '../domain/generations.js';
import { applyMove, inLedgerTransaction, type Tx } from '../domain/ledger.js';
import { type Prisma } from '../generated/prisma/client.js';

// ---------------------------------------------------------------------------------------------
// The state machine

const ALLOWED: Record<GenerationState, readonly GenerationState[]> = {
  queued: ['submitted', 'failed'],
  submitted: ['running', 'succeeded', 'failed'],
  running: ['succeeded', 'failed'],
  succeeded: ['delivered', 'failed'],
  failed: ['refunded'],
  refunded: ['delivered'],
  delivered: [],
};

export function canTransition(from: GenerationState, to: GenerationState): boolean {
  return ALLOWED[from].includes(to);
}

/** States from which a delivery is recorded (refunded only with lateDeliveryAllowed). */
const DELIVERABLE_STATES = ['succeeded', 'refunded'] as const satisfies readonly GenerationState[];

type Db = Pick<PrismaClient, 'generation'> | Tx;

/** A worker's lease as the state owner checks it: the row is leased to `owner` until after `now`. */
export interface LeaseGuard {
  owner: string;
  now: Date;
}

const leaseWhere = (lease: LeaseGuard | undefined): Prisma.GenerationWhereInput => (lease ? { leaseOwner: lease.owner, leaseUntil: { gt: lease.now } } : {});

/**
 * Moves `id` from one of `from` to `to` as ONE conditional update; true when this call made the
 * move, false when the row was not in an expected state (or, with `lease`, no longer leased to
 * that worker). refunded → delivered only matches rows with lateDeliveryAllowed.
 */
export async function transition(
  db: Db,
  id: string,
  from: GenerationState | readonly GenerationState[],
  to: GenerationState,
  data: Prisma.GenerationUpdateManyMutationInput = {},
  lease?: LeaseGuard,
): Promise<boolean> {
  const states = typeof from === 'string' ? [from] : [...from];
  for (const state of states) {
    if (!canTransition(state, to)) throw new Error(`illegal generation transition ${state} → ${to}`);
  }
  const where: Prisma.GenerationWhereInput = { id, state: { in: states }, ...leaseWhere(lease) };
  if (to === 'delivered' && states.includes('refunded')) {
    where.OR = [{ state: { not: 'refunded' } }, { lateDeliveryAllowed: true }];
  }
  const result = await db.generation.updateMany({ where, data: { ...data, state: to } });
  return result.count === 1;
}

// ---------------------------------------------------------------------------------------------
// Refunds

export type RefundResult =
  | { status: 'refunded'; amount: number; balance: number | null }
  | { status: 'already_refunded' }
  | { status: 'not_found' }
  | { status: 'not_refundable'; state: GenerationState }
  | { status: 'lease_lost' };

/** Writes `refund:<id>` for the amount actually charged, unless it exists. Inside the caller's transaction. */
async function writeRefund(
  tx: Tx,
  generation: Pick<Generation, 'id' | 'userId'>,
  reason: string,
  adminId?: bigint,
): Promise<{ amount: number; balance: number | null } | 'exists'> {
  const existing = await tx.ledgerEntry.findUnique({ where: { idempotencyKey: refundKey(generation.id) }, select: { id: true } });
  if (existing) return 'exists';
  const charge = await tx.ledgerEntry.findUnique({ where: { idempotencyKey: chargeKey(generation.id) }, select: { amount: true } });
  const amount = charge ? -charge.amount : 0;
  if (amount <= 0) return { amount: 0, balance: null };
  const balance = await applyMove(tx, {
    userId: generation.userId,
    kind: 'refund',
    amount,
    idempotencyKey: refundKey(generation.id),
    generationId: generation.id,
    reason: reason.slice(0, 500),
    ...(adminId !== undefined ? { adminId } : {}),
  });
  return { amount, balance };
}

/** Why a conditional write matched nothing: the lease is gone, or the row is not (or no longer) in the expected state. */
async function explainRefusal(db: Db, id: string, lease: LeaseGuard | undefined): Promise<Refused | { status: 'not_found' }> {
  const row = await db.generation.findUnique({ where: { id }, select: { state: true, leaseOwner: true, leaseUntil: true } });
  if (!row) return { status: 'not_found' };
  if (lease && (row.leaseOwner !== lease.owner || row.leaseUntil === null || row.leaseUntil.getTime() <= lease.now.getTime())) {
    return { status: 'lease_lost' };
  }
  return { status: 'moved_on', state: row.state };
}

async function explainNoRefund(db: Db, id: string, lease: LeaseGuard | undefined): Promise<RefundResult> {
  const why = await explainRefusal(db, id, lease);
  if (why.status !== 'moved_on') return why;
  if (why.state === 'refunded') return { status: 'already_refunded' };
  return { status: 'not_refundable', state: why.state };
}

async function runRefund(prisma: PrismaClient, work: (tx: Tx) => Promise<RefundResult>): Promise<RefundResult> {
  const outcome = await inLedgerTransaction(prisma, work);
  if (outcome.ok) return outcome.value;
  // The refund key was written concurrently (the pre-check and the insert raced): already done.
  if (outcome.result.status === 'duplicate') return { status: 'already_refunded' };
  throw new Error(`refund rejected by the ledger: ${outcome.result.status}`);
}

/** failed → refunded and the ledger refund, in one transaction; exactly once per generation. */
export async function refundGeneration(prisma: PrismaClient, id: string, reason: string, now: Date = new Date(), lease?: LeaseGuard): Promise<RefundResult> {
  return runRefund(prisma, async (tx) => {
    const moved = await transition(tx, id, 'failed', 'refunded', { refundedAt: now }, lease);
    if (!moved) return explainNoRefund(tx, id, lease);
    const generation = await tx.generation.findUniqueOrThrow({ where: { id }, select: { id: true, userId: true } });
    const written = await writeRefund(tx, generation, reason);
    return written === 'exists' ? { status: 'already_refunded' } : { status: 'refunded', ...written };
  });
}

export interface FailDetails {
  errorCode: string;
  /** For logs and admins; never a URL with a token. */
  error: string;
  now: Date;
  /** The timeout case: keep polling so a late success is still delivered (not charged again). */
  lateDeliveryAllowed?: boolean;
  /** The job worker's lease: fail only while this worker still holds the job. */
  lease?: LeaseGuard;
}

/**
 * Non-terminal `from` → failed → refunded with the ledger refund, all in one transaction.
 * Returns `not_refundable` (and changes nothing) when the job was no longer in `from`, and
 * `lease_lost` when the given lease no longer holds the job.
 */
export async function failAndRefund(
  prisma: PrismaClient,
  id: string,
  from: GenerationState | readonly GenerationState[],
  details: FailDetails,
): Promise<RefundResult> {
  return runRefund(prisma, async (tx) => {
    const failed = await transition(
      tx,
      id,
      from,
      'failed',
      {
        errorCode: details.errorCode.slice(0, 100),
        error: details.error.slice(0, 1000),
        completedAt: details.now,
        lateDeliveryAllowed: details.lateDeliveryAllowed ?? false,
      },
      details.lease,
    );
    if (!failed) return explainNoRefund(tx, id, details.lease);
    await transition(tx, id, 'failed', 'refunded', { refundedAt: details.now });
    const generation = await tx.generation.findUniqueOrThrow({ where: { id }, select: { id: true, userId: true } });
    const written = await writeRefund(tx, generation, `${details.errorCode}: ${details.error}`);
    return written === 'exists' ? { status: 'already_refunded' } : { status: 'refunded', ...written };
  });
}

export type AdminRefundResult =
  | { status: 'refunded'; amount: number; balance: number | null; previousState: GenerationState }
  | { status: 'already_refunded' }
  | { status: 'not_found' }
  | { status: 'not_refundable'; state: GenerationState };

/** The admin audit row of a /refund, inside the refund's transaction (both happen or neither). */
async function auditRefund(
  tx: Tx,
  adminId: bigint,
  id: string,
  written: { amount: number; balance: number | null },
  previousState: GenerationState,
): Promise<void> {
  await tx.adminAuditLog.create({
    data: { adminId, action: 'generation_refund', target: id, details: { amount: written.amount, balance: written.balance, previousState } },
  });
}

/**
 * `/refund GENERATION_ID`. Refunds the charge once (ledger key `refund:<id>`, with adminId):
 *  - failed → refunded;
 *  - still in flight (queued/submitted/running/succeeded) → refunded, and when the provider task
 *    exists (or the result is ready) lateDeliveryAllowed stays on, so the user still gets the
 *    video if it finishes — without a charge;
 *  - delivered → stays delivered (the user has the video) but the credits go back (goodwill, e.g.
 *    a bad result); refundedAt is set;
 *  - refunded, or delivered and already refunded → already_refunded.
 * The admin audit row (`generation_refund`) is written in the refund's own transaction. No lease:
 * the row lock serialises it with the worker, whose next conditional write then finds the new state.
 */
export async function adminRefundGeneration(prisma: PrismaClient, id: string, adminId: bigint, now: Date = new Date()): Promise<AdminRefundResult> {
  const outcome = await inLedgerTransaction(prisma, async (tx): Promise<AdminRefundResult> => {
    const rows = await tx.$queryRaw<{ state: GenerationState; userId: bigint; providerTaskId: string | null; resultUrl: string | null }[]>`
      SELECT "state"::text AS "state", "userId", "providerTaskId", "resultUrl" FROM "Generation" WHERE "id" = ${id} FOR UPDATE`;
    const row = rows[0];
    if (!row) return { status: 'not_found' };
    const previousState = row.state;
    if (previousState === 'refunded') return { status: 'already_refunded' };
    const reason = `admin refund by ${adminId}`;
    if (previousState === 'delivered') {
      const written = await writeRefund(tx, { id, userId: BigInt(row.userId) }, reason, adminId);
      if (written === 'exists') return { status: 'already_refunded' };
      await tx.generation.updateMany({ where: { id, state: 'delivered' }, data: { refundedAt: now, refundNoticeAt: now } });
      await auditRefund(tx, adminId, id, written, previousState);
      return { status: 'refunded', ...written, previousState };
    }
    if (previousState !== 'failed') {
      const late = row.providerTaskId !== null || row.resultUrl !== null;
      await transition(tx, id, previousState, 'failed', {
        errorCode: 'admin_refund',
        error: reason,
        completedAt: now,
        lateDeliveryAllowed: late,
        nextRunAt: now,
      });
    }
    // The admin command tells the people involved; the worker sends no failure notice.
    await transition(tx, id, 'failed', 'refunded', { refundedAt: now, refundNoticeAt: now });
    const written = await writeRefund(tx, { id, userId: BigInt(row.userId) }, reason, adminId);
    if (written === 'exists') return { status: 'already_refunded' };
    await auditRefund(tx, adminId, id, written, previousState);
    return { status: 'refunded', ...written, previousState };
  });
  if (outcome.ok) return outcome.value;
  if (outcome.result.status === 'duplicate') return { status: 'already_refunded' };
  throw new Error(`admin refund rejected by the ledger: ${outcome.result.status}`);
}

// ---------------------------------------------------------------------------------------------
// The worker's leased writes

export type Refused = { status: 'lease_lost' } | { status: 'moved_on'; state: GenerationState };
export type Moved = { status: 'moved' } | Refused;

/** A provider's result, as the success write stores it; a new result column joins here and passes through. */
export interface SuccessResult {
  resultUrl: string;
  resultDurationSeconds: number | null;
  completedAt: Date;
  /** The provider's id of the video (Kling `videos[0].id`: Extend and Make it talk use it). */
  providerVideoId?: string | null;
}

/** How a result reached the user (or why it did not; the result stays in /history). */
export type DeliveryRecord =
  | { kind: 'video'; deliveredAt: Date; telegramFileId: string }
  | { kind: 'link'; deliveredAt: Date }
  | { kind: 'not_sent'; errorCode: 'user_unreachable' | 'delivery_failed'; error: string };

function resultData(result: SuccessResult): Prisma.GenerationUpdateManyMutationInput {
  return {
    resultUrl: result.resultUrl,
    resultDurationSeconds: result.resultDurationSeconds,
    completedAt: result.completedAt,
    ...(result.providerVideoId !== undefined ? { providerVideoId: result.providerVideoId } : {}),
  };
}

function deliveryData(delivery: DeliveryRecord): Prisma.GenerationUpdateManyMutationInput {
  switch (delivery.kind) {
    case 'video':
      return { deliveredAt: delivery.deliveredAt, telegramFileId: delivery.telegramFileId, deliveredAsLink: false };
    case 'link':
      return { deliveredAt: delivery.deliveredAt, deliveredAsLink: true };
    case 'not_sent':
      return { errorCode: delivery.errorCode, error: delivery.error.slice(0, 1000) };
  }
}

/** The generation state writes of one leased job; each checks the lease and the expected state. */
export interface LeasedGenerationState {
  /** queued with `attempts` uncertain submits → attempts + 1: "a create request may be in flight", written before it is sent. */
  markSubmitInFlight(attempts: number): Promise<Moved>;
  /** Undoes the mark after a failure that cannot have made a task, and records the error. */
  clearSubmitInFlight(attempts: number, error: { code: string; message: string }): Promise<Moved>;
  /** queued → submitted with the provider task; when an admin refunded the job meanwhile, the task is kept for a late delivery. */
  recordSubmitted(taskId: string, deadlineAt: Date): Promise<Moved | { status: 'kept_after_refund' }>;
  /** submitted → running. */
  markRunning(): Promise<Moved>;
  /** submitted/running → succeeded with the result. */
  recordSuccess(result: SuccessResult): Promise<Moved>;
  /** A success after the timeout refund: stored on the refunded job (lateDeliveryAllowed), delivered without a charge. */
  recordLateResult(result: SuccessResult): Promise<Moved>;
  /** succeeded (or refunded with lateDeliveryAllowed) → delivered; lateDeliveryAllowed off. */
  recordDelivered(delivery: DeliveryRecord): Promise<Moved>;
  /** A refunded job stops waiting for a late result. */
  stopLateDelivery(): Promise<Moved>;
  /** `from` → failed → refunded with the ledger refund, in one transaction. */
  failAndRefund(from: GenerationState | readonly GenerationState[], details: Omit<FailDetails, 'now' | 'lease'>): Promise<RefundResult>;
  /** failed → refunded (a failure whose refund did not happen). */
  refundFailed(reason: string): Promise<RefundResult>;
  /** The user was told about the refund (or cannot be): refundNoticeAt is set once. */
  recordRefundNotice(): Promise<Moved>;
  /** The status message the messenger sent for this job (any live state; later edits go to it). */
  recordStatusMessage(messageId: number): Promise<Moved>;
  /**
   * queued, never moved, with `submitAttempts` uncertain creates → runs on `provider` from now on
   * (one model, two providers): its create tries start again at 0 on the new provider.
   */
  moveToProvider(provider: string, submitAttempts: number, error: { code: string; message: string }): Promise<Moved>;
}

/** The leased writes for `lease.id`, checked against `lease.owner` and `now()` at each write. */
export function generationStateFor(prisma: PrismaClient, lease: { id: string; owner: string }, now: () => Date): LeasedGenerationState {
  const id = lease.id;
  const guard = (): LeaseGuard => ({ owner: lease.owner, now: now() });

  async function update(where: Prisma.GenerationWhereInput, data: Prisma.GenerationUpdateManyMutationInput): Promise<Moved> {
    const held = guard();
    const result = await prisma.generation.updateMany({ where: { ...where, id, ...leaseWhere(held) }, data });
    return result.count === 1 ? { status: 'moved' } : refusal(held);
  }

  async function move(from: GenerationState | readonly GenerationState[], to: GenerationState, data: Prisma.GenerationUpdateManyMutationInput): Promise<Moved> {
    const held = guard();
    return (await transition(prisma, id, from, to, data, held)) ? { status: 'moved' } : refusal(held);
  }

  async function refusal(held: LeaseGuard): Promise<Refused> {
    const why = await explainRefusal(prisma, id, held);
    // A row that vanished is not ours any more either.
    return why.status === 'not_found' ? { status: 'lease_lost' } : why;
  }

  return {
    markSubmitInFlight: (attempts) => update({ state: 'queued', submitAttempts: attempts }, { submitAttempts: attempts + 1 }),
    clearSubmitInFlight: (attempts, error) =>
      update(
        { state: 'queued', submitAttempts: attempts + 1 },
        { submitAttempts: attempts, errorCode: error.code.slice(0, 100), error: error.message.slice(0, 1000) },
      ),
    async recordSubmitted(taskId, deadlineAt) {
      const submittedAt = now();
      const moved = await move('queued', 'submitted', { providerTaskId: taskId, submittedAt, deadlineAt, error: null, errorCode: null });
      if (moved.status !== 'moved_on' || moved.state !== 'refunded') return moved;
      const kept = await update({ state: 'refunded', providerTaskId: null }, { providerTaskId: taskId, submittedAt, lateDeliveryAllowed: true });
      return kept.status === 'moved' ? { status: 'kept_after_refund' } : kept;
    },
    markRunning: () => move('submitted', 'running', {}),
    recordSuccess: (result) => move(POLLED_STATES, 'succeeded', { ...resultData(result), error: null, errorCode: null }),
    recordLateResult: (result) => update({ state: 'refunded', lateDeliveryAllowed: true }, resultData(result)),
    recordDelivered: (delivery) => move(DELIVERABLE_STATES, 'delivered', { lateDeliveryAllowed: false, ...deliveryData(delivery) }),
    stopLateDelivery: () => update({ state: 'refunded' }, { lateDeliveryAllowed: false }),
    failAndRefund: (from, details) => {
      const held = guard();
      return failAndRefund(prisma, id, from, { ...details, now: held.now, lease: held });
    },
    refundFailed: (reason) => {
      const held = guard();
      return refundGeneration(prisma, id, reason, held.now, held);
    },
    recordRefundNotice: () => update({ refundedAt: { not: null }, refundNoticeAt: null }, { refundNoticeAt: now() }),
    recordStatusMessage: (messageId) => update({}, { statusMessageId: messageId }),
    moveToProvider: (provider, submitAttempts, error) =>
      update(
        { state: 'queued', provider: null, submitAttempts },
        { provider, submitAttempts: 0, errorCode: error.code.slice(0, 100), error: error.message.slice(0, 1000) },
      ),
  };
}

/** Who a generation belongs to (null: no such generation). Confirm tells a repeated tap of the user's own quote from an expired one. */
export async function generationOwnerOf(prisma: Pick<PrismaClient, 'generation'>, id: string): Promise<bigint | null> {
  const row = await prisma.generation.findUnique({ where: { id }, select: { userId: true } });
  return row?.userId ?? null;
}
