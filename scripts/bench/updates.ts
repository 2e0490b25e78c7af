/**
 * Update throughput of the real bot vs a bare grammY + runner bot, through the fake Bot API.
 *
 *   npx tsx scripts/bench/updates.ts [--db pglite|postgres] [--rate 500] [--duration 10] [--users 1000]
 *        [--sat-updates 3000] [--sat-repeats 3] [--bots bare,real] [--prof] [--prof-measured] [--node-args=--trace-gc] [--bot-log FILE] [--log-level info] [--bare-seq]
 *        [--runtime dist|tsx]
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:55432/postgres npx tsx scripts/bench/updates.ts --db postgres
 *
 * Setup: the fake Telegram (test/support/fake-telegram) and the load generator run in THIS process;
 * each bot runs as its own child process — the real one as production runs it (`node dist/main.js`,
 * as in the Docker image; `--runtime tsx` for `npm start`), the bare one is scripts/bench/bare-bot.ts. So the fake and
 * the bot never share an event loop, and the bot's CPU time is measured on its own (/proc).
 * Both bots use long polling with grammY's default HTTP client against the same fake server.
 *
 * Per bot, three phases:
 *   warm-up  — every user sends /start once, all queued at once (first contact: user rows created)
 *   rate     — open loop: `rate` updates/s for `duration` s, round-robin over the users,
 *              1/3 "/start", 1/3 callback menu:balance, 1/3 callback menu:help
 *   saturate — `sat-updates` updates queued at once; time until the last one is answered;
 *              `sat-repeats` bursts (default 3), the median one reported
 *
 * Latency of an update = from enqueueUpdate at the fake to the arrival at the fake of the bot's
 * first answering call (sendMessage for a message; answerCallbackQuery for a button tap). "done"
 * latency is to the last call the update causes (a tap: answerCallbackQuery + sendMessage). Both
 * bots make the same calls (scripts/bench/bare-bot.ts). Calls are matched per chat in order.
 *
 * --prof writes a CPU profile of each bot's whole run (start-up and warm-up included);
 * --prof-measured profiles only the rate and saturate phases (scripts/bench/profile-hook.mjs), to
 * .tmp/bench-prof/<bot>-<db>.cpuprofile. Read either with scripts/bench/profile-summary.ts.
 *
 * The fake server's own load is reported as its event-loop utilisation (ELU) in this process:
 * near 1.0 means the fake, not the bot, is the bottleneck.
 */
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { EventEmitter } from 'node:events';
import path from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { FakeTelegram, randomToken, type CallRecord, type FakeUser } from '../../test/support/fake-telegram/index.js';
import type { BotState } from '../../test/support/fake-telegram/store.js';
import {
  args,
  backgroundLoad,
  benchBotEnv,
  botRuntime,
  buildDist,
  busyPercent,
  createBenchDatabase,
  emitJson,
  hostCpu,
  machine,
  percentile,
  pgStatements,
  pgStatementsReset,
  procCpuMs,
  ROOT,
  round,
  sleep,
  spawnBot,
  spawnTs,
  stopChild,
  type BenchDatabase,
} from './lib.js';

const opts = args({
  db: 'pglite',
  rate: '500',
  duration: '10',
  users: '1000',
  'sat-updates': '3000',
  'sat-timeout': '60',
  'sat-repeats': '3',
  'drain-timeout': '20',
  bots: 'bare,real',
  prof: 'false',
  'prof-measured': 'false',
  'node-args': '',
  'bot-log': '',
  'log-level': 'info',
  'bare-seq': 'false',
  'bot-script': '',
  runtime: 'dist',
});
const RUNTIME = botRuntime(opts.runtime!);
if (RUNTIME === 'dist' && !opts['bot-script']) buildDist();
const RATE = Number(opts.rate);
const DURATION_MS = Number(opts.duration) * 1000;
const USERS = Number(opts.users);
const SAT_UPDATES = Number(opts['sat-updates']);
const SAT_TIMEOUT_MS = Number(opts['sat-timeout']) * 1000;
const SAT_REPEATS = Math.max(1, Number(opts['sat-repeats']));
const DRAIN_TIMEOUT_MS = Number(opts['drain-timeout']) * 1000;
const BOTS = opts.bots!.split(',').filter(Boolean) as ('bare' | 'real')[];
const PROF = opts.prof === 'true';
const PROF_MEASURED = opts['prof-measured'] === 'true';
const PROFILE_DIR = path.join(ROOT, '.tmp', 'bench-prof');

