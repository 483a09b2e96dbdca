import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../server/stores/postgres-store.ts';
import { mobileOf } from '../fixtures/records.ts';
import { createPrivatePostgres, privatePostgresUnavailable, type PrivatePostgres } from '../helpers/private-pg.ts';
import { consentBody } from './collector-harness.ts';
import { waitFor } from './dispatch-harness.ts';

/**
 * The collector (`iys-consent serve`, what `npm run collector` runs, a real process) on a PostgreSQL ledger of the test's own that
 * the test stops, starts, freezes and thaws while consents keep coming in: a 202 is a promise, so
 * the process must answer 503 while the database is down or frozen (never crash, never hold a post,
 * never refuse a connection), come back by itself, and lose nothing it acknowledged.
 * Figures (posts by answer, acknowledged vs registered, seconds to the first 202) are printed.
 */

const unavailable = privatePostgresUnavailable();
const REQUIRED = process.env.IYS_TEST_REQUIRE_PG === '1';
if (unavailable !== null) {
  if (REQUIRED) throw new Error(`IYS_TEST_REQUIRE_PG=1 but a private PostgreSQL instance cannot be made: ${unavailable}`);
  console.warn(`the PostgreSQL outage tests are SKIPPED: ${unavailable}`);
}

const SECRET = 's3cret-never-logged';
const POSTERS = 6;
// Long enough that a post held by a frozen database shows as a hang, not as a slow answer.
const POST_ABORT_MS = 20_000;

type Post = { started: number; answered: number; status: number | 'error'; ids: string[]; retryAfter: string | null };

