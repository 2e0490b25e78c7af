export { signKlingJwt, createKlingTokenSigner, type KlingTokenSigner } from './jwt.js';
export { readImageSize, sniffImageType, checkKlingImage } from '../../media/image.js';
export { classifyKlingError, KlingApiError, KlingResponseError } from './errors.js';
export { klingEnvelopeSchema } from './schemas.js';
// Kling official suite (issue 11): every task and model behind one VideoProvider.
export {
  createKlingSuiteProvider,
  KLING_SUITE_KINDS,
  KLING_TASK_PATHS,
  KLING_MOTION_MODELS,
  KLING_MULTI_IMAGE_MODELS,
  type KlingSuiteProvider,
  type KlingSuiteConfig,
  type KlingSuiteRequest,
  type KlingTaskKind,
  type KlingFaceChoice,
  type KlingIdentifiedFaces,
} from './suite.js';
export {
  createKlingClient,
  isDuplicateExternalId,
  klingExternalTaskId,
  type KlingClient,
  type KlingClientConfig,
  type KlingLogger,
  type KlingRetryOptions,
} from './client.js';
export { KLING_MODEL_RULES, KLING_EXTENDABLE_MODELS, resolveKlingVideoOptions, parseSound, type KlingModelRule } from './models.js';
export {
  checkKlingExtend,
  fitSoundWindow,
  isKlingVideoExpired,
  KLING_SOURCE_EXPIRED_CODE,
  KLING_EXTEND_MODEL_CODE,
  KLING_EXTEND_TOO_LONG_CODE,
  KLING_EXTEND_STEP_SECONDS,
  KLING_EXTEND_MAX_TOTAL_SECONDS,
  KLING_VIDEO_RETENTION_MS,
  type ExtendCheck,
} from './suite-rules.js';
export { createAudioPreparer, type AudioPreparer, type PreparedAudio } from './suite-media.js';
