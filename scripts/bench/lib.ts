/**
 * Shared helpers of the benchmark scripts: argument parsing, a fresh database per run (PGlite
 * folder or a new PostgreSQL database), percentiles, an RSS sampler, the machine description and
 * the final JSON line. Nothing here talks to anything but 127.0.0.1.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createTestDatabase } from '../../test/support/db.js';
import { watchOutput } from '../../test/support/harness.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `--name value` / `--flag` arguments, with defaults. */
export function args<K extends string>(defaults: Record<K, string>): Record<K, string> & Record<string, string> {
  const out: Record<string, string> = { ...defaults };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    if (eq > 0) {
      out[a.slice(2, eq)] = a.slice(eq + 1);
    } else if (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) {
      out[a.slice(2)] = argv[++i]!;
    } else {
      out[a.slice(2)] = 'true';
    }
  }
  return out as Record<K, string> & Record<string, string>;
}

export const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:55432/postgres';

export interface BenchDatabase {
  kind: 'pglite' | 'postgres';
  /** Set for PostgreSQL: the fresh database of this run. */
  databaseUrl?: string;
  /** Admin URL of the server (PostgreSQL only). */
  adminUrl?: string;
  /** PGlite folder (on disk, as in production), or "memory://". */
  dataDir: string;
  /** Bot environment: DATABASE_URL or DATA_DIR. */
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

/** A fresh database for one run: `--db pglite|postgres`; PostgreSQL from BENCH_DATABASE_URL. */
export async function createBenchDatabase(kind: string, options: { inMemory?: boolean } = {}): Promise<BenchDatabase> {
  if (kind !== 'pglite' && kind !== 'postgres') throw new Error(`--db must be pglite or postgres, not ${kind}`);
  const adminUrl = kind === 'postgres' ? (process.env.BENCH_DATABASE_URL ?? DEFAULT_POSTGRES_URL) : null;
  if (adminUrl) assertLoopback(adminUrl);
  const db = await createTestDatabase({ inMemory: options.inMemory, adminUrl, prefix: 'bench' });
  return { ...db, ...(adminUrl ? { adminUrl } : {}) };
}

export function assertLoopback(url: string): void {
  const host = new URL(url).hostname;
  if (!['127.0.0.1', 'localhost', '[::1]', '::1'].includes(host)) throw new Error(`benchmarks only talk to 127.0.0.1, not ${host}`);
}

/** Per-statement counts from pg_stat_statements for one database (undefined when the extension is missing). */
export async function pgStatements(adminUrl: string, databaseUrl: string): Promise<{ query: string; calls: number; totalMs: number }[] | undefined> {
  const dbName = new URL(databaseUrl).pathname.slice(1);
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    const r = await c.query(
      `SELECT query, calls::int AS calls, total_exec_time AS "totalMs" FROM pg_stat_statements s
       JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = $1 ORDER BY calls DESC`,
      [dbName],
    );
    return r.rows as { query: string; calls: number; totalMs: number }[];
  } catch {
    return undefined;
  } finally {
    await c.end();
  }
}

export async function pgStatementsReset(adminUrl: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query('SELECT pg_stat_statements_reset()');
    return true;
  } catch {
    return false;
  } finally {
    await c.end();
  }
}

/** Nearest-rank percentile of an unsorted list (sorted copy). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export const round = (n: number, digits = 1) => (Number.isFinite(n) ? Math.round(n * 10 ** digits) / 10 ** digits : n);
export const MB = 1024 * 1024;
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Samples process.memoryUsage().rss every `everyMs`; `peak` is the highest sample. */
export class RssSampler {
  readonly baseline = process.memoryUsage.rss();
  peak = this.baseline;
  samples = 0;
  private timer: NodeJS.Timeout;
  constructor(everyMs = 10) {
    this.timer = setInterval(() => this.sample(), everyMs);
  }
  sample(): number {
    const rss = process.memoryUsage.rss();
    this.samples++;
    if (rss > this.peak) this.peak = rss;
    return rss;
  }
  stop(): { baselineMB: number; peakMB: number; growthMB: number; samples: number } {
    clearInterval(this.timer);
    this.sample();
    return {
      baselineMB: round(this.baseline / MB),
      peakMB: round(this.peak / MB),
      growthMB: round((this.peak - this.baseline) / MB),
      samples: this.samples,
    };
  }
}

