// From a checkout: `npm start` (`node scripts/start.mjs`, the demo) and `npm run collector`
// (`node scripts/start.mjs serve`). Builds the widget and the console when they are missing or older
// than their sources, then runs that command of the CLI in this process (the sources through tsx, as
// bin/iys-consent.mjs does in a checkout). The installed package needs none of this: it ships both built
// (`npx iys-consent demo`, `npx iys-consent serve`).
import { buildWidget, widgetBundleIsStale } from './widget-bundle.mjs';
import { buildConsole, consoleBundleIsStale } from './console-bundle.mjs';

if (widgetBundleIsStale()) {
  console.log('iys-consent: building the widget (vite build)…');
  buildWidget();
}
if (consoleBundleIsStale()) {
  console.log('iys-consent: building the console (vite build --config console/vite.config.ts)…');
  buildConsole();
}
// Without a command, the demo: what `npm start` has always run.
if (process.argv.length === 2) process.argv.push('demo');
await import('../bin/iys-consent.mjs');
