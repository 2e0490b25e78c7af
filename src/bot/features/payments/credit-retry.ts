/**
 * The error path of a Stars payment (docs/providers.md §failure-model): a `successful_payment` is never
 * acknowledged before its credit is committed. A database fault is retried for a short budget;
 * if the credit still fails, PaymentNotCreditedError escapes the error boundary, so in webhook
 * mode Telegram gets a 5xx and redelivers the update. Long polling cannot refuse an update (the
 * runner confirms offsets when it fetches), so there the budget is longer and the periodic
 * reconciliation against getStarTransactions is the backstop.
 */

/** Thrown when a payment's credit could not be committed: the update must not count as handled. */
export class PaymentNotCreditedError extends Error {
  override name = 'PaymentNotCreditedError';
  constructor(
    readonly chargeId: string,
    override readonly cause: unknown,
  ) {
    super(`payment ${chargeId} could not be credited: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/** Webhook mode answers well inside Telegram's (and grammY's 9 s) webhook budget, then 5xx. */
const WEBHOOK_CREDIT_BUDGET_MS = 1_500;

/** The retry budget of a credit: short in webhook mode (then a 5xx makes Telegram redeliver), longer for long polling. */
export function creditBudgetMs(config: { mode: string; PAYMENT_CREDIT_RETRY_MS: number }): number {
  return config.mode === 'webhook' ? WEBHOOK_CREDIT_BUDGET_MS : config.PAYMENT_CREDIT_RETRY_MS;
}

/** The fields every Stars payment credit (pack or subscription) takes from a `successful_payment`. */
export function paymentFields(
  payerId: number,
  sp: { currency: string; total_amount: number; invoice_payload: string; telegram_payment_charge_id: string; provider_payment_charge_id: string },
) {
  return {
    payerId: BigInt(payerId),
    currency: sp.currency,
    totalAmount: sp.total_amount,
    payload: sp.invoice_payload,
    telegramChargeId: sp.telegram_payment_charge_id,
    providerChargeId: sp.provider_payment_charge_id,
  };
}

/** The waits between credit attempts within `budgetMs`: 100 ms doubling, capped at 5 s. Pure. */
export function creditRetryDelays(budgetMs: number): number[] {
  const delays: number[] = [];
  let total = 0;
  for (let next = 100; total + next <= budgetMs; next = Math.min(next * 2, 5_000)) {
    delays.push(next);
    total += next;
  }
  return delays;
}

/** Runs `credit` until it succeeds or the budget is spent; then throws PaymentNotCreditedError. */
export async function creditWithRetry<T>(
  chargeId: string,
  credit: () => Promise<T>,
  budgetMs: number,
  onRetry: (error: unknown, attempt: number) => void,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<T> {
  const delays = creditRetryDelays(budgetMs);
  for (let attempt = 0; ; attempt++) {
    try {
      return await credit();
    } catch (error) {
      const delay = delays[attempt];
      if (delay === undefined) throw new PaymentNotCreditedError(chargeId, error);
      onRetry(error, attempt + 1);
      await sleep(delay);
    }
  }
}
