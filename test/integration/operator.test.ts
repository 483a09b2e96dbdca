import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BATCH_BODY_LIMIT, batchRoutes } from '../../server/intake/batch-route.ts';
import { consentRoutes } from '../../server/intake/consent-route.ts';
import { testConfig } from '../../server/runtime/config.ts';
import { silentLogger } from '../../server/log/logger.ts';
import { SqliteStore } from '../../server/stores/sqlite-store.ts';
import { parseCsv } from '../../server/cli/csv.ts';
import { RECEIPT_FIELDS } from '../../server/admin/export-format.ts';
import { intakeHeadroomMs } from '../../shared/sendability.ts';
import { formatTurkeyTime } from '../../shared/turkey-time.ts';
import { ADMIN_TOKEN, startOperator, type OperatorServer } from './operator-harness.ts';

const nowTurkey = (offsetMs = 0) => formatTurkeyTime(Date.now() + offsetMs);
const record = (over: Record<string, unknown> = {}) => ({ recipient: '0532 123 45 67', type: 'MESAJ', source: 'HS_CAGRI_MERKEZI', consentDate: nowTurkey(-60_000), ...over });

function postBatch(s: OperatorServer, body: unknown, headers: Record<string, string> = s.auth) {
  return fetch(`${s.url}/v1/consents/batch`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}
const sample = (text: string, name: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
};
const scrape = async (s: OperatorServer) => (await fetch(`${s.url}/metrics`)).text();

const ADMIN_CALLS = [
  { name: 'GET /v1/consents', call: (s: OperatorServer, h: Record<string, string>) => fetch(`${s.url}/v1/consents?recipient=05321234567`, { headers: h }) },
  { name: 'POST /v1/consents/batch', call: (s: OperatorServer, h: Record<string, string>) => postBatch(s, { records: [record({ recipient: '0532 000 00 01' })] }, h) },
  { name: 'GET /v1/export', call: (s: OperatorServer, h: Record<string, string>) => fetch(`${s.url}/v1/export?format=csv`, { headers: h }) },
];

describe('admin endpoints and the token', () => {
  let s: OperatorServer;
  let off: OperatorServer;
  beforeAll(async () => {
    [s, off] = await Promise.all([startOperator(), startOperator({ adminToken: null })]);
  });
  afterAll(async () => {
    await Promise.all([s?.close(), off?.close()]);
  });

  for (const { name, call } of ADMIN_CALLS) {
    it(`${name}: 401 without a token or with a wrong one, 2xx with the right one`, async () => {
      const none = await call(s, {});
      expect(none.status).toBe(401);
      expect(await none.json()).toMatchObject({ error: { code: 'unauthorized' } });
      expect((await call(s, { authorization: 'Bearer not-the-token' })).status).toBe(401);
      const ok = await call(s, s.auth);
      expect([200, 202]).toContain(ok.status);
      await ok.body?.cancel();
    });

    it(`${name}: 403 naming IYS_ADMIN_TOKEN when no token is configured`, async () => {
      const res = await call(off, { authorization: `Bearer ${ADMIN_TOKEN}` });
      expect(res.status).toBe(403);
      expect((await res.json()).error.message).toContain('IYS_ADMIN_TOKEN');
    });
  }

  it('answers 429 after ten failed attempts from one address, then even the right token waits', async () => {
    const locked = await startOperator();
    try {
      for (let i = 0; i < 10; i++) expect((await fetch(`${locked.url}/v1/export`, { headers: { authorization: `Bearer guess-${i}` } })).status).toBe(401);
      const res = await fetch(`${locked.url}/v1/export`, { headers: locked.auth });
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await locked.close();
    }
  });

  it('does not count requests without a token as failed logins: twenty anonymous ones do not lock the operator out', async () => {
    const shared = await startOperator();
    try {
      for (let i = 0; i < 20; i++) {
        const anonymous = await fetch(`${shared.url}/v1/export`, { headers: i % 2 ? {} : { authorization: 'Basic b3BlcmF0b3I6' } });
        expect(anonymous.status).toBe(401);
        await anonymous.body?.cancel();
      }
      const res = await fetch(`${shared.url}/v1/export`, { headers: shared.auth });
      expect(res.status).toBe(200);
      await res.body?.cancel();
    } finally {
      await shared.close();
    }
  });

  it('leaves the public POST /v1/consents without a token', async () => {
    const res = await fetch(`${s.url}/v1/consents`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ recipient: '0532 123 45 99', channels: ['MESAJ'], consentDate: nowTurkey() }) });
    expect(res.status).toBe(202);
  });
});

