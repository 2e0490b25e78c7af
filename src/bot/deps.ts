/** What the bot layer needs from the rest of the app, injected by src/app.ts. */
import type { Logger } from 'pino';
import type { DirectQuery, PrismaClient } from '../db/client.js';
import type { Config } from '../config/load.js';
import type { I18n } from './i18n.js';
import type { TelegramFiles } from './telegram-files.js';
import type { ProviderId, VideoProvider } from '../providers/types.js';
import type { Metrics } from '../metrics/types.js';
import type { Alerts } from '../alerts/service.js';
import type { CatalogCache } from '../domain/catalog-cache.js';

export interface ProviderLookup {
  get(id: ProviderId): VideoProvider | undefined;
  configured: ReadonlySet<ProviderId>;
}

export interface BotDeps {
  config: Config;
  prisma: PrismaClient;
  /** A statement straight on the driver: only the per-update prelude uses it (update-prelude.ts). */
  query: DirectQuery;
  i18n: I18n;
  logger: Logger;
  /** Clock, injectable for tests. */
  now: () => Date;
  files: TelegramFiles;
  providers: ProviderLookup;
  /** The catalog, re-read when its stamp changes (the menu's model list). */
  catalog: CatalogCache;
  /** Wakes the job worker so a new generation starts at once. */
  wakeJobs: (generationId?: string) => void;
  /** Instrumentation (src/metrics); absent = nothing recorded. */
  metrics?: Metrics;
  /** Admin alerts (src/alerts): /alerts, and paymentNotCredited for the payments code. */
  alerts?: Alerts;
}
