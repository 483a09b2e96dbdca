import { join } from 'node:path';
import { build } from 'vite';
import { root, widgetBundleIsStale } from '../../scripts/widget-bundle.mjs';
import { buildConsole, consoleBundleIsStale } from '../../scripts/console-bundle.mjs';

/** A fresh clone has no dist/: build the widget and the console (vite build) before any browser test runs. */
export default async function globalSetup(): Promise<void> {
  if (widgetBundleIsStale()) await build({ configFile: join(root, 'vite.config.ts'), logLevel: 'warn' });
  if (consoleBundleIsStale()) buildConsole();
}
