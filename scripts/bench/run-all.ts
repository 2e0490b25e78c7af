/**
 * `npm run bench`: the whole benchmark suite in bounded time, one table at the end.
 *
 *   npm run bench                       full sizes (about 6–7 minutes on a 2-core machine)
 *   npm run bench -- --quick            smaller sizes (about 3 minutes), same figures
 *   npm run bench -- --write-docs       also rewrites the figures between the bench markers in
 *                                       docs/benchmarks.md and README.md
 *   npm run bench -- --only updates-postgres,jobs   a subset (names below)
 *   BENCH_DATABASE_URL=postgres://…     the PostgreSQL server (default 127.0.0.1:55432); each
 *                                       benchmark creates and drops its own database
 *
 * Every benchmark is its own script (scripts/bench/*.ts, usable alone) run as a child process;
 * its last stdout line is JSON, from which the table is built. Each figure is printed with its
 * target, met / not met, the ratio to a baseline measured in the same run, and the host's load:
 * load average, CPU count, and the share of the machine's CPU used by OTHER processes during
 * the run (/proc/stat busy time minus this process tree's CPU time).
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { args, buildDist, hostCpu, machine, ROOT, round } from './lib.js';

const opts = args({ quick: 'false', 'write-docs': 'false', only: '' });
const QUICK = opts.quick === 'true';

interface Bench {
  name: string;
  script: string;
  args: string[];
}

const size = (full: string, quick: string) => (QUICK ? quick : full);
const SUITE: Bench[] = [
  {
    name: 'updates-postgres',
    script: 'updates.ts',
    args: ['--db', 'postgres', '--duration', size('6', '3'), '--sat-updates', size('1500', '800'), '--users', size('1000', '500'), '--log-level', 'info'],
  },
  {
    name: 'updates-pglite',
    script: 'updates.ts',
    args: ['--db', 'pglite', '--duration', size('6', '3'), '--sat-updates', size('1500', '800'), '--users', size('1000', '500'), '--log-level', 'info'],
  },
  {
    name: 'jobs',
    script: 'jobs.ts',
    args: ['--db', 'postgres', '--jobs', size('10000', '3000'), '--complete', size('600', '300'), '--complete-rate', '50', '--max-seconds', size('45', '30')],
  },
  { name: 'cold-start', script: 'cold-start.ts', args: ['--runs', size('2', '1')] },
  { name: 'flows', script: 'flows.ts', args: ['--db', 'postgres', '--orders', size('12', '6')] },
];

/** CPU time of this process and its waited-for descendants, in clock ticks (USER_HZ). */
function treeTicks(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0); // utime stime cutime cstime
}

function runBench(b: Bench): Promise<Record<string, unknown> | undefined> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/bench', b.script), ...b.args], {
      cwd: ROOT,
      env: process.env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      out += text;
      for (const line of text.split('\n')) if (line && !line.startsWith('{')) process.stdout.write(`  │ ${line}\n`);
    });
    child.once('exit', () => {
      const last = out
        .trim()
        .split('\n')
        .reverse()
        .find((l) => l.startsWith('{'));
      try {
        resolve(last ? (JSON.parse(last) as Record<string, unknown>) : undefined);
      } catch {
        resolve(undefined);
      }
    });
  });
}