export function machine(): Record<string, unknown> {
  return {
    nproc: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGB: round(totalmem() / 1024 ** 3, 1),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

/** Prints the final machine-readable line. */
export function emitJson(result: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Starts a TypeScript script as a child process (node --import tsx), stdout/stderr captured. */
export function spawnTs(
  script: string,
  env: Record<string, string>,
  options: { nodeArgs?: string[]; ipc?: boolean; scriptArgs?: string[] } = {},
): { child: ChildProcess; output(): string; waitFor(pattern: RegExp, timeoutMs?: number): Promise<void> } {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', script, ...(options.scriptArgs ?? [])], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  const watch = watchOutput(child, script);
  return { child, output: watch.output, waitFor: (pattern, timeoutMs = 60_000) => watch.waitFor(pattern, timeoutMs) };
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves on exit. Only for children this script started. */
export async function stopChild(child: ChildProcess, graceMs = 12_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** CPU time (user + system) of a process in ms, from /proc (Linux); NaN elsewhere. */
export function procCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

/** Whole-machine CPU counters (busy and total jiffies), for a busy % over an interval. */
export function hostCpu(): { busy: number; total: number } {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const idle = (line[3] ?? 0) + (line[4] ?? 0);
    const total = line.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: NaN, total: NaN };
  }
}

export function busyPercent(a: { busy: number; total: number }, b: { busy: number; total: number }): number {
  return round((100 * (b.busy - a.busy)) / Math.max(1, b.total - a.total));
}

/** Whole-machine busy % over `ms` before a run (other processes on a shared machine skew results). */
export async function backgroundLoad(ms = 1000): Promise<number> {
  const a = hostCpu();
  await sleep(ms);
  return busyPercent(a, hostCpu());
}

export type BotRuntime = 'dist' | 'tsx';

export function botRuntime(value: string): BotRuntime {
  if (value !== 'dist' && value !== 'tsx') throw new Error(`--runtime must be dist or tsx, not ${value}`);
  return value;
}

/** Compiles src into dist/ as the Docker image does (`npm run build`), incrementally. */
export function buildDist(): void {
  execFileSync(
    path.join(ROOT, 'node_modules/.bin/tsc'),
    ['-p', 'tsconfig.build.json', '--incremental', '--tsBuildInfoFile', 'node_modules/.cache/bench-dist.tsbuildinfo'],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
}

/**
 * The environment every benchmarked real bot starts with: the fake Bot API, long polling as in
 * production, the HTTP server on a free loopback port, info logs ("bot started" is an info
 * line); `extra` adds or overrides (database, providers, sizes).
 */
export function benchBotEnv(bot: { token: string; apiRoot: string }, extra: Record<string, string> = {}): Record<string, string> {
  return {
    BOT_TOKEN: bot.token,
    TELEGRAM_API_ROOT: bot.apiRoot,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    POLLING_TIMEOUT_SECONDS: '30',
    ...extra,
  };
}

/** The runtime settings the Docker image gives the bot (its `ENV NODE_OPTIONS=…`, and `MALLOC_ARENA_MAX` if set). */
export function imageRuntimeEnv(): Record<string, string> {
  const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
  const out: Record<string, string> = {};
  for (const name of ['NODE_OPTIONS', 'MALLOC_ARENA_MAX']) {
    const value = new RegExp(`^ENV .*\\b${name}=(\\S+)`, 'm').exec(dockerfile)?.[1];
    if (value) out[name] = value;
  }
  return out;
}

/**
 * The real bot as a child process: `node dist/main.js` (production, with the Docker image's
 * runtime settings, see imageRuntimeEnv) or
 * `node --import tsx src/main.ts` (npm start). A developer's .env never applies.
 */
export function spawnBot(
  runtime: BotRuntime,
  env: Record<string, string>,
  nodeArgs: string[] = [],
): { child: ChildProcess; output(): string; waitFor(pattern: RegExp, timeoutMs?: number): Promise<void> } {
  const fullEnv = { ENV_FILE: 'none', ...(runtime === 'dist' ? imageRuntimeEnv() : {}), ...env };
  if (runtime === 'tsx') return spawnTs(path.join(ROOT, 'src/main.ts'), fullEnv, { nodeArgs });
  const child = spawn(process.execPath, [...nodeArgs, path.join(ROOT, 'dist/main.js')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...fullEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const watch = watchOutput(child, 'dist/main.js');
  return { child, output: watch.output, waitFor: (pattern, timeoutMs = 60_000) => watch.waitFor(pattern, timeoutMs) };
}
