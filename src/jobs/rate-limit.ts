/**
 * A per-provider cap on status requests: requests are spaced at least 1000 / perSecond ms apart
 * (a token bucket of size one), so no one-second window sees more than perSecond + 1 of them.
 */
export interface RateLimiter {
  /** Resolves when the caller may send one request. */
  acquire(): Promise<void>;
}

export function createRateLimiter(perSecond: number, clock: () => number = () => performance.now()): RateLimiter {
  const spacing = 1000 / Math.max(perSecond, 0.001);
  let nextSlot = -Infinity;
  return {
    acquire() {
      const now = clock();
      const slot = Math.max(now, nextSlot);
      nextSlot = slot + spacing;
      const wait = slot - now;
      if (wait <= 0) return Promise.resolve();
      return new Promise((resolve) => setTimeout(resolve, wait));
    },
  };
}

/** One limiter per key (provider id), created on first use. */
export function createRateLimiters(perSecond: number): (key: string) => RateLimiter {
  const limiters = new Map<string, RateLimiter>();
  return (key) => {
    let limiter = limiters.get(key);
    if (!limiter) {
      limiter = createRateLimiter(perSecond);
      limiters.set(key, limiter);
    }
    return limiter;
  };
}
