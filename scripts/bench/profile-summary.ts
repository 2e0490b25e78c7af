/**
 * Summarises a V8 .cpuprofile (from `updates.ts --prof`): self time by package / area and the
 * top functions, plus inclusive time of a few bot-level frames.
 *
 *   npx tsx scripts/bench/profile-summary.ts .tmp/bench-prof/real-postgres-….cpuprofile [--top 25]
 */
import { readFileSync } from 'node:fs';
import { args, round } from './lib.js';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: Node[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: profile-summary.ts <file.cpuprofile> [--top 25]\n');
  process.exit(2);
}
const opts = args({ top: '25' });
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Self time per node from samples × timeDeltas.
const self = new Map<number, number>();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i]!;
  self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
}
const total = [...self.values()].reduce((a, b) => a + b, 0);

function area(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native/builtin)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const src = /\/(src|test|scripts)\/(.*)$/.exec(url);
  if (src) return `${src[1]}/${src[2]!.split('/').slice(0, 2).join('/')}`;
  return url
    .replace(/^file:\/\//, '')
    .split('/')
    .slice(-2)
    .join('/');
}

const byArea = new Map<string, number>();
const byFn = new Map<string, number>();
for (const [id, ms] of self) {
  const n = byId.get(id)!;
  const a = area(n.callFrame.url, n.callFrame.functionName);
  byArea.set(a, (byArea.get(a) ?? 0) + ms);
  const key = `${n.callFrame.functionName || '(anonymous)'} ${area(n.callFrame.url, n.callFrame.functionName)}:${n.callFrame.lineNumber + 1}`;
  byFn.set(key, (byFn.get(key) ?? 0) + ms);
}

// Inclusive time: a sample counts once for each distinct area on its stack.
const inclusiveArea = new Map<string, number>();
for (let i = 0; i < profile.samples.length; i++) {
  const dt = (profile.timeDeltas[i] ?? 0) / 1000;
  const seen = new Set<string>();
  let id: number | undefined = profile.samples[i]!;
  while (id !== undefined) {
    const n = byId.get(id)!;
    seen.add(area(n.callFrame.url, n.callFrame.functionName));
    id = parent.get(id);
  }
  for (const a of seen) inclusiveArea.set(a, (inclusiveArea.get(a) ?? 0) + dt);
}

const idle = (byArea.get('(idle)') ?? 0) + (byArea.get('(program)') ?? 0) * 0;
const busy = total - (byArea.get('(idle)') ?? 0);
const top = Number(opts.top);
process.stdout.write(`profile ${file}: ${round(total)} ms sampled, idle ${round(idle)} ms, busy ${round(busy)} ms\n\nself time by area (% of busy):\n`);
for (const [a, ms] of [...byArea]
  .filter(([a]) => a !== '(idle)')
  .sort((x, y) => y[1] - x[1])
  .slice(0, top)) {
  process.stdout.write(
    `  ${round((100 * ms) / busy)
      .toFixed(1)
      .padStart(5)}%  ${round(ms).toFixed(0).padStart(7)} ms  ${a}\n`,
  );
}
process.stdout.write(`\ninclusive time by area (% of busy; a sample counts for every area on its stack):\n`);
for (const [a, ms] of [...inclusiveArea]
  .filter(([a]) => a !== '(idle)')
  .sort((x, y) => y[1] - x[1])
  .slice(0, top)) {
  process.stdout.write(
    `  ${round((100 * ms) / busy)
      .toFixed(1)
      .padStart(5)}%  ${a}\n`,
  );
}
process.stdout.write(`\ntop functions by self time:\n`);
for (const [f, ms] of [...byFn]
  .filter(([f]) => !f.startsWith('(idle)'))
  .sort((x, y) => y[1] - x[1])
  .slice(0, top)) {
  process.stdout.write(
    `  ${round((100 * ms) / busy)
      .toFixed(1)
      .padStart(5)}%  ${f}\n`,
  );
}

// --callers <functionName>: which areas/functions the samples of that function came through.
if (opts.callers) {
  const via = new Map<string, number>();
  let sum = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const leaf = byId.get(profile.samples[i]!)!;
    if (leaf.callFrame.functionName !== opts.callers) continue;
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    sum += dt;
    const chain: string[] = [];
    let id = parent.get(leaf.id);
    while (id !== undefined) {
      const n = byId.get(id)!;
      const a = area(n.callFrame.url, n.callFrame.functionName);
      if (!a.startsWith('node:') && a !== '(native/builtin)' && a !== '(root)') chain.push(`${n.callFrame.functionName || '(anon)'}@${a}`);
      id = parent.get(id);
    }
    const key = chain.slice(0, 3).join(' < ') || '(node internals only)';
    via.set(key, (via.get(key) ?? 0) + dt);
  }
  process.stdout.write(`\n${opts.callers}: ${round(sum)} ms; nearest non-node callers:\n`);
  for (const [k, ms] of [...via].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(
      `  ${round((100 * ms) / sum)
        .toFixed(1)
        .padStart(5)}%  ${k}\n`,
    );
  }
}
