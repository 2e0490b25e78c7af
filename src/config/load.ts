/**
 * Parses the environment once (called from src/main.ts only). A bad value becomes one line that
 * names the variable and says what is wrong; nothing else reads process.env.
 */
import type { CreditPack } from '../domain/payments.js';
import { configSchema, type RawConfig } from './schema.js';

export interface Config extends Omit<RawConfig, 'CREDIT_PACKS'> {
  CREDIT_PACKS: CreditPack[];
  kie?: { apiKey: string; apiBaseUrl: string; uploadBaseUrl: string; webhookHmacKey?: string };
  kling?: { accessKey: string; secretKey: string; apiBaseUrl: string };
  /** Webhook mode (WEBHOOK_URL set): where Telegram posts updates and the secret it sends. */
  webhook?: { url: string; path: string; secret: string };
  /** Provider callbacks (CALLBACK_SECRET set); `publicUrl` is where providers reach us (PUBLIC_URL). */
  callbacks?: { secret: string; publicUrl?: string };
  mode: 'polling' | 'webhook';
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv | Record<string, string | undefined>): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? 'config');
    let message = issue.message;
    if (issue.code === 'invalid_type' && env[name] === undefined) message = 'is not set';
    if (name === 'BOT_TOKEN' && env[name] === undefined) message = configSchemaBotTokenHint;
    if (issue.code === 'invalid_value' && 'values' in issue) message = `must be one of ${(issue.values as unknown[]).join(', ')}`;
    throw new ConfigError(`${name} ${message}`);
  }
  const c = parsed.data;
  if (c.WEBHOOK_URL && !c.WEBHOOK_SECRET)
    throw new ConfigError('WEBHOOK_SECRET is required in webhook mode (WEBHOOK_URL is set): 8–256 characters of A-Z, a-z, 0-9, _ and -');
  if (c.PUBLIC_URL && !c.CALLBACK_SECRET) throw new ConfigError('CALLBACK_SECRET is required when PUBLIC_URL is set (providers must prove their callbacks)');
  if (Boolean(c.KLING_ACCESS_KEY) !== Boolean(c.KLING_SECRET_KEY))
    throw new ConfigError(`${c.KLING_ACCESS_KEY ? 'KLING_SECRET_KEY' : 'KLING_ACCESS_KEY'} is not set (the official Kling API needs both keys)`);

  const packs: CreditPack[] = c.CREDIT_PACKS.map((p) => ({
    id: `p${p.credits}`,
    credits: p.credits,
    stars: p.stars ?? Math.max(1, Math.ceil(p.credits * c.STARS_PER_CREDIT)),
  }));
  return {
    ...c,
    CREDIT_PACKS: packs,
    kie: c.KIE_API_KEY
      ? { apiKey: c.KIE_API_KEY, apiBaseUrl: c.KIE_API_BASE_URL, uploadBaseUrl: c.KIE_UPLOAD_BASE_URL, webhookHmacKey: c.KIE_WEBHOOK_HMAC_KEY }
      : undefined,
    kling:
      c.KLING_ACCESS_KEY && c.KLING_SECRET_KEY ? { accessKey: c.KLING_ACCESS_KEY, secretKey: c.KLING_SECRET_KEY, apiBaseUrl: c.KLING_API_BASE_URL } : undefined,
    webhook: c.WEBHOOK_URL && c.WEBHOOK_SECRET ? { url: c.WEBHOOK_URL, path: new URL(c.WEBHOOK_URL).pathname, secret: c.WEBHOOK_SECRET } : undefined,
    callbacks: c.CALLBACK_SECRET ? { secret: c.CALLBACK_SECRET, publicUrl: c.PUBLIC_URL } : undefined,
    mode: c.WEBHOOK_URL ? 'webhook' : 'polling',
  };
}

const configSchemaBotTokenHint =
  'is not set. Create a bot with @BotFather in Telegram (/newbot) and set BOT_TOKEN=<the token it gives you>, e.g. in a .env file';
