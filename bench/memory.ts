import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../server/stores/sqlite-store.ts';
import { rssOf, startChild, type Child } from './children.ts';
import type { Mode } from './modes.ts';
import { BENCH_ACCOUNT, fillPending } from './records.ts';
import { row, type Row } from './table.ts';

const TARGET_MB = 256;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function collectorEnv(dbPath: string, sandboxUrl: string): Record<string, string> {
  return {
    PORT: '0', HOST: '127.0.0.1', IYS_DATABASE_URL: `file:${dbPath}`, IYS_SANDBOX: '0', IYS_RATE_LIMIT: '0',
    ILETIMERKEZI_BASE_URL: sandboxUrl, ILETIMERKEZI_API_KEY: BENCH_ACCOUNT.apiKey, ILETIMERKEZI_API_HASH: BENCH_ACCOUNT.apiHash,
    IYS_BRAND_CODE: String(BENCH_ACCOUNT.brandCode),
  };
}

/**
 * The collector's peak resident set (VmHWM of its process) while n records are pending and being
 * dispatched to a sandbox in another process, against the same collector idle on an empty ledger.
 */
export async function memoryBench(mode: Mode, log: (s: string) => void): Promise<Row> {
  const n = mode.memory.records;
  const dir = mkdtempSync(join(tmpdir(), 'iys-bench-memory-'));
  const sandbox = await startChild('sandbox');
  const children: Child[] = [sandbox];
  try {
    const idle = await startChild('collector', { env: collectorEnv(join(dir, 'idle.db'), sandbox.ready.url as string) });
    children.push(idle);
    await sleep(1500);
    const idleRss = rssOf(idle.pid);
    await idle.stop();

    log(`memory: filling ${n.toLocaleString('en-US')} pending records`);
    const path = join(dir, 'loaded.db');
    const store = new SqliteStore(path);
    await store.init();
    await fillPending(store, n);
    await store.close();

    const started = Date.now();
    const loaded = await startChild('collector', { env: collectorEnv(path, sandbox.ready.url as string), timeoutMs: 120_000 });
    children.push(loaded);
    let peak = rssOf(loaded.pid).peakMb;
    let count = 0;
    const until = Date.now() + 20 * 60_000;
    while (count < n && Date.now() < until) {
      await sleep(250);
      peak = Math.max(peak, rssOf(loaded.pid).peakMb);
      count = (await sandbox.ask<{ count: number }>({ type: 'count' })).count;
    }
    const drainS = (Date.now() - started) / 1000;
    peak = Math.max(peak, rssOf(loaded.pid).peakMb);
    await loaded.stop();
    const full = n >= 1_000_000;
    const met = count >= n && peak <= TARGET_MB;
    return row({
      bench: 'memory',
      measure: 'collector peak RSS (VmHWM) while dispatching, MB',
      load: `${n.toLocaleString('en-US')} pending SQLite records${full ? '' : ' (the target is stated for 1,000,000: run --full)'}, drained to a sandbox in another process`,
      figure: peak,
      baseline: idleRss.peakMb,
      unit: 'MB',
      target: `≤ ${TARGET_MB} MB${full ? '' : ' (at 1,000,000)'}`,
      met,
      note: `baseline: the same collector idle on an empty ledger; ${count.toLocaleString('en-US')} records registered in ${drainS.toFixed(1)} s` +
        (count < n ? `; only ${count} of ${n} drained in time` : '') +
        (peak > TARGET_MB ? '; above the target' : ''),
    });
  } finally {
    for (const c of children) await c.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
