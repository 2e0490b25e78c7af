/**
 * Two bot processes on one PostgreSQL, in webhook mode behind a round-robin load balancer, at
 * full size. The run itself is test/support/two-instances.ts (also behind the fast
 * test/e2e/two-instances.test.ts); see docs/reliability.md.
 *
 *   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
 *     npx tsx scripts/two-instances.ts [--updates 1000] [--generations 100] [--seed N]
 *       [--staggered-start] [--think-ms 300] [--logs DIR] [--max-seconds 600]
 *
 * Prints the report, then the figures as one JSON line (the last line of stdout); exit code 1 on
 * a violation, 2 on a crash.
 */
import { DEFAULT_TWO_INSTANCES, formatTwoInstancesReport, runTwoInstances } from '../test/support/two-instances.js';
import { parseCli, runCli } from './cli.js';

const { flags } = parseCli({
  usage: 'TEST_DATABASE_URL=… npx tsx scripts/two-instances.ts [options]',
  flags: {
    updates: { type: 'number', default: DEFAULT_TWO_INSTANCES.updates, help: '/balance updates through the balancer' },
    generations: { type: 'number', default: DEFAULT_TWO_INSTANCES.generations, help: 'orders through the real flows' },
    seed: { type: 'number', default: Date.now() % 1_000_000, help: 'seed of the random choices' },
    'staggered-start': { type: 'boolean', help: 'start the second instance after the first has migrated' },
    'think-ms': { type: 'number', default: DEFAULT_TWO_INSTANCES.thinkMs, help: "a user's pause before each answer" },
    logs: { type: 'string', help: "folder for each instance's log" },
    'max-seconds': { type: 'number', default: DEFAULT_TWO_INSTANCES.maxMs / 1000, help: 'bound of the whole run' },
  },
});

runCli(async () => {
  const report = await runTwoInstances({
    updates: flags.updates,
    generations: flags.generations,
    seed: flags.seed,
    simultaneousStart: !flags['staggered-start'],
    thinkMs: flags['think-ms'],
    ...(flags.logs ? { logDir: flags.logs } : {}),
    maxMs: flags['max-seconds'] * 1000,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${formatTwoInstancesReport(report)}\n`);
  const { details: _details, ...figures } = report;
  process.stdout.write(`${JSON.stringify({ script: 'two-instances', ...figures })}\n`);
  const violations =
    report.updatesNotAnsweredOnce +
    report.extraRepliesAfterRedelivery +
    report.chatsWithOtherThanOneVideo +
    report.doubleCharges +
    report.lost +
    report.duplicateDeliveries +
    report.ledgerMismatches;
  const bothWorked = report.instances.every((x) => x.webhookRequests > 0 && x.submitted + x.delivered > 0);
  return violations === 0 && bothWorked ? 0 : 1;
});
