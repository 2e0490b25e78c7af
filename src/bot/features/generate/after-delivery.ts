/**
 * The buttons under a delivered video and in /history (src/domain/after-delivery.ts):
 * 🔁 Again quotes the same inputs afresh (nothing charged until Confirm); ➕ Extend and 🗣 Make
 * it talk start the engine with the video as the source (video_extend / video_lipsync), which
 * quotes, confirms and charges once like any task.
 */
import { Composer } from '../../composer.js';
import type { BotContext } from '../../context.js';
import { actionsFor, deliveredVideo, sourceOf } from '../../../domain/after-delivery.js';
import { describeQuote, getModel, isAvailable, requoteInputs, validateRequest } from '../../../domain/catalog.js';
import { generationInputsSchema } from '../../../domain/generation-inputs.js';
import { isKlingVideoExpired } from '../../../providers/kling/suite-rules.js';
import { afterDeliveryCallback } from './callbacks.js';
import { issueText } from './flow-kit.js';
import { offerQuote } from './offer-quote.js';
import { enterTask } from './enter-task.js';
import { taskById } from './tasks.js';

async function again(ctx: BotContext, id: string): Promise<void> {
  const { prisma, providers } = ctx.deps;
  const generation = await prisma.generation.findUnique({ where: { id } });
  if (!generation || generation.userId !== ctx.user.id) return;
  const model = await getModel(prisma, generation.modelSlug, providers.configured);
  if (!model || !isAvailable(model)) return void (await ctx.reply(ctx.t('confirm-model-unavailable')));
  const { inputs } = requoteInputs(model, generationInputsSchema.parse(generation.inputs));
  const issues = validateRequest(model, inputs, providers.get(model.provider));
  if (issues.length > 0) {
    return void (await ctx.reply(ctx.t('no-models-fit', { reasons: `• ${model.displayName}: ${issues.map((i) => issueText(ctx.t, i)).join('; ')}` })));
  }
  await offerQuote(ctx, model, inputs, describeQuote(model, inputs).total);
}

async function fromVideo(ctx: BotContext, action: 'extend' | 'talk', id: string): Promise<void> {
  const { prisma, now } = ctx.deps;
  const video = await deliveredVideo(prisma, ctx.user.id, id);
  const source = video && sourceOf(video);
  if (!video || !source) return void (await ctx.reply(ctx.t('after-not-available')));
  if (isKlingVideoExpired(Date.parse(source.createdAt), now().getTime())) {
    return void (await ctx.reply(ctx.t(action === 'extend' ? 'after-extend-expired' : 'after-talk-expired')));
  }
  // Still offered for this video now? (A v2.x video has no Extend; a long one cannot be lip-synced.)
  if (!actionsFor(video, now()).includes(action)) return void (await ctx.reply(ctx.t('after-not-available')));
  await enterTask(ctx, taskById(action === 'extend' ? 'video_extend' : 'video_lipsync')!, source);
}

export function afterDeliveryFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.chatType('private').callbackQuery(afterDeliveryCallback.filter, async (ctx) => {
    const data = afterDeliveryCallback.parse(ctx.callbackQuery.data);
    await ctx.answerCallbackQuery();
    if (!data) return;
    if (data.a === 'again') await again(ctx, data.id);
    else await fromVideo(ctx, data.a, data.id);
  });
  return composer;
}
