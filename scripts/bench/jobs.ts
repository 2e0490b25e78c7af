/**
 * 10,000 generations in flight, measured on the bot process alone: the real bot (started like
 * production) as a child process, against the fake Telegram (in this process) and the fake KIE
 * (its own child process), on a real database seeded BEFORE the bot starts.
 *
 *   npx tsx scripts/bench/jobs.ts [--db postgres|pglite] [--jobs 10000] [--callbacks off|on|both]
 *        [--complete 1500] [--complete-rate 50] [--cap 500] [--poll-interval 30000] [--concurrency 32]
 *        [--max-seconds 150] [--runtime dist|tsx]
 *   (dist: `node dist/main.js` as in the Docker image, compiled first; tsx: `tsx src/main.ts`)
 *
 * Setup per mode (callbacks off / on):
 *  - the fake KIE holds `jobs` running tasks (created directly in it, as if createTask had been
 *    called earlier; with the bot's callback URL when callbacks are on);
 *  - a fresh database, migrated and seeded by THIS process, then closed: one user per task (the
 *    fake Telegram's users, so deliveries reach a known chat), a grant + charge ledger pair, and
 *    one `running` generation per task (polled before) whose next poll is spread over one poll interval — the
 *    steady state of `jobs` generations in flight;
 *  - the bot starts; then the fake completes `complete` tasks in order at `complete-rate` per
 *    second (each sends its callback when callbacks are on) while the others stay in flight and
 *    are polled. Delivery is the real one: download from the fake KIE, sendVideo to the fake Telegram.
 * Reported, for the bot process only: peak RSS (max of VmHWM from /proc/<pid>/status and the
 * VmRSS samples), CPU time (/proc/<pid>/stat), event-loop delay (the bot's own /metrics:
 * prom-client's monitorEventLoopDelay p99/max per scrape, scraped every second); status requests
 * per second at the fake KIE (max over sliding 1 s windows) vs PROVIDER_POLLS_PER_SECOND; the
 * callbacks' HTTP answers; and completion (the fake's completeTime) → delivery (sendVideo
 * arriving at the fake Telegram) p50/p95. Completed tasks undelivered when the run stops count
 * with their delay so far.
 */
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../../src/db/client.js';
import { seedCatalog } from '../../src/db/seed.js';
import { FakeTelegram, randomToken, type CallRecord } from '../../test/support/fake-telegram/index.js';
import { fixturePath } from '../../test/support/fake-kie/media.js';
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
  procCpuMs,
  ROOT,
  round,
  sleep,
  spawnBot,
  spawnTs,
  stopChild,
} from './lib.js';

const opts = args({
  db: 'postgres',
  jobs: '10000',
  callbacks: 'both',
  complete: '1500',
  'complete-rate': '50',
  cap: '500',
  'poll-interval': '30000',
  concurrency: '32',
  'max-seconds': '150',
  'poll-timeout': String(20 * 60_000),
  runtime: 'dist',
});
const RUNTIME = botRuntime(opts.runtime!);
const JOBS = Number(opts.jobs);
const CAP = Number(opts.cap);
const POLL_MS = Number(opts['poll-interval']);
const COMPLETE = Math.min(Number(opts.complete), JOBS);
const COMPLETE_RATE = Number(opts['complete-rate']);
const MAX_MS = Number(opts['max-seconds']) * 1000;
const modes = opts.callbacks === 'both' ? ['off', 'on'] : [opts.callbacks!];

interface KieStats {
  polls: number[];
  completions: Record<string, number>;
  created: number;
  uploads: number;
  tasks: number;
  callbackStatus: Record<string, number>;
}

function maxPerWindow(times: number[], windowMs = 1000): number {
  const t = [...times].sort((a, b) => a - b);
  let sliding = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[i]! - t[j]! >= windowMs) j++;
    sliding = Math.max(sliding, i - j + 1);
  }
  return sliding;
}

/** VmHWM / VmRSS of a process in MB (Linux). */
function procMemMB(pid: number): { hwm: number; rss: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
    return { hwm: kb('VmHWM') / 1024, rss: kb('VmRSS') / 1024 };
  } catch {
    return { hwm: NaN, rss: NaN };
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** prom-client's event-loop figures (ms) and heap/external memory (MB) from one /metrics scrape. */
async function scrapeLag(port: number): Promise<{ p99: number; max: number; heapUsedMB: number; heapTotalMB: number; externalMB: number } | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) });
    const text = await res.text();
    const value = (name: string) => Number(new RegExp(`^${name} ([0-9.eE+-]+)`, 'm').exec(text)?.[1] ?? NaN) * 1000;
    const mb = (name: string) => value(name) / 1000 / 1024 / 1024;
    return {
      p99: value('nodejs_eventloop_lag_p99_seconds'),
      max: value('nodejs_eventloop_lag_max_seconds'),
      heapUsedMB: mb('nodejs_heap_size_used_bytes'),
      heapTotalMB: mb('nodejs_heap_size_total_bytes'),
      externalMB: mb('nodejs_external_memory_bytes'),
    };
  } catch {
    return undefined;
  }
}

