/**
 * The one definition of which generation states mean what. Every query, claim, limit and gauge
 * that asks "is this job still live?" uses these sets; nothing else lists states.
 *
 *   queued → submitted → running → succeeded → delivered      (failed → refunded on the way out)
 */
import type { GenerationState } from '../generated/prisma/client.js';

/** The provider task is being waited for (polled, woken by callbacks). */
export const POLLED_STATES = ['submitted', 'running'] as const satisfies readonly GenerationState[];
/** The job still needs the provider (and its keys) to make progress: nothing produced yet. */
export const PROVIDER_STATES = ['queued', ...POLLED_STATES] as const satisfies readonly GenerationState[];
/** In flight for the user: paid and not yet delivered or refunded (counts against the in-flight limit). */
export const IN_FLIGHT_STATES = [...PROVIDER_STATES, 'succeeded'] as const satisfies readonly GenerationState[];
/** The worker still has work for these (claims, wakes, the jobs gauge); refunded rows only while a late result or the notice is due. */
export const WORKED_STATES = [...IN_FLIGHT_STATES, 'failed'] as const satisfies readonly GenerationState[];
