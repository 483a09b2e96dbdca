import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readBodyText } from '../../server/http/body-limit.ts';
import { CONSENT_BODY_LIMIT } from '../../server/intake/consent-route.ts';
import { formatTurkeyTime, parseTurkeyTime } from '../../shared/turkey-time.ts';
import { consentBody, postConsent, startCollector, type RunningCollector } from './collector-harness.ts';
import { startedPort, watch } from '../helpers/collector-process.ts';

const SHOP = 'https://shop.example';
const HASH = `sha256:${'0f'.repeat(32)}`;

let c: RunningCollector;
beforeAll(async () => {
  c = await startCollector({ allowedOrigins: [SHOP, 'http://localhost:5173'], rateLimit: 0, trustProxy: true });
});
afterAll(() => c.close());

async function errorOf(res: Response) {
  const body = (await res.json()) as { error: { code: string; message: string; issues?: { path: string; message: string }[] } };
  expect(typeof body.error.message).toBe('string');
  return body.error;
}

describe('POST /v1/consents: accepted', () => {
  it('202 only with the rows in the ledger, with all the evidence', async () => {
    const before = Date.now();
    const body = consentBody({
      recipient: '+90 (532) 111-22-33',
      notice: { version: '2026-11-01', hash: HASH, lang: 'tr' },
      pageUrl: 'https://shop.example/kayit?x=1',
      idempotencyKey: 'evidence-key-0001',
      widgetVersion: '0.1.0',
    });
    const res = await postConsent(c.url, body, { origin: SHOP, 'user-agent': 'Mozilla/5.0 (evidence test)', 'x-forwarded-for': '198.51.100.7' });
    expect(res.status).toBe(202);
    expect(res.headers.get('access-control-allow-origin')).toBe(SHOP);
    const { ids, state } = (await res.json()) as { ids: string[]; state: string };
    expect(state).toBe('pending');
    expect(ids).toHaveLength(2);

    const rows = await c.store.byRecipient('+905321112233');
    expect(rows.map((r) => r.id).sort()).toEqual([...ids].sort());
    for (const row of rows) {
      expect(row).toMatchObject({ recipient: '+905321112233', recipientType: 'BIREYSEL', status: 'ONAY', source: 'HS_WEB', consentDate: body.consentDate, state: 'pending' });
      expect(row.evidence).toMatchObject({
        rawRecipient: '+90 (532) 111-22-33',
        clientConsentDate: body.consentDate,
        channels: 'MESAJ ARAMA',
        noticeVersion: '2026-11-01',
        noticeHash: HASH,
        noticeLang: 'tr',
        pageUrl: 'https://shop.example/kayit?x=1',
        origin: SHOP,
        ip: '198.51.100.7',
        userAgent: 'Mozilla/5.0 (evidence test)',
        widgetVersion: '0.1.0',
        idempotencyKey: 'evidence-key-0001',
      });
      expect(row.evidence.receivedAt).toBeGreaterThanOrEqual(before);
      expect(row.evidence.receivedAt).toBeLessThanOrEqual(Date.now());
    }
    expect(rows.map((r) => r.type).sort()).toEqual(['ARAMA', 'MESAJ']);
  });

  it('takes text/plain holding JSON (no preflight needed)', async () => {
    const res = await postConsent(c.url, consentBody({ recipient: '0532 111 22 44', channels: ['MESAJ'] }), { 'content-type': 'text/plain;charset=UTF-8', origin: SHOP });
    expect(res.status).toBe(202);
    expect(await c.store.byRecipient('+905321112244')).toHaveLength(1);
  });

  it('an e-mail recipient for EPOSTA, stored lower-case', async () => {
    const res = await postConsent(c.url, consentBody({ recipient: 'Ayse.Y@Example.COM', channels: ['EPOSTA'] }));
    expect(res.status).toBe(202);
    const rows = await c.store.byRecipient('ayse.y@example.com');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.evidence.rawRecipient).toBe('Ayse.Y@Example.COM');
    expect(rows[0]!.evidence.origin).toBeNull();
  });

  it('the same idempotency key: same 202, same ids, nothing stored twice', async () => {
    const body = consentBody({ recipient: '0532 111 22 55', idempotencyKey: 'repeat-key-0001' });
    const first = await postConsent(c.url, body);
    const second = await postConsent(c.url, body);
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(await second.json()).toEqual(await first.json());
    expect(await c.store.byRecipient('+905321112255')).toHaveLength(2);
  });

  it('the same idempotency key with a different body: 409 naming idempotencyKey, the second consent not stored', async () => {
    const first = await postConsent(c.url, consentBody({ recipient: '0532 111 22 56', channels: ['MESAJ'], idempotencyKey: 'reused-key-0001' }));
    expect(first.status).toBe(202);
    const other = await postConsent(c.url, consentBody({ recipient: '0532 111 22 57', channels: ['MESAJ'], idempotencyKey: 'reused-key-0001' }));
    expect(other.status).toBe(409);
    const error = await errorOf(other);
    expect(error.code).toBe('idempotency-key-reused');
    expect(error.issues?.map((i) => i.path)).toEqual(['idempotencyKey']);
    expect(await c.store.byRecipient('+905321112257')).toEqual([]);
    expect(await c.store.byRecipient('+905321112256')).toHaveLength(1);
    expect(c.logs.some((l) => l.includes('consent.key-reused') && !l.includes('5321112257'))).toBe(true);
  });

  it('a retry of the same body after its date went off the clock is still the same consent', async () => {
    const body = consentBody({ recipient: '0532 111 22 58', channels: ['MESAJ'], consentDate: formatTurkeyTime(Date.now() - 3 * 3600_000), idempotencyKey: 'late-retry-0001' });
    const first = await postConsent(c.url, body);
    const again = await postConsent(c.url, body);
    expect(again.status).toBe(202);
    expect(await again.json()).toEqual(await first.json());
  });

  it('a client date off the clock: the receive time is used, the client value kept', async () => {
    const skewed = formatTurkeyTime(Date.now() - 3 * 3600_000);
    const before = Date.now();
    const res = await postConsent(c.url, consentBody({ recipient: '0532 111 22 66', channels: ['ARAMA'], consentDate: skewed }));
    expect(res.status).toBe(202);
    const [row] = await c.store.byRecipient('+905321112266');
    expect(row!.evidence.clientConsentDate).toBe(skewed);
    expect(row!.consentDate).not.toBe(skewed);
    expect(parseTurkeyTime(row!.consentDate)!).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(row!.consentDate).toBe(formatTurkeyTime(row!.evidence.receivedAt));
  });

  it('a date in the future is replaced too', async () => {
    const future = formatTurkeyTime(Date.now() + 120_000);
    expect((await postConsent(c.url, consentBody({ recipient: '0532 111 22 77', channels: ['MESAJ'], consentDate: future }))).status).toBe(202);
    const [row] = await c.store.byRecipient('+905321112277');
    expect(row!.evidence.clientConsentDate).toBe(future);
    expect(parseTurkeyTime(row!.consentDate)!).toBeLessThanOrEqual(Date.now());
  });
});

