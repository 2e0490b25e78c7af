/**
 * /models (grouped by task, with option multipliers and margins), /enable, /disable, /price and
 * /cost: the catalog lives in the database, so a change applies to the next quote.
 */
import { Composer } from '../../composer.js';
import type { BotContext } from '../../context.js';
import type { MessageKey } from '../../i18n.js';
import { listCatalog, MAX_PRICE, setModelEnabled, setModelPrice } from '../../../domain/admin.js';
import { describePrice, isPriceRule } from '../../../domain/pricing.js';
import { offeredValues, toCatalogEntry, type CatalogEntry } from '../../../domain/catalog.js';
import { computeMargins, MAX_COST_USD, setModelCost, type ModelMargin } from '../../../domain/margins.js';
import { adminId, args, priceText, usage } from './shared.js';

function configuredProviders(ctx: BotContext): Set<string> {
  return new Set<string>(ctx.deps.providers.configured);
}

const usd = (value: number) => value.toFixed(2);

/** "mode: std, pro ×1.5, 4k ×3 · duration: 3, 5, 10, 15" — the options users see, with multipliers. */
function optionsText(model: CatalogEntry): string {
  return (model.spec?.options ?? [])
    .map((option) => {
      const values = offeredValues(model, option.key, {});
      const shown = values.map((v) => {
        const m = model.multipliers[`${option.key}:${v}`];
        return m !== undefined && m !== 1 ? `${v} ×${m}` : v;
      });
      return `${option.key}: ${shown.join(', ')}${values.length === 1 ? ' (not asked)' : ''}`;
    })
    .join(' · ');
}

export function catalogCommands(): Composer<BotContext> {
  const composer = new Composer<BotContext>();

  composer.command('models', async (ctx) => {
    const { prisma, config, now } = ctx.deps;
    const rows = await listCatalog(prisma);
    const configured = configuredProviders(ctx);
    const margins = await computeMargins(prisma, now(), { starsPerCredit: config.STARS_PER_CREDIT, starUsdRate: config.STAR_USD_RATE });
    const marginOf = (list: ModelMargin[], slug: string) => list.find((m) => m.slug === slug) ?? { revenueUsd: 0, costUsd: 0, marginUsd: 0 };
    // One message per task, so a long catalog stays under Telegram's 4096 characters.
    const groups = new Map<string, string[]>();
    for (const row of rows) {
      const m = toCatalogEntry(row);
      const state = !configured.has(m.provider) ? 'not-configured' : m.enabled ? 'on' : 'off';
      const lines = groups.get(m.kind) ?? [ctx.t('admin-models-task', { task: ctx.t(`menu-${m.kind}`) })];
      lines.push(
        ctx.t('admin-models-line', {
          state: ctx.t(`admin-model-state-${state}`),
          slug: m.slug,
          name: m.displayName,
          price: priceText(ctx, m.priceRule, m.priceAmount),
          provider: m.provider,
          off: !configured.has(m.provider) && !m.enabled ? ctx.t('admin-model-also-off') : '',
        }),
      );
      const options = optionsText(m);
      if (options) lines.push(`   ${ctx.t('admin-models-options', { options })}`);
      const today = marginOf(margins.today, m.slug);
      const week = marginOf(margins.week, m.slug);
      const unit = ctx.t(`admin-unit-${describePrice(m.priceRule, 0, { audioSeconds: 1, durationSeconds: 5 }).unit}`);
      lines.push(
        `   ${ctx.t('admin-models-margin', {
          cost: String(m.providerCostUsd),
          unit,
          revenueToday: usd(today.revenueUsd),
          costToday: usd(today.costUsd),
          marginToday: usd(today.marginUsd),
          revenueWeek: usd(week.revenueUsd),
          costWeek: usd(week.costUsd),
          marginWeek: usd(week.marginUsd),
        })}`,
      );
      groups.set(m.kind, lines);
    }
    const messages = [...groups.values()].map((lines) => lines.join('\n'));
    messages[0] = `${ctx.t('admin-models-title')}\n\n${messages[0] ?? ''}`;
    messages[messages.length - 1] += `\n\n${ctx.t('admin-models-hint-v2')}`;
    for (const text of messages) await ctx.reply(text);
  });

  composer.command('cost', async (ctx) => {
    const [slug, costText, extra] = args(ctx);
    const cost = costText && /^\$?\d{1,4}(\.\d{1,6})?$/.test(costText) ? Number(costText.replace('$', '')) : null;
    if (!slug || cost === null || cost > MAX_COST_USD || extra) return usage(ctx, 'cost');
    const result = await setModelCost(ctx.deps.prisma, adminId(ctx), slug, cost);
    if (result.status === 'not_found') return void (await ctx.reply(ctx.t('admin-model-not-found', { slug })));
    const unit = ctx.t(`admin-unit-${describePrice(result.model.priceRule, 0, { audioSeconds: 1, durationSeconds: 5 }).unit}`);
    if (result.status === 'unchanged') return void (await ctx.reply(ctx.t('admin-cost-unchanged', { slug, cost: String(cost), unit })));
    await ctx.reply(ctx.t('admin-cost-set', { slug, cost: String(cost), unit, old: String(result.before) }));
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
