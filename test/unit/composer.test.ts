/** The fast-branching Composer (src/bot/composer.ts) routes exactly like grammY's. */
import { Bot, Composer as GrammyComposer, type Context } from 'grammy';
import type { Update, UserFromGetMe } from 'grammy/types';
import { describe, expect, it } from 'vitest';
import { Composer } from '../../src/bot/composer.js';

const botInfo = { id: 1, is_bot: true, first_name: 'b', username: 'b_bot' } as UserFromGetMe;
const from = { id: 7, is_bot: false, first_name: 'A' };
const privateChat = { id: 7, type: 'private' as const, first_name: 'A' };
const groupChat = { id: -5, type: 'group' as const, title: 'G' };
let ids = 1;
const command = (text: string, chat: typeof privateChat | typeof groupChat = privateChat): Update => ({
  update_id: ids++,
  message: { message_id: ids, date: 0, chat, from, text, entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]!.length }] },
});
const tap = (data: string): Update => ({
  update_id: ids++,
  callback_query: { id: String(ids), from, chat_instance: 'x', data, message: { message_id: 1, date: 0, chat: privateChat, text: 'm' } },
});
const text = (t: string): Update => ({ update_id: ids++, message: { message_id: ids, date: 0, chat: privateChat, from, text: t } });

/** The same feature tree, built on the given Composer class; returns what handled each update. */
function route(ComposerClass: typeof GrammyComposer<Context>, updates: Update[]): Promise<string[]> {
  const log: string[] = [];
  const feature = new ComposerClass();
  const dm = feature.chatType('private');
  dm.command('start', (ctx) => void log.push(`start:${ctx.match}`));
  dm.callbackQuery(/^menu:(.+)$/, async (ctx, next) => {
    if (ctx.match[1] === 'skip') return next();
    log.push(`menu:${ctx.match[1]}`);
  });
  feature.filter(
    (ctx) => ctx.message?.text === 'secret',
    () => void log.push('filter'),
  );
  feature.drop(
    (ctx) => ctx.message?.text !== 'dropme',
    () => void log.push('drop'),
  );
  feature.branch(
    async (ctx) => ctx.chat?.type === 'group',
    (ctx) => void log.push(`group:${ctx.message?.text}`),
    (_ctx, next) => next(),
  );
  // Registered after the feature was installed: still runs (grammY reads handlers at call time).
  const bot = new Bot('1:x', { botInfo });
  bot.use(feature);
  dm.command('late', () => void log.push('late'));
  bot.use((ctx) => void log.push(`fallthrough:${ctx.update.update_id}`));
  return (async () => {
    for (const u of updates) await bot.handleUpdate(u);
    return log.map((l) => l.replace(/fallthrough:\d+/, 'fallthrough'));
  })();
}

describe('Composer', () => {
  it('routes commands, taps, filters, drops, branches and late registrations like grammY', async () => {
    const updates = () => [
      command('/start hello'),
      command('/start', groupChat),
      tap('menu:balance'),
      tap('menu:skip'),
      text('secret'),
      text('dropme'),
      command('/late'),
      text('nothing'),
    ];
    const ours = await route(Composer as unknown as typeof GrammyComposer<Context>, updates());
    const grammys = await route(GrammyComposer<Context>, updates());
    expect(ours).toEqual(grammys);
    expect(ours).toEqual(['start:hello', 'group:/start', 'menu:balance', 'fallthrough', 'filter', 'drop', 'late', 'fallthrough']);
  });

  it('filters, commands and use return composers of the fast class, so chains stay on it', () => {
    const c = new Composer<Context>();
    for (const made of [c.chatType('private'), c.command('x'), c.callbackQuery('y'), c.on('message'), c.use(() => {}), c.filter(() => true)]) {
      expect(made).toBeInstanceOf(Composer);
    }
  });
});