describe('POST /v1/consents: refused', () => {
  it('400 for unparseable JSON', async () => {
    const res = await postConsent(c.url, '{"recipient": "0532');
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe('invalid-json');
  });

  it('400 for a body that is not UTF-8', async () => {
    const res = await fetch(`${c.url}/v1/consents`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]) });
    expect(res.status).toBe(400);
  });

  it.each([
    ['application/x-www-form-urlencoded', 'recipient=05321234567'],
    ['multipart/form-data; boundary=x', '--x--'],
    ['application/json; charset=latin1', '{}'],
    ['application/xml', '<consent/>'],
  ])('415 for content type %s', async (type, body) => {
    const res = await postConsent(c.url, body, { 'content-type': type });
    expect(res.status).toBe(415);
    expect((await errorOf(res)).code).toBe('unsupported-media-type');
  });

  it('415 without a content type', async () => {
    const res = await fetch(`${c.url}/v1/consents`, { method: 'POST', body: new Blob([JSON.stringify(consentBody())]) });
    expect(res.status).toBe(415);
  });

  it.each([
    [{ channels: ['MESAJ', 'EPOSTA'] }, 'channels.1', /e-mail/],
    [{ recipient: 'a@example.com', channels: ['EPOSTA', 'ARAMA'] }, 'channels.1', /phone/],
    [{ recipient: '0212 555 12 34', channels: ['MESAJ'] }, 'recipient', /mobile/],
    [{ recipient: '0632 123 45 67' }, 'recipient', /./],
    [{ consentDate: '2026-11-26T13:05:00Z' }, 'consentDate', /YYYY-MM-DD HH:MM:SS/],
    [{ channels: ['SMS'] }, 'channels.0', /./],
    [{ status: 'EVET' }, 'status', /./],
    [{ source: 'HS_KARAR' }, 'source', /not a field/],
  ])('422 %j names %s', async (over, path, message) => {
    const res = await postConsent(c.url, consentBody(over));
    expect(res.status).toBe(422);
    const error = await errorOf(res);
    expect(error.code).toBe('invalid-consent');
    const issue = error.issues!.find((i) => i.path === path);
    expect(issue?.message).toMatch(message);
  });

  it('413 over the limit with Content-Length, before the body is read', async () => {
    const big = JSON.stringify(consentBody({ pageUrl: `https://shop.example/${'a'.repeat(CONSENT_BODY_LIMIT)}` }));
    const res = await postConsent(c.url, big);
    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe('body-too-large');
  });

  it('413 over the limit without Content-Length (chunked), counted while streaming', async () => {
    const chunk = new TextEncoder().encode(' '.repeat(4096));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        // Far more than the limit, so only counting while streaming can stop it early.
        if (sent >= 1024 * 1024) controller.close();
        else {
          sent += chunk.length;
          controller.enqueue(chunk);
        }
      },
    });
    const res = await fetch(`${c.url}/v1/consents`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, duplex: 'half' } as RequestInit);
    expect(res.headers.get('content-length')).not.toBeNull();
    expect(res.status).toBe(413);
  });

  it('a Content-Length shorter than the body: the body ends where it says, bad JSON → 400, never a 5xx', async () => {
    const payload = JSON.stringify(consentBody({ recipient: '0532 111 22 88' }));
    const raw = await rawExchange(
      c.url,
      `POST /v1/consents HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 20\r\nConnection: close\r\n\r\n${payload}`,
    );
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(raw).not.toMatch(/HTTP\/1\.1 5\d\d/);
    expect(await c.store.byRecipient('+905321112288')).toHaveLength(0);
  });

  it('readBodyText counts the bytes, whatever Content-Length claims', async () => {
    const req = new Request('http://x/', { method: 'POST', headers: { 'content-length': '10' }, body: 'x'.repeat(CONSENT_BODY_LIMIT + 1) });
    expect(await readBodyText(req, CONSENT_BODY_LIMIT)).toEqual({ ok: false, reason: 'too-large' });
    const exact = new Request('http://x/', { method: 'POST', body: 'é'.repeat(CONSENT_BODY_LIMIT / 2) });
    expect(await readBodyText(exact, CONSENT_BODY_LIMIT)).toMatchObject({ ok: true });
  });

  it('403 for an origin not allowed, readable by that page (CORS), logged at warn, and nothing stored', async () => {
    const res = await postConsent(c.url, consentBody({ recipient: '0532 111 22 99' }), { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect((await errorOf(res)).code).toBe('origin-not-allowed');
    expect(res.headers.get('access-control-allow-origin')).toBe('https://evil.example');
    expect(res.headers.get('vary')).toMatch(/Origin/);
    expect(await c.store.byRecipient('+905321112299')).toHaveLength(0);
    const refused = c.logs.map((l) => JSON.parse(l) as { level: number; event?: string; origin?: string }).filter((l) => l.event === 'consent.origin-refused');
    expect(refused).toContainEqual(expect.objectContaining({ level: 40, origin: 'https://evil.example' }));
  });

  it.each(['null', 'https://shop.example.evil.example', 'http://shop.example', 'https://SHOP.example'])('403 for Origin %s', async (origin) => {
    expect((await postConsent(c.url, consentBody(), { origin })).status).toBe(403);
  });
});

