/**
 * The whole app from a parsed config, in two steps:
 *  - `buildApp` wires the parts (database handle, i18n, providers, workers, bot, HTTP server)
 *    and starts nothing: no migration, no listening, no timers, no Telegram call;
 *  - `BuiltApp.start()` has the start-up effects, in order: migrate and seed → bot.init and the
 *    command lists → housekeeping and periodic work → HTTP server listening → workers → updates
 *    (long polling with the runner, or the webhook). `App.stop()` shuts down in reverse within
 *    the given time.
 * `startApp` is the two together; src/main.ts, the sandbox and the tests use it.
 */
import path from 'node:path';
import { run, type RunnerHandle } from '@grammyjs/runner';
import { Api, webhookCallback } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import type { Logger } from 'pino';
import type { Config } from './config/load.js';
import { openDatabase, type Database } from './db/client.js';
import { projectRoot } from './db/migrate.js';
import { seedCatalog } from './db/seed.js';
import { createI18n } from './bot/i18n.js';
import { createBot } from './bot/create-bot.js';
import { setCommands } from './bot/commands.js';
import { createServer, type AppServer, type ServerDeps } from './server/http.js';
import { pruneProcessedUpdates } from './bot/prune.js';
import { createBackgroundApi } from './bot/background-api.js';
import { createPaymentReconciler } from './bot/features/payments/reconcile.js';
import { createTelegramFiles } from './bot/telegram-files.js';
import { createProviderRegistry } from './providers/registry.js';
import { markUnreachable } from './domain/users.js';
import { pruneQuotes } from './domain/quotes.js';
import { createInFlightTracker } from './bot/middlewares/in-flight.js';
import { createJobWorker, type JobWorker } from './jobs/index.js';
import { createJobMessenger } from './bot/job-messenger.js';
import { hostname } from 'node:os';
import { createBroadcastWorker } from './broadcast/index.js';
import { createBroadcastMessenger } from './bot/broadcast-messenger.js';
import { setAdminCommands } from './bot/features/admin/index.js';
import { randomBytes } from 'node:crypto';
import { Registry } from 'prom-client';
import { createPrometheusMetrics, type PrometheusMetrics } from './metrics/prometheus.js';
import { cachedDbSnapshot, readDbSnapshot } from './metrics/db-snapshot.js';
import { instrumentMessenger, instrumentRegistry } from './metrics/instrument.js';
import { createAlerts, type Alerts } from './alerts/service.js';
import { createMediaHosting } from './server/media-hosting.js';
import { releaseHostedMedia } from './server/release-hosted-media.js';
import { createCatalogCache } from './domain/catalog-cache.js';
import { grammyFetch } from './bot/bot-api-fetch.js';

export const ALLOWED_UPDATES = ['message', 'callback_query', 'pre_checkout_query', 'my_chat_member', 'subscription'] as const;

export interface AppOptions {
  config: Config;
  logger: Logger;
  now?: () => Date;
  botInfo?: UserFromGetMe;
  /** The app's own Prometheus registry (default: a new one; never prom-client's global). */
  metricsRegistry?: Registry;
  /** More HTTP routes on the bot's server (the sandbox page and its API). */
  routes?: ServerDeps['routes'];
}

export interface App {
  db: Database;
  metrics: PrometheusMetrics;
  alerts: Alerts;
  /** The port the HTTP server listens on. */
  port: number;
  stop(timeoutMs?: number): Promise<void>;
}

/** The wired app: every part built, nothing started yet. */
export interface BuiltApp {
  db: Database;
  metrics: PrometheusMetrics;
  alerts: Alerts;
  /** Runs the start-up effects and returns the running app. Call once. */
  start(): Promise<App>;
}

export async function startApp(options: AppOptions): Promise<App> {
  const built = await buildApp(options);
  return built.start();
}

