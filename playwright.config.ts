import { defineConfig } from '@playwright/test';

// The end-to-end tests of the demo and the console (*.spec.ts) in real Chromium (Debian's, not a
// downloaded one): each starts `npm start` on a free port; globalSetup builds what is missing or
// stale in dist/. The widget's own browser scenarios run in three engines under vitest
// (test/browser/vitest.config.ts).
export default defineConfig({
  testDir: 'test/browser',
  testMatch: '*.spec.ts',
  globalSetup: './test/browser/global-setup.ts',
  workers: 2,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: process.env.IYS_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    },
  },
});
