/**
 * /broadcast [all|paying|inactive|subscribers|ru|en] TEXT, with an optional button as the last
 * line: `[Label](https://…)` or `[Label](/command)` (a command becomes a t.me deep link that
 * opens it). The preview is the message exactly as users will get it (its button included),
 * with the segment's size and Send / Cancel buttons. Send queues it: one Broadcast and one
 * recipient row per user of the segment, in one transaction; the broadcast worker sends them and
 * reports the counts at the end. The broadcast id comes from the preview message, so a double
 * tap or a repeated update queues once. The tap is answered with an alert, so the admin's chat
 * gets no message until the report.
 */
import { InlineKeyboard } from 'grammy';
import { Composer } from '../../composer.js';
import type { InlineKeyboardButton } from 'grammy/types';
import { z } from 'zod';
import type { BotContext } from '../../context.js';
import { defineCallback } from '../../callback-data.js';
import { countBroadcastAudience, createBroadcast, MAX_BROADCAST_LENGTH, type BroadcastButton } from '../../../broadcast/queue.js';
import { isSegment, SEGMENTS, type Segment } from '../../../broadcast/segments.js';
import { BUTTON_COMMANDS } from '../growth/first-contact.js';
import { adminId } from './shared.js';

export const broadcastCallback = defineCallback('abc', { action: z.enum(['send', 'cancel']), segment: z.enum(SEGMENTS) });

export interface BroadcastCommandOptions {
  /** Called after a broadcast is queued (e.g. the worker's `wake`). */
  onQueued?: () => void;
}

export type ParsedBroadcast =
  { ok: true; segment: Segment; text: string; button?: BroadcastButton } | { ok: false; error: 'empty' | 'too_long' | 'bad_button' };

/** Splits "/broadcast" arguments into segment, text and button. */
export function parseBroadcast(input: string, botUsername: string): ParsedBroadcast {
  let rest = input.trim();
  let segment: Segment = 'all';
  const first = /^(\S+)(?:\s+|$)/.exec(rest);
  if (first && isSegment(first[1]!.toLowerCase())) {
    segment = first[1]!.toLowerCase() as Segment;
    rest = rest.slice(first[0].length);
  }
  const lines = rest.split('\n');
  const last = lines.at(-1)!.trim();
  let button: BroadcastButton | undefined;
  const m = /^\[([^\]\n]{1,64})\]\((\S+)\)$/.exec(last);
  if (m) {
    const [, label, target] = m as unknown as [string, string, string];
    const command = /^\/([a-z0-9_]{1,32})$/.exec(target);
    if (command) {
      if (!BUTTON_COMMANDS.has(command[1]!)) return { ok: false, error: 'bad_button' };
      button = { text: label.trim(), url: `https://t.me/${botUsername}?start=cmd_${command[1]}` };
    } else if (/^https?:\/\/[^\s/]+\.[^\s]+$/.test(target) && target.length <= 512) {
      button = { text: label.trim(), url: target };
    } else {
      return { ok: false, error: 'bad_button' };
    }
    lines.pop();
  }
  const text = lines.join('\n').trim();
  if (text === '') return { ok: false, error: 'empty' };
  if (text.length > MAX_BROADCAST_LENGTH) return { ok: false, error: 'too_long' };
  return { ok: true, segment, text, button };
}

export function broadcastCommands(options: BroadcastCommandOptions = {}): Composer<BotContext> {
  const composer = new Composer<BotContext>();

  composer.command('broadcast', async (ctx) => {
    const parsed = parseBroadcast(typeof ctx.match === 'string' ? ctx.match : '', ctx.me.username);
    if (!parsed.ok) {
      if (parsed.error === 'too_long') return void (await ctx.reply(ctx.t('admin-broadcast-too-long', { max: MAX_BROADCAST_LENGTH })));
      return void (await ctx.reply(ctx.t(parsed.error === 'bad_button' ? 'admin-broadcast-bad-button' : 'admin-usage-broadcast-segments')));
    }
    const count = await countBroadcastAudience(ctx.deps.prisma, parsed.segment, ctx.deps.now());
    await ctx.reply(
      parsed.segment === 'all'
        ? ctx.t('admin-broadcast-preview-title', { count })
        : ctx.t('admin-broadcast-preview-segment', { count, segment: ctx.t(`admin-broadcast-segment-${parsed.segment}`) }),
    );
    const rows: InlineKeyboardButton[][] = [];
    if (parsed.button) rows.push([InlineKeyboard.url(parsed.button.text, parsed.button.url)]);
    rows.push([
      InlineKeyboard.text(ctx.t('admin-broadcast-send'), broadcastCallback.pack({ action: 'send', segment: parsed.segment })),
      InlineKeyboard.text(ctx.t('admin-broadcast-cancel'), broadcastCallback.pack({ action: 'cancel', segment: parsed.segment })),
    ]);
    await ctx.reply(parsed.text, { reply_markup: InlineKeyboard.from(rows), link_preview_options: { is_disabled: true } });
  });

  composer.callbackQuery(broadcastCallback.filter, async (ctx) => {
    const data = broadcastCallback.parse(ctx.callbackQuery.data);
    const preview = ctx.callbackQuery.message;
    const text = preview && 'text' in preview ? preview.text : undefined;
    if (!data || !preview || !text) return void (await ctx.answerCallbackQuery({ text: ctx.t('admin-broadcast-expired'), show_alert: true }));
    // The message's own button is the preview's URL button (the admin's buttons are callbacks).
    const urlButton = (preview.reply_markup?.inline_keyboard ?? []).flat().find((b): b is InlineKeyboardButton.UrlButton => 'url' in b);
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
      segment: data.segment,
      button: urlButton ? { text: urlButton.text, url: urlButton.url } : undefined,
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
