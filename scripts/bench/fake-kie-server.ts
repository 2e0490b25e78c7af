/**
 * The fake KIE of scripts/bench/jobs.ts, in its own process (its task map, request log and
 * uploads must not count against the worker's memory). Started with an IPC channel:
 *   env FAKE_KIE_OPTIONS = JSON FakeKieOptions
 *   prints one line {"apiKey","apiBaseUrl","uploadBaseUrl"} when listening
 *   message {cmd:"stats"} → reply {polls: [epoch ms of each recordInfo], completions: {taskId: epoch ms}, created, uploads}
 *   message {cmd:"stop"} → exits
 * To stay lean over 10,000 tasks it drains its request log (keeping only recordInfo timestamps)
 * and forgets uploads once 4,000 newer ones exist (createTask follows its uploads within ms).
 */
import { FakeKie, type FakeKieOptions } from '../../test/support/fake-kie/index.js';

const options = JSON.parse(process.env.FAKE_KIE_OPTIONS ?? '{}') as FakeKieOptions;
const kie = await FakeKie.start(options);
const polls: number[] = [];
let created = 0;
let uploads = 0;

const drain = setInterval(() => {
  for (const r of kie.requests) {
    if (r.server !== 'api') {
      if (r.method === 'POST') uploads++;
      continue;
    }
    if (r.path.startsWith('/api/v1/jobs/recordInfo')) polls.push(r.at);
    else if (r.path.startsWith('/api/v1/jobs/createTask')) created++;
  }
  kie.requests.length = 0;
  const extra = kie.uploads.size - 4_000;
  if (extra > 0) {
    let i = 0;
    for (const key of kie.uploads.keys()) {
      if (i++ >= extra) break;
      kie.uploads.delete(key);
    }
  }
}, 50);

process.on('message', (msg: { cmd: string }) => {
  if (msg.cmd === 'stats') {
    const completions: Record<string, number> = {};
    for (const task of kie.tasks.values()) if (task.completeTime !== undefined) completions[task.taskId] = task.completeTime;
    process.send!({ polls, completions, created, uploads, tasks: kie.tasks.size });
  } else if (msg.cmd === 'stop') {
    clearInterval(drain);
    void kie.stop().then(() => process.exit(0));
  }
});
process.stdout.write(`${JSON.stringify({ apiKey: kie.apiKey, apiBaseUrl: kie.apiBaseUrl, uploadBaseUrl: kie.uploadBaseUrl })}\n`);
