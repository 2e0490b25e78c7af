/** Broadcasts: the queue (written by the admin's /broadcast) and the worker that drains it. */
export { createBroadcast, countBroadcastAudience, MAX_BROADCAST_LENGTH } from './queue.js';
export { createBroadcastWorker, type BroadcastWorker, type BroadcastWorkerOptions } from './worker.js';