describe('batch, lookup and export', () => {
  let s: OperatorServer;
  beforeAll(async () => {
    s = await startOperator();
  });
  afterAll(async () => s?.close());

  it('stores a good batch of mixed sources and finds it by any form of the recipient, with evidence', async () => {
    const res = await postBatch(s, {
      records: [record({ consentDate: nowTurkey(-120_000) }), record({ type: 'ARAMA', source: 'HS_ISLAK_IMZA' }), record({ recipient: 'Veli@Example.com', type: 'EPOSTA', source: 'HS_ETKINLIK', recipientType: 'TACIR' })],
    }, { ...s.auth, 'user-agent': 'crm-sync/1.0' });
    expect(res.status).toBe(202);
    const body = await res.json();
    expect(body).toMatchObject({ state: 'pending', ids: expect.any(Array) });
    expect(body.ids).toHaveLength(3);
    expect((await s.store.byIds(body.ids)).map((r) => r.state)).toEqual(['pending', 'pending', 'pending']);

    const found = await (await fetch(`${s.url}/v1/consents?recipient=${encodeURIComponent('+90 (532) 123-45-67')}`, { headers: s.auth })).json();
    expect(found.recipient).toBe('+905321234567');
    expect(found.records).toHaveLength(2);
    expect(found.records[0]).toMatchObject({ type: 'MESAJ', source: 'HS_CAGRI_MERKEZI', state: 'pending', attempts: 0, attemptLog: [], evidence: { rawRecipient: '0532 123 45 67', userAgent: 'crm-sync/1.0' } });
    expect(found.records[0].registeredAt).toBeUndefined();

    const mail = await (await fetch(`${s.url}/v1/consents?recipient=VELI@example.com`, { headers: s.auth })).json();
    expect(mail).toMatchObject({ recipient: 'veli@example.com', records: [{ type: 'EPOSTA', recipientType: 'TACIR' }] });
  });

  it('refuses a batch with bad records, naming each by index and field, and stores none', async () => {
    const before = await s.store.countByState();
    const res = await postBatch(s, {
      records: [record({ recipient: '0532 111 22 33' }), record({ recipient: '12' }), record({ recipient: '0532 111 22 34' }), record({ source: 'IYS_WEB' }), record({ consentDate: '2026-13-01 00:00:00' }), 'not a record'],
    });
    expect(res.status).toBe(422);
    const { error } = await res.json();
    expect(error.code).toBe('invalid-records');
    expect(error.issues.map((i: { path: string }) => i.path)).toEqual(['records.1.recipient', 'records.3.source', 'records.4.consentDate', 'records.5']);
    expect(await s.store.countByState()).toEqual(before);
  });

  it('refuses records the İYS state rules would refuse, judged against the ledger and the batch itself, and stores none', async () => {
    const stored = await postBatch(s, { records: [record({ recipient: '0532 444 00 01', consentDate: nowTurkey(-600_000) })] });
    expect(stored.status).toBe(202);
    const before = await s.store.countByState();
    const res = await postBatch(s, {
      records: [
        record({ recipient: '0532 444 00 01', consentDate: nowTurkey(-300_000) }), // ONAY after the ledger's ONAY
        record({ recipient: '0532 444 00 02', status: 'RET' }), // RET first
        record({ recipient: '0532 444 00 03', status: 'RET', source: 'HS_KARAR' }), // HS_KARAR RET first, too
        record({ recipient: '0532 444 00 04', consentDate: nowTurkey(-300_000) }),
        record({ recipient: '0532 444 00 04', consentDate: nowTurkey(-200_000) }), // second ONAY in the batch
        record({ recipient: '0532 444 00 05', consentDate: nowTurkey(-300_000) }),
        record({ recipient: '0532 444 00 05', consentDate: nowTurkey(-300_000) }), // exact duplicate row
        record({ recipient: '0532 444 00 01', status: 'RET', consentDate: nowTurkey(-100_000) }), // fine: withdraws the ledger's ONAY
      ],
    });
    expect(res.status).toBe(422);
    const { error } = await res.json();
    expect(error.code).toBe('invalid-records');
    expect(error.issues.map((i: { path: string }) => i.path)).toEqual(['records.0.status', 'records.1.status', 'records.2.status', 'records.4.status', 'records.6.consentDate']);
    expect(error.issues[0].message).toMatch(/ONAY after ONAY: the ledger's pending ONAY record/);
    expect(error.issues[3].message).toMatch(/records\.3/);
    expect(error.message).toMatch(/^5 of 8 records are bad/);
    expect(await s.store.countByState()).toEqual(before);
  });

  it('honours an idempotency key on a batch: a retried upload gets the same ids, another batch with the key 409', async () => {
    const body = { idempotencyKey: 'crm-upload-2026-11-26', records: [record({ recipient: '0532 555 00 01' }), record({ recipient: '0532 555 00 02', type: 'ARAMA' })] };
    const first = await postBatch(s, body);
    expect(first.status).toBe(202);
    const { ids } = await first.json();
    const again = await postBatch(s, body);
    expect(again.status).toBe(202);
    expect((await again.json()).ids).toEqual(ids);
    expect(await s.store.byRecipient('+905325550001')).toHaveLength(1);
    expect((await s.store.byRecipient('+905325550001'))[0]!.evidence.idempotencyKey).toBe('crm-upload-2026-11-26');

    const other = await postBatch(s, { ...body, records: [record({ recipient: '0532 555 00 03' })] });
    expect(other.status).toBe(409);
    expect((await other.json()).error).toMatchObject({ code: 'idempotency-key-reused', issues: [{ path: 'idempotencyKey' }] });
    expect(await s.store.byRecipient('+905325550003')).toEqual([]);
    expect((await postBatch(s, { ...body, idempotencyKey: 'x' })).status).toBe(422);
  });

  it('answers 503 store-unavailable with Retry-After when the ledger fails, never a 500', async () => {
    const insert = s.store.insert;
    s.store.insert = () => Promise.reject(new Error('SQLITE_IOERR: disk I/O error'));
    try {
      const res = await postBatch(s, { records: [record({ recipient: '0532 555 00 09' })] });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      const { error } = await res.json();
      expect(error.code).toBe('store-unavailable');
      expect(error.message).not.toContain('SQLITE');
    } finally {
      s.store.insert = insert;
    }
    expect(await s.store.byRecipient('+905325550009')).toEqual([]);
  });

  it('answers 400 for a body that is not JSON and 422 for one without records', async () => {
    expect((await postBatch(s, '{"records": [')).status).toBe(400);
    const empty = await postBatch(s, { records: [] });
    expect(empty.status).toBe(422);
    expect((await empty.json()).error.issues[0].path).toBe('records');
  });

  it('refuses a body over 64 MB with 413 before reading it, and one that is not UTF-8 with 400, in its own words', async () => {
    // The declared length is enough: nothing is read past it.
    const large = await s.app.request('/v1/consents/batch', { method: 'POST', headers: { ...s.auth, 'content-length': String(BATCH_BODY_LIMIT + 1) }, body: '{}' });
    expect(large.status).toBe(413);
    expect(await large.json()).toEqual({ error: { code: 'body-too-large', message: 'the body is over 64 MB: send the records in several batches' } });
    const broken = await s.app.request('/v1/consents/batch', { method: 'POST', headers: s.auth, body: new Uint8Array([0x7b, 0xc3, 0x28, 0x7d]) });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toEqual({ error: { code: 'body-unreadable', message: 'the body is not UTF-8 text' } });
  });

  it('answers 422 naming recipient for a recipient that is neither phone nor e-mail', async () => {
    for (const q of ['?recipient=12ab', '']) {
      const res = await fetch(`${s.url}/v1/consents${q}`, { headers: s.auth });
      expect(res.status).toBe(422);
      expect((await res.json()).error.issues[0].path).toBe('recipient');
    }
  });

  it('takes a batch of 20 000 records (a few MB) in one go', async () => {
    const records = Array.from({ length: 20_000 }, (_, i) => record({ recipient: `0533${String(i).padStart(7, '0')}`, source: 'HS_FIZIKSEL_ORTAM' }));
    const text = JSON.stringify({ records });
    expect(text.length).toBeGreaterThan(2_000_000);
    const res = await postBatch(s, text);
    expect(res.status).toBe(202);
    expect((await res.json()).ids).toHaveLength(20_000);
    expect((await s.store.countByState()).pending).toBeGreaterThanOrEqual(20_000);
  });

  it('exports NDJSON and CSV receipts within the bounds, with evidence', async () => {
    const from = encodeURIComponent(formatTurkeyTime(Date.now() - 3600_000));
    const nd = await fetch(`${s.url}/v1/export?from=${from}&format=ndjson`, { headers: s.auth });
    expect(nd.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = (await nd.text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThanOrEqual(20_003);
    expect(lines.find((l) => l.piiPrincipalId === 'veli@example.com')).toMatchObject({
      jurisdiction: 'TR', collectionMethod: 'HS_ETKINLIK', channel: 'EPOSTA', piiPrincipalType: 'TACIR', consentEvent: 'given', state: 'pending', userAgent: 'crm-sync/1.0',
    });

    const csv = await fetch(`${s.url}/v1/export?from=${from}&to=2100-01-01&format=csv`, { headers: s.auth });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.headers.get('content-disposition')).toMatch(/attachment; filename="iys-consent-.*\.csv"/);
    const parsed = parseCsv(await csv.text(), ',');
    if ('error' in parsed) throw new Error(parsed.error);
    expect(parsed.rows[0]!.fields).toEqual(RECEIPT_FIELDS);
    expect(parsed.rows).toHaveLength(lines.length + 1);
    const col = RECEIPT_FIELDS.indexOf('piiPrincipalId');
    expect(parsed.rows.some((r) => r.fields[col] === "'+905321234567")).toBe(true);

    const none = await fetch(`${s.url}/v1/export?to=2015-06-01`, { headers: s.auth });
    expect(await none.text()).toBe('');
  });

  it('shows a reason only for rejected and expired records, never the dispatcher\'s bookkeeping', async () => {
    const phones = ['0532 777 00 01', '0532 777 00 02', '0532 777 00 03', '0532 777 00 04'];
    const res = await postBatch(s, { records: phones.map((recipient) => record({ recipient })) });
    const [registered, pending, rejected, expired] = (await res.json()).ids as string[];
    const at = Date.now();
    await s.store.logAttempt([registered!, pending!, rejected!], { at, outcome: 'sending', code: null, message: 'sent, no answer recorded yet', batchSize: 3, doubt: 'sending' });
    await s.store.logAttempt([registered!], { at, outcome: 'accepted', code: 200, message: 'İşlem başarılı', batchSize: 3, counted: false, doubt: 'stored' });
    await s.store.logAttempt([pending!], { at, outcome: 'ambiguous', code: null, message: 'socket hang up', batchSize: 3, counted: false, doubt: 'lost' });
    await s.store.markRegistered([registered!], at);
    await s.store.markRejected([rejected!], 'H174: the recipient withdrew earlier', at);
    await s.store.markExpired([expired!], 'past the 72-hour İYS deadline', at);
    const expected: Record<string, string | null> = { [registered!]: null, [pending!]: null, [rejected!]: 'H174: the recipient withdrew earlier', [expired!]: 'past the 72-hour İYS deadline' };

    for (const phone of phones) {
      const { records } = await (await fetch(`${s.url}/v1/consents?recipient=${encodeURIComponent(phone)}`, { headers: s.auth })).json();
      expect(records).toHaveLength(1);
      expect(records[0].reason ?? null).toBe(expected[records[0].id]);
      expect('reason' in records[0]).toBe(expected[records[0].id] !== null);
    }
    // The attempt log keeps the answers: that is where an operator reads them.
    const reg = await (await fetch(`${s.url}/v1/consents?recipient=${encodeURIComponent(phones[0]!)}`, { headers: s.auth })).json();
    expect(reg.records[0].attemptLog.map((a: { message: string }) => a.message)).toContain('İşlem başarılı');

    const lines = (await (await fetch(`${s.url}/v1/export?format=ndjson`, { headers: s.auth })).text()).trim().split('\n').map((l) => JSON.parse(l));
    for (const id of Object.keys(expected)) expect(lines.find((l) => l.consentReceiptId === id).stateReason).toBe(expected[id]);
    const csv = parseCsv(await (await fetch(`${s.url}/v1/export?format=csv`, { headers: s.auth })).text(), ',');
    if ('error' in csv) throw new Error(csv.error);
    const col = (f: string) => RECEIPT_FIELDS.indexOf(f as (typeof RECEIPT_FIELDS)[number]);
    for (const id of Object.keys(expected)) {
      const row = csv.rows.find((r) => r.fields[col('consentReceiptId')] === id)!;
      expect(row.fields[col('stateReason')]).toBe(expected[id] ?? '');
    }
  });

  it('answers 422 naming from, to or format when they are unreadable', async () => {
    for (const [q, path] of [['from=yesterday', 'from'], ['to=2026-11-26T10:00', 'to'], ['format=xlsx', 'format'], ['from=2026-11-02&to=2026-11-01', 'to']]) {
      const res = await fetch(`${s.url}/v1/export?${q}`, { headers: s.auth });
      expect(res.status).toBe(422);
      expect((await res.json()).error.issues[0].path).toBe(path);
    }
  });
});

describe('metrics, health and logs', () => {
  let s: OperatorServer;
  beforeAll(async () => {
    s = await startOperator();
  });
  afterAll(async () => s?.close());

  it('moves the record gauges when records move, and counts iletiMerkezi outcomes', async () => {
    const before = await scrape(s);
    expect(sample(before, 'iys_store_up')).toBe(1);
    const pendingBefore = sample(before, 'iys_records{state="pending"}') ?? 0;
    const res = await postBatch(s, { records: [record({ recipient: '0532 222 00 01' }), record({ recipient: '0532 222 00 02' }), record({ recipient: '0532 222 00 03' })] });
    const { ids } = await res.json();
    let after = await scrape(s);
    expect(sample(after, 'iys_records{state="pending"}')).toBe(pendingBefore + 3);
    expect(sample(after, 'iys_oldest_pending_age_seconds')).toBeGreaterThanOrEqual(0);

    await s.store.markRegistered([ids[0]], Date.now());
    s.metrics.observeRequest('accepted', 3, 40);
    s.metrics.observeRequest('records-refused', 3, 50);
    after = await scrape(s);
    expect(sample(after, 'iys_records{state="pending"}')).toBe(pendingBefore + 2);
    expect(sample(after, 'iys_records{state="registered"}')).toBe(1);
    expect(sample(after, 'iys_iletimerkezi_requests_total{outcome="accepted"}')).toBe(1);
    expect(sample(after, 'iys_iletimerkezi_requests_total{outcome="records-refused"}')).toBe(1);
    expect(after).toContain('# TYPE iys_ingest_duration_seconds histogram');
  });

  it('says in /healthz (200: the collector still collects) and /metrics why sending is paused', async () => {
    expect(await (await fetch(`${s.url}/healthz`)).json()).toEqual({ status: 'ok' });
    s.pause.paused = true;
    s.pause.reason = '401';
    try {
      const res = await fetch(`${s.url}/healthz`);
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.status).toBe('degraded');
      expect(body.reasons.join(' ')).toMatch(/sending: paused: iletiMerkezi answered 401/);
      expect(sample(await scrape(s), 'iys_sending_paused{reason="401"}')).toBe(1);
    } finally {
      s.pause.paused = false;
    }
  });

  it('says in /healthz (200) and /metrics when iletiMerkezi has not answered for more than 30 s', async () => {
    expect(sample(await scrape(s), 'iys_iletimerkezi_reachable')).toBe(1);
    s.reach.now = { reachable: false, sinceMs: Date.now() - 45_000, lastError: 'connect ECONNREFUSED 203.0.113.9:443' };
    try {
      const res = await fetch(`${s.url}/healthz`);
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.status).toBe('degraded');
      expect(body.reasons).toEqual([expect.stringMatching(/^iletimerkezi: unreachable: no answer for 4\d s \(connect ECONNREFUSED 203\.0\.113\.9:443\)/)]);
      expect(sample(await scrape(s), 'iys_iletimerkezi_reachable')).toBe(0);
    } finally {
      s.reach.now = { reachable: true };
    }
  });

  it('puts a request id on every response and log line, masks phone numbers, never logs the token', async () => {
    const res = await fetch(`${s.url}/v1/consents?recipient=0532%20123%2045%2067`, { headers: { ...s.auth, 'x-request-id': 'trace-abc-123' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('trace-abc-123');
    const fresh = await fetch(`${s.url}/healthz`);
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    const lines = s.logs.map((l) => JSON.parse(l));
    const traced = lines.filter((l) => l.requestId === 'trace-abc-123');
    expect(traced.map((l) => l.msg)).toEqual(expect.arrayContaining(['admin looked up a recipient', 'request']));
    expect(traced.find((l) => l.event === 'admin.consents').recipient).toBe('+90532*****67');
    expect(traced.find((l) => l.msg === 'request')).toMatchObject({ path: '/v1/consents', status: 200 });
    const all = s.logs.join('\n');
    expect(all).not.toMatch(/5321234567|532 123 45 67|5322220001/);
    expect(all).not.toContain(ADMIN_TOKEN);
  });

  it('logs one admin.batch line per accepted batch, with the request id and the recipient masked', async () => {
    const res = await postBatch(s, { idempotencyKey: 'log-batch-0001', records: [record({ recipient: '0532 666 00 01' }), record({ recipient: '0532 666 00 02' })] }, { ...s.auth, 'x-request-id': 'trace-batch-0001' });
    expect(res.status).toBe(202);
    const line = s.logs.map((l) => JSON.parse(l)).find((l) => l.event === 'admin.batch' && l.requestId === 'trace-batch-0001');
    expect(line).toMatchObject({ count: 2, sample: '+90532*****01', idempotencyKey: 'log-batch-0001', duplicate: false, ip: '127.0.0.1' });
    expect(s.logs.join('\n')).not.toMatch(/5326660001/);
  });

  it('reports records near the İYS deadline, degraded but still ready', async () => {
    await postBatch(s, { records: [record({ recipient: '0532 333 00 01', consentDate: nowTurkey(-50 * 3600_000) })] });
    const res = await fetch(`${s.url}/healthz`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.status).toBe('degraded');
    expect(body.reasons.join(' ')).toMatch(/deadline: records near the İYS deadline/);
  });
});

describe('a huge batch does not hold up the widget\'s posts', () => {
  it('answers a consent posted while a 20 000-record batch is being validated before the batch', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'iys-interleave-'));
    const store = new SqliteStore(join(dir, 'ledger.db'));
    await store.init();
    const order: string[] = [];
    let url = '';
    let single: Promise<void> | undefined;
    const app = new Hono()
      .route('/', consentRoutes({ config: testConfig({ rateLimit: 0 }), store, logger: silentLogger }))
      .route('/', batchRoutes({
        store, auth: async (_c, next) => next(), clientIp: () => null, now: Date.now, headroomMs: intakeHeadroomMs(1000),
        // The first chunk is checked: the batch is in the middle of its validation now.
        onProgress: () => {
          single ??= fetch(`${url}/v1/consents`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ recipient: '0532 999 00 01', channels: ['MESAJ'], consentDate: nowTurkey() }) })
            .then((res) => void order.push(`consent ${res.status}`));
        },
      }));
    const server = await new Promise<Server>((resolve) => {
      const srv = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(srv as Server));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const records = Array.from({ length: 20_000 }, (_, i) => record({ recipient: `0534${String(i).padStart(7, '0')}`, source: 'HS_FIZIKSEL_ORTAM' }));
      const batch = fetch(`${url}/v1/consents/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ records }) })
        .then((res) => void order.push(`batch ${res.status}`));
      await batch;
      await single;
      expect(order).toEqual(['consent 202', 'batch 202']);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

