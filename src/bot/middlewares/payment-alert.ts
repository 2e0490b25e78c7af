/**
 * A `successful_payment` whose handling throws (the credit could not be committed) raises the
 * admin alert "payment not credited" before the error goes on to the error boundary (and, in
 * webhook mode, to Telegram's redelivery). The alert clears by itself once the Payment row
 * exists. The other not-credited path (a payload that is not ours) is reported by the payments
 * feature itself.
 */
import type { Context, MiddlewareFn } from 'grammy';
import type { Alerts } from '../../alerts/service.js';

export function paymentFailureAlert(alerts: Pick<Alerts, 'paymentNotCredited'>): MiddlewareFn<Context> {
  return async (ctx, next) => {
    const payment = ctx.message?.successful_payment;
    if (!payment || !ctx.from) return next();
    try {
      await next();
    } catch (error) {
      await alerts.paymentNotCredited({
        chargeId: payment.telegram_payment_charge_id,
        userId: BigInt(ctx.from.id),
        stars: payment.total_amount,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
      throw error;
    }
  };
}
