/**
 * 10,000 generations in flight: the real job worker (createJobWorker from src/jobs) with the real
 * KIE provider client against the fake KIE, on a real database.
 *
 *   npx tsx scripts/bench/jobs.ts [--db pglite|postgres] [--jobs 10000] [--callbacks off|on|both]
 *        [--cap 20] [--submit-cap 1000] [--poll-interval 5000] [--concurrency 8] [--step-ms 5000] [--max-seconds 240]
 *
 * Setup:
 *  - a fresh database (PGlite on disk in THIS process, as in the bot; or a new PostgreSQL
 *    database), migrated and seeded; then users, a grant + charge ledger pair per user and one
 *    `queued` generation per user are inserted directly (bulk createMany) — the rows
 *    confirmGeneration would have written (talking-avatar model, lipsync inputs);
 *  - the fake KIE runs in a child process (scripts/bench/fake-kie-server.ts) so its task map and
 *    uploads do not count against this process's RSS. Tasks finish on time only
 *    (pollsPerStep 0, stepMs: done 3 × step-ms after createTask), with a callback when on;
 *  - callbacks "on": the real HTTP server (src/server/http.ts) receives them and calls
 *    worker.handleCallback, as in the app;
 *  - the messenger is a RECORDING JobMessenger: progress/failed are no-ops, deliver() records
 *    Date.now() and returns { kind: 'video' } at once (no Telegram, no download), so the
 *    measured delay is the worker's: provider completion (the fake's completeTime) → deliver().
 * Reported: peak RSS of this process (sampled every 20 ms, includes PGlite when used), status
 * requests per second at the fake (max over sliding 1 s windows) vs PROVIDER_POLLS_PER_SECOND,
 * and p50/p95 of completion → delivery (tasks completed but not delivered when the run stops
 * count with their delay so far, i.e. as a lower bound).
 */
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { openDatabase } from '../../src/db/client.js';
import { seedCatalog } from '../../src/db/seed.js';
import { createJobWorker } from '../../src/jobs/index.js';
import type { DeliveryOutcome, JobMessenger, JobView } from '../../src/jobs/ports.js';
import { createProviderRegistry } from '../../src/providers/registry.js';
import { createServer } from '../../src/server/http.js';
import { fixtureMediaSource, lipsyncInputs } from '../../test/support/builders.js';
import { args, backgroundLoad, createBenchDatabase, emitJson, machine, MB, percentile, ROOT, round, RssSampler, sleep, spawnTs, stopChild } from './lib.js';

const opts = args({
  db: 'pglite',
  jobs: '10000',
  callbacks: 'both',
  cap: '20',
  'submit-cap': '1000',
  'poll-interval': '5000',
  concurrency: '8',
  'step-ms': '5000',
  'max-seconds': '240',
  'poll-timeout': String(20 * 60_000),
});
const JOBS = Number(opts.jobs);
const CAP = Number(opts.cap);
const SUBMIT_CAP = Number(opts['submit-cap']);
const POLL_MS = Number(opts['poll-interval']);
const CONCURRENCY = Number(opts.concurrency);
const STEP_MS = Number(opts['step-ms']);
const MAX_MS = Number(opts['max-seconds']) * 1000;
const modes = opts.callbacks === 'both' ? ['off', 'on'] : [opts.callbacks!];
const logger = pino({ level: process.env.BENCH_LOG_LEVEL ?? 'warn' });

class RecordingMessenger implements JobMessenger {
  readonly delivered = new Map<string, number>();
  readonly failures = new Map<string, string>();
  async progress(): Promise<null> {
    return null;
  }
  async deliver(job: JobView): Promise<DeliveryOutcome> {
    if (!this.delivered.has(job.id)) this.delivered.set(job.id, Date.now());
    return { kind: 'video', fileId: `file-${job.id}` };
  }
  async failed(job: JobView, reason: string): Promise<void> {
    this.failures.set(job.id, reason);
  }
}

interface KieStats {
  polls: number[];
  completions: Record<string, number>;
  created: number;
  uploads: number;
  tasks: number;
}

