/** Network helpers for tests that must name a port before anything listens on it. */
import { createServer } from 'node:net';

/** A port that was free a moment ago on 127.0.0.1 (e.g. a bot's callback URL names it up front). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
