/**
 * The one way tests and the proof scripts run a child process: a Node script (TypeScript through
 * tsx) with a clean environment, its stdout and stderr collected, every wait bounded, and the
 * child killed when the caller is done with it — or, should a test fail before that, when this
 * process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Collects a child's stdout and stderr and lets a caller wait for a line to appear. */
export interface OutputWatch {
  output(): string;
  /** Resolves once the output matches (also if the child exits after printing it). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

export function watchOutput(child: ChildProcess, label: string): OutputWatch {
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    out += chunk.toString('utf8');
    if (out.length > 1_000_000) out = out.slice(-500_000);
    for (const l of listeners) l();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  return {
    output: () => out,
    waitFor(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(out)) {
            cleanup();
            resolve();
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`${label}: output did not match ${pattern} within ${timeoutMs} ms:\n${out.slice(-3000)}`));
        }, timeoutMs);
        const onExit = () => {
          cleanup();
          if (pattern.test(out)) resolve();
          else reject(new Error(`${label} exited before printing ${pattern}:\n${out.slice(-3000)}`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
          child.off('exit', onExit);
        };
        listeners.add(check);
        child.once('exit', onExit);
        check();
      });
    },
  };
}

export interface Child {
  process: ChildProcess;
  output(): string;
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<Exit>;
  /** Sends `signal` (default SIGTERM) unless the child has exited; resolves on exit. */
  kill(signal?: NodeJS.Signals): Promise<Exit>;
  /** SIGTERM, then SIGKILL if the child has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<Exit>;
}

export interface NodeScriptOptions {
  /** The child's whole environment besides PATH and HOME: nothing else of this process leaks in. */
  env?: Record<string, string>;
  /** Named in timeout errors (default: the script's file name). */
  label?: string;
}

/** Children not yet exited; SIGKILLed if this process exits first (a failed test leaks none). */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function killLeftoversOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

/** Starts `node --import tsx <script> [...args]` in the repository root. */
export function spawnNodeScript(script: string, args: readonly string[] = [], options: NodeScriptOptions = {}): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', path.resolve(ROOT, script), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  killLeftoversOnExit();
  running.add(child);
  const watch = watchOutput(child, options.label ?? path.basename(script));
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  const kill = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  return {
    process: child,
    output: watch.output,
    waitForOutput: watch.waitFor,
    exited,
    kill,
    async stop(graceMs = 15_000) {
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await kill('SIGTERM');
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Runs a script to its end within `timeoutMs` (then SIGKILLed and rejected); its exit and output. */
export async function runNodeScript(
  script: string,
  args: readonly string[] = [],
  options: NodeScriptOptions & { timeoutMs?: number } = {},
): Promise<Exit & { output: string }> {
  const child = spawnNodeScript(script, args, options);
  const timeoutMs = options.timeoutMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      child.process.kill('SIGKILL');
      reject(new Error(`${options.label ?? script} did not finish within ${timeoutMs} ms:\n${child.output().slice(-3000)}`));
    }, timeoutMs);
  });
  try {
    const exit = await Promise.race([child.exited, timedOut]);
    return { ...exit, output: child.output() };
  } finally {
    clearTimeout(timer);
  }
}
