import { serve } from '@hono/node-server';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../server/log/logger.ts';
import { createApp } from '../../server/runtime/app.ts';
import { testConfig } from '../../server/runtime/config.ts';
import { PostgresStore } from '../../server/stores/postgres-store.ts';
import { SqliteStore } from '../../server/stores/sqlite-store.ts';
import type { ConsentStore } from '../../server/stores/store.ts';
import { formatTurkeyTime } from '../../shared/turkey-time.ts';
import { PG_URL, pgAvailable, testSchema } from '../helpers/pg.ts';

const ADMIN_TOKEN = 'storable-text-admin-token-0123456789';
const NUL = 'a\u0000b';
const LONE_SURROGATE = 'a\uD800b';

const consent = (over: Record<string, unknown> = {}) => ({
  recipient: '0532 123 45 67',
  channels: ['MESAJ'],
  consentDate: formatTurkeyTime(Date.now()),
  notice: { version: '2026-11-01', hash: `sha256:${'ab'.repeat(32)}`, lang: 'tr' },
  pageUrl: 'https://shop.example/kayit',
  widgetVersion: '1.0.0',
  ...over,
});
const batchRecord = (over: Record<string, unknown> = {}) => ({ recipient: '0532 123 45 68', type: 'ARAMA', source: 'HS_CAGRI_MERKEZI', consentDate: formatTurkeyTime(Date.now() - 60_000), ...over });

/** Every string a client sends, spoiled with `bad`: [the body, the path the 422 must name]. */
function spoiled(bad: string): [string, 'consent' | 'batch', unknown, string][] {
  return [
    ['recipient', 'consent', consent({ recipient: `0532 123 45 67${bad}` }), 'recipient'],
    ['an e-mail recipient', 'consent', consent({ recipient: `ali${bad}@example.com`, channels: ['EPOSTA'] }), 'recipient'],
    ['notice.version', 'consent', consent({ notice: { version: `v1${bad}` } }), 'notice.version'],
    ['notice.hash', 'consent', consent({ notice: { version: 'v1', hash: `sha256:${bad}` } }), 'notice.hash'],
    ['pageUrl', 'consent', consent({ pageUrl: `https://shop.example/${bad}` }), 'pageUrl'],
    ['widgetVersion', 'consent', consent({ widgetVersion: `1.0${bad}` }), 'widgetVersion'],
    ['idempotencyKey', 'consent', consent({ idempotencyKey: `key-0001${bad}` }), 'idempotencyKey'],
    ['website (the honeypot)', 'consent', consent({ website: bad }), 'website'],
    ['consentDate', 'consent', consent({ consentDate: `2026-11-26${bad}` }), 'consentDate'],
    ['a batch record\'s recipient', 'batch', { records: [batchRecord({ recipient: `0532 123 45 68${bad}` })] }, 'records.0.recipient'],
    ['a batch record\'s consentDate', 'batch', { records: [batchRecord({ consentDate: bad })] }, 'records.0.consentDate'],
    ['a batch\'s idempotencyKey', 'batch', { records: [batchRecord()], idempotencyKey: `batch-0001${bad}` }, 'idempotencyKey'],
  ];
}

const STORES: { name: string; available: boolean; open: (dir: string) => ConsentStore }[] = [
  { name: 'SQLite', available: true, open: (dir) => new SqliteStore(join(dir, 'ledger.db')) },
  { name: 'PostgreSQL', available: pgAvailable, open: () => new PostgresStore(PG_URL, { schema: testSchema(), poolSize: 2 }) },
];

for (const kind of STORES) {
  describe.runIf(kind.available)(`strings the ledger cannot hold, on ${kind.name}: 422 naming the field, nothing stored`, () => {
    let store: ConsentStore;
    let server: Server;
    let url: string;
    let dir: string;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'iys-storable-'));
      store = kind.open(dir);
      await store.init();
      const app = createApp({ config: testConfig({ rateLimit: 0, admin: { token: ADMIN_TOKEN } }), store, logger: silentLogger });
      server = await new Promise<Server>((resolve) => {
        const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server));
      });
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      server?.closeAllConnections();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      await store?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const post = (route: 'consent' | 'batch', body: unknown) =>
      fetch(`${url}/v1/consents${route === 'batch' ? '/batch' : ''}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
        body: JSON.stringify(body),
      });

    for (const [what, bad] of [['a NUL', NUL], ['a lone surrogate', LONE_SURROGATE]] as const) {
      it.each(spoiled(bad))(`${what} in %s`, async (_field, route, body, path) => {
        const res = await post(route, body);
        expect(res.status).toBe(422);
        const { error } = (await res.json()) as { error: { issues: { path: string }[] } };
        expect(error.issues.map((i) => i.path)).toContain(path);
      });
    }

    it('stored none of them, and takes the same bodies without the bad character', async () => {
      expect(await store.countByState()).toEqual({ pending: 0, registered: 0, rejected: 0, expired: 0 });
      expect((await post('consent', consent({ notice: { version: 'v1 ünicode ✓ 𝒱', hash: 'sha256:' + '0'.repeat(64) } }))).status).toBe(202);
      expect((await post('batch', { records: [batchRecord()] })).status).toBe(202);
      expect((await store.countByState()).pending).toBe(2);
    });
  });
}
