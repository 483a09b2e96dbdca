import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The package's own folder: the nearest package.json above this module. The same folder whether
 * this runs from the sources (server/runtime/, under tsx) or compiled (dist/server/runtime/), in a
 * checkout or installed in node_modules/iys-consent, so what the collector reads at run time is
 * found from either. (The ledger is not here: it lives under the working directory.)
 */
function nearestPackageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json in ${from} or above it`);
  }
}

export const PACKAGE_ROOT = nearestPackageRoot(import.meta.dirname);

/** The self-contained widget bundle `vite build` makes and the package ships, served at /iys-consent.js. */
export const WIDGET_BUNDLE = join(PACKAGE_ROOT, 'dist/widget/iys-consent.js');
/** The code step of verify="sms", beside it (vite.config.ts, VERIFY_STEP_FILE). */
export const VERIFY_STEP_BUNDLE = join(PACKAGE_ROOT, 'dist/widget/iys-consent-verify.js');

/** The compliance console `vite build --config console/vite.config.ts` makes and the package ships, served at /admin/. */
export const CONSOLE_DIR = join(PACKAGE_ROOT, 'dist/console');

/** The demo's static pages. */
export const DEMO_PAGES = join(PACKAGE_ROOT, 'demo');

/** The package's version, from its package.json. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}
