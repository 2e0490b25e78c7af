import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // vitest's default on a 2-core machine is ONE worker (cores − 1), and most test files wait on
    // fakes, timers and child processes rather than compute: two files at a time use both cores.
    maxWorkers: 2,
    // One migrated, seeded database template per run; every test database is a copy of it.
    globalSetup: ['test/support/global-setup.ts'],
    // Both databases run the suite: TEST_DATABASE_URL set → PostgreSQL, else embedded PGlite.
  },
});
