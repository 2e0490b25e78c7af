/** Moved to src/sandbox/telegram/store.ts. */
export * from '../../../src/sandbox/telegram/store.js';
