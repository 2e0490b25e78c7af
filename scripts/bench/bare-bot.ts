/**
 * The baseline of scripts/bench/updates.ts: a bare grammY + @grammyjs/runner bot that makes the
 * same Bot API calls per update as the real bot — a message gets one sendMessage, a button tap
 * answerCallbackQuery then sendMessage — with the same Bot API client (grammY's default
 * transport) and runner options (long polling, allowed_updates) as src/app.ts; no database, no
 * middleware. The ratio real/bare is then the cost of everything the bot adds, not of calls the
 * protocol requires.
 *
 *   BOT_TOKEN=… TELEGRAM_API_ROOT=http://127.0.0.1:… npx tsx scripts/bench/bare-bot.ts
 *
 * Env: BARE_SEQUENTIALIZE=1 adds @grammyjs/runner's sequentialize per chat, as the real bot has.
 */
import { run, sequentialize } from '@grammyjs/runner';
import { Bot } from 'grammy';

const token = process.env.BOT_TOKEN;
const apiRoot = process.env.TELEGRAM_API_ROOT;
if (!token || !apiRoot) {
  process.stderr.write('BOT_TOKEN and TELEGRAM_API_ROOT are required\n');
  process.exit(2);
}

const bot = new Bot(token, { client: { apiRoot, timeoutSeconds: 60 } });
if (process.env.BARE_SEQUENTIALIZE === '1') {
  bot.use(sequentialize((ctx) => ctx.chat?.id.toString() ?? (ctx.from ? `u${ctx.from.id}` : undefined)));
}
bot.on(['message', 'callback_query'], async (ctx) => {
  if (ctx.callbackQuery) await ctx.answerCallbackQuery();
  const chatId = ctx.chat?.id ?? ctx.from?.id;
  if (chatId !== undefined) await ctx.api.sendMessage(chatId, 'ok');
});
bot.catch((err) => process.stderr.write(`bare bot error: ${String(err.error)}\n`));

await bot.init();
await bot.api.deleteWebhook();
const runner = run(bot, {
  runner: {
    fetch: {
      timeout: Number(process.env.POLLING_TIMEOUT_SECONDS ?? 30),
      allowed_updates: ['message', 'callback_query', 'pre_checkout_query', 'my_chat_member'],
    },
    silent: true,
  },
});
process.stdout.write('bare bot started\n');

const stop = () => {
  void (async () => {
    if (runner.isRunning()) await runner.stop();
    process.exit(0);
  })();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