describe('CORS', () => {
  it('answers a preflight from an allowed origin', async () => {
    const res = await fetch(`${c.url}/v1/consents`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(res.headers.get('access-control-allow-methods')).toMatch(/POST/);
    expect(res.headers.get('access-control-allow-headers')).toMatch(/Content-Type/i);
    expect(res.headers.get('vary')).toMatch(/Origin/);
  });

  it('refuses a preflight from another origin: 403 it can read, announcing no method', async () => {
    const res = await fetch(`${c.url}/v1/consents`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(res.status).toBe(403);
    expect((await errorOf(res)).code).toBe('origin-not-allowed');
    expect(res.headers.get('access-control-allow-origin')).toBe('https://evil.example');
    expect(res.headers.get('access-control-allow-methods')).toBeNull();
  });

  it('error answers to an allowed origin are readable by it', async () => {
    const res = await postConsent(c.url, '{', { origin: SHOP });
    expect(res.status).toBe(400);
    expect(res.headers.get('access-control-allow-origin')).toBe(SHOP);
  });
});

describe('the honeypot', () => {
  it('a filled website field gets a normal-looking 202, stores nothing, and is logged', async () => {
    const res = await postConsent(c.url, consentBody({ recipient: '0532 999 00 11', website: 'http://spam.example' }), { origin: SHOP });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { ids: string[]; state: string };
    expect(body.state).toBe('pending');
    expect(body.ids).toHaveLength(2);
    expect(body.ids[0]).toMatch(/^[0-9A-Z]{26}$/);
    expect(await c.store.byRecipient('+905329990011')).toHaveLength(0);
    expect(await c.store.byIds(body.ids)).toHaveLength(0);
    expect(c.logs.some((l) => l.includes('consent.honeypot'))).toBe(true);
  });
});

describe('logs', () => {
  it("carry the request's id on the collector's own lines (accepted, honeypot)", async () => {
    const res = await postConsent(c.url, consentBody({ recipient: '0532 765 43 22' }), { 'x-request-id': 'trace-consent-0001' });
    expect(res.headers.get('x-request-id')).toBe('trace-consent-0001');
    const lines = c.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => l.event === 'consent.accepted' && l.recipient === '+90532*****22')).toMatchObject({ requestId: 'trace-consent-0001' });
    await postConsent(c.url, consentBody({ recipient: '0532 765 43 23', website: 'x' }), { 'x-request-id': 'trace-honeypot-01' });
    expect(c.logs.map((l) => JSON.parse(l)).find((l) => l.event === 'consent.honeypot' && l.requestId === 'trace-honeypot-01')).toBeDefined();
  });

  it('one line per request: an accepted consent\'s own line stands for its access line; a refused one gets the access line', async () => {
    await postConsent(c.url, consentBody({ recipient: '0532 765 43 24' }), { 'x-request-id': 'trace-one-line-01' });
    await postConsent(c.url, consentBody({ recipient: 'nobody' }), { 'x-request-id': 'trace-one-line-02' });
    const lines = c.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
    const accepted = lines.filter((l) => l.requestId === 'trace-one-line-01');
    expect(accepted).toHaveLength(1);
    expect(accepted[0]).toMatchObject({ event: 'consent.accepted', method: 'POST', path: '/v1/consents', ms: expect.any(Number) });
    expect(lines.filter((l) => l.requestId === 'trace-one-line-02')).toEqual([expect.objectContaining({ msg: 'request', method: 'POST', path: '/v1/consents', status: 422 })]);
  });

  it('never hold a full recipient', async () => {
    await postConsent(c.url, consentBody({ recipient: '0532 765 43 21' }));
    const all = c.logs.join('');
    expect(all).toContain('+90532*****21');
    expect(all).not.toContain('5327654321');
  });
});

