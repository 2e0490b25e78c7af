/** How the Kling provider tests connect to the fake Kling: its keys, its URL, and fast retries. */
import type { FakeKling } from './fake-kling/index.js';

export function klingConnection(fake: FakeKling, timeoutMs: number) {
  return {
    accessKey: fake.accessKey,
    secretKey: fake.secretKey,
    apiBaseUrl: fake.baseUrl,
    timeoutMs,
    retry: { retries: 3, minDelayMs: 1, maxDelayMs: 5, concurrencyDelayMs: 5 },
  };
}
