/**
 * Railway infrastructure as code (the `railway` npm package, `railway/iac`): the bot service and
 * its PostgreSQL database. Preview with `railway config plan`, apply with `railway config apply`
 * (README "Deployment"). A service is managed either by this file or by railway.json
 * (config as code), never by both: run `railway config migrate` before this file takes over a
 * service that railway.json configured.
 *
 * DATABASE = 'postgres' (default): a Railway PostgreSQL wired to DATABASE_URL; any number of
 * replicas share it (jobs are leased, updates deduplicated, alerts claimed in the database).
 * DATABASE = 'embedded': no database service; the embedded PGlite lives on a volume at DATA_DIR,
 * so exactly one replica (one process may open the folder).
 *
 * Secrets are never written here: `preserve()` keeps the value set in Railway
 * (`railway variables --set BOT_TOKEN=…`, or the dashboard).
 */
import { defineRailway, postgres, preserve, project, service, volume } from 'railway/iac';

const DATABASE = 'postgres' as 'postgres' | 'embedded';
/** Replicas in production with PostgreSQL (webhook mode is required for more than one). */
const PRODUCTION_REPLICAS = 2;
const DATA_DIR = '/data';
const WEBHOOK_PATH = '/telegram/webhook';

export default defineRailway((ctx) => {
  const embedded = DATABASE === 'embedded';
  const replicas = embedded ? 1 : ctx.isEnvironment('production') ? PRODUCTION_REPLICAS : 1;
  const db = embedded ? undefined : postgres('postgres');

  const bot = service('bot', {
    build: {
      builder: 'DOCKERFILE',
      dockerfilePath: 'Dockerfile',
      watchPatterns: ['src/**', 'prisma/**', 'locales/**', 'package-lock.json', 'Dockerfile'],
    },
    start: 'node dist/main.js',
    // /readyz answers 200 only once the database is reachable (migrations ran at start).
    healthcheck: '/readyz',
    healthcheckTimeout: 120,
    replicas,
    deploy: {
      restartPolicyType: 'ON_FAILURE',
      restartPolicyMaxRetries: 10,
      // SIGTERM, then up to 15 s: the bot stops taking updates, finishes handlers and job steps
      // (leases cover the rest) and closes the database.
      drainingSeconds: 15,
      // With PGlite the old and the new deployment must not open the folder at once.
      overlapSeconds: 0,
      ...(embedded ? { requiredMountPath: DATA_DIR } : {}),
    },
    env: {
      NODE_ENV: 'production',
      HOST: '0.0.0.0',
      LOG_LEVEL: 'info',
      // Secrets and per-deployment values, set once in Railway.
      BOT_TOKEN: preserve(),
      ADMIN_IDS: preserve(),
      KIE_API_KEY: preserve(),
      KLING_ACCESS_KEY: preserve(),
      KLING_SECRET_KEY: preserve(),
      WEBHOOK_SECRET: preserve(),
      CALLBACK_SECRET: preserve(),
      METRICS_TOKEN: preserve(),
      KIE_CREDIT_ALERT: preserve(),
      // Webhook mode and provider callbacks on the service's public domain.
      WEBHOOK_URL: `https://\${{RAILWAY_PUBLIC_DOMAIN}}${WEBHOOK_PATH}`,
      PUBLIC_URL: 'https://${{RAILWAY_PUBLIC_DOMAIN}}',
      ...(db ? { DATABASE_URL: db.env.DATABASE_URL } : { DATA_DIR }),
    },
    ...(embedded ? { volumeMounts: { [DATA_DIR]: volume('bot-data', { sizeMB: 5_000 }) } } : {}),
  });

  return project('avatar-video-bot', { resources: db ? [db, bot] : [bot] });
});
