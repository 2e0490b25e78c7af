/**
 * The alert conditions: their keys and how each is worded (locale keys in locales/* /ops.ftl).
 * Keys are stable strings stored in AlertState.key.
 */
import type { MessageKey } from '../message-keys.js';

/** Why a provider answer means the operator must act (docs/providers.md §kie-errors, §market: 401, 402, 433). */
export type ProviderCodeReason = 'auth' | 'credits' | 'limit';

const CRITICAL_CODES: Record<string, Record<string, ProviderCodeReason>> = {
  // KIE business codes (HTTP 200 bodies) or the HTTP status standing in for them.
  kie: { '401': 'auth', http_401: 'auth', '402': 'credits', http_402: 'credits', '433': 'limit', http_433: 'limit' },
  // Kling: 1000–1002 authentication, 1100 account exception, 1101 arrears, 1102 resource pack used up.
  kling: { '1000': 'auth', '1001': 'auth', '1002': 'auth', '1100': 'auth', '1101': 'credits', '1102': 'credits', http_401: 'auth' },
};

export function criticalReason(provider: string, code: string): ProviderCodeReason | undefined {
  return CRITICAL_CODES[provider]?.[code];
}

export const conditionKey = {
  providerFailing: (provider: string) => `provider_failing:${provider}`,
  providerCode: (provider: string, reason: ProviderCodeReason) => `provider_code:${provider}:${reason}`,
  kieCreditLow: () => 'kie_credit_low',
  jobsOverdue: () => 'jobs_overdue',
  paymentUncredited: (chargeId: string) => `payment_uncredited:${chargeId}`,
};

/** The condition's kind: the key up to the first ':' (a bounded metrics label). */
export function conditionKind(key: string): string {
  return key.split(':', 1)[0]!;
}

export interface Wording {
  key: MessageKey;
  vars: Record<string, string | number>;
}

function str(value: unknown): string {
  return value === undefined || value === null ? '' : String(value);
}

function num(value: unknown): number {
  return typeof value === 'number' ? value : Number(value ?? 0) || 0;
}

/** The message of an alert (`recovery` false) or of its recovery, with its variables. */
export function describe(key: string, details: Record<string, unknown>, recovery: boolean): Wording {
  const parts = key.split(':');
  const kind = parts[0];
  const suffix = recovery ? ('recovery' as const) : ('alert' as const);
  switch (kind) {
    case 'provider_failing':
      return { key: `ops-${suffix}-provider-failing`, vars: { provider: parts[1] ?? '', count: num(details.count), code: str(details.code) } };
    case 'provider_code':
      return { key: `ops-${suffix}-provider-code`, vars: { provider: parts[1] ?? '', reason: parts[2] ?? 'auth', code: str(details.code) } };
    case 'kie_credit_low':
      return { key: `ops-${suffix}-kie-credit`, vars: { balance: num(details.balance), threshold: num(details.threshold) } };
    case 'jobs_overdue':
      return { key: `ops-${suffix}-jobs-overdue`, vars: { count: num(details.count), oldest: str(details.oldest) } };
    case 'payment_uncredited':
      return {
        key: `ops-${suffix}-payment`,
        vars: { charge: parts.slice(1).join(':'), user: str(details.userId), stars: num(details.stars), error: str(details.error) },
      };
    default:
      return { key: `ops-${suffix}-other`, vars: { key } };
  }
}