/** Wires the parts of the app from the config; opens the database handle, starts nothing. */
export async function buildApp(options: AppOptions): Promise<BuiltApp> {
  const { config, logger } = options;
  const now = options.now ?? (() => new Date());

  const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  const i18n = createI18n(path.join(projectRoot(), 'locales'));
  // The API object of background work (files, jobs, reconciliation): bounded retries (429 only),
  // no unbounded network retry, AbortSignals from the job steps (src/bot/background-api.ts).
  const api = createBackgroundApi({
    token: config.BOT_TOKEN,
    apiRoot: config.TELEGRAM_API_ROOT,
    onBlocked: (chatId) => markUnreachable(db.prisma, BigInt(chatId)),
  });
  const files = createTelegramFiles({ api, token: config.BOT_TOKEN, apiRoot: config.TELEGRAM_API_ROOT, timeoutMs: config.PROVIDER_TIMEOUT_MS * 2 });
  // Operations (src/metrics, src/alerts): the app's own registry; providers and deliveries instrumented.
  const metrics = createPrometheusMetrics({
    registry: options.metricsRegistry ?? new Registry(),
    dbSnapshot: cachedDbSnapshot(() => readDbSnapshot(db.prisma, now()), config.METRICS_DB_CACHE_MS),
    onSnapshotError: (err) => logger.warn({ err }, 'metrics: could not read the database gauges'),
  });
  // URL-only inputs (Kling motion control, lip-sync of an upload): KIE's upload host or PUBLIC_URL/media.
  const media = createMediaHosting({
    dir: path.join(config.DATA_DIR, 'hosted-media'),
    ...(config.callbacks?.publicUrl ? { publicUrl: config.callbacks.publicUrl } : {}),
    ...(config.kie ? { kie: { apiKey: config.kie.apiKey, uploadBaseUrl: config.kie.uploadBaseUrl, timeoutMs: config.PROVIDER_TIMEOUT_MS } } : {}),
    logger,
  });
  const providers = instrumentRegistry(
    createProviderRegistry({
      kie: config.kie,
      kling: config.kling,
      ...(media.available ? { urlHost: media } : {}),
      klingAvatarMaxAudioSeconds: config.KLING_AVATAR_MAX_AUDIO_SECONDS,
      veoHdWaitMs: config.VEO_1080P_WAIT_MS,
      timeoutMs: config.PROVIDER_TIMEOUT_MS,
      logger,
    }),
    metrics,
    (provider, operation, error) => alerts.providerResult(provider, operation, error),
  );
  const kie = providers.get('kie') as { getAccountCredits?: (signal?: AbortSignal) => Promise<number> } | undefined;
  const alerts: Alerts = createAlerts({
    prisma: db.prisma,
    admins: config.ADMIN_IDS,
    async render(adminId, key, vars) {
      const user = await db.prisma.user.findUnique({ where: { id: adminId }, select: { language: true, telegramLanguage: true } });
      return i18n.t(i18n.isLocale(user?.language) ? user.language : i18n.negotiate(user?.telegramLanguage), key, vars);
    },
    send: async (adminId, text) => {
      await api.sendMessage(Number(adminId), text, { link_preview_options: { is_disabled: true } });
    },
    now,
    logger: logger.child({ component: 'alerts' }),
    metrics,
    throttleMs: config.ALERT_THROTTLE_MS,
    checkIntervalMs: config.ALERT_CHECK_INTERVAL_MS,
    providerFailures: config.ALERT_PROVIDER_FAILURES,
    jobsOverdueMs: config.ALERT_JOBS_OVERDUE_MS,
    ...(kie?.getAccountCredits ? { kieCredits: (signal: AbortSignal) => kie.getAccountCredits!(signal) } : {}),
    ...(config.KIE_CREDIT_ALERT !== undefined ? { kieCreditAlert: config.KIE_CREDIT_ALERT } : {}),
    kieCreditCheckIntervalMs: config.KIE_CREDIT_CHECK_INTERVAL_MS,
    requestTimeoutMs: config.PROVIDER_TIMEOUT_MS,
  });
  const worker: JobWorker = createJobWorker({
    prisma: db.prisma,
    providers,
    messenger: instrumentMessenger(createJobMessenger({ api, i18n, prisma: db.prisma, logger, fetchTimeoutMs: config.PROVIDER_TIMEOUT_MS, now }), metrics),
    media: files,
    logger: logger.child({ component: 'jobs' }),
    now,
    instanceId: `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
    pollIntervalMs: config.POLL_INTERVAL_MS,
    pollTimeoutMs: config.POLL_TIMEOUT_MS,
    concurrency: config.WORKER_CONCURRENCY,
    leaseMs: config.JOB_LEASE_MS,
    pollsPerSecond: config.PROVIDER_POLLS_PER_SECOND,
    submitsPerSecond: config.PROVIDER_SUBMITS_PER_SECOND,
    callbacks: config.callbacks?.publicUrl ? { publicUrl: config.callbacks.publicUrl, secret: config.callbacks.secret } : undefined,
    metrics,
  });
  const wakeJobs = (id?: string) => {
    worker.wake(id).catch((err) => logger.warn({ err }, 'could not wake the job worker'));
  };
  const deps = { config, prisma: db.prisma, query: db.query, i18n, logger, now, files, providers, catalog: createCatalogCache(), wakeJobs, metrics, alerts };
  // Broadcasts use their own API client without auto-retry: a 429 pauses the whole queue.
  const broadcasts = createBroadcastWorker({
    prisma: db.prisma,
    messenger: createBroadcastMessenger({
      api: new Api(config.BOT_TOKEN, { apiRoot: config.TELEGRAM_API_ROOT, timeoutSeconds: 60, fetch: grammyFetch }),
      i18n,
    }),
    logger: logger.child({ component: 'broadcast' }),
    now,
    ratePerSecond: config.BROADCAST_RATE_PER_SECOND,
  });
  const inFlight = createInFlightTracker();
  const bot = createBot({
    token: config.BOT_TOKEN,
    apiRoot: config.TELEGRAM_API_ROOT,
    botInfo: options.botInfo,
    deps,
    inFlight,
    onBroadcastQueued: () => broadcasts.wake(),
  });
  // Housekeeping: processed-update marks, old quotes and hosted media of ended jobs, at start and periodically.
  const housekeeping = async () => {
    const [updates, quotes] = [await pruneProcessedUpdates(db.prisma, now()), await pruneQuotes(db.prisma, now())];
    if (updates || quotes) logger.info({ updates, quotes }, 'pruned old update marks and quotes');
    const hosted = await releaseHostedMedia(db.prisma, media);
    if (hosted) logger.info({ hosted }, 'deleted hosted media of ended jobs');
  };
  // Stars reconciliation against getStarTransactions: at start (in the background) and periodically.
  const reconciler = createPaymentReconciler({ api, prisma: db.prisma, i18n, logger, subscriptionPeriodSeconds: config.SUBSCRIPTION_PERIOD_SECONDS });
  const reconcile = () => {
    reconciler
      .run(AbortSignal.timeout(Math.max(30_000, config.PAYMENT_RECONCILE_INTERVAL_MS)))
      .then((r) => {
        if (r.credited.length || r.failed.length)
          logger.info({ credited: r.credited.length, failed: r.failed.length, scanned: r.scanned }, 'payments reconciled');
      })
      .catch((err: unknown) => logger.warn({ err }, 'payment reconciliation failed'));
  };
  const server: AppServer = createServer({
    logger,
    isReady: () => db.ping(),
    webhook: config.webhook
      ? {
          path: config.webhook.path,
          handler: webhookCallback(bot, 'http', {
            secretToken: config.webhook.secret,
            onTimeout: 'return',
            timeoutMilliseconds: 9_000,
          }),
        }
      : undefined,
    callbacks: config.callbacks
      ? {
          secret: config.callbacks.secret,
          handle: async (cb) => {
            const accepted = await worker.handleCallback(cb.provider, { headers: cb.headers, query: cb.query, rawBody: cb.rawBody });
            metrics.callback(cb.provider, accepted ? 'accepted' : 'refused');
            return accepted;
          },
          refused: (provider) => metrics.callback(provider, 'refused'),
        }
      : undefined,
    metrics: { ...(config.METRICS_TOKEN ? { token: config.METRICS_TOKEN } : {}), render: () => metrics.render() },
    media,
    routes: options.routes,
  });
  const parts: Parts = { config, logger, db, i18n, metrics, alerts, worker, broadcasts, bot, inFlight, server, housekeeping, reconcile };
  return { db, metrics, alerts, start: () => startParts(parts) };
}

/** What `buildApp` wires and `startParts` runs. */
interface Parts {
  config: Config;
  logger: Logger;
  db: Database;
  i18n: ReturnType<typeof createI18n>;
  metrics: PrometheusMetrics;
  alerts: Alerts;
  worker: JobWorker;
  broadcasts: ReturnType<typeof createBroadcastWorker>;
  bot: ReturnType<typeof createBot>;
  inFlight: ReturnType<typeof createInFlightTracker>;
  server: AppServer;
  /** Prunes processed-update marks, old quotes and hosted media of ended jobs. */
  housekeeping: () => Promise<void>;
  /** Reconciles Stars payments in the background. */
  reconcile: () => void;
}

/** The start-up effects, in order; the returned App stops them in reverse. */
async function startParts(parts: Parts): Promise<App> {
  const { config, logger, db, i18n, bot, server, worker, broadcasts, alerts, housekeeping, reconcile } = parts;
  const applied = await db.migrate();
  if (applied.length) logger.info({ applied }, 'database migrated');
  const seeded = await seedCatalog(db.prisma);
  if (seeded) logger.info({ seeded }, 'model catalog seeded');

  await bot.init();
  await setCommands(bot.api, i18n).catch((err) => logger.warn({ err }, 'could not set the command list'));
  const adminCommands = await setAdminCommands(bot.api, i18n, config.ADMIN_IDS).catch((err) => {
    logger.warn({ err }, 'could not set the admin command list');
    return { failed: [] as bigint[] };
  });
  if (adminCommands.failed.length) logger.warn({ admins: adminCommands.failed.map(String) }, 'admin command list not set (has the admin opened the bot?)');

  // Housekeeping and Stars reconciliation: at start and periodically.
  await housekeeping();
  const timers = [
    setInterval(() => void housekeeping().catch((err: unknown) => logger.warn({ err }, 'housekeeping failed')), config.HOUSEKEEPING_INTERVAL_MS),
    setInterval(reconcile, config.PAYMENT_RECONCILE_INTERVAL_MS),
  ];
  for (const t of timers) t.unref();

  const port = await server.listen(config.PORT, config.HOST);
  reconcile();
  worker.start();
  broadcasts.start();
  alerts.start();
  logger.info({ port, mode: config.mode }, 'http server listening');

  let runner: RunnerHandle | undefined;
  if (config.webhook) {
    await bot.api.setWebhook(config.webhook.url, {
      secret_token: config.webhook.secret,
      allowed_updates: [...ALLOWED_UPDATES],
    });
  } else {
    await bot.api.deleteWebhook();
    runner = run(bot, {
      runner: {
        fetch: { timeout: config.POLLING_TIMEOUT_SECONDS, allowed_updates: [...ALLOWED_UPDATES] },
        silent: true,
      },
    });
  }
  logger.info({ bot: bot.botInfo.username }, 'bot started');

  let stopping: Promise<void> | undefined;
  return {
    db,
    metrics: parts.metrics,
    alerts,
    port,
    stop(timeoutMs = 10_000) {
      stopping ??= stopParts(parts, timers, runner, timeoutMs);
      return stopping;
    },
  };
}

/** Shuts the started app down in reverse order within `timeoutMs`. */
async function stopParts(parts: Parts, timers: NodeJS.Timeout[], runner: RunnerHandle | undefined, timeoutMs: number): Promise<void> {
  const { logger, db, worker, broadcasts, alerts, inFlight, server } = parts;
  const deadline = Date.now() + timeoutMs;
  const left = () => Math.max(0, deadline - Date.now());
  // 1. Stop claiming jobs and periodic work at once; the steps in progress go on for now
  //    and are aborted at 80 % of the time (a step's writes check its lease anyway).
  for (const t of timers) clearInterval(t);
  const background = Promise.all([worker.stop(Math.floor(timeoutMs * 0.8)), broadcasts.stop(), alerts.stop()]);
  // 2. Stop taking updates and let running handlers finish.
  if (runner?.isRunning()) await Promise.race([runner.stop(), sleep(left() * 0.3)]);
  await inFlight.drain(left() * 0.5);
  // 3. Close the HTTP server (webhook requests in flight finish first).
  await server.close(Math.min(left(), 5_000));
  // 4. Wait for the job steps to end (they are bounded by their deadlines and the abort).
  await background.catch((err: unknown) => logger.warn({ err }, 'stopping the workers failed'));
  // 5. Only then close the database.
  await db.close().catch((err) => logger.warn({ err }, 'database close failed'));
  logger.info('stopped');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
