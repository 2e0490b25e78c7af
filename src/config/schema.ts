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

const optionalInt = (min: number, max: number) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return undefined;
      if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number between ${min} and ${max}, got "${v}"` });
        return z.NEVER;
      }
      return Number(v);
    });

const adminIds = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const parts = (v ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
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

const creditPacks = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const text = v && v.trim() !== '' ? v : '100,500,1200';
    const packs: { credits: number; stars?: number }[] = [];
    for (const part of text
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)) {
      const m = /^(\d+)(?::(\d+))?$/.exec(part);
      if (!m || Number(m[1]) <= 0 || (m[2] !== undefined && Number(m[2]) <= 0) || Number(m[2] ?? 1) > 10_000) {
        ctx.addIssue({ code: 'custom', message: `must look like "100,500" or "100:90,500:400" (credits[:stars], stars ≤ 10000), got "${part}"` });
        return z.NEVER;
      }
      packs.push({ credits: Number(m[1]), stars: m[2] === undefined ? undefined : Number(m[2]) });
    }
    return packs;
  });

export interface SubscriptionPlan {
  id: string;
  credits: number;
  stars: number;
}

/** Growth: Stars subscription plans, `credits:stars` comma-separated (Telegram caps a subscription at 10000 Stars). */
const subscriptionPlans = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const plans: SubscriptionPlan[] = [];
    for (const part of (v ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)) {
      const m = /^(\d{1,9}):(\d{1,5})$/.exec(part);
      if (!m || Number(m[1]) <= 0 || Number(m[2]) <= 0 || Number(m[2]) > 10_000) {
        ctx.addIssue({ code: 'custom', message: `must look like "600:500,1500:1100" (credits:stars a month, stars 1–10000), got "${part}"` });
        return z.NEVER;
      }
      const plan = { id: `${Number(m[1])}x${Number(m[2])}`, credits: Number(m[1]), stars: Number(m[2]) };
      if (!plans.some((p) => p.id === plan.id)) plans.push(plan);
    }
    return plans;
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
    .describe('Telegram bot token from @BotFather; unset = `npm start` opens the sandbox (an emulated Telegram in the browser)'),
  TELEGRAM_API_ROOT: url('Bot API root').default('https://api.telegram.org').describe('Bot API server root (a local Bot API server or a test double)'),
  DATABASE_URL: optionalString
    .pipe(
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
        .optional(),
    )
    .describe('PostgreSQL URL; unset = embedded PGlite in DATA_DIR'),
  DATA_DIR: z.string().trim().default('./data').describe('Folder for the embedded database'),
  ADMIN_IDS: adminIds.describe('Comma-separated Telegram user ids of admins'),
  KIE_API_KEY: optionalString.describe('KIE.ai API key; unset = KIE models are not offered'),
  KIE_API_BASE_URL: url('KIE API').default('https://api.kie.ai').describe('KIE market API base URL'),
  KIE_UPLOAD_BASE_URL: url('KIE upload').default('https://kieai.redpandaai.co').describe('KIE file upload service base URL'),
  KIE_WEBHOOK_HMAC_KEY: optionalString.describe('When set, KIE callbacks must carry a valid X-Webhook-Signature'),
  VEO_1080P_WAIT_MS: int(0, 3_600_000, 6 * 60_000).describe('Veo 3.1: how long after success to wait for the 1080p file before delivering 720p'),
  KLING_ACCESS_KEY: optionalString.describe('Official Kling API access key; unset = Kling models are not offered'),
  KLING_SECRET_KEY: optionalString.describe('Official Kling API secret key'),
  KLING_API_BASE_URL: url('Kling API').default('https://api-singapore.klingai.com').describe('Official Kling API base URL'),
  KLING_AVATAR_MAX_AUDIO_SECONDS: int(2, 300, 300).describe("Cap on the voice length of the official Kling avatar, in seconds (Kling's maximum is 300)"),
  PUBLIC_URL: optionalUrl('public base URL').describe("Public base URL of this bot's HTTP server; when set, providers get callback URLs"),
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
  JOB_LEASE_MS: int(1_000, 3_600_000, 60_000).describe("How long a worker owns a claimed job; a crashed process's jobs are picked up after this"),
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
  STAR_USD_RATE: z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return 0.013;
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0 || n > 1) {
        ctx.addIssue({ code: 'custom', message: `must be a positive number of dollars up to 1, got "${v}"` });
        return z.NEVER;
      }
      return n;
    })
    .describe('US dollars an operator earns per Telegram Star, for the margins of /models and /stats'),
  CREDIT_PACKS: creditPacks.describe('Top-up packs: credits[:stars], comma-separated, e.g. "100,500:450,1200:1000"'),
  BROADCAST_RATE_PER_SECOND: int(1, 1000, 25).describe('Broadcast messages per second (Telegram allows about 30/s for bulk sends)'),
  // Growth (welcome credits, referrals, subscriptions).
  WELCOME_CREDITS: int(0, 1_000_000, 0).describe('Credits every new user gets once at first contact (0 = none)'),
  REFERRAL_PERCENT: int(0, 100, 10).describe("Percent of the credits of each of an invitee's Stars payments that the inviter earns"),
  SUBSCRIPTION_PLANS: subscriptionPlans.describe('Stars subscription plans: credits:stars a month, comma-separated, e.g. "600:500,1500:1100" (empty = none)'),
  SUBSCRIPTION_PERIOD_SECONDS: int(60, 2_592_000, 2_592_000).describe(
    'Stars subscription period; Telegram accepts only 2592000 (30 days), its test environment also 60 or 300',
  ),
  // Operations (src/metrics, src/alerts; README "Operations").
  METRICS_TOKEN: secretToken('METRICS_TOKEN').describe('Bearer token GET /metrics requires; unset = /metrics is open to anyone who can reach the port'),
  METRICS_DB_CACHE_MS: int(0, 3_600_000, 15_000).describe('How long /metrics reuses one read of the database-derived gauges'),
  ALERT_THROTTLE_MS: int(1_000, 86_400_000, 15 * 60_000).describe('Minimum time between two admin alerts of one condition (shared by all instances)'),
  ALERT_CHECK_INTERVAL_MS: int(100, 3_600_000, 60_000).describe('How often the alert checks run (overdue jobs, uncredited payments, recoveries)'),
  ALERT_PROVIDER_FAILURES: int(1, 1_000, 5).describe('Failed provider requests in a row that raise a "provider failing" alert'),
  ALERT_JOBS_OVERDUE_MS: int(0, 86_400_000, 5 * 60_000).describe('How long past its deadline an unfinished generation raises the "jobs overdue" alert'),
  KIE_CREDIT_ALERT: optionalInt(0, 1_000_000_000).describe(
    'Alert admins when the KIE balance (GET /api/v1/chat/credit) is below this many credits; unset = no balance alert',
  ),
  KIE_CREDIT_CHECK_INTERVAL_MS: int(100, 86_400_000, 5 * 60_000).describe('How often the KIE balance is read (also a health probe of the KIE key)'),
  PAYMENT_CREDIT_RETRY_MS: int(0, 600_000, 30_000).describe(
    'Long polling: how long a Stars payment hit by a database error is retried before reconciliation takes over',
  ),
  PAYMENT_RECONCILE_INTERVAL_MS: int(1_000, 86_400_000, 10 * 60_000).describe(
    'How often Stars transactions are reconciled with the ledger (also once at start)',
  ),
  HOUSEKEEPING_INTERVAL_MS: int(1_000, 86_400_000, 60 * 60_000).describe('How often old processed-update marks and quotes are pruned (also once at start)'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('Log level'),
  SANDBOX_HOST: z
    .string()
    .trim()
    .default('127.0.0.1')
    .describe('Sandbox only: address its page listens on (loopback unless you change it; the page needs no login)'),
  SANDBOX_PROVIDER_DELAY_MS: int(0, 600_000, 4_000).describe('Sandbox only: how long an emulated provider takes to make a video'),
});

export type RawConfig = z.output<typeof configSchema>;