type Kind = 'start' | 'balance' | 'help';
type BotName = 'bare' | 'real';

interface Pending {
  kind: Kind;
  chat: string;
  t0: number;
  expect: string[];
  got: number;
  first?: number;
  last?: number;
  measured: boolean;
}

// ------------------------------------------------------------------------------------ the fake
const tokens = { bare: randomToken(), real: randomToken() };
const tg = await FakeTelegram.start({ tokens: [tokens.bare, tokens.real] });
// The fake's call log and change signal are private; the benchmark taps them (read-only).
const callLog = (tg as unknown as { server: { calls: CallRecord[] } }).server.calls;
const changes = (tg.signal as unknown as { emitter: EventEmitter }).emitter;

let current: { bot: BotName; token: string; perChat: Map<string, Pending[]>; byCallback: Map<string, Pending>; done: Pending[] } | undefined;
let unmatched = 0;
/** Bot API calls by bot and method over the whole run (a bot making calls the other does not shows here). */
const methodCounts = new Map<string, number>();
const answered: CallRecord[] = [];

/** Called synchronously whenever the fake records a call: stamps arrival with performance.now(). */
function onChange(): void {
  if (callLog.length === 0) return;
  const now = performance.now();
  for (const call of callLog) {
    if (!current || call.token !== current.token) continue;
    const m = call.method.toLowerCase();
    methodCounts.set(`${current.bot}:${call.method}`, (methodCounts.get(`${current.bot}:${call.method}`) ?? 0) + 1);
    if (m !== 'sendmessage' && m !== 'answercallbackquery') continue;
    let p: Pending | undefined;
    if (m === 'answercallbackquery') p = current.byCallback.get(String(call.params.callback_query_id));
    else if (m === 'sendmessage') p = current.perChat.get(String(call.params.chat_id))?.[0];
    if (!p || p.expect[p.got]?.toLowerCase() !== m) {
      unmatched++;
      continue;
    }
    answered.push(call);
    if (p.got === 0) p.first = now;
    p.got++;
    if (p.got === p.expect.length) {
      p.last = now;
      const q = current.perChat.get(p.chat)!;
      const i = q.indexOf(p);
      if (i >= 0) q.splice(i, 1);
      current.done.push(p);
    }
  }
  // Keep the fake lean over a long run: the benchmark consumed the records.
  callLog.length = 0;
}
changes.on('change', onChange);

// ------------------------------------------------------------------------------------ load
function makeUsers(token: string): FakeUser[] {
  return Array.from({ length: USERS }, (_, i) => tg.user({ firstName: `U${i}`, languageCode: i % 2 ? 'en' : 'ru' }, token));
}

let cbCounter = 0;
function enqueue(state: BotState, user: FakeUser, kind: Kind, botName: BotName, measured: boolean): void {
  const cur = current!;
  const chat = String(user.chatId);
  const expect = kind === 'start' ? ['sendMessage'] : ['answerCallbackQuery', 'sendMessage'];
  const p: Pending = { kind, chat, t0: performance.now(), expect, got: 0, measured };
  let q = cur.perChat.get(chat);
  if (!q) cur.perChat.set(chat, (q = []));
  q.push(p);
  if (kind === 'start') {
    void user.sendCommand('/start');
    return;
  }
  const cbId = `${user.id}${++cbCounter}`;
  cur.byCallback.set(cbId, p);
  state.callbackQueries.set(cbId, { id: cbId, userId: user.id, answered: false, answer: undefined, at: Date.now() });
  state.updates.push({
    callback_query: {
      id: cbId,
      from: { ...user.info },
      message: {
        message_id: 1,
        date: Math.floor(Date.now() / 1000),
        chat: { id: user.chatId, type: 'private', first_name: user.info.first_name },
        from: { ...state.user },
        text: 'menu',
      },
      chat_instance: String(user.id),
      data: `menu:${kind}`,
    },
  });
}

