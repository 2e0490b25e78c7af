/**
 * Counts every update by type and outcome and times its handling. Installed first inside the
 * error boundary, so an error thrown by any later middleware passes through here (outcome
 * "error") before the boundary answers the user.
 */
import type { Context, MiddlewareFn } from 'grammy';
import type { Update } from 'grammy/types';
import type { Metrics } from '../../metrics/types.js';

/** The update's kind; messages are split into the ones the bot treats differently. */
export function updateType(update: Update): string {
  if (update.message) {
    const m = update.message;
    if (m.successful_payment) return 'payment';
    if (m.text?.startsWith('/')) return 'command';
    return 'message';
  }
  const kind = Object.keys(update).find((k) => k !== 'update_id');
  return kind ?? 'unknown';
}

export function updateMetrics(metrics: Metrics): MiddlewareFn<Context> {
  return async (ctx, next) => {
    const started = performance.now();
    const type = updateType(ctx.update);
    try {
      await next();
      metrics.update(type, 'ok', (performance.now() - started) / 1000);
    } catch (error) {
      metrics.update(type, 'error', (performance.now() - started) / 1000);
      throw error;
    }
  };
}
