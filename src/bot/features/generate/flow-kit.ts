/**
 * Building blocks shared by the generation conversations. Everything that touches the
 * database, the network or the clock goes through `conversation.external` (replay-safe); Bot
 * API calls are made on the conversation's own ctx, never inside `external`.
 *
 * Waits consume every update (`conversation.wait()`, then a check), never the plugin's
 * `waitFor…(…, { otherwise })`: a non-matching update there is *skipped*, which writes no state.
 * With several instances that loses input: an instance that read the state just before another
 * one saved it sees a tap as stray, skips it without a write, and the compare-and-set of the
 * conversation storage never sees the conflict (test/e2e/two-instances.test.ts reproduces it).
 * A consumed update is written, so the loser of the race fails its write and Telegram
 * redelivers the update to a fresh state.
 */
import { randomUUID } from 'node:crypto';
import { InlineKeyboard } from 'grammy';
import type { BotConversation, ConvContext } from '../../context.js';
import type { BotDeps } from '../../deps.js';
import type { Locale, Translate } from '../../i18n.js';
import { UserError } from '../../../domain/errors.js';
import type { GenerationInputs } from '../../../domain/generation-inputs.js';
import { checkFit, describeQuote, listModels, validateRequest, type CatalogEntry } from '../../../domain/catalog.js';
import { saveQuote, setQuoteMessage } from '../../../domain/quotes.js';
import { countInFlight } from '../../../domain/generations.js';
import type { GenerationKind, ValidationIssue } from '../../../providers/types.js';
import { modelCallback, quoteCallback } from './callbacks.js';
import { specById } from '../../../domain/specs.js';
import { collapseFamilies, loadPreferences } from '../../../domain/model-families.js';

export interface Flow {
  conversation: BotConversation;
  ctx: ConvContext;
  deps: BotDeps;
  locale: Locale;
  t: Translate;
}

export function makeFlow(conversation: BotConversation, ctx: ConvContext, deps: BotDeps, locale: string): Flow {
  const l: Locale = deps.i18n.isLocale(locale) ? locale : 'en';
  return { conversation, ctx, deps, locale: l, t: (key, vars) => deps.i18n.t(l, key, vars) };
}

/** Renders a validation issue from the domain or a provider. */
export function issueText(t: Translate, issue: ValidationIssue): string {
  return t(`issue-${issue.code}`, issue.vars);
}

/** Answers a stray button tap inside a step that waits for a message. */
async function answerStray(ctx: ConvContext): Promise<void> {
  if (ctx.callbackQuery) await ctx.answerCallbackQuery().catch(() => {});
}

/**
 * Waits for a message that `accept` turns into a value. `accept` may throw a UserError (its text
 * is sent and the step waits again); returning null re-prompts with `reprompt`.
 */
export async function askFor<T>(flow: Flow, reprompt: string, accept: (ctx: ConvContext) => Promise<T | null> | T | null): Promise<T> {
  for (;;) {
    const next = await flow.conversation.wait();
    if (!next.message) {
      await answerStray(next);
      continue;
    }
    try {
      const value = await accept(next);
      if (value !== null) return value;
      await next.reply(reprompt);
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      await next.reply(flow.t(error.key, error.vars));
    }
  }
}

/**
 * Runs `task` through `conversation.external` (replay-safe) and lets a UserError it throws cross
 * the replay boundary: it is stored as a result and thrown again here, in the conversation.
 */
export async function runOutside<T>(flow: Flow, task: () => Promise<T>): Promise<T> {
  const result = await flow.conversation.external(async () => {
    try {
      return { ok: true as const, value: await task() };
    } catch (error) {
      if (error instanceof UserError) return { ok: false as const, key: error.key, vars: error.vars };
      throw error;
    }
  });
  if (!result.ok) throw new UserError(result.key, result.vars);
  return result.value;
}

/** Checks a prompt from a text message; throws a UserError for an empty or too long one. */
export function checkPrompt(text: string | undefined, max: number): string {
  const prompt = (text ?? '').trim();
  if (!prompt) throw new UserError('prompt-empty');
  if (prompt.length > max) throw new UserError('prompt-too-long', { length: prompt.length, max });
  return prompt;
}

/** Refuses to start a flow when the user already has the maximum of generations in flight. */
export async function ensureNotBusy(flow: Flow, userId: number): Promise<void> {
  const { deps } = flow;
  const inFlight = await flow.conversation.external(() => countInFlight(deps.prisma, BigInt(userId)));
  if (inFlight >= deps.config.MAX_JOBS_PER_USER) throw new UserError('flow-busy');
}

export interface ModelOption {
  model: CatalogEntry;
  price: number;
  issues: ValidationIssue[];
}

/** The enabled, configured models of a kind with their price and the reasons they do not fit. */
export async function modelOptions(flow: Flow, kind: GenerationKind, inputs: GenerationInputs): Promise<ModelOption[]> {
  const { deps } = flow;
  const models = await flow.conversation.external(async () => {
    const listed = await listModels(deps.prisma, { kind, enabledOnly: true, configuredProviders: deps.providers.configured });
    // One entry per model family sold by two providers: the row of the provider the job would use.
    const list = collapseFamilies(listed, await loadPreferences(deps.prisma));
    return list
      .filter((model) => model.spec !== undefined)
      .map((model) => {
        const issues = [...checkFit(model, inputs), ...validateRequest(model, inputs, deps.providers.get(model.provider))];
        let price = 0;
        try {
          price = describeQuote(model, inputs).total;
        } catch {
          issues.push({ code: 'audio-duration-unknown' });
        }
        // The spec is code: not stored in the conversation's replay log, attached again below.
        return { model: { ...model, spec: undefined }, specId: model.spec!.id, price, issues: dedupeIssues(issues) };
      });
  });
  return models.map(({ specId, ...o }) => ({ ...o, model: { ...o.model, spec: specById(specId) } }));
}

