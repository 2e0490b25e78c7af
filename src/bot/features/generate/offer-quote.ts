/**
 * A quote offered outside a conversation (🔁 Again, the re-quote at Confirm): stores it, shows
 * price, balance and Confirm / Cancel (under an optional `head`), and records the message. The
 * conversation engine's own ending is `showQuote` (flow-kit.ts, replay-safe).
 */
import { randomUUID } from 'node:crypto';
import type { BotContext } from '../../context.js';
import type { CatalogEntry } from '../../../domain/catalog.js';
import type { GenerationInputs } from '../../../domain/generation-inputs.js';
import { saveQuote, setQuoteMessage } from '../../../domain/quotes.js';
import { quoteKeyboard, quoteText } from './flow-kit.js';

export async function offerQuote(ctx: BotContext, model: CatalogEntry, inputs: GenerationInputs, price: number, head?: string): Promise<void> {
  const { prisma, now } = ctx.deps;
  const quote = await saveQuote(
    prisma,
    { id: randomUUID(), userId: ctx.user.id, chatId: BigInt(ctx.chat!.id), modelSlug: model.slug, kind: model.kind, inputs, price, language: ctx.locale },
    now(),
  );
  const text = quoteText(ctx.t, model.displayName, price, ctx.user.balance, inputs);
  const message = await ctx.reply(head ? `${head}\n\n${text}` : text, { reply_markup: quoteKeyboard(ctx.t, quote.id, price, ctx.user.balance) });
  await setQuoteMessage(prisma, quote.id, message.message_id);
}
