import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { formatTurkeyTime } from '../../shared/turkey-time.ts';
import { HOUR_MS, type Attempt, type ConsentStore } from '../../server/stores/store.ts';
import { SqliteStore } from '../../server/stores/sqlite-store.ts';
import { PostgresStore } from '../../server/stores/postgres-store.ts';
import { fullLedgerRecord, ledgerRecord, mobileOf, webRecord } from '../fixtures/records.ts';
import { rawPostgres, rawSqlite, type RawLedger } from '../helpers/raw-ledger.ts';
import { PG_URL, pgAvailable, testSchema } from '../helpers/pg.ts';

/**
 * The store queries behind the console, one contract for both adapters: the pending records closest
 * to their deadline, the requests to iletiMerkezi per hour and outcome, and a re-queued record that
 * names the one it stands for (once).
 */

const tmpRoot = mkdtempSync(join(tmpdir(), 'iys-store-console-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

type Harness = { name: string; available: boolean; open(): Promise<{ store: ConsentStore; raw: RawLedger }> };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

let fileNo = 0;
const harnesses: Harness[] = [
  {
    name: 'sqlite',
    available: true,
    async open() {
      const path = join(tmpRoot, `ledger-${++fileNo}.db`);
      const store = new SqliteStore(path);
      await store.init();
      const raw = rawSqlite(path);
      cleanups.push(() => store.close(), () => raw.close());
      return { store, raw };
    },
  },
  {
    name: 'postgres',
    available: pgAvailable,
    async open() {
      const schema = testSchema();
      const store = new PostgresStore(PG_URL, { schema, poolSize: 2 });
      await store.init();
      const raw = await rawPostgres(PG_URL, schema);
      cleanups.push(() => store.close(), () => raw.close());
      return { store, raw };
    },
  },
];

// A whole hour, so the buckets below are known.
const HOUR0 = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 5 * HOUR_MS;
let phoneNo = 0;
const phone = () => mobileOf(++phoneNo, '535');
const agoMinutes = (m: number) => formatTurkeyTime(Date.now() - m * 60_000);

const line = (over: Partial<Attempt>): Attempt => ({ at: HOUR0, outcome: 'accepted', code: 200, message: 'İşlem başarılı', batchSize: 2, ...over });

describe.each(harnesses)('$name ledger: the console queries', (h) => {
  describe.runIf(h.available)('contract', () => {
    it('pendingByDeadline: pending records only, earliest deadline first, at most the limit', async () => {
      const { store } = await h.open();
      const ids = (await store.insert([30, 50, 10, 40].map((m) => ledgerRecord(webRecord(phone(), { consentDate: agoMinutes(m) }), Date.now())))).ids;
      await store.markRegistered([ids[1]!], Date.now()); // the 50-minute one: settled, never listed
      const listed = await store.pendingByDeadline(2);
      expect(listed.map((r) => r.id)).toEqual([ids[3], ids[0]]);
      expect(listed.every((r) => r.state === 'pending')).toBe(true);
      expect((await store.pendingByDeadline(10)).map((r) => r.id)).toEqual([ids[3], ids[0], ids[2]]);
    });

    it('requestsByHour: answers per hour and outcome, a request counted once however many records it carried', async () => {
      const { store } = await h.open();
      const [a, b, c] = (await store.insert([1, 2, 3].map(() => ledgerRecord(webRecord(phone()), Date.now())))).ids as [string, string, string];
      // Hour 0: one request of two records, sent then accepted; one request of one record refused.
      await store.logAttempt([a, b], line({ outcome: 'sending', code: null, message: 'sent', requestId: 'r1', at: HOUR0 + 10 }));
      await store.logAttempt([a, b], line({ requestId: 'r1', at: HOUR0 + 20, counted: false }));
      await store.logAttempt([c], line({ outcome: 'sending', code: null, requestId: 'r2', at: HOUR0 + 30, batchSize: 1 }));
      await store.logAttempt([c], line({ outcome: 'records-refused', code: 422, requestId: 'r2', at: HOUR0 + 40, batchSize: 1, counted: false }));
      // Hour 2: a transient answer, and a line written before request ids (no id) for two records.
      await store.logAttempt([c], line({ outcome: 'transient', code: 503, requestId: 'r3', at: HOUR0 + 2 * HOUR_MS + 5, batchSize: 1 }));
      await store.logAttempt([a, b], line({ outcome: 'ambiguous', code: null, at: HOUR0 + 2 * HOUR_MS + 9 }));
      // Not answers: a doubt resolved without a request; and a line past the range.
      await store.logAttempt([a], line({ outcome: 'resolved', code: null, at: HOUR0 + 2 * HOUR_MS + 10, batchSize: 1 }));
      await store.logAttempt([a], line({ at: HOUR0 + 3 * HOUR_MS, batchSize: 1 }));

      expect(await store.requestsByHour(HOUR0, HOUR0 + 3 * HOUR_MS)).toEqual([
        { hourStart: HOUR0, outcome: 'accepted', requests: 1, records: 2 },
        { hourStart: HOUR0, outcome: 'records-refused', requests: 1, records: 1 },
        { hourStart: HOUR0 + 2 * HOUR_MS, outcome: 'ambiguous', requests: 1, records: 2 },
        { hourStart: HOUR0 + 2 * HOUR_MS, outcome: 'transient', requests: 1, records: 1 },
      ]);
      expect(await store.requestsByHour(HOUR0 + HOUR_MS, HOUR0 + 2 * HOUR_MS)).toEqual([]);
    });

    it('a re-queued record names the record it stands for, which stays as it was; a record is re-queued once', async () => {
      const { store, raw } = await h.open();
      const recipient = phone();
      const [old] = (await store.insert([fullLedgerRecord(recipient, Date.now())])).ids as [string];
      await store.markRejected([old], 'refused alone', Date.now());
      const [again] = (await store.insert([{ ...fullLedgerRecord(recipient, Date.now()), requeueOf: old }])).ids as [string];
      const both = await store.byRecipient(recipient);
      expect(both.map((r) => [r.id, r.state, r.requeueOf])).toEqual([
        [old, 'rejected', null],
        [again, 'pending', old],
      ]);
      await expect(store.insert([{ ...fullLedgerRecord(recipient, Date.now()), requeueOf: old }])).rejects.toThrow(/UNIQUE|unique/);
      await expect(raw.run('UPDATE records SET requeue_of = NULL WHERE id = ?', [again])).rejects.toThrow(/never rewritten/);
      expect((await store.byRecipient(recipient)).map((r) => r.id)).toEqual([old, again]);
    });

    it('noticeMatchCounts: records per judgement and matched version; observed records left out', async () => {
      const { store } = await h.open();
      const t = Date.now();
      const matched = fullLedgerRecord(phone(), t);
      const unmatched = { ...fullLedgerRecord(phone(), t), evidence: { ...fullLedgerRecord(phone(), t).evidence, idempotencyKey: 'k-2', noticeMatch: 'unmatched' as const, noticeRegistered: null } };
      await store.insert([matched], 'k-1');
      await store.insert([unmatched], 'k-2');
      await store.insert([ledgerRecord(webRecord(phone()), t), { ...ledgerRecord(webRecord(phone()), t), observed: { by: 'sweep', drift: 'record', at: t, extras: {} } }]);
      const counts = await store.proof().noticeMatchCounts();
      expect(counts.sort((a, b) => String(a.match).localeCompare(String(b.match)))).toEqual([
        { match: 'matched', registered: 'v1', records: 1 },
        { match: null, registered: null, records: 1 },
        { match: 'unmatched', registered: null, records: 1 },
      ].sort((a, b) => String(a.match).localeCompare(String(b.match))));
    });

    it('readbackFigures: confirmed, open unseen flags and superseded among our records; observed ones by maker and kind', async () => {
      const { store } = await h.open();
      expect(await store.readbackFigures()).toEqual({ ours: 0, confirmed: 0, unseen: 0, superseded: 0, observed: { citizen: 0, panel: 0, status: 0, record: 0 }, lastCheckedAt: null });
      const t = Date.now();
      const ids = (await store.insert([1, 2, 3, 4, 5].map(() => ledgerRecord(webRecord(phone()), t)))).ids as string[];
      await store.markRegistered(ids.slice(0, 4), t);
      const [confirmed, unseen, resolved, superseded] = ids as [string, string, string, string];
      await store.markChecked([confirmed], { at: t + 10, state: 'confirmed', note: null });
      await store.markChecked([unseen, resolved], { at: t + 20, state: 'unseen', note: 'not shown' });
      await store.markChecked([superseded], { at: t + 5, state: 'superseded', note: 'RET' });
      // The unseen flag of `resolved` is settled by its re-sent copy, confirmed.
      const [copy] = (await store.insert([{ ...ledgerRecord(webRecord(phone()), t), requeueOf: resolved }])).ids as [string];
      await store.markRegistered([copy], t);
      await store.markChecked([copy], { at: t + 30, state: 'confirmed', note: null });
      // Observed: a citizen's RET (IYS_*) and a panel entry (HS_*); an IYS_* source is stored as read-back does (observe.ts).
      const observed = (src: 'IYS_3338' | 'HS_FIZIKSEL_ORTAM', status: 'RET' | 'ONAY', drift: 'status' | 'record') => ({
        ...ledgerRecord(webRecord(phone(), { source: src as 'HS_WEB', status }), t), observed: { by: 'sweep' as const, drift, at: t, extras: {} },
      });
      await store.insert([observed('IYS_3338', 'RET', 'status'), observed('HS_FIZIKSEL_ORTAM', 'ONAY', 'record')]);
      expect(await store.readbackFigures()).toEqual({
        ours: 5, confirmed: 2, unseen: 1, superseded: 1, observed: { citizen: 1, panel: 1, status: 1, record: 1 }, lastCheckedAt: t + 30,
      });
    });
  });
});
