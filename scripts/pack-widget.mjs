// `prepack` of packages/widget (iys-consent-widget): copies the built widget from dist/widget/ into
// the package, building it first when it is missing or older than its sources. The widget's sources
// stay in widget/; this package only ships what `vite build` made of them.
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildWidget, root, widgetBundleIsStale } from './widget-bundle.mjs';

const widgetPackage = join(root, 'packages/widget');
const version = (dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
// The collector serves the same build at /iys-consent.js: one version for both packages.
if (version(widgetPackage) !== version(root)) {
  console.error(`iys-consent-widget ${version(widgetPackage)} and iys-consent ${version(root)}: give both packages the same version`);
  process.exit(1);
}
if (widgetBundleIsStale()) buildWidget();
rmSync(join(widgetPackage, 'dist'), { recursive: true, force: true });
cpSync(join(root, 'dist/widget'), join(widgetPackage, 'dist'), { recursive: true });
