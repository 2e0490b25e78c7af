/** Text to video: prompt → duration → aspect ratio → quote. */
import type { BotConversation, ConvContext } from '../../context.js';
import type { BotDeps } from '../../deps.js';
import type { GenerationInputs } from '../../../domain/generation-inputs.js';
import { askFor, checkPrompt, chooseModel, chooseOption, ensureNotBusy, promptLimit, makeFlow, modelOptions, optionKeyboard, showQuote, type Flow } from './flow-kit.js';

export const KLING_PROMPT_MAX = 2500;

export async function askDuration(flow: Flow): Promise<5 | 10> {
  const { t, ctx } = flow;
  await ctx.reply(t('ask-duration'), {
    reply_markup: optionKeyboard('d', [
      { value: '5', label: t('duration-seconds', { seconds: 5 }) },
      { value: '10', label: t('duration-seconds', { seconds: 10 }) },
    ]),
  });
  const answer = await chooseOption(flow, 'd', t('ask-duration-reprompt'));
  return 'value' in answer && answer.value === '10' ? 10 : 5;
}

export function text2videoConversation(deps: BotDeps) {
  return async function text2video(conversation: BotConversation, ctx: ConvContext, locale: string): Promise<void> {
    const flow = makeFlow(conversation, ctx, deps, locale);
    const { t } = flow;
    await ensureNotBusy(flow, ctx.from!.id);
    const max = await promptLimit(flow, 'text2video', KLING_PROMPT_MAX);

    await ctx.reply(t('t2v-ask-prompt', { max }));
    const prompt = await askFor(flow, t('prompt-empty'), (next) => (next.message?.text ? checkPrompt(next.message.text, max) : null));
    const duration = await askDuration(flow);
    await ctx.reply(t('ask-aspect'), {
      reply_markup: optionKeyboard('ar', [
        { value: '16x9', label: t('aspect-landscape') },
        { value: '9x16', label: t('aspect-portrait') },
        { value: '1x1', label: t('aspect-square') },
      ]),
    });
    const aspect = await chooseOption(flow, 'ar', t('ask-aspect'));
    // Callback data uses ':' as its separator, so ratios travel as "16x9".
    const aspectRatio = ('value' in aspect ? aspect.value.replace('x', ':') : '16:9') as '16:9' | '9:16' | '1:1';

    const inputs: GenerationInputs = { prompt, options: { duration, aspectRatio } };
    const chosen = await chooseModel(flow, await modelOptions(flow, 'text2video', inputs), t('choose-model'));
    await showQuote(flow, chosen, inputs, ctx.from!.id, ctx.chat!.id);
  };
}
