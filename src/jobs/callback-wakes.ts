/**
 * Provider callbacks are answered before the database is touched: a checked callback only queues
 * its task id here, and the queued wakes are written in batches (one UPDATE per provider and
 * batch), one batch at a time, so a burst of callbacks costs a few statements instead of one
 * connection each while the worker's steps hold the pool.
 *
 * Nothing is lost on a crash: a wake only moves a job's next run earlier. A job whose wake was
 * queued but not written is still `submitted`/`running` with its next poll due, so the worker
 * (this instance after a restart, or another one) polls the provider then and finds the result —
 * the callback only saved the wait until that poll. A failed batch is logged and dropped for
 * the same reason.
 */
import type { Logger } from 'pino';
import type { PrismaClient } from '../db/client.js';
import { POLLED_STATES } from '../domain/generation-states.js';

export interface CallbackWakes {
  /** Queues a wake of the jobs waiting for this provider task; written soon, in a batch. */
  add(provider: string, taskId: string): void;
  /** Resolves when every wake queued so far is written (or its batch failed). */
  flush(): Promise<void>;
}

export interface CallbackWakesOptions {
  prisma: PrismaClient;
  logger: Logger;
  /** nextRunAt of a woken job (strictly increasing across batches, see worker.ts). */
  wakeTime(): Date;
  /** Called after a batch was written (the worker claims the woken jobs). */
  onWoken(count: number): void;
  /** Most task ids in one statement. */
  maxBatch?: number;
}

const POLLED_SQL = POLLED_STATES.map((s) => `'${s}'`).join(', ');

/**
 * A woken job is one still waiting for its provider — its model's own, or the one it moved to
 * ("provider" set: one model, two providers) —, or a refunded one that may still deliver.
 */
const WAKE_SQL = `UPDATE "Generation" SET "nextRunAt" = $1
  WHERE "providerTaskId" = ANY($2::text[])
    AND ("provider" = $3 OR ("provider" IS NULL AND "modelSlug" IN (SELECT "slug" FROM "CatalogModel" WHERE "provider"::text = $3)))
    AND ("state" IN (${POLLED_SQL}) OR ("state" = 'refunded' AND "lateDeliveryAllowed"))`;

export function createCallbackWakes(options: CallbackWakesOptions): CallbackWakes {
  const maxBatch = options.maxBatch ?? 1_000;
  const queued = new Map<string, Set<string>>();
  let writing: Promise<void> | undefined;
  let lastWake = 0;

  async function writeAll(): Promise<void> {
    while (queued.size > 0) {
      const [provider, ids] = queued.entries().next().value!;
      const batch = [...ids].slice(0, maxBatch);
      for (const id of batch) ids.delete(id);
      if (ids.size === 0) queued.delete(provider);
      const time = Math.max(options.wakeTime().getTime(), lastWake + 1);
      lastWake = time;
      try {
        const count = await options.prisma.$executeRawUnsafe(WAKE_SQL, new Date(time), batch, provider);
        options.logger.debug({ provider, callbacks: batch.length, woken: count }, 'provider callbacks woke jobs');
        options.onWoken(count);
      } catch (err) {
        // The jobs are polled at their next run anyway (see above).
        options.logger.warn({ err, provider, callbacks: batch.length }, 'could not record provider callbacks; the jobs are found by their next poll');
      }
    }
  }

  function schedule(): Promise<void> {
    writing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(writeAll).finally(() => {
      writing = undefined;
      if (queued.size > 0) void schedule();
    });
    return writing;
  }

  return {
    add(provider, taskId) {
      let ids = queued.get(provider);
      if (!ids) queued.set(provider, (ids = new Set()));
      ids.add(taskId);
      void schedule();
    },
    async flush() {
      while (writing || queued.size > 0) await (writing ?? schedule());
    },
  };
}
