/** Telegram Stars top-ups (placeholder until the payments feature lands). */
import { Composer } from 'grammy';
import type { BotContext } from '../../context.js';

/** Installed before the conversations: pre_checkout_query has no chat. */
export function paymentsFeature(): Composer<BotContext> {
  return new Composer<BotContext>();
}
