import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../server/stores/open-store.ts';
import type { ConsentStore } from '../../server/stores/store.ts';
import { PG_URL, pgAvailable, testSchema } from '../helpers/pg.ts';

/**
 * Durability: a writer process acknowledging inserts is killed with SIGKILL mid-stream; after the
 * store is reopened, every acknowledged record is there, and every insert is whole (both records
 * of a two-channel consent, or neither).
 */

const WRITER = fileURLToPath(new URL('../fixtures/store-crash-writer.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const ACKS_BEFORE_KILL = 300;

const tmpRoot = mkdtempSync(join(tmpdir(), 'iys-store-crash-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

type Run = { acked: string[][]; signal: NodeJS.Signals | null; stderr: string };

/** Runs the writer until it has acknowledged enough inserts, then SIGKILLs it. */
function runAndKill(url: string, schema?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, url, ...(schema ? [schema] : [])], {
      cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked: string[][] = [];
    let buffered = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) if (line !== 'ready') acked.push(line.split(' '));
      if (acked.length >= ACKS_BEFORE_KILL && child.exitCode === null && !child.killed) child.kill('SIGKILL');
    });
    child.on('error', reject);
    // A partial last line was never a full acknowledgement: it is left out.
    child.on('close', (_code, signal) => resolve({ acked, signal, stderr }));
  });
}

async function expectAllAcknowledged(store: ConsentStore, run: Run): Promise<void> {
  expect(run.stderr).toBe('');
  expect(run.signal).toBe('SIGKILL');
  expect(run.acked.length).toBeGreaterThanOrEqual(ACKS_BEFORE_KILL);
  const ids = run.acked.flat();
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += 500) {
    for (const r of await store.byIds(ids.slice(i, i + 500))) found.add(r.id);
  }
  expect(ids.filter((id) => !found.has(id))).toEqual([]);
  // Whole inserts only: each phone has both channels or none.
  const perRecipient = new Map<string, number>();
  for await (const r of store.exportRange(0, Number.MAX_SAFE_INTEGER)) {
    perRecipient.set(r.recipient, (perRecipient.get(r.recipient) ?? 0) + 1);
  }
  expect([...perRecipient.values()].filter((n) => n !== 2)).toEqual([]);
  expect(perRecipient.size).toBeGreaterThanOrEqual(run.acked.length);
}

describe('crash safety', () => {
  it('SQLite: every acknowledged insert survives SIGKILL of the writer', async () => {
    const url = `file:${join(tmpRoot, 'crash', 'ledger.db')}`;
    const run = await runAndKill(url);
    const store = openStore(url);
    await store.init();
    try {
      await expectAllAcknowledged(store, run);
    } finally {
      await store.close();
    }
  });

  it.runIf(pgAvailable)('PostgreSQL: every acknowledged insert survives SIGKILL of the writer', async () => {
    const schema = testSchema();
    const run = await runAndKill(PG_URL, schema);
    const store = openStore(PG_URL, { schema });
    await store.init();
    try {
      await expectAllAcknowledged(store, run);
    } finally {
      await store.close();
    }
  });
});
