/**
 * Generations: confirming (charge + job in one transaction), the state machine's conditional
 * transitions, refunds and history. No Telegram here.
 *
 *   queued → submitted → running → succeeded → delivered
 *   any of queued/submitted/running/succeeded → failed → refunded
 *   refunded → delivered        only with lateDeliveryAllowed (a success after the timeout refund)
 *
 * Money: the charge is the ledger row `charge:<generationId>`, the refund `refund:<generationId>`;
 * the ledger's unique keys make each happen at most once, whatever retries or instances do.
 */
import type { PrismaClient } from '../db/client.js';
import type { Generation, GenerationState, Prisma } from '../generated/prisma/client.js';
import type { ProviderId } from '../providers/types.js';
import { checkFit, isAvailable, quote, requoteInputs, toCatalogEntry } from './catalog.js';
import { UserError } from './errors.js';
import { generationInputsSchema, type GenerationInputs } from './generation-inputs.js';
import { applyMove, inLedgerTransaction, isUniqueViolation, type Tx } from './ledger.js';

export type { Generation, GenerationState } from '../generated/prisma/client.js';

/** The live states: a generation in one of these is in flight (counts against the user's limit). */
export const IN_FLIGHT_STATES = ['queued', 'submitted', 'running', 'succeeded'] as const satisfies readonly GenerationState[];

export const chargeKey = (generationId: string) => `charge:${generationId}`;
export const refundKey = (generationId: string) => `refund:${generationId}`;
/** Sent to providers that take an idempotency key (Kling external_task_id). */
export const externalTaskIdFor = (generationId: string) => `gen-${generationId}`;

// ---------------------------------------------------------------------------------------------
// Confirm

export interface ConfirmRequest {
  /** Minted by the conversation (uuid), stable across replays: the idempotency key. */
  generationId: string;
  userId: bigint;
  chatId: bigint;
  modelSlug: string;
  inputs: GenerationInputs;
  /** The price the user saw; a different current price charges nothing. */
  quotedPrice: number;
  language: string;
  maxInFlight: number;
  /** Give-up time; the job's first deadline is now + this (reset when submitted). */
  pollTimeoutMs: number;
  now: Date;
  configuredProviders: ReadonlySet<ProviderId>;
}

export type ConfirmResult =
  | { status: 'created'; generation: Generation; balance: number }
  | { status: 'duplicate'; generation: Generation }
  | { status: 'price_changed'; price: number }
  | { status: 'model_unavailable' }
  | { status: 'insufficient'; balance: number; price: number }
  | { status: 'busy'; inFlight: number; max: number }
  | { status: 'banned' };

async function findOwn(db: Pick<PrismaClient, 'generation'> | Tx, generationId: string, userId: bigint): Promise<Generation | null> {
  const generation = await db.generation.findUnique({ where: { id: generationId } });
  if (generation && generation.userId !== userId) throw new Error('generation id already belongs to another user');
  return generation;
}

/**
 * Charges and queues a generation in ONE transaction (user row locked FOR UPDATE):
 * duplicate id → banned → model available → inputs fit (else throws UserError `issue-<code>`, keys in locales/<lang>/generate.ftl)
 * → price equals the quote → in-flight limit → balance → insert the job + ledger charge.
 * A double tap, a redelivered update or a second instance never charges twice: the same
 * generationId returns `duplicate` (the user lock serialises same-user confirms; the primary key
 * and the ledger key catch anything else).
 */