function waitDone(target: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const deadline = performance.now() + timeoutMs;
    const check = () => {
      if (current!.done.length >= target) return resolve(true);
      if (performance.now() > deadline) return resolve(false);
      setTimeout(check, 2);
    };
    check();
  });
}

interface PhaseResult {
  /** Saturation: the achieved rate of every burst (the fields are the median burst's). */
  perBurstPerSec?: number[];
  offered: number;
  completed: number;
  offeredPerSec: number;
  achievedPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  p50DoneMs: number;
  p99DoneMs: number;
  wallMs: number;
  botCpuMsPerUpdate: number;
  botCpuPercent: number;
  fakeElu: number;
  hostBusyPercent: number;
  perKind: Record<string, { n: number; p50Ms: number; p99Ms: number }>;
}

async function phase(
  name: string,
  botName: BotName,
  state: BotState,
  users: FakeUser[],
  pid: number,
  plan: { kind: 'rate'; rate: number; durationMs: number } | { kind: 'burst'; count: number; timeoutMs: number; kinds?: Kind[] },
): Promise<PhaseResult> {
  current!.done = [];
  const kinds: Kind[] = plan.kind === 'burst' && plan.kinds ? plan.kinds : ['start', 'balance', 'help'];
  let sent = 0;
  const next = () => {
    const user = users[sent % users.length]!;
    const kind = kinds[sent % kinds.length]!;
    enqueue(state, user, kind, botName, true);
    sent++;
  };
  const cpu0 = procCpuMs(pid);
  const host0 = hostCpu();
  const elu0: EventLoopUtilization = performance.eventLoopUtilization();
  const t0 = performance.now();
  if (plan.kind === 'rate') {
    for (;;) {
      const elapsed = performance.now() - t0;
      if (elapsed >= plan.durationMs) break;
      const due = Math.floor((elapsed / 1000) * plan.rate);
      while (sent < due) next();
      await sleep(1);
    }
    await waitDone(sent, DRAIN_TIMEOUT_MS);
  } else {
    while (sent < plan.count) next();
    await waitDone(sent, plan.timeoutMs);
  }
  const t1 = performance.now();
  const elu = performance.eventLoopUtilization(elu0);
  const cpu1 = procCpuMs(pid);
  const host1 = hostCpu();
  const done = current!.done.filter((p) => p.measured);
  const lastDone = done.reduce((m, p) => Math.max(m, p.last ?? 0), t0);
  const firstLat = done.map((p) => p.first! - p.t0);
  const doneLat = done.map((p) => p.last! - p.t0);
  const offeredSpan = plan.kind === 'rate' ? plan.durationMs : 0;
  const span = Math.max(lastDone - t0, offeredSpan, 1);
  const perKind: PhaseResult['perKind'] = {};
  for (const k of kinds) {
    const lat = done.filter((p) => p.kind === k).map((p) => p.first! - p.t0);
    perKind[k] = { n: lat.length, p50Ms: round(percentile(lat, 50)), p99Ms: round(percentile(lat, 99)) };
  }
  const r: PhaseResult = {
    offered: sent,
    completed: done.length,
    offeredPerSec: plan.kind === 'rate' ? plan.rate : NaN,
    achievedPerSec: round((done.length / span) * 1000),
    p50Ms: round(percentile(firstLat, 50)),
    p99Ms: round(percentile(firstLat, 99)),
    maxMs: round(Math.max(...firstLat)),
    p50DoneMs: round(percentile(doneLat, 50)),
    p99DoneMs: round(percentile(doneLat, 99)),
    wallMs: round(t1 - t0),
    botCpuMsPerUpdate: round((cpu1 - cpu0) / Math.max(1, done.length), 3),
    botCpuPercent: round((100 * (cpu1 - cpu0)) / (t1 - t0)),
    fakeElu: round(elu.utilization, 2),
    hostBusyPercent: busyPercent(host0, host1),
    perKind,
  };
  // Forget what was left unanswered (a missed target shows up as completed < offered).
  current!.perChat.clear();
  current!.byCallback.clear();
  process.stdout.write(
    `  ${botName.padEnd(4)} ${name.padEnd(9)} offered ${String(r.offered).padStart(5)}  done ${String(r.completed).padStart(5)}  ` +
      `${String(r.achievedPerSec).padStart(7)} upd/s  p50 ${String(r.p50Ms).padStart(6)} ms  p99 ${String(r.p99Ms).padStart(7)} ms  ` +
      `bot CPU ${r.botCpuPercent}% (${r.botCpuMsPerUpdate} ms/upd)  fake ELU ${r.fakeElu}  host busy ${r.hostBusyPercent}%\n`,
  );
  return r;
}

