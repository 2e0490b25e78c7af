/**
 * The order path, through the real bot: the conversation engine's cost per step
 * (src/bot/features/generate/engine.ts, replayed by @grammyjs/conversations on every update),
 * and Confirm → the provider's create request.
 *
 *   npx tsx scripts/bench/flows.ts [--db postgres|pglite] [--orders 20] [--runtime dist|tsx]
 *
 * The bot runs as its own process; the fake Telegram and the fake KIE run in this process. One
 * user after another orders a talking avatar (/lipsync → photo → voice → model → Skip → Confirm),
 * so each figure is the bot's own cost, not a queue. Per step: the time from the user's action
 * (update queued at the fake) to the bot's next message or edit; "Confirm → create" is the tap on
 * Confirm → createTask arriving at the fake KIE (claim, media from Telegram, upload to KIE, create).
 * The bot's CPU time over all steps (/proc) divided by the steps is the CPU cost per step.
 */
import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FakeTelegram, randomToken, type FakeUser, type Message } from '../../test/support/fake-telegram/index.js';
import { FakeKie } from '../../test/support/fake-kie/index.js';
import { openDatabase } from '../../src/db/client.js';
import { seedCatalog } from '../../src/db/seed.js';
import {
  args,
  backgroundLoad,
  benchBotEnv,
  botRuntime,
  buildDist,
  createBenchDatabase,
  emitJson,
  machine,
  percentile,
  procCpuMs,
  ROOT,
  round,
  spawnBot,
  stopChild,
} from './lib.js';

const opts = args({ db: 'postgres', orders: '20', runtime: 'dist' });
const ORDERS = Number(opts.orders);
const RUNTIME = botRuntime(opts.runtime!);
const media = (name: string) => readFileSync(path.join(ROOT, 'test/fixtures/media', name));
type Markup = { inline_keyboard: { text: string }[][] };
const buttonsOf = (m: Message) => (((m as { reply_markup?: unknown }).reply_markup as Markup | undefined)?.inline_keyboard ?? []).flat().map((b) => b.text);

const token = randomToken();
const tg = await FakeTelegram.start({ tokens: [token] });
const kie = await FakeKie.start({ pollsPerStep: 1000, credits: 10_000_000 });
const db = await createBenchDatabase(opts.db!);
// Users with credits, written before the bot starts (PGlite has one owner at a time).
const users = Array.from({ length: ORDERS }, (_, i) => tg.user({ firstName: `Flow${i}`, languageCode: 'en' }, token));
{
  const handle = await openDatabase({ databaseUrl: db.databaseUrl, dataDir: db.dataDir });
  await handle.migrate();
  await seedCatalog(handle.prisma);
  await handle.prisma.user.createMany({ data: users.map((u) => ({ id: BigInt(u.id), firstName: u.info.first_name, balance: 1000 })) });
  await handle.prisma.ledgerEntry.createMany({
    data: users.map((u) => ({ userId: BigInt(u.id), kind: 'grant' as const, amount: 1000, balanceAfter: 1000, idempotencyKey: `grant:bench:${u.id}` })),
  });
  await handle.close();
}
if (RUNTIME === 'dist') buildDist();
const background = await backgroundLoad();
const bot = spawnBot(
  RUNTIME,
  benchBotEnv(
    { token, apiRoot: tg.apiRoot },
    { KIE_API_KEY: kie.apiKey, KIE_API_BASE_URL: kie.apiBaseUrl, KIE_UPLOAD_BASE_URL: kie.uploadBaseUrl, POLL_INTERVAL_MS: '600000', ...db.env },
  ),
);
await bot.waitFor(/bot started/, 120_000);
const pid = bot.child.pid!;

const steps: Record<string, number[]> = {};
const confirmToCreate: number[] = [];
const record = (name: string, ms: number) => (steps[name] ??= []).push(ms);
const wait = { timeoutMs: 30_000 };

