/**
 * The official Kling suite (docs/providers.md §kling-suite) behind the shared `VideoProvider`
 * interface: text/image → video for every model of docs/providers.md §kling-suite with its real rules (kling-v1-6,
 * kling-v2-6, kling-v3, …), the avatar, video extend, advanced lip-sync of a video
 * (identify-face → advanced-lip-sync), several photos → video and motion control.
 *
 * Lost answers follow the same rules as the base client (`client.ts`): a unique
 * external_task_id per generation, 1201 "already exists" looked up (never refunded as bad input),
 * lookups by external id per task type. A success returns the video URL and `videos[0].id`.
 */
import {
  ProviderError,
  type CallbackRequest,
  type CallbackSignal,
  type GenerationKind,
  type GenerationRequest,
  type InputMedia,
  type ModelLimits,
  type SourceVideo,
  type TaskStatus,
  type ValidationIssue,
  type VideoProvider,
} from '../types.js';
import type { UrlHost } from '../url-host.js';
import { KlingApiError } from './errors.js';
import { createKlingClient, klingExternalTaskId, type KlingClient, type KlingClientConfig } from './client.js';
import { checkVideoMeta, LIPSYNC_VIDEO_RULES, motionVideoRules } from '../../media/probe.js';
import { KLING_IMAGE_MIMES, KLING_MAX_IMAGE_BYTES, KLING_MIN_IMAGE_SIDE, checkKlingImage } from '../../media/image.js';
import { resolveKlingVideoOptions, type KlingVideoKind } from './models.js';
import { badInput, createAudioPreparer, encodeKlingImage, type AudioPreparer } from './suite-media.js';
import {
  KLING_SOURCE_EXPIRED_CODE,
  checkKlingExtend,
  fitSoundWindow,
  isKlingVideoExpired,
  KLING_LIPSYNC_MAX_AUDIO_SECONDS,
  KLING_LIPSYNC_MIN_MS,
} from './suite-rules.js';
import { klingIdentifyFaceSchema, klingSuiteTaskSchema, type KlingSuiteTask } from './suite-schemas.js';
import { KlingResponseError } from './errors.js';

/** Every task the suite serves. `lipsync` is the talking avatar (photo + voice), as on KIE. */
export type KlingTaskKind = GenerationKind | 'video_lipsync' | 'video_extend' | 'multi_image2video' | 'motion_control';

export const KLING_SUITE_KINDS: readonly KlingTaskKind[] = [
  'text2video',
  'image2video',
  'lipsync',
  'video_extend',
  'video_lipsync',
  'multi_image2video',
  'motion_control',
];

/** Create path per task; GET `{path}/{id}` queries one, GET `{path}?pageNum&pageSize` lists. */
export const KLING_TASK_PATHS: Readonly<Record<KlingTaskKind, string>> = {
  text2video: 'v1/videos/text2video',
  image2video: 'v1/videos/image2video',
  lipsync: 'v1/videos/avatar/image2video',
  video_extend: 'v1/videos/video-extend',
  video_lipsync: 'v1/videos/advanced-lip-sync',
  multi_image2video: 'v1/videos/multi-image2video',
  motion_control: 'v1/videos/motion-control',
};

export const KLING_IDENTIFY_FACE_PATH = 'v1/videos/identify-face';
export const KLING_SESSION_LIFETIME_MS = 24 * 60 * 60 * 1000;
export const KLING_SUITE_MAX_PROMPT = 2500;
export const KLING_AVATAR_MIN_AUDIO_SECONDS = 2;
export const KLING_AVATAR_MAX_AUDIO_SECONDS = 300;
export const KLING_MULTI_IMAGE_MIN = 2;
export const KLING_MULTI_IMAGE_MAX = 4;
export const KLING_MOTION_MODELS = ['kling-v2-6', 'kling-v3'] as const;
export const KLING_MULTI_IMAGE_MODELS = ['kling-v1-6'] as const;

