import os from 'node:os';
import { defineConfig } from 'vitest/config';

// The integration suite runs once on the embedded database and, when TEST_DATABASE_URL
// names a PostgreSQL server, once more against it (a fresh database per test file).
// Files named *.postgres.test.ts need a server database (they cut its connection).
//
// Integration files spend most of their time waiting on sockets, timers and child
// processes, so twice as many workers as cores keep the machine busy; and they share a
// worker's loaded modules (no isolation: every file starts its own system on its own
// database, and the embedded database's compiled WebAssembly is reused). Measured on 2
// cores, embedded suite: 209 s isolated with 2 workers, 154 s shared, 63 s shared with 4.
//
// The browser tests (headless Chromium on the dashboard) run once, on the embedded database:
// what they test is the page, which is the same whatever database the server has.
const databases = ['embedded', ...(process.env.TEST_DATABASE_URL ? ['postgres'] : [])];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: Math.max(2, os.availableParallelism() * 2),
    globalSetup: ['test/support/globalSetup.ts'],
    projects: [
      { extends: true as const, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      ...databases.map((database) => ({
        extends: true as const,
        test: {
          name: `integration:${database}`,
          include: ['test/integration/**/*.test.ts'],
          isolate: false,
          exclude: database === 'embedded' ? ['test/integration/**/*.postgres.test.ts'] : [],
          env: { TEST_DATABASE: database },
        },
      })),
      {
        extends: true as const,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          isolate: false,
          testTimeout: 180_000,
          hookTimeout: 120_000,
          env: { TEST_DATABASE: 'embedded' },
        },
      },
    ],
  },
});