/** Times `act` until the bot's next message matching `match` (a new message or an edit). */
async function step(user: FakeUser, name: string, act: () => Promise<unknown>, match: RegExp): Promise<Message> {
  const t0 = performance.now();
  const reply = user.waitForMessage({ ...wait, match });
  await act();
  const message = await reply;
  record(name, performance.now() - t0);
  return message;
}

async function order(user: FakeUser): Promise<void> {
  await step(user, '/lipsync', () => user.sendCommand('/lipsync'), /photo|фото/i);
  await step(user, 'photo', () => user.sendPhoto(media('portrait.jpg'), { width: 512, height: 768 }), /speech|речь/i);
  let next = await step(user, 'voice', () => user.sendVoice(media('voice.ogg'), { duration: 3 }), /model|модель|Skip|Пропустить|Price|Цена/i);
  if (buttonsOf(next).some((b) => /^Kling AI Avatar/.test(b))) {
    const choice = next;
    next = await step(user, 'model', () => user.tapButton(choice, /^Kling AI Avatar/), /Skip|Пропустить|describe|опишите|Price|Цена/i);
  }
  while (!/Price|Цена/.test(String(next.text))) {
    const skip = next;
    next = await step(user, 'skip', () => user.tapButton(skip, /Skip|Пропустить/), /Skip|Пропустить|describe|опишите|Price|Цена/i);
  }
  const quote = next;
  const creates = kie.count('createTask');
  const tConfirm = Date.now();
  await step(user, 'confirm', () => user.tapButton(quote, /Confirm|Подтвердить/), /Started|Запущено/);
  const deadline = Date.now() + 30_000;
  while (kie.count('createTask') === creates && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
  const create = kie.requests.filter((r) => r.path.startsWith('/api/v1/jobs/createTask')).at(-1);
  if (create && kie.count('createTask') > creates) confirmToCreate.push(create.at - tConfirm);
}

process.stdout.write(`flows benchmark: db=${opts.db} ${ORDERS} orders one after another, bot ${RUNTIME} (host busy before start: ${background}%)\n`);
const cpu0 = procCpuMs(pid);
for (let i = 0; i < ORDERS; i++) {
  const user = users[i]!;
  await user.sendCommand('/start');
  await user.waitForMessage(wait);
  await order(user);
}
const cpuMs = procCpuMs(pid) - cpu0;
await stopChild(bot.child);
await kie.stop();
await tg.stop();
await db.cleanup();

const engineSteps = Object.entries(steps).filter(([name]) => name !== 'confirm');
const all = engineSteps.flatMap(([, v]) => v);
const stepCount = Object.values(steps).reduce((n, v) => n + v.length, 0) + ORDERS; // + the /start of each user
const perStep = Object.fromEntries(
  Object.entries(steps).map(([k, v]) => [k, { n: v.length, p50Ms: round(percentile(v, 50)), p99Ms: round(percentile(v, 99)) }]),
);
const summary = {
  engineStepP50Ms: round(percentile(all, 50)),
  engineStepP99Ms: round(percentile(all, 99)),
  botCpuMsPerStep: round(cpuMs / stepCount, 2),
  confirmToCreateP50Ms: round(percentile(confirmToCreate, 50)),
  confirmToCreateP99Ms: round(percentile(confirmToCreate, 99)),
  orders: ORDERS,
  creates: confirmToCreate.length,
};
for (const [name, s] of Object.entries(perStep)) process.stdout.write(`  ${name.padEnd(9)} n=${s.n}  p50 ${s.p50Ms} ms  p99 ${s.p99Ms} ms\n`);
process.stdout.write(
  `  engine step p50 ${summary.engineStepP50Ms} ms, p99 ${summary.engineStepP99Ms} ms; bot CPU ${summary.botCpuMsPerStep} ms per update; ` +
    `Confirm → createTask p50 ${summary.confirmToCreateP50Ms} ms, p99 ${summary.confirmToCreateP99Ms} ms (${summary.creates}/${ORDERS})\n`,
);
emitJson({ bench: 'flows', db: opts.db, runtime: RUNTIME, machine: machine(), hostBusyBeforePercent: background, perStep, summary });
process.exit(0);
