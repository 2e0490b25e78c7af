/**
 * Talking avatar: photo → audio → model (those that fit the audio) → optional prompt → quote.
 * The flow only collects and checks input; Confirm is handled outside (confirm.ts).
 */
import type { BotConversation, ConvContext } from '../../context.js';
import type { BotDeps } from '../../deps.js';
import type { GenerationInputs } from '../../../domain/generation-inputs.js';
import { audioCandidate, checkAudio, checkImage, imageCandidate } from './media-input.js';
import { askFor, checkPrompt, chooseModel, chooseOption, ensureNotBusy, external, issueText, makeFlow, modelOptions, optionKeyboard, showQuote, type ModelOption } from './flow-kit.js';
import { UserError } from '../../../domain/errors.js';

export const LIPSYNC_PROMPT_MAX = 5000;

export function lipsyncConversation(deps: BotDeps) {
  return async function lipsync(conversation: BotConversation, ctx: ConvContext, locale: string): Promise<void> {
    const flow = makeFlow(conversation, ctx, deps, locale);
    const { t } = flow;
    const userId = ctx.from!.id;
    const chatId = ctx.chat!.id;
    await ensureNotBusy(flow, userId);

    await ctx.reply(t('lipsync-ask-photo'));
    const image = await askFor(flow, t('lipsync-need-photo'), async (next) => {
      const candidate = imageCandidate(next.message);
      if (!candidate) return null;
      const ref = await external(flow, () => checkImage(deps.files, candidate));
      await next.reply(t('lipsync-photo-ok'));
      return ref;
    });

    await ctx.reply(t('lipsync-ask-audio'));
    let inputs: GenerationInputs;
    let options: ModelOption[];
    for (;;) {
      const audio = await askFor(flow, t('lipsync-need-audio'), async (next) => {
        const candidate = audioCandidate(next.message);
        if (!candidate) return null;
        return external(flow, () => checkAudio(deps.files, candidate));
      });
      inputs = { image, audio: audio.ref, audioSeconds: audio.seconds, options: {} };
      options = await modelOptions(flow, 'lipsync', inputs);
      if (options.length === 0) throw new UserError('no-models');
      if (options.some((o) => o.issues.length === 0)) break;
      // Nothing takes this audio (e.g. too long for every model): say why and ask again.
      const reasons = options.map((o) => `• ${o.model.displayName}: ${o.issues.map((i) => issueText(t, i)).join('; ')}`).join('\n');
      await ctx.reply(`${t('no-models-fit', { reasons })}\n\n${t('lipsync-audio-again')}`);
    }
    const chosen = await chooseModel(flow, options, t('lipsync-choose-model', { seconds: Math.ceil(inputs.audioSeconds ?? 0) }));

    await ctx.reply(t('lipsync-ask-prompt'), { reply_markup: optionKeyboard('skip', [{ value: '-', label: t('button-skip') }]) });
    const max = chosen.model.limits.maxPromptLength ?? LIPSYNC_PROMPT_MAX;
    for (;;) {
      const answer = await chooseOption(flow, 'skip', t('lipsync-ask-prompt'), true);
      if ('value' in answer) break;
      const prompt = answer.text.trim();
      if (prompt.length > max) {
        await ctx.reply(t('prompt-too-long', { length: prompt.length, max }));
        continue;
      }
      inputs.prompt = checkPrompt(prompt, max);
      break;
    }
    await showQuote(flow, chosen, inputs, userId, chatId);
  };
}
