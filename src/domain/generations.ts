/**
 * Generations: confirming (charge + a `queued` job in one transaction) and history. No Telegram
 * here. Every change after the insert — the state machine's conditional transitions, results and
 * refunds — belongs to the one state owner, src/jobs/generation-state.ts.
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
import { IN_FLIGHT_STATES } from './generation-states.js';
import { applyMove, inLedgerTransaction, isUniqueViolation, type Tx } from './ledger.js';

export type { Generation, GenerationState } from '../generated/prisma/client.js';

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
