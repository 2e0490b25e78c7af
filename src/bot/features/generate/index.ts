/**
 * The generation feature: the three flows (conversations), their entry commands and menu
 * buttons, Confirm/Cancel and /history.
 */
import { Composer } from 'grammy';
import { createConversation } from '@grammyjs/conversations';
import type { BotContext, ConvContext } from '../../context.js';
import type { BotDeps } from '../../deps.js';
import { menuCallback } from '../../keyboards.js';
import { lipsyncConversation } from './lipsync.js';
import { text2videoConversation } from './text2video.js';
import { image2videoConversation } from './image2video.js';
import { confirmFeature } from './confirm.js';
import { historyFeature } from './history.js';

const FLOWS = ['lipsync', 'text2video', 'image2video'] as const;
type FlowId = (typeof FLOWS)[number];

/** The conversations themselves; installed right after the cancel feature. */
export function generationConversations(deps: BotDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const options = { maxMillisecondsToWait: deps.config.CONVERSATION_IDLE_MS };
  composer.use(createConversation<BotContext, ConvContext>(lipsyncConversation(deps), { id: 'lipsync', ...options }));
  composer.use(createConversation<BotContext, ConvContext>(text2videoConversation(deps), { id: 'text2video', ...options }));
  composer.use(createConversation<BotContext, ConvContext>(image2videoConversation(deps), { id: 'image2video', ...options }));
  return composer;
}

async function enterFlow(ctx: BotContext, flow: FlowId): Promise<void> {
  if (ctx.user.banned) {
    await ctx.reply(ctx.t('error-banned'));
    return;
  }
  await ctx.conversation.exitAll();
  await ctx.conversation.enter(flow, ctx.locale);
}

/** Entry points, Confirm/Cancel and /history. */
export function generationFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const privateChat = composer.chatType('private');
  for (const flow of FLOWS) privateChat.command(flow, (ctx) => enterFlow(ctx, flow));
  privateChat.callbackQuery(menuCallback.filter, async (ctx, next) => {
    const action = menuCallback.parse(ctx.callbackQuery.data)?.action;
    if (!action || !(FLOWS as readonly string[]).includes(action)) return next();
    await ctx.answerCallbackQuery();
    await enterFlow(ctx, action as FlowId);
  });
  composer.use(confirmFeature());
  composer.use(historyFeature());
  return composer;
}
