/**
 * Structured pino logs. Known secrets (bot token, API keys, webhook and callback secrets) are
 * replaced in every written line, whatever field they ended up in.
 */
import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

export function createLogger(options: { level: string; secrets: (string | undefined)[]; destination?: pino.DestinationStream }): Logger {
  const secrets = options.secrets.filter((s): s is string => typeof s === 'string' && s.length >= 6);
  // The token's secret half alone must not leak either (e.g. in a URL-encoded form).
  for (const s of [...secrets]) {
    const colon = s.indexOf(':');
    if (colon > 0 && s.length - colon > 10) secrets.push(s.slice(colon + 1));
  }
  const scrub = (line: string) => secrets.reduce((acc, s) => acc.split(s).join('[redacted]'), line);
  return pino(
    {
      level: options.level,
      base: undefined,
      redact: {
        paths: ['token', 'apiKey', 'secret', '*.token', '*.apiKey', '*.secretKey', 'headers.authorization', '*.headers.authorization'],
        censor: '[redacted]',
      },
      hooks: { streamWrite: scrub },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
