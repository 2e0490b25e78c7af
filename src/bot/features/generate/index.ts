/**
 * The generation feature: one conversation engine (engine.ts) for every task of the menu
 * (tasks.ts), its entry commands and menu buttons, Confirm/Cancel and /history.
 */
import { Composer } from '../../composer.js';
import { createConversation } from '@grammyjs/conversations';
import type { BotContext, ConvContext } from '../../context.js';
import type { BotDeps } from '../../deps.js';
import { menuCallback } from '../../keyboards.js';
import { generateConversation } from './engine.js';
import { TASKS } from './tasks.js';
import { confirmFeature } from './confirm.js';
import { historyFeature } from './history.js';
import { enterTask } from './enter-task.js';
import { afterDeliveryFeature } from './after-delivery.js';

/** The conversation itself; installed right after the cancel feature. */
export function generationConversations(deps: BotDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const options = { maxMillisecondsToWait: deps.config.CONVERSATION_IDLE_MS };
  composer.use(createConversation<BotContext, ConvContext>(generateConversation(deps), { id: 'generate', ...options }));
  return composer;
}

/** Entry points, Confirm/Cancel and /history. */
export function generationFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const privateChat = composer.chatType('private');
  for (const task of TASKS.filter((t) => t.menu)) privateChat.command(task.command, (ctx) => enterTask(ctx, task));
  privateChat.callbackQuery(menuCallback.filter, async (ctx, next) => {
    const action = menuCallback.parse(ctx.callbackQuery.data)?.action;
    const task = TASKS.find((t) => t.menu && t.command === action);
    if (!task) return next();
    await ctx.answerCallbackQuery();
    await enterTask(ctx, task);
  });
  composer.use(confirmFeature());
  composer.use(historyFeature());
  composer.use(afterDeliveryFeature());
  return composer;
}
