export { createJobWorker, callbackUrlFor, type JobWorker, type JobWorkerDeps } from './worker.js';
export type { DeliveryOutcome, FailureReason, JobMessenger, JobView, MediaSource, ProgressStage } from './ports.js';
export { createRateLimiter, createRateLimiters, type RateLimiter } from './rate-limit.js';