// ------------------------------------------------------------------------------------ bots
async function startBot(botName: BotName, db: BenchDatabase | undefined) {
  const token = tokens[botName];
  const profDir = path.join(PROFILE_DIR, `${botName}-${opts.db}`);
  if (PROF) mkdirSync(profDir, { recursive: true });
  if (PROF_MEASURED) mkdirSync(PROFILE_DIR, { recursive: true });
  // Default profile names (pid + thread id): tsx runs a loader thread that writes its own profile.
  const nodeArgs = [
    ...(PROF ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []),
    ...(PROF_MEASURED ? ['--import', path.join(ROOT, 'scripts/bench/profile-hook.mjs')] : []),
    ...(opts['node-args'] ? opts['node-args'].split(' ') : []),
  ];
  const profileEnv: Record<string, string> = PROF_MEASURED ? { BENCH_PROFILE_FILE: `${profDir}.cpuprofile` } : {};
  if (botName === 'bare') {
    const h = spawnTs(
      path.join(ROOT, 'scripts/bench/bare-bot.ts'),
      {
        BOT_TOKEN: token,
        TELEGRAM_API_ROOT: tg.apiRoot,
        POLLING_TIMEOUT_SECONDS: '30',
        ...profileEnv,
        ...(opts['bare-seq'] === 'true' ? { BARE_SEQUENTIALIZE: '1' } : {}),
      },
      { nodeArgs },
    );
    await h.waitFor(/bare bot started/);
    return h;
  }
  const env = benchBotEnv({ token, apiRoot: tg.apiRoot }, { LOG_LEVEL: opts['log-level']!, ...profileEnv, ...db!.env });
  const h = opts['bot-script'] ? spawnTs(path.resolve(opts['bot-script']), env, { nodeArgs }) : spawnBot(RUNTIME, env, nodeArgs);
  await h.waitFor(/bot started/, 120_000);
  return h;
}