export async function confirmGeneration(prisma: PrismaClient, request: ConfirmRequest): Promise<ConfirmResult> {
  const { generationId, userId } = request;
  const known = await findOwn(prisma, generationId, userId);
  if (known) return { status: 'duplicate', generation: known };
  const inputs = generationInputsSchema.parse(request.inputs);
  let price = 0;
  try {
    const outcome = await inLedgerTransaction(prisma, async (tx): Promise<ConfirmResult> => {
      const users = await tx.$queryRaw<{ balance: number; banned: boolean }[]>`
        SELECT "balance", "banned" FROM "User" WHERE "id" = ${userId} FOR UPDATE`;
      const user = users[0];
      if (!user) throw new Error(`confirmGeneration: unknown user ${userId}`);
      const again = await findOwn(tx, generationId, userId);
      if (again) return { status: 'duplicate', generation: again };
      if (user.banned) return { status: 'banned' };

      const row = await tx.catalogModel.findUnique({ where: { slug: request.modelSlug } });
      const model = row ? toCatalogEntry(row, request.configuredProviders) : null;
      if (!model || !isAvailable(model)) return { status: 'model_unavailable' };
      // A choice the operator stopped offering after the quote: re-quoted (confirm.ts), nothing charged.
      const requoted = requoteInputs(model, inputs);
      if (requoted.stale.length > 0) return { status: 'price_changed', price: quote(model, requoted.inputs) };
      const issue = checkFit(model, inputs)[0];
      if (issue) throw new UserError(`issue-${issue.code}`, issue.vars ?? {});

      price = quote(model, inputs);
      if (price !== request.quotedPrice) return { status: 'price_changed', price };

      const inFlight = await tx.generation.count({ where: { userId, state: { in: [...IN_FLIGHT_STATES] } } });
      if (inFlight >= request.maxInFlight) return { status: 'busy', inFlight, max: request.maxInFlight };
      const balanceBefore = Number(user.balance);
      if (balanceBefore < price) return { status: 'insufficient', balance: balanceBefore, price };

      const generation = await tx.generation.create({
        data: {
          id: generationId,
          userId,
          chatId: request.chatId,
          modelSlug: model.slug,
          kind: model.kind,
          state: 'queued',
          price,
          inputs: inputs as unknown as Prisma.InputJsonValue,
          language: request.language,
          externalTaskId: externalTaskIdFor(generationId),
          nextRunAt: request.now,
          deadlineAt: new Date(request.now.getTime() + request.pollTimeoutMs),
          createdAt: request.now,
        },
      });
      const balance =
        price > 0 ? await applyMove(tx, { userId, kind: 'charge', amount: -price, idempotencyKey: chargeKey(generationId), generationId }) : balanceBefore;
      return { status: 'created', generation, balance };
    });
    if (outcome.ok) return outcome.value;
    const rejection = outcome.result;
    if (rejection.status === 'insufficient') return { status: 'insufficient', balance: rejection.balance, price };
    if (rejection.status === 'duplicate') {
      const generation = await findOwn(prisma, generationId, userId);
      if (generation) return { status: 'duplicate', generation };
    }
    throw new Error(`confirmGeneration: ledger rejected the charge (${rejection.status})`);
  } catch (error) {
    if (isUniqueViolation(error)) {
      const generation = await findOwn(prisma, generationId, userId);
      if (generation) return { status: 'duplicate', generation };
    }
    throw error;
  }
}

/** How many generations the user has in flight (for a flow's early "please wait"). */
export async function countInFlight(prisma: Pick<PrismaClient, 'generation'>, userId: bigint): Promise<number> {
  return prisma.generation.count({ where: { userId, state: { in: [...IN_FLIGHT_STATES] } } });
}

// ---------------------------------------------------------------------------------------------
// State machine

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

type Db = Pick<PrismaClient, 'generation'> | Tx;

/**
 * Moves `id` from one of `from` to `to` as ONE conditional update; true when this call made the
 * move, false when the row was not in an expected state (someone else moved it first).
 * refunded → delivered only matches rows with lateDeliveryAllowed.
 */
