/** InputMedia builders over the committed fixtures in test/fixtures/media (no test-runner dependency). */
import { createReadStream, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import type { InputMedia } from '../../../src/providers/types.js';

export const FIXTURES_DIR = fileURLToPath(new URL('../../fixtures/media/', import.meta.url));

export function fixturePath(name: string): string {
  return FIXTURES_DIR + name;
}

/** A fixture file as InputMedia; `open()` streams it from disk each time. */
export function fixtureMedia(name: string, mime: string, extra: Partial<InputMedia> = {}): InputMedia {
  const path = fixturePath(name);
  return {
    open: async () => createReadStream(path),
    size: statSync(path).size,
    mime,
    fileName: name,
    ...extra,
  };
}

/** In-memory InputMedia (e.g. a size that lies, or synthetic bytes). */
export function bufferMedia(data: Buffer, mime: string, extra: Partial<InputMedia> = {}): InputMedia {
  return { open: async () => Readable.from([data]), size: data.length, mime, fileName: 'buffer.bin', ...extra };
}
