/** /history: recent generations with their state; a finished one can be sent again. */
import { InlineKeyboard } from 'grammy';
import { Composer } from '../../composer.js';
import type { BotContext } from '../../context.js';
import { menuCallback } from '../../keyboards.js';
import { getUserGeneration, listHistory } from '../../../domain/generations.js';
import { historyCallback } from './callbacks.js';
import { actionsFor, deliveredVideo } from '../../../domain/after-delivery.js';
import { afterDeliveryButtons } from '../../after-delivery-keyboard.js';

async function showHistory(ctx: BotContext): Promise<void> {
  const items = await listHistory(ctx.deps.prisma, ctx.user.id, 10);
  if (items.length === 0) {
    await ctx.reply(ctx.t('history-empty'));
    return;
  }
  const fmt = new Intl.DateTimeFormat(ctx.locale === 'ru' ? 'ru-RU' : 'en-GB', {
    day: '2-digit',
    month: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: 'UTC',
  });
  const lines = [ctx.t('history-title')];
  const keyboard = new InlineKeyboard();
  for (const [i, item] of items.entries()) {
    lines.push(
      ctx.t('history-item', { n: i + 1, model: item.displayName, date: fmt.format(item.createdAt), state: ctx.t(`state-${item.state}`), price: item.price }),
    );
    if (!(item.telegramFileId || item.resultUrl)) continue;
    keyboard.text(ctx.t('history-resend', { n: i + 1 }), historyCallback.pack({ id: item.id }));
    // Again / Extend / Make it talk, as under the delivered video.
    const video = item.state === 'delivered' ? await deliveredVideo(ctx.deps.prisma, ctx.user.id, item.id) : null;
    if (video) for (const button of afterDeliveryButtons(ctx.t, item.id, actionsFor(video, ctx.deps.now()), ` ${i + 1}`)) keyboard.add(button);
    keyboard.row();
  }
  await ctx.reply(lines.join('\n'), { reply_markup: keyboard });
}

export function historyFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const privateChat = composer.chatType('private');
  privateChat.command('history', showHistory);
  privateChat.callbackQuery(menuCallback.filter, async (ctx, next) => {
    if (menuCallback.parse(ctx.callbackQuery.data)?.action !== 'history') return next();
    await ctx.answerCallbackQuery();
    await showHistory(ctx);
  });
  privateChat.callbackQuery(historyCallback.filter, async (ctx) => {
    const data = historyCallback.parse(ctx.callbackQuery.data);
    const generation = data && (await getUserGeneration(ctx.deps.prisma, ctx.user.id, data.id));
    await ctx.answerCallbackQuery();
    if (!generation) return;
    if (generation.telegramFileId) {
      await ctx.replyWithVideo(generation.telegramFileId, { caption: ctx.t('video-caption-again', { model: generation.modelSlug }), supports_streaming: true });
    } else if (generation.resultUrl) {
      await ctx.reply(ctx.t('history-link', { url: generation.resultUrl }));
    }
  });
  return composer;
}
