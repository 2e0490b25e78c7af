/**
 * Prototype for the update hot path's database work (a suggestion, not the bot's code): what the
 * real bot does per update today, versus the same work in one round trip.
 *
 *   npx tsx scripts/bench/hotpath-db.ts [--db pglite|postgres] [--updates 6000] [--concurrency 50] [--users 1000]
 *
 * Variants, each for `updates` simulated updates from `users` returning users, `concurrency` at once:
 *   current  — exactly the bot's three Prisma calls: processedUpdate.createMany(skipDuplicates)
 *              (dedupe), user upsert (update-prelude), conversationState.findUnique (conversations storage)
 *   one-sql  — one $queryRawUnsafe: a CTE that inserts the dedupe mark, upserts the user and
 *              returns the user row, whether the mark was new, and the conversation state
 * Reported: updates/s and this process's CPU ms per update (PGlite runs inside this process).
 */
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../../src/db/client.js';
import { args, backgroundLoad, createBenchDatabase, emitJson, machine, percentile, round } from './lib.js';

const opts = args({ db: 'pglite', updates: '6000', concurrency: '50', users: '1000' });
const UPDATES = Number(opts.updates);
const CONC = Number(opts.concurrency);
const USERS = Number(opts.users);

const benchDb = await createBenchDatabase(opts.db, { inMemory: false });
const db = await openDatabase({ databaseUrl: benchDb.databaseUrl, dataDir: benchDb.dataDir });
await db.migrate();
const prisma = db.prisma;
await prisma.user.createMany({ data: Array.from({ length: USERS }, (_, i) => ({ id: BigInt(8_000_000 + i), firstName: `U${i}` })) });

let nextUpdate = 1;
type Variant = (userId: bigint, updateId: bigint) => Promise<unknown>;

const current: Variant = async (id, updateId) => {
  const claimed = await prisma.processedUpdate.createMany({ data: [{ updateId }], skipDuplicates: true });
  if (claimed.count === 0) return;
  const data = { username: null, firstName: 'Ann', telegramLanguage: 'en' };
  const user = await prisma.user.upsert({ where: { id }, create: { id, ...data }, update: { ...data, unreachable: false, lastSeenAt: new Date() } });
  const conv = await prisma.conversationState.findUnique({ where: { key: `c:${id}` } });
  return [user, conv];
};

const SQL = `
WITH mark AS (
  INSERT INTO "ProcessedUpdate" ("updateId", "createdAt") VALUES ($1, now()) ON CONFLICT DO NOTHING RETURNING 1
), u AS (
  INSERT INTO "User" ("id", "username", "firstName", "telegramLanguage", "createdAt", "updatedAt", "lastSeenAt")
  SELECT $2, $3, $4, $5, now(), now(), now() WHERE EXISTS (SELECT 1 FROM mark)
  ON CONFLICT ("id") DO UPDATE SET "username" = EXCLUDED."username", "firstName" = EXCLUDED."firstName",
    "telegramLanguage" = EXCLUDED."telegramLanguage", "unreachable" = false, "lastSeenAt" = now(), "updatedAt" = now()
  RETURNING *
)
SELECT u.*, (SELECT "value" FROM "ConversationState" WHERE "key" = $6) AS "conversation" FROM u`;

const oneSql: Variant = (id, updateId) => prisma.$queryRawUnsafe(SQL, updateId, id, null, 'Ann', 'en', `c:${id}`);

async function run(name: string, variant: Variant) {
  const lat: number[] = [];
  let i = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONC }, async () => {
      while (i < UPDATES) {
        const n = i++;
        const s = performance.now();
        await variant(BigInt(8_000_000 + (n % USERS)), BigInt(nextUpdate++));
        lat.push(performance.now() - s);
      }
    }),
  );
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const r = {
    variant: name,
    updatesPerSec: round((UPDATES / wall) * 1000),
    cpuMsPerUpdate: round((cpu.user + cpu.system) / 1000 / UPDATES, 3),
    p50Ms: round(percentile(lat, 50), 2),
    p99Ms: round(percentile(lat, 99), 2),
  };
  process.stdout.write(
    `  ${name.padEnd(8)} ${String(r.updatesPerSec).padStart(7)} updates/s  ${r.cpuMsPerUpdate} ms CPU/update (this process)  p50 ${r.p50Ms} ms  p99 ${r.p99Ms} ms\n`,
  );
  return r;
}

const background = await backgroundLoad();
process.stdout.write(`hot-path DB prototype: db=${opts.db}, ${UPDATES} updates × variant, concurrency ${CONC} (host busy before start: ${background}%)\n`);
const results = [];
// Warm-up both, then measure alternately.
await run('warm', current);
await run('warm', oneSql);
for (let k = 0; k < 2; k++) {
  results.push(await run('current', current));
  results.push(await run('one-sql', oneSql));
}
await db.close();
await benchDb.cleanup();
emitJson({ bench: 'hotpath-db', db: opts.db, machine: machine(), hostBusyBeforePercent: background, results });
process.exit(0);
