/** Assertions on failures: the one "this must reject with that kind of error" helper. */
import { expect } from 'vitest';

/** Awaits `promise`, expects it to reject with an instance of `type`, and returns the error. */
export async function rejectionOf<E extends Error>(type: abstract new (...args: never[]) => E, promise: Promise<unknown>): Promise<E> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(type);
    return error as E;
  }
  throw new Error(`expected a rejection with ${type.name}`);
}
