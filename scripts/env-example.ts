// Prints .env.example from the config schema's descriptions: `npx tsx scripts/env-example.ts > .env.example`.
// A test checks that the committed file matches this output.
import { renderEnvExample } from '../src/config/env-example.js';
import { parseCli } from './cli.js';

parseCli({ usage: 'npx tsx scripts/env-example.ts > .env.example' });

process.stdout.write(renderEnvExample());
