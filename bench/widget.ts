import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import type { Mode } from './modes.ts';
import { median } from './prng.ts';
import { row, type Row } from './table.ts';
import { growthRow } from './widget-baseline.ts';
import { widgetBundleIsStale } from '../scripts/widget-bundle.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
// IYS_BENCH_WIDGET: measure another build of the bundle (e.g. one made from a clean checkout).
const BUNDLE = process.env.IYS_BENCH_WIDGET ?? `${root}dist/widget/iys-consent.js`;
const GZIP_TARGET = 8 * 1024;
/** The issue's goal: from script arrival to a usable checkbox, at most this many times the plain page. */
const READY_TARGET_RATIO = 1.5;
const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

function ensureBuilt(log: (s: string) => void): void {
  // A stale dist/ would measure the sources as they were at its build, not as they are.
  if (existsSync(BUNDLE) && (process.env.IYS_BENCH_WIDGET || !widgetBundleIsStale())) return;
  log('widget: dist/widget/iys-consent.js missing or older than its sources, running vite build');
  const vite = `${root}node_modules/vite/bin/vite.js`;
  const r = spawnSync(process.execPath, [vite, 'build'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0 || !existsSync(BUNDLE)) throw new Error('widget: vite build failed');
}

// Each page stamps window.__ready once its control can be used; __loaded is when its script had
// arrived (responseEnd), __requested when its request started.
const READY = (check: string, script: string) => `<script type="module">
${check}
const entry = performance.getEntriesByType('resource').find((e) => e.name.endsWith('${script}'));
window.__loaded = entry ? entry.responseEnd : 0;
window.__requested = entry ? entry.startTime : 0;
window.__ready = performance.now();
</script>`;

const PAGES: Record<string, string> = {
  '/widget.html': `<!doctype html><html lang="tr"><head><meta charset="utf-8"><title>widget</title></head><body>
<form><iys-consent channels="MESAJ ARAMA" brand="Bench"></iys-consent><button>Kaydol</button></form>
<script type="module" src="/iys-consent.js"></script>
${READY(`await customElements.whenDefined('iys-consent');
const el = document.querySelector('iys-consent');
await el.updateComplete;
if (!el.shadowRoot.querySelector('input[type=checkbox]')) throw new Error('no checkbox');`, '/iys-consent.js')}
</body></html>`,
  '/plain.html': `<!doctype html><html lang="tr"><head><meta charset="utf-8"><title>plain</title></head><body>
<form><label><input type="checkbox" name="iys" value="MESAJ"> SMS</label><button>Kaydol</button></form>
<script type="module" src="/plain.js"></script>
${READY(`if (!document.querySelector('input[type=checkbox]')) throw new Error('no checkbox');`, '/plain.js')}
</body></html>`,
};

function serve(bundle: Buffer): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const js = path === '/iys-consent.js' ? bundle : path === '/plain.js' ? Buffer.from('export const plain = true;\n') : null;
    const page = PAGES[path];
    if (js) res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' }).end(js);
    else if (page) res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(page);
    else res.writeHead(404).end();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server })));
}

