/** The inline buttons under a delivered video (🔁 Again, ➕ Extend, 🗣 Make it talk), from the domain's rules. */
import { InlineKeyboard } from 'grammy';
import type { AfterDeliveryAction } from '../domain/after-delivery.js';
import type { MessageKey } from './i18n.js';
import { afterDeliveryCallback } from './features/generate/callbacks.js';

const LABELS: Record<AfterDeliveryAction, MessageKey> = { again: 'after-again', extend: 'after-extend', talk: 'after-talk' };

/** One row of buttons; `suffix` tells /history's rows apart (e.g. " 2"). */
export function afterDeliveryButtons(t: (key: MessageKey) => string, id: string, actions: readonly AfterDeliveryAction[], suffix = '') {
  return actions.map((a) => InlineKeyboard.text(`${t(LABELS[a])}${suffix}`, afterDeliveryCallback.pack({ a, id })));
}

export function afterDeliveryKeyboard(t: (key: MessageKey) => string, id: string, actions: readonly AfterDeliveryAction[]): InlineKeyboard | undefined {
  return actions.length ? InlineKeyboard.from([afterDeliveryButtons(t, id, actions)]) : undefined;
}
