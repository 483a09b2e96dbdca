import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { formatTurkeyTime } from '../shared/turkey-time.ts';
import { SqliteStore } from '../server/stores/sqlite-store.ts';
import { buildConsole, consoleBundleIsStale } from '../scripts/console-bundle.mjs';
import { startChild } from './children.ts';
import type { Mode } from './modes.ts';
import { median } from './prng.ts';
import { benchNewRecord } from './records.ts';
import { row, type Row } from './table.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(root, 'dist/console');
const TOKEN = 'bench-console-token-0123456789abcdef';
const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

/** Every file the console ships, raw and gzip (level 9). */
function bundleSize(): { raw: number; gzip: number; files: number } {
  const files = readdirSync(DIST, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => readFileSync(join(e.parentPath, e.name)));
  return { raw: files.reduce((n, f) => n + f.length, 0), gzip: files.reduce((n, f) => n + gzipSync(f, { level: 9 }).length, 0), files: files.length };
}

/**
 * A ledger of n records as a collector holds it after a while: most registered with their two
 * attempt lines spread over the last day (the chart's data), some rejected and expired, a few pending.
 */
async function fillLedger(path: string, n: number): Promise<void> {
  const store = new SqliteStore(path);
  await store.init();
  const now = Date.now();
  const ids: string[] = [];
  for (let start = 0; start < n; start += 5000) {
    const chunk = Array.from({ length: Math.min(5000, n - start) }, (_, k) => benchNewRecord(start + k, formatTurkeyTime(now - 3600_000 - (start + k) * 1000), now));
    ids.push(...(await store.insert(chunk)).ids);
  }
  const settled = Math.floor(n * 0.98);
  for (let i = 0; i < settled; i += 100) {
    const group = ids.slice(i, Math.min(i + 100, settled));
    const at = now - ((i / 100) % 24) * 3600_000;
    await store.logAttempt(group, { at, outcome: 'sending', code: null, message: 'sent', batchSize: group.length, requestId: `r${i}` });
    const refused = i % 1000 === 0;
    await store.logAttempt(group, {
      at: at + 200, outcome: refused ? 'records-refused' : 'accepted', code: refused ? 422 : 200,
      message: refused ? 'İstekte gönderilen bazı değerler doğrulanamadı' : 'İşlem başarılı', batchSize: group.length, requestId: `r${i}`, counted: false,
    });
    if (refused) await store.markRejected(group, 'refused alone', at);
    else await store.markRegistered(group, at);
  }
  await store.close();
}

/** The console's size, and its dashboard's first render with data on an n-record ledger against loading /healthz from the same server. */
export async function consoleBench(mode: Mode, log: (s: string) => void): Promise<Row[]> {
  if (consoleBundleIsStale()) {
    log('console: dist/console missing or stale, running vite build');
    buildConsole();
  }
  const size = bundleSize();
  const rows: Row[] = [
    row({
      bench: 'console', measure: 'bundle gzip, bytes', load: `dist/console (${size.files} files: HTML, JS with Lit, CSS), ${size.raw} B raw`,
      figure: size.gzip, baseline: size.raw, unit: 'B', target: null, met: null, note: 'baseline: the same files raw (ratio = gzip / raw)',
    }),
  ];
  const n = mode.console.records;
  const dir = mkdtempSync(join(tmpdir(), 'iys-bench-console-'));
  log(`console: filling a ${n.toLocaleString('en-US')}-record ledger`);
  await fillLedger(join(dir, 'ledger.db'), n);
  const collector = await startChild('collector', {
    env: { PORT: '0', HOST: '127.0.0.1', IYS_DATABASE_URL: `file:${join(dir, 'ledger.db')}`, IYS_SANDBOX: '1', IYS_RATE_LIMIT: '0', IYS_ADMIN_TOKEN: TOKEN },
    timeoutMs: 60_000,
  });
  const url = collector.ready.url as string;
  const browser = await chromium.launch({ executablePath: process.env.IYS_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_FLAGS });
  const dashboard: number[] = [];
  const health: number[] = [];
  try {
    // Round 0 warms the browser up and is not counted; each load is a fresh context (nothing cached).
    for (let i = 0; i <= mode.console.loads; i++) {
      const context = await browser.newContext();
      await context.addInitScript((token) => sessionStorage.setItem('iys-console-token', token), TOKEN);
      const page = await context.newPage();
      await page.goto(`${url}/admin/`);
      await page.waitForFunction(() => performance.getEntriesByName('console-dashboard').length > 0, null, { timeout: 30_000 });
      const rendered = await page.evaluate(() => performance.getEntriesByName('console-dashboard')[0]!.startTime);
      await page.goto(`${url}/healthz`);
      const loaded = await page.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).loadEventEnd);
      if (i > 0) {
        dashboard.push(rendered);
        health.push(loaded);
      }
      await context.close();
    }
  } finally {
    await browser.close();
    await collector.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const figure = median(dashboard);
  rows.push(row({
    bench: 'console', measure: 'dashboard first render with data, ms (median)', load: `${n.toLocaleString('en-US')}-record SQLite ledger, ${mode.console.loads} cold loads, headless Chromium, local HTTP`,
    figure, baseline: median(health), unit: 'ms', target: null, met: null,
    note: `baseline: loading /healthz from the same server in the same fresh page (navigation to load event); from navigation start to the dashboard's first render with the overview's data (performance mark); runs ${dashboard.map((t) => t.toFixed(0)).join('/')} ms`,
  }));
  if (!existsSync(DIST)) throw new Error('console: dist/console vanished');
  return rows;
}
