/** Attaches deps, the user row (created on first contact) and the translator to every update. */
import type { Context, MiddlewareFn } from 'grammy';
import type { BotContext } from '../context.js';
import type { BotDeps } from '../deps.js';
import { touchUser } from '../../domain/users.js';

export function appContext(deps: BotDeps): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    ctx.deps = deps;
    const from = ctx.from;
    if (from && !from.is_bot) {
      ctx.user = await touchUser(deps.prisma, {
        id: from.id,
        username: from.username,
        firstName: from.first_name,
        languageCode: from.language_code,
      });
      const chosen = ctx.user.language;
      ctx.locale = deps.i18n.isLocale(chosen) ? chosen : deps.i18n.negotiate(from.language_code);
    } else {
      ctx.locale = 'en';
    }
    ctx.t = (key, vars) => deps.i18n.t(ctx.locale, key, vars);
    await next();
  };
}

/** True when the message is a bot command (e.g. "/start" or "/start@bot payload"). */
export function isCommand(ctx: Context): boolean {
  const entity = ctx.message?.entities?.[0];
  return entity?.type === 'bot_command' && entity.offset === 0;
}
