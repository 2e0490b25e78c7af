/** The fake KIE.ai now lives in src/sandbox/kie (the sandbox uses it too). */
export * from '../../../src/sandbox/kie/index.js';
