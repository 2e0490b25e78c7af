/**
 * The fake KIE's Veo 3.1 endpoints (docs/providers.md §veo, checked as §fakes says), served on the
 * fake's API host:
 *
 *   POST /api/v1/veo/generate          validates model / generationType / imageUrls / aspect_ratio|aspectRatio
 *   GET  /api/v1/veo/record-info       successFlag 0 → 1 (or 2/3 with errorCode/errorMessage), response.resultUrls (array)
 *   GET  /api/v1/veo/get-1080p-video   non-200 "1080P is processing" for `processingCalls` calls, then data.resultUrl
 *   POST /api/v1/veo/get-4k-video      422 "4k is processing" then "generated successfully" with data.resultUrls
 *   POST /api/v1/veo/extend            needs a known, successful, non-1080p task
 *
 * Callbacks carry the result under `data.info` with code 200/400/422/500/501, and are resent on
 * a non-2xx answer up to 3 times, then stop.
 */
import { randomBytes } from 'node:crypto';

export type VeoOutcome = { successFlag: 1 } | { successFlag: 2 | 3; errorCode: number; errorMessage: string };

export interface FakeVeoTask {
  taskId: string;
  request: Record<string, unknown>;
  model: string;
  generationType: string;
  aspectRatio: string;
  callBackUrl?: string;
  polls: number;
  successFlag: 0 | 1 | 2 | 3;
  outcome: VeoOutcome;
  createTime: number;
  completeTime?: number;
  hdCalls: number;
  upgraded1080p: boolean;
  fourKCalls: number;
}

export interface FakeVeoHost {
  isImage(url: string): boolean;
  resultUrl(id: string): string;
  pollsPerStep(): number;
  later(ms: number, fn: () => void): void;
  postCallback(taskId: string, url: string, body: string): Promise<number | undefined>;
}

type Answer = { status: number; body: unknown };
const ok = (data: unknown): Answer => ({ status: 200, body: { code: 200, msg: 'success', data } });
const error = (code: number, msg: string, status = 200): Answer => ({ status, body: { code, msg, data: null } });

export class FakeVeo {
  readonly tasks = new Map<string, FakeVeoTask>();
  /** get-1080p-video answers "processing" this many times per task before the URL. */
  processingCalls = 2;
  private readonly outcomes: VeoOutcome[] = [];

  constructor(private readonly host: FakeVeoHost) {}

  /** The next generated task ends with this outcome. */
  nextOutcome(outcome: VeoOutcome): this {
    this.outcomes.push(outcome);
    return this;
  }

