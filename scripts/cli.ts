/**
 * The one argument parser of the scripts/*.ts command lines, on node:util parseArgs: strict (an
 * unknown or misspelt flag is an error, not ignored), numbers checked, `--help` prints the usage.
 * A wrong call prints the error and the usage and exits with 2.
 */
import { parseArgs } from 'node:util';

type Flag = { type: 'number'; default?: number; help: string } | { type: 'string'; default?: string; help: string } | { type: 'boolean'; help: string };

type ValueOf<F extends Flag> = F extends { type: 'boolean' }
  ? boolean
  : F extends { type: 'number'; default: number }
    ? number
    : F extends { type: 'number' }
      ? number | undefined
      : F extends { type: 'string'; default: string }
        ? string
        : string | undefined;

export interface CliSpec<F extends Record<string, Flag>> {
  /** The first line of the help, e.g. `npx tsx scripts/chaos.ts [options]`. */
  usage: string;
  flags?: F;
  /** Names of the positional arguments, in order; `required` ones must be given. */
  positionals?: { name: string; required?: boolean }[];
}

export interface Cli<F extends Record<string, Flag>> {
  flags: { [K in keyof F]: ValueOf<F[K]> };
  positionals: string[];
}

function helpText(spec: CliSpec<Record<string, Flag>>): string {
  const lines = [`Usage: ${spec.usage}`];
  for (const [name, flag] of Object.entries(spec.flags ?? {})) {
    const given = 'default' in flag && flag.default !== undefined ? ` (default ${flag.default})` : '';
    lines.push(`  --${name}${flag.type === 'boolean' ? '' : ` <${flag.type}>`}  ${flag.help}${given}`);
  }
  return lines.join('\n');
}

function fail(spec: CliSpec<Record<string, Flag>>, message: string): never {
  process.stderr.write(`${message}\n${helpText(spec)}\n`);
  process.exit(2);
}

export function parseCli<const F extends Record<string, Flag> = Record<never, Flag>>(spec: CliSpec<F>, argv: string[] = process.argv.slice(2)): Cli<F> {
  const flags: Record<string, Flag> = spec.flags ?? {};
  const options = Object.fromEntries([
    ['help', { type: 'boolean' as const, short: 'h' }],
    ...Object.entries(flags).map(([name, flag]) => [name, { type: flag.type === 'boolean' ? ('boolean' as const) : ('string' as const) }]),
  ]);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: Boolean(spec.positionals?.length) });
  } catch (error) {
    fail(spec, (error as Error).message);
  }
  if (parsed.values.help) {
    process.stdout.write(`${helpText(spec)}\n`);
    process.exit(0);
  }
  const values: Record<string, unknown> = {};
  for (const [name, flag] of Object.entries(flags)) {
    const raw = parsed.values[name];
    if (flag.type === 'boolean') values[name] = raw === true;
    else if (raw === undefined) values[name] = flag.default;
    else if (flag.type === 'string') values[name] = raw;
    else {
      const n = Number(raw);
      if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(n)) fail(spec, `--${name} takes a number, got "${String(raw)}"`);
      values[name] = n;
    }
  }
  const expected = spec.positionals ?? [];
  if (parsed.positionals.length > expected.length) fail(spec, `unexpected argument "${parsed.positionals[expected.length]}"`);
  const missing = expected.find((p, i) => p.required && parsed.positionals[i] === undefined);
  if (missing) fail(spec, `${missing.name} is missing`);
  return { flags: values as Cli<F>['flags'], positionals: parsed.positionals };
}

/** Runs a CLI's body: its result is the exit code; a crash prints the stack and exits with 2. */
export function runCli(body: () => Promise<number>): void {
  body().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(2);
    },
  );
}
