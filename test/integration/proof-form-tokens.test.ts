import { serve } from '@hono/node-server';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../server/runtime/app.ts';
import { testConfig, type Config } from '../../server/runtime/config.ts';
import { silentLogger } from '../../server/log/logger.ts';
import { SqliteStore } from '../../server/stores/sqlite-store.ts';
import { PostgresStore } from '../../server/stores/postgres-store.ts';
import type { ConsentStore } from '../../server/stores/store.ts';
import { formatTurkeyTime } from '../../shared/turkey-time.ts';
import { PG_URL, pgAvailable, testSchema } from '../helpers/pg.ts';

/**
 * Signed form tokens against the real collector app over HTTP, on SQLite and on PostgreSQL, with the
 * clock injected (a token's lifetime is crossed by moving the clock, not by sleeping): a browser post
 * without a token, with a forged or another origin's token, with an expired or a used one is refused
 * with its reason; a good one is taken once, its age kept as evidence; a resend of the same consent
 * may carry it again; a post without Origin only where the operator allows it.
 */

const ADMIN = 'token-test-admin-token-0123456789';
const SITE = 'https://shop.example';
const OTHER = 'https://other.example';
const KEY = 'a-form-token-secret-of-32-characters-or-more';
const TTL_S = 600;

const tmp = mkdtempSync(join(tmpdir(), 'iys-proof-tokens-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Running = { url: string; store: ConsentStore; clock: { now: number }; close(): Promise<void> };
type Ledger = { name: string; available: boolean; open(shared?: ConsentStore): ConsentStore };
let fileNo = 0;
const ledgers: Ledger[] = [
  { name: 'SQLite', available: true, open: (shared) => new SqliteStore((shared as SqliteStore | undefined)?.path ?? join(tmp, `ledger-${++fileNo}.db`)) },
  { name: 'PostgreSQL', available: pgAvailable, open: (shared) => new PostgresStore(PG_URL, { schema: (shared as PostgresStore | undefined)?.schema ?? testSchema(), poolSize: 2 }) },
];

describe.each(ledgers)('signed form tokens on $name', (ledger) => {
  const running: Running[] = [];
  afterEach(async () => {
    for (const r of running.splice(0)) await r.close();
  });

  /** The collector's app on 127.0.0.1:0 with its own clock; `shared` puts it on another's ledger. */
  async function start(over: Partial<Config> = {}, shared?: Running): Promise<Running> {
    const store = ledger.open(shared?.store);
    await store.init();
    const clock = shared?.clock ?? { now: Date.parse('2026-11-30T09:00:00Z') };
    const config = testConfig({ admin: { token: ADMIN }, rateLimit: 0, allowedOrigins: [SITE, OTHER], formToken: { key: KEY, ttlS: TTL_S }, allowNoOrigin: false, ...over });
    const app = createApp({ config, store, logger: silentLogger, now: () => clock.now });
    const server = await new Promise<Server>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server));
    });
    const r: Running = {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, store, clock,
      async close() {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await store.close();
      },
    };
    running.push(r);
    return r;
  }

  let phone = 0;
  const body = (r: Running, over: Record<string, unknown> = {}) => ({
    recipient: `0532 200 ${String(Math.floor(++phone / 100)).padStart(2, '0')} ${String(phone % 100).padStart(2, '0')}`,
    channels: ['MESAJ'], consentDate: formatTurkeyTime(r.clock.now - 5_000), idempotencyKey: `key-${phone}-${Math.random().toString(36).slice(2)}`, ...over,
  });
  const post = (r: Running, b: unknown, origin: string | null = SITE) => fetch(`${r.url}/v1/consents`, {
    method: 'POST', headers: { 'content-type': 'text/plain;charset=UTF-8', ...(origin ? { origin } : {}) }, body: JSON.stringify(b),
  });
  const code = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;
  const token = async (r: Running, origin = SITE, via: 'header' | 'query' = 'header') => {
    const res = await fetch(`${r.url}/v1/form-token${via === 'query' ? `?origin=${encodeURIComponent(origin)}` : ''}`, { headers: via === 'header' ? { origin } : {} });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    if (via === 'header') expect(res.headers.get('access-control-allow-origin')).toBe(origin);
    const answer = (await res.json()) as { token: string; expiresInMs: number };
    expect(answer.expiresInMs).toBe(TTL_S * 1000);
    return answer.token;
  };
  const evidence = async (r: Running, recipient: string) => (await r.store.byRecipient(recipient.replace(/^0| /g, '').replace(/^/, '+90'))).map((x) => x.evidence);

  it.runIf(ledger.available)('refuses a browser post without a token, with a forged one or another origin\'s; takes a good one and keeps its age', async () => {
    const r = await start();
    const missing = await post(r, body(r));
    expect(missing.status).toBe(403);
    expect(await code(missing)).toBe('form-token-missing');
    expect(missing.headers.get('access-control-allow-origin')).toBe(SITE);

    const good = await token(r);
    const forged = good.slice(0, -2) + (good.endsWith('AA') ? 'BB' : 'AA');
    expect(await code(await post(r, body(r, { formToken: forged })))).toBe('form-token-invalid');
    expect(await code(await post(r, body(r, { formToken: 'not a token' })))).toBe('form-token-invalid');
    // Issued to OTHER, posted from SITE: the origin is inside the MAC.
    expect(await code(await post(r, body(r, { formToken: await token(r, OTHER) })))).toBe('form-token-invalid');

    r.clock.now += 42_000; // the person takes 42 s over the form
    const b = body(r, { formToken: good });
    expect((await post(r, b)).status).toBe(202);
    expect(await evidence(r, b.recipient)).toEqual([expect.objectContaining({ formTokenAgeMs: 42_000, origin: SITE })]);
  });

  it.runIf(ledger.available)('a token is good for one consent: replayed for another it is refused (on every collector of the ledger); the same consent resent with it is the same consent', async () => {
    const r = await start();
    const t = await token(r);
    const first = body(r, { formToken: t });
    const accepted = await post(r, first);
    expect(accepted.status).toBe(202);
    const ids = ((await accepted.json()) as { ids: string[] }).ids;

    const again = await post(r, first); // the widget's outbox after a lost answer: same key, same token
    expect(again.status).toBe(202);
    expect(((await again.json()) as { ids: string[] }).ids).toEqual(ids);

    const replay = await post(r, body(r, { formToken: t }));
    expect(replay.status).toBe(403);
    expect(await code(replay)).toBe('form-token-reused');
    const other = await start({}, r);
    expect(await code(await post(other, body(other, { formToken: t })))).toBe('form-token-reused');
    // ...and a token issued by one collector is good at another sharing the secret.
    expect((await post(other, body(other, { formToken: await token(r) }))).status).toBe(202);
  });

  it.runIf(ledger.available)('an expired token is refused: past IYS_FORM_TOKEN_TTL_S by the clock, not by sleeping', async () => {
    const r = await start();
    const t = await token(r);
    r.clock.now += TTL_S * 1000 + 1;
    const expired = await post(r, body(r, { formToken: t }));
    expect(expired.status).toBe(403);
    expect(await code(expired)).toBe('form-token-expired');
    // Just inside its lifetime it is still good.
    const fresh = await token(r);
    r.clock.now += TTL_S * 1000;
    expect((await post(r, body(r, { formToken: fresh }))).status).toBe(202);
  });

  it.runIf(ledger.available)('a same-origin page names its origin in ?origin=: an allowed one gets a token, another a 403', async () => {
    const r = await start();
    expect((await post(r, body(r, { formToken: await token(r, SITE, 'query') }))).status).toBe(202);
    const refused = await fetch(`${r.url}/v1/form-token?origin=${encodeURIComponent('https://evil.example')}`);
    expect(refused.status).toBe(403);
    expect((await fetch(`${r.url}/v1/form-token`, { headers: { origin: 'https://evil.example' } })).status).toBe(403);
  });

  it.runIf(ledger.available)('posts without Origin: refused (origin-required) with tokens on unless IYS_ALLOW_NO_ORIGIN=1; taken with tokens off, where GET /v1/form-token answers 204', async () => {
    const strict = await start();
    const refused = await post(strict, body(strict), null);
    expect(refused.status).toBe(403);
    expect(await code(refused)).toBe('origin-required');

    const allowing = await start({ allowNoOrigin: true });
    const b = body(allowing);
    expect((await post(allowing, b, null)).status).toBe(202);
    expect(await evidence(allowing, b.recipient)).toEqual([expect.objectContaining({ formTokenAgeMs: null })]);

    const off = await start({ formToken: { key: null, ttlS: TTL_S }, allowNoOrigin: true });
    const none = await fetch(`${off.url}/v1/form-token`, { headers: { origin: SITE } });
    expect(none.status).toBe(204);
    expect((await post(off, body(off))).status).toBe(202);
    expect((await post(off, body(off), null)).status).toBe(202);
  });
});

describe('the proof endpoints\' own paths', () => {
  it('answer a wrong method with 405 and Allow', async () => {
    const store = new SqliteStore(join(tmp, 'own-paths.db'));
    await store.init();
    const app = createApp({ config: testConfig({ admin: { token: ADMIN }, formToken: { key: KEY, ttlS: TTL_S } }), store, logger: silentLogger });
    try {
      const token = await app.request('/v1/form-token', { method: 'POST' });
      expect(token.status).toBe(405);
      expect(token.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
      const notices = await app.request('/v1/admin/notices', { method: 'DELETE' });
      expect(notices.status).toBe(405);
      expect(notices.headers.get('allow')).toBe('GET, HEAD, POST');
      const version = await app.request('/v1/admin/notices/v1', { method: 'DELETE' });
      expect(version.status).toBe(405);
      expect(version.headers.get('allow')).toBe('GET, HEAD');
      const text = await app.request('/v1/notices/v1', { method: 'POST' });
      expect(text.status).toBe(405);
      expect(text.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
    } finally {
      await store.close();
    }
  });
});