export interface KlingSuiteRequest extends Omit<GenerationRequest, 'kind'> {
  kind: KlingTaskKind;
}

export interface KlingFaceChoice {
  faceId: string;
  startMs: number;
  endMs: number;
  /** Kling's preview of the face (for "which face?" buttons). */
  imageUrl?: string;
}

export interface KlingIdentifiedFaces {
  sessionId: string;
  faces: KlingFaceChoice[];
  /** The session is valid for 24 h. */
  expiresAt: number;
  /** Units Kling charged for the identification (`final_unit_deduction`), for cost tracking. */
  units?: string;
}

export interface KlingSuiteConfig extends KlingClientConfig {
  /** Host for URL-only inputs; without it motion control and lip-sync of an uploaded video are off. */
  urlHost?: UrlHost;
  /** The operator's cap on avatar audio (default and maximum 300 s). */
  avatarMaxAudioSeconds?: number;
  /** Converts/reads voices into Kling's accepted formats (default: the shipped ffmpeg → mp3). */
  prepareAudio?: AudioPreparer;
  /** Time bound of one audio conversion (default 60 s). */
  convertTimeoutMs?: number;
}

export interface KlingSuiteProvider extends VideoProvider {
  readonly id: 'kling';
  readonly suiteKinds: readonly KlingTaskKind[];
  /** Whether the task can be served with this configuration (URL-only inputs need a host). */
  canServe(kind: KlingTaskKind, input?: { hasSourceVideo?: boolean }): boolean;
  validate(request: KlingSuiteRequest): ValidationIssue[];
  submit(request: KlingSuiteRequest, signal?: AbortSignal): Promise<{ taskId: string }>;
  findTask(request: KlingSuiteRequest, signal?: AbortSignal): Promise<{ taskId: string } | null>;
  getStatus(taskId: string, kind: KlingTaskKind, signal?: AbortSignal): Promise<TaskStatus>;
  /** identify-face (synchronous): the faces of a video, for the "which face?" question. */
  identifyFace(input: { generationId: string; video?: InputMedia; sourceVideo?: SourceVideo }, signal?: AbortSignal): Promise<KlingIdentifiedFaces>;
  externalTaskId(request: Pick<GenerationRequest, 'generationId'>): string;
  readonly signedTokenCount: number;
}

function isSuiteKind(kind: string): kind is KlingTaskKind {
  return (KLING_SUITE_KINDS as readonly string[]).includes(kind);
}

const STALE_SESSION_CODE = 'lipsync-session-expired';

const chars = (text: string) => [...text].length;
const str = (v: string | number | boolean | undefined) => (v === undefined ? undefined : String(v));

/** Kling's wording when a `video_id` is no longer there (cleared after 30 days). */
const SOURCE_GONE = /expire|not exist|not found|cleared/i;

function promptIssues(request: KlingSuiteRequest, required: boolean): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const prompt = request.prompt ?? '';
  if (required && prompt.trim() === '') issues.push({ code: 'prompt-required' });
  if (chars(prompt) > KLING_SUITE_MAX_PROMPT) issues.push({ code: 'prompt-too-long', vars: { max: KLING_SUITE_MAX_PROMPT } });
  if (request.negativePrompt && chars(request.negativePrompt) > KLING_SUITE_MAX_PROMPT) {
    issues.push({ code: 'negative-prompt-too-long', vars: { max: KLING_SUITE_MAX_PROMPT } });
  }
  return issues;
}

function videoMeta(request: KlingSuiteRequest) {
  const video = request.video!;
  return {
    sizeBytes: video.size,
    ...(request.videoSeconds !== undefined ? { durationSeconds: request.videoSeconds } : {}),
    ...(video.width !== undefined && video.height !== undefined ? { width: video.width, height: video.height } : {}),
  };
}

function imageIssues(image: InputMedia | undefined, missingCode: ValidationIssue['code'] = 'image-required'): ValidationIssue[] {
  if (!image) return [{ code: missingCode }];
  return checkKlingImage(image);
}

