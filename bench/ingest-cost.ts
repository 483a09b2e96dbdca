import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import pino from 'pino';
import { createApp } from '../server/runtime/app.ts';
import { testConfig } from '../server/runtime/config.ts';
import { createLogger } from '../server/log/logger.ts';
import { newRecordId } from '../server/stores/record-id.ts';
import { PostgresStore } from '../server/stores/postgres-store.ts';
import { SqliteStore } from '../server/stores/sqlite-store.ts';
import type { ConsentStore, NewRecord } from '../server/stores/store.ts';
import type { Mode } from './modes.ts';
import { BENCH_PG_URL, benchSchema, dropSchema, pgUnreachable } from './pg.ts';
import { benchNewRecord } from './records.ts';
import { formatTurkeyTime } from '../shared/turkey-time.ts';
import { row, type Row } from './table.ts';

let seq = 0;
const consentBody = (consentDate: string) =>
  JSON.stringify({
    recipient: `0532 ${String(++seq % 10_000_000).padStart(7, '0').replace(/^(\d{3})(\d{2})(\d{2})$/, '$1 $2 $3')}`,
    channels: ['MESAJ', 'ARAMA'], consentDate, pageUrl: 'https://shop.example/kayit',
  });

/**
 * CPU µs per request (this process's user + system time, its I/O threads included), not wall time:
 * on a machine shared with other work, wall time also counts the moments the process waited for a core.
 */
async function perRequest(app: Hono, count: number): Promise<number> {
  const consentDate = formatTurkeyTime(Date.now());
  const started = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    const res = await app.request('/v1/consents', { method: 'POST', headers: { 'content-type': 'application/json' }, body: consentBody(consentDate) });
    if (res.status !== 202) throw new Error(`ingest cost: got ${res.status}`);
  }
  const used = process.cpuUsage(started);
  return (used.user + used.system) / count;
}

type GroupCommitting = ConsentStore & { stats(): { inserts: number; commits: number } };

/** One store's durable insert of a two-channel consent: each alone, against 16 at once (group commit). */
async function durableInsert(label: string, store: GroupCommitting, inserts: number, load: string, why: string): Promise<Row> {
  const now = Date.now();
  const consentDate = formatTurkeyTime(now);
  let i = 0;
  // One consent = two records, as the endpoint stores a two-channel consent.
  const consent = () => [benchNewRecord(++i, consentDate, now), benchNewRecord(++i, consentDate, now)];
  let t = performance.now();
  for (let k = 0; k < inserts; k++) await store.insert(consent());
  const aloneUs = ((performance.now() - t) * 1000) / inserts;
  const before = store.stats();
  t = performance.now();
  for (let k = 0; k < inserts; k += 16) await Promise.all(Array.from({ length: 16 }, () => store.insert(consent())));
  const groupedUs = ((performance.now() - t) * 1000) / (Math.ceil(inserts / 16) * 16);
  const after = store.stats();
  const [n, commits] = [after.inserts - before.inserts, after.commits - before.commits];
  return row({
    bench: 'ingest', measure: `${label} durable insert of one consent: µs, alone vs 16 at once`, load: `${inserts} inserts each way, ${load}`,
    figure: aloneUs, baseline: groupedUs, unit: 'µs', target: null, met: null,
    note: `baseline: per insert when 16 wait together (group commit: ${n} inserts in ${commits} commits); alone, ${why}`,
  });
}

/** The same for PostgreSQL, in a throw-away schema; a row saying why not when it is unreachable. */
async function postgresDurableInsert(inserts: number): Promise<Row> {
  const down = await pgUnreachable();
  if (down !== null) {
    return row({
      bench: 'ingest', measure: 'PostgreSQL durable insert', load: '—', figure: null, baseline: null, unit: '', target: null, met: null,
      note: `not run: PostgreSQL at ${BENCH_PG_URL.replace(/\/\/[^@]*@/, '//')} is unreachable (${down}); set IYS_BENCH_PG_URL`,
    });
  }
  const schema = benchSchema();
  const store = new PostgresStore(BENCH_PG_URL, { schema });
  await store.init();
  try {
    return await durableInsert('PostgreSQL', store, inserts, 'synchronous_commit on', 'every consent is a round trip and a commit of its own');
  } finally {
    await store.close();
    await dropSchema(schema);
  }
}

/**
 * Where an ingest request's time goes, to explain the ingest ratio: the collector's app with the
 * ledger stubbed out (validation, logging, request id, rate-limit bookkeeping) against the bare route,
 * in process; and each ledger's durable insert of one consent alone against 16 at once (group commit).
 */
export async function ingestCostBench(mode: Mode): Promise<Row[]> {
  const posts = Math.max(500, Math.round(mode.middleware.posts / 4));
  const dir = mkdtempSync(join(tmpdir(), 'iys-bench-cost-'));
  const store = new SqliteStore(join(dir, 'ledger.db'));
  await store.init();
  try {
    const noLedger: ConsentStore = Object.assign(Object.create(store) as ConsentStore, {
      insert: async (records: NewRecord[]) => ({ ids: records.map(() => newRecordId(Date.now())), duplicate: false }),
    });
    const logger = createLogger({ destination: pino.destination({ dest: '/dev/null', sync: false }) });
    const app = createApp({ config: testConfig({ rateLimit: 0 }), store: noLedger, logger });
    const bare = new Hono();
    bare.post('/v1/consents', async (c) => {
      await c.req.json();
      return c.json({ ids: ['a', 'b'], state: 'pending' }, 202);
    });
    await perRequest(app, 300);
    await perRequest(bare, 300);
    let appUs = Infinity;
    let bareUs = Infinity;
    for (let r = 0; r < mode.middleware.rounds; r++) {
      bareUs = Math.min(bareUs, await perRequest(bare, posts));
      appUs = Math.min(appUs, await perRequest(app, posts));
    }

    const inserts = Math.max(50, Math.round(posts / 10));
    return [
      row({
        bench: 'ingest', measure: 'collector app without the ledger: CPU µs per request, in process', load: `${posts} posts × ${mode.middleware.rounds} rounds, best round`,
        figure: appUs, baseline: bareUs, unit: 'µs', target: 'ratio ≤ 2', met: appUs <= 2 * bareUs,
        note: 'baseline: the bare route in process; the difference is validation (zod, libphonenumber), the log line, request id and rate-limit bookkeeping' +
          (appUs > 2 * bareUs ? '; above 2×: see docs/performance.md for the profile' : ''),
      }),
      await durableInsert('SQLite', store, inserts, 'synchronous=FULL', 'every consent waits for its own fsync'),
      await postgresDurableInsert(inserts),
    ];
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
