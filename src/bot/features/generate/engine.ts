/**
 * The one conversation engine of Catalog v2: it walks a task (tasks.ts) — its inputs in order,
 * then the model (only models that fit; unfit ones are listed with the reason), then the
 * options the model really has (an option with one allowed value is not asked), then optional
 * extras with Skip, then the quote listing every choice. Confirm is handled outside
 * (confirm.ts, exactly once). Adding a model is a spec plus a catalog row, not a new flow.
 *
 * Every database/network/clock call runs through `conversation.external`; a wait for a button
 * consumes every update and re-prompts on stray input (never `otherwise`, which skips the update
 * without a state write: see flow-kit.ts on why that loses taps with several instances).
 *
 * Extension points: `askInput` (a new input kind: video, several photos), `askOption` (labels
 * of a new option key), `askExtra` (a new optional extra).
 */
import type { MessageKey } from '../../../message-keys.js';
import { InlineKeyboard } from 'grammy';
import type { BotConversation, ConvContext } from '../../context.js';
import type { BotDeps } from '../../deps.js';
import { UserError } from '../../../domain/errors.js';
import { sourceVideoSchema, type FileRef, type GenerationInputs } from '../../../domain/generation-inputs.js';
import { describeQuote, offeredValues, optionsOf, resolvedChoices, validateRequest, type CatalogEntry } from '../../../domain/catalog.js';
import { checkImageRule, type Choices, type OptionKey } from '../../../domain/model-spec.js';
import { ProviderError, type InputMedia, type SourceVideo, type ValidationIssue } from '../../../providers/types.js';
import { randomUUID } from 'node:crypto';
import { audioCandidate, checkAudio, checkImage, checkVideo, imageCandidate, IMAGE_MIMES, probeTelegramVideo, videoCandidate } from './media-input.js';
import {
  askFor,
  checkPrompt,
  chooseModel,
  ensureNotBusy,
  runOutside,
  issueText,
  makeFlow,
  modelOptions,
  showQuote,
  type Flow,
  type ModelOption,
} from './flow-kit.js';
import { engineFaceCallback, engineOptionCallback, enginePhotosDoneCallback, engineSkipCallback } from './callbacks.js';
import { taskById, type TaskDef } from './tasks.js';

/** Issues that only say "an input of a later step is still missing". */
const PENDING_INPUT = new Set([
  'prompt-required',
  'image-required',
  'image-missing',
  'audio-missing',
  'audio-required',
  'audio-duration-unknown',
  'video-required',
  'images-count',
  'source-video-required',
]);

const reasonsOf = (flow: Flow, options: ModelOption[]) =>
  options.map((o) => `• ${o.model.displayName}: ${o.issues.map((i) => issueText(flow.t, i)).join('; ')}`).join('\n');

/** The models of the task and whether each fits what was given so far. */
async function fitSoFar(flow: Flow, task: TaskDef, inputs: GenerationInputs): Promise<ModelOption[]> {
  const options = await modelOptions(flow, task.id, inputs);
  return options.map((o) => ({ ...o, issues: o.issues.filter((i) => !PENDING_INPUT.has(i.code)) }));
}

async function askImage(flow: Flow, task: TaskDef, inputs: GenerationInputs): Promise<void> {
  const { t, ctx, deps } = flow;
  await ctx.reply(t(task.ask.image!));
  for (;;) {
    const image = await askFor(flow, t(task.ask.imageAgain!), async (next) => {
      const candidate = imageCandidate(next.message);
      if (!candidate) return null;
      return runOutside(flow, () => checkImage(deps.files, candidate, { mimes: IMAGE_MIMES }));
    });
    const fit = await fitSoFar(flow, task, { ...inputs, image });
    if (fit.length === 0) throw new UserError('no-models');
    if (fit.some((o) => o.issues.length === 0)) {
      inputs.image = image;
      if (task.id === 'lipsync') await ctx.reply(t('lipsync-photo-ok'));
      return;
    }
    // No model takes this picture: say why (one reason when all agree) and ask again.
    const codes = new Set(fit.flatMap((o) => o.issues.map((i) => i.code)));
    const text = codes.size === 1 ? issueText(t, fit[0]!.issues[0]!) : t('no-models-fit', { reasons: reasonsOf(flow, fit) });
    await ctx.reply(`${text}\n\n${t('catalog-image-again')}`);
  }
}

