/**
 * Chaos run at full size: N paid generations while the bot child process is SIGKILLed at random
 * moments and started again; then the books and the deliveries are checked. The run itself is
 * test/support/chaos.ts (also behind the fast test/e2e/chaos.test.ts); see docs/reliability.md.
 *
 *   npx tsx scripts/chaos.ts [--generations 200] [--kills 6] [--real-flows 6] [--seed N]
 *        [--fail-rate 0.15] [--targeted] [--kill-delay 300,1500] [--logs DIR] [--max-seconds 600]
 *
 * Prints the report, then the figures as one JSON line (the last line of stdout); exit code 1 on
 * a violation, 2 on a crash.
 */
import { DEFAULT_CHAOS, formatChaosReport, runChaos } from '../test/support/chaos.js';
import { parseCli, runCli } from './cli.js';

const { flags } = parseCli({
  usage: 'npx tsx scripts/chaos.ts [options]',
  flags: {
    generations: { type: 'number', default: DEFAULT_CHAOS.generations, help: 'paid generations in the run' },
    kills: { type: 'number', default: DEFAULT_CHAOS.kills, help: 'SIGKILLs of the bot while jobs run' },
    'real-flows': { type: 'number', default: DEFAULT_CHAOS.realFlows, help: 'orders made through the Telegram flows (at least 2)' },
    seed: { type: 'number', default: Date.now() % 1_000_000, help: 'seed of the random choices' },
    'fail-rate': { type: 'number', default: DEFAULT_CHAOS.failRate, help: 'share of provider tasks that fail (refunded)' },
    targeted: { type: 'boolean', help: 'every other kill right after a successful sendVideo' },
    'kill-delay': { type: 'string', default: DEFAULT_CHAOS.killDelayMs.join(','), help: 'random delay "lo,hi" ms after each progress mark' },
    logs: { type: 'string', help: 'folder for each bot process log' },
    'max-seconds': { type: 'number', default: DEFAULT_CHAOS.maxMs / 1000, help: 'bound of the whole run' },
  },
});

runCli(async () => {
  const [lo = NaN, hi = NaN] = flags['kill-delay'].split(',').map(Number);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new Error(`--kill-delay takes "lo,hi" in ms, got "${flags['kill-delay']}"`);
  const report = await runChaos({
    generations: flags.generations,
    kills: flags.kills,
    realFlows: flags['real-flows'],
    seed: flags.seed,
    failRate: flags['fail-rate'],
    targeted: flags.targeted,
    killDelayMs: [lo, hi],
    ...(flags.logs ? { logDir: flags.logs } : {}),
    maxMs: flags['max-seconds'] * 1000,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${formatChaosReport(report)}\n`);
  const { details: _details, killLog: _killLog, ...figures } = report;
  process.stdout.write(`${JSON.stringify({ script: 'chaos', ...figures })}\n`);
  const violations =
    report.lost + report.doubleCharges + report.doubleRefunds + report.unexplainedDuplicates + report.deliveredAndRefunded + report.ledgerMismatches;
  return violations === 0 ? 0 : 1;
});
