/**
 * A per-provider cap on requests: a sliding-window log. A request is granted only when fewer than
 * `perSecond` were granted in the last window, and grants are recorded when they actually happen
 * (not reserved ahead), so timers that fire late after an event-loop stall cannot burst.
 */
export interface RateLimiter {
  /** Resolves when the caller may send one request. */
  acquire(): Promise<void>;
}

const WINDOW_MS = 1000;
/** Grants are spaced over a slightly longer window, so network jitter cannot squeeze them at the receiver. */
const MARGIN = 1.05;

export function createRateLimiter(perSecond: number, clock: () => number = () => performance.now()): RateLimiter {
  const window = WINDOW_MS * MARGIN;
  const cap = Math.max(1, Math.floor(perSecond));
  const spacing = window / cap;
  const grants: number[] = [];
  let last = -Infinity;
  let chain: Promise<void> = Promise.resolve();
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

  return {
    acquire() {
      const turn = chain.then(async () => {
        for (;;) {
          const now = clock();
          while (grants.length > 0 && now - grants[0]! >= window) grants.shift();
          // Full window: wait for its oldest grant to leave. Otherwise keep a minimum spacing, so a
          // backlog drains evenly instead of in one burst at the start of each window.
          const waitWindow = grants.length >= cap ? grants[0]! + window - now : 0;
          const waitSpacing = last + spacing * 0.5 - now;
          const wait = Math.max(waitWindow, waitSpacing);
          if (wait <= 0) {
            grants.push(now);
            last = now;
            return;
          }
          await sleep(Math.ceil(wait));
        }
      });
      chain = turn.catch(() => {});
      return turn;
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
