/**
 * Composition root: parse the environment once, build the app, stop it on SIGTERM/SIGINT.
 * A bad configuration prints one line naming the variable and exits with code 2.
 */
import { ConfigError, loadConfig } from './config/load.js';
import { createLogger } from './logger.js';
import { startApp } from './app.js';

async function main(): Promise<void> {
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
    secrets: [config.BOT_TOKEN, config.KIE_API_KEY, config.KIE_WEBHOOK_HMAC_KEY, config.KLING_SECRET_KEY, config.KLING_ACCESS_KEY, config.WEBHOOK_SECRET, config.CALLBACK_SECRET],
  });

  let app;
  try {
    app = await startApp({ config, logger });
  } catch (error) {
    logger.fatal({ err: error }, 'could not start');
    logger.flush();
    process.exitCode = 1;
    setTimeout(() => process.exit(1), 200).unref();
    return;
  }

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

void main();
