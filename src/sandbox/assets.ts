/**
 * Files the sandbox ships with (the result video, the page). They live in src/sandbox and are
 * found from the project root, so both `tsx src/…` and `node dist/…` read the same files.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root: two levels above this file in src/sandbox or dist/sandbox. */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const SANDBOX_DIR = path.join(ROOT, 'src', 'sandbox');

/** The short real MP4 that the emulated providers return as every result. */
export const RESULT_VIDEO_PATH = path.join(SANDBOX_DIR, 'media', 'result.mp4');

/** The page's static files (HTML, JS module, CSS). */
export const PAGE_DIR = path.join(SANDBOX_DIR, 'page');
