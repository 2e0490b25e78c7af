/**
 * /alerts: the admin alert conditions that hold now (or are muted), with buttons to mute one for
 * an hour or a day, or to lift the mute. Text forms: `/alerts mute ID MINUTES`, `/alerts unmute ID`.
 * Every mute is written to the audit log.
 */
import { InlineKeyboard } from 'grammy';
import { Composer } from '../../composer.js';
import { z } from 'zod';
import type { BotContext } from '../../context.js';
import { defineCallback } from '../../callback-data.js';
import { describe } from '../../../alerts/conditions.js';
import { isMuted } from '../../../alerts/policy.js';
import type { StoredAlert } from '../../../alerts/store.js';
import { adminId, args, formatDate } from './shared.js';

export const alertCallback = defineCallback('alr', {
  action: z.enum(['mute', 'unmute']),
  id: z.coerce.number().int().positive().max(2_000_000_000),
  minutes: z.coerce
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 60),
});

const MAX_MUTE_MINUTES = 7 * 24 * 60;

function line(ctx: BotContext, alert: StoredAlert, now: Date): string {
  const wording = describe(alert.key, alert.details, false);
  const state = alert.active ? ctx.t('ops-alerts-state-active', { since: formatDate(alert.firstSeenAt ?? now) }) : ctx.t('ops-alerts-state-clear');
  const muted = isMuted(alert, now) ? ' ' + ctx.t('ops-alerts-muted-until', { until: formatDate(alert.mutedUntil!) }) : '';
  return `#${alert.id} ${ctx.t(wording.key, wording.vars)}\n${state}${muted}`;
}

async function showAlerts(ctx: BotContext): Promise<void> {
  const alerts = ctx.deps.alerts;
  if (!alerts) {
    await ctx.reply(ctx.t('ops-alerts-off'));
    return;
  }
  const now = ctx.deps.now();
  const list = await alerts.list();
  if (list.length === 0) {
    await ctx.reply(ctx.t('ops-alerts-none'));
    return;
  }
  const keyboard = new InlineKeyboard();
  for (const alert of list) {
    if (isMuted(alert, now)) {
      keyboard.text(ctx.t('ops-alerts-button-unmute', { id: alert.id }), alertCallback.pack({ action: 'unmute', id: alert.id, minutes: 0 })).row();
    } else {
      keyboard
        .text(ctx.t('ops-alerts-button-mute-hour', { id: alert.id }), alertCallback.pack({ action: 'mute', id: alert.id, minutes: 60 }))
        .text(ctx.t('ops-alerts-button-mute-day', { id: alert.id }), alertCallback.pack({ action: 'mute', id: alert.id, minutes: 24 * 60 }))
        .row();
    }
  }
  const text = [ctx.t('ops-alerts-title', { count: list.filter((a) => a.active).length }), '', ...list.map((a) => line(ctx, a, now))].join('\n\n');
  await ctx.reply(text.slice(0, 4000), { reply_markup: keyboard });
}

async function mute(ctx: BotContext, id: number, minutes: number): Promise<string> {
  const result = await ctx.deps.alerts?.mute(id, adminId(ctx), minutes);
  if (!result) return ctx.t('ops-alerts-not-found', { id });
  ctx.deps.logger.info({ admin: ctx.from?.id, alert: result.key, minutes }, minutes > 0 ? 'alert muted' : 'alert unmuted');
  return minutes > 0 ? ctx.t('ops-alerts-muted', { id, until: formatDate(result.mutedUntil!) }) : ctx.t('ops-alerts-unmuted', { id });
}

export function alertsCommand(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.command('alerts', async (ctx) => {
    const [action, idText, minutesText] = args(ctx);
    if (!action) return showAlerts(ctx);
    const id = Number(idText);
    const minutes = action === 'unmute' ? 0 : Number(minutesText);
    const valid =
      (action === 'mute' || action === 'unmute') &&
      Number.isSafeInteger(id) &&
      id > 0 &&
      Number.isSafeInteger(minutes) &&
      minutes >= (action === 'mute' ? 1 : 0) &&
      minutes <= MAX_MUTE_MINUTES;
    if (!valid || !ctx.deps.alerts) {
      await ctx.reply(ctx.t('ops-alerts-usage'));
      return;
    }
    await ctx.reply(await mute(ctx, id, minutes));
  });
  composer.callbackQuery(alertCallback.filter, async (ctx) => {
    const data = alertCallback.parse(ctx.callbackQuery.data);
    if (!data || !ctx.deps.alerts) {
      await ctx.answerCallbackQuery({ text: ctx.t('ops-alerts-usage') });
      return;
    }
    const text = await mute(ctx, data.id, data.action === 'mute' ? Math.max(1, data.minutes) : 0);
    await ctx.answerCallbackQuery({ text: text.slice(0, 190) });
    await ctx.reply(text);
  });
  return composer;
}