// ------------------------------------------------------------------------------------ run
const results: Record<string, Record<string, PhaseResult>> = {};
let statements: { query: string; calls: number; totalMs: number }[] | undefined;
let measuredRealUpdates = 0;
const backgroundBusy = await backgroundLoad();
process.stdout.write(
  `updates benchmark (host busy before start: ${backgroundBusy}% — other processes share this machine): db=${opts.db} rate=${RATE}/s × ${DURATION_MS / 1000}s, ${USERS} users, saturation ${SAT_UPDATES} updates; machine ${JSON.stringify(machine())}\n`,
);
for (const botName of BOTS) {
  const db = botName === 'real' ? await createBenchDatabase(opts.db!) : undefined;
  const state = tg.bot(tokens[botName]).state;
  current = { bot: botName, token: tokens[botName], perChat: new Map(), byCallback: new Map(), done: [] };
  const users = makeUsers(tokens[botName]);
  let handle: Awaited<ReturnType<typeof startBot>> | undefined;
  try {
    handle = await startBot(botName, db);
    const pid = handle.child.pid!;
    results[botName] = {};
    results[botName]!.warmup = await phase('first', botName, state, users, pid, { kind: 'burst', count: USERS, timeoutMs: SAT_TIMEOUT_MS, kinds: ['start'] });
    if (db?.kind === 'postgres') await pgStatementsReset(db.adminUrl!);
    if (PROF_MEASURED) handle.child.kill('SIGUSR2');
    results[botName]!.rate = await phase('rate', botName, state, users, pid, { kind: 'rate', rate: RATE, durationMs: DURATION_MS });
    if (db?.kind === 'postgres') {
      statements = await pgStatements(db.adminUrl!, db.databaseUrl!);
      measuredRealUpdates = results[botName]!.rate!.completed;
    }
    // Several bursts, the median one reported: one burst lasts about a second, and on a shared
    // 2-core host a single one varied by ±20 % from run to run.
    const bursts: PhaseResult[] = [];
    for (let i = 0; i < SAT_REPEATS; i++) {
      bursts.push(await phase('saturate', botName, state, users, pid, { kind: 'burst', count: SAT_UPDATES, timeoutMs: SAT_TIMEOUT_MS }));
    }
    const byRate = [...bursts].sort((a, b) => a.achievedPerSec - b.achievedPerSec);
    results[botName]!.saturate = { ...byRate[Math.floor((byRate.length - 1) / 2)]!, perBurstPerSec: bursts.map((b) => b.achievedPerSec) };
    if (PROF_MEASURED) {
      handle.child.kill('SIGUSR1');
      await handle.waitFor(/profile written/, 30_000);
    }
  } finally {
    if (handle) await stopChild(handle.child);
    if (opts['bot-log']) writeFileSync(`${opts['bot-log']}.${botName}`, handle?.output() ?? '');
    const errors = (handle?.output() ?? '').split('\n').filter((l) => /"level":(50|60)|error/i.test(l) && !/bot started/.test(l));
    if (errors.length) process.stdout.write(`  ${botName}: ${errors.length} error lines, e.g. ${errors[0]!.slice(0, 300)}\n`);
    await db?.cleanup();
  }
}
changes.off('change', onChange);
const failedCalls = answered.filter((c) => c.status !== 200).length;
await tg.stop();

const real = results.real;
const bare = results.bare;
const ratio = (k: string) => (real?.[k] && bare?.[k] ? round(real[k]!.achievedPerSec / bare[k]!.achievedPerSec, 2) : NaN);
const summary = {
  ratioRate: ratio('rate'),
  ratioSaturate: ratio('saturate'),
  targetRatio: 0.5,
  targetP99Ms: 50,
  realP99Ms: real?.rate?.p99Ms,
  meetsRatio: ratio('rate') >= 0.5 && ratio('saturate') >= 0.5,
  meetsP99: (real?.rate?.p99Ms ?? Infinity) < 50,
};
process.stdout.write(
  `\n  real/bare achieved ratio: at ${RATE}/s ${summary.ratioRate}, saturated ${summary.ratioSaturate} (target ≥ 0.5); ` +
    `real p99 at ${RATE}/s: ${summary.realP99Ms} ms (target < 50 ms); unmatched calls ${unmatched}, failed answering calls ${failedCalls}\n`,
);
process.stdout.write(`  Bot API calls by method: ${[...methodCounts].map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
if (statements && measuredRealUpdates > 0) {
  process.stdout.write(`\n  PostgreSQL statements during the real bot's rate phase (${measuredRealUpdates} updates; per update, top 12):\n`);
  for (const s of statements.slice(0, 12)) {
    process.stdout.write(
      `    ${(s.calls / measuredRealUpdates).toFixed(2).padStart(6)} × ${(s.totalMs / s.calls).toFixed(3)} ms  ${s.query.replace(/\s+/g, ' ').slice(0, 140)}\n`,
    );
  }
}
emitJson({
  bench: 'updates',
  db: opts.db,
  rate: RATE,
  durationS: DURATION_MS / 1000,
  users: USERS,
  machine: machine(),
  hostBusyBeforePercent: backgroundBusy,
  results,
  summary,
  unmatchedCalls: unmatched,
  failedAnsweringCalls: failedCalls,
  ...(statements
    ? {
        pgStatementsPerUpdate: statements.slice(0, 15).map((s) => ({
          query: s.query.replace(/\s+/g, ' ').slice(0, 200),
          perUpdate: round(s.calls / Math.max(1, measuredRealUpdates), 2),
          meanMs: round(s.totalMs / Math.max(1, s.calls), 3),
        })),
      }
    : {}),
});
process.exit(0);
