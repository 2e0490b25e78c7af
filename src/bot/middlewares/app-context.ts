/**
 * The first middleware after sequentializing: the update prelude (update-prelude.ts, one database
 * statement per batch of updates) drops an update seen before, creates or refreshes the sender's
 * user row, and prefetches the chat's conversation state and the catalog stamp; then deps, the
 * user and the translator are attached to the context. If handling fails, the update's mark is
 * removed so Telegram's retry is handled again.
 */
import type { Context, MiddlewareFn } from 'grammy';
import type { BotContext } from '../context.js';
import type { BotDeps } from '../deps.js';
import { createPreludeBatcher } from '../update-prelude.js';
import { conversationKey, setConversationPrefetch } from '../conversation-storage.js';

export function appContext(deps: BotDeps): MiddlewareFn<BotContext> {
  const preludes = createPreludeBatcher(deps.query);
  return async (ctx, next) => {
    ctx.deps = deps;
    const from = ctx.from && !ctx.from.is_bot ? ctx.from : undefined;
    const key = conversationKey(ctx);
    const prelude = await preludes.run({
      updateId: ctx.update.update_id,
      contact: from && { id: from.id, username: from.username, firstName: from.first_name, languageCode: from.language_code },
      conversationKey: key,
    });
    // A payment is credited once by its charge id, not by the update mark: a redelivered payment
    // whose first handling failed (even if removing the mark failed too) is handled again.
    if (!prelude.fresh && !ctx.message?.successful_payment) return;
    if (key) setConversationPrefetch(ctx, prelude.conversation);
    ctx.firstContactRecorded = prelude.firstContactRecorded;
    ctx.catalogStamp = prelude.catalogStamp;
    if (prelude.user) {
      ctx.user = prelude.user;
      const chosen = ctx.user.language;
      ctx.locale = deps.i18n.isLocale(chosen) ? chosen : deps.i18n.negotiate(from?.language_code);
    } else {
      ctx.locale = 'en';
    }
    ctx.t = (k, vars) => deps.i18n.t(ctx.locale, k, vars);
    try {
      await next();
    } catch (error) {
      await deps.prisma.processedUpdate.deleteMany({ where: { updateId: BigInt(ctx.update.update_id) } }).catch(() => {});
      throw error;
    }
  };
}

/** True when the message is a bot command (e.g. "/start" or "/start@bot payload"). */
export function isCommand(ctx: Context): boolean {
  const entity = ctx.message?.entities?.[0];
  return entity?.type === 'bot_command' && entity.offset === 0;
}
