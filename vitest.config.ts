import { defineConfig } from 'vitest/config';

// Unit tests (pure core) and integration tests (real HTTP, real SQLite file, real PostgreSQL).
// Browser tests run under Playwright (playwright.config.ts), not here.
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
