export { createKieProvider, type KieProvider, type KieProviderConfig, type KieLogger } from './provider.js';
export { signKieCallback, parseKieCallback, KIE_CALLBACK_TOLERANCE_SECONDS } from './callback.js';
export { classifyKieError, KieApiError, type KieOperation } from './errors.js';
export { INFINITALK_MODEL, DEFAULT_INFINITALK_PROMPT, validateKieRequest, buildKieInput, kieLimits } from './models.js';
