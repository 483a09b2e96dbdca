import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../server/stores/sqlite-store.ts';
import type { NewRecord } from '../server/stores/store.ts';
import { formatTurkeyTime } from '../shared/turkey-time.ts';
import { startChild } from './children.ts';
import type { Mode } from './modes.ts';
import { mobileOf, webRecord } from '../test/fixtures/records.ts';
import { row, type Row } from './table.ts';

const TOKEN = 'bench-export-token-0123456789';
const CONNECTIONS = 4;
/** Intake p99 may grow this much while exports stream; a stalled loop made it the export's whole duration. */
const TARGET_RATIO = 3;

type LoadResult = { reqPerS: number; p50: number; p99: number; ok: number; non2xx: number; errors: number; timeouts: number };

/** Registered records with the evidence a web consent carries (about 1 KB of NDJSON each), 10 000 a transaction. */
async function fillRegistered(path: string, n: number): Promise<void> {
  const store = new SqliteStore(path);
  await store.init();
  const now = Date.now();
  const consentDate = formatTurkeyTime(now - 60_000);
  try {
    for (let start = 0; start < n; start += 10_000) {
      const chunk: NewRecord[] = [];
      for (let i = start; i < Math.min(n, start + 10_000); i++) {
        const recipient = mobileOf(i);
        chunk.push({
          record: webRecord(recipient, { consentDate }),
          evidence: {
            rawRecipient: recipient, clientConsentDate: consentDate, receivedAt: now - n + i, channels: 'MESAJ ARAMA', noticeVersion: '2026-11-01',
            noticeHash: `sha256:${'ab'.repeat(32)}`, noticeLang: 'tr', pageUrl: 'https://shop.example/kayit?utm_source=newsletter', origin: 'https://shop.example',
            ip: '203.0.113.9', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
            widgetVersion: '0.1.0', idempotencyKey: null, noticeMatch: null, noticeRegistered: null, formTokenAgeMs: null,
          },
        });
      }
      const { ids } = await store.insert(chunk);
      // Registered: the collector's dispatcher has nothing to send, only intake and the export run.
      await store.markRegistered(ids, now);
    }
  } finally {
    await store.close();
  }
}

async function load(url: string, durationS: number, base: number): Promise<LoadResult> {
  const gen = await startChild('loadgen', { args: [JSON.stringify({ url, connections: CONNECTIONS, durationS, base })] });
  const result = (await gen.result) as unknown as LoadResult;
  await gen.exited;
  return result;
}

/**
 * Intake while an auditor downloads the ledger: POST /v1/consents p99 on the real collector (SQLite)
 * holding N records, alone and while another process reads GET /v1/export over and over as fast as
 * it can. The ratio is what a running export costs the widgets' posts.
 */
export async function exportBench(mode: Mode, log: (s: string) => void): Promise<Row> {
  const { records, durationS } = mode.exportIntake;
  const dir = mkdtempSync(join(tmpdir(), 'iys-bench-export-'));
  const path = join(dir, 'ledger.db');
  log(`export: filling ${records.toLocaleString('en-US')} registered records`);
  await fillRegistered(path, records);
  const collector = await startChild('collector', {
    env: { PORT: '0', HOST: '127.0.0.1', IYS_DATABASE_URL: `file:${path}`, IYS_SANDBOX: '1', IYS_RATE_LIMIT: '0', IYS_ADMIN_TOKEN: TOKEN },
    timeoutMs: 120_000,
  });
  const url = collector.ready.url as string;
  try {
    const alone = await load(url, durationS, 50_000_000);
    const exporter = await startChild('exporter', { args: [JSON.stringify({ url, token: TOKEN })] });
    let during: LoadResult;
    let streamed: { exports: number; bytes: number };
    try {
      during = await load(url, durationS, 60_000_000);
    } finally {
      streamed = await exporter.ask<{ exports: number; bytes: number }>({ type: 'stop' });
      await exporter.stop();
    }
    const refused = during.non2xx + during.errors + during.timeouts;
    // autocannon times only the answers that came: when none came while the exports ran, every post
    // waited at least the whole run, and that (a lower bound) is the figure.
    const stalled = during.ok === 0;
    const p99 = stalled ? durationS * 1000 : during.p99;
    const met = alone.p99 > 0 && p99 / alone.p99 <= TARGET_RATIO && refused === 0 && !stalled;
    return row({
      bench: 'ingest',
      measure: `intake p99 while ${records.toLocaleString('en-US')}-record exports stream: ms`,
      load: `autocannon ${CONNECTIONS} conn × ${durationS} s, SQLite; another process reading GET /v1/export (NDJSON) back to back`,
      figure: p99,
      baseline: alone.p99,
      unit: 'ms',
      target: `ratio ≤ ${TARGET_RATIO}, every post answered`,
      met,
      note: `baseline: the same load with no export; ` +
        (stalled ? `NO post was answered while the exports ran (the figure is the run's length, a lower bound)` : `p50 ${during.p50} ms (alone ${alone.p50} ms), ${during.ok} posts answered (alone ${alone.ok})`) +
        `; ${(streamed.bytes / 1048576).toFixed(0)} MB exported meanwhile (${streamed.exports} whole exports)` +
        (refused > 0 ? `; ${refused} posts not answered 2xx` : ''),
    });
  } finally {
    await collector.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
