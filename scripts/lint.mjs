// `npm run lint`: every check at once — tsc, ESLint (type-aware), knip, Prettier and the locale
// check run concurrently (each waits on its own work, and on 2 cores that roughly halves the wall
// time), each with its cache in .cache/ (gitignored; kept across `npm install`), so a warm run
// only re-checks what changed. Each check's output is printed when it ends; the exit code is 1
// when any check failed.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

const checks = [
  ['tsc', bin('tsc'), ['--noEmit', '--incremental', '--tsBuildInfoFile', '.cache/tsc/tsbuildinfo']],
  ['eslint', bin('eslint'), ['--cache', '--cache-location', '.cache/eslint/', '--cache-strategy', 'content', '.']],
  ['knip', bin('knip'), ['--cache', '--cache-location', '.cache/knip']],
  ['prettier', bin('prettier'), ['--check', '--log-level', 'warn', '--cache', '--cache-location', '.cache/prettier', '--cache-strategy', 'content', '.']],
  ['locales', process.execPath, ['scripts/check-locales.mjs']],
];

function run([name, command, args]) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => resolve({ name, ok: false, output: String(error), ms: Date.now() - started }));
    child.on('close', (code) => resolve({ name, ok: code === 0, output, ms: Date.now() - started }));
  }).then((result) => {
    const seconds = (result.ms / 1000).toFixed(1);
    process.stdout.write(`${result.ok ? '✓' : '✗'} ${name} (${seconds} s)\n${result.ok ? '' : result.output.trimEnd() + '\n'}`);
    return result;
  });
}

const results = await Promise.all(checks.map(run));
const failed = results.filter((r) => !r.ok).map((r) => r.name);
if (failed.length) process.stdout.write(`lint failed: ${failed.join(', ')}\n`);
process.exitCode = failed.length ? 1 : 0;