function maxPerWindow(times: number[], windowMs = 1000): { sliding: number; bucket: number } {
  const t = [...times].sort((a, b) => a - b);
  let sliding = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[i]! - t[j]! >= windowMs) j++;
    sliding = Math.max(sliding, i - j + 1);
  }
  const buckets = new Map<number, number>();
  for (const x of t) buckets.set(Math.floor(x / windowMs), (buckets.get(Math.floor(x / windowMs)) ?? 0) + 1);
  return { sliding, bucket: Math.max(0, ...buckets.values()) };
}

async function runOnce(callbacks: 'on' | 'off') {
  const benchDb = await createBenchDatabase(opts.db!);
  const db = await openDatabase({ databaseUrl: benchDb.databaseUrl, dataDir: benchDb.dataDir });
  await db.migrate();
  await seedCatalog(db.prisma);
  const prisma = db.prisma;
  const model = await prisma.catalogModel.findUniqueOrThrow({ where: { slug: 'kling-ai-avatar' } });

  // --- seed: users, ledger (grant + charge), queued generations
  const t0Seed = performance.now();
  const price = 10;
  const now = new Date();
  const inputs = lipsyncInputs(3);
  const ids = Array.from({ length: JOBS }, () => randomUUID());
  for (let i = 0; i < JOBS; i += 1000) {
    const chunk = ids.slice(i, i + 1000).map((id, k) => ({ id, userId: BigInt(7_000_000 + i + k) }));
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
        chatId: c.userId,
        modelSlug: model.slug,
        kind: model.kind,
        state: 'queued' as const,
        price,
        inputs: inputs as never,
        language: 'en',
        externalTaskId: c.id.replace(/-/g, ''),
        nextRunAt: now,
        deadlineAt: new Date(now.getTime() + Number(opts['poll-timeout'])),
        createdAt: now,
      })),
    });
  }
  const seedMs = performance.now() - t0Seed;

  // --- fake KIE (child process)
  const kieProc = spawnTs(
    path.join(ROOT, 'scripts/bench/fake-kie-server.ts'),
    {
      FAKE_KIE_OPTIONS: JSON.stringify({ pollsPerStep: 0, stepMs: STEP_MS, credits: 10_000_000, callbacks: { enabled: callbacks === 'on' } }),
    },
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

  const providers = createProviderRegistry({ kie, timeoutMs: 30_000, logger });
  const messenger = new RecordingMessenger();
  const secret = 'bench-callback-secret';
  const server = createServer({
    logger,
    isReady: async () => true,
    callbacks: { secret, handle: (cb) => worker.handleCallback(cb.provider, cb) },
  });
  const port = await server.listen(0, '127.0.0.1');
  const worker = createJobWorker({
    prisma,
    providers,
    messenger,
    media: fixtureMediaSource,
    logger,
    now: () => new Date(),
    instanceId: `bench-${process.pid}`,
    pollIntervalMs: POLL_MS,
    pollTimeoutMs: Number(opts['poll-timeout']),
    concurrency: CONCURRENCY,
    pollsPerSecond: CAP,
    submitsPerSecond: SUBMIT_CAP,
    ...(callbacks === 'on' ? { callbacks: { publicUrl: `http://127.0.0.1:${port}`, secret } } : {}),
  });

  // --- run
  const rss = new RssSampler(20);
  const t0 = performance.now();
  worker.start();
  let lastReport = t0;
  let submittedAt = NaN;
  for (;;) {
    await sleep(500);
    const elapsed = performance.now() - t0;
    if (Number.isNaN(submittedAt)) {
      const queued = await prisma.generation.count({ where: { state: 'queued' } });
      if (queued === 0) submittedAt = elapsed;
    }
    if (performance.now() - lastReport > 10_000) {
      lastReport = performance.now();
      process.stdout.write(
        `    [callbacks ${callbacks}] ${round(elapsed / 1000)} s: delivered ${messenger.delivered.size}/${JOBS}, RSS ${round(process.memoryUsage.rss() / MB)} MB\n`,
      );
    }
    if (messenger.delivered.size + messenger.failures.size >= JOBS || elapsed > MAX_MS) break;
  }
  const wallMs = performance.now() - t0;
  const endEpoch = Date.now();
  await worker.stop();
  const mem = rss.stop();
  const stats = await kieStats();
  kieProc.child.send({ cmd: 'stop' });
  await Promise.race([new Promise((r) => kieProc.child.once('exit', r)), sleep(3000)]);
  await stopChild(kieProc.child, 2000);
  await server.close(1000);
  const states = await prisma.generation.groupBy({ by: ['state'], _count: true });
  const taskOf = new Map<string, string>();
  for (const row of await prisma.generation.findMany({ select: { id: true, providerTaskId: true } })) {
    if (row.providerTaskId) taskOf.set(row.id, row.providerTaskId);
  }
  await db.close();
  await benchDb.cleanup();

  // --- figures
  const delays: number[] = [];
  let censored = 0;
  // The fake knows tasks by its taskId, the messenger by generation id: joined via providerTaskId.
  const completions = stats.completions;
  for (const [genId, task] of taskOf) {
    const done = completions[task];
    if (done === undefined) continue;
    const delivered = messenger.delivered.get(genId);
    if (delivered !== undefined) delays.push(delivered - done);
    else {
      delays.push(endEpoch - done);
      censored++;
    }
  }
  const rate = maxPerWindow(stats.polls);
  const pollSpanS = stats.polls.length ? (Math.max(...stats.polls) - Math.min(...stats.polls)) / 1000 : 0;
  const target = callbacks === 'on' ? 1000 : POLL_MS;
  const result = {
    callbacks,
    jobs: JOBS,
    seedMs: round(seedMs),
    wallS: round(wallMs / 1000),
    allSubmittedS: round(submittedAt / 1000),
    created: stats.created,
    completedAtProvider: Object.keys(completions).length,
    delivered: messenger.delivered.size,
    failed: messenger.failures.size,
    states: Object.fromEntries(states.map((s) => [s.state, s._count])),
    rss: mem,
    statusRequests: stats.polls.length,
    statusPerSecMaxSliding: rate.sliding,
    statusPerSecMaxBucket: rate.bucket,
    statusPerSecMean: round(stats.polls.length / Math.max(pollSpanS, 0.001)),
    cap: CAP,
    delayP50Ms: round(percentile(delays, 50)),
    delayP95Ms: round(percentile(delays, 95)),
    delayMaxMs: round(Math.max(...delays)),
    undeliveredAtEnd: censored,
    delayTargetMs: target,
    meets: {
      rss: mem.peakMB < 300,
      pollCap: rate.sliding <= CAP,
      delay: censored === 0 && percentile(delays, 95) < target,
    },
  };
  process.stdout.write(
    `  callbacks ${callbacks.padEnd(3)}: ${result.delivered}/${JOBS} delivered in ${result.wallS} s (all submitted after ${result.allSubmittedS} s); ` +
      `peak RSS ${mem.peakMB} MB (baseline ${mem.baselineMB} MB; target < 300 MB); ` +
      `status requests max ${rate.sliding}/s sliding, ${rate.bucket}/s per calendar second, mean ${result.statusPerSecMean}/s (cap ${CAP}); ` +
      `completion → delivery p50 ${result.delayP50Ms} ms, p95 ${result.delayP95Ms} ms${censored ? ` (≥, ${censored} not delivered when the run stopped)` : ''} (target < ${target} ms)\n`,
  );
  return result;
}

const background = await backgroundLoad();
process.stdout.write(
  `jobs benchmark: db=${opts.db} jobs=${JOBS} cap=${CAP}/s poll=${POLL_MS} ms concurrency=${CONCURRENCY} task duration=${3 * STEP_MS} ms, ` +
    `bounded to ${MAX_MS / 1000} s per mode (host busy before start: ${background}%); machine ${JSON.stringify(machine())}\n`,
);
const runs = [];
for (const mode of modes) runs.push(await runOnce(mode as 'on' | 'off'));
emitJson({
  bench: 'jobs',
  db: opts.db,
  config: { jobs: JOBS, cap: CAP, pollIntervalMs: POLL_MS, concurrency: CONCURRENCY, taskDurationMs: 3 * STEP_MS, maxSeconds: MAX_MS / 1000 },
  machine: machine(),
  hostBusyBeforePercent: background,
  runs,
});
process.exit(0);
