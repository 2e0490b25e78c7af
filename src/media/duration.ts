/**
 * The duration of an audio or video file, measured from its bytes (music-metadata reads the
 * container: Ogg/Opus, MP3, WAV, AAC, MP4/M4A…), and the billing rule for it: per-second prices
 * and limits use the LARGER of what the sender declared and what the file holds, so a client
 * declaring 1 s for a 60 s clip pays and is limited for 60 s (docs/providers.md §failure-model). Streams, not
 * buffers: the caller passes a stream and its size. Shared by the flows and the catalog engine.
 */
import type { Readable } from 'node:stream';
import { parseStream } from 'music-metadata';

/** Seconds measured from the file, or null when the container has no readable duration. */
export async function measureSeconds(stream: Readable, info: { mimeType?: string; size?: number }): Promise<number | null> {
  try {
    const meta = await parseStream(
      stream,
      { ...(info.mimeType ? { mimeType: info.mimeType } : {}), ...(info.size ? { size: info.size } : {}) },
      { duration: true, skipCovers: true },
    );
    const seconds = meta.format.duration;
    return seconds !== undefined && Number.isFinite(seconds) && seconds > 0 ? seconds : null;
  } catch {
    return null;
  } finally {
    stream.destroy();
  }
}

/** The seconds to bill and limit: the larger of declared and measured (null when neither is known). */
export function billableSeconds(declared: number | null | undefined, measured: number | null | undefined): number | null {
  const values = [declared, measured].filter((v): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0);
  return values.length ? Math.max(...values) : null;
}