async function runOnce(callbacks: 'on' | 'off') {
  const token = randomToken();
  const tg = await FakeTelegram.start({ tokens: [token] });
  const state = tg.bot(token).state;
  const image = state.files.addPhoto(readFileSync(fixturePath('portrait.jpg')), 512, 512).at(-1)!;
  const voice = state.files.add('voice', readFileSync(fixturePath('voice.ogg')), { mimeType: 'audio/ogg', meta: { duration: 3, mimeType: 'audio/ogg' } });
  const users = Array.from({ length: JOBS }, (_, i) => tg.user({ firstName: `U${i}` }, token));
  const inputs = {
    image: { fileId: image.fileId, mime: 'image/jpeg', size: image.data.length, fileName: 'portrait.jpg', width: 512, height: 512 },
    audio: { fileId: voice.fileId, mime: 'audio/ogg', size: voice.data.length, fileName: 'voice.ogg' },
    audioSeconds: 3,
    options: {},
  };

  // --- fake KIE (child process)
  const kieProc = spawnTs(
    path.join(ROOT, 'scripts/bench/fake-kie-server.ts'),
    { FAKE_KIE_OPTIONS: JSON.stringify({ pollsPerStep: 0, credits: 10_000_000, callbacks: { enabled: callbacks === 'on' } }) },
    { ipc: true },
  );
  await kieProc.waitFor(/"apiBaseUrl"/);
  const kie = JSON.parse(
    kieProc
      .output()
      .split('\n')
      .find((l) => l.includes('"apiBaseUrl"'))!,
  ) as { apiKey: string; apiBaseUrl: string; uploadBaseUrl: string };
  const kieStats = () =>
    new Promise<KieStats>((resolve) => {
      kieProc.child.once('message', (m) => resolve(m as KieStats));
      kieProc.child.send({ cmd: 'stats' });
    });

  const port = await freePort();
  const secret = randomToken().replace(':', 'x');
  const callBackUrl = callbacks === 'on' ? `http://127.0.0.1:${port}/callbacks/kie?secret=${encodeURIComponent(secret)}` : undefined;
  const taskIds = await new Promise<string[]>((resolve) => {
    kieProc.child.once('message', (m) => resolve((m as { taskIds: string[] }).taskIds));
    kieProc.child.send({ cmd: 'seed', count: JOBS, model: 'kling/ai-avatar-standard', ...(callBackUrl ? { callBackUrl } : {}) });
  });

  // --- seed, by this process, before the bot exists
  const benchDb = await createBenchDatabase(opts.db!);
  const t0Seed = performance.now();
  const chatOf = new Map<string, string>(); // chat id → generation id
  {
    const db = await openDatabase({ databaseUrl: benchDb.databaseUrl, dataDir: benchDb.dataDir });
    await db.migrate();
    await seedCatalog(db.prisma);
    const prisma = db.prisma;
    const model = await prisma.catalogModel.findUniqueOrThrow({ where: { slug: 'kling-ai-avatar' } });
    const price = 10;
    const now = new Date();
    for (let i = 0; i < JOBS; i += 1000) {
      const chunk = users.slice(i, i + 1000).map((u, k) => ({ id: randomUUID(), userId: BigInt(u.id), chatId: BigInt(u.chatId), taskId: taskIds[i + k]! }));
      for (const c of chunk) chatOf.set(String(c.chatId), c.id);
      await prisma.user.createMany({ data: chunk.map((c) => ({ id: c.userId, firstName: `U${c.userId}`, balance: 0 })) });
      await prisma.ledgerEntry.createMany({
        data: chunk.flatMap((c) => [
          { userId: c.userId, kind: 'grant' as const, amount: price, balanceAfter: price, idempotencyKey: `grant:bench:${c.userId}` },
          { userId: c.userId, kind: 'charge' as const, amount: -price, balanceAfter: 0, idempotencyKey: `charge:${c.id}`, generationId: c.id },
        ]),
      });
      await prisma.generation.createMany({
        data: chunk.map((c) => ({
          id: c.id,
          userId: c.userId,
          chatId: c.chatId,
          modelSlug: model.slug,
          kind: model.kind,
          state: 'running' as const, // polled before: the steady state of a job in flight
          providerTaskId: c.taskId,
          submitAttempts: 1,
          submittedAt: now,
          price,
          inputs: inputs as never,
          language: 'en',
          externalTaskId: c.id.replace(/-/g, ''),
          nextRunAt: new Date(now.getTime() + Math.floor(Math.random() * POLL_MS)),
          deadlineAt: new Date(now.getTime() + Number(opts['poll-timeout'])),
          createdAt: now,
        })),
      });
    }
    await db.close();
  }
  const seedMs = performance.now() - t0Seed;

  // --- deliveries as they reach the fake Telegram (first sendVideo or link message per chat)
  const callLog = (tg as unknown as { server: { calls: CallRecord[] } }).server.calls;
  const changes = (tg.signal as unknown as { emitter: EventEmitter }).emitter;
  const delivered = new Map<string, number>(); // generation id → epoch ms
  const onChange = () => {
    for (const call of callLog) {
      const m = call.method.toLowerCase();
      if (m !== 'sendvideo' && m !== 'senddocument') continue;
      const gen = chatOf.get(String(call.params.chat_id));
      if (gen && !delivered.has(gen)) delivered.set(gen, call.at);
    }
    callLog.length = 0;
  };
  changes.on('change', onChange);

  // --- the bot
  const bot = spawnBot(
    RUNTIME,
    benchBotEnv(
      { token, apiRoot: tg.apiRoot },
      {
        PORT: String(port),
        KIE_API_KEY: kie.apiKey,
        KIE_API_BASE_URL: kie.apiBaseUrl,
        KIE_UPLOAD_BASE_URL: kie.uploadBaseUrl,
        POLL_INTERVAL_MS: String(POLL_MS),
        POLL_TIMEOUT_MS: opts['poll-timeout']!,
        PROVIDER_POLLS_PER_SECOND: String(CAP),
        WORKER_CONCURRENCY: opts.concurrency!,
        METRICS_DB_CACHE_MS: '3600000',
        ...(callbacks === 'on' ? { PUBLIC_URL: `http://127.0.0.1:${port}`, CALLBACK_SECRET: secret } : {}),
        ...benchDb.env,
      },
    ),
  );
  const tStart = performance.now();
  await bot.waitFor(/bot started/, 120_000);
  const pid = bot.child.pid!;
  const startedMs = performance.now() - tStart;
  const rssAtStartMB = procMemMB(pid).rss;
  await new Promise((resolve) => {
    kieProc.child.once('message', resolve);
    kieProc.child.send({ cmd: 'complete', count: COMPLETE, perSecond: COMPLETE_RATE });
  });

  // --- run
  const cpu0 = procCpuMs(pid);
  const host0 = hostCpu();
  const t0 = performance.now();
  let peakRss = 0;
  let lagP99 = 0;
  let lagMax = 0;
  let heap = { heapUsedMB: 0, heapTotalMB: 0, externalMB: 0 };
  const lagP99s: number[] = [];
  let lastReport = t0;
  let lastScrape = 0;
  for (;;) {
    await sleep(250);
    const mem = procMemMB(pid);
    if (mem.rss > peakRss) peakRss = mem.rss;
    const elapsed = performance.now() - t0;
    if (elapsed - lastScrape >= 1000) {
      lastScrape = elapsed;
      const lag = await scrapeLag(port);
      if (lag && Number.isFinite(lag.p99)) {
        lagP99s.push(lag.p99);
        lagP99 = Math.max(lagP99, lag.p99);
        lagMax = Math.max(lagMax, lag.max);
        if (lag.heapTotalMB > heap.heapTotalMB)
          heap = { heapUsedMB: round(lag.heapUsedMB), heapTotalMB: round(lag.heapTotalMB), externalMB: round(lag.externalMB) };
      }
    }
    if (performance.now() - lastReport > 15_000) {
      lastReport = performance.now();
      process.stdout.write(`    [callbacks ${callbacks}] ${round(elapsed / 1000)} s: delivered ${delivered.size}/${COMPLETE}, bot RSS ${round(mem.rss)} MB\n`);
    }
    if (delivered.size >= COMPLETE || elapsed > MAX_MS || bot.child.exitCode !== null) break;
  }
  const wallMs = performance.now() - t0;
  const endEpoch = Date.now();
  const cpuMs = procCpuMs(pid) - cpu0;
  const hostBusy = busyPercent(host0, hostCpu());
  const hwm = procMemMB(pid).hwm;
  await stopChild(bot.child, 15_000);
  const stats = await kieStats();
  kieProc.child.send({ cmd: 'stop' });
  await Promise.race([new Promise((r) => kieProc.child.once('exit', r)), sleep(3000)]);
  await stopChild(kieProc.child, 2000);
  changes.off('change', onChange);
  await tg.stop();

  // generation → provider task, read after the bot stopped
  const taskOf = new Map<string, string>();
  let states: Record<string, number>;
  {
    const db = await openDatabase({ databaseUrl: benchDb.databaseUrl, dataDir: benchDb.dataDir });
    for (const row of await db.prisma.generation.findMany({ select: { id: true, providerTaskId: true } })) {
      if (row.providerTaskId) taskOf.set(row.id, row.providerTaskId);
    }
    states = Object.fromEntries((await db.prisma.generation.groupBy({ by: ['state'], _count: true })).map((s) => [s.state, s._count]));
    await db.close();
  }
  await benchDb.cleanup();

  // --- figures
  const delays: number[] = [];
  let censored = 0;
  for (const [genId, task] of taskOf) {
    const done = stats.completions[task];
    if (done === undefined) continue;
    const at = delivered.get(genId);
    if (at !== undefined) delays.push(at - done);
    else {
      delays.push(endEpoch - done);
      censored++;
    }
  }
  const sliding = maxPerWindow(stats.polls);
  const target = callbacks === 'on' ? 1000 : POLL_MS;
  const result = {
    callbacks,
    jobs: JOBS,
    completed: COMPLETE,
    seedMs: round(seedMs),
    botStartMs: round(startedMs),
    wallS: round(wallMs / 1000),
    callbackAnswers: stats.callbackStatus,
    completedAtProvider: Object.keys(stats.completions).length,
    delivered: delivered.size,
    states,
    botRssPeakMB: round(Math.max(hwm, peakRss)),
    botRssAtStartMB: round(rssAtStartMB),
    botHeapAtPeak: heap,
    botCpuS: round(cpuMs / 1000),
    botCpuPercent: round((100 * cpuMs) / wallMs),
    eventLoopP99MaxMs: round(lagP99),
    eventLoopP99MedianMs: round(percentile(lagP99s, 50)),
    eventLoopMaxMs: round(lagMax),
    hostBusyPercent: hostBusy,
    statusRequests: stats.polls.length,
    statusPerSecMax: sliding,
    cap: CAP,
    delayP50Ms: round(percentile(delays, 50)),
    delayP95Ms: round(percentile(delays, 95)),
    undeliveredAtEnd: censored,
    delayTargetMs: target,
    meets: {
      rss: Math.max(hwm, peakRss) < 300,
      pollCap: sliding <= CAP,
      delay: censored === 0 && delays.length > 0 && percentile(delays, 95) < target,
    },
  };
  process.stdout.write(
    `  callbacks ${callbacks.padEnd(3)}: ${result.delivered}/${COMPLETE} completed tasks delivered (${JOBS} in flight) in ${result.wallS} s; bot peak RSS ${result.botRssPeakMB} MB (target < 300; V8 heap ${heap.heapUsedMB}/${heap.heapTotalMB} MB, external ${heap.externalMB} MB), ` +
      `CPU ${result.botCpuS} s (${result.botCpuPercent}%), event-loop p99 ≤ ${result.eventLoopP99MaxMs} ms (median ${result.eventLoopP99MedianMs}, max ${result.eventLoopMaxMs}); ` +
      `status requests max ${sliding}/s (cap ${CAP}); completion → delivery p50 ${result.delayP50Ms} ms, p95 ${result.delayP95Ms} ms` +
      `${censored ? ` (≥, ${censored} undelivered at the end)` : ''} (target < ${target} ms); host busy ${hostBusy}%\n`,
  );
  mkdirSync(path.join(ROOT, '.tmp'), { recursive: true });
  writeFileSync(path.join(ROOT, '.tmp', `bench-jobs-bot-${callbacks}.log`), bot.output());
  return result;
}

if (RUNTIME === 'dist') buildDist();
const background = await backgroundLoad();
process.stdout.write(
  `jobs benchmark (bot as its own process): db=${opts.db} jobs=${JOBS} cap=${CAP}/s poll=${POLL_MS} ms concurrency=${opts.concurrency} ` +
    `${COMPLETE} completed at ${COMPLETE_RATE}/s, bounded to ${MAX_MS / 1000} s per mode (host busy before start: ${background}%)\n`,
);
const runs = [];
for (const mode of modes) runs.push(await runOnce(mode as 'on' | 'off'));
emitJson({
  bench: 'jobs',
  db: opts.db,
  config: {
    jobs: JOBS,
    cap: CAP,
    pollIntervalMs: POLL_MS,
    concurrency: Number(opts.concurrency),
    complete: COMPLETE,
    completeRate: COMPLETE_RATE,
    maxSeconds: MAX_MS / 1000,
  },
  machine: machine(),
  hostBusyBeforePercent: background,
  runs,
});
process.exit(0);