// ------------------------------------------------------------------------------------ run
const selected = opts.only ? SUITE.filter((b) => opts.only!.split(',').includes(b.name)) : SUITE;
const startedAt = new Date();
const load0 = loadavg();
const host0 = hostCpu();
const ticks0 = treeTicks();
const t0 = performance.now();
process.stdout.write(`npm run bench${QUICK ? ' --quick' : ''}: ${selected.map((b) => b.name).join(', ')}\n`);
buildDist(); // once for all (dist/main.js is what the Docker image runs); the scripts' own build is then a no-op
const results: Record<string, Record<string, unknown> | undefined> = {};
for (const b of selected) {
  process.stdout.write(`\n▶ ${b.name}: npx tsx scripts/bench/${b.script} ${b.args.join(' ')}\n`);
  const t = performance.now();
  results[b.name] = await runBench(b);
  process.stdout.write(`  (${round((performance.now() - t) / 1000)} s)\n`);
}
const wallS = round((performance.now() - t0) / 1000);
const host1 = hostCpu();
const ticks1 = treeTicks();
const load1 = loadavg();
const totalTicks = Math.max(1, host1.total - host0.total);
const hostBusyPercent = round((100 * (host1.busy - host0.busy)) / totalTicks);
// /proc/stat counts every CPU; the tree's ticks are per process: both in USER_HZ.
const ownPercent = round((100 * (ticks1 - ticks0)) / totalTicks);
const othersPercent = round(Math.max(0, hostBusyPercent - ownPercent));

// ------------------------------------------------------------------------------------ table
type Row = { figure: string; measured: string; target: string; met: boolean | undefined; baseline: string; ratio: string };
const rows: Row[] = [];
const get = (obj: unknown, ...keys: (string | number)[]): unknown =>
  keys.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string | number, unknown>)[k] : undefined), obj);
const num = (v: unknown) => (typeof v === 'number' ? v : NaN);
const fmt = (v: number, unit: string) => (Number.isFinite(v) ? `${v.toLocaleString('en-US', { maximumFractionDigits: 1 })}${unit}` : 'n/a');
const ratioOf = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? `${round(a / b, 2)}×` : 'n/a');
const add = (row: Row) => rows.push(row);

for (const db of ['postgres', 'pglite'] as const) {
  const r = results[`updates-${db}`];
  if (!selected.some((b) => b.name === `updates-${db}`)) continue;
  const realSat = num(get(r, 'results', 'real', 'saturate', 'achievedPerSec'));
  const bareSat = num(get(r, 'results', 'bare', 'saturate', 'achievedPerSec'));
  const realRate = num(get(r, 'results', 'real', 'rate', 'achievedPerSec'));
  const p99 = num(get(r, 'results', 'real', 'rate', 'p99Ms'));
  const bareP99 = num(get(r, 'results', 'bare', 'rate', 'p99Ms'));
  const cpu = num(get(r, 'results', 'real', 'saturate', 'botCpuMsPerUpdate'));
  const bareCpu = num(get(r, 'results', 'bare', 'saturate', 'botCpuMsPerUpdate'));
  add({
    figure: `updates, saturated, real / bare (${db})`,
    measured: `${fmt(realSat, ' upd/s')} (ratio ${round(realSat / bareSat, 2)})`,
    target: 'ratio ≥ 0.5',
    met: realSat / bareSat >= 0.5,
    baseline: `bare grammY ${fmt(bareSat, ' upd/s')}`,
    ratio: ratioOf(realSat, bareSat),
  });
  add({
    figure: `updates, p99 at ${String(get(r, 'rate') ?? 500)}/s (${db})`,
    measured: `${fmt(p99, ' ms')} (${fmt(realRate, ' upd/s')} achieved)`,
    target: '< 50 ms',
    met: p99 < 50,
    baseline: `bare p99 ${fmt(bareP99, ' ms')}`,
    ratio: ratioOf(p99, bareP99),
  });
  add({
    figure: `updates, bot CPU per update, saturated (${db})`,
    measured: fmt(cpu, ' ms'),
    target: '—',
    met: undefined,
    baseline: `bare ${fmt(bareCpu, ' ms')}`,
    ratio: ratioOf(cpu, bareCpu),
  });
}

