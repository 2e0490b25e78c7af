/**
 * Starts the sandbox: the real bot (startApp: same middleware, conversations, ledger, worker and
 * delivery) against an emulated Telegram Bot API and emulated providers in this process, over
 * real HTTP on loopback, on its own embedded database in DATA_DIR/sandbox. The page and its API
 * are mounted on the bot's HTTP server. With real provider keys set, the real providers are used
 * and only Telegram is emulated.
 */
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { startApp, type App } from '../app.js';
import { loadConfig, type Config } from '../config/load.js';
import { createSandboxControl } from './control.js';
import { People, SANDBOX_ADMIN_ID } from './people.js';
import { startEmulatedProviders, type EmulatedProviders } from './providers.js';
import { FakeTelegram } from './telegram/index.js';
import { SandboxSubscriptions } from './subscriptions.js';

export interface SandboxOptions {
  /** The environment (process.env); BOT_TOKEN, DATABASE_URL and webhook settings are ignored. */
  env: Record<string, string | undefined>;
  /** Builds the logger from the final config (default: pino to stdout). */
  logger?: (config: Config) => Logger;
}

export interface Sandbox {
  /** "http://127.0.0.1:PORT/" */
  url: string;
  port: number;
  app: App;
  config: Config;
  tg: FakeTelegram;
  providers: EmulatedProviders;
  people: People;
  /** Stars subscriptions: invoice links paid from the page, "Next month". */
  subscriptions: SandboxSubscriptions;
  stop(timeoutMs?: number): Promise<void>;
}

/** Plans the sandbox offers when SUBSCRIPTION_PLANS is not set: credits:stars a month. */
export const SANDBOX_SUBSCRIPTION_PLANS = '600:500,1500:1100';

const PLACEHOLDER_TOKEN = '1:sandbox-placeholder-token-0000000000';

/** The one line `npm start` prints in sandbox mode. */
export function sandboxLine(sandbox: Pick<Sandbox, 'url'>): string {
  return `Sandbox: open ${sandbox.url}`;
}

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  // Read (and check) the operator's settings through the config schema first.
  const base = loadConfig({ ...options.env, BOT_TOKEN: PLACEHOLDER_TOKEN, DATABASE_URL: '', WEBHOOK_URL: '', PUBLIC_URL: '' });
  const realProviders = Boolean(base.kie || base.kling);
  const dataDir = path.join(base.DATA_DIR, 'sandbox');

  const tg = await FakeTelegram.start({ botUsername: 'sandbox_video_bot', botFirstName: 'Video Bot' });
  let providers: EmulatedProviders | undefined;
  try {
    let notify = () => {};
    providers = await startEmulatedProviders({
      emulateKie: !realProviders,
      emulateKling: !realProviders,
      realKie: Boolean(base.kie),
      realKling: Boolean(base.kling),
      delayMs: base.SANDBOX_PROVIDER_DELAY_MS,
      onChange: () => notify(),
    });
    notify = tg.signal.notify;
    const people = new People(tg, path.join(dataDir, 'users.json'));

    const env: Record<string, string | undefined> = {
      ...options.env,
      BOT_TOKEN: tg.token,
      TELEGRAM_API_ROOT: tg.apiRoot,
      DATABASE_URL: '',
      DATA_DIR: dataDir,
      ADMIN_IDS: String(SANDBOX_ADMIN_ID),
      HOST: base.SANDBOX_HOST,
      WEBHOOK_URL: '',
      WEBHOOK_SECRET: '',
      PUBLIC_URL: '',
      CALLBACK_SECRET: '',
      // Short by default so progress, timeouts and refunds can be watched.
      POLL_INTERVAL_MS: options.env.POLL_INTERVAL_MS || '500',
      POLL_TIMEOUT_MS: options.env.POLL_TIMEOUT_MS || '60000',
      LOG_LEVEL: options.env.LOG_LEVEL || 'warn',
      // Stars subscriptions to try on the page ("Next month" renews them), unless the operator set plans.
      SUBSCRIPTION_PLANS: options.env.SUBSCRIPTION_PLANS?.trim() || SANDBOX_SUBSCRIPTION_PLANS,
    };
    if (providers.kie) {
      env.KIE_API_KEY = providers.kie.apiKey;
      env.KIE_API_BASE_URL = providers.kie.apiBaseUrl;
      env.KIE_UPLOAD_BASE_URL = providers.kie.uploadBaseUrl;
      env.KIE_WEBHOOK_HMAC_KEY = '';
    }
    if (providers.kling) {
      env.KLING_ACCESS_KEY = providers.kling.accessKey;
      env.KLING_SECRET_KEY = providers.kling.secretKey;
      env.KLING_API_BASE_URL = providers.kling.baseUrl;
    }
    const config = loadConfig(env);
    const logger = options.logger?.(config) ?? pino({ level: config.LOG_LEVEL });
    const subscriptions = new SandboxSubscriptions(tg);
    const control = createSandboxControl({ tg, people, providers, botName: tg.bot().info.first_name, subscriptions });
    let app: App;
    try {
      app = await startApp({ config, logger, routes: control.routes });
    } catch (error) {
      control.close();
      throw error;
    }
    const shownHost = ['0.0.0.0', '::', '127.0.0.1', ''].includes(config.HOST) ? '127.0.0.1' : config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
    const url = `http://${shownHost}:${app.port}/`;
    const emulated = providers;
    // The emulated Telegram keeps a log of every call (with uploaded bytes) for tests; a sandbox
    // runs for hours, so the log is cleared now and then.
    const trim = setInterval(() => tg.reset(), 60_000);
    trim.unref();
    let stopping: Promise<void> | undefined;
    return {
      url,
      port: app.port,
      app,
      config,
      tg,
      providers: emulated,
      people,
      subscriptions,
      stop(timeoutMs = 10_000) {
        stopping ??= (async () => {
          clearInterval(trim);
          control.close();
          await app.stop(timeoutMs);
          await emulated.stop();
          await tg.stop();
        })();
        return stopping;
      },
    };
  } catch (error) {
    await providers?.stop().catch(() => {});
    await tg.stop().catch(() => {});
    throw error;
  }
}
