/**
 * Installed between the conversations plugin and the flows: /cancel leaves any flow, and any
 * other command typed in the middle of a flow leaves it too and then runs as usual.
 */
import { Composer } from '../composer.js';
import type { BotContext } from '../context.js';
import { isCommand } from '../middlewares/app-context.js';

export function cancelFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.command('cancel', async (ctx) => {
    const active = Object.keys(ctx.conversation.active()).length > 0;
    if (active) await ctx.conversation.exitAll();
    await ctx.reply(ctx.t(active ? 'cancel-done' : 'cancel-nothing'));
  });
  composer.on('message', async (ctx, next) => {
    if (isCommand(ctx) && Object.keys(ctx.conversation.active()).length > 0) await ctx.conversation.exitAll();
    await next();
  });
  // A main-menu tap in the middle of a flow leaves the flow, then the tap is handled as usual.
  composer.callbackQuery(/^menu:/, async (ctx, next) => {
    if (Object.keys(ctx.conversation.active()).length > 0) await ctx.conversation.exitAll();
    await next();
  });
  return composer;
}
