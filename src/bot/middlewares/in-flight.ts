/**
 * Counts updates being handled so shutdown can wait for them: the runner's stop() does not wait
 * for handlers still running, and a conversation writes its state at the end of a handler.
 */
import type { MiddlewareFn } from 'grammy';

export interface InFlightTracker {
  middleware: MiddlewareFn;
  count(): number;
  /** Resolves when no update is being handled, or after timeoutMs. */
  drain(timeoutMs: number): Promise<void>;
}

export function createInFlightTracker(): InFlightTracker {
  let active = 0;
  const waiters = new Set<() => void>();
  return {
    middleware: async (_ctx, next) => {
      active++;
      try {
        await next();
      } finally {
        active--;
        if (active === 0) for (const w of waiters) w();
      }
    },
    count: () => active,
    drain(timeoutMs) {
      if (active === 0) return Promise.resolve();
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        timer.unref();
        waiters.add(done);
      });
    },
  };
}
