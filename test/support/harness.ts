/**
 * Runs the real bot against the fakes: in-process (startApp, fast) or as a child process
 * (`node --import tsx src/main.ts`, for restarts and SIGKILL). Every test talks HTTP to the fake
 * Telegram, KIE and Kling servers and uses a real database.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Writable } from 'node:stream';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { loadConfig } from '../../src/config/load.js';
import { startApp, type App } from '../../src/app.js';
import type { FakeTelegram } from './fake-telegram/index.js';
import type { FakeKie } from './fake-kie/index.js';
import type { FakeKling } from './fake-kling/index.js';
import type { TestDatabase } from './db.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

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

/** Collects a child's stdout and stderr and lets a caller wait for a line to appear. */
export interface OutputWatch {
  output(): string;
  /** Resolves once the output matches (also if the child exits after printing it). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

export function watchOutput(child: ChildProcess, label: string): OutputWatch {
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    out += chunk.toString('utf8');
    if (out.length > 1_000_000) out = out.slice(-500_000);
    for (const l of listeners) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  return {
    output: () => out,
    waitFor(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(out)) {
            cleanup();
            resolve();
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`${label}: output did not match ${pattern} within ${timeoutMs} ms:\n${out.slice(-3000)}`));
        }, timeoutMs);
        const onExit = () => {
          cleanup();
          if (pattern.test(out)) resolve();
          else reject(new Error(`${label} exited before printing ${pattern}:\n${out.slice(-3000)}`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
          child.off('exit', onExit);
        };
        listeners.add(check);
        child.once('exit', onExit);
        check();
      });
    },
  };
}

export interface ChildBot {
  process: ChildProcess;
  output(): string;
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnBot(env: Record<string, string>): ChildBot {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/main.ts')], {
    cwd: ROOT,
    // A developer's .env must not leak into tests.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ENV_FILE: 'none', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const watch = watchOutput(child, 'bot');
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    process: child,
    output: watch.output,
    waitForOutput: watch.waitFor,
    exited,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
