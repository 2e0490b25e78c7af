/**
 * The tasks of the menu (Catalog v2) and what the conversation engine asks for each: the inputs
 * in order, then the model, then the model's own options, then optional extras with Skip. A
 * task shows only when an enabled, configured model serves it.
 *
 * Adding a task: its id in `GenerationKind` (domain/kinds.ts and the Prisma enum), a `TaskDef`
 * here, an input kind to `InputKind` with its step in engine.ts, and specs serving the task.
 * Tasks with `fromVideo` start only from a delivered video (the buttons under it, /history):
 * their source video is given as a preset and is not asked.
 */
import type { MessageKey } from '../../../message-keys.js';
import { isAvailable, type CatalogEntry } from '../../../domain/catalog.js';
import type { GenerationKind, ProviderId, VideoProvider } from '../../../providers/types.js';

/** `images`: several photos, collected until Done; `video`: a video checked on Telegram's metadata before download. */
export type InputKind = 'image' | 'audio' | 'prompt' | 'images' | 'video';
export type ExtraKind = 'endImage' | 'negativePrompt' | 'prompt';

export interface TaskDef {
  id: GenerationKind;
  /** The command and menu action that start it. */
  command: string;
  inputs: readonly InputKind[];
  extras: readonly ExtraKind[];
  /** Locale keys of the input questions. */
  ask: {
    image?: MessageKey;
    imageAgain?: MessageKey;
    prompt?: MessageKey;
    audio?: MessageKey;
    audioAgain?: MessageKey;
    images?: MessageKey;
    video?: MessageKey;
    videoAgain?: MessageKey;
  };
  /** Shown in the menu and as a /command (false: only from a delivered video). */
  menu: boolean;
  /** A delivered video replaces the `video` input (Make it talk) or is the only input (Extend). */
  fromVideo?: 'required' | 'optional';
}

export const TASKS: readonly TaskDef[] = [
  {
    id: 'lipsync',
    command: 'lipsync',
    inputs: ['image', 'audio'],
    extras: ['prompt'],
    ask: { image: 'lipsync-ask-photo', imageAgain: 'lipsync-need-photo', audio: 'lipsync-ask-audio', audioAgain: 'lipsync-need-audio' },
    menu: true,
  },
  { id: 'text2video', command: 'text2video', inputs: ['prompt'], extras: ['negativePrompt'], ask: { prompt: 't2v-ask-prompt' }, menu: true },
  {
    id: 'image2video',
    command: 'image2video',
    inputs: ['image', 'prompt'],
    extras: ['endImage', 'negativePrompt'],
    ask: { image: 'catalog-i2v-ask-image', imageAgain: 'i2v-need-image', prompt: 'i2v-ask-prompt' },
    menu: true,
  },
  {
    id: 'multi_image2video',
    command: 'multi_image2video',
    inputs: ['images', 'prompt'],
    extras: ['negativePrompt'],
    ask: { images: 'kling-ask-photos', imageAgain: 'i2v-need-image', prompt: 'i2v-ask-prompt' },
    menu: true,
  },
  {
    id: 'motion_control',
    command: 'motion_control',
    inputs: ['image', 'video'],
    extras: ['prompt'],
    ask: { image: 'kling-ask-motion-photo', imageAgain: 'i2v-need-image', video: 'kling-ask-motion-video', videoAgain: 'kling-need-video' },
    menu: true,
  },
  {
    id: 'video_lipsync',
    command: 'video_lipsync',
    inputs: ['video', 'audio'],
    extras: [],
    ask: { video: 'kling-ask-lipsync-video', videoAgain: 'kling-need-video', audio: 'kling-ask-lipsync-voice', audioAgain: 'lipsync-need-audio' },
    menu: true,
    fromVideo: 'optional',
  },
  { id: 'video_extend', command: 'video_extend', inputs: [], extras: ['prompt'], ask: {}, menu: false, fromVideo: 'required' },
];

export function taskById(id: string): TaskDef | undefined {
  return TASKS.find((t) => t.id === id);
}

/** The tasks with at least one enabled model whose provider is configured (`models`: the catalog's enabled, configured entries). */
export function availableTasks(
  models: readonly CatalogEntry[],
  providers?: { get(id: string): Pick<VideoProvider, 'canServe'> | undefined },
): Set<GenerationKind> {
  const serves = (m: { provider: ProviderId; kind: GenerationKind }) => providers?.get(m.provider)?.canServe?.(m.kind) ?? true;
  return new Set(models.filter((m) => isAvailable(m) && m.spec !== undefined && serves(m)).map((m) => m.kind));
}
