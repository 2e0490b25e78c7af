export { createJobWorker, type JobWorker, type JobWorkerDeps } from './worker.js';
export { callbackUrlFor } from './steps/submit.js';
export type { DeliveryOutcome, FailureReason, JobMessenger, JobView, MediaSource, ProgressStage } from './ports.js';
export { createRateLimiter, createRateLimiters, type RateLimiter } from './rate-limit.js';
