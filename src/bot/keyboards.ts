/** Shared keyboards. */
import { InlineKeyboard } from 'grammy';
import { z } from 'zod';
import { defineCallback } from './callback-data.js';
import type { Translate } from './i18n.js';

export const MENU_ACTIONS = ['lipsync', 'text2video', 'image2video', 'balance', 'topup', 'history', 'help', 'invite'] as const;
export type MenuAction = (typeof MENU_ACTIONS)[number];
export const menuCallback = defineCallback('menu', { action: z.enum(MENU_ACTIONS) });

export function mainMenu(t: Translate): InlineKeyboard {
  const b = (action: MenuAction) => InlineKeyboard.text(t(`menu-${action}`), menuCallback.pack({ action }));
  return InlineKeyboard.from([
    [b('lipsync')],
    [b('text2video'), b('image2video')],
    [b('balance'), b('topup')],
    [b('history'), b('help')],
    [b('invite')],
  ]);
}