/** Size of the self-contained bundle, and script arrival → usable checkbox in headless Chromium. */
export async function widgetBench(mode: Mode, log: (s: string) => void): Promise<Row[]> {
  ensureBuilt(log);
  const bundle = readFileSync(BUNDLE);
  const gzip = gzipSync(bundle, { level: 9 }).length;
  const brotli = brotliCompressSync(bundle, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  const rows: Row[] = [
    row({
      bench: 'widget', measure: 'bundle gzip, bytes', load: `${relative(root, BUNDLE)} (${bundle.length} B raw, Lit included)`,
      figure: gzip, baseline: GZIP_TARGET, unit: 'B', target: '≤ 8 KB gzip', met: gzip <= GZIP_TARGET,
      note: 'baseline: the 8 KB budget (ratio = share of it used)' + (gzip > GZIP_TARGET ? '; over budget' : ''),
    }),
    row({
      bench: 'widget', measure: 'bundle brotli, bytes', load: 'the same file, brotli quality 11',
      figure: brotli, baseline: gzip, unit: 'B', target: null, met: null, note: 'baseline: its gzip size',
    }),
  ];
  rows.push(growthRow(root, bundle, log));
  // The code step of verify="sms": a file of its own, fetched only by a widget with verify, so a page without it pays nothing.
  const step = BUNDLE.replace(/iys-consent\.js$/, 'iys-consent-verify.js');
  if (existsSync(step)) {
    const stepGzip = gzipSync(readFileSync(step), { level: 9 }).length;
    rows.push(row({
      bench: 'widget', measure: 'code step gzip, bytes', load: `${relative(root, step)} (loaded only with verify="sms")`,
      figure: stepGzip, baseline: gzip, unit: 'B', target: null, met: null, note: 'baseline: the base bundle\'s gzip size; not part of it',
    }));
  }

  try {
    rows.push(await timeToUsable(bundle, mode.widget.loads));
  } catch (err) {
    // The sizes above still stand; this row says why the timing is missing.
    rows.push(row({
      bench: 'widget', measure: 'script loaded → checkbox usable, ms (median)', load: 'headless Chromium', figure: null, baseline: null,
      unit: 'ms', target: `≤ ${READY_TARGET_RATIO}× the plain page`, met: false, note: err instanceof Error ? err.message : String(err),
    }));
  }
  return rows;
}

/** Median over cold loads: the widget page against the plain checkbox page. */
async function timeToUsable(bundle: Buffer, loads: number): Promise<Row> {
  const { url, server } = await serve(bundle);
  const browser = await chromium.launch({ executablePath: process.env.IYS_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_FLAGS });
  const times: Record<'widget' | 'plain', number[]> = { widget: [], plain: [] };
  const fromRequest: Record<'widget' | 'plain', number[]> = { widget: [], plain: [] };
  try {
    // Round 0 warms the browser process up (its first page is slow whatever it holds) and is not counted.
    for (let i = 0; i <= loads; i++) {
      for (const name of ['widget', 'plain'] as const) {
        // A fresh context each time: nothing cached, nothing compiled ahead.
        const context = await browser.newContext();
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        await page.goto(`${url}/${name}.html`);
        await page
          .waitForFunction(() => (window as unknown as { __ready?: number }).__ready !== undefined, null, { timeout: 20_000 })
          .catch(() => {
            throw new Error(`the ${name} page never became usable within 20 s${errors.length ? `: ${errors.join('; ')}` : ''} (a stale or broken dist/widget? run npm run build:widget)`);
          });
        const ms = await page.evaluate(() => {
          const w = window as unknown as { __ready: number; __loaded: number; __requested: number };
          return { loaded: w.__ready - w.__loaded, requested: w.__ready - w.__requested };
        });
        if (i > 0) {
          times[name].push(ms.loaded);
          fromRequest[name].push(ms.requested);
        }
        await context.close();
      }
    }
  } finally {
    await browser.close();
    server.close();
  }
  const w = median(times.widget);
  const p = median(times.plain);
  return row({
    bench: 'widget', measure: 'script loaded → checkbox usable, ms (median)', load: `${loads} cold loads each, headless Chromium, local HTTP`,
    figure: w, baseline: p, unit: 'ms', target: `≤ ${READY_TARGET_RATIO}× the plain page`, met: w <= READY_TARGET_RATIO * p,
    note: `baseline: a page with a plain HTML checkbox and a one-line module script; from the script's request instead of its arrival: widget ${median(fromRequest.widget).toFixed(0)} ms, plain ${median(fromRequest.plain).toFixed(0)} ms; widget runs ${times.widget.map((t) => t.toFixed(0)).join('/')} ms` +
      (w > READY_TARGET_RATIO * p ? `; over ${READY_TARGET_RATIO}× the plain page` : ''),
  });
}
