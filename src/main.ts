/**
 * Composition root: parse the environment once, build the app, stop it on SIGTERM/SIGINT.
 * A bad configuration prints one line naming the variable and exits with code 2.
 */
import { existsSync } from 'node:fs';
import { GrammyError } from 'grammy';
import { ConfigError, loadConfig } from './config/load.js';
import { createLogger } from './logger.js';
import type { Logger } from 'pino';
import { startApp } from './app.js';
import { Registry } from 'prom-client';

/** Loads `.env` (or ENV_FILE; "none" disables it) without overriding the real environment. */
function loadEnvFile(): void {
  const file = process.env.ENV_FILE ?? '.env';
  if (file === 'none' || !existsSync(file)) return;
  process.loadEnvFile(file); // variables already in the environment are kept
}

async function main(): Promise<void> {
  loadEnvFile();
  if (wantsSandbox(process.argv, process.env)) return runSandbox();
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger({
    level: config.LOG_LEVEL,
    secrets: [
      config.BOT_TOKEN,
      config.KIE_API_KEY,
      config.KIE_WEBHOOK_HMAC_KEY,
      config.KLING_SECRET_KEY,
      config.KLING_ACCESS_KEY,
      config.WEBHOOK_SECRET,
      config.CALLBACK_SECRET,
      config.METRICS_TOKEN,
    ],
  });

  let app;
  try {
    app = await startApp({ config, logger, metricsRegistry: new Registry() }); // this process's metrics (GET /metrics)
  } catch (error) {
    const hint = startupHint(error);
    if (hint) process.stderr.write(`Startup error: ${hint}\n`);
    logger.fatal({ err: error }, 'could not start');
    logger.flush();
    process.exitCode = 1;
    setTimeout(() => process.exit(1), 200).unref();
    return;
  }

  stopOnSignals(app, logger);
}

/**
 * `npm run sandbox` (--sandbox), or no BOT_TOKEN on a developer's machine (a fresh clone): the
 * sandbox in the browser. In production (NODE_ENV=production, as in the Docker image) a missing
 * token stays a configuration error.
 */
function wantsSandbox(argv: string[], env: NodeJS.ProcessEnv): boolean {
  if (argv.includes('--sandbox')) return true;
  return !env.BOT_TOKEN?.trim() && env.NODE_ENV !== 'production';
}

/** The sandbox: prints `Sandbox: open http://127.0.0.1:<PORT>/` and runs until SIGINT/SIGTERM. */
async function runSandbox(): Promise<void> {
  let logger: Logger | undefined;
  let sandbox;
  // Loaded only here: the bot itself never carries the sandbox's fakes (memory, start-up time).
  const { sandboxLine, startSandbox } = await import('./sandbox/start.js');
  try {
    sandbox = await startSandbox({
      env: process.env,
      logger: (config) => (logger = createLogger({ level: config.LOG_LEVEL, secrets: [config.KIE_API_KEY, config.KLING_SECRET_KEY, config.KLING_ACCESS_KEY] })),
    });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${error.message}\n`);
      process.exit(2);
    }
    const hint = startupHint(error);
    process.stderr.write(`Sandbox could not start: ${hint ?? (error instanceof Error ? error.message : String(error))}\n`);
    logger?.fatal({ err: error }, 'could not start the sandbox');
    logger?.flush();
    process.exitCode = 1;
    setTimeout(() => process.exit(1), 200).unref();
    return;
  }
  // Handlers first: whoever reads the line may send SIGTERM at once.
  stopOnSignals(sandbox, logger!);
  process.stdout.write(`${sandboxLine(sandbox)}\n`);
}

function stopOnSignals(app: { stop(timeoutMs?: number): Promise<void> }, logger: Logger): void {
  let shuttingDown = false;
  const shutdown = (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('shutdown took longer than 10 s; exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    app.stop(9_500).then(
      () => {
        logger.flush();
        process.exit(0);
      },
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

/** One clear line for start-up failures a user can fix. */
function startupHint(error: unknown): string | undefined {
  if (error instanceof GrammyError && error.error_code === 401) {
    return 'the Bot API rejected BOT_TOKEN (401 Unauthorized). Copy the token again from @BotFather.';
  }
  if (error instanceof GrammyError && error.error_code === 409) {
    return 'another instance is polling with this BOT_TOKEN (409 Conflict). Stop it, or use webhook mode for several instances.';
  }
  const code = (error as { code?: string } | undefined)?.code;
  if (code === 'EADDRINUSE') return 'PORT is already in use by another program.';
  if (code === 'ECONNREFUSED') return 'a server refused the connection (is DATABASE_URL or TELEGRAM_API_ROOT right?).';
  return undefined;
}

void main();
