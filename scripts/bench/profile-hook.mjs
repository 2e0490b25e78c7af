/**
 * Preloaded into a benchmarked bot (`node --import scripts/bench/profile-hook.mjs`): SIGUSR2
 * starts a V8 CPU profile, SIGUSR1 stops it and writes it to $BENCH_PROFILE_FILE. Lets a
 * benchmark profile one phase (not the warm-up) of a bot that runs as its own process.
 */
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';

const session = new Session();
session.connect();
let running = false;
process.on('SIGUSR2', async () => {
  if (running) return;
  running = true;
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
});
process.on('SIGUSR1', async () => {
  if (!running) return;
  running = false;
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(process.env.BENCH_PROFILE_FILE ?? 'bench.cpuprofile', JSON.stringify(profile));
  process.stdout.write('profile written\n');
});
