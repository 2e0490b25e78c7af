/**
 * The port for inputs a provider can only fetch by URL (Kling identify-face / motion-control
 * `video_url`, motion-control `image_url`). Implemented by `src/server/media-hosting.ts`: the KIE
 * upload host when KIE is configured, otherwise the bot's own HTTP server under PUBLIC_URL at an
 * unguessable, expiring URL. Never a Telegram file URL (it carries the bot token).
 */
import type { InputMedia } from './types.js';

export interface UrlHost {
  /** Where the URL points: KIE's temporary file host, or this bot's own server. */
  readonly kind: 'kie' | 'self';
  /** Streams the media to the host and returns a URL the provider can GET. */
  publish(media: InputMedia, ref: { generationId: string; role: string; signal?: AbortSignal }): Promise<string>;
  /** The job ended: delete what was published for it (self-hosting; KIE deletes after 3 days). */
  release(generationId: string): Promise<void>;
}
