import { defineConfig } from '@playwright/test';

// Browser tests in real Chromium (Debian's, not a downloaded one). Each spec starts its own
// small server on 127.0.0.1 port 0; globalSetup builds the widget when dist/ is missing or stale.
export default defineConfig({
  testDir: 'test/browser',
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
