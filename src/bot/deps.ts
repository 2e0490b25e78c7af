/** What the bot layer needs from the rest of the app, injected by src/main.ts. */
import type { Logger } from 'pino';
import type { PrismaClient } from '../db/client.js';
import type { Config } from '../config/load.js';
import type { I18n } from './i18n.js';

export interface BotDeps {
  config: Config;
  prisma: PrismaClient;
  i18n: I18n;
  logger: Logger;
  /** Clock, injectable for tests. */
  now: () => Date;
}
