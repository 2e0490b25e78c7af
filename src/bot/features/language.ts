/** /language: pick Russian or English; the choice is stored on the user. */
import { InlineKeyboard } from 'grammy';
import { Composer } from '../composer.js';
import { z } from 'zod';
import type { BotContext } from '../context.js';
import { defineCallback } from '../callback-data.js';
import { LOCALES } from '../i18n.js';
import { setLanguage } from '../../domain/users.js';

export const languageCallback = defineCallback('lang', { code: z.enum(['en', 'ru']) });

export function languageFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const privateChat = composer.chatType('private');
  privateChat.command('language', async (ctx) => {
    const keyboard = InlineKeyboard.from([LOCALES.map((code) => InlineKeyboard.text(ctx.deps.i18n.t(code, 'language-name'), languageCallback.pack({ code })))]);
    await ctx.reply(ctx.t('language-choose'), { reply_markup: keyboard });
  });
  privateChat.callbackQuery(languageCallback.filter, async (ctx) => {
    const data = languageCallback.parse(ctx.callbackQuery.data);
    if (!data) return ctx.answerCallbackQuery();
    await setLanguage(ctx.deps.prisma, ctx.user.id, data.code);
    ctx.locale = data.code;
    await ctx.answerCallbackQuery();
    await ctx.editMessageText(ctx.t('language-set')).catch(() => ctx.reply(ctx.t('language-set')));
  });
  return composer;
}
