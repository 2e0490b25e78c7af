/** /models, /enable, /disable, /price: the catalog lives in the database, so a change applies to the next quote. */
import { Composer } from 'grammy';
import type { BotContext } from '../../context.js';
import type { MessageKey } from '../../i18n.js';
import { listCatalog, MAX_PRICE, setModelEnabled, setModelPrice } from '../../../domain/admin.js';
import { isPriceRule } from '../../../domain/pricing.js';
import { adminId, args, priceText, usage } from './shared.js';

function configuredProviders(ctx: BotContext): Set<string> {
  const set = new Set<string>();
  if (ctx.deps.config.kie) set.add('kie');
  if (ctx.deps.config.kling) set.add('kling');
  return set;
}

export function catalogCommands(): Composer<BotContext> {
  const composer = new Composer<BotContext>();

  composer.command('models', async (ctx) => {
    const models = await listCatalog(ctx.deps.prisma);
    const configured = configuredProviders(ctx);
    const lines = models.map((m) => {
      const state = !configured.has(m.provider) ? 'not-configured' : m.enabled ? 'on' : 'off';
      return ctx.t('admin-models-line', {
        state: ctx.t(`admin-model-state-${state}`),
        slug: m.slug,
        name: m.displayName,
        price: priceText(ctx, m.priceRule, m.priceAmount),
        provider: m.provider,
        off: !configured.has(m.provider) && !m.enabled ? ctx.t('admin-model-also-off') : '',
      });
    });
    await ctx.reply([ctx.t('admin-models-title'), '', ...lines, '', ctx.t('admin-models-hint')].join('\n'));
  });

  for (const command of ['enable', 'disable'] as const) {
    composer.command(command, async (ctx) => {
      const [slug, extra] = args(ctx);
      if (!slug || extra) return usage(ctx, command);
      const result = await setModelEnabled(ctx.deps.prisma, adminId(ctx), slug, command === 'enable');
      if (result.status === 'not_found') return void (await ctx.reply(ctx.t('admin-model-not-found', { slug })));
      const key: MessageKey = result.status === 'unchanged' ? `admin-model-already-${command}d` : `admin-model-${command}d`;
      let text = ctx.t(key, { slug });
      if (command === 'enable' && !configuredProviders(ctx).has(result.model.provider)) {
        text += `\n${ctx.t('admin-model-unconfigured-note', { provider: result.model.provider })}`;
      }
      await ctx.reply(text);
    });
  }

  composer.command('price', async (ctx) => {
    const [slug, amountText, rule, extra] = args(ctx);
    const amount = amountText && /^\d{1,7}$/.test(amountText) ? Number(amountText) : null;
    if (!slug || amount === null || amount > MAX_PRICE || extra || (rule !== undefined && !isPriceRule(rule))) {
      return usage(ctx, 'price');
    }
    const result = await setModelPrice(ctx.deps.prisma, adminId(ctx), slug, amount, rule && isPriceRule(rule) ? rule : undefined);
    if (result.status === 'not_found') return void (await ctx.reply(ctx.t('admin-model-not-found', { slug })));
    const price = priceText(ctx, result.model.priceRule, result.model.priceAmount);
    if (result.status === 'unchanged') return void (await ctx.reply(ctx.t('admin-price-unchanged', { slug, price })));
    await ctx.reply(ctx.t('admin-price-set', { slug, price, old: priceText(ctx, result.before.priceRule, result.before.priceAmount) }));
  });

  return composer;
}
