/** The fake Kling official API now lives in src/sandbox/kling (the sandbox uses it too). */
export * from '../../../src/sandbox/kling/index.js';
