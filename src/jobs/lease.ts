/**
 * The lease rule, in one place. A worker claims due generations with a lease (owner + until),
 * renews it while a step runs, and releases it with the next run time. A lease is held while the
 * row says leaseOwner = me AND leaseUntil > now. Every state change of a step goes through the
 * state owner (generation-state.ts), which puts that condition into each write; side effects call
 * `check()` first; and a lease found lost by the heartbeat aborts the step's signal — so a step
 * that outlives its lease acts no more.
 */
import type { PrismaClient } from '../db/client.js';
import type { GenerationState } from '../domain/generations.js';
import { PROVIDER_STATES, WORKED_STATES } from '../domain/generation-states.js';

const list = (states: readonly string[]) => states.map((s) => `'${s}'`).join(', ');

/** SQL: a row the worker has work for (refunded rows while a late result or the notice is due). */
export const DUE_STATE_SQL = `("state" IN (${list(WORKED_STATES)}) OR ("state" = 'refunded' AND ("lateDeliveryAllowed" OR "refundNoticeAt" IS NULL)))`;

export type Claimed = { id: string; nextRunAt: Date; state: GenerationState };

export class LeaseLostError extends Error {
  override name = 'LeaseLostError';
  constructor(readonly generationId: string) {
    super(`lease on ${generationId} lost`);
  }
}

export interface Lease {
  readonly id: string;
  readonly owner: string;
  /** Aborts when the step's deadline passes or the lease is found lost. */
  readonly signal: AbortSignal;
  /** True once the heartbeat or a check found that another worker holds the job. */
  readonly lost: boolean;
  /** Throws LeaseLostError unless this worker still holds the lease (owner and unexpired; one SELECT). */
  check(): Promise<void>;
  /** Aborts the step (shutdown): its signal fires, writes still check the owner. */
  abort(reason: string): void;
  /** Stops the heartbeat and the deadline timer. */
  end(): void;
}

export interface LeaseStore {
  /** Claims up to `limit` due jobs: `work` = past submit, `submit` = queued. */
  claim(kind: 'work' | 'submit', limit: number): Promise<Claimed[]>;
  /** Starts holding a claimed job: heartbeat every leaseMs/3, deadline after `deadlineMs`. */
  hold(claimed: Claimed, deadlineMs: number, onWarn: (err: unknown) => void): Lease;
  /** Clears our lease and sets the next run (a wake during the step wins, see below). */
  release(claimed: Claimed, next: Date): Promise<void>;
}

export interface LeaseStoreOptions {
  prisma: PrismaClient;
  owner: string;
  leaseMs: number;
  now: () => Date;
  /** Providers whose keys this worker has; jobs needing another provider are never claimed. */
  providers?: readonly string[];
}

export function createLeaseStore(options: LeaseStoreOptions): LeaseStore {
  const { prisma, owner, leaseMs, now } = options;
  const at = (ms: number) => new Date(now().getTime() + ms);

  async function claim(kind: 'work' | 'submit', limit: number): Promise<Claimed[]> {
    if (limit <= 0) return [];
    const time = now();
    const stateFilter = kind === 'submit' ? `"state" = 'queued'` : `"state" <> 'queued'`;
    const params: unknown[] = [owner, new Date(time.getTime() + leaseMs), time, limit];
    let providerFilter = '';
    if (options.providers) {
      params.push(options.providers);
      // A job moved to the other provider of its model family ("provider" set) runs on that one.
      providerFilter = `AND ("state" NOT IN (${list(PROVIDER_STATES)}) OR "provider" = ANY($5::text[]) OR ("provider" IS NULL AND "modelSlug" IN (SELECT "slug" FROM "CatalogModel" WHERE "provider"::text = ANY($5::text[]))))`;
    }
    return prisma.$queryRawUnsafe<Claimed[]>(
      `UPDATE "Generation" SET "leaseOwner" = $1, "leaseUntil" = $2, "attempts" = "attempts" + 1
       WHERE "id" IN (
         SELECT "id" FROM "Generation"
         WHERE ${DUE_STATE_SQL} AND ${stateFilter} AND "nextRunAt" <= $3 AND ("leaseUntil" IS NULL OR "leaseUntil" < $3) ${providerFilter}
         ORDER BY "nextRunAt" LIMIT $4
         FOR UPDATE SKIP LOCKED)
       RETURNING "id", "nextRunAt", "state"::text AS "state"`,
      ...params,
    );
  }

  function hold(claimed: Claimed, deadlineMs: number, onWarn: (err: unknown) => void): Lease {
    const controller = new AbortController();
    const heldWhere = () => ({ id: claimed.id, leaseOwner: owner, leaseUntil: { gt: now() } });
    let lost = false;
    const loseIt = () => {
      lost = true;
      controller.abort(new DOMException(`lease on ${claimed.id} lost`, 'AbortError'));
    };
    // AbortError/TimeoutError reasons, so provider clients classify an aborted call as such
    // (an aborted create is ambiguous, any other aborted call is retryable).
    const deadline = setTimeout(() => controller.abort(new DOMException(`step deadline of ${deadlineMs} ms passed`, 'TimeoutError')), deadlineMs);
    deadline.unref();
    const beat = setInterval(
      () => {
        prisma.generation
          // Owner only: a lease that ran out while nobody claimed the job is still nobody else's
          // (a claim changes the owner in the same row update), so renewing it is safe. Writes and
          // check() meanwhile want it unexpired, so a late heartbeat can only make them refuse.
          .updateMany({ where: { id: claimed.id, leaseOwner: owner }, data: { leaseUntil: at(leaseMs) } })
          .then((renewed) => {
            if (renewed.count === 0) loseIt();
          })
          .catch(onWarn);
      },
      Math.max(10, Math.floor(leaseMs / 3)),
    );
    beat.unref();
    return {
      id: claimed.id,
      owner,
      signal: controller.signal,
      get lost() {
        return lost;
      },
      async check() {
        if (lost) throw new LeaseLostError(claimed.id);
        const held = await prisma.generation.count({ where: heldWhere() });
        if (held !== 1) {
          loseIt();
          throw new LeaseLostError(claimed.id);
        }
      },
      abort(reason) {
        controller.abort(new DOMException(reason, 'AbortError'));
      },
      end() {
        clearInterval(beat);
        clearTimeout(deadline);
      },
    };
  }

  /**
   * A wake (callback) that arrived during the step wrote its own time into nextRunAt, so
   * nextRunAt is no longer what we claimed: the earlier one wins and the wake is not lost.
   */
  async function release(claimed: Claimed, next: Date): Promise<void> {
    await prisma.$executeRawUnsafe(
      `UPDATE "Generation" SET "leaseOwner" = NULL, "leaseUntil" = NULL,
         "nextRunAt" = CASE WHEN "nextRunAt" <> $1 THEN LEAST("nextRunAt", $2) ELSE $2 END
       WHERE "id" = $3 AND "leaseOwner" = $4`,
      claimed.nextRunAt,
      next,
      claimed.id,
      owner,
    );
  }

  return { claim, hold, release };
}