describe('rate limit', () => {
  let limited: RunningCollector;
  beforeAll(async () => {
    limited = await startCollector({ rateLimit: 3, trustProxy: true });
  });
  afterAll(() => limited.close());

  it('429 with Retry-After once an IP used its minute; other IPs unaffected', async () => {
    const from = (ip: string, body: unknown = consentBody({ channels: ['ARAMA'] })) => postConsent(limited.url, body, { 'x-forwarded-for': `10.9.9.9, ${ip}` });
    // Refused posts count too: a bot gets no free attempts by sending junk.
    expect((await from('192.0.2.1')).status).toBe(202);
    expect((await from('192.0.2.1', '{')).status).toBe(400);
    expect((await from('192.0.2.1')).status).toBe(202);
    const res = await from('192.0.2.1');
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await errorOf(res)).code).toBe('rate-limited');
    expect((await from('192.0.2.2')).status).toBe(202);
  });

  it('without a trusted proxy the socket address counts, not X-Forwarded-For', async () => {
    const direct = await startCollector({ rateLimit: 2, trustProxy: false });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        statuses.push((await postConsent(direct.url, consentBody({ channels: ['ARAMA'] }), { 'x-forwarded-for': `203.0.113.${i}` })).status);
      }
      expect(statuses).toEqual([202, 202, 429]);
      const [row] = await direct.store.byRecipient('+905321234567');
      expect(row!.evidence.ip).toBe('127.0.0.1');
    } finally {
      await direct.close();
    }
  });
});

