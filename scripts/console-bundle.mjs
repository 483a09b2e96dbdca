// The built console (dist/console/), for the checkout's own tools: whether it is older than what it
// is built from, and how to build it. `npm start`, `npm run collector`, the packing script and the
// browser tests ask before they serve or ship it.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '..');
export const CONSOLE_INDEX = join(root, 'dist/console/index.html');

function newestSource() {
  const files = [];
  for (const dir of ['console', 'shared']) {
    for (const name of readdirSync(join(root, dir), { recursive: true })) {
      if (/\.(ts|css|html)$/.test(String(name))) files.push(join(root, dir, String(name)));
    }
  }
  return Math.max(...files.map((f) => statSync(f).mtimeMs));
}

/** An installed package ships dist/console/ without its sources: built is fresh then. */
export function consoleBundleIsStale() {
  if (!existsSync(CONSOLE_INDEX)) return true;
  return existsSync(join(root, 'console')) && statSync(CONSOLE_INDEX).mtimeMs < newestSource();
}

/** `vite build --config console/vite.config.ts` in a child process; exits this process with vite's code when it fails. */
export function buildConsole() {
  const built = spawnSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'console/vite.config.ts'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
