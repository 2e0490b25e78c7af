/** Admin commands (placeholder until the admin feature lands). */
import { Composer } from 'grammy';
import type { BotContext } from '../../context.js';

export function adminFeature(): Composer<BotContext> {
  return new Composer<BotContext>();
}