export function createKlingSuiteProvider(config: KlingSuiteConfig): KlingSuiteProvider {
  const client: KlingClient = createKlingClient(config);
  const now = config.now ?? Date.now;
  const avatarMax = Math.min(config.avatarMaxAudioSeconds ?? KLING_AVATAR_MAX_AUDIO_SECONDS, KLING_AVATAR_MAX_AUDIO_SECONDS);
  const prepareAudio = config.prepareAudio ?? createAudioPreparer({ timeoutMs: config.convertTimeoutMs });
  const urlHost = config.urlHost;

  function requireKind(kind: string): KlingTaskKind {
    if (!isSuiteKind(kind)) throw new ProviderError(`Kling does not support ${kind}`, 'final', 'unsupported_kind', 'provider_error');
    return kind;
  }

  function canServe(kind: KlingTaskKind, input: { hasSourceVideo?: boolean } = {}): boolean {
    if (kind === 'motion_control') return urlHost !== undefined;
    if (kind === 'video_lipsync') return input.hasSourceVideo === true || urlHost !== undefined;
    return isSuiteKind(kind);
  }

  function videoFields(request: KlingSuiteRequest, kind: KlingVideoKind) {
    return resolveKlingVideoOptions({ model: request.providerModel, kind, options: request.options, hasEndFrame: request.endImage !== undefined });
  }

  // ------------------------------------------------------------------ validation (pure)

  function validate(request: KlingSuiteRequest): ValidationIssue[] {
    if (!isSuiteKind(request.kind)) return [{ code: 'unsupported-kind', vars: { kind: request.kind } }];
    const o = request.options;
    switch (request.kind) {
      case 'text2video':
        return [...promptIssues(request, true), ...videoFields(request, 'text2video').issues];
      case 'image2video': {
        const issues = [...promptIssues(request, false), ...videoFields(request, 'image2video').issues];
        if (!request.image && !request.endImage) issues.push({ code: 'image-required' });
        if (request.image) issues.push(...checkKlingImage(request.image));
        if (request.endImage) issues.push(...checkKlingImage(request.endImage));
        return issues;
      }
      case 'lipsync': {
        const issues = [...promptIssues(request, false), ...imageIssues(request.image)];
        const mode = avatarMode(request);
        if (mode !== 'std' && mode !== 'pro') issues.push({ code: 'invalid-mode', vars: { allowed: 'std, pro' } });
        if (!request.audio) issues.push({ code: 'audio-required' });
        const seconds = request.audioSeconds;
        if (seconds !== undefined && seconds < KLING_AVATAR_MIN_AUDIO_SECONDS)
          issues.push({ code: 'audio-too-short', vars: { min: KLING_AVATAR_MIN_AUDIO_SECONDS } });
        if (seconds !== undefined && seconds > avatarMax) issues.push({ code: 'audio-too-long', vars: { max: avatarMax, seconds: Math.ceil(seconds) } });
        return issues;
      }
      case 'video_extend': {
        const issues = promptIssues(request, false);
        if (!request.sourceVideo) return [...issues, { code: 'source-video-required' }];
        const check = checkKlingExtend(request.sourceVideo, now());
        if (!check.ok) issues.push({ code: check.code });
        if (o.cfgScale !== undefined) {
          const cfg = Number(o.cfgScale);
          if (!Number.isFinite(cfg) || cfg < 0 || cfg > 1) issues.push({ code: 'invalid-cfg-scale' });
        }
        return issues;
      }
      case 'video_lipsync': {
        const issues: ValidationIssue[] = [];
        if (!request.audio) issues.push({ code: 'audio-required' });
        if (request.audioSeconds !== undefined && request.audioSeconds < 2) issues.push({ code: 'audio-too-short', vars: { min: 2 } });
        if (request.sourceVideo) {
          if (isKlingVideoExpired(request.sourceVideo.createdAt, now())) issues.push({ code: KLING_SOURCE_EXPIRED_CODE });
          if (request.sourceVideo.durationSeconds > 60) issues.push({ code: 'video-too-long', vars: { max: 60 } });
        } else if (!request.video) {
          issues.push({ code: 'video-required' });
        } else {
          if (!urlHost) issues.push({ code: 'url-hosting-unavailable' });
          issues.push(...checkVideoMeta(videoMeta(request), LIPSYNC_VIDEO_RULES));
        }
        return issues;
      }
      case 'multi_image2video': {
        const issues = promptIssues(request, true);
        if (!(KLING_MULTI_IMAGE_MODELS as readonly string[]).includes(request.providerModel)) {
          issues.push({ code: 'unknown-model', vars: { model: request.providerModel } });
        }
        const images = request.images ?? [];
        if (images.length < KLING_MULTI_IMAGE_MIN || images.length > KLING_MULTI_IMAGE_MAX) {
          issues.push({ code: 'images-count', vars: { min: KLING_MULTI_IMAGE_MIN, max: KLING_MULTI_IMAGE_MAX } });
        }
        for (const image of images) issues.push(...checkKlingImage(image));
        const duration = str(o.duration) ?? '5';
        if (duration !== '5' && duration !== '10') issues.push({ code: 'invalid-duration', vars: { allowed: '5, 10' } });
        const mode = str(o.mode) ?? 'std';
        if (mode !== 'std' && mode !== 'pro') issues.push({ code: 'invalid-mode', vars: { allowed: 'std, pro' } });
        const ratio = str(o.aspectRatio);
        if (ratio !== undefined && !['16:9', '9:16', '1:1'].includes(ratio)) {
          issues.push({ code: 'invalid-aspect-ratio', vars: { allowed: '16:9, 9:16, 1:1' } });
        }
        return issues;
      }
      case 'motion_control': {
        const issues = [...promptIssues(request, false), ...imageIssues(request.image)];
        if (!(KLING_MOTION_MODELS as readonly string[]).includes(request.providerModel)) {
          issues.push({ code: 'unknown-model', vars: { model: request.providerModel } });
        }
        if (!urlHost) issues.push({ code: 'url-hosting-unavailable' });
        const orientation = str(o.characterOrientation) ?? 'image';
        if (orientation !== 'image' && orientation !== 'video') issues.push({ code: 'invalid-orientation', vars: { allowed: 'image, video' } });
        if (!request.video) issues.push({ code: 'video-required' });
        else issues.push(...checkVideoMeta(videoMeta(request), motionVideoRules(orientation === 'video' ? 'video' : 'image')));
        const mode = str(o.mode) ?? 'std';
        if (mode !== 'std' && mode !== 'pro') issues.push({ code: 'invalid-mode', vars: { allowed: 'std, pro' } });
        return issues;
      }
    }
  }

  function avatarMode(request: KlingSuiteRequest): string {
    return str(request.options.mode) ?? (/pro$/.test(request.providerModel) ? 'pro' : 'std');
  }

  // ------------------------------------------------------------------ bodies

  /** advanced-lip-sync refused the session (expired or unknown). */
  function staleSession(error: unknown): ProviderError | null {
    if (error instanceof KlingApiError && error.businessCode === 1201 && /session/i.test(error.klingMessage)) {
      return new ProviderError(error.message, 'final', STALE_SESSION_CODE, 'bad_input');
    }
    return null;
  }

  /** Kling refused a `video_id`: it is gone (30 days) → the distinct "no longer available" code. */
  function sourceGone(error: unknown): ProviderError | null {
    if (error instanceof KlingApiError && (error.businessCode === 1201 || error.businessCode === 1203) && SOURCE_GONE.test(error.klingMessage)) {
      return new ProviderError(error.message, 'final', KLING_SOURCE_EXPIRED_CODE, 'bad_input');
    }
    return null;
  }

  async function identifyFace(
    input: { generationId: string; video?: InputMedia; sourceVideo?: SourceVideo },
    signal?: AbortSignal,
  ): Promise<KlingIdentifiedFaces> {
    const body: Record<string, unknown> = {};
    if (input.sourceVideo) {
      if (isKlingVideoExpired(input.sourceVideo.createdAt, now())) {
        throw new ProviderError('source video is older than 30 days', 'final', KLING_SOURCE_EXPIRED_CODE, 'bad_input');
      }
      body.video_id = input.sourceVideo.providerVideoId;
    } else if (input.video) {
      if (!urlHost) throw new ProviderError('no URL host for the video', 'final', 'url-hosting-unavailable', 'provider_unavailable');
      body.video_url = await urlHost.publish(input.video, { generationId: input.generationId, role: 'lipsync-video', signal });
    } else {
      throw badInput('video-required', 'identify-face needs a video');
    }
    const startedAt = now();
    const data = await client.callSync(KLING_IDENTIFY_FACE_PATH, body, signal, input.sourceVideo ? sourceGone : undefined);
    const parsed = klingIdentifyFaceSchema.safeParse(data);
    if (!parsed.success) throw client.classify('query')(new KlingResponseError('identify-face answer has no session'));
    const faces = parsed.data.face_data
      .map((f) => ({ faceId: f.face_id, startMs: f.start_time, endMs: f.end_time, ...(f.face_image ? { imageUrl: f.face_image } : {}) }))
      .sort((a, b) => a.startMs - b.startMs);
    const units = parsed.data.final_unit_deduction;
    return {
      sessionId: parsed.data.session_id,
      faces,
      expiresAt: startedAt + KLING_SESSION_LIFETIME_MS,
      ...(units !== undefined ? { units: String(units) } : {}),
    };
  }

  /** The face to lip-sync: a session and face from the conversation, or identified now. */
  async function chooseFace(request: KlingSuiteRequest, signal?: AbortSignal): Promise<{ sessionId: string; face: KlingFaceChoice }> {
    const o = request.options;
    const given = str(o.sessionId);
    const expires = o.sessionExpiresAt === undefined ? 0 : Number(o.sessionExpiresAt);
    if (given && str(o.faceId) && o.faceStartMs !== undefined && o.faceEndMs !== undefined && expires > now() + 60_000) {
      return { sessionId: given, face: { faceId: str(o.faceId)!, startMs: Number(o.faceStartMs), endMs: Number(o.faceEndMs) } };
    }
    const identified = await identifyFace({ generationId: request.generationId, video: request.video, sourceVideo: request.sourceVideo }, signal);
    if (identified.faces.length === 0) throw badInput('no-face', 'Kling found no face in the video');
    const wantedId = str(o.faceId);
    const byId = wantedId ? identified.faces.find((f) => f.faceId === wantedId) : undefined;
    const index = o.faceIndex === undefined ? 0 : Number(o.faceIndex);
    const face = byId ?? identified.faces[index] ?? identified.faces[0]!;
    return { sessionId: identified.sessionId, face };
  }

  async function buildBody(request: KlingSuiteRequest, signal?: AbortSignal): Promise<Record<string, unknown>> {
    const o = request.options;
    const body: Record<string, unknown> = {};
    const common = () => {
      if (request.prompt) body.prompt = request.prompt;
      if (request.negativePrompt) body.negative_prompt = request.negativePrompt;
      if (request.callbackUrl) body.callback_url = request.callbackUrl;
    };
    switch (request.kind) {
      case 'text2video':
      case 'image2video': {
        Object.assign(body, videoFields(request, request.kind).fields);
        if (request.kind === 'image2video') {
          if (request.image) body.image = await encodeKlingImage(request.image);
          if (request.endImage) body.image_tail = await encodeKlingImage(request.endImage, 'end frame');
        }
        common();
        return body;
      }
      case 'lipsync': {
        body.image = await encodeKlingImage(request.image!);
        const sound = await prepareAudio(request.audio!, { signal });
        if (sound.durationMs !== undefined && sound.durationMs < KLING_AVATAR_MIN_AUDIO_SECONDS * 1000) {
          throw badInput('audio-too-short', 'voice is shorter than 2 s');
        }
        if (sound.durationMs !== undefined && sound.durationMs > avatarMax * 1000 + 500) {
          throw badInput('audio-too-long', `voice is longer than ${avatarMax} s`);
        }
        body.sound_file = sound.bytes.toString('base64');
        body.mode = avatarMode(request);
        common();
        return body;
      }
      case 'video_extend': {
        body.video_id = request.sourceVideo!.providerVideoId;
        if (o.cfgScale !== undefined) body.cfg_scale = Number(o.cfgScale);
        common();
        return body;
      }
      case 'video_lipsync': {
        const { sessionId, face } = await chooseFace(request, signal);
        const audioMs = (request.audioSeconds ?? KLING_LIPSYNC_MAX_AUDIO_SECONDS) * 1000;
        const videoMs = request.sourceVideo
          ? request.sourceVideo.durationSeconds * 1000
          : request.videoSeconds !== undefined
            ? request.videoSeconds * 1000
            : undefined;
        const fit = fitSoundWindow({ faceStartMs: face.startMs, faceEndMs: face.endMs, audioMs, ...(videoMs !== undefined ? { videoMs } : {}) });
        if (!fit.ok) throw badInput(fit.code, `lip-sync window does not fit: ${fit.code}`);
        const sound = await prepareAudio(request.audio!, { maxSeconds: fit.window.sound_end_time / 1000, signal });
        // The clip must not run past the end of the (converted) audio as Kling measures it.
        const clipEnd = Math.min(fit.window.sound_end_time, sound.durationMs ?? fit.window.sound_end_time);
        if (clipEnd - fit.window.sound_start_time < KLING_LIPSYNC_MIN_MS) throw badInput('audio-too-short', 'voice is shorter than 2 s');
        body.session_id = sessionId;
        body.face_choose = [
          {
            face_id: face.faceId,
            sound_file: sound.bytes.toString('base64'),
            ...fit.window,
            sound_end_time: clipEnd,
            sound_volume: o.soundVolume === undefined ? 1 : Number(o.soundVolume),
            original_audio_volume: o.originalAudioVolume === undefined ? 1 : Number(o.originalAudioVolume),
          },
        ];
        if (request.callbackUrl) body.callback_url = request.callbackUrl;
        return body;
      }
      case 'multi_image2video': {
        body.model_name = request.providerModel;
        body.image_list = await Promise.all((request.images ?? []).map(async (image, i) => ({ image: await encodeKlingImage(image, `photo ${i + 1}`) })));
        body.mode = str(o.mode) ?? 'std';
        body.duration = str(o.duration) ?? '5';
        if (o.aspectRatio !== undefined) body.aspect_ratio = str(o.aspectRatio);
        common();
        return body;
      }
      case 'motion_control': {
        if (!urlHost) throw new ProviderError('no URL host for motion control', 'final', 'url-hosting-unavailable', 'provider_unavailable');
        body.model_name = request.providerModel;
        body.image_url = await urlHost.publish(request.image!, { generationId: request.generationId, role: 'motion-image', signal });
        body.video_url = await urlHost.publish(request.video!, { generationId: request.generationId, role: 'motion-video', signal });
        body.character_orientation = str(o.characterOrientation) ?? 'image';
        body.mode = str(o.mode) ?? 'std';
        if (o.keepOriginalSound !== undefined) body.keep_original_sound = o.keepOriginalSound === true || o.keepOriginalSound === 'yes' ? 'yes' : 'no';
        common();
        return body;
      }
    }
  }

  // ------------------------------------------------------------------ VideoProvider

  async function submit(request: KlingSuiteRequest, signal?: AbortSignal): Promise<{ taskId: string }> {
    const kind = requireKind(request.kind);
    const issues = validate(request);
    if (issues.length > 0) throw badInput(issues[0]!.code, `Kling request invalid: ${issues.map((i) => i.code).join(', ')}`);
    const body = await buildBody(request, signal);
    const refine = kind === 'video_extend' ? sourceGone : kind === 'video_lipsync' ? staleSession : undefined;
    const create = (b: Record<string, unknown>) => client.createTask(KLING_TASK_PATHS[kind], b, klingExternalTaskId(request.generationId), signal, refine);
    try {
      return { taskId: await create(body) };
    } catch (error) {
      // A session from the conversation that Kling no longer knows: nothing was created, so
      // identify the faces again and send once more (same external_task_id).
      if (!(error instanceof ProviderError && error.code === STALE_SESSION_CODE && request.options.sessionId !== undefined)) throw error;
      const { sessionId: _stale, ...options } = request.options;
      return { taskId: await create(await buildBody({ ...request, options }, signal)) };
    }
  }

  async function findTask(request: KlingSuiteRequest, signal?: AbortSignal): Promise<{ taskId: string } | null> {
    const kind = requireKind(request.kind);
    return client.findByExternalId(KLING_TASK_PATHS[kind], klingExternalTaskId(request.generationId), signal);
  }

  function toStatus(task: KlingSuiteTask): TaskStatus {
    switch (task.task_status) {
      case 'submitted':
      case 'processing':
        return { state: 'pending', providerState: task.task_status };
      case 'succeed': {
        const video = task.task_result?.videos?.[0];
        if (!video) return { state: 'failed', reason: 'Kling task succeeded without a video', code: 'no_result', userReason: 'provider_error' };
        const duration = video.duration === undefined ? undefined : Number(video.duration);
        return {
          state: 'succeeded',
          videoUrl: video.url,
          ...(duration !== undefined && Number.isFinite(duration) ? { durationSeconds: duration } : {}),
          ...(video.id ? { providerVideoId: video.id } : {}),
        };
      }
      case 'failed': {
        const reason = task.task_status_msg || 'Kling task failed';
        const policyHit = /risk|policy|sensitive|safety|violat|inappropriate|moderat/i.test(reason);
        const noFace = /no (human|face)|face not|not detect/i.test(reason);
        return {
          state: 'failed',
          reason,
          code: noFace ? 'no_face' : 'task_failed',
          userReason: policyHit ? 'content_rejected' : noFace ? 'bad_input' : 'provider_error',
        };
      }
    }
  }

  async function getStatus(taskId: string, kind: KlingTaskKind, signal?: AbortSignal): Promise<TaskStatus> {
    const task = await client.getTask(KLING_TASK_PATHS[requireKind(kind)], taskId, signal);
    return toStatus(task);
  }

  function parseCallback(request: CallbackRequest): CallbackSignal | null {
    // Kling signs nothing: the HTTP layer has already checked the secret in the callback URL.
    let body: unknown;
    try {
      body = JSON.parse(request.rawBody);
    } catch {
      return null;
    }
    const task = klingSuiteTaskSchema.safeParse(body);
    return task.success ? { taskId: task.data.task_id } : null;
  }

  function limits(): ModelLimits {
    return {
      maxPromptLength: KLING_SUITE_MAX_PROMPT,
      maxImageBytes: KLING_MAX_IMAGE_BYTES,
      imageMimes: [...KLING_IMAGE_MIMES],
      minImageSide: KLING_MIN_IMAGE_SIDE,
      minAudioSeconds: KLING_AVATAR_MIN_AUDIO_SECONDS,
      maxAudioSeconds: avatarMax,
    };
  }

  return {
    id: 'kling',
    kinds: ['text2video', 'image2video', 'lipsync'],
    suiteKinds: KLING_SUITE_KINDS,
    canServe,
    limits,
    validate,
    submit,
    findTask,
    getStatus,
    identifyFace,
    parseCallback,
    classifyError: client.classify('query'),
    externalTaskId: (request) => klingExternalTaskId(request.generationId),
    get signedTokenCount() {
      return client.signedTokenCount;
    },
  };
}
