/**
 * The fake KIE of scripts/bench/jobs.ts, in its own process (its task map, request log and
 * uploads must not count against the worker's memory). Started with an IPC channel:
 *   env FAKE_KIE_OPTIONS = JSON FakeKieOptions
 *   prints one line {"apiKey","apiBaseUrl","uploadBaseUrl"} when listening
 *   message {cmd:"stats"} → reply {polls: [epoch ms of each recordInfo], completions: {taskId: epoch ms}, created, uploads}
 *   message {cmd:"seed", count, model, callBackUrl?} → reply {taskIds}: tasks created directly (as if
 *     createTask had been called earlier), running, not finishing on their own
 *   message {cmd:"complete", perSecond, count} → completes `count` seeded tasks in creation order at
 *     `perSecond` (each sends its callback when callbacks are on); reply {started: true}
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

const seeded: string[] = [];
let completer: NodeJS.Timeout | undefined;

interface Message {
  cmd: string;
  count?: number;
  model?: string;
  callBackUrl?: string;
  perSecond?: number;
}

process.on('message', (msg: Message) => {
  if (msg.cmd === 'seed') {
    const taskIds: string[] = [];
    for (let i = 0; i < msg.count!; i++) taskIds.push(kie.seedTask(msg.model!, { callBackUrl: msg.callBackUrl }).taskId);
    seeded.push(...taskIds);
    process.send!({ taskIds });
  } else if (msg.cmd === 'complete') {
    const order = seeded.slice(0, msg.count!);
    const t0 = Date.now();
    let done = 0;
    completer = setInterval(() => {
      const due = Math.min(order.length, Math.floor(((Date.now() - t0) / 1000) * msg.perSecond!));
      while (done < due) kie.completeTask(order[done++]!);
      if (done >= order.length) clearInterval(completer);
    }, 5);
    process.send!({ started: true });
  } else if (msg.cmd === 'stats') {
    const completions: Record<string, number> = {};
    for (const task of kie.tasks.values()) if (task.completeTime !== undefined) completions[task.taskId] = task.completeTime;
    const callbackStatus: Record<string, number> = {};
    for (const c of kie.callbacks) {
      const key = c.status ? String(c.status) : (c.error ?? 'pending');
      callbackStatus[key] = (callbackStatus[key] ?? 0) + 1;
    }
    process.send!({ polls, completions, created, uploads, tasks: kie.tasks.size, callbackStatus });
  } else if (msg.cmd === 'stop') {
    clearInterval(drain);
    if (completer) clearInterval(completer);
    void kie.stop().then(() => process.exit(0));
  }
});
process.stdout.write(`${JSON.stringify({ apiKey: kie.apiKey, apiBaseUrl: kie.apiBaseUrl, uploadBaseUrl: kie.uploadBaseUrl })}\n`);
