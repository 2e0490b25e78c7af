// Applies pending migrations: `npm run db:migrate` (DATABASE_URL, or the embedded database in DATA_DIR).
import { openDatabase } from '../src/db/client.js';
import { seedCatalog } from '../src/db/seed.js';
import { parseCli } from './cli.js';

parseCli({ usage: 'npm run db:migrate (DATABASE_URL, or DATA_DIR for the embedded database)' });

const db = await openDatabase({ databaseUrl: process.env.DATABASE_URL || undefined, dataDir: process.env.DATA_DIR || './data' });
try {
  const applied = await db.migrate();
  console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'The database is up to date.');
  const seeded = await seedCatalog(db.prisma);
  if (seeded) console.log(`Seeded ${seeded} catalog models.`);
} finally {
  await db.close();
}
