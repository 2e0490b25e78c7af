/** A JobMessenger for worker tests that records every call; deliver downloads the result (so the URL must really serve a video). */
import type { DeliveryOutcome, FailureReason, JobMessenger, JobView, ProgressStage } from '../../src/jobs/ports.js';

export class RecordingMessenger implements JobMessenger {
  readonly progressCalls: { id: string; stage: ProgressStage }[] = [];
  readonly deliveries: { id: string; url: string; bytes: number; durationSeconds?: number }[] = [];
  readonly failures: { id: string; reason: FailureReason; refunded: number }[] = [];
  /** Outcome override, e.g. () => ({ kind: 'unreachable' }). */
  outcome?: (job: JobView) => DeliveryOutcome;

  async progress(job: JobView, stage: ProgressStage): Promise<number | null> {
    this.progressCalls.push({ id: job.id, stage });
    return null;
  }

  async deliver(job: JobView, video: { url: string; durationSeconds?: number }): Promise<DeliveryOutcome> {
    const response = await fetch(video.url);
    const bytes = (await response.arrayBuffer()).byteLength;
    if (!response.ok) return { kind: 'retry', error: `HTTP ${response.status}` };
    this.deliveries.push({ id: job.id, url: video.url, bytes, ...(video.durationSeconds !== undefined ? { durationSeconds: video.durationSeconds } : {}) });
    return this.outcome?.(job) ?? { kind: 'video', fileId: `file-${job.id}` };
  }

  async failed(job: JobView, reason: FailureReason, refunded: number): Promise<void> {
    this.failures.push({ id: job.id, reason, refunded });
  }

  deliveriesOf(id: string) {
    return this.deliveries.filter((d) => d.id === id);
  }
  failuresOf(id: string) {
    return this.failures.filter((d) => d.id === id);
  }
}
