/**
 * Every environment variable the bot reads, in one zod schema with a description per field.
 * `.env.example` is generated from these descriptions (scripts/env-example.ts) and a test keeps
 * them in sync.
 */
import { z } from 'zod';

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const url = (what: string) =>
  z
    .string()
    .trim()
    .refine((v) => /^https?:\/\/[^\s/]+/.test(v), { message: `must be an http(s) URL (${what})` })
    .transform((v) => v.replace(/\/+$/, ''));

const optionalUrl = (what: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === '' ? undefined : v))
    .pipe(url(what).optional());

const int = (min: number, max: number, fallback: number) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return fallback;
      if (!/^\d+$/.test(v)) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number, got "${v}"` });
        return z.NEVER;
      }
      const n = Number(v);
      if (n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `must be between ${min} and ${max}, got ${n}` });
        return z.NEVER;
      }
      return n;
    });

const adminIds = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const parts = (v ?? '').split(',').map((p) => p.trim()).filter(Boolean);
    const ids: bigint[] = [];
    for (const p of parts) {
      if (!/^\d{1,19}$/.test(p)) {
        ctx.addIssue({ code: 'custom', message: `must be comma-separated Telegram user ids, got "${p}"` });
        return z.NEVER;
      }
      ids.push(BigInt(p));
    }
    return ids;
  });

export interface CreditPack {
  id: string;
  credits: number;
  stars: number;
}

const creditPacks = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const text = v && v.trim() !== '' ? v : '100,500,1200';
    const packs: { credits: number; stars?: number }[] = [];
    for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
      const m = /^(\d+)(?::(\d+))?$/.exec(part);
      if (!m || Number(m[1]) <= 0 || (m[2] !== undefined && Number(m[2]) <= 0) || Number(m[2] ?? 1) > 10_000) {
        ctx.addIssue({ code: 'custom', message: `must look like "100,500" or "100:90,500:400" (credits[:stars], stars ≤ 10000), got "${part}"` });
        return z.NEVER;
      }
      packs.push({ credits: Number(m[1]), stars: m[2] === undefined ? undefined : Number(m[2]) });
    }
    return packs;
  });

const secretToken = (name: string) =>
  optionalString.pipe(
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{8,256}$/, `${name} must be 8–256 characters of A-Z, a-z, 0-9, _ and -`)
      .optional(),
  );

export const configSchema = z.object({
  BOT_TOKEN: z
    .string({ message: 'is not set. Create a bot with @BotFather in Telegram (/newbot), then set BOT_TOKEN=<the token it gives you>' })
    .trim()
    .min(1, 'is empty. Create a bot with @BotFather in Telegram (/newbot), then set BOT_TOKEN=<the token it gives you>')
    .regex(/^\d+:[A-Za-z0-9_-]{20,}$/, 'does not look like a bot token (expected "123456:ABC…" from @BotFather)')
    .describe('Telegram bot token from @BotFather (required)'),
  TELEGRAM_API_ROOT: url('Bot API root').default('https://api.telegram.org').describe('Bot API server root (a local Bot API server or a test double)'),
  DATABASE_URL: optionalString
    .pipe(z.string().regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://').optional())
    .describe('PostgreSQL URL; unset = embedded PGlite in DATA_DIR'),
  DATA_DIR: z.string().trim().default('./data').describe('Folder for the embedded database'),
  ADMIN_IDS: adminIds.describe('Comma-separated Telegram user ids of admins'),
  KIE_API_KEY: optionalString.describe('KIE.ai API key; unset = KIE models are not offered'),
  KIE_API_BASE_URL: url('KIE API').default('https://api.kie.ai').describe('KIE market API base URL'),
  KIE_UPLOAD_BASE_URL: url('KIE upload').default('https://kieai.redpandaai.co').describe('KIE file upload service base URL'),
  KIE_WEBHOOK_HMAC_KEY: optionalString.describe('When set, KIE callbacks must carry a valid X-Webhook-Signature'),
  KLING_ACCESS_KEY: optionalString.describe('Official Kling API access key; unset = Kling models are not offered'),
  KLING_SECRET_KEY: optionalString.describe('Official Kling API secret key'),
  KLING_API_BASE_URL: url('Kling API').default('https://api-singapore.klingai.com').describe('Official Kling API base URL'),
  PUBLIC_URL: optionalUrl('public base URL').describe('Public base URL of this bot\'s HTTP server; when set, providers get callback URLs'),
  CALLBACK_SECRET: secretToken('CALLBACK_SECRET').describe('Secret that provider callbacks must carry in their URL (required with PUBLIC_URL)'),
  WEBHOOK_URL: optionalUrl('Telegram webhook URL').describe('Telegram webhook URL; set = webhook mode, unset = long polling'),
  WEBHOOK_SECRET: secretToken('WEBHOOK_SECRET').describe('Secret token Telegram sends with each webhook call (required with WEBHOOK_URL)'),
  HOST: z.string().trim().default('0.0.0.0').describe('Address the HTTP server listens on'),
  POLLING_TIMEOUT_SECONDS: int(0, 50, 30).describe('Long-polling timeout of getUpdates, in seconds'),
  PORT: int(0, 65535, 8080).describe('HTTP server port (health, webhook, provider callbacks)'),
  POLL_INTERVAL_MS: int(50, 3_600_000, 5_000).describe('How often a running job asks its provider for the status'),
  POLL_TIMEOUT_MS: int(1_000, 86_400_000, 20 * 60_000).describe('Give-up time for a generation, after which it is refunded'),
  PROVIDER_TIMEOUT_MS: int(100, 600_000, 30_000).describe('Timeout of one provider HTTP request'),
  PROVIDER_POLLS_PER_SECOND: int(1, 10_000, 20).describe('Cap on status requests per second to each provider'),
  JOB_LEASE_MS: int(1_000, 3_600_000, 60_000).describe('How long a worker owns a claimed job; a crashed process\'s jobs are picked up after this'),
  PROVIDER_SUBMITS_PER_SECOND: int(1, 1_000, 2).describe('Cap on new-task requests per second to each provider (KIE allows about 20 per 10 s)'),
  WORKER_CONCURRENCY: int(1, 1_000, 8).describe('Jobs one bot process works on at the same time'),
  MAX_JOBS_PER_USER: int(1, 100, 1).describe('Generations one user may have in flight'),
  CONVERSATION_IDLE_MS: int(10_000, 86_400_000, 30 * 60_000).describe('An idle flow expires after this long'),
  STARS_PER_CREDIT: z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return 1;
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0) {
        ctx.addIssue({ code: 'custom', message: `must be a positive number, got "${v}"` });
        return z.NEVER;
      }
      return n;
    })
    .describe('Stars per credit for packs given without an explicit price'),
  CREDIT_PACKS: creditPacks.describe('Top-up packs: credits[:stars], comma-separated, e.g. "100,500:450,1200:1000"'),
  BROADCAST_RATE_PER_SECOND: int(1, 1000, 25).describe('Broadcast messages per second (Telegram allows about 30/s for bulk sends)'),
  PAYMENT_CREDIT_RETRY_MS: int(0, 600_000, 30_000).describe('Long polling: how long a Stars payment hit by a database error is retried before reconciliation takes over'),
  PAYMENT_RECONCILE_INTERVAL_MS: int(1_000, 86_400_000, 10 * 60_000).describe('How often Stars transactions are reconciled with the ledger (also once at start)'),
  HOUSEKEEPING_INTERVAL_MS: int(1_000, 86_400_000, 60 * 60_000).describe('How often old processed-update marks and quotes are pruned (also once at start)'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('Log level'),
});

export type RawConfig = z.output<typeof configSchema>;