  generate(body: unknown): Answer {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return error(422, 'request body must be a JSON object');
    const request = body as Record<string, unknown>;
    const { prompt, imageUrls, callBackUrl } = request;
    const model = request.model ?? 'veo3_fast';
    if (typeof prompt !== 'string' || prompt.trim() === '') return error(422, 'prompt is required');
    if (model !== 'veo3' && model !== 'veo3_fast' && model !== 'veo3_lite') return error(422, `model ${String(model)} is not supported`);
    const aspect = request.aspect_ratio ?? request.aspectRatio ?? '16:9';
    if (aspect !== '16:9' && aspect !== '9:16' && aspect !== 'Auto') return error(422, 'aspect_ratio must be 16:9, 9:16 or Auto');
    if (request.resolution !== undefined && !['720p', '1080p', '4k'].includes(String(request.resolution)))
      return error(422, 'resolution must be 720p, 1080p or 4k');
    if ('duration' in request) return error(422, 'duration is not a field of veo generate');
    const images = imageUrls === undefined ? [] : imageUrls;
    if (!Array.isArray(images) || images.some((u) => typeof u !== 'string' || !this.host.isImage(u)))
      return error(422, 'imageUrls must be reachable image URLs');
    const generationType = request.generationType ?? (images.length === 0 ? 'TEXT_2_VIDEO' : 'FIRST_AND_LAST_FRAMES_2_VIDEO');
    switch (generationType) {
      case 'TEXT_2_VIDEO':
        if (images.length > 0) return error(422, 'TEXT_2_VIDEO takes no imageUrls');
        break;
      case 'FIRST_AND_LAST_FRAMES_2_VIDEO':
        if (images.length < 1 || images.length > 2) return error(422, 'FIRST_AND_LAST_FRAMES_2_VIDEO takes 1 or 2 imageUrls');
        break;
      case 'REFERENCE_2_VIDEO':
        if (model !== 'veo3_fast') return error(422, 'REFERENCE_2_VIDEO needs veo3_fast');
        if (aspect === 'Auto') return error(422, 'REFERENCE_2_VIDEO needs 16:9 or 9:16');
        if (images.length < 1 || images.length > 3) return error(422, 'REFERENCE_2_VIDEO takes 1 to 3 imageUrls');
        break;
      default:
        return error(422, `generationType ${String(generationType)} is not supported`);
    }
    if (callBackUrl !== undefined && (typeof callBackUrl !== 'string' || !/^https?:\/\//.test(callBackUrl)))
      return error(422, 'callBackUrl must be an http(s) URL');
    const taskId = randomBytes(16).toString('hex');
    this.tasks.set(taskId, {
      taskId,
      request,
      model: String(model),
      generationType: String(generationType),
      aspectRatio: String(aspect),
      ...(typeof callBackUrl === 'string' ? { callBackUrl } : {}),
      polls: 0,
      successFlag: 0,
      outcome: this.outcomes.shift() ?? { successFlag: 1 },
      createTime: Date.now(),
      hdCalls: 0,
      upgraded1080p: false,
      fourKCalls: 0,
    });
    return ok({ taskId });
  }

  recordInfo(taskId: string): Answer {
    const task = this.tasks.get(taskId);
    if (!task) return error(422, 'record is null');
    task.polls++;
    const perStep = this.host.pollsPerStep();
    if (task.successFlag === 0 && perStep > 0 && task.polls >= perStep * 3) this.finish(task);
    return ok(this.view(task));
  }

  /** Moves a task to its outcome now (and sends its callback). */
  finish(task: FakeVeoTask): void {
    if (task.successFlag !== 0) return;
    task.successFlag = task.outcome.successFlag;
    task.completeTime = Date.now();
    if (task.callBackUrl) this.host.later(0, () => void this.callback(task, 1));
  }

  get1080p(taskId: string, index: string | null): Answer {
    const task = this.tasks.get(taskId);
    if (!task) return error(422, 'record is null');
    if (index !== null && index !== '0') return error(422, 'index out of range');
    if (task.successFlag !== 1) return error(400, 'the video is not generated successfully yet');
    task.hdCalls++;
    if (task.hdCalls <= this.processingCalls) return error(400, '1080P is processing. It should be ready in 1-2 minutes.');
    task.upgraded1080p = true;
    return ok({ resultUrl: this.host.resultUrl(`${taskId}-1080p`) });
  }

  get4k(body: unknown): Answer {
    const taskId = (body as { taskId?: unknown } | undefined)?.taskId;
    const task = typeof taskId === 'string' ? this.tasks.get(taskId) : undefined;
    if (!task || task.successFlag !== 1) return error(422, 'record is null');
    task.fourKCalls++;
    if (task.fourKCalls === 1) return ok({ taskId: `${task.taskId}-4k` });
    if (task.fourKCalls === 2) return error(422, '4k is processing. Please wait.');
    return {
      status: 200,
      body: { code: 422, msg: 'The video has been generated successfully', data: { resultUrls: [this.host.resultUrl(`${task.taskId}-4k`)] } },
    };
  }

  extend(body: unknown): Answer {
    const request = body as { taskId?: unknown; prompt?: unknown } | undefined;
    const task = typeof request?.taskId === 'string' ? this.tasks.get(request.taskId) : undefined;
    if (!task || task.successFlag !== 1) return error(422, 'record is null');
    if (task.upgraded1080p) return error(422, 'a video that went through 1080P generation cannot be extended');
    if (typeof request?.prompt !== 'string' || request.prompt.trim() === '') return error(422, 'prompt is required');
    return this.generate({ ...task.request, prompt: request.prompt, imageUrls: undefined, generationType: 'TEXT_2_VIDEO' });
  }

  /** Is this a result this fake made (for the file host)? */
  hasResult(id: string): boolean {
    const base = id.replace(/-(1080p|4k)$/, '');
    return this.tasks.get(base)?.successFlag === 1;
  }

  view(task: FakeVeoTask): Record<string, unknown> {
    const success = task.successFlag === 1;
    const failed = task.successFlag === 2 || task.successFlag === 3;
    const url = this.host.resultUrl(task.taskId);
    return {
      taskId: task.taskId,
      paramJson: JSON.stringify(task.request),
      successFlag: task.successFlag,
      response: success
        ? { taskId: task.taskId, resultUrls: [url], originUrls: task.aspectRatio === '16:9' ? [] : [url], fullResultUrls: [url], resolution: '720p' }
        : null,
      errorCode: failed && 'errorCode' in task.outcome ? task.outcome.errorCode : null,
      errorMessage: failed && 'errorMessage' in task.outcome ? task.outcome.errorMessage : '',
      createTime: task.createTime,
      completeTime: task.completeTime ?? null,
      fallbackFlag: false,
    };
  }

  private async callback(task: FakeVeoTask, attempt: number): Promise<void> {
    const success = task.successFlag === 1;
    const failure = task.outcome.successFlag === 1 ? undefined : task.outcome;
    const body = JSON.stringify(
      success
        ? {
            code: 200,
            msg: 'Veo3.1 video generated successfully.',
            data: {
              taskId: task.taskId,
              promptJson: JSON.stringify(task.request),
              info: { resultUrls: [this.host.resultUrl(task.taskId)], originUrls: [], resolution: '720p' },
              fallbackFlag: false,
            },
          }
        : { code: failure?.errorCode ?? 501, msg: failure?.errorMessage ?? 'failed', data: { taskId: task.taskId, fallbackFlag: false } },
    );
    const status = await this.host.postCallback(task.taskId, task.callBackUrl!, body);
    // Resent on a non-2xx answer, at most 3 attempts in a row.
    if ((status === undefined || status < 200 || status >= 300) && attempt < 3) this.host.later(20, () => void this.callback(task, attempt + 1));
  }
}
