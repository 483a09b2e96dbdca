import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import type { ConsentShowQuery } from '../../shared/iletimerkezi.ts';
import type { IysRecord } from '../../shared/iys-record.ts';
import { maskRecipient } from '../../shared/recipient.ts';
import { TURKEY_TIME_PATTERN, formatTurkeyTime } from '../../shared/turkey-time.ts';
import { createIletiMerkeziClient, type IletiMerkeziClient, type IletiMerkeziClientOptions } from '../../server/iletimerkezi/client.ts';
import { createLogger } from '../../server/log/logger.ts';
import { createSandbox } from '../../server/sandbox/sandbox-app.ts';
import { startSandboxServer } from '../../server/sandbox/sandbox-server.ts';
import { mobileOf, webRecord } from '../fixtures/records.ts';

const API_KEY = 'KEY-7f3a9c1e55';
const API_HASH = 'HASH-b2d4e6f80a';
const BRAND = 1234;

const logLines: string[] = [];
const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void logLines.push(line) } });

const rec = (i: number, over: Partial<IysRecord> = {}): IysRecord => webRecord(mobileOf(i), over);
const recs = (n: number) => Array.from({ length: n }, (_, i) => rec(i));

const sandbox = createSandbox({ apiKey: API_KEY, apiHash: API_HASH, brandCode: BRAND });
let sandboxUrl: string;
let closeSandbox: () => Promise<void>;
const clients: IletiMerkeziClient[] = [];

function client(over: Partial<IletiMerkeziClientOptions> = {}): IletiMerkeziClient {
  const c = createIletiMerkeziClient({
    baseUrl: sandboxUrl,
    apiKey: API_KEY,
    apiHash: API_HASH,
    brandCode: BRAND,
    connectTimeoutMs: 5_000,
    headersTimeoutMs: 20_000,
    bodyTimeoutMs: 20_000,
    logger,
    ...over,
  });
  clients.push(c);
  return c;
}

