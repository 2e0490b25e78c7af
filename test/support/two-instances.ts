/**
 * Two bot processes on one PostgreSQL, in webhook mode behind a round-robin load balancer
 * (./load-balancer.ts), fed by the fake Telegram. The full size runs from the command line
 * (scripts/two-instances.ts), the fast version in test/e2e/two-instances.test.ts.
 *
 *  - both children (`node --import tsx src/main.ts`) get the same WEBHOOK_URL (the balancer),
 *    WEBHOOK_SECRET, DATABASE_URL, PUBLIC_URL (the balancer: provider callbacks land on either
 *    instance) and CALLBACK_SECRET, and their own PORT; both call setWebhook at start (same URL);
 *  - `--updates` /balance commands from many users go through the fake Telegram's webhook
 *    delivery and the balancer: exactly one reply per update. Then 10 % of them are redelivered
 *    by the fake Telegram (through the balancer) and 5 % more updates are POSTed straight to BOTH
 *    instances at once (same update_id, right secret): still exactly one reply each;
 *  - `--generations` orders through the real flows (/lipsync, /text2video … Confirm), every step
 *    of a conversation landing on whichever instance the balancer picks; each must be charged
 *    once, submitted to the provider once, delivered with exactly one sendVideo;
 *  - both instances must have done some of the work: webhook requests per instance (balancer)
 *    and "generation submitted"/"video delivered" log lines per instance (child stdout, each
 *    line carries the worker id).
 * Needs PostgreSQL (PGlite is one process).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FakeTelegram, type FakeUser } from './fake-telegram/index.js';
import { FakeKie } from './fake-kie/index.js';
import { FakeKling } from './fake-kling/index.js';
import { createTestDatabase, migrationLockFree, prepareDatabase, usingPostgres, withDatabase } from './db.js';
import { botEnv, spawnBot, type ChildBot } from './harness.js';
import { startLoadBalancer } from './load-balancer.js';
import { orderLipsync, orderText2Video } from './drive.js';
import { checkBooks, deliveriesByChat, type BooksCheck } from './delivery-books.js';
import { freePort } from './net.js';
import { rng } from './rng.js';
import { createCreditedUsers } from './credited-users.js';
import { becomesTrue, sleep } from './wait.js';

export interface TwoInstancesOptions {
  updates: number;
  generations: number;
  seed: number;
  maxMs: number;
  /** Concurrent conversations when ordering. */
  flowConcurrency: number;
  /** Start both instances at the same moment (fails with P1002 until the migration-lock fix). */
  simultaneousStart: boolean;
  /**
   * Pause between seeing a bot message and answering it, like a person (default 300 ms). With 0
   * a button tap can overtake the handling of the chat's previous message on the other instance
   * (callback queries are queued per user, messages per chat) and is lost: see docs/reliability.md.
   */
  thinkMs: number;
  /** Write each instance's log (child stdout/stderr) to `<logDir>/instance-<n>.log`. */
  logDir?: string;
  log: (line: string) => void;
}

export interface InstanceFigures {
  port: number;
  webhookRequests: number;
  callbackRequests: number;
  submitted: number;
  delivered: number;
}

export interface TwoInstancesReport {
  updates: number;
  updateUsers: number;
  balanceReplies: number;
  /** Updates with a number of replies other than one. */
  updatesNotAnsweredOnce: number;
  redelivered: number;
  postedToBoth: number;
  bothPostsAccepted: number;
  extraRepliesAfterRedelivery: number;
  updatesMs: number;
  generations: number;
  delivered: number;
  refunded: number;
  sendVideoCalls: number;
  chatsWithOtherThanOneVideo: number;
  chargeRows: number;
  doubleCharges: number;
  providerTasks: number;
  providerTasksPerGeneration: number;
  lost: number;
  duplicateDeliveries: number;
  ledgerMismatches: number;
  generationsMs: number;
  instances: InstanceFigures[];
  balancerFailed: number;
  startupMs: number;
  durationMs: number;
  details: Partial<BooksCheck> & { notAnsweredOnce?: string[] };
}

export const DEFAULT_TWO_INSTANCES: TwoInstancesOptions = {
  updates: 1000,
  generations: 100,
  seed: 1,
  maxMs: 600_000,
  flowConcurrency: 25,
  simultaneousStart: true,
  thinkMs: 300,
  log: (line) => process.stdout.write(`${line}\n`),
};

const BALANCE_REPLY = 'Your balance:';