/** Several photos, one message each, until Done (or the most any model takes). */
async function askImages(flow: Flow, task: TaskDef, inputs: GenerationInputs, models: ModelOption[]): Promise<void> {
  const { t, ctx, deps, conversation } = flow;
  const rules = models.map((o) => o.model.spec?.images).filter((r) => r !== undefined);
  const min = Math.min(...rules.map((r) => r.min));
  const max = Math.max(...rules.map((r) => r.max));
  const images: FileRef[] = [];
  const done = () => InlineKeyboard.from([[InlineKeyboard.text(t('kling-photos-done'), enginePhotosDoneCallback.pack({ d: 1 }))]]);
  await ctx.reply(t(task.ask.images!));
  while (images.length < max) {
    const next = await conversation.waitFor(['callback_query:data', 'message']);
    if (next.callbackQuery) {
      await next.answerCallbackQuery().catch(() => {});
      if (!enginePhotosDoneCallback.parse(next.callbackQuery.data)) continue;
      if (images.length >= min) break;
      await next.reply(t('kling-photos-need-more', { min }));
      continue;
    }
    const candidate = imageCandidate(next.message);
    if (!candidate) {
      await next.reply(t(task.ask.imageAgain!));
      continue;
    }
    try {
      const image = await runOutside(flow, () => checkImage(deps.files, candidate, { mimes: IMAGE_MIMES }));
      const fit = await fitSoFar(flow, task, { ...inputs, images: [...images, image] });
      const fitting = fit.find((o) => o.issues.length === 0);
      if (!fitting) {
        const issue = fit[0]?.issues[0];
        await next.reply(`${issue ? issueText(t, issue) : t('no-models')}\n\n${t('catalog-image-again')}`);
        continue;
      }
      images.push(image);
      await next.reply(t('kling-photo-added', { count: images.length }), images.length >= min && images.length < max ? { reply_markup: done() } : {});
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      await next.reply(t(error.key, error.vars));
    }
  }
  if (images.length >= max) await ctx.reply(t('kling-photos-full', { max }));
  inputs.images = images;
}

/**
 * A video: Telegram's metadata (type, size, length, picture size) checked against the models
 * first — no download for a video no model takes —, then the sniffed type and a probe.
 */
async function askVideo(flow: Flow, task: TaskDef, inputs: GenerationInputs): Promise<void> {
  const { t, ctx, deps } = flow;
  await ctx.reply(t(task.ask.video!));
  for (;;) {
    const video = await askFor(flow, t(task.ask.videoAgain!), async (next) => {
      const candidate = videoCandidate(next.message);
      if (!candidate) return null;
      const claimed: FileRef = {
        fileId: candidate.fileId,
        mime: candidate.claimedMime ?? 'video/mp4',
        size: candidate.size ?? 0,
        fileName: candidate.fileName,
        ...(candidate.width ? { width: candidate.width } : {}),
        ...(candidate.height ? { height: candidate.height } : {}),
      };
      const before = await fitSoFar(flow, task, { ...inputs, video: claimed, ...(candidate.duration ? { videoSeconds: candidate.duration } : {}) });
      const refusal = refusalOf(flow, before);
      if (refusal) throw new UserError('catalog-refused', { text: refusal });
      return runOutside(flow, () => checkVideo(deps.files, candidate, (fileId) => probeTelegramVideo(deps.files, fileId)));
    });
    const withVideo = { ...inputs, video: video.ref, ...(video.seconds !== undefined ? { videoSeconds: video.seconds } : {}) };
    const refusal = refusalOf(flow, await fitSoFar(flow, task, withVideo));
    if (!refusal) {
      inputs.video = video.ref;
      if (video.seconds !== undefined) inputs.videoSeconds = video.seconds;
      return;
    }
    await ctx.reply(refusal);
  }
}

interface FaceFinder {
  identifyFace(
    input: { generationId: string; video?: InputMedia; sourceVideo?: SourceVideo },
    signal?: AbortSignal,
  ): Promise<{ sessionId: string; expiresAt: number; faces: { faceId: string; startMs: number; endMs: number }[] }>;
}

const canFindFaces = (provider: unknown): provider is FaceFinder => typeof (provider as Partial<FaceFinder> | undefined)?.identifyFace === 'function';

/**
 * The face question of lip-sync (docs/kling-suite.md): Kling's identify-face on the video; no
 * face → refused (no charge); one → go on; several → the user picks one, and the session and
 * window go with the order (valid 24 h; the job identifies again after that).
 */