/** A tiny server answering every request with the given handler, for answers the sandbox never gives. */
async function rawServer(handle: (req: IncomingMessage, body: string, res: ServerResponse) => void): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => handle(req, body, res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
const rawServers: Server[] = [];

beforeAll(async () => {
  const started = await startSandboxServer(sandbox);
  sandboxUrl = started.url;
  closeSandbox = started.close;
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  for (const s of rawServers) {
    s.closeAllConnections();
    s.close();
  }
  await closeSandbox();
});

beforeEach(() => sandbox.reset());

describe('iletiMerkezi client against the sandbox over HTTP', () => {
  test('accepted: 200, records stored', async () => {
    const outcome = await client().send(recs(3));
    expect(outcome).toEqual({ kind: 'accepted', code: 200, message: 'İşlem başarılı' });
    expect(sandbox.state.records().map((r) => r.recipient)).toEqual(recs(3).map((r) => r.recipient));
  });

  test('records refused: 422 for one bad record, nothing stored (atomic)', async () => {
    sandbox.configure({ refuseRecipients: [rec(1).recipient] });
    const outcome = await client().send(recs(3));
    expect(outcome).toEqual({ kind: 'records-refused', code: 422, message: 'İstekte gönderilen bazı değerler doğrulanamadı' });
    expect(sandbox.state.records()).toHaveLength(0);
  });

  test('records refused: ONAY after ONAY is refused by the strict sandbox', async () => {
    const c = client();
    expect((await c.send([rec(1)])).kind).toBe('accepted');
    expect(await c.send([rec(1, { consentDate: formatTurkeyTime(Date.now()) })])).toMatchObject({ kind: 'records-refused', code: 422 });
    expect(sandbox.state.records()).toHaveLength(1);
  });

  test('too many: 475 above 5000 records', async () => {
    const outcome = await client().send(recs(5001));
    expect(outcome).toEqual({ kind: 'too-many', code: 475, message: 'Alıcı sayısı 5000 kişiyi geçemez' });
    expect(sandbox.state.records()).toHaveLength(0);
  });

  test('account 401: wrong credentials, and API access switched off', async () => {
    expect(await client({ apiHash: 'HASH-wrong-000' }).send(recs(1))).toEqual({ kind: 'account', code: 401, message: 'Üyelik bilgileri hatalı' });
    sandbox.configure({ apiAccess: false });
    expect(await client().send(recs(1))).toMatchObject({ kind: 'account', code: 401 });
  });

  test('account 403: no subscription, and a brandCode not the account’s', async () => {
    sandbox.configure({ subscription: false });
    expect(await client().send(recs(1))).toEqual({ kind: 'account', code: 403, message: 'Aktif abonelik bulunamadı' });
    sandbox.configure({ subscription: true });
    expect(await client({ brandCode: '9999' }).send(recs(1))).toMatchObject({ kind: 'account', code: 403 });
  });

  test('account 405: monthly quota used up', async () => {
    sandbox.configure({ monthlyQuota: 2 });
    expect((await client().send(recs(2))).kind).toBe('accepted');
    expect(await client().send([rec(9)])).toEqual({ kind: 'account', code: 405, message: 'Aylık kota aşıldı' });
    expect(sandbox.state.records()).toHaveLength(2);
  });

  test('transient: 5xx from failureRate 1, nothing stored', async () => {
    sandbox.configure({ faults: { failureRate: 1 } });
    const outcome = await client().send(recs(2));
    expect(outcome.kind).toBe('transient');
    expect([500, 503]).toContain(outcome.code);
    expect(sandbox.state.records()).toHaveLength(0);
  });

  test('transient: 429 with Retry-After seconds', async () => {
    sandbox.configure({ faults: { throttleRate: 1, retryAfterS: 3 } });
    expect(await client().send(recs(1))).toMatchObject({ kind: 'transient', code: 429, retryAfterMs: 3000 });
  });

  test('records refused: HTTP 200 whose body says 422', async () => {
    const { url, server } = await rawServer((_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ response: { status: { code: 422, message: 'İstekte gönderilen bazı değerler doğrulanamadı' } } }));
    });
    rawServers.push(server);
    expect(await client({ baseUrl: url }).send(recs(1))).toEqual({
      kind: 'records-refused',
      code: 422,
      message: 'İstekte gönderilen bazı değerler doğrulanamadı',
    });
  });

  test('ambiguous: an unparseable 200 body is never an acceptance (it may have been stored)', async () => {
    const { url, server } = await rawServer((_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body>Bakım çalışması</body></html>');
    });
    rawServers.push(server);
    const outcome = await client({ baseUrl: url }).send(recs(1));
    expect(outcome).toMatchObject({ kind: 'ambiguous', code: null });
    expect(outcome.message).toContain('Bakım çalışması');
  });

  test('ambiguous: headers timeout after the body was sent, and the sandbox did store it', async () => {
    sandbox.configure({ faults: { delayMs: 3_000 } });
    const outcome = await client({ headersTimeoutMs: 300 }).send(recs(2));
    expect(outcome).toMatchObject({ kind: 'ambiguous', code: null });
    expect(outcome.message).toMatch(/Headers Timeout/i);
    // The sandbox stores before its delay; on a loaded machine it may get there after the client gave up.
    await vi.waitFor(() => expect(sandbox.state.records()).toHaveLength(2), { timeout: 10_000 });
  });

  test('ambiguous: connection dropped after storing', async () => {
    sandbox.configure({ faults: { dropRate: 1 } });
    const outcome = await client().send(recs(2));
    expect(outcome).toMatchObject({ kind: 'ambiguous', code: null });
    expect(sandbox.state.records()).toHaveLength(2);
    expect(sandbox.state.counts()).toEqual({ dropped: 1 });
  });

  test('transient: connection refused, nothing was sent', async () => {
    const { url, server } = await rawServer(() => undefined);
    await new Promise((r) => server.close(r));
    const outcome = await client({ baseUrl: url }).send(recs(1));
    expect(outcome).toMatchObject({ kind: 'transient', code: null });
    expect(outcome.message).toContain('ECONNREFUSED');
  });

  test('posts the documented envelope to the base URL’s path', async () => {
    let seen: { path?: string; type?: string; body?: unknown } = {};
    const { url, server } = await rawServer((req, body, res) => {
      seen = { path: req.url, type: req.headers['content-type'], body: JSON.parse(body) };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ response: { status: { code: 200, message: 'İşlem başarılı' } } }));
    });
    rawServers.push(server);
    await client({ baseUrl: `${url}/prefix/`, brandCode: '1234' }).send([rec(1)]);
    expect(seen).toEqual({
      path: '/prefix/v1/consent/create/json',
      type: 'application/json',
      body: { request: { authentication: { key: API_KEY, hash: API_HASH }, consent: { brandCode: '1234', list: [rec(1)] } } },
    });
  });

  test('one keep-alive pool: sequential sends reuse their connections', async () => {
    let connections = 0;
    const server = serve({ fetch: sandbox.app.fetch, hostname: '127.0.0.1', port: 0 });
    server.on('connection', () => connections++);
    await new Promise<void>((r) => server.once('listening', () => r()));
    rawServers.push(server as Server);
    const c = client({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    for (let i = 0; i < 10; i++) expect((await c.send([rec(100 + i)])).kind).toBe('accepted');
    // The pool may open a second socket while the first is being released; never one per request.
    expect(connections).toBeGreaterThanOrEqual(1);
    expect(connections).toBeLessThanOrEqual(2);
  });

  test('credentials never in an outcome message or a log line, even when the service echoes them', async () => {
    const { url, server } = await rawServer((_req, body, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ response: { status: { code: 422, message: `bad request: ${body}` } } }));
    });
    rawServers.push(server);
    const echoed = await client({ baseUrl: url }).send(recs(1));
    expect(echoed.kind).toBe('records-refused');
    expect(echoed.message).toContain('[redacted]');
    expect(echoed.message).not.toContain(API_KEY);
    expect(echoed.message).not.toContain(API_HASH);
    const all = logLines.join('\n');
    expect(logLines.length).toBeGreaterThan(0);
    expect(all).not.toContain(API_KEY);
    expect(all).not.toContain(API_HASH);
  });
});

