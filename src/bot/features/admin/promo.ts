/** Admin: /promo new CODE CREDITS [MAX_USES] [DAYS], /promo list, /promo off CODE (audited). Anything else is a user's /promo. */
import { Composer } from '../../composer.js';
import type { BotContext } from '../../context.js';
import { createPromo, disablePromo, listPromos, MAX_PROMO_CREDITS, MAX_PROMO_DAYS, MAX_PROMO_USES, normalizeCode } from '../../../domain/promo-codes.js';
import { adminId, args, formatDate, usage } from './shared.js';

function bounded(text: string | undefined, max: number): number | null | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,10}$/.test(text)) return null;
  const n = Number(text);
  return n >= 1 && n <= max ? n : null;
}

export function promoAdminCommands(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.command('promo', async (ctx, next) => {
    const [sub, ...rest] = args(ctx);
    const now = ctx.deps.now();
    if (sub === undefined) return usage(ctx, 'promo');
    switch (sub?.toLowerCase()) {
      case 'new': {
        const [codeText, creditsText, usesText, daysText, extra] = rest;
        const code = normalizeCode(codeText);
        const credits = bounded(creditsText, MAX_PROMO_CREDITS);
        const maxUses = bounded(usesText, MAX_PROMO_USES);
        const days = bounded(daysText, MAX_PROMO_DAYS);
        if (!code || !credits || maxUses === null || days === null || extra) return usage(ctx, 'promo');
        const result = await createPromo(ctx.deps.prisma, { adminId: adminId(ctx), code, credits, maxUses, days, now });
        if (result.status === 'exists') return void (await ctx.reply(ctx.t('admin-promo-exists', { code })));
        const link = `https://t.me/${ctx.me.username}?start=promo_${code}`;
        return void (await ctx.reply(
          ctx.t('admin-promo-created', {
            code,
            credits,
            uses: maxUses ?? '∞',
            expires: result.promo.expiresAt ? formatDate(result.promo.expiresAt) : ctx.t('admin-promo-never'),
            link,
          }),
          { link_preview_options: { is_disabled: true } },
        ));
      }
      case 'list': {
        const promos = await listPromos(ctx.deps.prisma);
        if (promos.length === 0) return void (await ctx.reply(ctx.t('admin-promo-list-empty')));
        const lines = promos.map((p) => {
          const state = !p.active ? 'off' : p.expiresAt && p.expiresAt <= now ? 'expired' : p.maxUses !== null && p.uses >= p.maxUses ? 'used-up' : 'on';
          return ctx.t('admin-promo-line', {
            code: p.code,
            state: ctx.t(`admin-promo-state-${state}`),
            credits: p.credits,
            uses: p.uses,
            left: p.maxUses === null ? '∞' : Math.max(0, p.maxUses - p.uses),
            expires: p.expiresAt ? formatDate(p.expiresAt) : ctx.t('admin-promo-never'),
          });
        });
        return void (await ctx.reply([ctx.t('admin-promo-list-title'), ...lines].join('\n')));
      }
      case 'off': {
        const [codeText, extra] = rest;
        const code = normalizeCode(codeText);
        if (!code || extra) return usage(ctx, 'promo');
        const result = await disablePromo(ctx.deps.prisma, { adminId: adminId(ctx), code });
        if (result.status === 'not_found') return void (await ctx.reply(ctx.t('admin-promo-not-found', { code })));
        return void (await ctx.reply(ctx.t(result.status === 'ok' ? 'admin-promo-off' : 'admin-promo-already-off', { code, uses: result.promo.uses })));
      }
      default:
        return next(); // "/promo CODE": the admin redeems a code like any user
    }
  });
  return composer;
}