if (selected.some((b) => b.name === 'jobs')) {
  const j = results.jobs;
  const runs = (get(j, 'runs') as Record<string, unknown>[] | undefined) ?? [];
  const off = runs.find((x) => x.callbacks === 'off');
  const on = runs.find((x) => x.callbacks === 'on');
  const inFlight = num(get(j, 'config', 'jobs'));
  const poll = num(get(j, 'config', 'pollIntervalMs'));
  for (const [label, run] of [
    ['off', off],
    ['on', on],
  ] as const) {
    const rss = num(get(run, 'botRssPeakMB'));
    const rss0 = num(get(run, 'botRssAtStartMB'));
    add({
      figure: `jobs: bot peak RSS, ${inFlight} in flight, callbacks ${label}`,
      measured: `${fmt(rss, ' MB')} (V8 heap ${fmt(num(get(run, 'botHeapAtPeak', 'heapUsedMB')), '')}/${fmt(num(get(run, 'botHeapAtPeak', 'heapTotalMB')), ' MB')})`,
      target: '< 300 MB',
      met: rss < 300,
      baseline: `bot RSS at start ${fmt(rss0, ' MB')}`,
      ratio: ratioOf(rss, rss0),
    });
    const cap = num(get(run, 'cap'));
    const maxPolls = num(get(run, 'statusPerSecMax'));
    add({
      figure: `jobs: status requests per second (max, 1 s sliding), callbacks ${label}`,
      measured: fmt(maxPolls, '/s'),
      target: `never above the cap (${cap}/s)`,
      met: maxPolls <= cap,
      baseline: `cap ${cap}/s`,
      ratio: ratioOf(maxPolls, cap),
    });
    const p95 = num(get(run, 'delayP95Ms'));
    const target = label === 'on' ? 1000 : poll;
    const undelivered = num(get(run, 'undeliveredAtEnd'));
    add({
      figure: `jobs: completion → delivery, callbacks ${label}`,
      measured: `p50 ${fmt(num(get(run, 'delayP50Ms')), ' ms')}, p95 ${fmt(p95, ' ms')}${undelivered ? ` (≥; ${undelivered} undelivered)` : ''}`,
      target: `p95 < ${fmt(target, ' ms')}${label === 'off' ? ' (one poll interval)' : ''}`,
      met: get(run, 'meets', 'delay') === true,
      baseline: label === 'on' ? `callbacks off p95 ${fmt(num(get(off, 'delayP95Ms')), ' ms')}` : `poll interval ${fmt(poll, ' ms')}`,
      ratio: label === 'on' ? ratioOf(p95, num(get(off, 'delayP95Ms'))) : ratioOf(p95, poll),
    });
    add({
      figure: `jobs: bot CPU and event-loop delay, callbacks ${label}`,
      measured: `CPU ${fmt(num(get(run, 'botCpuPercent')), ' %')} of one core; event-loop p99 median ${fmt(num(get(run, 'eventLoopP99MedianMs')), ' ms')}, worst ${fmt(num(get(run, 'eventLoopP99MaxMs')), ' ms')}`,
      target: '—',
      met: undefined,
      baseline: `host busy ${fmt(num(get(run, 'hostBusyPercent')), ' %')}`,
      ratio: 'n/a',
    });
  }
}

if (selected.some((b) => b.name === 'cold-start')) {
  const c = results['cold-start'];
  const migrated = num(get(c, 'summary', 'migratedP50Ms'));
  const empty = num(get(c, 'summary', 'emptyP50Ms'));
  const bare = num(get(c, 'summary', 'bareP50Ms'));
  add({
    figure: 'cold start → first getUpdates, PGlite, migrations applied',
    measured: fmt(migrated, ' ms'),
    target: '< 3,000 ms',
    met: migrated < 3000,
    baseline: `bare grammY bot ${fmt(bare, ' ms')}`,
    ratio: ratioOf(migrated, bare),
  });
  add({
    figure: 'cold start → first getUpdates, PGlite, empty data directory',
    measured: fmt(empty, ' ms'),
    target: '< 3,000 ms',
    met: empty < 3000,
    baseline: `bare grammY bot ${fmt(bare, ' ms')}`,
    ratio: ratioOf(empty, bare),
  });
}

