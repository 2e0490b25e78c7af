/**
 * Cold start: process start → the bot's first getUpdates at the fake Telegram, on PGlite.
 *
 *   npx tsx scripts/bench/cold-start.ts [--runs 3] [--runtime dist|tsx]
 *
 * Per run, a new empty data directory: first start "empty" (PGlite created, every migration
 * applied, catalog seeded), stop, then a second start on the same directory "migrated" (nothing
 * to apply). The clock starts just before spawn() and stops when the fake Telegram records the
 * bot's first getUpdates; the fake runs in this process, the bot is `node dist/main.js` as in
 * the Docker image (default; compiled first) or `tsx src/main.ts`. Baseline: the bare grammY bot
 * (scripts/bench/bare-bot.ts, under tsx, no database) started the same way.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { EventEmitter } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { FakeTelegram, randomToken, type CallRecord } from '../../test/support/fake-telegram/index.js';
import { args, backgroundLoad, benchBotEnv, botRuntime, buildDist, emitJson, machine, percentile, ROOT, round, spawnBot, spawnTs, stopChild } from './lib.js';

const opts = args({ runs: '3', runtime: 'dist' });
const RUNS = Number(opts.runs);
const RUNTIME = botRuntime(opts.runtime!);
const TARGET_MS = 3000;

const token = randomToken();
const tg = await FakeTelegram.start({ tokens: [token] });
const callLog = (tg as unknown as { server: { calls: CallRecord[] } }).server.calls;
const changes = (tg.signal as unknown as { emitter: EventEmitter }).emitter;

/** Spawns the bot on `dataDir` (or the bare grammY bot) and resolves with ms from spawn to its first getUpdates. */
async function startOnce(dataDir: string | 'bare'): Promise<number> {
  callLog.length = 0;
  let firstPoll: number | undefined;
  const onChange = () => {
    if (firstPoll === undefined && callLog.some((c) => c.method.toLowerCase() === 'getupdates')) firstPoll = performance.now();
  };
  changes.on('change', onChange);
  const t0 = performance.now();
  const bot =
    dataDir === 'bare'
      ? spawnTs(path.join(ROOT, 'scripts/bench/bare-bot.ts'), { BOT_TOKEN: token, TELEGRAM_API_ROOT: tg.apiRoot, POLLING_TIMEOUT_SECONDS: '30' })
      : spawnBot(RUNTIME, benchBotEnv({ token, apiRoot: tg.apiRoot }, { DATA_DIR: dataDir }));
  try {
    const deadline = t0 + 120_000;
    while (firstPoll === undefined) {
      if (performance.now() > deadline || bot.child.exitCode !== null) throw new Error(`the bot did not poll:\n${bot.output().slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 2));
    }
    return firstPoll - t0;
  } finally {
    changes.off('change', onChange);
    await stopChild(bot.child);
  }
}

if (RUNTIME === 'dist') buildDist();
const background = await backgroundLoad();
process.stdout.write(`cold start (PGlite, ${RUNTIME}): ${RUNS} runs (host busy before start: ${background}%)\n`);
const bare: number[] = [];
const empty: number[] = [];
const migrated: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-cold-'));
  try {
    empty.push(await startOnce(dir));
    migrated.push(await startOnce(dir));
    bare.push(await startOnce('bare'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(
    `  run ${i + 1}: empty data directory ${round(empty.at(-1)!)} ms, migrations applied ${round(migrated.at(-1)!)} ms, bare grammY bot ${round(bare.at(-1)!)} ms\n`,
  );
}
await tg.stop();
const summary = {
  emptyP50Ms: round(percentile(empty, 50)),
  emptyMaxMs: round(Math.max(...empty)),
  migratedP50Ms: round(percentile(migrated, 50)),
  migratedMaxMs: round(Math.max(...migrated)),
  bareP50Ms: round(percentile(bare, 50)),
  targetMs: TARGET_MS,
  meets: { migrated: percentile(migrated, 50) < TARGET_MS, empty: percentile(empty, 50) < TARGET_MS },
};
process.stdout.write(
  `  start → first getUpdates: migrations applied p50 ${summary.migratedP50Ms} ms (max ${summary.migratedMaxMs}), ` +
    `empty data directory p50 ${summary.emptyP50Ms} ms (max ${summary.emptyMaxMs}), bare grammY bot (tsx) p50 ${summary.bareP50Ms} ms; target < ${TARGET_MS} ms\n`,
);
emitJson({ bench: 'cold-start', runtime: RUNTIME, runs: RUNS, machine: machine(), hostBusyBeforePercent: background, empty, migrated, bare, summary });
process.exit(0);