async function askFace(flow: Flow, inputs: GenerationInputs): Promise<void> {
  const { t, ctx, deps, conversation } = flow;
  const provider = deps.providers.get('kling');
  if (!canFindFaces(provider)) return;
  const probeId = await conversation.external(() => `faces-${randomUUID()}`);
  const found = await runOutside(flow, async () => {
    try {
      const source = inputs.sourceVideo;
      return await provider.identifyFace({
        generationId: probeId,
        ...(inputs.video ? { video: deps.files.toInputMedia(inputs.video) } : {}),
        ...(source
          ? {
              sourceVideo: {
                providerVideoId: source.providerVideoId,
                providerModel: source.providerModel,
                durationSeconds: source.durationSeconds,
                createdAt: Date.parse(source.createdAt),
              },
            }
          : {}),
      });
    } catch (error) {
      const code = error instanceof ProviderError && error.userReason === 'bad_input' ? error.code : 'url-hosting-unavailable';
      throw new UserError(`issue-${code === 'source-video-expired' || code === 'no-face' ? code : 'url-hosting-unavailable'}`);
    }
  });
  if (found.faces.length === 0) throw new UserError('issue-no-face');
  if (found.faces.length === 1) return;
  const sec = (ms: number) => Math.round(ms / 100) / 10;
  const keyboard = InlineKeyboard.from(
    found.faces.map((face, i) => [
      InlineKeyboard.text(t('kling-face-option', { index: i + 1, from: sec(face.startMs), to: sec(face.endMs) }), engineFaceCallback.pack({ i })),
    ]),
  );
  await ctx.reply(t('kling-ask-face'), { reply_markup: keyboard });
  for (;;) {
    const next = await conversation.wait();
    if (next.callbackQuery) await next.answerCallbackQuery().catch(() => {});
    else if (next.message) await next.reply(t('kling-ask-face'));
    const face = found.faces[engineFaceCallback.parse(next.callbackQuery?.data)?.i ?? -1];
    if (!face) continue;
    await next.editMessageReplyMarkup({ reply_markup: undefined }).catch(() => {});
    inputs.face = { sessionId: found.sessionId, expiresAt: found.expiresAt, faceId: face.faceId, startMs: face.startMs, endMs: face.endMs };
    return;
  }
}

/** Null when some model takes the inputs so far; else why not (one reason when all agree). */
function refusalOf(flow: Flow, fit: ModelOption[]): string | null {
  if (fit.length === 0) return flow.t('no-models');
  if (fit.some((o) => o.issues.length === 0)) return null;
  const codes = new Set(fit.flatMap((o) => o.issues.map((i) => i.code)));
  return codes.size === 1 ? issueText(flow.t, fit[0]!.issues[0]!) : flow.t('no-models-fit', { reasons: reasonsOf(flow, fit) });
}

async function askAudio(flow: Flow, task: TaskDef, inputs: GenerationInputs): Promise<void> {
  const { t, ctx, deps } = flow;
  await ctx.reply(t(task.ask.audio!));
  for (;;) {
    const audio = await askFor(flow, t(task.ask.audioAgain!), async (next) => {
      const candidate = audioCandidate(next.message);
      if (!candidate) return null;
      return runOutside(flow, () => checkAudio(deps.files, candidate));
    });
    const fit = await fitSoFar(flow, task, { ...inputs, audio: audio.ref, audioSeconds: audio.seconds });
    if (fit.length === 0) throw new UserError('no-models');
    if (fit.some((o) => o.issues.length === 0)) {
      inputs.audio = audio.ref;
      inputs.audioSeconds = audio.seconds;
      return;
    }
    await ctx.reply(`${t('no-models-fit', { reasons: reasonsOf(flow, fit) })}\n\n${t('lipsync-audio-again')}`);
  }
}

async function askPrompt(flow: Flow, task: TaskDef, inputs: GenerationInputs, models: ModelOption[]): Promise<void> {
  const { t, ctx } = flow;
  // The longest prompt some offered model takes; models with a shorter limit are then listed as unfit.
  const max = Math.max(...models.map((o) => o.model.spec?.prompt.max ?? o.model.limits.maxPromptLength ?? 2500));
  await ctx.reply(t(task.ask.prompt!, { max }));
  inputs.prompt = await askFor(flow, t('prompt-empty'), (next) => (next.message?.text ? checkPrompt(next.message.text, max) : null));
}

const ASPECT_LABELS: Record<string, MessageKey> = { '16:9': 'aspect-landscape', '9:16': 'aspect-portrait', '1:1': 'aspect-square' };

const MODE_LABELS: Record<string, MessageKey> = { std: 'catalog-mode-std', pro: 'catalog-mode-pro', '4k': 'catalog-mode-4k' };
const SOUND_LABELS: Record<string, MessageKey> = { on: 'catalog-sound-on', off: 'catalog-sound-off' };