if (selected.some((b) => b.name === 'flows')) {
  const f = results.flows;
  const bareP50 = num(get(results['updates-postgres'], 'results', 'bare', 'rate', 'p50Ms'));
  add({
    figure: 'Confirm → provider create request',
    measured: `p50 ${fmt(num(get(f, 'summary', 'confirmToCreateP50Ms')), ' ms')}, p99 ${fmt(num(get(f, 'summary', 'confirmToCreateP99Ms')), ' ms')}`,
    target: '— (measured)',
    met: undefined,
    baseline: `engine step p50 ${fmt(num(get(f, 'summary', 'engineStepP50Ms')), ' ms')}`,
    ratio: ratioOf(num(get(f, 'summary', 'confirmToCreateP50Ms')), num(get(f, 'summary', 'engineStepP50Ms'))),
  });
  add({
    figure: 'conversation engine, one step (update → next message)',
    measured: `p50 ${fmt(num(get(f, 'summary', 'engineStepP50Ms')), ' ms')}, p99 ${fmt(num(get(f, 'summary', 'engineStepP99Ms')), ' ms')}; bot CPU ${fmt(num(get(f, 'summary', 'botCpuMsPerStep')), ' ms')}/step`,
    target: '— (measured)',
    met: undefined,
    baseline: Number.isFinite(bareP50) ? `bare grammY reply p50 ${fmt(bareP50, ' ms')}` : 'n/a',
    ratio: ratioOf(num(get(f, 'summary', 'engineStepP50Ms')), bareP50),
  });
}

const busy = othersPercent >= 25;
const hostLine =
  `Host: ${availableParallelism()} CPUs (${String(machine().cpu)}), ${String(machine().node)}; load average ${load0.map((l) => l.toFixed(1)).join('/')} at start, ` +
  `${load1.map((l) => l.toFixed(1)).join('/')} at the end; CPU busy ${hostBusyPercent} % of the machine during the ${wallS} s run, ` +
  `of which other processes ${othersPercent} %${busy ? ' — HOST BUSY: figures are noisy, re-run on a quiet machine' : ''}.`;

const cell = (s: string) => s.replace(/\|/g, '\\|');
const metCell = (m: boolean | undefined) => (m === undefined ? '—' : m ? 'met' : '**not met**');
const table = [
  '| figure | measured | target | met | baseline (same run) | ratio to baseline |',
  '| --- | --- | --- | --- | --- | --- |',
  ...rows.map((r) => `| ${cell(r.figure)} | ${cell(r.measured)} | ${cell(r.target)} | ${metCell(r.met)} | ${cell(r.baseline)} | ${r.ratio} |`),
].join('\n');
const block = [
  `Run ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC, \`npm run bench${QUICK ? ' -- --quick' : ''}\`${opts.only ? ` (only ${opts.only})` : ''}, ${wallS} s.`,
  '',
  hostLine,
  '',
  table,
].join('\n');
process.stdout.write(`\n${block}\n`);

if (opts['write-docs'] === 'true') {
  for (const file of ['docs/benchmarks.md', 'README.md']) {
    const full = path.join(ROOT, file);
    const text = readFileSync(full, 'utf8');
    const begin = '<!-- bench:begin -->';
    const end = '<!-- bench:end -->';
    const i = text.indexOf(begin);
    const k = text.indexOf(end);
    if (i < 0 || k < i) {
      process.stdout.write(`${file}: no ${begin} … ${end} markers; not written\n`);
      continue;
    }
    writeFileSync(full, `${text.slice(0, i + begin.length)}\n${block}\n${text.slice(k)}`);
    execFileSync(path.join(ROOT, 'node_modules/.bin/prettier'), ['--write', '--log-level', 'warn', full], { cwd: ROOT, stdio: 'inherit' });
    process.stdout.write(`${file}: figures written\n`);
  }
}
process.exit(0);
