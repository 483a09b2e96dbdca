import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rssOf } from './children.ts';
import type { Mode } from './modes.ts';
import { median } from './prng.ts';
import { row, type Row } from './table.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const IDLE_MS = 1500;

type Start = { readyMs: number; idleRssMb: number };

/**
 * `iys-consent serve` as the package runs it (compiled, dist/server/cli/main.js) against the same
 * command from the sources under tsx (what a checkout runs): from spawn to the "listening" log line,
 * and the resident set once it has idled. Both on the SQLite ledger with the built-in sandbox.
 */
function startOnce(argv: string[], dir: string, n: number): Promise<Start> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, argv, {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', IYS_SANDBOX: '1', PORT: '0', IYS_DATABASE_URL: `file:${join(dir, `ledger-${n}.db`)}` },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    let readyMs: number | undefined;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (readyMs !== undefined || !out.includes('"event":"collector.started"')) return;
      readyMs = Number(process.hrtime.bigint() - started) / 1e6;
      setTimeout(() => {
        const idleRssMb = rssOf(child.pid!).rssMb;
        child.kill('SIGTERM');
        child.once('exit', (code) => (code === 0 ? resolve({ readyMs: readyMs!, idleRssMb }) : reject(new Error(`${argv.join(' ')} exited ${code} after SIGTERM`))));
      }, IDLE_MS);
    });
    child.once('exit', (code) => {
      if (readyMs === undefined) reject(new Error(`${argv.join(' ')} exited ${code} before listening`));
    });
  });
}

export async function startupBench(mode: Mode, log: (s: string) => void): Promise<Row[]> {
  log('startup: compiling the collector (tsc -p tsconfig.build.json)');
  const compiled = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  if (compiled.status !== 0) throw new Error('startup: tsc -p tsconfig.build.json failed');
  const dir = mkdtempSync(join(tmpdir(), 'iys-bench-startup-'));
  const runs = { compiled: [] as Start[], tsx: [] as Start[] };
  try {
    // Alternated, so a busy moment of the machine falls on both alike.
    for (let i = 0; i < mode.startup.starts; i++) {
      runs.compiled.push(await startOnce(['dist/server/cli/main.js', 'serve'], dir, 2 * i));
      runs.tsx.push(await startOnce(['--import', 'tsx', 'server/cli/main.ts', 'serve'], dir, 2 * i + 1));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const of = (starts: Start[], field: keyof Start) => median(starts.map((s) => s[field]));
  const load = `iys-consent serve (SQLite, sandbox), median of ${mode.startup.starts} start${mode.startup.starts === 1 ? '' : 's'}`;
  const note = 'baseline: the same command from the TypeScript sources under tsx (a checkout)';
  return [
    row({ bench: 'startup', measure: 'compiled collector: spawn to listening, ms', load, figure: of(runs.compiled, 'readyMs'), baseline: of(runs.tsx, 'readyMs'), unit: 'ms', target: null, met: null, note }),
    row({ bench: 'startup', measure: `compiled collector: RSS after ${IDLE_MS / 1000} s idle, MB`, load, figure: of(runs.compiled, 'idleRssMb'), baseline: of(runs.tsx, 'idleRssMb'), unit: 'MB', target: null, met: null, note }),
  ];
}