function optionLabel(flow: Flow, model: CatalogEntry, key: OptionKey, value: string): string {
  const { t } = flow;
  let label: string;
  if (key === 'duration') label = t('duration-seconds', { seconds: Number(value) });
  else if (key === 'aspectRatio') label = ASPECT_LABELS[value] ? t(ASPECT_LABELS[value]!) : value;
  else if (key === 'mode') label = MODE_LABELS[value] ? t(MODE_LABELS[value]) : value;
  else if (key === 'sound') label = SOUND_LABELS[value] ? t(SOUND_LABELS[value]) : value;
  else label = value;
  const factor = model.multipliers[`${key}:${value}`];
  return factor !== undefined && factor !== 1 ? `${label} (×${factor})` : label;
}

const OPTION_QUESTION: Record<OptionKey, MessageKey> = {
  duration: 'ask-duration',
  aspectRatio: 'ask-aspect',
  resolution: 'catalog-ask-resolution',
  mode: 'catalog-ask-mode',
  sound: 'catalog-ask-sound',
};

/** Asks one option when the model offers more than one value for it; returns the value. */
async function askOption(flow: Flow, model: CatalogEntry, key: OptionKey, values: string[]): Promise<string> {
  const { t, ctx, conversation } = flow;
  const keyboard = InlineKeyboard.from(
    // Two buttons a row keeps long lists (6 aspect ratios, 4 lengths) readable.
    values.reduce<ReturnType<typeof InlineKeyboard.text>[][]>((rows, value, i) => {
      const button = InlineKeyboard.text(optionLabel(flow, model, key, value), engineOptionCallback.pack({ k: key, i }));
      if (i % 3 === 0) rows.push([button]);
      else rows.at(-1)!.push(button);
      return rows;
    }, []),
  );
  await ctx.reply(t(OPTION_QUESTION[key]), { reply_markup: keyboard });
  for (;;) {
    const next = await conversation.wait();
    if (next.callbackQuery) await next.answerCallbackQuery().catch(() => {});
    else if (next.message) await next.reply(t('catalog-option-reprompt'));
    const data = engineOptionCallback.parse(next.callbackQuery?.data);
    const value = data && data.k === key ? values[data.i] : undefined;
    if (value === undefined) continue;
    await next.editMessageReplyMarkup({ reply_markup: undefined }).catch(() => {});
    return value;
  }
}

/** Waits for a Skip tap or a message `accept` takes (null: re-prompt). */
async function skipOr<T>(flow: Flow, reprompt: string, accept: (ctx: ConvContext) => Promise<T | null>): Promise<T | null> {
  const { conversation, t } = flow;
  for (;;) {
    const next = await conversation.waitFor(['callback_query:data', 'message'], {
      otherwise: async (other) => {
        if (other.callbackQuery) await other.answerCallbackQuery().catch(() => {});
      },
    });
    if (next.callbackQuery) {
      await next.answerCallbackQuery().catch(() => {});
      if (!engineSkipCallback.parse(next.callbackQuery.data)) continue;
      await next.editMessageReplyMarkup({ reply_markup: undefined }).catch(() => {});
      return null;
    }
    try {
      const value = await accept(next);
      if (value !== null) return value;
      await next.reply(reprompt);
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      await next.reply(t(error.key, error.vars));
    }
  }
}

const skipKeyboard = (flow: Flow) => InlineKeyboard.from([[InlineKeyboard.text(flow.t('button-skip'), engineSkipCallback.pack({ s: 1 }))]]);