export async function runTwoInstances(partial: Partial<TwoInstancesOptions> = {}): Promise<TwoInstancesReport> {
  const o: TwoInstancesOptions = { ...DEFAULT_TWO_INSTANCES, ...partial };
  if (!usingPostgres) throw new Error('two instances share one PostgreSQL database: set TEST_DATABASE_URL');
  const started = Date.now();
  const deadline = started + o.maxMs;
  const left = () => Math.max(1_000, deadline - Date.now());
  const random = rng(o.seed);

  const [tg, kie, kling, db] = await Promise.all([
    FakeTelegram.start({ webhookRetryBaseMs: 50, webhookRetryMaxMs: 1_000, webhookTimeoutMs: 20_000 }),
    FakeKie.start({ pollsPerStep: 1, callbacks: { enabled: true, repeat: 2 } }),
    FakeKling.start({ concurrencyLimit: 100_000, lifecycle: { unit: 'polls', processingAfter: 1, finishAfter: 3 } }),
    createTestDatabase(),
  ]);
  const bots: ChildBot[] = [];
  let lb: Awaited<ReturnType<typeof startLoadBalancer>> | undefined;
  try {
    const ports = [await freePort(), await freePort()];
    lb = await startLoadBalancer(ports.map((p) => `http://127.0.0.1:${p}`));
    const shared = {
      WEBHOOK_URL: `${lb.url}/telegram/webhook`,
      WEBHOOK_SECRET: `wh-${randomUUID().replace(/-/g, '')}`,
      PUBLIC_URL: lb.url,
      CALLBACK_SECRET: `cb-${randomUUID().replace(/-/g, '')}`,
      JOB_LEASE_MS: '5000',
      POLL_INTERVAL_MS: '200',
      POLL_TIMEOUT_MS: '120000',
      PROVIDER_TIMEOUT_MS: '10000',
      PROVIDER_POLLS_PER_SECOND: '200',
      WORKER_CONCURRENCY: '6',
      LOG_LEVEL: 'info',
    };

    // Users with credits through the ledger (generation users only; /balance users start at 0).
    const updateUsers = Array.from({ length: Math.max(2, Math.ceil(o.updates / 10)) }, () => tg.user({ languageCode: 'en' }));
    const genUsers = Array.from({ length: o.generations }, () => tg.user({ languageCode: 'en' }));
    await prepareDatabase(db);
    await withDatabase(db, (direct) => createCreditedUsers(direct.prisma, genUsers, { name: 'Two', credits: 100 }));

    // Both instances start at once and both migrate: the migration runs on its own connection that
    // is closed afterwards, so the engine's advisory lock never blocks the other instance (it did
    // before, see docs/reliability.md finding 1). `--staggered-start` starts them one after the other.
    const spawnOne = (port: number) => {
      const bot = spawnBot(botEnv({ tg, kie, kling }, db, { ...shared, PORT: String(port) }));
      bots.push(bot);
      return bot.waitForOutput(/bot started/, 60_000);
    };
    const startupStart = Date.now();
    if (o.simultaneousStart) {
      await Promise.all(ports.map(spawnOne));
    } else {
      await spawnOne(ports[0]!);
      await migrationLockFree(db.databaseUrl, 20_000);
      await spawnOne(ports[1]!);
    }
    const startupMs = Date.now() - startupStart;
    if (tg.webhookInfo().url !== shared.WEBHOOK_URL) throw new Error(`webhook not set: ${JSON.stringify(tg.webhookInfo())}`);
    o.log(`two instances up on ports ${ports.join(', ')} behind ${lb.url}`);

    // --- Updates: /balance from many users, each answered once.
    const balanceReplies = () => {
      const perChat = new Map<number, number>();
      for (const c of tg.calls('sendMessage')) {
        if (c.ok && String(c.params.text ?? '').startsWith(BALANCE_REPLY))
          perChat.set(Number(c.params.chat_id), (perChat.get(Number(c.params.chat_id)) ?? 0) + 1);
      }
      return perChat;
    };
    const total = (m: Map<number, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    const updatesStart = Date.now();
    const sentPerChat = new Map<number, number>();
    for (let i = 0; i < o.updates; i++) {
      const user = updateUsers[Math.floor(random() * updateUsers.length)]!;
      await user.sendCommand('/balance');
      sentPerChat.set(user.chatId, (sentPerChat.get(user.chatId) ?? 0) + 1);
    }
    const allAnswered = await becomesTrue(() => total(balanceReplies()) >= o.updates, Math.min(left(), 120_000), 50);
    const updatesMs = Date.now() - updatesStart;
    o.log(`updates: ${total(balanceReplies())}/${o.updates} answered in ${updatesMs} ms (${allAnswered ? 'all' : 'NOT all'})`);

    // Redeliveries: through the balancer (fake Telegram) and straight to both instances at once.
    const history = [...tg.bot().state.updates.history.values()].filter((u) => String((u as { message?: { text?: string } }).message?.text) === '/balance');
    const redeliver = history.filter(() => random() < 0.1);
    for (const u of redeliver) tg.redeliver(u.update_id);
    const postedToBoth = Math.max(1, Math.round(o.updates * 0.05));
    let bothPostsAccepted = 0;
    let nextId = 900_000_000;
    for (let i = 0; i < postedToBoth; i++) {
      const user = updateUsers[Math.floor(random() * updateUsers.length)]!;
      const body = JSON.stringify({
        update_id: nextId++,
        message: {
          message_id: 1_000_000 + i,
          date: Math.floor(Date.now() / 1000),
          chat: { id: user.chatId, type: 'private', first_name: 'Test' },
          from: { id: user.id, is_bot: false, first_name: 'Test', language_code: 'en' },
          text: '/balance',
          entities: [{ type: 'bot_command', offset: 0, length: 8 }],
        },
      });
      const answers = await Promise.all(
        ports.map((port) =>
          fetch(`http://127.0.0.1:${port}/telegram/webhook`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': shared.WEBHOOK_SECRET },
            body,
          }).then((r) => r.status),
        ),
      );
      if (answers.every((s) => s === 200)) bothPostsAccepted++;
      sentPerChat.set(user.chatId, (sentPerChat.get(user.chatId) ?? 0) + 1);
    }
    const expected = o.updates + postedToBoth;
    await becomesTrue(() => total(balanceReplies()) >= expected && tg.bot().pendingUpdates().length === 0, Math.min(left(), 60_000), 50);
    // Quiet: nothing more may arrive for the redelivered updates.
    const quietFrom = Date.now();
    await becomesTrue(() => tg.bot().pendingUpdates().length === 0 && Date.now() - quietFrom > 1_500, Math.min(left(), 30_000), 50);
    const replies = balanceReplies();
    const notAnsweredOnce: string[] = [];
    for (const [chat, sent] of sentPerChat)
      if ((replies.get(chat) ?? 0) !== sent) notAnsweredOnce.push(`${chat}: sent ${sent}, replies ${replies.get(chat) ?? 0}`);
    o.log(`redelivered ${redeliver.length} through the balancer, ${postedToBoth} posted to both instances; replies ${total(replies)} for ${expected} updates`);

    // --- Generations through the real flows, conversations spread over both instances.
    const genStart = Date.now();
    const kinds = genUsers.map((_, i) => (i % 3 === 2 ? 'text2video' : 'lipsync'));
    let cursor = 0;
    const failures: string[] = [];
    await Promise.all(
      Array.from({ length: Math.min(o.flowConcurrency, genUsers.length) }, async () => {
        while (cursor < genUsers.length && Date.now() < deadline) {
          const i = cursor++;
          const user: FakeUser = genUsers[i]!;
          try {
            if (kinds[i] === 'text2video') await orderText2Video(user, `A fox number ${i} running`, WAIT_MS, o.thinkMs);
            else await orderLipsync(user, i % 2 === 0 ? 'Kling AI Avatar' : 'InfiniteTalk 480p', { timeoutMs: WAIT_MS, thinkMs: o.thinkMs });
          } catch (error) {
            const deliveries = tg
              .bot()
              .webhookDeliveries()
              .filter((d) => {
                const u = tg.bot().state.updates.history.get(d.updateId) as
                  { message?: { chat?: { id: number } }; callback_query?: { from?: { id: number } } } | undefined;
                return u?.message?.chat?.id === user.chatId || u?.callback_query?.from?.id === user.id;
              });
            failures.push(`user ${user.id}: ${(error as Error).message}\n  webhook deliveries: ${JSON.stringify(deliveries)}`);
          }
        }
      }),
    );
    if (failures.length) o.log(`flows that failed: ${failures.length}\n  ${failures.slice(0, 5).join('\n  ')}`);
    const genChats = new Set(genUsers.map((u) => u.chatId));
    const videosIn = () => {
      const d = deliveriesByChat(tg);
      return [...genChats].filter((c) => (d.get(c) ?? 0) > 0).length;
    };
    await becomesTrue(() => videosIn() === genChats.size, Math.min(left(), 180_000), 100);
    await sleep(1_500);
    const generationsMs = Date.now() - genStart;
    o.log(`generations: ${videosIn()}/${genChats.size} delivered in ${generationsMs} ms`);

    // Stop both, then the books from the database.
    const outputs = bots.map((b) => b.output());
    await Promise.all(bots.map((b) => b.stop()));
    const finalOutputs = bots.map((b) => b.output());
    if (o.logDir) {
      await mkdir(o.logDir, { recursive: true });
      await Promise.all(finalOutputs.map((text, i) => writeFile(path.join(o.logDir!, `instance-${i + 1}.log`), text)));
    }
    bots.length = 0;
    const { books, generations } = await withDatabase(db, async (direct) => ({
      books: await checkBooks(direct.prisma, deliveriesByChat(tg)),
      generations: await direct.prisma.generation.findMany({ include: { model: true } }),
    }));
    const perVideoChat = new Map<number, number>();
    for (const c of tg.calls('sendVideo')) if (c.ok) perVideoChat.set(Number(c.params.chat_id), (perVideoChat.get(Number(c.params.chat_id)) ?? 0) + 1);
    const providerTasks = kie.tasks.size + kling.tasks.size;
    const count = (text: string, msg: string) => text.split('\n').filter((l) => l.includes(`"msg":"${msg}"`)).length;
    const instances: InstanceFigures[] = ports.map((port, i) => ({
      port,
      webhookRequests: lb!.hitsByPath.get('/telegram/webhook')?.[i] ?? 0,
      callbackRequests: (lb!.hitsByPath.get('/callbacks/kie')?.[i] ?? 0) + (lb!.hitsByPath.get('/callbacks/kling')?.[i] ?? 0),
      submitted: count(finalOutputs[i] ?? outputs[i] ?? '', 'generation submitted'),
      delivered: count(finalOutputs[i] ?? outputs[i] ?? '', 'video delivered'),
    }));
    const { lost, doubleCharges, duplicateDeliveries, ledgerMismatches } = books;
    return {
      updates: o.updates,
      updateUsers: updateUsers.length,
      balanceReplies: total(replies),
      updatesNotAnsweredOnce: notAnsweredOnce.length,
      redelivered: redeliver.length,
      postedToBoth,
      bothPostsAccepted,
      extraRepliesAfterRedelivery: Math.max(0, total(replies) - expected),
      updatesMs,
      generations: generations.length,
      delivered: books.delivered,
      refunded: books.refunded,
      sendVideoCalls: [...perVideoChat.values()].reduce((a, b) => a + b, 0),
      chatsWithOtherThanOneVideo: [...genChats].filter((c) => (perVideoChat.get(c) ?? 0) !== 1).length,
      chargeRows: books.chargeRows,
      doubleCharges: doubleCharges.length,
      providerTasks,
      providerTasksPerGeneration: generations.length ? providerTasks / generations.length : 0,
      lost: lost.length,
      duplicateDeliveries: duplicateDeliveries.length,
      ledgerMismatches: ledgerMismatches.length,
      generationsMs,
      instances,
      balancerFailed: lb.failed,
      startupMs,
      durationMs: Date.now() - started,
      details: { lost, doubleCharges, duplicateDeliveries, ledgerMismatches, notAnsweredOnce: [...notAnsweredOnce, ...failures] },
    };
  } finally {
    await Promise.all(
      bots.map(async (b) => {
        b.process.kill('SIGKILL');
        await b.exited;
      }),
    );
    await lb?.close();
    await Promise.all([tg.stop(), kie.stop(), kling.stop()]);
    await db.cleanup();
  }
}

