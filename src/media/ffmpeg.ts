/**
 * Runs the ffmpeg / ffprobe binaries shipped by the registry packages @ffmpeg-installer/ffmpeg and
 * @ffprobe-installer/ffprobe (the binary is inside the npm tarball: nothing is downloaded at
 * install time). Every run is streamed (stdin → stdout), bounded in time (killed on timeout or
 * abort) and fails with a typed MediaToolError that carries only ffmpeg's own last words.
 */
import { spawn } from 'node:child_process';
import { accessSync, chmodSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { PassThrough, type Readable } from 'node:stream';

export type MediaToolErrorCode = 'tool_unavailable' | 'timeout' | 'aborted' | 'invalid_input' | 'no_audio' | 'too_large' | 'failed';

export class MediaToolError extends Error {
  constructor(
    readonly code: MediaToolErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MediaToolError';
  }
}

export type MediaTool = 'ffmpeg' | 'ffprobe';

const PACKAGES: Record<MediaTool, string> = {
  ffmpeg: '@ffmpeg-installer/ffmpeg',
  ffprobe: '@ffprobe-installer/ffprobe',
};

const resolved = new Map<MediaTool, string>();

/** The binary's path; makes it executable when a skipped install script left it without +x. */
export function mediaToolPath(tool: MediaTool): string {
  const cached = resolved.get(tool);
  if (cached) return cached;
  let path: string;
  try {
    const require = createRequire(import.meta.url);
    path = (require(PACKAGES[tool]) as { path: string }).path;
  } catch (error) {
    throw new MediaToolError('tool_unavailable', `${tool} binary not found (${PACKAGES[tool]}): ${String(error)}`);
  }
  try {
    accessSync(path, constants.X_OK);
  } catch {
    try {
      chmodSync(path, 0o755);
      accessSync(path, constants.X_OK);
    } catch {
      throw new MediaToolError('tool_unavailable', `${tool} at ${path} is not executable`);
    }
  }
  resolved.set(tool, path);
  return path;
}

export interface RunOptions {
  /** Kill the process after this long (default 60 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Override the binary (tests, or an operator's own build). */
  binaryPath?: string;
}

/** Classifies ffmpeg's stderr into an error code. */
function codeFromStderr(stderr: string): MediaToolErrorCode {
  if (/matches no streams|does not contain any stream|Output file #0 does not contain/i.test(stderr)) return 'no_audio';
  if (/Invalid data found|could not find codec|Invalid argument|moov atom not found|EBML header parsing failed|Unknown input format/i.test(stderr)) {
    return 'invalid_input';
  }
  return 'failed';
}

/**
 * Spawns `tool args`, feeding `input` (a stream or nothing) to stdin. The returned stream carries
 * stdout and ends only after the process exited 0; otherwise it is destroyed with a MediaToolError.
 */
export function runMediaTool(tool: MediaTool, args: string[], input: Readable | null, options: RunOptions = {}): Readable {
  const out = new PassThrough();
  let binary: string;
  try {
    binary = options.binaryPath ?? mediaToolPath(tool);
  } catch (error) {
    queueMicrotask(() => out.destroy(error as Error));
    return out;
  }
  const child = spawn(binary, args, { stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  const stdout = child.stdout!;
  const stderrStream = child.stderr!;
  let stderr = '';
  let failure: MediaToolError | undefined;
  const kill = (error: MediaToolError) => {
    failure ??= error;
    child.kill('SIGKILL');
    input?.destroy();
  };
  const timeoutMs = options.timeoutMs ?? 60_000;
  const timer = setTimeout(() => kill(new MediaToolError('timeout', `${tool} took longer than ${timeoutMs} ms`)), timeoutMs);
  const onAbort = () => kill(new MediaToolError('aborted', `${tool} aborted`));
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });

  stderrStream.setEncoding('utf8');
  stderrStream.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-2_000);
  });
  stdout.pipe(out, { end: false });
  // Reader gone (e.g. a size limit hit downstream): stop the process.
  out.on('close', () => {
    if (child.exitCode === null && child.signalCode === null) kill(new MediaToolError('aborted', `${tool} output closed`));
  });
  if (input && child.stdin) {
    // ffmpeg may stop reading early (EPIPE): that is decided by its exit code, not by the pipe.
    child.stdin.on('error', () => undefined);
    input.on('error', (error) => kill(new MediaToolError('invalid_input', `${tool} input failed: ${error.message}`)));
    input.pipe(child.stdin);
  }
  child.on('error', (error) => kill(new MediaToolError('tool_unavailable', `${tool} could not start: ${error.message}`)));
  child.on('close', (code) => {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    if (!failure && code === 0) {
      stdout.unpipe(out);
      out.end();
      return;
    }
    const last = stderr.trim().split('\n').slice(-3).join(' | ');
    out.destroy(failure ?? new MediaToolError(codeFromStderr(stderr), `${tool} exited with ${code}: ${last}`));
  });
  return out;
}

/** Reads a stream fully, failing with `too_large` past `maxBytes`. */
export async function collect(stream: Readable, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    total += (chunk as Buffer).length;
    if (total > maxBytes) {
      stream.destroy();
      throw new MediaToolError('too_large', `output is larger than ${maxBytes} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
