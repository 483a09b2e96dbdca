import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDispatcher } from '../server/dispatch/dispatcher.ts';
import { createIletiMerkeziClient } from '../server/iletimerkezi/client.ts';
import { silentLogger } from '../server/log/logger.ts';
import { SqliteStore } from '../server/stores/sqlite-store.ts';
import { formatTurkeyTime } from '../shared/turkey-time.ts';
import type { IysRecord } from '../shared/iys-record.ts';
import { startChild } from './children.ts';
import type { Mode } from './modes.ts';
import { BENCH_ACCOUNT, benchRecord, fillPending } from './records.ts';
import { row, type Row } from './table.ts';

const BATCH = 5000;

/** The bare client sending pre-built 5000-record requests, one after another, to a fresh sandbox: records/s. */
async function bareClient(n: number): Promise<number> {
  const sandbox = await startChild('sandbox');
  const client = createIletiMerkeziClient({ baseUrl: sandbox.ready.url as string, ...BENCH_ACCOUNT });
  const consentDate = formatTurkeyTime(Date.now() - 60_000);
  const batches: IysRecord[][] = [];
  for (let s = 0; s < n; s += BATCH) batches.push(Array.from({ length: Math.min(BATCH, n - s) }, (_, i) => benchRecord(s + i, consentDate)));
  try {
    const started = performance.now();
    for (const b of batches) {
      const outcome = await client.send(b);
      if (outcome.kind !== 'accepted') throw new Error(`bare client: ${outcome.kind} ${outcome.message}`);
    }
    return n / ((performance.now() - started) / 1000);
  } finally {
    await client.close();
    await sandbox.stop();
  }
}

/** The real dispatcher draining n pending SQLite records to a fresh sandbox over HTTP: records/s. */
async function realDispatcher(n: number): Promise<{ rate: number; requests: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'iys-bench-dispatch-'));
  const store = new SqliteStore(join(dir, 'ledger.db'));
  await store.init();
  await fillPending(store, n);
  const sandbox = await startChild('sandbox');
  const client = createIletiMerkeziClient({ baseUrl: sandbox.ready.url as string, ...BENCH_ACCOUNT });
  let registered = 0;
  let requests = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => (done = resolve));
  const dispatcher = createDispatcher({
    store, sender: client, logger: silentLogger, batchMax: BATCH, flushMs: 1000, leaseMs: 60_000, owner: 'bench',
    onEvent: (e) => {
      if (e.type === 'request') requests++;
      if (e.type === 'registered' && (registered += e.count) >= n) done();
    },
  });
  try {
    const started = performance.now();
    dispatcher.start();
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`dispatch: ${registered}/${n} registered after 10 min`)), 600_000).unref());
    await Promise.race([finished, timeout]);
    return { rate: n / ((performance.now() - started) / 1000), requests };
  } finally {
    await dispatcher.stop();
    await client.close();
    await sandbox.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function dispatchBench(mode: Mode): Promise<Row> {
  const n = mode.dispatch.records;
  const bare = await bareClient(n);
  const real = await realDispatcher(n);
  return row({
    bench: 'dispatch',
    measure: 'pending → registered: records/s, dispatcher vs bare client',
    load: `${n.toLocaleString('en-US')} pending SQLite records, sandbox in its own process over HTTP`,
    figure: real.rate,
    baseline: bare,
    unit: 'rec/s',
    target: null,
    met: null,
    note: `${real.requests} requests; baseline: the client alone sending pre-built ${BATCH}-record requests in sequence; the difference is claiming, planning and marking in the ledger`,
  });
}