describe.runIf(unavailable === null)('PostgreSQL stopped, started, frozen and thawed under a running collector', () => {
  let db: PrivatePostgres;
  let collector: ChildProcess;
  let out = '';
  let err = '';
  let url = '';
  const posts: Post[] = [];
  let posting = true;
  let posters: Promise<void>[] = [];
  let phone = 0;

  beforeAll(async () => {
    db = await createPrivatePostgres();
  });

  afterAll(async () => {
    posting = false;
    await Promise.all(posters);
    if (collector && collector.exitCode === null) collector.kill('SIGKILL');
    await db?.destroy();
  });

  const lines = () => out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  const answered = (from: number, status: number, until = Infinity) => posts.filter((p) => p.started >= from && p.answered < until && p.status === status);

  async function poster(): Promise<void> {
    while (posting) {
      const i = ++phone;
      const started = Date.now();
      let post: Post;
      try {
        const res = await fetch(`${url}/v1/consents`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(consentBody({ recipient: mobileOf(8_000_000 + i, '535').replace('+90', '0'), channels: ['MESAJ'], idempotencyKey: `outage-${i}-key` })),
          signal: AbortSignal.timeout(POST_ABORT_MS),
        });
        const body = (await res.json()) as { ids?: string[] };
        post = { started, answered: Date.now(), status: res.status, ids: body.ids ?? [], retryAfter: res.headers.get('retry-after') };
      } catch {
        post = { started, answered: Date.now(), status: 'error', ids: [], retryAfter: null };
      }
      posts.push(post);
      // A client told to come back later waits a little, as the widget does; the others go on at once.
      if (post.status !== 202) await new Promise((r) => setTimeout(r, 100));
    }
  }

  const health = async () => (await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(POST_ABORT_MS) })).status;

  it('waits at start-up for a database that is not up yet, one line an attempt, the password never shown', async () => {
    const dbUrl = db.url.replace('postgres@', `postgres:${SECRET}@`);
    collector = spawn(process.execPath, ['bin/iys-consent.mjs', 'serve'], {
      cwd: join(import.meta.dirname, '../..'),
      env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', IYS_DATABASE_URL: dbUrl, IYS_SANDBOX: '1', IYS_RATE_LIMIT: '0', IYS_FLUSH_MS: '50' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    collector.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    collector.stderr!.on('data', (d: Buffer) => (err += d.toString()));

    await waitFor('two start-up attempts logged', () => lines().filter((l) => l.event === 'collector.waiting-for-ledger').length >= 2, 20_000);
    expect(collector.exitCode).toBeNull();
    await db.start();
    await waitFor('the collector listening', () => lines().some((l) => l.event === 'collector.started'), 30_000);
    url = String(lines().find((l) => l.event === 'collector.started')!.url);

    const waits = lines().filter((l) => l.event === 'collector.waiting-for-ledger');
    expect(waits.map((l) => l.attempt)).toEqual(waits.map((_, i) => i + 1));
    expect(waits[0]!.ledger).toBe(`postgres://postgres@127.0.0.1:${db.port}/postgres`);
    expect(String(waits[0]!.msg)).toMatch(/waiting for the PostgreSQL ledger at postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres/);
    expect(out + err).not.toContain(SECRET);
  });

  it('a fast stop with consents coming in: 503 with Retry-After while down, never a crash or a refused connection; back by itself', async () => {
    posters = Array.from({ length: POSTERS }, () => poster());
    await waitFor('consents acknowledged', () => answered(0, 202).length >= 30);

    const stoppedAt = Date.now();
    await db.stop();
    await waitFor('a post answered 503 while the database is down', () => answered(stoppedAt, 503).length > 0, 20_000);
    await waitFor('more posts answered while down', () => answered(stoppedAt, 503).length >= 10, 20_000);
    await waitFor('/healthz not ready while the database is down', async () => (await health()) === 503, 10_000);
    expect(answered(stoppedAt, 503).every((p) => p.retryAfter !== null)).toBe(true);

    await db.start();
    const backAt = Date.now();
    await waitFor('a 202 after the database came back', () => answered(backAt, 202).length > 0, 30_000);
    const first = Math.min(...answered(backAt, 202).map((p) => p.answered));
    console.info(`PostgreSQL fast stop: first 202 ${((first - backAt) / 1000).toFixed(2)} s after the database was back`);
    await waitFor('/healthz ready again', async () => (await health()) === 200, 20_000);
    expect(collector.exitCode).toBeNull();
    expect(err).not.toMatch(/Unhandled|uncaught/i);
  });

  it('a frozen database (SIGSTOP): posts get 503 while it is frozen instead of waiting for it; back on thaw', async () => {
    await waitFor('consents acknowledged again', () => answered(Date.now() - 1000, 202).length >= 5, 20_000);
    db.freeze();
    const frozenAt = Date.now();
    let thawedAt = Infinity;
    try {
      await waitFor('posts answered 503 while frozen', () => answered(frozenAt, 503, Infinity).length >= 5, 30_000);
      await waitFor('/healthz not ready while the database is frozen', async () => (await health()) === 503, 20_000);
    } finally {
      db.thaw();
      thawedAt = Date.now();
    }
    // Answered while the database was still frozen: not held until it thawed.
    expect(answered(frozenAt, 503, thawedAt).length).toBeGreaterThanOrEqual(5);
    await waitFor('a 202 after the thaw', () => answered(thawedAt, 202).length > 0, 30_000);
    const first = Math.min(...answered(thawedAt, 202).map((p) => p.answered));
    console.info(`PostgreSQL frozen: first 202 ${((first - thawedAt) / 1000).toFixed(2)} s after the thaw`);
    await waitFor('/healthz ready again', async () => (await health()) === 200, 20_000);
  });

  it('lost nothing it acknowledged, registers it all, and never died', async () => {
    posting = false;
    await Promise.all(posters);
    const counts = { 202: 0, 503: 0, other: 0 };
    for (const p of posts) {
      if (p.status === 202) counts[202]++;
      else if (p.status === 503) counts[503]++;
      else counts.other++;
    }
    const acknowledged = [...new Set(posts.filter((p) => p.status === 202).flatMap((p) => p.ids))];

    const ledger = new PostgresStore(db.url);
    try {
      await waitFor('every pending record registered', async () => (await ledger.countByState()).pending === 0, 60_000);
      const found = [];
      for (let i = 0; i < acknowledged.length; i += 500) found.push(...(await ledger.byIds(acknowledged.slice(i, i + 500))));
      const byState = await ledger.countByState();
      console.info(
        `PostgreSQL outage: posts answered 202 ${counts[202]}, 503 ${counts[503]}, other ${counts.other}; ` +
          `acknowledged ${acknowledged.length} records, ${found.length} of them in the ledger, ${found.filter((r) => r.state === 'registered').length} registered ` +
          `(ledger: ${byState.registered} registered, ${byState.pending} pending)`,
      );
      expect(counts.other).toBe(0);
      expect(counts[503]).toBeGreaterThan(0);
      expect(found.map((r) => r.id).sort()).toEqual(acknowledged.sort());
      expect(found.every((r) => r.state === 'registered')).toBe(true);
    } finally {
      await ledger.close();
    }
    expect(collector.exitCode).toBeNull();
    expect(err).toBe('');
    // The LISTEN connection came back by itself, and the dispatcher was never stuck.
    const listen = lines().filter((l) => String(l.event).startsWith('store.listen')).map((l) => l.event);
    expect(listen, JSON.stringify(lines().filter((l) => String(l.event).startsWith('store.')))).toContain('store.listen-restored');
  });
});