async function askExtras(flow: Flow, task: TaskDef, model: CatalogEntry, inputs: GenerationInputs): Promise<void> {
  const { t, ctx, deps } = flow;
  for (const extra of task.extras) {
    if (extra === 'endImage' && model.spec?.endImage && inputs.image) {
      const rule = model.spec.endImage;
      await ctx.reply(t('catalog-ask-end-image'), { reply_markup: skipKeyboard(flow) });
      const endImage = await skipOr<FileRef>(flow, t('catalog-need-end-image'), async (next) => {
        const candidate = imageCandidate(next.message);
        if (!candidate) return null;
        const ref = await runOutside(flow, () => checkImage(deps.files, candidate, { mimes: [...rule.mimes], maxBytes: rule.maxBytes }));
        const issue = checkImageRule(rule, ref, 'end-image')[0];
        if (issue) throw new UserError(`issue-${issue.code}`, issue.vars);
        return ref;
      });
      if (endImage) inputs.endImage = endImage;
    }
    if (extra === 'negativePrompt' && model.spec?.negativePrompt) {
      // What the video should avoid; the shorter of the spec's and the row's limit.
      const max = Math.min(model.spec.negativePrompt.max, model.limits.maxPromptLength ?? Infinity);
      await ctx.reply(t('catalog-ask-negative-prompt', { max }), { reply_markup: skipKeyboard(flow) });
      const negative = await skipOr<string>(flow, t('catalog-need-negative-prompt'), async (next) => {
        const text = next.message?.text?.trim();
        if (!text || text.startsWith('/')) return null;
        if ([...text].length > max) throw new UserError('catalog-negative-prompt-too-long', { length: [...text].length, max });
        return text;
      });
      if (negative) inputs.negativePrompt = negative;
    }
    if (extra === 'prompt' && !inputs.prompt) {
      const max = Math.min(model.spec?.prompt.max ?? 5000, model.limits.maxPromptLength ?? Infinity);
      await ctx.reply(t('lipsync-ask-prompt'), { reply_markup: skipKeyboard(flow) });
      const prompt = await skipOr<string>(flow, t('lipsync-ask-prompt'), async (next) => {
        if (!next.message?.text || next.message.text.startsWith('/')) return null;
        return checkPrompt(next.message.text, max);
      });
      if (prompt) inputs.prompt = prompt;
    }
  }
}

export function generateConversation(deps: BotDeps) {
  return async function generate(conversation: BotConversation, ctx: ConvContext, taskId: string, locale: string, preset?: unknown): Promise<void> {
    const flow = makeFlow(conversation, ctx, deps, locale);
    const task = taskById(taskId);
    if (!task) throw new UserError('no-models');
    const userId = ctx.from!.id;
    await ensureNotBusy(flow, userId);
    // A delivered video given by the buttons under it (Extend, Make it talk) or by /history.
    const source = preset === undefined ? undefined : sourceVideoSchema.parse(preset);
    if (task.fromVideo === 'required' && !source) throw new UserError('no-models');
    const inputs: GenerationInputs = { options: {}, ...(source ? { sourceVideo: source } : {}) };
    const offered = await modelOptions(flow, task.id, inputs);
    if (offered.length === 0) throw new UserError('no-models');
    if (source) {
      // The delivered video is checked first (age, model, length): a clear refusal, no charge.
      const refusal = refusalOf(flow, await fitSoFar(flow, task, inputs));
      if (refusal) throw new UserError('catalog-refused', { text: refusal });
    }

    for (const input of task.inputs) {
      if (input === 'image') await askImage(flow, task, inputs);
      else if (input === 'audio') await askAudio(flow, task, inputs);
      else if (input === 'images') await askImages(flow, task, inputs, offered);
      else if (input === 'video') {
        if (!source) await askVideo(flow, task, inputs);
        if (task.id === 'video_lipsync') await askFace(flow, inputs);
      } else await askPrompt(flow, task, inputs, offered);
    }

    const header =
      task.id === 'lipsync' || task.id === 'video_lipsync'
        ? flow.t('lipsync-choose-model', { seconds: Math.ceil(inputs.audioSeconds ?? 0) })
        : flow.t('choose-model');
    const chosen = await chooseModel(flow, await modelOptions(flow, task.id, inputs), header);
    const model = chosen.model;

    // The options the model really has, in the spec's order; a single allowed value is not asked.
    const choices: Choices = {};
    for (const option of model.spec?.options ?? []) {
      const values = offeredValues(model, option.key, choices);
      if (values.length === 0) continue;
      choices[option.key] = values.length === 1 ? values[0]! : await askOption(flow, model, option.key, values);
    }
    inputs.options = optionsOf(resolvedChoices(model, { ...inputs, options: optionsOf(choices) }));

    await askExtras(flow, task, model, inputs);

    // Everything together, against the catalog and the provider, priced with the multipliers.
    const final = await conversation.external(() => {
      const issues: ValidationIssue[] = validateRequest(model, inputs, deps.providers.get(model.provider));
      let price = 0;
      try {
        price = describeQuote(model, inputs).total;
      } catch {
        issues.push({ code: 'audio-duration-unknown' });
      }
      return { issues, price };
    });
    if (final.issues.length > 0)
      throw new UserError('no-models-fit', { reasons: `• ${model.displayName}: ${final.issues.map((i) => issueText(flow.t, i)).join('; ')}` });
    await showQuote(flow, { model, price: final.price, issues: [] }, inputs, userId, ctx.chat!.id);
  };
}
