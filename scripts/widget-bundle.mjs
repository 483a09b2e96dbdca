// The built widget, for the checkout's own tools: whether dist/widget/iys-consent.js is older than
// what it is built from, and how to build it. One answer for `npm start`, `npm run collector`, the
// packing scripts and the browser tests, so none rebuilds while another reads the bundle.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '..');
export const WIDGET_BUNDLE = join(root, 'dist/widget/iys-consent.js');

function newestSource() {
  const files = [join(root, 'vite.config.ts')];
  for (const dir of ['widget', 'shared']) {
    for (const name of readdirSync(join(root, dir), { recursive: true })) {
      if (/\.(ts|css)$/.test(String(name))) files.push(join(root, dir, String(name)));
    }
  }
  return Math.max(...files.map((f) => statSync(f).mtimeMs));
}

export function widgetBundleIsStale() {
  return !existsSync(WIDGET_BUNDLE) || statSync(WIDGET_BUNDLE).mtimeMs < newestSource();
}

/** `vite build` in a child process; exits this process with vite's code when it fails. */
export function buildWidget() {
  const built = spawnSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
