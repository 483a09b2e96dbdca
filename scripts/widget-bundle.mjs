// Whether dist/widget/iys-consent.js is older than what it is built from. One answer for
// `npm start` and the browser tests, so neither rebuilds while the other reads the bundle.
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
