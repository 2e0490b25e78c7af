/**
 * "One model, two providers" (docs/providers.md §two-providers): where KIE and the official Kling API both sell a
 * model family (Kling 2.6, Kling 3.0, the Kling avatar) the user sees one entry and the job picks
 * the provider. Pure policy, no I/O:
 *  - use the admin's preferred provider for the family when it is configured and switched on,
 *    otherwise the other one;
 *  - after a failure, move to the other provider only when no task may exist yet (nothing was
 *    created, or the provider answered with an explicit refusal) AND the failure is outage-class
 *    (provider unavailable: maintenance, overload, our key/balance), never for bad input or a
 *    content refusal (the other provider would refuse it too and the user must be told);
 *  - never after a task may exist: the job keeps looking that task up (it may still deliver).
 * The charge stays the one of the generation: switching never charges again.
 *
 * Wiring (worker, owned by the failure-model work): before the first submit call
 * `chooseProvider({ ..., attempts: [] })`; when a submit throws, record
 * `{ provider, error, taskMayExist: taskMayExist(error, requestSent) }` and call it again; on
 * `use` submit with the new provider/model (same generation id, same charge), on `stay` follow
 * the usual path of that provider (ambiguous → findTask; final → fail and refund), on `none` fail
 * with `provider_unavailable` and refund.
 */
import type { ErrorClass, ProviderId, ProviderUserReason } from '../providers/types.js';

export type ProviderFamily = 'kling-2.6' | 'kling-3.0' | 'kling-avatar';

/** One provider's model of a family, as the catalog offers it. */
export interface FamilyOffer {
  provider: ProviderId;
  providerModel: string;
  /** The operator's switch for this provider's model (catalog row enabled). */
  enabled: boolean;
}

/** What the policy needs to know of a failure (a ProviderError fits). */
export interface FailureFacts {
  errorClass: ErrorClass;
  code: string;
  userReason: ProviderUserReason;
}

export interface ProviderAttempt {
  provider: ProviderId;
  error: FailureFacts;
  /** Whether this attempt may have created a task (see `taskMayExist`). */
  taskMayExist: boolean;
}

export interface ProviderChoiceInput {
  family: ProviderFamily | string;
  offers: readonly FamilyOffer[];
  configured: ReadonlySet<ProviderId>;
  /** The admin's preferred provider for the family (unset: the first offer). */
  preferred?: ProviderId;
  /** Earlier failed attempts of this generation, oldest first. */
  attempts: readonly ProviderAttempt[];
}

export type ProviderChoice =
  | {
      action: 'use';
      provider: ProviderId;
      providerModel: string;
      /** Why this one: the preferred/first one, or a fallback and why the other was left. */
      reason: 'preferred' | 'not-configured' | 'switched-off' | 'outage';
    }
  | { action: 'stay'; provider: ProviderId; reason: 'task-may-exist' | 'not-outage' }
  | { action: 'none'; reason: 'no-provider' | 'exhausted' };

/** Failures that say "this provider cannot serve now", not "this request is wrong". */
export function isOutageClass(error: FailureFacts): boolean {
  return error.errorClass !== 'ambiguous' && error.userReason === 'provider_unavailable';
}

/** Codes of failures that happened before the request reached the provider. */
const NOT_SENT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'provider_not_configured',
  'url-hosting-unavailable',
]);

/**
 * Whether a failed create may have left a task behind. False when the request was never sent
 * (or failed to connect) or when the provider answered with an explicit business code (a numeric
 * code such as Kling 1102/5001 or KIE 402/455: it refused, nothing was created). True for
 * anything else after sending: timeouts, resets, bare 5xx, unreadable answers, ambiguous errors.
 */
export function taskMayExist(error: FailureFacts, requestSent: boolean): boolean {
  if (!requestSent) return false;
  if (error.errorClass === 'ambiguous') return true;
  if (NOT_SENT_CODES.has(error.code)) return false;
  return !/^\d+$/.test(error.code);
}

export function chooseProvider(input: ProviderChoiceInput): ProviderChoice {
  const ordered = [...input.offers].sort((a, b) => rank(a) - rank(b));
  function rank(offer: FamilyOffer): number {
    return offer.provider === input.preferred ? 0 : 1 + input.offers.indexOf(offer);
  }
  const usable = (offer: FamilyOffer) => offer.enabled && input.configured.has(offer.provider);
  const tried = new Set(input.attempts.map((a) => a.provider));

  const last = input.attempts[input.attempts.length - 1];
  if (last) {
    if (input.attempts.some((a) => a.taskMayExist)) {
      const holder = input.attempts.find((a) => a.taskMayExist)!;
      return { action: 'stay', provider: holder.provider, reason: 'task-may-exist' };
    }
    if (!isOutageClass(last.error)) return { action: 'stay', provider: last.provider, reason: 'not-outage' };
    const next = ordered.find((offer) => usable(offer) && !tried.has(offer.provider));
    if (!next) return { action: 'none', reason: 'exhausted' };
    return { action: 'use', provider: next.provider, providerModel: next.providerModel, reason: 'outage' };
  }

  const first = ordered[0];
  if (!first) return { action: 'none', reason: 'no-provider' };
  if (usable(first)) return { action: 'use', provider: first.provider, providerModel: first.providerModel, reason: 'preferred' };
  const next = ordered.find(usable);
  if (!next) return { action: 'none', reason: 'no-provider' };
  return {
    action: 'use',
    provider: next.provider,
    providerModel: next.providerModel,
    reason: input.configured.has(first.provider) ? 'switched-off' : 'not-configured',
  };
}

/**
 * The families both providers sell and each one's model id per task (docs/providers.md
 * §kling-suite, §market). The catalog's specs translate options (KIE `sound` is a boolean, Kling's the string
 * "on"/"off"; the Kling avatar's std/pro is `mode` on one endpoint, two model ids on KIE).
 */
export const SHARED_FAMILIES: Readonly<Record<ProviderFamily, Readonly<Record<string, Readonly<Partial<Record<ProviderId, string>>>>>>> = {
  'kling-2.6': {
    text2video: { kie: 'kling-2.6/text-to-video', kling: 'kling-v2-6' },
    image2video: { kie: 'kling-2.6/image-to-video', kling: 'kling-v2-6' },
  },
  'kling-3.0': {
    text2video: { kie: 'kling-3.0/video', kling: 'kling-v3' },
    image2video: { kie: 'kling-3.0/video', kling: 'kling-v3' },
  },
  'kling-avatar': {
    lipsync: { kie: 'kling/ai-avatar-standard', kling: 'kling-avatar-std' },
    'lipsync-pro': { kie: 'kling/ai-avatar-pro', kling: 'kling-avatar-pro' },
  },
};
