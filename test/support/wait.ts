/**
 * The one set of waiting helpers for tests: wait on a condition, never for a fixed time, except
 * `sleep` for pacing a fake and `staysTrue` for "nothing happens" assertions (which must watch for
 * a while by their nature). Every wait is bounded and names what it waited for.
 */
export interface WaitOptions {
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
  /** How often to look (default 25 ms). */
  everyMs?: number;
  /** Named in the timeout error. */
  what?: string;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function options(o: WaitOptions | number | undefined, what?: string): Required<WaitOptions> {
  const given = typeof o === 'number' ? { timeoutMs: o } : (o ?? {});
  return { timeoutMs: given.timeoutMs ?? 10_000, everyMs: given.everyMs ?? 25, what: given.what ?? what ?? 'condition' };
}

/** Polls until `check` returns a truthy value and returns it. */
export async function until<T>(check: () => T | Promise<T>, opts?: WaitOptions | number, what?: string): Promise<NonNullable<T>> {
  const { timeoutMs, everyMs, what: name } = options(opts, what);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${name}`);
    await sleep(everyMs);
  }
}

/** Polls until `check` is true (e.g. the worker has recorded a state after a message). */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  await until(check, { timeoutMs }, what);
}

/** Asserts that `check` holds for the whole of `ms` (a "nothing happens" assertion). */
export async function staysTrue(check: () => boolean | Promise<boolean>, ms: number, what = 'condition', everyMs = 25): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (!(await check())) throw new Error(`${what} stopped holding after ${ms - (deadline - Date.now())} ms`);
    if (Date.now() >= deadline) return;
    await sleep(Math.min(everyMs, Math.max(0, deadline - Date.now())));
  }
}

/** Polls until `check` is true; false (no error) when `timeoutMs` passed first — for runs that report rather than fail. */
export async function becomesTrue(check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(everyMs);
  }
}