describe('consent/show against the sandbox over HTTP', () => {
  const key = (i: number, over: Partial<ConsentShowQuery> = {}): ConsentShowQuery => ({ recipient: rec(i).recipient, recipientType: 'BIREYSEL', type: 'MESAJ', ...over });
  const ourOnay = rec(1, { consentDate: formatTurkeyTime(Date.now() - 3600_000) });

  test('found: what consent/create stored, with İYS’s creationDate kept as an extra', async () => {
    const c = client();
    expect((await c.send([ourOnay])).kind).toBe('accepted');
    const outcome = await c.show(key(1));
    expect(outcome).toEqual({
      kind: 'found',
      code: 200,
      message: 'İşlem başarılı',
      consent: { status: 'ONAY', source: 'HS_WEB', consentDate: ourOnay.consentDate, extras: { creationDate: expect.stringMatching(TURKEY_TIME_PATTERN) } },
    });
  });

  test('none, 422: the recipient has no İYS record at all', async () => {
    expect(await client().show(key(2))).toMatchObject({ kind: 'none', code: 422 });
  });

  test('none, 200 with consent: []: records of the recipient, none of this channel or recipient type', async () => {
    const c = client();
    expect((await c.send([ourOnay])).kind).toBe('accepted');
    expect(await c.show(key(1, { type: 'ARAMA' }))).toEqual({ kind: 'none', code: 200, message: 'İşlem başarılı' });
    expect(await c.show(key(1, { recipientType: 'TACIR' }))).toMatchObject({ kind: 'none', code: 200 });
  });

  test('none, 200 with consent: []: a brand code İYS does not know for the account (as observed upstream)', async () => {
    expect((await client().send([ourOnay])).kind).toBe('accepted');
    expect(await client({ brandCode: '9999' }).show(key(1))).toMatchObject({ kind: 'none', code: 200 });
  });

  test('account 401: wrong credentials, and API access switched off', async () => {
    expect(await client({ apiHash: 'HASH-wrong-000' }).show(key(1))).toEqual({ kind: 'account', code: 401, message: 'Üyelik bilgileri hatalı' });
    sandbox.configure({ apiAccess: false });
    expect(await client().show(key(1))).toMatchObject({ kind: 'account', code: 401 });
  });

  test('account 403: no subscription', async () => {
    sandbox.configure({ subscription: false });
    expect(await client().show(key(1))).toEqual({ kind: 'account', code: 403, message: 'Aktif abonelik bulunamadı' });
  });

  test('transient: 5xx from failureRate 1', async () => {
    sandbox.configure({ faults: { failureRate: 1 } });
    const outcome = await client().show(key(1));
    expect(outcome.kind).toBe('transient');
    expect([500, 503]).toContain(outcome.code);
  });

  test('transient: 429 with Retry-After seconds', async () => {
    sandbox.configure({ faults: { throttleRate: 1, retryAfterS: 3 } });
    expect(await client().show(key(1))).toMatchObject({ kind: 'transient', code: 429, retryAfterMs: 3000 });
  });

  test('transient: the answer dropped after judging (a read changed nothing, so never ambiguous)', async () => {
    expect((await client().send([ourOnay])).kind).toBe('accepted');
    sandbox.configure({ faults: { dropRate: 1 } });
    expect(await client().show(key(1))).toMatchObject({ kind: 'transient', code: null });
    expect(sandbox.state.showCounts()).toEqual({ dropped: 1 });
    expect(sandbox.state.showRequests()[0]).toMatchObject({ code: 200, dropped: true, recipient: key(1).recipient, type: 'MESAJ' });
  });

  test('transient: connection refused, nothing was sent', async () => {
    const { url, server } = await rawServer(() => undefined);
    await new Promise((r) => server.close(r));
    const outcome = await client({ baseUrl: url }).show(key(1));
    expect(outcome).toMatchObject({ kind: 'transient', code: null });
    expect(outcome.message).toContain('ECONNREFUSED');
  });

  test('unreadable: an HTTP 200 maintenance page is neither found nor none, and its excerpt is kept', async () => {
    const { url, server } = await rawServer((_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body>Bakım çalışması</body></html>');
    });
    rawServers.push(server);
    expect(await client({ baseUrl: url }).show(key(1))).toMatchObject({ kind: 'unreadable', code: 200, excerpt: '<html><body>Bakım çalışması</body></html>' });
  });

  test('found: the record as a one-element list, every further field kept; the documented envelope and path', async () => {
    let seen: { path?: string; body?: unknown } = {};
    const { url, server } = await rawServer((req, body, res) => {
      seen = { path: req.url, body: JSON.parse(body) };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ response: { status: { code: 200, message: 'İşlem başarılı' }, consent: [{
        type: 'MESAJ', source: 'IYS_3338', recipient: key(1).recipient, recipientType: 'BIREYSEL', status: 'RET',
        consentDate: '2026-05-10 11:40:00', creationDate: '2026-05-10 11:40:02', transactionId: 'abc123', retailerAccessCount: 0,
      }] } }));
    });
    rawServers.push(server);
    const outcome = await client({ baseUrl: `${url}/prefix/`, brandCode: '1234' }).show(key(1));
    expect(seen).toEqual({
      path: '/prefix/v1/consent/show/json',
      body: { request: { authentication: { key: API_KEY, hash: API_HASH }, consent: { brandCode: '1234', ...key(1) } } },
    });
    expect(outcome).toEqual({
      kind: 'found', code: 200, message: 'İşlem başarılı',
      consent: { status: 'RET', source: 'IYS_3338', consentDate: '2026-05-10 11:40:00', extras: { creationDate: '2026-05-10 11:40:02', transactionId: 'abc123', retailerAccessCount: 0 } },
    });
  });

  test('a panel entry, then show: İYS holds the panel’s ONAY, and our own ONAY is refused as a duplicate', async () => {
    const entry = sandbox.changeElsewhere({ origin: 'panel', recipient: key(1).recipient, type: 'MESAJ', status: 'ONAY', source: 'HS_FIZIKSEL_ORTAM', consentDate: formatTurkeyTime(Date.now() - 2 * 3600_000) });
    expect(entry).toMatchObject({ ok: true, record: { origin: 'panel', requestNo: null } });
    const c = client();
    expect(await c.show(key(1))).toMatchObject({ kind: 'found', consent: { status: 'ONAY', source: 'HS_FIZIKSEL_ORTAM' } });
    expect(await c.send([ourOnay])).toMatchObject({ kind: 'records-refused' });
  });

  test('a citizen’s RET through the short message, then show: the RET and its IYS_* source', async () => {
    const c = client();
    expect((await c.send([ourOnay])).kind).toBe('accepted');
    const ret = sandbox.changeElsewhere({ origin: 'citizen', recipient: key(1).recipient, type: 'MESAJ', status: 'RET', source: 'IYS_3338' });
    expect(ret).toMatchObject({ ok: true, record: { origin: 'citizen', status: 'RET', source: 'IYS_3338' } });
    const outcome = await c.show(key(1));
    expect(outcome).toMatchObject({ kind: 'found', consent: { status: 'RET', source: 'IYS_3338' } });
    if (outcome.kind === 'found') expect(outcome.consent.consentDate).toBe(ret.ok ? ret.record.consentDate : '');
    // Another channel of the same recipient is untouched.
    expect(await c.show(key(1, { type: 'ARAMA' }))).toMatchObject({ kind: 'none', code: 200 });
  });

  test('a refused panel entry (RET first) changes nothing: show still finds no record', async () => {
    const refused = sandbox.changeElsewhere({ origin: 'panel', recipient: key(3).recipient, type: 'MESAJ', status: 'RET', source: 'HS_KARAR' });
    expect(refused).toEqual({ ok: false, reason: 'the first record of a recipient and channel cannot be RET' });
    expect(sandbox.state.records()).toHaveLength(0);
    expect(await client().show(key(3))).toMatchObject({ kind: 'none', code: 422 });
  });

  test('reads cost no quota and are counted apart from consent/create', async () => {
    sandbox.configure({ monthlyQuota: 1 });
    const c = client();
    expect((await c.send([ourOnay])).kind).toBe('accepted');
    for (let i = 0; i < 3; i++) expect((await c.show(key(1))).kind).toBe('found');
    expect(await c.show(key(2))).toMatchObject({ kind: 'none', code: 422 });
    expect(sandbox.state.usage().used).toBe(1);
    expect(sandbox.state.counts()).toEqual({ '200': 1 });
    expect(sandbox.state.showCounts()).toEqual({ '200': 3, '422': 1 });
    expect(sandbox.state.showRequests().map((r) => r.requestNo)).toEqual([1, 2, 3, 4]);
  });

  test('a query that is not a normalised key is a caller’s bug: it throws and nothing is sent', async () => {
    await expect(client().show({ recipient: '0532 123 45 67', recipientType: 'BIREYSEL', type: 'MESAJ' })).rejects.toThrow(/recipient/);
    await expect(client().show({ recipient: 'ayse@example.com', recipientType: 'BIREYSEL', type: 'MESAJ' })).rejects.toThrow(/phone/);
    expect(sandbox.state.showCounts()).toEqual({});
  });

  test('a log line per call, the recipient masked, the credentials nowhere, even when echoed', async () => {
    const { url, server } = await rawServer((_req, body, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ response: { status: { code: 422, message: `kayıt yok: ${body}` } } }));
    });
    rawServers.push(server);
    const before = logLines.length;
    const echoed = await client({ baseUrl: url }).show(key(7));
    expect(echoed.kind).toBe('none');
    expect(echoed.message).toContain('[redacted]');
    expect(echoed.message).not.toContain(API_KEY);
    const lines = logLines.slice(before).map((l) => JSON.parse(l) as { event: string; recipient: string; msg: string });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ event: 'iletimerkezi.show', recipient: maskRecipient(key(7).recipient) });
    const text = logLines.slice(before).join('\n');
    expect(text).not.toContain(key(7).recipient);
    expect(text).not.toContain(API_KEY);
    expect(text).not.toContain(API_HASH);
  });
});
