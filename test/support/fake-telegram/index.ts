/** The fake Telegram Bot API now lives in src/sandbox/telegram (the sandbox uses it too). */
export * from '../../../src/sandbox/telegram/index.js';
