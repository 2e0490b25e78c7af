/**
 * The one place errors are rendered: a UserError becomes its message in the user's language
 * (an alert for a button tap, a reply otherwise); anything else is logged and the user gets a
 * generic apology. Internals never reach the user.
 */
import { GrammyError, type BotError } from 'grammy';
import type { BotContext } from '../context.js';
import { UserError } from '../../domain/errors.js';
import { ConversationConflictError } from '../conversation-storage.js';

export async function renderError(err: BotError<BotContext>): Promise<void> {
  const ctx = err.ctx;
  const error = err.error;
  const logger = ctx.deps?.logger;
  const t = ctx.t ?? ((key: string) => key);
  // Not the user's problem: let the update fail so Telegram delivers it again (webhook mode).
  // A payment whose credit is not committed must not count as handled (webhook: 5xx → redelivery;
  // polling: reconciliation against getStarTransactions credits it).
  if (ctx.message?.successful_payment) {
    logger?.error(
      { err: error, updateId: ctx.update.update_id, chargeId: ctx.message.successful_payment.telegram_payment_charge_id },
      'a stars payment was not credited; the update will be redelivered or reconciled',
    );
    throw error;
  }
  if (error instanceof ConversationConflictError) {
    logger?.warn({ updateId: ctx.update.update_id }, 'conversation changed by another instance; the update will be redelivered');
    throw error;
  }
  let text: string;
  if (error instanceof UserError) {
    text = t(error.key, error.vars);
  } else {
    logger?.error({ err: error, updateId: ctx.update.update_id }, 'update handling failed');
    if (error instanceof GrammyError && error.error_code === 403) return;
    text = t('error-generic');
  }
  try {
    if (ctx.callbackQuery) {
      await ctx.answerCallbackQuery({ text: text.slice(0, 200), show_alert: true }).catch(() => ctx.reply(text));
    } else if (ctx.chat) {
      await ctx.reply(text);
    }
  } catch (replyError) {
    logger?.warn({ err: replyError }, 'could not tell the user about an error');
  }
}
