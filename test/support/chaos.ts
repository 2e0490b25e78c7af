/**
 * Chaos run: N paid generations while the bot CHILD process is SIGKILLed at random moments and
 * started again; afterwards the books and the deliveries are checked from the database and the
 * fake Telegram's record.
 *
 * The full size runs from the command line (scripts/chaos.ts), the fast version in
 * test/e2e/chaos.test.ts. Database: embedded PGlite in a temporary folder, or a fresh
 * PostgreSQL database when TEST_DATABASE_URL is set (./db.ts).
 *
 * How the orders are made:
 *  1. (bot down) migrate + seed; users are created and get credits through the ledger
 *     (recordMove, kind grant) so the books start consistent;
 *  2. (bot up) `--real-flows` users order through the real Telegram flows (/lipsync or
 *     /text2video … Confirm) — the charge path a user takes; the bot is then stopped;
 *  3. (bot down) the other generations are confirmed with confirmGeneration (src/domain) —
 *     the same charge + job transaction the Confirm button runs — with the inputs the real flows
 *     stored (real Telegram file ids). PGlite is single-process, so this must happen while the bot
 *     is down; driving 200 conversations through the fake Telegram would measure the flows, not
 *     the job worker's crash safety, which is what this run is about;
 *  4. (chaos) the bot runs with a short JOB_LEASE_MS; `--kills` times it is SIGKILLed at a random
 *     moment while jobs are in flight (kill k once k/(kills+1) of the generations finished, plus a
 *     random 0.3–1.5 s, so kills land in submits, polls and deliveries alike) (with `--targeted`, every other kill lands right after a
 *     successful sendVideo — the narrowest window there is) and started again at once. Providers
 *     fail some tasks (refunds), answer some status/create calls with transient errors, KIE sends
 *     signed callbacks twice (switched on and off at random between restarts), Kling sends its
 *     callbacks;
 *  5. (bot stopped) every generation must be delivered or refunded (0 lost), exactly one
 *     `charge:` row each, at most one refund, at most one delivery seen by Telegram, no
 *     generation both delivered and refunded unless it was a late success after a timeout
 *     refund, and sum(ledger) == balance for every user.
 * The report is printed, then the figures as one JSON line (the last line of stdout).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FakeTelegram } from './fake-telegram/index.js';
import { FakeKie } from './fake-kie/index.js';
import { FakeKling } from './fake-kling/index.js';
import { createTestDatabase, prepareDatabase, withDatabase } from './db.js';
import { botEnv, spawnBot, type ChildBot } from './harness.js';
import { orderLipsync, orderText2Video } from './drive.js';
import { checkBooks, deliveriesByChat, refundNoticesByChat, type BooksCheck } from './delivery-books.js';
import { rng } from './rng.js';
import { createCreditedUsers } from './credited-users.js';
import { becomesTrue, sleep } from './wait.js';
import { confirmGeneration } from '../../src/domain/generations.js';
import { generationInputsSchema, type GenerationInputs } from '../../src/domain/generation-inputs.js';
import { quote, toCatalogEntry } from '../../src/domain/catalog.js';
import { freePort } from './net.js';

export interface ChaosOptions {
  generations: number;
  kills: number;
  /** Orders made through the real Telegram flows (at least 2: one talking avatar, one text to video). */
  realFlows: number;
  seed: number;
  /** Share of provider tasks that fail (refunded). */
  failRate: number;
  /** Every other kill right after a successful sendVideo (the at-least-once delivery window). */
  targeted: boolean;
  /** Bound of the whole run. */
  maxMs: number;
  /** Random kill delay (ms) after the restart and the progress mark of each kill. */
  killDelayMs: [number, number];
  workerConcurrency: number;
  /** Write each bot process's output to `<logDir>/bot-<n>.log`. */
  logDir?: string;
  log: (line: string) => void;
}

export interface KillRecord {
  /** ms since the chaos phase began. */
  at: number;
  /** Wall-clock time of the SIGKILL (Date.now()). */
  wallClock: number;
  afterStartMs: number;
  mode: 'random' | 'after-sendVideo';
  /** Generations not yet finished (seen from Telegram) when the bot was killed. */
  unfinished: number;
}

