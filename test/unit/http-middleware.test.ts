import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { bodyLimit, readBodyText, type BodyRefusal, type BodyTextEnv } from '../../server/http/body-limit.ts';
import { ERROR_CODES, errorResponse } from '../../server/http/errors.ts';
import { clientIp, rateKeyOf } from '../../server/http/client-ip.ts';
import { isConsentContentType } from '../../server/intake/consent-route.ts';
import { originGate } from '../../server/http/origin-gate.ts';
import { createRateLimiter } from '../../server/http/rate-limit.ts';
import { requestId } from '../../server/http/request-id.ts';
import { createLogger } from '../../server/log/logger.ts';
import { errorBodySchema } from '../../shared/consent-body.ts';

describe('createRateLimiter', () => {
  it('allows `limit` per window per key, then says how long to wait', () => {
    let t = 1_000_000;
    const limiter = createRateLimiter({ limit: 2, now: () => t });
    expect(limiter.take('a')).toEqual({ ok: true });
    t += 10_000;
    expect(limiter.take('a')).toEqual({ ok: true });
    t += 5_500;
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterS: 45 });
    expect(limiter.take('b')).toEqual({ ok: true });
    t = 1_000_000 + 60_000;
    expect(limiter.take('a')).toEqual({ ok: true });
  });

  it('forgets expired windows', () => {
    let t = 0;
    const limiter = createRateLimiter({ limit: 1, now: () => t });
    for (let i = 0; i < 50; i++) limiter.take(`k${i}`);
    expect(limiter.size()).toBe(50);
    t = 61_000;
    limiter.take('fresh');
    expect(limiter.size()).toBe(1);
  });

  it('beyond maxKeys, newcomers share one overflow bucket', () => {
    const limiter = createRateLimiter({ limit: 2, maxKeys: 3, now: () => 0 });
    for (const k of ['a', 'b', 'c']) expect(limiter.take(k).ok).toBe(true);
    expect(limiter.take('d').ok).toBe(true);
    expect(limiter.take('e').ok).toBe(true);
    expect(limiter.take('f').ok).toBe(false);
    expect(limiter.take('a').ok).toBe(true);
  });
});

