/** Starting the conversation engine on a task, from a command, the menu or a delivered video. */
import type { BotContext } from '../../context.js';
import type { SourceVideoRef } from '../../../domain/generation-inputs.js';
import type { TaskDef } from './tasks.js';

/** Starts the engine on a task; `source` is a delivered video (Extend, Make it talk, /history). */
export async function enterTask(ctx: BotContext, task: TaskDef, source?: SourceVideoRef): Promise<void> {
  if (ctx.user.banned) {
    await ctx.reply(ctx.t('error-banned'));
    return;
  }
  await ctx.conversation.exitAll();
  if (source) await ctx.conversation.enter('generate', task.id, ctx.locale, source);
  else await ctx.conversation.enter('generate', task.id, ctx.locale);
}
