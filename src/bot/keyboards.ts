/** Shared keyboards. */
import { InlineKeyboard } from 'grammy';
import { z } from 'zod';
import { defineCallback } from './callback-data.js';
import type { Translate } from './i18n.js';

/** The generation tasks a user starts from the menu or by command (the menu hides those no model serves). */
export const TASK_ACTIONS = ['lipsync', 'text2video', 'image2video', 'multi_image2video', 'motion_control', 'video_lipsync'] as const;

export const MENU_ACTIONS = [...TASK_ACTIONS, 'balance', 'topup', 'history', 'help', 'invite'] as const;
export type MenuAction = (typeof MENU_ACTIONS)[number];
export const menuCallback = defineCallback('menu', { action: z.enum(MENU_ACTIONS) });

/** The main menu; `tasks` (Catalog v2) hides the generation tasks no available model serves. */
export function mainMenu(t: Translate, tasks?: ReadonlySet<string>): InlineKeyboard {
  const b = (action: MenuAction) => InlineKeyboard.text(t(`menu-${action}`), menuCallback.pack({ action }));
  const shown = (action: MenuAction) => !tasks || tasks.has(action);
  const video = (['text2video', 'image2video'] as const).filter(shown).map(b);
  // The Kling suite's tasks (issue 11), shown only when a model serves them.
  const more = (['multi_image2video', 'motion_control', 'video_lipsync'] as const).filter((a) => tasks?.has(a) === true).map(b);
  return InlineKeyboard.from([
    ...(shown('lipsync') ? [[b('lipsync')]] : []),
    ...(video.length ? [video] : []),
    ...(more.length ? [more.slice(0, 2), ...(more.length > 2 ? [more.slice(2)] : [])] : []),
    [b('balance'), b('topup')],
    [b('history'), b('help')],
    [b('invite')],
  ]);
}