describe('store failure and health', () => {
  it('/healthz is ok with a live store', async () => {
    const res = await fetch(`${c.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('a ledger that fails: 503 with a clear message, logged; /healthz unavailable (503)', async () => {
    const broken = await startCollector();
    try {
      await broken.store.close();
      const res = await postConsent(broken.url, consentBody());
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      const error = await errorOf(res);
      expect(error.code).toBe('store-unavailable');
      expect(error.message).toMatch(/send the same consent again shortly, with the same idempotencyKey/);
      expect(broken.logs.some((l) => l.includes('consent.store-failed'))).toBe(true);
      const health = await fetch(`${broken.url}/healthz`);
      expect(health.status).toBe(503);
      const report = (await health.json()) as { status: string; reasons: string[] };
      expect(report.status).toBe('unavailable');
      // The driver's own words (here: "call init() first") stay in the log, not on a public endpoint.
      expect(report.reasons).toEqual(['store: cannot write to the ledger']);
      const logged = broken.logs.map((l) => JSON.parse(l)).find((l) => l.event === 'health.store-failed');
      expect(logged.err).toMatch(/init\(\)/);
    } finally {
      await broken.close();
    }
  });

  it('404 in the error shape for an unknown path', async () => {
    const res = await fetch(`${c.url}/v2/nothing`);
    expect(res.status).toBe(404);
    expect((await errorOf(res)).code).toBe('not-found');
  });

  it("405 with Allow for a wrong method on the collector's own paths", async () => {
    const cases: [string, string, string][] = [
      ['PUT', '/v1/consents', 'GET, HEAD, OPTIONS, POST'],
      ['DELETE', '/v1/consents', 'GET, HEAD, OPTIONS, POST'],
      ['GET', '/v1/consents/batch', 'POST'],
      ['POST', '/v1/export', 'GET, HEAD'],
      ['POST', '/healthz', 'GET, HEAD'],
      ['PATCH', '/metrics', 'GET, HEAD'],
      ['POST', '/openapi.json', 'GET, HEAD'],
    ];
    for (const [method, path, allow] of cases) {
      const res = await fetch(`${c.url}${path}`, { method });
      expect([method, path, res.status]).toEqual([method, path, 405]);
      expect(res.headers.get('allow')).toBe(allow);
      const error = await errorOf(res);
      expect(error.code).toBe('method-not-allowed');
      expect(error.message).toContain(allow);
    }
    // OPTIONS without an Origin (not a preflight) is told what the path takes.
    const options = await fetch(`${c.url}/v1/consents`, { method: 'OPTIONS' });
    expect(options.status).toBe(204);
    expect(options.headers.get('allow')).toBe('GET, HEAD, OPTIONS, POST');
    // The right methods still reach their routes.
    expect((await fetch(`${c.url}/healthz`, { method: 'HEAD' })).status).toBe(200);
    expect((await fetch(`${c.url}/v1/consents/batch`, { method: 'POST' })).status).toBe(403);
  });
});

describe('iys-consent serve (what npm run collector runs, once the widget is built)', () => {
  // A child left running by a failed test would outlive the run, its stdout unread: kill every one.
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  function run(env: Record<string, string>) {
    const child = spawn(process.execPath, ['bin/iys-consent.mjs', 'serve'], {
      cwd: join(import.meta.dirname, '../..'),
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    return watch(child);
  }

  it('starts, takes a consent, stops on SIGTERM with exit 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'iys-main-'));
    try {
      const p = run({ IYS_SANDBOX: '1', PORT: '0', IYS_DATABASE_URL: `file:${join(dir, 'ledger.db')}` });
      const port = await startedPort(p);
      const res = await postConsent(`http://127.0.0.1:${port}`, consentBody({ channels: ['MESAJ'] }));
      expect(res.status).toBe(202);
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
      expect(p.out()).toContain('collector.stopped');
      expect(p.out().split('\n').filter((l) => l.includes('collector.started'))).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops on SIGTERM with exit 0 even when its log reader has gone (stdout closed)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'iys-main-'));
    try {
      const p = run({ IYS_SANDBOX: '1', PORT: '0', IYS_DATABASE_URL: `file:${join(dir, 'ledger.db')}` });
      const port = await startedPort(p);
      expect((await postConsent(`http://127.0.0.1:${port}`, consentBody({ channels: ['MESAJ'] }))).status).toBe(202);
      // A process manager whose log pipe died: the next lines, the stop's own, meet a closed pipe (EPIPE).
      p.child.stdout.destroy();
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a bad environment: exit 1 with one line naming the variable', async () => {
    const p = run({ IYS_SANDBOX: '1', IYS_BATCH_MAX: '9000', IYS_DATABASE_URL: `file:${join(tmpdir(), 'never-created', 'x.db')}` });
    expect(await p.exited).toBe(1);
    const lines = p.err().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/IYS_BATCH_MAX/);
    expect(p.out()).toBe('');
  });

  it('missing credentials without the sandbox: exit 1, no secret echoed', async () => {
    const p = run({ IYS_SANDBOX: '0', ILETIMERKEZI_API_KEY: 'sekret-key-value' });
    expect(await p.exited).toBe(1);
    const lines = p.err().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/ILETIMERKEZI_API_HASH/);
    expect(p.err()).not.toContain('sekret-key-value');
  });
});

/** Writes raw bytes to the server and returns everything it answers until it closes. */
function rawExchange(url: string, request: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(request));
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
    socket.on('error', (err) => (answer ? resolve(answer) : reject(err)));
    socket.on('close', () => resolve(answer));
  });
}
