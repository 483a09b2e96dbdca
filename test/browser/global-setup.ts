import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'vite';

const root = resolve(import.meta.dirname, '../..');
export const WIDGET_BUNDLE = join(root, 'dist/widget/iys-consent.js');

/** Newest modification time among the widget's sources and the build config. */
function newestSource(): number {
  const files = [
    ...readdirSync(join(root, 'widget')).filter((f) => f.endsWith('.ts')).map((f) => join(root, 'widget', f)),
    join(root, 'shared/recipient.ts'),
    join(root, 'vite.config.ts'),
  ];
  return Math.max(...files.map((f) => statSync(f).mtimeMs));
}

/** A fresh clone has no dist/: build the widget (vite build) before any browser test runs. */
export default async function globalSetup(): Promise<void> {
  if (existsSync(WIDGET_BUNDLE) && statSync(WIDGET_BUNDLE).mtimeMs >= newestSource()) return;
  await build({ configFile: join(root, 'vite.config.ts'), logLevel: 'warn' });
}
