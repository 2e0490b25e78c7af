/**
 * The instrumentation port. The bot layer, the job worker, the provider decorator and the
 * alerts record what happened through this interface; only src/metrics/prometheus.ts knows
 * prom-client. `noopMetrics` is the default wherever no metrics are wired (tools, unit tests).
 */

export type UpdateOutcome = 'ok' | 'error';
/** `ok`, or the ProviderError class of a failed request. */
export type ProviderOutcome = 'ok' | 'retryable' | 'final' | 'ambiguous';
/**
 * video / link: sent; unreachable: the user blocked the bot; failed: an attempt that sent
 * nothing (the worker retries it and later falls back to the link or gives up).
 */
export type DeliveryOutcome = 'video' | 'link' | 'unreachable' | 'failed';
export type CallbackResult = 'accepted' | 'refused';

export interface Metrics {
  /** One Telegram update handled by the middleware chain. */
  update(type: string, outcome: UpdateOutcome, seconds: number): void;
  /** One provider call (submit, findTask, getStatus, credit), retries included. */
  providerRequest(provider: string, operation: string, outcome: ProviderOutcome, seconds: number, code?: string): void;
  /** A provider callback: accepted, or refused (wrong URL secret, forged or malformed). */
  callback(provider: string, result: CallbackResult): void;
  /** One job step of the worker, by the state it started from. */
  jobStep(step: string, provider: string, seconds: number): void;
  delivery(outcome: DeliveryOutcome): void;
  /** A successful payment whose credit could not be written. */
  paymentCreditFailed(): void;
  /** An admin alert or recovery message claimed and sent by this instance. */
  alertSent(kind: 'alert' | 'recovery', condition: string): void;
  /** The KIE balance last read from GET /api/v1/chat/credit. */
  kieCredits(credits: number): void;
}

export const noopMetrics: Metrics = {
  update() {},
  providerRequest() {},
  callback() {},
  jobStep() {},
  delivery() {},
  paymentCreditFailed() {},
  alertSent() {},
  kieCredits() {},
};
