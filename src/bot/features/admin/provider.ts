/**
 * `/provider [FAMILY kie|kling]`: the preferred provider of a model family both KIE and the
 * official Kling API sell (src/domain/model-families.ts). Without arguments it lists the
 * families with their current choice; a change is stored and audited, and moves new jobs.
 */
import { Composer } from '../../composer.js';
import type { BotContext } from '../../context.js';
import { DEFAULT_PREFERRED, FAMILY_IDS, FAMILY_PROVIDERS, isFamilyId, loadPreferences, setPreference } from '../../../domain/model-families.js';
import type { ProviderId } from '../../../providers/types.js';
import { adminId, args } from './shared.js';

export function providerCommand(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.command('provider', async (ctx) => {
    const [family, provider, extra] = args(ctx);
    const usage = () => ctx.reply(ctx.t('admin-usage-provider', { families: FAMILY_IDS.join(', ') }));
    if (family === undefined) {
      const preferences = await loadPreferences(ctx.deps.prisma);
      const configured = ctx.deps.providers.configured;
      const lines = FAMILY_IDS.map((id) => {
        const chosen = preferences.get(id) ?? DEFAULT_PREFERRED;
        return ctx.t('admin-provider-line', { family: id, provider: chosen, configured: configured.has(chosen) ? 'yes' : 'no' });
      });
      await ctx.reply([ctx.t('admin-provider-title'), ...lines, '', ctx.t('admin-usage-provider', { families: FAMILY_IDS.join(', ') })].join('\n'));
      return;
    }
    if (!isFamilyId(family) || !provider || !(FAMILY_PROVIDERS as readonly string[]).includes(provider) || extra) return void (await usage());
    await setPreference(ctx.deps.prisma, family, provider as ProviderId, adminId(ctx));
    let text = ctx.t('admin-provider-set', { family, provider });
    if (!ctx.deps.providers.configured.has(provider as ProviderId)) text += `\n${ctx.t('admin-model-unconfigured-note', { provider })}`;
    await ctx.reply(text);
  });
  return composer;
}
