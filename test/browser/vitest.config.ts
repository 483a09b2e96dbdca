import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

// The widget's browser scenarios, one file per engine (widget.<engine>.test.ts), each driving its
// own browser: Chromium (Playwright), Firefox ESR (puppeteer-core, WebDriver BiDi), WebKitGTK
// (selenium-webdriver, WebKitWebDriver under Xvfb). The global set-up builds the widget when
// dist/ is missing or stale. Two engines at a time: one per core of the development machine.
export default defineConfig({
  test: {
    root: resolve(import.meta.dirname, '../..'),
    include: ['test/browser/widget.*.test.ts'],
    globalSetup: ['test/browser/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
