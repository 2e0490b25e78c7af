import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Both databases run the suite: TEST_DATABASE_URL set → PostgreSQL, else embedded PGlite.
  },
});
