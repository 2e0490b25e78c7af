/**
 * Confirm / Cancel of a quote, outside any conversation: the quote id is the generation id, so
 * a double tap, a redelivered update or a second instance ends in one charge.
 */
import { Composer } from '../../composer.js';
import type { BotContext } from '../../context.js';
import { confirmGeneration } from '../../../domain/generations.js';
import { generationOwnerOf } from '../../../jobs/generation-state.js';
import { deleteQuote, findQuote } from '../../../domain/quotes.js';
import { getModel } from '../../../domain/catalog.js';
import { quoteCallback } from './callbacks.js';
import { requote } from './requote.js';

const ETA_MINUTES: Record<string, string> = { lipsync: '3–6', text2video: '2–5', image2video: '2–5' };

export function confirmFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.callbackQuery(quoteCallback.filter, async (ctx) => {
    const data = quoteCallback.parse(ctx.callbackQuery.data);
    if (!data) return ctx.answerCallbackQuery();
    const { prisma, config, providers, now } = ctx.deps;
    const removeButtons = () => ctx.editMessageReplyMarkup({ reply_markup: undefined }).catch(() => {});

    if (data.action === 'no') {
      await deleteQuote(prisma, data.id);
      await ctx.answerCallbackQuery();
      await removeButtons();
      await ctx.reply(ctx.t('quote-cancelled'));
      return;
    }

    const owner = await generationOwnerOf(prisma, data.id);
    const quote = await findQuote(prisma, data.id, ctx.user.id, now());
    if (!quote) {
      await ctx.answerCallbackQuery(owner === ctx.user.id ? { text: ctx.t('confirm-duplicate') } : { text: ctx.t('quote-expired'), show_alert: true });
      await removeButtons();
      return;
    }

    const result = await confirmGeneration(prisma, {
      generationId: quote.id,
      userId: ctx.user.id,
      chatId: quote.chatId,
      modelSlug: quote.modelSlug,
      inputs: quote.inputs,
      quotedPrice: quote.price,
      language: ctx.locale,
      maxInFlight: config.MAX_JOBS_PER_USER,
      pollTimeoutMs: config.POLL_TIMEOUT_MS,
      now: now(),
      configuredProviders: providers.configured,
    });

    switch (result.status) {
      case 'created': {
        await ctx.answerCallbackQuery({ text: ctx.t('confirm-charged', { price: result.generation.price }) });
        await removeButtons();
        ctx.deps.wakeJobs(result.generation.id);
        const model = await getModel(prisma, quote.modelSlug);
        await ctx.reply(
          ctx.t('confirm-created', { model: model?.displayName ?? quote.modelSlug, eta: ETA_MINUTES[quote.kind] ?? '3–5', balance: result.balance }),
        );
        return;
      }
      case 'duplicate':
        await ctx.answerCallbackQuery({ text: ctx.t('confirm-duplicate') });
        await removeButtons();
        return;
      case 'busy':
        await ctx.answerCallbackQuery({ text: ctx.t('confirm-busy'), show_alert: true });
        return;
      case 'banned':
        await ctx.answerCallbackQuery({ text: ctx.t('error-banned'), show_alert: true });
        await removeButtons();
        return;
      case 'insufficient':
        await ctx.answerCallbackQuery();
        await ctx.reply(ctx.t('confirm-insufficient', { price: result.price, balance: result.balance }), {
          reply_markup: { inline_keyboard: [[{ text: ctx.t('button-topup'), callback_data: 'menu:topup' }]] },
        });
        return;
      case 'model_unavailable':
        await ctx.answerCallbackQuery();
        await removeButtons();
        await deleteQuote(prisma, quote.id);
        await ctx.reply(ctx.t('confirm-model-unavailable'));
        return;
      case 'price_changed':
        // Re-quote (requote.ts): a fresh quote with the current price and offered options; nothing is charged.
        await ctx.answerCallbackQuery();
        await removeButtons();
        await requote(ctx, quote);
        return;
    }
  });
  return composer;
}
