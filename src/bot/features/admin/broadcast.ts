/**
 * /broadcast TEXT: a preview (the message exactly as users will get it) with Send / Cancel
 * buttons. Send queues it: one Broadcast and one recipient row per reachable, non-banned user,
 * in one transaction; the broadcast worker sends them and reports the counts at the end. The
 * broadcast id comes from the preview message, so a double tap or a repeated update queues once.
 * The tap is answered with an alert, so the admin's chat gets no message until the report.
 */
import { Composer, InlineKeyboard } from 'grammy';
import { z } from 'zod';
import type { BotContext } from '../../context.js';
import { defineCallback } from '../../callback-data.js';
import { countBroadcastAudience, createBroadcast, MAX_BROADCAST_LENGTH } from '../../../broadcast/queue.js';
import { adminId, usage } from './shared.js';

export const broadcastCallback = defineCallback('abc', { action: z.enum(['send', 'cancel']) });

export interface BroadcastCommandOptions {
  /** Called after a broadcast is queued (e.g. the worker's `wake`). */
  onQueued?: () => void;
}

export function broadcastCommands(options: BroadcastCommandOptions = {}): Composer<BotContext> {
  const composer = new Composer<BotContext>();

  composer.command('broadcast', async (ctx) => {
    const text = (typeof ctx.match === 'string' ? ctx.match : '').trim();
    if (text === '') return usage(ctx, 'broadcast');
    if (text.length > MAX_BROADCAST_LENGTH) return void (await ctx.reply(ctx.t('admin-broadcast-too-long', { max: MAX_BROADCAST_LENGTH })));
    const count = await countBroadcastAudience(ctx.deps.prisma);
    await ctx.reply(ctx.t('admin-broadcast-preview-title', { count }));
    const keyboard = InlineKeyboard.from([
      [
        InlineKeyboard.text(ctx.t('admin-broadcast-send'), broadcastCallback.pack({ action: 'send' })),
        InlineKeyboard.text(ctx.t('admin-broadcast-cancel'), broadcastCallback.pack({ action: 'cancel' })),
      ],
    ]);
    await ctx.reply(text, { reply_markup: keyboard, link_preview_options: { is_disabled: true } });
  });

  composer.callbackQuery(broadcastCallback.filter, async (ctx) => {
    const data = broadcastCallback.parse(ctx.callbackQuery.data);
    const preview = ctx.callbackQuery.message;
    const text = preview && 'text' in preview ? preview.text : undefined;
    if (!data || !preview || !text) return void (await ctx.answerCallbackQuery({ text: ctx.t('admin-broadcast-expired'), show_alert: true }));
    // Take the buttons off first; a second tap then finds nothing to press.
    await ctx.editMessageReplyMarkup({ reply_markup: undefined }).catch(() => {});
    if (data.action === 'cancel') {
      await ctx.answerCallbackQuery();
      await ctx.reply(ctx.t('admin-broadcast-cancelled'));
      return;
    }
    const id = `bc-${preview.chat.id}-${preview.message_id}`;
    const broadcast = await createBroadcast(ctx.deps.prisma, {
      id,
      adminId: adminId(ctx),
      chatId: BigInt(preview.chat.id),
      text,
      now: ctx.deps.now(),
    });
    if (broadcast) options.onQueued?.();
    // Answered on the button (no new message): the next message in this chat is the report.
    await ctx.answerCallbackQuery({
      text: broadcast ? ctx.t('admin-broadcast-queued', { count: broadcast.total }) : ctx.t('admin-broadcast-already-queued'),
      show_alert: true,
    });
  });

  return composer;
}