/** How long a step of an order waits for the bot's answer. */
const WAIT_MS = 30_000;

export function formatTwoInstancesReport(r: TwoInstancesReport): string {
  const lines = [
    'two instances report (PostgreSQL, webhook mode behind a round-robin balancer)',
    `  updates            ${r.updates} /balance from ${r.updateUsers} users → ${r.balanceReplies} replies; ${r.updatesNotAnsweredOnce} chats not answered exactly once; ${(r.updatesMs / 1000).toFixed(1)} s`,
    `  redelivery         ${r.redelivered} redelivered through the balancer, ${r.postedToBoth} posted to both instances (${r.bothPostsAccepted} accepted by both) → ${r.extraRepliesAfterRedelivery} extra replies`,
    `  generations        ${r.generations}: ${r.delivered} delivered, ${r.refunded} refunded; sendVideo ${r.sendVideoCalls}, ${r.chatsWithOtherThanOneVideo} chats with ≠ 1 video; ${(r.generationsMs / 1000).toFixed(1)} s`,
    `  money              charge rows ${r.chargeRows}, double charges ${r.doubleCharges}, ledger ≠ balance ${r.ledgerMismatches} users`,
    `  provider           ${r.providerTasks} tasks (${r.providerTasksPerGeneration.toFixed(2)} per generation)`,
    `  lost / duplicates  ${r.lost} / ${r.duplicateDeliveries}`,
    ...r.instances.map(
      (x, i) =>
        `  instance ${i + 1}         port ${x.port}: ${x.webhookRequests} webhook requests, ${x.callbackRequests} provider callbacks, ${x.submitted} jobs submitted, ${x.delivered} videos delivered`,
    ),
    `  balancer           ${r.balancerFailed} requests no instance took; both instances up in ${(r.startupMs / 1000).toFixed(1)} s; run ${(r.durationMs / 1000).toFixed(1)} s`,
  ];
  for (const [name, items] of Object.entries(r.details)) if (Array.isArray(items) && items.length) lines.push(`  ${name}: ${items.slice(0, 10).join('; ')}`);
  return lines.join('\n');
}