export interface ChaosReport extends Omit<
  BooksCheck,
  'lost' | 'doubleCharges' | 'doubleRefunds' | 'duplicateDeliveries' | 'deliveredAndRefunded' | 'ledgerMismatches'
> {
  database: 'pglite' | 'postgres';
  seed: number;
  realFlows: number;
  inserted: number;
  users: number;
  kills: number;
  killsWithJobsInFlight: number;
  restarts: number;
  killLog: KillRecord[];
  lost: number;
  doubleCharges: number;
  doubleRefunds: number;
  duplicateDeliveries: number;
  /** Duplicates with a SIGKILL between the two sendVideo calls (the at-least-once window). */
  duplicatesExplainedByKill: number;
  /** Duplicates without such a kill: a bug. */
  unexplainedDuplicates: number;
  deliveredAndRefunded: number;
  ledgerMismatches: number;
  refundsWithoutNotice: number;
  /** Provider tasks that ended failed (each must be refunded). */
  providerFailures: number;
  transientFaultsQueued: number;
  kieTasks: number;
  kieTasksNotUsed: number;
  klingTasks: number;
  kieCallbacks: number;
  klingCallbacks: number;
  settledByTelegram: boolean;
  durationMs: number;
  chaosPhaseMs: number;
  details: Pick<BooksCheck, 'lost' | 'doubleCharges' | 'doubleRefunds' | 'duplicateDeliveries' | 'deliveredAndRefunded' | 'ledgerMismatches'>;
}

export const DEFAULT_CHAOS: ChaosOptions = {
  generations: 200,
  kills: 6,
  realFlows: 6,
  seed: 1,
  failRate: 0.15,
  targeted: false,
  maxMs: 600_000,
  killDelayMs: [300, 1_500],
  workerConcurrency: 8,
  log: (line) => process.stdout.write(`${line}\n`),
};

const MODELS = {
  'kling-ai-avatar': { kind: 'lipsync', button: 'Kling AI Avatar' },
  'infinitalk-480p': { kind: 'lipsync', button: 'InfiniteTalk 480p' },
  'kling-text2video': { kind: 'text2video', button: '' },
} as const;
type Slug = keyof typeof MODELS;

