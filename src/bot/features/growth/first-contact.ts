/**
 * Runs right after the app context on every update: a new user's first contact (welcome credits
 * and the referral attribution from `/start ref_<code>`, once — see domain/welcome.ts), and
 * broadcast command buttons (`/start cmd_<command>` deep links are handled as `/<command>`).
 */
import type { MiddlewareFn } from 'grammy';
import type { BotContext } from '../../context.js';
import { mayBeFirstContact, recordFirstContact } from '../../../domain/welcome.js';
import { parseStartParam } from '../../../domain/referrals.js';
import { userLocale } from './shared.js';

/** Commands a broadcast button may open. */
export const BUTTON_COMMANDS = new Set([
  'start',
  'lipsync',
  'text2video',
  'image2video',
  'balance',
  'topup',
  'history',
  'language',
  'help',
  'paysupport',
  'invite',
  'promo',
  'subscribe',
  'subscription',
]);

function startParam(ctx: BotContext): string | undefined {
  const text = ctx.message?.text;
  const entity = ctx.message?.entities?.[0];
  if (!text || entity?.type !== 'bot_command' || entity.offset !== 0) return undefined;
  const m = /^\/start(?:@\w+)?\s+(\S{1,64})$/.exec(text.trim());
  return m?.[1];
}

/** `/start cmd_topup` (a broadcast button) becomes `/topup` for the handlers after this one. */
function rewriteCommandLink(ctx: BotContext, param: string | undefined): void {
  const m = /^cmd_([a-z0-9_]{1,32})$/.exec(param ?? '');
  if (!m || !BUTTON_COMMANDS.has(m[1]!) || !ctx.message) return;
  const text = `/${m[1]}`;
  ctx.message.text = text;
  ctx.message.entities = [{ type: 'bot_command', offset: 0, length: text.length }];
}

export function firstContact(): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    const param = startParam(ctx);
    // The prelude already read whether the first contact is recorded (no lookup per update).
    if (ctx.user && !ctx.firstContactRecorded && !ctx.from?.is_bot && mayBeFirstContact(ctx.user, ctx.deps.now())) {
      const { prisma, config, logger } = ctx.deps;
      const result = await recordFirstContact(prisma, {
        userId: ctx.user.id,
        inviterId: parseStartParam(param).inviterId,
        startParam: param,
        welcomeCredits: config.WELCOME_CREDITS,
      });
      if (result.status === 'new') {
        ctx.user.balance = result.balance;
        logger.info({ userId: String(ctx.user.id), welcome: result.welcomeCredits, inviter: result.inviterId?.toString() }, 'new user');
        if (result.welcomeCredits > 0) {
          await ctx.api
            .sendMessage(Number(ctx.user.id), ctx.t('growth-welcome-credits', { credits: result.welcomeCredits }))
            .catch((err: unknown) => logger.warn({ err }, 'could not send the welcome message'));
        }
        if (result.inviterId !== null) await tellInviter(ctx, result.inviterId);
      }
    }
    rewriteCommandLink(ctx, param);
    await next();
  };
}

async function tellInviter(ctx: BotContext, inviterId: bigint): Promise<void> {
  const { prisma, i18n, logger, config } = ctx.deps;
  const inviter = await prisma.user.findUnique({ where: { id: inviterId }, select: { language: true, telegramLanguage: true } });
  const text = i18n.t(userLocale(i18n, inviter), 'growth-invite-joined', { name: ctx.from?.first_name ?? '', percent: config.REFERRAL_PERCENT });
  await ctx.api.sendMessage(Number(inviterId), text).catch((err: unknown) => logger.warn({ err }, 'could not tell the inviter'));
}