export async function transition(
  db: Db,
  id: string,
  from: GenerationState | readonly GenerationState[],
  to: GenerationState,
  data: Prisma.GenerationUpdateManyMutationInput = {},
  /** The job worker's lease: the move only happens while this worker still owns the job. */
  leaseOwner?: string,
): Promise<boolean> {
  const states = typeof from === 'string' ? [from] : [...from];
  for (const state of states) {
    if (!canTransition(state, to)) throw new Error(`illegal generation transition ${state} → ${to}`);
  }
  const where: Prisma.GenerationWhereInput = { id, state: { in: states }, ...(leaseOwner !== undefined ? { leaseOwner } : {}) };
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
  | { status: 'not_refundable'; state: GenerationState };

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

async function explainNoRefund(db: Db, id: string): Promise<RefundResult> {
  const row = await db.generation.findUnique({ where: { id }, select: { state: true } });
  if (!row) return { status: 'not_found' };
  if (row.state === 'refunded') return { status: 'already_refunded' };
  return { status: 'not_refundable', state: row.state };
}

async function runRefund(prisma: PrismaClient, work: (tx: Tx) => Promise<RefundResult>): Promise<RefundResult> {
  const outcome = await inLedgerTransaction(prisma, work);
  if (outcome.ok) return outcome.value;
  // The refund key was written concurrently (the pre-check and the insert raced): already done.
  if (outcome.result.status === 'duplicate') return { status: 'already_refunded' };
  throw new Error(`refund rejected by the ledger: ${outcome.result.status}`);
}

/** failed → refunded and the ledger refund, in one transaction; exactly once per generation. */
export async function refundGeneration(prisma: PrismaClient, id: string, reason: string, now: Date = new Date(), leaseOwner?: string): Promise<RefundResult> {
  return runRefund(prisma, async (tx) => {
    const moved = await transition(tx, id, 'failed', 'refunded', { refundedAt: now }, leaseOwner);
    if (!moved) return explainNoRefund(tx, id);
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
  /** When the worker should look again (late-delivery polling). */
  nextRunAt?: Date;
  /** The job worker's lease: fail only while this worker still owns the job. */
  leaseOwner?: string;
}

/**
 * Non-terminal `from` → failed → refunded with the ledger refund, all in one transaction.
 * Returns `not_refundable` (and changes nothing) when the job was no longer in `from`.
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
        ...(details.nextRunAt ? { nextRunAt: details.nextRunAt } : {}),
      },
      details.leaseOwner,
    );
    if (!failed) return explainNoRefund(tx, id);
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

/**
 * `/refund GENERATION_ID`. Refunds the charge once (ledger key `refund:<id>`, with adminId):
 *  - failed → refunded;
 *  - still in flight (queued/submitted/running/succeeded) → refunded, and when the provider task
 *    exists (or the result is ready) lateDeliveryAllowed stays on, so the user still gets the
 *    video if it finishes — without a charge;
 *  - delivered → stays delivered (the user has the video) but the credits go back (goodwill, e.g.
 *    a bad result); refundedAt is set;
 *  - refunded, or delivered and already refunded → already_refunded.
 * The admin audit row (`generation_refund`) is written in the refund's own transaction.
 */
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
      await tx.generation.update({ where: { id }, data: { refundedAt: now, refundNoticeAt: now } });
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
// History

export interface HistoryItem {
  id: string;
  modelSlug: string;
  displayName: string;
  kind: Generation['kind'];
  state: GenerationState;
  price: number;
  createdAt: Date;
  deliveredAt: Date | null;
  /** Resend with sendVideo(chatId, telegramFileId). */
  telegramFileId: string | null;
  /** Provider's result link (may expire: KIE ~14 days, Kling 30 days). */
  resultUrl: string | null;
  deliveredAsLink: boolean;
  refunded: boolean;
  /** e.g. user_unreachable / delivery_failed (result kept, not sent), timeout, content_rejected. */
  errorCode: string | null;
}

/** The user's most recent generations, newest first. */
export async function listHistory(prisma: PrismaClient, userId: bigint, limit = 10): Promise<HistoryItem[]> {
  const rows = await prisma.generation.findMany({
    where: { userId },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: Math.max(1, Math.min(limit, 100)),
    include: { model: { select: { displayName: true } } },
  });
  return rows.map((g) => ({
    id: g.id,
    modelSlug: g.modelSlug,
    displayName: g.model.displayName,
    kind: g.kind,
    state: g.state,
    price: g.price,
    createdAt: g.createdAt,
    deliveredAt: g.deliveredAt,
    telegramFileId: g.telegramFileId,
    resultUrl: g.resultUrl,
    deliveredAsLink: g.deliveredAsLink,
    refunded: g.refundedAt !== null,
    errorCode: g.errorCode,
  }));
}

/** One generation of this user (for /history "send again"), or null. */
export async function getUserGeneration(prisma: PrismaClient, userId: bigint, id: string): Promise<Generation | null> {
  return prisma.generation.findFirst({ where: { id, userId } });
}