export async function runChaos(partial: Partial<ChaosOptions> = {}): Promise<ChaosReport> {
  const o: ChaosOptions = { ...DEFAULT_CHAOS, ...partial };
  if (o.realFlows < 2) throw new Error('realFlows must be at least 2 (one talking avatar, one text to video)');
  if (o.generations < o.realFlows) throw new Error('generations must be at least realFlows');
  const started = Date.now();
  const deadline = started + o.maxMs;
  const left = () => Math.max(1_000, deadline - Date.now());
  const random = rng(o.seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;

  const hmacKey = `hmac-${randomUUID()}`;
  const [tg, kie, kling, db] = await Promise.all([
    FakeTelegram.start(),
    FakeKie.start({ pollsPerStep: 2, webhookHmacKey: hmacKey, callbacks: { enabled: true, repeat: 2, delayMs: 20 } }),
    FakeKling.start({ concurrencyLimit: 100_000, lifecycle: { unit: 'polls', processingAfter: 1, finishAfter: 4 } }),
    createTestDatabase(),
  ]);
  let bot: ChildBot | undefined;
  const children: ChildBot[] = [];
  const spawn = (env: Record<string, string>) => {
    const child = spawnBot(env);
    children.push(child);
    return child;
  };
  try {
    const port = await freePort();
    const env = botEnv({ tg, kie, kling }, db, {
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      CALLBACK_SECRET: `cb-${randomUUID().replace(/-/g, '')}`,
      KIE_WEBHOOK_HMAC_KEY: hmacKey,
      // Short, so a killed process's jobs are taken over quickly; long enough that a step's
      // deadline (80 % of the lease) fits an upload on a busy host.
      JOB_LEASE_MS: '4000',
      POLL_INTERVAL_MS: '150',
      POLL_TIMEOUT_MS: '120000',
      PROVIDER_TIMEOUT_MS: '5000',
      PROVIDER_POLLS_PER_SECOND: '200',
      WORKER_CONCURRENCY: String(o.workerConcurrency),
      LOG_LEVEL: 'info',
    });

    // 1. Users and credits through the ledger (bot down).
    const realUsers = Array.from({ length: o.realFlows }, () => tg.user({ languageCode: 'en' }));
    const insertedUsers = Array.from({ length: o.generations - o.realFlows }, () => tg.user({ languageCode: 'en' }));
    const allUsers = [...realUsers, ...insertedUsers];
    await prepareDatabase(db);
    await withDatabase(db, (direct) => createCreditedUsers(direct.prisma, allUsers, { name: 'Chaos', credits: 100 }));
    o.log(`chaos: seed ${o.seed}, ${o.generations} generations (${o.realFlows} real flows), ${o.kills} kills, database ${db.kind}`);

    // 2. Real flows (bot up).
    bot = spawn(env);
    await bot.waitForOutput(/bot started/, 60_000);
    await Promise.all(
      realUsers.map(async (user, i) => {
        const slug: Slug = i % 2 === 1 ? 'kling-text2video' : i % 4 === 0 ? 'kling-ai-avatar' : 'infinitalk-480p';
        if (slug === 'kling-text2video') await orderText2Video(user, 'A red fox running through snow', 30_000);
        else await orderLipsync(user, MODELS[slug].button, { timeoutMs: 30_000 });
      }),
    );
    o.log(`chaos: ${o.realFlows} orders confirmed through the Telegram flows`);
    await bot.stop();
    bot = undefined;

    // 3. The other generations through confirmGeneration (bot down), with the real flows' inputs.
    const kieFailures: boolean[] = [];
    await withDatabase(db, async (direct) => {
      const templates = new Map<string, GenerationInputs>();
      for (const g of await direct.prisma.generation.findMany()) templates.set(g.kind, generationInputsSchema.parse(g.inputs));
      if (!templates.has('lipsync') || !templates.has('text2video')) throw new Error('the real flows did not store both kinds of inputs');
      const models = new Map((await direct.prisma.catalogModel.findMany()).map((m) => [m.slug, toCatalogEntry(m, new Set(['kie', 'kling']))]));
      for (const user of insertedUsers) {
        const slug = pick(Object.keys(MODELS) as Slug[]);
        const inputs = templates.get(MODELS[slug].kind)!;
        const model = models.get(slug)!;
        const result = await confirmGeneration(direct.prisma, {
          generationId: randomUUID(),
          userId: BigInt(user.id),
          chatId: BigInt(user.chatId),
          modelSlug: slug,
          inputs,
          quotedPrice: quote(model, inputs),
          language: 'en',
          maxInFlight: 1,
          pollTimeoutMs: 120_000,
          now: new Date(),
          configuredProviders: new Set(['kie', 'kling']),
        });
        if (result.status !== 'created') throw new Error(`confirmGeneration: ${result.status}`);
        if (model.provider === 'kie') kieFailures.push(random() < o.failRate);
      }
    });
    // Provider failures (refunds) and transient faults.
    for (const fail of kieFailures) kie.nextTaskOutcome(fail ? 'fail' : 'success', fail ? { failCode: '500', failMsg: 'chaos: internal error' } : {});
    kling.nextOutcomes.length = 0;
    const klingOutcome = () => (random() < o.failRate ? { status: 'failed' as const, message: 'chaos: risk control' } : { status: 'succeed' as const });
    for (let i = 0; i < o.generations; i++) kling.nextOutcomes.push(klingOutcome());
    const transient = Math.max(2, Math.round(o.generations / 20));
    kie.failNext('recordInfo', { httpStatus: 502 }, transient);
    kie.failNext('createTask', { code: 500 }, Math.ceil(transient / 2));
    kling.failNext('get', { code: 5000 }, transient);
    kling.failNext('create', { code: 5001 }, Math.ceil(transient / 2));

    // 4. Chaos: kill at random moments, restart at once.
    const chats = allUsers.map((u) => u.chatId);
    const finishedChats = () => {
      const delivered = deliveriesByChat(tg);
      const refunded = refundNoticesByChat(tg);
      return chats.filter((c) => (delivered.get(c) ?? 0) > 0 || (refunded.get(c) ?? 0) > 0).length;
    };
    const chaosStart = Date.now();
    const killLog: KillRecord[] = [];
    let restarts = 0;
    bot = spawn(env);
    await bot.waitForOutput(/bot started/, 60_000);
    for (let k = 0; k < o.kills && Date.now() < deadline; k++) {
      const startedAt = Date.now();
      const mode: KillRecord['mode'] = o.targeted && k % 2 === 1 ? 'after-sendVideo' : 'random';
      if (mode === 'after-sendVideo') {
        const seen = tg.calls('sendVideo').filter((c) => c.ok).length;
        await becomesTrue(() => tg.calls('sendVideo').filter((c) => c.ok).length > seen, Math.min(20_000, left()), 2);
      } else {
        // Spread the kills over the whole run (submits, polls, deliveries): kill k comes once
        // k/(kills+1) of the generations have finished, after a random delay.
        const target = Math.ceil((chats.length * (k + 1)) / (o.kills + 1));
        await becomesTrue(() => finishedChats() >= target, Math.min(left(), 120_000), 50);
        const [lo, hi] = o.killDelayMs;
        await sleep(lo + random() * (hi - lo));
      }
      const unfinished = chats.length - finishedChats();
      const wallClock = Date.now();
      bot.process.kill('SIGKILL');
      await bot.exited;
      killLog.push({ at: wallClock - chaosStart, wallClock, afterStartMs: Date.now() - startedAt, mode, unfinished });
      o.log(`chaos: kill ${k + 1}/${o.kills} (${mode}) ${Date.now() - startedAt} ms after start, ${unfinished} generations unfinished`);
      // KIE callbacks come and go between restarts (polling must cover the missing ones).
      kie.callbackOptions.enabled = random() < 0.6;
      bot = spawn(env);
      restarts++;
      await bot.waitForOutput(/bot started/, 60_000);
    }

    // Let the last instance finish: every chat got its video or its refund notice, then quiet.
    const lastActivity = () => {
      const calls = tg.calls().filter((c) => !/^(getupdates|sendchataction)$/i.test(c.method));
      return Math.max(calls.at(-1)?.at ?? 0, kie.requests.at(-1)?.at ?? 0);
    };
    // (A refund whose notice was lost to a kill never shows in the chat: 15 s of quiet ends the wait.)
    await becomesTrue(() => finishedChats() === chats.length || Date.now() - lastActivity() > 15_000, left(), 100);
    const settledByTelegram = finishedChats() === chats.length;
    // Quiet for 1.5 s (settled) or 8 s (something never finished; the database will tell).
    await becomesTrue(() => Date.now() - lastActivity() > (settledByTelegram ? 1_500 : 8_000), Math.min(left(), 60_000), 100);
    const chaosPhaseMs = Date.now() - chaosStart;
    await bot.stop();
    bot = undefined;

    // 5. The books.
    const deliveries = deliveriesByChat(tg);
    const notices = refundNoticesByChat(tg);
    // A duplicate is explained when the bot was killed after Telegram got the first video and
    // before the second: Telegram has no idempotency key, so delivery is at-least-once.
    const sendTimes = new Map<number, number[]>();
    for (const c of tg.calls('sendVideo')) if (c.ok) sendTimes.set(Number(c.params.chat_id), [...(sendTimes.get(Number(c.params.chat_id)) ?? []), c.at]);
    const duplicateChats = [...deliveries].filter(([, n]) => n > 1).map(([chat]) => chat);
    const explained = duplicateChats.filter((chat) => {
      const times = sendTimes.get(chat) ?? [];
      return times.length > 1 && times.slice(1).every((t, i) => killLog.some((k) => k.wallClock > times[i]! && k.wallClock < t));
    });
    const books = await withDatabase(db, (direct) => checkBooks(direct.prisma, deliveries));
    const refundedChats = await withDatabase(db, async (direct) =>
      (await direct.prisma.generation.findMany({ where: { state: 'refunded' }, select: { chatId: true } })).map((g) => Number(g.chatId)),
    );
    const usedTasks = await withDatabase(
      db,
      async (direct) => new Set((await direct.prisma.generation.findMany({ select: { providerTaskId: true } })).map((g) => g.providerTaskId)),
    );
    const { lost, doubleCharges, doubleRefunds, duplicateDeliveries, deliveredAndRefunded, ledgerMismatches, ...figures } = books;
    return {
      database: db.kind,
      seed: o.seed,
      realFlows: o.realFlows,
      inserted: insertedUsers.length,
      users: allUsers.length,
      ...figures,
      kills: killLog.length,
      killsWithJobsInFlight: killLog.filter((k) => k.unfinished > 0).length,
      restarts,
      killLog,
      lost: lost.length,
      doubleCharges: doubleCharges.length,
      doubleRefunds: doubleRefunds.length,
      duplicateDeliveries: duplicateDeliveries.length,
      duplicatesExplainedByKill: explained.length,
      unexplainedDuplicates: duplicateChats.length - explained.length,
      deliveredAndRefunded: deliveredAndRefunded.length,
      ledgerMismatches: ledgerMismatches.length,
      refundsWithoutNotice: refundedChats.filter((c) => !notices.has(c)).length,
      providerFailures:
        [...kie.tasks.values()].filter((t) => t.outcome === 'fail').length + [...kling.tasks.values()].filter((t) => t.outcome?.status === 'failed').length,
      transientFaultsQueued: transient * 2 + Math.ceil(transient / 2) * 2,
      kieTasks: kie.tasks.size,
      kieTasksNotUsed: [...kie.tasks.keys()].filter((id) => !usedTasks.has(id)).length,
      klingTasks: kling.tasks.size,
      kieCallbacks: kie.callbacks.length,
      klingCallbacks: kling.callbacks.length,
      settledByTelegram,
      durationMs: Date.now() - started,
      chaosPhaseMs,
      details: { lost, doubleCharges, doubleRefunds, duplicateDeliveries, deliveredAndRefunded, ledgerMismatches },
    };
  } finally {
    if (bot) {
      bot.process.kill('SIGKILL');
      await bot.exited;
    }
    if (o.logDir) {
      await mkdir(o.logDir, { recursive: true });
      await Promise.all(children.map((c, i) => writeFile(path.join(o.logDir!, `bot-${i + 1}.log`), c.output())));
    }
    await Promise.all([tg.stop(), kie.stop(), kling.stop()]);
    await db.cleanup();
  }
}

export function formatChaosReport(r: ChaosReport): string {
  const lines = [
    `chaos report (${r.database}, seed ${r.seed})`,
    `  generations        ${r.generations} (${r.realFlows} through the Telegram flows, ${r.inserted} via confirmGeneration), ${r.users} users`,
    `  kills              ${r.kills} SIGKILL (${r.killsWithJobsInFlight} with jobs in flight), ${r.restarts} restarts; chaos phase ${(r.chaosPhaseMs / 1000).toFixed(1)} s, run ${(r.durationMs / 1000).toFixed(1)} s`,
    `  outcome            ${r.delivered} delivered, ${r.refunded} refunded (${r.providerFailures} provider tasks failed; reasons ${JSON.stringify(r.refundReasons)}), ${r.lateDeliveredFree} late deliveries after a timeout refund`,
    `  lost               ${r.lost}`,
    `  double charges     ${r.doubleCharges}   (charge rows ${r.chargeRows})`,
    `  double refunds     ${r.doubleRefunds}   (refund rows ${r.refundRows})`,
    `  duplicate delivery ${r.duplicateDeliveries}   (${r.duplicatesExplainedByKill} with a SIGKILL between Telegram accepting the video and the re-send, ${r.unexplainedDuplicates} unexplained; deliveries seen by Telegram ${r.telegramDeliveries})`,
    `  delivered+refunded ${r.deliveredAndRefunded}`,
    `  ledger ≠ balance   ${r.ledgerMismatches} users   (ledger total ${r.ledgerTotal}, balances total ${r.balanceTotal})`,
    `  provider           KIE ${r.kieTasks} tasks (${r.kieTasksNotUsed} not used), ${r.kieCallbacks} callbacks; Kling ${r.klingTasks} tasks, ${r.klingCallbacks} callbacks; ${r.transientFaultsQueued} transient faults`,
    `  refund notices     ${r.refundsWithoutNotice} refunded generations without a notice in the chat`,
  ];
  for (const [name, items] of Object.entries(r.details)) if (items.length) lines.push(`  ${name}: ${items.slice(0, 10).join('; ')}`);
  return lines.join('\n');
}
