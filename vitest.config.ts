import { defineConfig } from 'vitest/config';

// The integration suite runs once on the embedded database and, when TEST_DATABASE_URL
// names a PostgreSQL server, once more against it (a fresh database per test file).
// Files named *.postgres.test.ts need a server database (they cut its connection).
const databases = ['embedded', ...(process.env.TEST_DATABASE_URL ? ['postgres'] : [])];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    globalSetup: ['test/support/globalSetup.ts'],
    projects: [
      { extends: true as const, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      ...databases.map((database) => ({
        extends: true as const,
        test: {
          name: `integration:${database}`,
          include: ['test/integration/**/*.test.ts'],
          exclude: database === 'embedded' ? ['test/integration/**/*.postgres.test.ts'] : [],
          env: { TEST_DATABASE: database },
        },
      })),
    ],
  },
});
