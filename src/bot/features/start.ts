/** /start and /help, the main menu and its non-flow buttons. */
import { Composer } from '../composer.js';
import type { BotContext } from '../context.js';
import { mainMenu, menuCallback } from '../keyboards.js';
import { availableTasks } from './generate/tasks.js';

export async function replyWithMenu(ctx: BotContext): Promise<void> {
  // Catalog v2: a task shows only when an enabled, configured model serves it.
  const { deps } = ctx;
  const models = await deps.catalog.listModels(deps.prisma, { enabledOnly: true, configuredProviders: deps.providers.configured }, ctx.catalogStamp);
  const tasks = availableTasks(models, deps.providers);
  await ctx.reply(ctx.t('start-greeting', { name: ctx.from?.first_name ?? '', balance: ctx.user.balance }), {
    reply_markup: mainMenu(ctx.t, tasks),
  });
}

export function startFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const privateChat = composer.chatType('private');
  privateChat.command('start', replyWithMenu);
  privateChat.command('help', (ctx) => ctx.reply(ctx.t('help-text')));
  privateChat.callbackQuery(menuCallback.filter, async (ctx, next) => {
    const data = menuCallback.parse(ctx.callbackQuery.data);
    if (data?.action !== 'help') return next();
    await ctx.answerCallbackQuery();
    await ctx.reply(ctx.t('help-text'));
  });
  return composer;
}
