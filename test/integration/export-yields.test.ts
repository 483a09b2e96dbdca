import { mkdtempSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../server/stores/sqlite-store.ts';
import type { NewRecord } from '../../server/stores/store.ts';
import { formatTurkeyTime } from '../../shared/turkey-time.ts';
import { startedPort, watch } from '../helpers/collector-process.ts';

const ROWS = 30_000;
const TOKEN = 'export-yields-token-0123456789';

function registeredRecords(start: number, n: number, now: number): NewRecord[] {
  return Array.from({ length: n }, (_, k) => {
    const recipient = `+90533${String(start + k).padStart(7, '0')}`;
    return {
      record: { recipient, recipientType: 'BIREYSEL', type: 'MESAJ', status: 'ONAY', source: 'HS_WEB', consentDate: formatTurkeyTime(now - 60_000) },
      evidence: {
        rawRecipient: recipient, clientConsentDate: null, receivedAt: now - ROWS + start + k, channels: 'MESAJ', noticeVersion: '2026-11-01',
        noticeHash: `sha256:${'ab'.repeat(32)}`, noticeLang: 'tr', pageUrl: 'https://shop.example/kayit?utm_source=newsletter', origin: 'https://shop.example',
        ip: '203.0.113.9', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
        widgetVersion: '0.1.0', idempotencyKey: null, noticeMatch: null, noticeRegistered: null, formTokenAgeMs: null,
      },
    };
  });
}

/**
 * A large export must not stall the collector's intake: the collector runs as `iys-consent serve`
 * does, in its own process, with 30 000 records in its ledger (about 32 MB of NDJSON); a client
 * reads the export as fast as it can while consents are posted one after another. Before the export
 * yielded to the event loop, not one post was answered until the export had ended.
 */
describe('GET /v1/export yields to intake', () => {
  let dir: string;
  let collector: ReturnType<typeof watch>;
  let port: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'iys-export-yields-'));
    const path = join(dir, 'ledger.db');
    const store = new SqliteStore(path);
    await store.init();
    const now = Date.now();
    for (let i = 0; i < ROWS; i += 10_000) {
      const { ids } = await store.insert(registeredRecords(i, 10_000, now));
      // Registered already: the dispatcher has nothing to send, only the export and the posts run.
      await store.markRegistered(ids, now);
    }
    await store.close();

    collector = watch(spawn(process.execPath, ['bin/iys-consent.mjs', 'serve'], {
      cwd: join(import.meta.dirname, '../..'),
      env: { PATH: process.env.PATH ?? '', IYS_SANDBOX: '1', PORT: '0', IYS_RATE_LIMIT: '0', IYS_ADMIN_TOKEN: TOKEN, IYS_DATABASE_URL: `file:${path}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    }));
    port = await startedPort(collector);
  }, 120_000);

  afterAll(async () => {
    if (collector && collector.child.exitCode === null) {
      collector.child.kill('SIGTERM');
      await collector.exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('answers consent posts while a large export is still streaming', async () => {
    const agent = new http.Agent({ keepAlive: true });
    let streaming = true;
    let bytes = 0;
    const exported = new Promise<number>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: '/v1/export?format=ndjson', headers: { authorization: `Bearer ${TOKEN}` } }, (res) => {
        res.on('data', (chunk: Buffer) => (bytes += chunk.length));
        res.on('end', () => {
          streaming = false;
          resolve(res.statusCode!);
        });
      }).on('error', reject);
    });
    const post = (n: number) =>
      new Promise<number>((resolve, reject) => {
        const body = JSON.stringify({ recipient: `+90532${String(n).padStart(7, '0')}`, channels: ['MESAJ'], consentDate: formatTurkeyTime(Date.now()) });
        const req = http.request({ host: '127.0.0.1', port, path: '/v1/consents', method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode!));
        });
        req.on('error', reject);
        req.end(body);
      });

    let answeredWhileStreaming = 0;
    let posts = 0;
    while (streaming) {
      const status = await post(++posts);
      expect(status).toBe(202);
      if (streaming) answeredWhileStreaming++;
    }
    expect(await exported).toBe(200);
    agent.destroy();
    expect(bytes).toBeGreaterThan(ROWS * 900);
    // Before the fix: 0 (the first post waited for the whole export). With it: hundreds.
    expect(answeredWhileStreaming).toBeGreaterThanOrEqual(10);
  }, 120_000);
});
