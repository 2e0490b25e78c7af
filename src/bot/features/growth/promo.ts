/** /promo CODE and `t.me/<bot>?start=promo_CODE`: a promo code credits a user once. */
import type { MessageKey } from '../../../message-keys.js';
import { Composer } from '../../composer.js';
import type { BotContext } from '../../context.js';
import { redeemPromo } from '../../../domain/promo-codes.js';
import { parseStartParam } from '../../../domain/referrals.js';

const REFUSAL_KEYS = {
  already_used: 'growth-promo-already-used',
  used_up: 'growth-promo-used-up',
  expired: 'growth-promo-expired',
  off: 'growth-promo-off',
} as const satisfies Record<string, MessageKey>;

export async function redeemAndReply(ctx: BotContext, text: string): Promise<void> {
  const result = await redeemPromo(ctx.deps.prisma, { userId: ctx.user.id, text, now: ctx.deps.now() });
  switch (result.status) {
    case 'redeemed':
      ctx.user.balance = result.balance;
      ctx.deps.logger.info({ userId: String(ctx.user.id), code: result.code, credits: result.credits }, 'promo code redeemed');
      return void (await ctx.reply(ctx.t('growth-promo-redeemed', { code: result.code, credits: result.credits, balance: result.balance })));
    case 'rate_limited': {
      const minutes = Math.max(1, Math.ceil((result.retryAt.getTime() - ctx.deps.now().getTime()) / 60_000));
      return void (await ctx.reply(ctx.t('growth-promo-rate-limited', { minutes })));
    }
    case 'unknown':
      return void (await ctx.reply(ctx.t('growth-promo-unknown')));
    default:
      return void (await ctx.reply(ctx.t(REFUSAL_KEYS[result.status], { code: result.code })));
  }
}

export function promoFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const privateChat = composer.chatType('private');
  privateChat.command('promo', async (ctx) => {
    const text = ctx.match.trim();
    if (text === '') return void (await ctx.reply(ctx.t('growth-promo-usage')));
    await redeemAndReply(ctx, text.split(/\s+/)[0]!);
  });
  // Before /start's greeting, so the greeting shows the new balance.
  privateChat.command('start', async (ctx, next) => {
    const { promo } = parseStartParam(ctx.match);
    if (promo) await redeemAndReply(ctx, promo);
    await next();
  });
  return composer;
}
