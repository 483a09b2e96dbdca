/**
 * The demo started the way a newcomer starts it: `node scripts/start.mjs` (what `npm start` runs)
 * as a child process, on a free port and a ledger file in a temp dir, its output kept for checks.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../helpers/free-port.ts';

const root = resolve(import.meta.dirname, '../..');

export type DemoProcess = {
  origin: string;
  /** Everything the demo wrote to stdout and stderr so far. */
  output(): string;
  /** SIGTERM, then the exit code (null when it died of a signal). */
  stop(): Promise<number | null>;
};

async function answersHealth(origin: string, child: ChildProcess, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the demo exited with ${child.exitCode} before answering /healthz`);
    try {
      const res = await fetch(`${origin}/healthz`);
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the demo did not answer /healthz in time');
}

/** `env` adds to the demo's environment (e.g. IYS_ADMIN_TOKEN for the console's tests). */
export async function startDemo({ timeoutMs = 60_000, env = {} as Record<string, string> } = {}): Promise<DemoProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'iys-demo-'));
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [join(root, 'scripts/start.mjs')], {
    cwd: root,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', IYS_DATABASE_URL: `file:${join(dir, 'demo.db')}`, LOG_LEVEL: 'debug', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString('utf8')));
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const code = await exited;
    rmSync(dir, { recursive: true, force: true });
    return code;
  };
  try {
    await answersHealth(origin, child, Date.now() + timeoutMs);
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n--- demo output ---\n${output}`);
  }
  return { origin, output: () => output, stop };
}
