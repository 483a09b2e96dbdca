import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { IysRecord } from '../../shared/iys-record.ts';
import { formatTurkeyTime } from '../../shared/turkey-time.ts';
import { createIletiMerkeziClient, type IletiMerkeziClient } from '../../server/iletimerkezi/client.ts';
import { createLogger } from '../../server/log/logger.ts';
import { createSandbox, type SandboxSnapshot } from '../../server/sandbox/sandbox-app.ts';
import { logSandboxBanner, startSandboxServer } from '../../server/sandbox/sandbox-server.ts';
import { mobileOf, webRecord } from '../fixtures/records.ts';

const API_KEY = 'KEY-sandbox-1111';
const API_HASH = 'HASH-sandbox-2222';

const rec = (i: number, over: Partial<IysRecord> = {}): IysRecord => webRecord(mobileOf(i, '533'), over);

// The way the collector mounts it when IYS_SANDBOX=1: under a prefix of its own app.
const sandbox = createSandbox({ apiKey: API_KEY, apiHash: API_HASH, brandCode: 777 });
const parent = new Hono();
parent.get('/healthz', (c) => c.text('ok'));
parent.route('/sandbox', sandbox.app);
let server: Server;
let origin: string;
let client: IletiMerkeziClient;

const getState = async (): Promise<SandboxSnapshot> => (await fetch(`${origin}/sandbox/_sandbox/state`)).json() as Promise<SandboxSnapshot>;
const postJson = (path: string, body: unknown) =>
  fetch(`${origin}/sandbox${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

beforeAll(async () => {
  server = serve({ fetch: parent.fetch, hostname: '127.0.0.1', port: 0 }) as Server;
  await new Promise<void>((r) => server.once('listening', () => r()));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  client = createIletiMerkeziClient({ baseUrl: `${origin}/sandbox`, apiKey: API_KEY, apiHash: API_HASH, brandCode: 777, headersTimeoutMs: 20_000 });
});

afterAll(async () => {
  await client.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

beforeEach(() => sandbox.reset());

describe('sandbox mounted under /sandbox of another app', () => {
  test('answers consent/create relative to the mount and shows what it stored', async () => {
    expect(await client.send([rec(1), rec(2)])).toMatchObject({ kind: 'accepted', code: 200 });
    const state = await getState();
    expect(state.records.map((r) => [r.recipient, r.brandCode, r.requestNo])).toEqual([
      [rec(1).recipient, '777', 1],
      [rec(2).recipient, '777', 1],
    ]);
    expect(state.counts).toEqual({ '200': 1 });
    expect(state.requests).toEqual([
      expect.objectContaining({ requestNo: 1, records: 2, code: 200, message: 'İşlem başarılı', dropped: false }),
    ]);
    expect(state.requests[0]!.bytes).toBeGreaterThan(100);
    expect(state.usage).toMatchObject({ used: 2, quota: null });
  });

  test('the real answer shape: HTTP status = body code, Turkish message', async () => {
    const res = await postJson('/v1/consent/create/json', {
      request: { authentication: { key: API_KEY, hash: API_HASH }, consent: { brandCode: 777, list: [rec(1, { source: 'HS_FORM' as never })] } },
    });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({ response: { status: { code: 422, message: 'İstekte gönderilen bazı değerler doğrulanamadı' } } });
    const state = await getState();
    expect(state.requests[0]!.reason).toContain('source');
    expect(state.records).toEqual([]);
  });

  test('a body that is not JSON gets 401, never a 5xx', async () => {
    const res = await fetch(`${origin}/sandbox/v1/consent/create/json`, { method: 'POST', body: 'not json' });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ response: { status: { code: 401, message: 'Üyelik bilgileri hatalı' } } });
  });

  test('controls change behaviour at run time; reset restores the options given at creation', async () => {
    const res = await postJson('/_sandbox/controls', { faults: { failureRate: 1 }, duplicates: 'lenient', refuseRecipients: ['+905330000009'] });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ duplicates: 'lenient', refuseRecipients: ['+905330000009'], faults: { failureRate: 1, dropRate: 0 } });
    expect((await client.send([rec(1)])).kind).toBe('transient');

    await postJson('/_sandbox/controls', { faults: { failureRate: 0 } });
    expect((await client.send([rec(9)])).kind).toBe('records-refused');
    expect((await client.send([rec(1)])).kind).toBe('accepted');
    // lenient: the redundant ONAY is accepted and not stored twice
    expect((await client.send([rec(1, { consentDate: formatTurkeyTime(Date.now()) })])).kind).toBe('accepted');
    expect((await getState()).records).toHaveLength(1);

    expect((await postJson('/_sandbox/reset', {})).status).toBe(200);
    const state = await getState();
    expect(state.records).toEqual([]);
    expect(state.counts).toEqual({});
    expect(state.controls).toMatchObject({ duplicates: 'strict', refuseRecipients: [], faults: { failureRate: 0 } });
  });

  test('bad controls get a 400 naming the field, and change nothing', async () => {
    const res = await postJson('/_sandbox/controls', { faults: { failureRate: 2 } });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; issues: Array<{ path: string }> } };
    expect(body.error.code).toBe('invalid-controls');
    expect(body.error.issues.map((i) => i.path)).toEqual(['faults.failureRate']);
    expect((await getState()).controls.faults.failureRate).toBe(0);
    expect((await postJson('/_sandbox/controls', { nonsense: true })).status).toBe(400);
  });

  test('the state view never shows the credentials', async () => {
    await client.send([rec(1)]);
    const text = await (await fetch(`${origin}/sandbox/_sandbox/state`)).text();
    expect(text).not.toContain(API_KEY);
    expect(text).not.toContain(API_HASH);
  });

  test('dropRate works when mounted too: stored, then no answer', async () => {
    sandbox.configure({ faults: { dropRate: 1 } });
    expect(await client.send([rec(3)])).toMatchObject({ kind: 'ambiguous' });
    expect(sandbox.state.records()).toHaveLength(1);
    expect(sandbox.state.requests()[0]).toMatchObject({ code: 200, dropped: true });
  });

  test('a seed replays the same faults', async () => {
    const run = async () => {
      sandbox.reset();
      sandbox.configure({ faults: { failureRate: 0.5, seed: 42 } });
      const kinds: string[] = [];
      for (let i = 0; i < 12; i++) kinds.push((await client.send([rec(i)])).kind);
      return kinds;
    };
    const first = await run();
    expect(first).toContain('transient');
    expect(first).toContain('accepted');
    expect(await run()).toEqual(first);
  });

  test('the log keeps the last logSize requests', async () => {
    sandbox.configure({ logSize: 3 });
    for (let i = 0; i < 5; i++) await client.send([rec(i)]);
    expect(sandbox.state.requests().map((r) => r.requestNo)).toEqual([3, 4, 5]);
    expect(sandbox.state.counts()).toEqual({ '200': 5 });
  });
});

describe('consent/show and changes made elsewhere, mounted under /sandbox', () => {
  const phone = rec(1).recipient;
  const key = { recipient: phone, recipientType: 'BIREYSEL' as const, type: 'MESAJ' as const };
  const showBody = (consent: Record<string, unknown>) => ({ request: { authentication: { key: API_KEY, hash: API_HASH }, consent: { brandCode: 777, ...key, ...consent } } });

  test('the real answer shapes: the record in İYS’s single-status shape, [] and 422', async () => {
    await client.send([rec(1, { consentDate: formatTurkeyTime(Date.now() - 3600_000) })]);
    const found = await postJson('/v1/consent/show/json', showBody({}));
    expect(found.status).toBe(200);
    const body = (await found.json()) as { response: { status: unknown; consent: Record<string, unknown> } };
    expect(body.response.status).toEqual({ code: 200, message: 'İşlem başarılı' });
    expect(Object.keys(body.response.consent).sort()).toEqual(['consentDate', 'creationDate', 'recipient', 'recipientType', 'source', 'status', 'type']);
    const empty = await postJson('/v1/consent/show/json', showBody({ type: 'ARAMA' }));
    expect([empty.status, await empty.json()]).toEqual([200, { response: { status: { code: 200, message: 'İşlem başarılı' }, consent: [] } }]);
    const none = await postJson('/v1/consent/show/json', showBody({ recipient: rec(2).recipient }));
    expect([none.status, await none.json()]).toEqual([422, { response: { status: { code: 422, message: 'İstekte gönderilen bazı değerler doğrulanamadı' } } }]);
  });

  test('POST /_sandbox/changes: a panel entry and a citizen’s RET, shown with where they came from', async () => {
    const entry = await postJson('/_sandbox/changes', { origin: 'panel', recipient: '0533 000 00 01', type: 'MESAJ', status: 'ONAY', source: 'HS_ISLAK_IMZA', consentDate: formatTurkeyTime(Date.now() - 3600_000) });
    expect(entry.status).toBe(201);
    expect(await entry.json()).toMatchObject({ origin: 'panel', recipient: phone, source: 'HS_ISLAK_IMZA', requestNo: null, brandCode: '777' });
    const ret = await postJson('/_sandbox/changes', { origin: 'citizen', recipient: phone, type: 'MESAJ', status: 'RET', source: 'IYS_MOBIL' });
    expect(ret.status).toBe(201);
    const state = await getState();
    expect(state.records.map((r) => [r.origin, r.status, r.source])).toEqual([
      ['panel', 'ONAY', 'HS_ISLAK_IMZA'],
      ['citizen', 'RET', 'IYS_MOBIL'],
    ]);
    expect(await client.show(key)).toMatchObject({ kind: 'found', consent: { status: 'RET', source: 'IYS_MOBIL' } });
    // Changes are not requests: neither endpoint's counts move, and no quota is used.
    expect(state.counts).toEqual({});
    expect(state.showCounts).toEqual({});
    expect(state.usage.used).toBe(0);
  });

  test('a change İYS would refuse gets a 409 with the reason, and nothing is stored', async () => {
    const res = await postJson('/_sandbox/changes', { origin: 'panel', recipient: phone, type: 'MESAJ', status: 'RET', source: 'HS_KARAR' });
    expect(res.status).toBe(409);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('change-refused');
    expect(body.error.message).toContain('the first record of a recipient and channel cannot be RET');
    expect((await getState()).records).toEqual([]);
  });

  test.each([
    ['an IYS_* source entered in the panel', { origin: 'panel', source: 'IYS_3338' }, 'source'],
    ['an HS_* source for a citizen’s change', { origin: 'citizen', source: 'HS_WEB' }, 'source'],
    ['no origin', { origin: undefined }, 'origin'],
    ['a consentDate in ISO form', { consentDate: '2026-05-10T10:00:00Z' }, 'consentDate'],
    ['an unknown field', { note: 'x' }, '(body)'],
  ])('a bad change body (%s) gets a 400 naming the field', async (_name, over, path) => {
    const res = await postJson('/_sandbox/changes', { origin: 'citizen', recipient: phone, type: 'MESAJ', status: 'RET', source: 'IYS_3338', ...over });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; issues: Array<{ path: string }> } };
    expect(body.error.code).toBe('invalid-change');
    expect(body.error.issues.map((i) => i.path)).toContain(path);
    expect((await getState()).records).toEqual([]);
  });

  test('the programmatic API refuses a bad change body the same way', () => {
    expect(sandbox.changeElsewhere({ origin: 'panel', recipient: phone, type: 'MESAJ', status: 'ONAY', source: 'IYS_3338' as never })).toEqual({
      ok: false,
      reason: expect.stringContaining('source'),
    });
  });

  test('look-ups share the create endpoint’s faults and seeded PRNG; reset forgets their counts', async () => {
    await client.send([rec(1, { consentDate: formatTurkeyTime(Date.now() - 3600_000) })]);
    const run = async () => {
      sandbox.configure({ faults: { failureRate: 0.5, seed: 7 } });
      const kinds: string[] = [];
      for (let i = 0; i < 12; i++) kinds.push((await client.show(key)).kind);
      sandbox.configure({ faults: { failureRate: 0, seed: 1 } });
      return kinds;
    };
    const first = await run();
    expect(first).toContain('transient');
    expect(first).toContain('found');
    expect(await run()).toEqual(first);
    const counts = sandbox.state.showCounts();
    expect((counts['500'] ?? 0) + (counts['503'] ?? 0) + (counts['200'] ?? 0)).toBe(24);
    expect(sandbox.state.counts()).toEqual({ '200': 1 });
    expect((await postJson('/_sandbox/reset', {})).status).toBe(200);
    expect((await getState()).showCounts).toEqual({});
    expect((await getState()).showRequests).toEqual([]);
  });
});

describe('sandbox on its own server', () => {
  let url: string;
  let close: () => Promise<void>;
  beforeAll(async () => ({ url, close } = await startSandboxServer(sandbox)));
  afterAll(() => close());

  test('listens on 127.0.0.1 and serves the same routes', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const own = createIletiMerkeziClient({ baseUrl: url, apiKey: API_KEY, apiHash: API_HASH, brandCode: 777 });
    expect((await own.send([rec(1)])).kind).toBe('accepted');
    await own.close();
    expect(((await (await fetch(`${url}/_sandbox/state`)).json()) as SandboxSnapshot).records).toHaveLength(1);
  });
});

test('the banner is one line that says nothing goes to İYS', () => {
  const lines: string[] = [];
  logSandboxBanner(createLogger({ destination: { write: (l: string) => void lines.push(l) } }));
  expect(lines).toHaveLength(1);
  expect(JSON.parse(lines[0]!)).toMatchObject({ level: 40, msg: expect.stringContaining('NOTHING is sent to iletiMerkezi or İYS') });
});
