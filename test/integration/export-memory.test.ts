import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../server/stores/sqlite-store.ts';
import type { NewRecord } from '../../server/stores/store.ts';
import { formatTurkeyTime } from '../../shared/turkey-time.ts';

const ROWS = 100_000;
const TOKEN = 'export-memory-token-0123456789';
// The NDJSON body is ~100 MB. The child's old space is capped at 48 MB, so a server that held the
// body would crash; the RSS bound is the coarse check beside it (measured: +56 MB at peak, garbage
// and buffers not yet collected, on a 2-core machine).
const RSS_GROWTH_BOUND = 96 * 1024 * 1024;

type Mem = { rss: number; peakRss: number; heapUsed: number };

function recordsFrom(start: number, n: number, now: number): NewRecord[] {
  return Array.from({ length: n }, (_, k) => {
    const i = start + k;
    const recipient = `+90533${String(i).padStart(7, '0')}`;
    return {
      record: { recipient, recipientType: 'BIREYSEL', type: 'MESAJ', status: 'ONAY', source: 'HS_WEB', consentDate: formatTurkeyTime(now - 60_000) },
      evidence: {
        rawRecipient: recipient, clientConsentDate: null, receivedAt: now - ROWS + i, channels: 'MESAJ ARAMA', noticeVersion: '2026-11-01',
        noticeHash: `sha256:${'ab'.repeat(32)}`, noticeLang: 'tr', pageUrl: 'https://shop.example/kayit?utm_source=newsletter', origin: 'https://shop.example',
        ip: '203.0.113.9', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
        widgetVersion: '0.1.0', idempotencyKey: null, noticeMatch: null, noticeRegistered: null, formTokenAgeMs: null,
      },
    };
  });
}

describe('GET /v1/export streams 100 000 records within bounded memory', () => {
  let dir: string;
  let child: ChildProcess;
  let url: string;
  const ask = () => new Promise<Mem>((resolve) => {
    child.once('message', (m) => resolve(m as Mem));
    child.send('mem');
  });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'iys-export-'));
    const path = join(dir, 'ledger.db');
    const store = new SqliteStore(path);
    await store.init();
    const now = Date.now();
    for (let i = 0; i < ROWS; i += 10_000) await store.insert(recordsFrom(i, 10_000, now));
    await store.close();

    child = fork(join(import.meta.dirname, 'fixtures/export-server.ts'), [path, TOKEN], {
      // A 48 MB old space cannot hold the ~100 MB body: a server that buffered it would die, not just grow.
      execArgv: ['--import', 'tsx', '--expose-gc', '--max-old-space-size=48'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const { port } = await new Promise<{ port: number }>((resolve, reject) => {
      child.once('message', (m) => resolve(m as { port: number }));
      child.once('exit', (code) => reject(new Error(`export server exited with ${code}`)));
    });
    url = `http://127.0.0.1:${port}`;
  }, 180_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send('stop');
      await exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('sends every row while the server grows by less than the body it sends', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    // Warm up: first request loads code and fills caches; measure from after it.
    await (await fetch(`${url}/v1/export?format=ndjson&to=2015-06-01`, { headers: auth })).text();
    const base = await ask();

    const res = await fetch(`${url}/v1/export?format=ndjson`, { headers: auth });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let lines = 0;
    let bytes = 0;
    let tail = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      const text = tail + decoder.decode(value, { stream: true });
      const parts = text.split('\n');
      tail = parts.pop()!;
      lines += parts.length;
      if (lines === 1) expect(JSON.parse(parts[0]!)).toMatchObject({ jurisdiction: 'TR', piiPrincipalId: '+905330000000' });
    }
    const after = await ask();

    expect(tail).toBe('');
    expect(lines).toBe(ROWS);
    expect(bytes).toBeGreaterThan(RSS_GROWTH_BOUND);
    expect(after.heapUsed - base.heapUsed).toBeLessThan(16 * 1024 * 1024);
    expect(after.peakRss - base.rss).toBeLessThan(RSS_GROWTH_BOUND);
    console.log(`export: ${ROWS} rows, ${(bytes / 1048576).toFixed(1)} MB sent; server RSS ${(base.rss / 1048576).toFixed(0)} MB before, peak ${(after.peakRss / 1048576).toFixed(0)} MB (+${((after.peakRss - base.rss) / 1048576).toFixed(1)} MB)`);
  }, 180_000);
});
