/** Tracks whether a user can be reached: blocking the bot marks them unreachable. */
import { Composer } from '../composer.js';
import type { BotContext } from '../context.js';
import { markUnreachable } from '../../domain/users.js';

export function membershipFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.on('my_chat_member', async (ctx) => {
    if (ctx.chat.type !== 'private') return;
    const status = ctx.myChatMember.new_chat_member.status;
    if (status === 'kicked') await markUnreachable(ctx.deps.prisma, BigInt(ctx.chat.id));
    // A user who unblocks is marked reachable again by the next update they send (update-prelude.ts).
  });
  return composer;
}
