/**
 * Runs the real bot against the fakes: in-process (startApp, fast) or as a child process
 * (`node --import tsx src/main.ts` through ./child-process.ts, for restarts and SIGKILL). Every test talks HTTP to the fake
 * Telegram, KIE and Kling servers and uses a real database.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { loadConfig } from '../../src/config/load.js';
import { startApp, type App } from '../../src/app.js';
import type { FakeTelegram } from './fake-telegram/index.js';
import type { FakeKie } from './fake-kie/index.js';
import type { FakeKling } from './fake-kling/index.js';
import type { TestDatabase } from './db.js';
import { spawnNodeScript, type Child } from './child-process.js';

// The child-process helper lives in ./child-process.ts; ROOT and watchOutput stay importable
// from here for the benchmark scripts (scripts/bench).
export { ROOT, watchOutput } from './child-process.js';

export interface Fakes {
  tg: FakeTelegram;
  kie?: FakeKie;
  kling?: FakeKling;
}

/** The environment a bot under test gets: fakes, database, short intervals. */
export function botEnv(fakes: Fakes, db: TestDatabase, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {
    BOT_TOKEN: fakes.tg.token,
    TELEGRAM_API_ROOT: fakes.tg.apiRoot,
    HOST: '127.0.0.1',
    PORT: '0',
    POLLING_TIMEOUT_SECONDS: '1',
    POLL_INTERVAL_MS: '50',
    POLL_TIMEOUT_MS: '20000',
    PROVIDER_TIMEOUT_MS: '3000',
    LOG_LEVEL: 'info',
    ...db.env,
  };
  if (fakes.kie) {
    env.KIE_API_KEY = fakes.kie.apiKey;
    env.KIE_API_BASE_URL = fakes.kie.apiBaseUrl;
    env.KIE_UPLOAD_BASE_URL = fakes.kie.uploadBaseUrl;
  }
  if (fakes.kling) {
    env.KLING_ACCESS_KEY = fakes.kling.accessKey;
    env.KLING_SECRET_KEY = fakes.kling.secretKey;
    env.KLING_API_BASE_URL = fakes.kling.baseUrl;
  }
  return { ...env, ...extra };
}

/** Collects log lines in memory (so tests can assert no secret was logged). */
export class LogSink extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }
  text(): string {
    return this.lines.join('\n');
  }
}

export interface InProcessBot {
  app: App;
  logs: LogSink;
  stop(): Promise<void>;
}

export async function startInProcessBot(env: Record<string, string>): Promise<InProcessBot> {
  const config = loadConfig(env);
  const logs = new LogSink();
  const logger = pino({ level: config.LOG_LEVEL, base: undefined }, logs);
  const app = await startApp({ config, logger });
  return { app, logs, stop: () => app.stop(5_000) };
}

/** A bot child process (`node --import tsx src/main.ts [...args]`), for restarts and SIGKILL. */
export type ChildBot = Child;

export function spawnBot(env: Record<string, string>, args: readonly string[] = []): ChildBot {
  // A developer's .env must not leak into tests.
  return spawnNodeScript('src/main.ts', args, { env: { ENV_FILE: 'none', ...env }, label: 'bot' });
}
