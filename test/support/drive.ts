/** Drives the bot's flows as a user would, through the fake Telegram server. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FakeUser, Message } from './fake-telegram/index.js';
import { ROOT } from './child-process.js';
import { sleep } from './wait.js';

export const media = (name: string) => readFileSync(path.join(ROOT, 'test/fixtures/media', name));

type Markup = { inline_keyboard: { text: string }[][] };
export const buttonsOf = (m: object) =>
  (((m as { reply_markup?: unknown }).reply_markup as Markup | undefined)?.inline_keyboard ?? []).flat().map((b) => b.text);

/** A person's pause between seeing the bot's message and answering it (none when 0). */
const think = (ms: number) => (ms > 0 ? sleep(ms) : Promise.resolve());

/** /lipsync and portrait.jpg: the flow then waits for the audio. */
export async function startLipsyncWithPhoto(user: FakeUser, timeoutMs = 10_000, thinkMs = 0): Promise<void> {
  await user.sendCommand('/lipsync');
  await user.waitForMessage({ timeoutMs, match: /photo|фото/i });
  await think(thinkMs);
  await user.sendPhoto(media('portrait.jpg'), { width: 512, height: 768 });
  await user.waitForMessage({ timeoutMs, match: /speech|речь/i });
}

/**
 * /lipsync with portrait.jpg and a 3 s voice note; picks the model whose button starts with `model`;
 * confirms. `thinkMs` pauses before each answer, like a person.
 */
export async function orderLipsync(user: FakeUser, model: string, options: { timeoutMs?: number; confirm?: boolean; thinkMs?: number } = {}) {
  const wait = { timeoutMs: options.timeoutMs ?? 10_000 };
  const thinkMs = options.thinkMs ?? 0;
  await startLipsyncWithPhoto(user, wait.timeoutMs, thinkMs);
  await think(thinkMs);
  await user.sendVoice(media('voice.ogg'), { duration: 3 });
  const choice = await user.waitForMessage({ ...wait, match: /model|модель/i });
  await think(thinkMs);
  await user.tapButton(choice, new RegExp(`^${model}`));
  const skip = await user.waitForMessage({ ...wait, match: /Skip|Пропустить|describe|опишите/i });
  await think(thinkMs);
  await user.tapButton(skip, /Skip|Пропустить/);
  const quote = await user.waitForMessage({ ...wait, match: /Price|Цена/ });
  if (options.confirm === false) return quote;
  await think(thinkMs);
  await user.tapButton(quote, /Confirm|Подтвердить/);
  await user.waitForMessage({ ...wait, match: /Started|Запущено/ });
  return quote;
}

/**
 * Catalog v2 asks for the model when several serve the task (a suite that calls onlyModels with
 * one model per task is not asked): taps `model` when the message offers it, and returns the
 * next message; otherwise returns the message itself.
 */
export async function pickModelIfAsked(user: FakeUser, message: Message, model: RegExp, timeoutMs: number): Promise<Message> {
  if (!buttonsOf(message).some((b) => model.test(b))) return message;
  await user.tapButton(message, model);
  return user.waitForMessage({ timeoutMs });
}

/** Waits for the quote, tapping Skip on every optional extra on the way (end frame, negative prompt). */
export async function skipToQuote(user: FakeUser, timeoutMs = 10_000) {
  for (;;) {
    const message = await user.waitForMessage({ timeoutMs });
    if (/Price|Цена/.test(String(message.text))) return message;
    if (buttonsOf(message).some((b) => /^(Skip|Пропустить)/.test(b))) await user.tapButton(message, /Skip|Пропустить/);
  }
}

/**
 * From `first`, answers every question with the first button matching one of `picks` (else the
 * first button) until the quote, taps Confirm and returns the quoted price.
 */
export async function answerToQuoteAndConfirm(user: FakeUser, first: Message, picks: readonly RegExp[] = [], maxSteps = 12): Promise<number> {
  let message = first;
  for (let step = 0; step < maxSteps; step++) {
    const price = /Price: (\d+) credits/.exec(String(message.text));
    if (price) {
      await user.tapButton(message, /Confirm/);
      return Number(price[1]);
    }
    const buttons = buttonsOf(message);
    if (buttons.length === 0) throw new Error(`a question with buttons, got: ${message.text}`);
    await user.tapButton(message, buttons.find((b) => picks.some((p) => p.test(b))) ?? buttons[0]!);
    message = await user.waitForMessage();
  }
  throw new Error(`no quote within ${maxSteps} answers`);
}

/** /text2video with a prompt (the Kling model if asked), 5 s, 16:9, no negative prompt; confirms (pausing `thinkMs` before each answer). */
export async function orderText2Video(user: FakeUser, prompt = 'A red fox running through snow', timeoutMs = 10_000, thinkMs = 0) {
  await user.sendCommand('/text2video');
  await user.waitForMessage({ timeoutMs });
  await think(thinkMs);
  await user.sendText(prompt);
  const models = await user.waitForMessage({ timeoutMs });
  // The model choice is an answer too: without the pause the two-instance run tapped it
  // milliseconds after the list arrived, before the other instance had saved the conversation.
  await think(thinkMs);
  const next = await pickModelIfAsked(user, models, /^Kling text-to-video/, timeoutMs);
  await think(thinkMs);
  await user.tapButton(next, /^5 /);
  const ratio = await user.waitForMessage({ timeoutMs });
  await think(thinkMs);
  await user.tapButton(ratio, /^16:9/);
  const quote = await skipToQuote(user, timeoutMs);
  await think(thinkMs);
  await user.tapButton(quote, /Confirm|Подтвердить/);
  await user.waitForMessage({ timeoutMs, match: /Started|Запущено/ });
  return quote;
}

/** /image2video with portrait.jpg, a prompt and 5 s; confirms. */
export async function orderImage2Video(user: FakeUser, timeoutMs = 10_000) {
  await user.sendCommand('/image2video');
  await user.waitForMessage({ timeoutMs });
  await user.sendPhoto(media('portrait.jpg'), { width: 512, height: 768 });
  await user.waitForMessage({ timeoutMs, match: /Describe|Опишите/ });
  await user.sendText('She turns and smiles');
  const next = await pickModelIfAsked(user, await user.waitForMessage({ timeoutMs }), /^Kling image-to-video/, timeoutMs);
  await user.tapButton(next, /^5 /);
  const quote = await skipToQuote(user, timeoutMs);
  await user.tapButton(quote, /Confirm|Подтвердить/);
  await user.waitForMessage({ timeoutMs, match: /Started|Запущено/ });
  return quote;
}

/** Waits for the bot's video message in this chat. */
export async function waitForVideo(user: FakeUser, timeoutMs = 15_000) {
  return user.waitForMessage({ timeoutMs, match: (m) => Boolean((m as { video?: unknown }).video) });
}

// The waiting helpers live in wait.ts; re-exported for the e2e tests that import them from here.
export { eventually } from './wait.js';

/** The five models of part 1 (their suites keep testing exactly those). */
export const PART1_MODELS = ['kling-ai-avatar', 'infinitalk-480p', 'infinitalk-720p', 'kling-text2video', 'kling-image2video'];

/** Switches every catalog model off except `slugs` (a suite that tests particular models). */
export async function onlyModels(prisma: { catalogModel: { updateMany(args: object): Promise<unknown> } }, slugs: readonly string[]): Promise<void> {
  await prisma.catalogModel.updateMany({ where: { slug: { notIn: [...slugs] } }, data: { enabled: false } });
  await prisma.catalogModel.updateMany({ where: { slug: { in: [...slugs] } }, data: { enabled: true } });
}
