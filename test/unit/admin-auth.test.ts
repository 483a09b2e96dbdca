import { describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { adminAuth, bearerToken, tokenMatches } from '../../server/admin/auth.ts';
import { FailureLimiter } from '../../server/admin/failure-limiter.ts';

const TOKEN = 'a-long-admin-token-0123456789';

function guarded(token: string | null, limiter = new FailureLimiter(3, 60_000), clock = { now: 0 }) {
  const ipOf = (c: { req: { header(n: string): string | undefined } }) => c.req.header('x-test-ip') ?? 'one';
  return new Hono().get('/admin', adminAuth({ token, clientIp: ipOf, limiter, now: () => clock.now }), (c) => c.text('secret'));
}
const get = (app: Hono, auth?: string, ip = 'one') =>
  app.request('/admin', { headers: { ...(auth ? { authorization: auth } : {}), 'x-test-ip': ip } });

describe('tokens', () => {
  it('reads a bearer token and compares it in full', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer   abc ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
    expect(tokenMatches(TOKEN.slice(0, -1), TOKEN)).toBe(false);
    expect(tokenMatches(`${TOKEN}x`, TOKEN)).toBe(false);
  });
});

describe('adminAuth', () => {
  it('refuses everything with 403 when no token is configured', async () => {
    const res = await get(guarded(null), `Bearer ${TOKEN}`);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: 'admin-disabled', message: expect.stringContaining('IYS_ADMIN_TOKEN') } });
  });

  it('answers 401 without a token or with a wrong one, and passes the right one', async () => {
    const app = guarded(TOKEN);
    const none = await get(app);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await get(app, 'Bearer wrong-token')).status).toBe(401);
    const ok = await get(app, `Bearer ${TOKEN}`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('secret');
  });

  it('locks an IP out with 429 after its failures, even with the right token, until the window ends', async () => {
    const clock = { now: 1_000 };
    const app = guarded(TOKEN, new FailureLimiter(3, 60_000), clock);
    for (let i = 0; i < 3; i++) expect((await get(app, 'Bearer guess')).status).toBe(401);
    const locked = await get(app, `Bearer ${TOKEN}`);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBe(60);
    expect((await get(app, `Bearer ${TOKEN}`, 'other')).status).toBe(200);
    clock.now += 60_000;
    expect((await get(app, `Bearer ${TOKEN}`)).status).toBe(200);
  });

  it('forgets the failures of an IP that then logs in', async () => {
    const app = guarded(TOKEN);
    for (let i = 0; i < 2; i++) await get(app, 'Bearer guess');
    expect((await get(app, `Bearer ${TOKEN}`)).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await get(app, 'Bearer guess')).status).toBe(401);
    expect((await get(app, `Bearer ${TOKEN}`)).status).toBe(200);
  });
});

describe('FailureLimiter', () => {
  it('remembers at most maxTracked IPs, dropping the oldest', () => {
    const l = new FailureLimiter(1, 1000, 2);
    l.fail('a', 0);
    l.fail('b', 0);
    l.fail('c', 0);
    expect([l.blockedFor('a', 1), l.blockedFor('b', 1), l.blockedFor('c', 1)]).toEqual([0, 999, 999]);
  });
});
