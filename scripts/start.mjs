// From a checkout: `npm start` (`node scripts/start.mjs`, the demo) and `npm run collector`
// (`node scripts/start.mjs serve`). Builds the widget when it is missing or older than its sources,
// then runs that command of the CLI in this process (the sources through tsx, as bin/iys-consent.mjs
// does in a checkout). The installed package needs none of this: it ships the widget built
// (`npx iys-consent demo`, `npx iys-consent serve`).
import { buildWidget, widgetBundleIsStale } from './widget-bundle.mjs';

if (widgetBundleIsStale()) {
  console.log('iys-consent: building the widget (vite build)…');
  buildWidget();
}
// Without a command, the demo: what `npm start` has always run.
if (process.argv.length === 2) process.argv.push('demo');
await import('../bin/iys-consent.mjs');
