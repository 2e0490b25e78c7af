/** The catch-all, installed last: unknown commands, stray messages and stale buttons. */
import { Composer } from '../composer.js';
import type { BotContext } from '../context.js';
import { isCommand } from '../middlewares/app-context.js';

export function unknownFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const privateChat = composer.chatType('private');
  privateChat.on('message', async (ctx) => {
    await ctx.reply(ctx.t(isCommand(ctx) ? 'unknown-command' : 'unknown-message'));
  });
  composer.on('callback_query', (ctx) => ctx.answerCallbackQuery());
  return composer;
}
