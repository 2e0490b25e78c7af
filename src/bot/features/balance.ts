/** /balance and the Balance menu button. */
import { Composer } from '../composer.js';
import type { BotContext } from '../context.js';
import { menuCallback } from '../keyboards.js';

async function showBalance(ctx: BotContext): Promise<void> {
  await ctx.reply(`${ctx.t('balance-text', { balance: ctx.user.balance })}\n${ctx.t('balance-topup-hint')}`);
}

export function balanceFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const privateChat = composer.chatType('private');
  privateChat.command('balance', showBalance);
  privateChat.callbackQuery(menuCallback.filter, async (ctx, next) => {
    if (menuCallback.parse(ctx.callbackQuery.data)?.action !== 'balance') return next();
    await ctx.answerCallbackQuery();
    await showBalance(ctx);
  });
  return composer;
}
