/**
 * The tasks of the menu (Catalog v2) and what the conversation engine asks for each: the inputs
 * in order, then the model, then the model's own options, then optional extras with Skip. A
 * task shows only when an enabled, configured model serves it.
 *
 * Extension points for new tasks (lip-sync a video, extend, motion transfer, several photos):
 * add the task id to `GenerationKind` (providers/types.ts and the Prisma enum), a `TaskDef`
 * here, an input kind to `InputKind` with its step in engine.ts, and specs serving the task.
 */
import type { MessageKey } from '../../../message-keys.js';
import type { PrismaClient } from '../../../db/client.js';
import { isAvailable, listModels } from '../../../domain/catalog.js';
import type { GenerationKind, ProviderId } from '../../../providers/types.js';

export type InputKind = 'image' | 'audio' | 'prompt';
export type ExtraKind = 'endImage' | 'negativePrompt' | 'prompt';

export interface TaskDef {
  id: GenerationKind;
  /** The command and menu action that start it. */
  command: string;
  inputs: readonly InputKind[];
  extras: readonly ExtraKind[];
  /** Locale keys of the input questions. */
  ask: { image?: MessageKey; imageAgain?: MessageKey; prompt?: MessageKey; audio?: MessageKey; audioAgain?: MessageKey };
}

export const TASKS: readonly TaskDef[] = [
  {
    id: 'lipsync',
    command: 'lipsync',
    inputs: ['image', 'audio'],
    extras: ['prompt'],
    ask: { image: 'lipsync-ask-photo', imageAgain: 'lipsync-need-photo', audio: 'lipsync-ask-audio', audioAgain: 'lipsync-need-audio' },
  },
  { id: 'text2video', command: 'text2video', inputs: ['prompt'], extras: ['negativePrompt'], ask: { prompt: 't2v-ask-prompt' } },
  {
    id: 'image2video',
    command: 'image2video',
    inputs: ['image', 'prompt'],
    extras: ['endImage', 'negativePrompt'],
    ask: { image: 'catalog-i2v-ask-image', imageAgain: 'i2v-need-image', prompt: 'i2v-ask-prompt' },
  },
];

export function taskById(id: string): TaskDef | undefined {
  return TASKS.find((t) => t.id === id);
}

/** The tasks with at least one enabled model whose provider is configured. */
export async function availableTasks(prisma: PrismaClient, configured: ReadonlySet<ProviderId>): Promise<Set<GenerationKind>> {
  const models = await listModels(prisma, { enabledOnly: true, configuredProviders: configured });
  return new Set(models.filter((m) => isAvailable(m) && m.spec !== undefined).map((m) => m.kind));
}
