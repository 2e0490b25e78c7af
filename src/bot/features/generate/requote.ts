/**
 * Re-quote at Confirm: the price or the offered options changed after the quote. The old quote
 * is dropped, a fresh one is stored with the current price and every choice the model no longer
 * offers reset to its default (named in the message), and nothing is charged; Confirm on the
 * fresh quote charges exactly its price (confirm.ts, once).
 */
import type { BotContext } from '../../context.js';
import type { MessageKey } from '../../../message-keys.js';
import { deleteQuote, type QuoteView } from '../../../domain/quotes.js';
import { describeQuote, getModel, isAvailable, requoteInputs, type StaleChoice } from '../../../domain/catalog.js';
import type { OptionKey } from '../../../domain/model-spec.js';
import type { Translate } from '../../i18n.js';
import { offerQuote } from './offer-quote.js';

const OPTION_NAMES: Record<OptionKey, MessageKey> = {
  mode: 'catalog-option-mode',
  duration: 'catalog-option-duration',
  resolution: 'catalog-option-resolution',
  aspectRatio: 'catalog-option-aspectRatio',
  sound: 'catalog-option-sound',
};

function valueLabel(t: Translate, key: OptionKey, value: string): string {
  if (key === 'duration') return t('duration-seconds', { seconds: Number(value) });
  if (key === 'mode' && ['std', 'pro', '4k'].includes(value)) return t(`catalog-mode-${value as 'std' | 'pro' | '4k'}`);
  if (key === 'sound' && (value === 'on' || value === 'off')) return t(`catalog-sound-${value}`);
  return value;
}

const staleLine = (t: Translate, s: StaleChoice) =>
  t('catalog-requote-choice', { option: t(OPTION_NAMES[s.key]), old: valueLabel(t, s.key, s.from), value: valueLabel(t, s.key, s.to) });

export async function requote(ctx: BotContext, quote: QuoteView): Promise<void> {
  const { prisma, providers } = ctx.deps;
  await deleteQuote(prisma, quote.id);
  const model = await getModel(prisma, quote.modelSlug, providers.configured);
  if (!model || !isAvailable(model)) {
    await ctx.reply(ctx.t('confirm-model-unavailable'));
    return;
  }
  const { inputs, stale } = requoteInputs(model, quote.inputs);
  const price = describeQuote(model, inputs).total;
  const head =
    stale.length > 0
      ? [...stale.map((s) => staleLine(ctx.t, s)), ctx.t('catalog-requote-nothing-charged', { old: quote.price, price })].join('\n')
      : ctx.t('confirm-price-changed', { old: quote.price, price });
  await offerQuote(ctx, model, inputs, price, head);
}
