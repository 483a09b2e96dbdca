// `npm start`: the demo. Builds the widget when it is missing or older than its sources, then runs
// the collector with the embedded SQLite ledger and the built-in İYS sandbox, serving the demo at `/`.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { root, widgetBundleIsStale } from './widget-bundle.mjs';

if (widgetBundleIsStale()) {
  console.log('iys-consent: building the widget (vite build)…');
  const built = spawnSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

const port = process.env.PORT ?? '8787';
const host = process.env.HOST ?? '127.0.0.1';
const env = {
  ...process.env,
  IYS_SANDBOX: process.env.IYS_SANDBOX ?? '1',
  PORT: port,
  HOST: host,
  // The demo page posts from the collector's own origin, and browsers send Origin on same-origin POSTs.
  IYS_ALLOWED_ORIGINS: process.env.IYS_ALLOWED_ORIGINS ?? `http://${host}:${port},http://localhost:${port}`,
};
const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'server/runtime/main.ts'), '--demo'], { cwd: root, env, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
