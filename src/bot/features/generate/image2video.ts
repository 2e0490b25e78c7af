/** Image to video: picture → prompt → duration → quote. */
import type { BotConversation, ConvContext } from '../../context.js';
import type { BotDeps } from '../../deps.js';
import type { GenerationInputs } from '../../../domain/generation-inputs.js';
import { UserError } from '../../../domain/errors.js';
import { checkKlingImage } from '../../../media/image.js';
import { checkImage, imageCandidate } from './media-input.js';
import { askFor, checkPrompt, chooseModel, ensureNotBusy, promptLimit, external, issueText, makeFlow, modelOptions, showQuote } from './flow-kit.js';
import { askDuration, KLING_PROMPT_MAX } from './text2video.js';

export function image2videoConversation(deps: BotDeps) {
  return async function image2video(conversation: BotConversation, ctx: ConvContext, locale: string): Promise<void> {
    const flow = makeFlow(conversation, ctx, deps, locale);
    const { t } = flow;
    await ensureNotBusy(flow, ctx.from!.id);
    const max = await promptLimit(flow, 'image2video', KLING_PROMPT_MAX);

    await ctx.reply(t('i2v-ask-image'));
    const image = await askFor(flow, t('i2v-need-image'), async (next) => {
      const candidate = imageCandidate(next.message);
      if (!candidate) return null;
      const ref = await external(flow, () => checkImage(deps.files, candidate, { mimes: ['image/jpeg', 'image/png'] }));
      const issue = checkKlingImage(ref)[0];
      if (issue) throw new UserError(`issue-${issue.code}`, issue.vars);
      return ref;
    });

    await ctx.reply(t('i2v-ask-prompt', { max }));
    const prompt = await askFor(flow, t('prompt-empty'), (next) => (next.message?.text ? checkPrompt(next.message.text, max) : null));
    const duration = await askDuration(flow);

    const inputs: GenerationInputs = { image, prompt, options: { duration } };
    const options = await modelOptions(flow, 'image2video', inputs);
    const chosen = await chooseModel(flow, options, t('choose-model'));
    if (chosen.issues.length) throw new UserError('no-models-fit', { reasons: chosen.issues.map((i) => issueText(t, i)).join('\n') });
    await showQuote(flow, chosen, inputs, ctx.from!.id, ctx.chat!.id);
  };
}