describe('client IP', () => {
  const app = (trustProxy: boolean) => {
    const a = new Hono();
    a.get('/', (c) => c.text(String(clientIp(c, trustProxy))));
    return a;
  };

  it.each([
    [true, '203.0.113.5', '203.0.113.5'],
    [true, '1.1.1.1, 203.0.113.5', '203.0.113.5'],
    [true, '1.1.1.1,  ::ffff:198.51.100.2 ', '198.51.100.2'],
    [true, '1.1.1.1, not-an-ip', 'null'],
    [false, '203.0.113.5', 'null'],
  ])('trustProxy %s, X-Forwarded-For %j → %s (no socket here)', async (trust, xff, expected) => {
    const res = await app(trust).request('/', { headers: { 'x-forwarded-for': xff } });
    expect(await res.text()).toBe(expected);
  });

  it.each([
    ['203.0.113.5', '203.0.113.5'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::9', '2001:db8:1:2::/64'],
    ['2001:DB8:0001:0002:ffff::1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
  ])('rate key of %s is %s', (ip, key) => {
    expect(rateKeyOf(ip)).toBe(key);
  });
});

describe('originGate', () => {
  const app = new Hono();
  const gate = originGate({ allowedOrigins: ['https://shop.example'], methods: ['POST'], headers: ['Content-Type'] });
  app.options('/x', gate);
  app.post('/x', gate, (c) => c.text('posted'));

  it('passes a request without Origin, with Vary but no CORS header', async () => {
    const res = await app.request('/x', { method: 'POST' });
    expect(await res.text()).toBe('posted');
    expect(res.headers.get('vary')).toBe('Origin');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('adds CORS headers for an allowed origin', async () => {
    const res = await app.request('/x', { method: 'POST', headers: { origin: 'https://shop.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(res.headers.get('access-control-expose-headers')).toBe('Retry-After');
  });

  it('answers an allowed preflight with 204 and caches it', async () => {
    const res = await app.request('/x', { method: 'OPTIONS', headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' } });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-max-age')).toBe('600');
  });

  it('refuses other origins with a 403 the page can read (CORS for that origin), preflight or not', async () => {
    for (const method of ['POST', 'OPTIONS']) {
      const res = await app.request('/x', { method, headers: { origin: 'https://shop.example:444' } });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('origin-not-allowed');
      expect(res.headers.get('access-control-allow-origin')).toBe('https://shop.example:444');
      expect(res.headers.get('vary')).toBe('Origin');
      expect(res.headers.get('access-control-allow-methods')).toBeNull();
    }
  });

  describe('the refused origin in the log', () => {
    const setup = () => {
      let t = 1_000_000;
      const lines: { origin: string; method: string }[] = [];
      const logged = new Hono();
      const logger = { warn: (o: object) => void lines.push(o as { origin: string; method: string }) };
      const g = originGate({ allowedOrigins: ['https://shop.example'], methods: ['POST'], headers: [], logger: logger as never, now: () => t });
      logged.post('/x', g, (c) => c.text('posted'));
      const post = (origin: string) => logged.request('/x', { method: 'POST', headers: { origin } });
      return { lines, post, later: (ms: number) => (t += ms) };
    };

    it('names it at warn once a minute per origin, not once per post', async () => {
      const { lines, post, later } = setup();
      for (let i = 0; i < 5; i++) await post('https://wrong.example');
      await post('https://other.example');
      await post('https://shop.example'); // allowed: not a refusal
      expect(lines.map((l) => l.origin)).toEqual(['https://wrong.example', 'https://other.example']);
      later(59_000);
      await post('https://wrong.example');
      expect(lines).toHaveLength(2);
      later(1_000);
      await post('https://wrong.example');
      expect(lines.map((l) => l.origin)).toEqual(['https://wrong.example', 'https://other.example', 'https://wrong.example']);
    });

    it('keeps memory bounded: a flood of made-up origins gets a line a minute between them, and long ones are cut', async () => {
      const { lines, post } = setup();
      for (let i = 0; i < 1500; i++) await post(`https://x${i}.example`);
      expect(lines).toHaveLength(1001); // 1000 named, then one for the overflow
      await post(`https://${'a'.repeat(5000)}.example`);
      expect(lines).toHaveLength(1001);
      const { lines: fresh, post: postFresh } = setup();
      await postFresh(`https://${'a'.repeat(5000)}.example`);
      expect(fresh[0]!.origin).toHaveLength(200);
    });
  });
});

describe("the consent route's content type, and body reading", () => {
  it.each([
    ['application/json', true],
    ['Application/JSON; charset=UTF-8', true],
    ['text/plain;charset=utf-8', true],
    ['text/plain', true],
    ['application/json; charset="utf-8"', true],
    ['application/json; charset=iso-8859-9', false],
    ['application/json+x', false],
    ['text/html', false],
    ['', false],
  ])('%j accepted: %s', (type, ok) => {
    expect(isConsentContentType(type)).toBe(ok);
  });

  it('reads a body exactly at the limit and refuses one byte more', async () => {
    const req = (n: number) => new Request('http://x/', { method: 'POST', body: 'a'.repeat(n) });
    expect(await readBodyText(req(100), 100)).toEqual({ ok: true, text: 'a'.repeat(100) });
    expect(await readBodyText(req(101), 100)).toEqual({ ok: false, reason: 'too-large' });
  });

  it('refuses a declared Content-Length over the limit without reading', async () => {
    const req = new Request('http://x/', { method: 'POST', headers: { 'content-length': '101' }, body: 'a' });
    expect(await readBodyText(req, 100)).toEqual({ ok: false, reason: 'too-large' });
    expect(req.bodyUsed).toBe(false);
  });

  it('refuses invalid UTF-8 and strips a BOM', async () => {
    const bad = new Request('http://x/', { method: 'POST', body: new Uint8Array([0x22, 0xc3, 0x28, 0x22]) });
    expect(await readBodyText(bad, 100)).toEqual({ ok: false, reason: 'not-utf8' });
    const bom = new Request('http://x/', { method: 'POST', body: new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d]) });
    expect(await readBodyText(bom, 100)).toEqual({ ok: true, text: '{}' });
  });
});

describe('bodyLimit', () => {
  const post = (app: Hono<BodyTextEnv>, body: BodyInit) => app.request('/x', { method: 'POST', body });
  const echo = (limit: Parameters<typeof bodyLimit>[0]) => new Hono<BodyTextEnv>().post('/x', bodyLimit(limit), (c) => c.text(`read ${c.var.bodyText}`));

  it('hands the handler the body as text within the limit', async () => {
    const res = await post(echo({ maxBytes: 10 }), 'héllo');
    expect(await res.text()).toBe('read héllo');
  });

  it('by default refuses in the error shape: 413 naming the limit, 400 for a body that is not UTF-8, and closes the connection', async () => {
    const large = await post(echo({ maxBytes: 10 }), 'x'.repeat(11));
    expect(large.status).toBe(413);
    expect(large.headers.get('connection')).toBe('close');
    expect(await large.json()).toEqual({ error: { code: 'body-too-large', message: 'the body is over 10 bytes' } });
    const broken = await post(echo({ maxBytes: 10 }), new Uint8Array([0x22, 0xc3, 0x28, 0x22]));
    expect(broken.status).toBe(400);
    expect(await broken.json()).toEqual({ error: { code: 'body-unreadable', message: 'the body is not UTF-8 text' } });
  });

  it('lets the caller decide how a refusal looks: onError gets the reason and the limit, the handler is never reached', async () => {
    const seen: BodyRefusal[] = [];
    const app = echo({
      maxBytes: 4,
      onError: (c, refusal) => {
        seen.push(refusal);
        return c.text(`no: ${refusal.reason}`, refusal.reason === 'too-large' ? 413 : 400);
      },
    });
    const large = await post(app, 'x'.repeat(5));
    expect([large.status, await large.text(), large.headers.get('connection')]).toEqual([413, 'no: too-large', 'close']);
    const broken = await post(app, new Uint8Array([0xc3, 0x28]));
    expect([broken.status, await broken.text()]).toEqual([400, 'no: not-utf8']);
    expect(seen).toEqual([{ reason: 'too-large', maxBytes: 4 }, { reason: 'not-utf8', maxBytes: 4 }]);
  });
});

describe('errorResponse, the one error builder', () => {
  const answer = (issues?: { path: string; message: string }[]) =>
    new Hono().get('/', (c) => errorResponse(c, 422, 'invalid-query', 'the query is wrong', issues)).request('/');

  it('answers the contract shape, with issues only when there are some', async () => {
    const plain = await answer();
    expect(plain.status).toBe(422);
    expect(await plain.json()).toEqual({ error: { code: 'invalid-query', message: 'the query is wrong' } });
    const named = await (await answer([{ path: 'to', message: 'must not be before from' }])).json();
    expect(errorBodySchema.parse(named)).toEqual({ error: { code: 'invalid-query', message: 'the query is wrong', issues: [{ path: 'to', message: 'must not be before from' }] } });
  });

  it('has one code per kind of refusal, each written as words-with-dashes', () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
    for (const code of ERROR_CODES) expect(code).toMatch(/^[a-z]+(-[a-z]+)*$/);
  });
});

describe('requestId: the access line', () => {
  it("logs a successful GET of a polled path at debug, anything else at info, never the query", async () => {
    const lines: Array<{ level: number; path: string; status: number }> = [];
    const logger = createLogger({ level: 'debug', destination: { write: (l: string) => void lines.push(JSON.parse(l)) } });
    const app = new Hono().use(requestId(logger));
    app.get('*', (c) => (c.req.query('fail') ? c.text('no', 401) : c.text('ok')));
    for (const path of ['/healthz', '/metrics', '/v1/admin/overview?hours=24', '/v1/admin/overview?fail=1', '/v1/admin/lookup']) await app.request(path);
    expect(lines.map((l) => [l.path, l.status, l.level === 20 ? 'debug' : 'info'])).toEqual([
      ['/healthz', 200, 'debug'], ['/metrics', 200, 'debug'], ['/v1/admin/overview', 200, 'debug'],
      ['/v1/admin/overview', 401, 'info'], ['/v1/admin/lookup', 200, 'info'],
    ]);
  });
});
