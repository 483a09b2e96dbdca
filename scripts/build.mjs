// `npm run build`, and `prepack`: what the package ships built. The widget (vite build →
// dist/widget/), the compliance console (vite → dist/console/), and the collector, shared/ and the CLI
// compiled by tsc (→ dist/server/, dist/shared/, with source maps holding the sources). The compiled folders are emptied first, so a module deleted
// from the sources is not shipped from an earlier build.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildWidget, root } from './widget-bundle.mjs';
import { buildConsole } from './console-bundle.mjs';

buildWidget();
buildConsole();
for (const dir of ['dist/server', 'dist/shared']) rmSync(join(root, dir), { recursive: true, force: true });
const compiled = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (compiled.status !== 0) process.exit(compiled.status ?? 1);
