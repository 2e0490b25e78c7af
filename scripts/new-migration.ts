// Writes the next migration from schema.prisma: `npm run db:migration -- NAME`.
// The diff is computed from the committed migrations on an in-memory PGlite shadow database.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { defaultMigrationPaths, diffMigrationsToSchema } from '../src/db/migrate.js';
import { parseCli } from './cli.js';

const { positionals } = parseCli({ usage: 'npm run db:migration -- NAME', positionals: [{ name: 'NAME', required: true }] });
const name = positionals[0]!.trim().replace(/[^a-zA-Z0-9_]+/g, '_');
if (!name) {
  console.error('Usage: npm run db:migration -- NAME (letters, digits, _)');
  process.exit(2);
}
const paths = defaultMigrationPaths();
const pglite = new PGlite();
try {
  const sql = await diffMigrationsToSchema(new PrismaPGlite(pglite), paths);
  if (!sql) {
    console.log('The migrations already match prisma/schema.prisma; nothing to write.');
  } else {
    const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
    const dir = path.join(paths.migrationsDir, `${stamp}_${name}`);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'migration.sql'), sql);
    await writeFile(
      path.join(paths.migrationsDir, 'migration_lock.toml'),
      '# Do not edit: the database provider of these migrations.\nprovider = "postgresql"\n',
    );
    console.log(`Wrote ${path.relative(process.cwd(), dir)}/migration.sql`);
  }
} finally {
  await pglite.close();
}
