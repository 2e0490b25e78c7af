export {
  createKlingProvider,
  klingExternalTaskId,
  KLING_KINDS,
  KLING_MAX_PROMPT_LENGTH,
  KLING_DURATIONS,
  KLING_ASPECT_RATIOS,
  KLING_MODES,
  type KlingKind,
  type KlingLogger,
  type KlingProvider,
  type KlingProviderConfig,
  type KlingRetryOptions,
} from './provider.js';
export { signKlingJwt, createKlingTokenSigner, type KlingTokenSigner } from './jwt.js';
export { readImageSize, sniffImageType, checkKlingImage } from '../../media/image.js';
export { classifyKlingError, KlingApiError, KlingResponseError } from './errors.js';
export { klingTaskSchema, klingEnvelopeSchema, type KlingTask } from './schemas.js';
