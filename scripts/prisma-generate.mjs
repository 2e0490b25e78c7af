// Generates the Prisma client offline: skips the schema-engine download check (generation runs in
// WebAssembly) and does nothing when the client is already up to date with schema.prisma.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const schema = readFileSync(path.join(root, 'prisma/schema.prisma'), 'utf8');
const version = JSON.parse(readFileSync(path.join(root, 'node_modules/prisma/package.json'), 'utf8')).version;
const hash = createHash('sha256').update(schema).update(version).digest('hex');
const stamp = path.join(root, 'src/generated/prisma/.schema-hash');
if (existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) process.exit(0);

const result = spawnSync(process.execPath, [path.join(root, 'node_modules/prisma/build/index.js'), 'generate'], {
  cwd: root,
  stdio: ['ignore', 'inherit', 'inherit'],
  env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? '/bin/true', PRISMA_HIDE_UPDATE_MESSAGE: '1' },
});
if (result.status !== 0) process.exit(result.status ?? 1);
writeFileSync(stamp, hash);