function dedupeIssues(issues: ValidationIssue[]): ValidationIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => (seen.has(i.code) ? false : (seen.add(i.code), true)));
}

/**
 * Lets the user pick among fitting models (picked automatically when only one fits); models that
 * do not fit are listed with the reason. Throws a UserError when none fits.
 */
export async function chooseModel(flow: Flow, options: ModelOption[], header: string): Promise<ModelOption> {
  const { t, ctx } = flow;
  if (options.length === 0) throw new UserError('no-models');
  const fitting = options.filter((o) => o.issues.length === 0);
  const unfit = options.filter((o) => o.issues.length > 0);
  const reasons = unfit.map((o) => `• ${o.model.displayName}: ${o.issues.map((i) => issueText(t, i)).join('; ')}`);
  if (fitting.length === 0) throw new UserError('no-models-fit', { reasons: reasons.join('\n') });
  if (fitting.length === 1 && unfit.length === 0) return fitting[0]!;
  const keyboard = InlineKeyboard.from(
    fitting.map((o) => [InlineKeyboard.text(t('model-option', { name: o.model.displayName, price: o.price }), modelCallback.pack({ slug: o.model.slug }))]),
  );
  const text = [header, ...(reasons.length ? ['', t('models-unfit-title'), ...reasons] : [])].join('\n');
  await ctx.reply(text, { reply_markup: keyboard });
  for (;;) {
    const next = await flow.conversation.wait();
    const data = modelCallback.parse(next.callbackQuery?.data);
    const chosen = data && fitting.find((o) => o.model.slug === data.slug);
    if (chosen) {
      await next.answerCallbackQuery().catch(() => {});
      await next.editMessageReplyMarkup({ reply_markup: undefined }).catch(() => {});
      return chosen;
    }
    if (next.callbackQuery) await next.answerCallbackQuery().catch(() => {});
    else if (next.message) await next.reply(t('choose-model-reprompt'));
  }
}

/** Ends a flow: stores the quote and shows price, balance and Confirm / Cancel. */
export async function showQuote(flow: Flow, chosen: ModelOption, inputs: GenerationInputs, userId: number, chatId: number): Promise<void> {
  const { deps, t, ctx, conversation, locale } = flow;
  const id = await conversation.external(() => randomUUID());
  const { balance } = await conversation.external(async () => {
    await saveQuote(
      deps.prisma,
      {
        id,
        userId: BigInt(userId),
        chatId: BigInt(chatId),
        modelSlug: chosen.model.slug,
        kind: chosen.model.kind,
        inputs,
        price: chosen.price,
        language: locale,
      },
      deps.now(),
    );
    const user = await deps.prisma.user.findUniqueOrThrow({ where: { id: BigInt(userId) }, select: { balance: true } });
    return { balance: user.balance };
  });
  const message = await ctx.reply(quoteText(t, chosen.model.displayName, chosen.price, balance, inputs), {
    reply_markup: quoteKeyboard(t, id, chosen.price, balance),
  });
  await conversation.external(() => setQuoteMessage(deps.prisma, id, message.message_id));
}

/** The quote: model, every choice, price and balance. */
export function quoteText(t: Translate, modelName: string, price: number, balance: number, inputs: GenerationInputs): string {
  const lines = [t('quote-title', { model: modelName })];
  const o = inputs.options ?? {};
  if (inputs.audioSeconds) lines.push(t('quote-audio', { seconds: Math.ceil(inputs.audioSeconds) }));
  if (o.mode) lines.push(t('catalog-quote-mode', { mode: t(`catalog-mode-${o.mode}`) }));
  if (o.duration) lines.push(t('quote-duration', { seconds: o.duration }));
  if (o.resolution) lines.push(t('catalog-quote-resolution', { resolution: o.resolution }));
  if (o.aspectRatio) lines.push(t('quote-aspect', { ratio: o.aspectRatio }));
  if (o.sound !== undefined) lines.push(t('catalog-quote-sound', { sound: t(o.sound ? 'catalog-sound-on' : 'catalog-sound-off') }));
  if (inputs.endImage) lines.push(t('catalog-quote-end-image'));
  if (inputs.prompt) lines.push(t('quote-prompt', { prompt: inputs.prompt.length > 200 ? `${inputs.prompt.slice(0, 200)}…` : inputs.prompt }));
  if (inputs.negativePrompt) {
    const avoid = inputs.negativePrompt;
    lines.push(t('catalog-quote-negative-prompt', { prompt: avoid.length > 200 ? `${avoid.slice(0, 200)}…` : avoid }));
  }
  lines.push('', t('quote-price', { price }), t('quote-balance', { balance }));
  if (balance < price) lines.push('', t('quote-insufficient', { missing: price - balance }));
  return lines.join('\n');
}

export function quoteKeyboard(t: Translate, id: string, price: number, balance: number): InlineKeyboard {
  const keyboard = new InlineKeyboard()
    .text(t('button-confirm', { price }), quoteCallback.pack({ action: 'ok', id }))
    .text(t('button-cancel'), quoteCallback.pack({ action: 'no', id }));
  if (balance < price) keyboard.row().text(t('button-topup'), 'menu:topup');
  return keyboard;
}
