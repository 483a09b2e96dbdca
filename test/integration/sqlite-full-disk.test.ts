import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../server/log/logger.ts';
import { startCollector, type CollectorRuntime } from '../../server/runtime/collector.ts';
import { testConfig } from '../../server/runtime/config.ts';
import { mobileOf } from '../fixtures/records.ts';
import { consentBody, postConsent } from './collector-harness.ts';
import { waitFor } from './dispatch-harness.ts';

/**
 * A real full filesystem under the SQLite ledger: a small tmpfs, filled to the last byte while the
 * collector runs. Posts get 503 (nothing acknowledged that is not stored), /healthz says the
 * collector cannot take consents (503: its write probe fails where a read would not), nothing
 * acknowledged before is lost, and everything comes back once there is space again.
 * Mounting needs root; elsewhere this says so and does not run.
 */

const isRoot = process.getuid?.() === 0;
if (!isRoot) console.warn('the full-disk test is SKIPPED: mounting a tmpfs needs root (run the tests as root to include it)');

describe.runIf(isRoot)('SQLite on a full disk (a real tmpfs)', () => {
  const mount = mkdtempSync(join(tmpdir(), 'iys-full-disk-'));
  let collector: CollectorRuntime | undefined;
  let phone = 0;
  const acknowledged: string[] = [];

  beforeAll(() => {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mount]);
  });
  afterAll(async () => {
    await collector?.stop();
    execFileSync('umount', ['-l', mount]);
    rmSync(mount, { recursive: true, force: true });
  });

  const post = () => postConsent(collector!.url, consentBody({ recipient: mobileOf(++phone, '536').replace('+90', '0'), channels: ['MESAJ', 'ARAMA'] }));
  const health = async () => {
    const res = await fetch(`${collector!.url}/healthz`);
    return { status: res.status, body: (await res.json()) as { status: string; reasons?: string[] } };
  };

  /** Writes until the filesystem refuses (ENOSPC), as a log or a backup filling the disk would. */
  function fill(path: string): void {
    const fd = openSync(path, 'w');
    const chunk = Buffer.alloc(64 * 1024, 1);
    try {
      for (;;) writeSync(fd, chunk);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
    } finally {
      closeSync(fd);
    }
    // The last bytes too, a few at a time.
    const tail = openSync(path, 'a');
    try {
      for (;;) writeSync(tail, Buffer.alloc(512, 1));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
    } finally {
      closeSync(tail);
    }
  }

  it('answers 503 and is not ready while the disk is full, keeps what it acknowledged, and recovers when space returns', async () => {
    collector = await startCollector(
      testConfig({ port: 0, host: '127.0.0.1', databaseUrl: `file:${join(mount, 'ledger.db')}`, rateLimit: 0, flushMs: 50 }),
      { logger: silentLogger },
    );
    for (let i = 0; i < 5; i++) {
      const res = await post();
      expect(res.status).toBe(202);
      acknowledged.push(...((await res.json()) as { ids: string[] }).ids);
    }
    expect((await health()).status).toBe(200);
    // Nothing in flight when the disk fills: a request whose answer could not be written would wait
    // out its lease (a minute) before its records, in doubt, are settled.
    await waitFor('the first consents registered', async () => (await collector!.store.countByState()).pending === 0, 30_000);

    const filler = join(mount, 'filler');
    fill(filler);
    const whileFull = [];
    for (let i = 0; i < 5; i++) {
      const res = await post();
      whileFull.push(res.status);
      if (res.status === 202) acknowledged.push(...((await res.json()) as { ids: string[] }).ids);
      else expect(res.headers.get('retry-after')).not.toBeNull();
    }
    expect(whileFull).toContain(503);
    expect(whileFull.filter((s) => s !== 202 && s !== 503)).toEqual([]);
    // A probe's answer stands for a second: the first one after the disk filled says so.
    await waitFor('/healthz not ready while the disk is full', async () => (await health()).status === 503, 10_000);
    expect((await health()).body).toEqual({ status: 'unavailable', reasons: ['store: cannot write to the ledger'] });
    // What was acknowledged is still there.
    expect((await collector.store.byIds(acknowledged)).map((r) => r.id).sort()).toEqual([...acknowledged].sort());

    rmSync(filler);
    await waitFor('/healthz ready once there is space', async () => (await health()).status === 200, 20_000);
    const after = await post();
    expect(after.status).toBe(202);
    acknowledged.push(...((await after.json()) as { ids: string[] }).ids);
    await waitFor('everything acknowledged registered', async () => (await collector!.store.countByState()).pending === 0, 30_000);
    const stored = await collector.store.byIds(acknowledged);
    expect(stored.map((r) => r.id).sort()).toEqual([...acknowledged].sort());
    expect(stored.every((r) => r.state === 'registered')).toBe(true);
  });
});
