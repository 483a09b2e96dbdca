import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { keyOf, type IysRecord } from '../../shared/iys-record.ts';
import { DEADLINE_MS, formatTurkeyTime, parseTurkeyTime } from '../../shared/turkey-time.ts';
import type { Attempt, AttemptOutcome, ConsentStore, Evidence, NewRecord } from '../../server/stores/store.ts';
import { SqliteStore } from '../../server/stores/sqlite-store.ts';
import { PostgresStore } from '../../server/stores/postgres-store.ts';
import { openStore } from '../../server/stores/open-store.ts';
import { IdempotencyKeyReusedError } from '../../server/stores/idempotency.ts';
import { PG_URL, pgAvailable, testSchema } from '../helpers/pg.ts';

/** The one contract both ledger adapters keep: the same tests, run against each. */

const PAGE = 7;
const tmpRoot = mkdtempSync(join(tmpdir(), 'iys-store-contract-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

type Harness = {
  name: string;
  available: boolean;
  /** Whether a second instance on the same database hears this one's inserts (LISTEN/NOTIFY). */
  crossInstanceWakeups: boolean;
  /** A fresh, empty ledger, initialised. */
  open(): Promise<{ store: ConsentStore; sibling: () => Promise<ConsentStore> }>;
  /** A fresh ledger and a second instance on it that can read but not write, and what its writes fail with. */
  unwritable(): Promise<{ store: ConsentStore; reader: ConsentStore }>;
  unwritableError: RegExp;
};

const opened: ConsentStore[] = [];
async function track<T extends ConsentStore>(s: T): Promise<T> {
  opened.push(s);
  await s.init();
  return s;
}
const lockHolders: Database.Database[] = [];
afterEach(async () => {
  for (const holder of lockHolders.splice(0)) holder.close();
  for (const s of opened.splice(0)) await s.close();
});

let fileNo = 0;
const harnesses: Harness[] = [
  {
    name: 'sqlite',
    available: true,
    crossInstanceWakeups: false,
    async open() {
      const path = join(tmpRoot, `ledger-${++fileNo}.db`);
      const store = await track(new SqliteStore(path, { exportPageSize: PAGE }));
      return { store, sibling: () => track(new SqliteStore(path, { exportPageSize: PAGE })) };
    },
    // Another process holds the write lock (and keeps it past the busy timeout); readers go on in WAL mode.
    async unwritable() {
      const path = join(tmpRoot, `ledger-${++fileNo}.db`);
      const store = await track(new SqliteStore(path));
      const reader = await track(new SqliteStore(path, { busyTimeoutMs: 200 }));
      const holder = new Database(path);
      holder.exec('BEGIN EXCLUSIVE');
      lockHolders.push(holder);
      return { store, reader };
    },
    unwritableError: /database is locked/,
  },
  {
    name: 'postgres',
    available: pgAvailable,
    crossInstanceWakeups: true,
    async open() {
      const schema = testSchema();
      const make = () => track(new PostgresStore(PG_URL, { schema, exportPageSize: PAGE, poolSize: 4 }));
      return { store: await make(), sibling: make };
    },
    // A session that may only read (a hot standby, a read-only role answers the same).
    async unwritable() {
      const schema = testSchema();
      const store = await track(new PostgresStore(PG_URL, { schema }));
      const readOnly = new URL(PG_URL);
      readOnly.searchParams.set('options', '-c default_transaction_read_only=on');
      const reader = new PostgresStore(readOnly.href, { schema });
      opened.push(reader);
      return { store, reader };
    },
    unwritableError: /read-only transaction/,
  },
];

// --- record factory ------------------------------------------------------------------------------

const NOW = Date.now();
let phoneNo = 0;
const newPhone = () => `+90532${String(++phoneNo).padStart(7, '0')}`;

function evidence(over: Partial<Evidence> = {}): Evidence {
  return {
    rawRecipient: '0532 000 00 00', clientConsentDate: null, receivedAt: NOW, channels: 'MESAJ',
    noticeVersion: '2026-11-01', noticeHash: 'sha256:abc', noticeLang: 'tr', pageUrl: 'https://shop.example/kayit',
    origin: 'https://shop.example', ip: '203.0.113.7', userAgent: 'Mozilla/5.0 test', widgetVersion: '0.1.0',
    idempotencyKey: null, noticeMatch: 'matched', noticeRegistered: '2026-11-01', formTokenAgeMs: 4321, ...over,
  };
}

function rec(opts: { recipient?: string; status?: IysRecord['status']; agoMs?: number; receivedAt?: number } = {}): NewRecord {
  return {
    record: {
      recipient: opts.recipient ?? newPhone(), recipientType: 'BIREYSEL', type: 'MESAJ',
      status: opts.status ?? 'ONAY', source: 'HS_WEB', consentDate: formatTurkeyTime(NOW - (opts.agoMs ?? 60_000)),
    },
    evidence: evidence(opts.receivedAt === undefined ? {} : { receivedAt: opts.receivedAt }),
  };
}

async function insertOne(store: ConsentStore, r: NewRecord = rec()): Promise<string> {
  return (await store.insert([r])).ids[0]!;
}

const attempt = (message: string): Attempt => ({ at: NOW, outcome: 'accepted', code: 200, message, batchSize: 1 });

// --- the contract --------------------------------------------------------------------------------

describe.each(harnesses)('$name ledger store', (h) => {
  describe.runIf(h.available)('contract', () => {
    it('stores records with their evidence and reads them back', async () => {
      const { store } = await h.open();
      const phone = newPhone();
      const ev = evidence({ rawRecipient: '0532 111 22 33', clientConsentDate: '2020-01-01 00:00:00', channels: 'MESAJ ARAMA', idempotencyKey: 'k-evidence' });
      const records: NewRecord[] = (['MESAJ', 'ARAMA'] as const).map((type) => ({ record: { ...rec({ recipient: phone }).record, type }, evidence: ev }));
      const { ids, duplicate } = await store.insert(records, 'k-evidence');
      expect(duplicate).toBe(false);
      expect(new Set(ids).size).toBe(2);

      const back = await store.byRecipient(phone);
      expect(back.map((r) => r.id)).toEqual(ids);
      for (const [i, r] of back.entries()) {
        expect(r).toMatchObject({ ...records[i]!.record, state: 'pending', attempts: 0, reason: null, registeredAt: null, receivedAt: ev.receivedAt });
        expect(r.deadlineAt).toBe(parseTurkeyTime(r.consentDate)! + DEADLINE_MS);
        expect(r.evidence).toEqual(ev);
      }
      expect((await store.byIds([ids[1]!, 'no-such-id'])).map((r) => r.type)).toEqual(['ARAMA']);
    });

    it('makes time-ordered, unique ids', async () => {
      const { store } = await h.open();
      const ids: string[] = [];
      for (let i = 0; i < 20; i++) ids.push(await insertOne(store));
      expect([...ids].sort()).toEqual(ids);
      expect(new Set(ids).size).toBe(20);
    });

    it('honours an idempotency key sent twice, one after the other', async () => {
      const { store } = await h.open();
      const phone = newPhone();
      const first = await store.insert([rec({ recipient: phone })], 'same-key');
      const again = await store.insert([rec({ recipient: phone })], 'same-key');
      expect(again).toEqual({ ids: first.ids, duplicate: true });
      expect(await store.byRecipient(phone)).toHaveLength(1);
    });

    it('honours an idempotency key sent many times at once: stored once, every caller gets the same ids', async () => {
      const { store, sibling } = await h.open();
      const other = await sibling();
      const phone = newPhone();
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => (i % 2 ? other : store).insert([rec({ recipient: phone })], 'race-key')),
      );
      expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
      for (const r of results) expect(r.ids).toEqual(results[0]!.ids);
      expect(await store.byRecipient(phone)).toHaveLength(1);
    });

    it('refuses an idempotency key reused with other records, and stores nothing', async () => {
      const { store } = await h.open();
      const [p1, p2] = [newPhone(), newPhone()];
      const first = await store.insert([rec({ recipient: p1 })], 'reused-key');
      await expect(store.insert([rec({ recipient: p2 })], 'reused-key')).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
      await expect(store.insert([rec({ recipient: p1, status: 'RET' })], 'reused-key')).rejects.toThrow(/already used for different records/);
      expect(await store.byRecipient(p2)).toEqual([]);
      expect(await store.byRecipient(p1)).toHaveLength(1);
      // The key still stands for the first records.
      expect(await store.insert([rec({ recipient: p1 })], 'reused-key')).toEqual({ ids: first.ids, duplicate: true });
    });

    it("judges a repeat by the client's consentDate, so a late retry whose date was replaced is still the same", async () => {
      const { store } = await h.open();
      const phone = newPhone();
      const sent = formatTurkeyTime(NOW - 60_000);
      const asSent = (consentDate: string, channels: IysRecord['type'][]): NewRecord[] => channels.map((type) => ({
        record: { ...rec({ recipient: phone }).record, type, consentDate },
        evidence: evidence({ clientConsentDate: sent }),
      }));
      const first = await store.insert(asSent(sent, ['MESAJ', 'ARAMA']), 'retry-key');
      // Twenty minutes later the collector replaced the date with its receive time; channel order differs too.
      const later = await store.insert(asSent(formatTurkeyTime(NOW + 20 * 60_000), ['ARAMA', 'MESAJ']), 'retry-key');
      expect(later).toEqual({ ids: first.ids, duplicate: true });
      expect(await store.byRecipient(phone)).toHaveLength(2);
    });

    it('replays a known key without storing, and knows nothing of a new one', async () => {
      const { store } = await h.open();
      const phone = newPhone();
      const records = [rec({ recipient: phone })];
      expect(await store.replay('replay-key', records)).toBeNull();
      const first = await store.insert(records, 'replay-key');
      expect(await store.replay('replay-key', [rec({ recipient: phone })])).toEqual({ ids: first.ids, duplicate: true });
      await expect(store.replay('replay-key', [rec()])).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
      expect(await store.byRecipient(phone)).toHaveLength(1);
    });

    it("fails one caller's invalid batch as a whole without failing the others", async () => {
      const { store } = await h.open();
      const badPhone = newPhone();
      const bad = [rec({ recipient: badPhone }), { ...rec({ recipient: badPhone }), record: { ...rec().record, recipient: badPhone, recipientType: 'NOBODY' as never } }];
      const goods = Array.from({ length: 5 }, () => rec());
      const outcomes = await Promise.allSettled([
        ...goods.slice(0, 2).map((g) => store.insert([g])),
        store.insert(bad, 'bad-key'),
        ...goods.slice(2).map((g) => store.insert([g])),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
      expect(await store.byRecipient(badPhone)).toEqual([]);
      for (const g of goods) expect(await store.byRecipient(g.record.recipient)).toHaveLength(1);
      // The failed key was not remembered: a corrected retry is stored.
      expect((await store.insert([rec({ recipient: badPhone })], 'bad-key')).duplicate).toBe(false);
    });

    it('stores 200 concurrent inserts, each with its own ids', async () => {
      const { store } = await h.open();
      const results = await Promise.all(Array.from({ length: 200 }, () => store.insert([rec()])));
      const ids = results.flatMap((r) => r.ids);
      expect(new Set(ids).size).toBe(200);
      expect((await store.byIds(ids)).length).toBe(200);
      expect((await store.countByState()).pending).toBe(200);
    });

    it('claims earliest deadline first', async () => {
      const { store } = await h.open();
      const ages = [10, 50, 30, 70, 20, 60, 40];
      for (const m of ages) await insertOne(store, rec({ agoMs: m * 60_000 }));
      const claimed = await store.claim({ owner: 'a', limit: 4, leaseMs: 60_000, now: NOW });
      expect(claimed.map((r) => r.consentDate)).toEqual([70, 60, 50, 40].map((m) => formatTurkeyTime(NOW - m * 60_000)));
      const deadlines = claimed.map((r) => r.deadlineAt);
      expect(deadlines).toEqual([...deadlines].sort((a, b) => a - b));
    });

    it('claims only the head of a key: RET waits until the earlier ONAY is final', async () => {
      const { store } = await h.open();
      const phone = newPhone();
      // Inserted in the "wrong" order: the RET arrives first but is later by consentDate.
      const retId = await insertOne(store, rec({ recipient: phone, status: 'RET', agoMs: 60_000 }));
      const onayId = await insertOne(store, rec({ recipient: phone, status: 'ONAY', agoMs: 120_000 }));
      const first = await store.claim({ owner: 'a', limit: 10, leaseMs: 60_000, now: NOW });
      expect(first.map((r) => r.id)).toEqual([onayId]);
      // Lease ran out but ONAY is still pending: still only ONAY.
      const second = await store.claim({ owner: 'b', limit: 10, leaseMs: 60_000, now: NOW + 61_000 });
      expect(second.map((r) => r.id)).toEqual([onayId]);
      await store.markRegistered([onayId], NOW);
      const third = await store.claim({ owner: 'b', limit: 10, leaseMs: 60_000, now: NOW + 62_000 });
      expect(third.map((r) => r.id)).toEqual([retId]);
    });

    it('keeps a key busy while one of its records is leased, even when an earlier one arrives late', async () => {
      const { store } = await h.open();
      const phone = newPhone();
      const laterId = await insertOne(store, rec({ recipient: phone, agoMs: 60_000 }));
      expect((await store.claim({ owner: 'a', limit: 10, leaseMs: 60_000, now: NOW })).map((r) => r.id)).toEqual([laterId]);
      const earlierId = await insertOne(store, rec({ recipient: phone, status: 'RET', agoMs: 120_000 }));
      expect(await store.claim({ owner: 'b', limit: 10, leaseMs: 60_000, now: NOW + 1000 })).toEqual([]);
      await store.release([laterId], 'a', NOW);
      expect((await store.claim({ owner: 'b', limit: 10, leaseMs: 60_000, now: NOW + 2000 })).map((r) => r.id)).toEqual([earlierId]);
    });

    it('does not hand out a leased record until its lease runs out', async () => {
      const { store } = await h.open();
      const id = await insertOne(store);
      expect((await store.claim({ owner: 'a', limit: 10, leaseMs: 10_000, now: NOW })).map((r) => r.id)).toEqual([id]);
      expect(await store.claim({ owner: 'b', limit: 10, leaseMs: 10_000, now: NOW + 9_999 })).toEqual([]);
      expect(await store.claim({ owner: 'a', limit: 10, leaseMs: 10_000, now: NOW + 9_999 })).toEqual([]);
      expect((await store.claim({ owner: 'b', limit: 10, leaseMs: 10_000, now: NOW + 10_000 })).map((r) => r.id)).toEqual([id]);
    });

    it('releases only for the lease owner, and honours notBefore', async () => {
      const { store } = await h.open();
      const id = await insertOne(store);
      await store.claim({ owner: 'a', limit: 10, leaseMs: 60_000, now: NOW });
      await store.release([id], 'intruder', NOW);
      expect(await store.claim({ owner: 'b', limit: 10, leaseMs: 60_000, now: NOW + 1 })).toEqual([]);
      await store.release([id], 'a', NOW + 5_000);
      expect(await store.nextWakeAt(NOW + 2)).toBe(NOW + 5_000);
      expect(await store.claim({ owner: 'b', limit: 10, leaseMs: 60_000, now: NOW + 4_999 })).toEqual([]);
      const later = await store.claim({ owner: 'b', limit: 10, leaseMs: 60_000, now: NOW + 5_000 });
      expect(later.map((r) => r.id)).toEqual([id]);
      expect(later[0]!.state).toBe('pending');
    });

    it('extends a lease only for its owner', async () => {
      const { store } = await h.open();
      const id = await insertOne(store);
      await store.claim({ owner: 'a', limit: 10, leaseMs: 1_000, now: NOW });
      await store.extendLease([id], 'intruder', NOW + 1_000_000);
      expect(await store.nextWakeAt(NOW)).toBe(NOW + 1_000);
      await store.extendLease([id], 'a', NOW + 50_000);
      expect(await store.claim({ owner: 'b', limit: 10, leaseMs: 1_000, now: NOW + 10_000 })).toEqual([]);
      expect(await store.nextWakeAt(NOW)).toBe(NOW + 50_000);
    });

    it('never gives one record, or two records of one key, to concurrent claimers', async () => {
      const { store, sibling } = await h.open();
      const claimers = [store, await sibling(), await sibling()];
      const keys = 60;
      for (let k = 0; k < keys; k++) {
        const phone = newPhone();
        await store.insert([rec({ recipient: phone, agoMs: 120_000 }), rec({ recipient: phone, status: 'RET', agoMs: 60_000 })]);
      }
      for (let i = 0; i < 60; i++) await insertOne(store);
      const claimed: { owner: string; recipient: string; id: string }[] = [];
      await Promise.all(
        claimers.flatMap((c, ci) => [0, 1].map(async (j) => {
          const owner = `claimer-${ci}-${j}`;
          for (;;) {
            const got = await c.claim({ owner, limit: 9, leaseMs: 600_000, now: NOW });
            if (got.length === 0) return;
            for (const r of got) claimed.push({ owner, recipient: r.recipient, id: r.id });
          }
        })),
      );
      const ids = claimed.map((c) => c.id);
      expect(new Set(ids).size).toBe(ids.length);
      // Only the heads: one ONAY per two-record key plus every single record; never both records of a key.
      expect(ids.length).toBe(keys + 60);
      expect(new Set(claimed.map((c) => c.recipient)).size).toBe(ids.length);
    });

    it('changes state only from pending', async () => {
      const { store } = await h.open();
      const [a, b, c] = [await insertOne(store), await insertOne(store), await insertOne(store)];
      await store.markRegistered([a], NOW + 1);
      await store.markRejected([b], 'refused by İYS', NOW + 2);
      await store.markExpired([c], 'past the 72-hour deadline', NOW + 3);
      await store.markRejected([a], 'late', NOW + 4);
      await store.markRegistered([b, c], NOW + 5);
      await store.markExpired([a, b], 'late', NOW + 6);
      const byId = new Map((await store.byIds([a, b, c])).map((r) => [r.id, r]));
      expect(byId.get(a)).toMatchObject({ state: 'registered', registeredAt: NOW + 1 });
      expect(byId.get(b)).toMatchObject({ state: 'rejected', reason: 'refused by İYS', registeredAt: null });
      expect(byId.get(c)).toMatchObject({ state: 'expired', reason: 'past the 72-hour deadline', registeredAt: null });
      expect(await store.countByState()).toEqual({ pending: 0, registered: 1, rejected: 1, expired: 1 });
    });

    it('drops the lease when a record becomes final', async () => {
      const { store } = await h.open();
      const id = await insertOne(store);
      await store.claim({ owner: 'a', limit: 1, leaseMs: 60_000, now: NOW });
      expect(await store.nextWakeAt(NOW)).toBe(NOW + 60_000);
      await store.markRegistered([id], NOW);
      expect(await store.nextWakeAt(NOW)).toBeNull();
    });

    it('believes the last registered record of each key', async () => {
      const { store } = await h.open();
      const [p1, p2, p3] = [newPhone(), newPhone(), newPhone()];
      const [onay, ret] = (await store.insert([rec({ recipient: p1, agoMs: 300_000 }), rec({ recipient: p1, status: 'RET', agoMs: 200_000 })])).ids;
      await store.markRegistered([onay!, ret!], NOW);
      const p2id = await insertOne(store, rec({ recipient: p2, agoMs: 100_000 }));
      await store.markRejected([p2id], 'refused', NOW);
      await insertOne(store, rec({ recipient: p3 }));
      const key = (recipient: string) => keyOf({ recipient, recipientType: 'BIREYSEL', type: 'MESAJ' });
      const beliefs = await store.beliefs([key(p1), key(p2), key(p3)]);
      expect(beliefs.get(key(p1))).toEqual({ status: 'RET', consentDate: formatTurkeyTime(NOW - 200_000) });
      expect(beliefs.get(key(p2))).toBeUndefined();
      expect(beliefs.get(key(p3))).toBeUndefined();
    });

    it('reports the latest live record of each key: pending or registered, never rejected or expired', async () => {
      const { store } = await h.open();
      const [p1, p2, p3, p4, p5] = [newPhone(), newPhone(), newPhone(), newPhone(), newPhone()];
      const key = (recipient: string) => keyOf({ recipient, recipientType: 'BIREYSEL', type: 'MESAJ' });
      // p1: registered ONAY, then a pending RET (later by consentDate although inserted first).
      const retId = await insertOne(store, rec({ recipient: p1, status: 'RET', agoMs: 100_000 }));
      const onayId = await insertOne(store, rec({ recipient: p1, agoMs: 300_000 }));
      await store.markRegistered([onayId], NOW);
      // p2: only a registered record. p3: its latest is rejected, an earlier one registered. p4: only expired.
      const p2id = await insertOne(store, rec({ recipient: p2, agoMs: 200_000 }));
      await store.markRegistered([p2id], NOW);
      const [p3old, p3new] = (await store.insert([rec({ recipient: p3, agoMs: 300_000 }), rec({ recipient: p3, status: 'RET', agoMs: 100_000 })])).ids;
      await store.markRegistered([p3old!], NOW);
      await store.markRejected([p3new!], 'refused', NOW);
      await store.markExpired([await insertOne(store, rec({ recipient: p4 }))], 'late', NOW);

      const latest = await store.latestOfKeys([key(p1), key(p2), key(p3), key(p4), key(p5)]);
      expect(latest.get(key(p1))).toEqual({ id: retId, status: 'RET', consentDate: formatTurkeyTime(NOW - 100_000), state: 'pending' });
      expect(latest.get(key(p2))).toEqual({ id: p2id, status: 'ONAY', consentDate: formatTurkeyTime(NOW - 200_000), state: 'registered' });
      expect(latest.get(key(p3))).toMatchObject({ id: p3old, status: 'ONAY', state: 'registered' });
      expect(latest.has(key(p4))).toBe(false);
      expect(latest.has(key(p5))).toBe(false);
      expect((await store.latestOfKeys([])).size).toBe(0);
    });

    it('lists pending records past their deadline that no live lease holds', async () => {
      const { store } = await h.open();
      const late = await insertOne(store, rec({ agoMs: DEADLINE_MS + 60_000 }));
      const lateLeased = await insertOne(store, rec({ agoMs: DEADLINE_MS + 120_000 }));
      const lateFinal = await insertOne(store, rec({ agoMs: DEADLINE_MS + 180_000 }));
      await insertOne(store, rec({ agoMs: 60_000 }));
      await store.markRegistered([lateFinal], NOW);
      const leased = await store.claim({ owner: 'a', limit: 1, leaseMs: 30_000, now: NOW });
      expect(leased.map((r) => r.id)).toEqual([lateLeased]);
      expect((await store.overdue(NOW, 100)).map((r) => r.id)).toEqual([late]);
      expect((await store.overdue(NOW + 30_000, 100)).map((r) => r.id)).toEqual([lateLeased, late]);
      expect((await store.overdue(NOW + 30_000, 1)).map((r) => r.id)).toEqual([lateLeased]);
    });

    it('logs attempts and counts them', async () => {
      const { store } = await h.open();
      const [a, b] = [await insertOne(store), await insertOne(store)];
      await store.logAttempt([a, b], { at: NOW, outcome: 'transient', code: 503, message: 'Service Unavailable', batchSize: 2 });
      await store.logAttempt([a], { at: NOW + 1000, outcome: 'accepted', code: 200, message: 'İşlem başarılı', batchSize: 1 });
      expect(await store.attemptsOf(a)).toEqual([
        { at: NOW, outcome: 'transient', code: 503, message: 'Service Unavailable', batchSize: 2 },
        { at: NOW + 1000, outcome: 'accepted', code: 200, message: 'İşlem başarılı', batchSize: 1 },
      ]);
      expect(await store.attemptsOf(b)).toHaveLength(1);
      const byId = new Map((await store.byIds([a, b])).map((r) => [r.id, r]));
      expect(byId.get(a)).toMatchObject({ attempts: 2, reason: 'İşlem başarılı' });
      expect(byId.get(b)).toMatchObject({ attempts: 1, reason: 'Service Unavailable' });
      await store.logAttempt([b], { ...attempt('null code'), code: null });
      expect((await store.attemptsOf(b))[1]!.code).toBeNull();
      // A bookkeeping line is logged but not counted.
      await store.logAttempt([b], { ...attempt('answer'), counted: false });
      expect(await store.attemptsOf(b)).toHaveLength(3);
      expect((await store.byIds([b]))[0]).toMatchObject({ attempts: 2, reason: 'answer' });
    });

    it("keeps a pending record's doubt as data: set by an attempt line, left by one without, cleared when settled", async () => {
      const { store } = await h.open();
      const [a, b, c] = [await insertOne(store), await insertOne(store), await insertOne(store)];
      const doubtOf = async (id: string) => (await store.byIds([id]))[0]!.doubt;
      expect(await doubtOf(a)).toBeNull();
      const line: Attempt = { at: NOW, outcome: 'sending', code: null, message: 'sent', batchSize: 3 };
      await store.logAttempt([a, b, c], { ...line, doubt: 'sending' });
      expect(await Promise.all([a, b, c].map(doubtOf))).toEqual(['sending', 'sending', 'sending']);
      await store.logAttempt([a, b], { ...line, outcome: 'ambiguous', message: 'no answer', counted: false, doubt: 'lost' });
      await store.logAttempt([c], { ...line, outcome: 'transient', message: 'Service Unavailable', counted: false, doubt: null });
      expect(await Promise.all([a, b, c].map(doubtOf))).toEqual(['lost', 'lost', null]);
      // A line that does not say leaves the doubt as it is; `reason` keeps the plain last message.
      await store.logAttempt([a], { ...line, outcome: 'transient', message: 'Service Unavailable', counted: false });
      expect((await store.byIds([a]))[0]).toMatchObject({ doubt: 'lost', reason: 'Service Unavailable' });
      await store.logAttempt([b], { ...line, outcome: 'accepted', message: 'İşlem başarılı', counted: false, doubt: 'stored' });
      expect(await doubtOf(b)).toBe('stored');
      await store.markRegistered([b], NOW);
      await store.markRejected([a], 'refused', NOW);
      expect(await Promise.all([a, b].map(doubtOf))).toEqual([null, null]);
      // A settled record takes no doubt from a late line.
      await store.logAttempt([a, b], { ...line, doubt: 'sending' });
      expect(await Promise.all([a, b].map(doubtOf))).toEqual([null, null]);
    });

    it("registers with the answer's line in one write: the line logged uncounted, its message kept, the doubt cleared, only pending records changed", async () => {
      const { store } = await h.open();
      const [a, b, c] = [await insertOne(store), await insertOne(store), await insertOne(store)];
      await store.logAttempt([a, b, c], { at: NOW, outcome: 'sending', code: null, message: 'sent', batchSize: 3, requestId: 'req-1', doubt: 'sending' });
      await store.markRejected([c], 'refused', NOW);
      await store.markRegistered([a, b, c], NOW + 50, { at: NOW + 40, outcome: 'accepted', code: 200, message: 'İşlem başarılı', batchSize: 3, requestId: 'req-1' });
      const byId = new Map((await store.byIds([a, b, c])).map((r) => [r.id, r]));
      for (const id of [a, b]) {
        expect(byId.get(id)).toMatchObject({ state: 'registered', registeredAt: NOW + 50, attempts: 1, reason: 'İşlem başarılı', doubt: null });
        expect(await store.attemptsOf(id)).toEqual([
          { at: NOW, outcome: 'sending', code: null, message: 'sent', batchSize: 3 },
          { at: NOW + 40, outcome: 'accepted', code: 200, message: 'İşlem başarılı', batchSize: 3 },
        ]);
      }
      // A record already settled keeps its state and reason; the line is still the request's history.
      expect(byId.get(c)).toMatchObject({ state: 'rejected', reason: 'refused', registeredAt: null });
      expect((await store.attemptsOf(c)).map((l) => l.outcome)).toEqual(['sending', 'accepted']);
      // The request had an answer: it is not among the lost ones.
      expect(await store.lostRequestsOf([a, b, c])).toEqual(new Map());
    });

    it('finds the requests that got no answer, with every record they carried', async () => {
      const { store } = await h.open();
      const [a, b, c, d] = [await insertOne(store), await insertOne(store), await insertOne(store), await insertOne(store)];
      const line = (outcome: AttemptOutcome, requestId: string | null) => ({ at: NOW, outcome, code: null, message: outcome, batchSize: 2, requestId });
      // r1: the process died with it on the wire; r2: its answer was lost; r3: answered (refused).
      await store.logAttempt([a, b], line('sending', 'r1'));
      await store.logAttempt([b, c], line('sending', 'r2'));
      await store.logAttempt([b, c], { ...line('ambiguous', 'r2'), counted: false });
      await store.logAttempt([c, d], line('sending', 'r3'));
      await store.logAttempt([c, d], { ...line('records-refused', 'r3'), counted: false });
      // A line written before request ids: it groups nothing.
      await store.logAttempt([d], line('sending', null));
      const lost = async (ids: string[]) =>
        Object.fromEntries([...(await store.lostRequestsOf(ids))].map(([k, v]) => [k, [...v].sort()]));
      expect(await lost([b])).toEqual({ r1: [a, b].sort(), r2: [b, c].sort() });
      expect(await lost([a, c])).toEqual({ r1: [a, b].sort(), r2: [b, c].sort() });
      expect(await lost([d])).toEqual({});
      expect(await lost([])).toEqual({});
      // The request id is bookkeeping: attemptsOf shows the lines as before.
      expect(await store.attemptsOf(a)).toEqual([{ at: NOW, outcome: 'sending', code: null, message: 'sending', batchSize: 2 }]);
    });

    it('exports a receive-time range oldest first, over several pages, bounds [from, to)', async () => {
      const { store } = await h.open();
      const base = NOW - 1_000_000;
      const ids: { id: string; at: number }[] = [];
      // 30 records over 10 distinct receive times (3 share each), inserted out of time order.
      const times = Array.from({ length: 30 }, (_, i) => base + ((i * 7) % 10) * 1000);
      for (const at of times) ids.push({ id: await insertOne(store, rec({ receivedAt: at })), at });
      const from = base + 2000;
      const to = base + 8000;
      const expected = ids.filter((r) => r.at >= from && r.at < to)
        .sort((x, y) => x.at - y.at || (x.id < y.id ? -1 : 1)).map((r) => r.id);
      expect(expected.length).toBeGreaterThan(PAGE * 2);
      const got: string[] = [];
      for await (const r of store.exportRange(from, to)) {
        expect(r.evidence.receivedAt).toBe(r.receivedAt);
        got.push(r.id);
      }
      expect(got).toEqual(expected);
    });

    it('counts records by state and summarises what is pending', async () => {
      const { store } = await h.open();
      expect(await store.countByState()).toEqual({ pending: 0, registered: 0, rejected: 0, expired: 0 });
      expect(await store.pendingSummary()).toEqual({ count: 0, oldestReceivedAt: null, earliestDeadlineAt: null });
      const a = await insertOne(store, rec({ receivedAt: NOW - 5000, agoMs: 60_000 }));
      await insertOne(store, rec({ receivedAt: NOW - 3000, agoMs: 600_000 }));
      await insertOne(store, rec({ receivedAt: NOW - 9000, agoMs: 30_000 }));
      await store.markRegistered([a], NOW);
      expect(await store.countByState()).toEqual({ pending: 2, registered: 1, rejected: 0, expired: 0 });
      expect(await store.pendingSummary()).toEqual({
        count: 2, oldestReceivedAt: NOW - 9000, earliestDeadlineAt: parseTurkeyTime(formatTurkeyTime(NOW - 600_000))! + DEADLINE_MS,
      });
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it('takes a write probe, again and again, and it changes no record', async () => {
      const { store } = await h.open();
      await insertOne(store);
      await expect(store.probeWrite()).resolves.toBeUndefined();
      await expect(store.probeWrite()).resolves.toBeUndefined();
      expect(await store.countByState()).toEqual({ pending: 1, registered: 0, rejected: 0, expired: 0 });
    });

    it('refuses the write probe of a ledger that answers but cannot write, where ping still passes', async () => {
      const { store, reader } = await h.unwritable();
      await expect(store.ping()).resolves.toBeUndefined();
      await expect(reader.probeWrite()).rejects.toThrow(h.unwritableError);
      await expect(reader.ping()).resolves.toBeUndefined();
    });

    it('tells when something next becomes claimable', async () => {
      const { store } = await h.open();
      expect(await store.nextWakeAt(NOW)).toBeNull();
      const [a, b] = [await insertOne(store), await insertOne(store)];
      await store.claim({ owner: 'o', limit: 2, leaseMs: 20_000, now: NOW });
      await store.release([a], 'o', NOW + 7_000);
      expect(await store.nextWakeAt(NOW)).toBe(NOW + 7_000);
      expect(await store.nextWakeAt(NOW + 7_000)).toBe(NOW + 20_000);
      await store.markRegistered([b], NOW);
      expect(await store.nextWakeAt(NOW + 7_000)).toBeNull();
    });

    it('calls onInsert listeners after a commit, until unsubscribed', async () => {
      const { store } = await h.open();
      let calls = 0;
      const off = store.onInsert(() => calls++);
      await insertOne(store);
      await expect.poll(() => calls, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
      off();
      const before = calls;
      await insertOne(store);
      await insertOne(store);
      expect(calls).toBe(before);
    });

    // Only PostgreSQL hears another instance's inserts; SQLite relies on the dispatcher's idle poll.
    if (h.crossInstanceWakeups) {
      it('wakes another instance on the same database (LISTEN/NOTIFY)', async () => {
        const { store, sibling } = await h.open();
        const other = (await sibling()) as PostgresStore;
        let heard = 0;
        other.onInsert(() => heard++);
        await other.listenerReady();
        await insertOne(store);
        await expect.poll(() => heard, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
      });

      it('listens again after its LISTEN connection is killed', async () => {
        const { store, sibling } = await h.open();
        const other = (await sibling()) as PostgresStore;
        let heard = 0;
        other.onInsert(() => heard++);
        await other.listenerReady();
        const pg = (await import('pg')).default;
        const admin = new pg.Client({ connectionString: PG_URL });
        await admin.connect();
        try {
          const killed = await admin.query(
            `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN "iys_insert_' || $1 || '"%'`,
            [other.schema],
          );
          expect(killed.rowCount).toBe(1);
        } finally {
          await admin.end();
        }
        // On reconnecting it wakes its listeners once (inserts made meanwhile went unheard)…
        await expect.poll(() => heard, { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
        await other.listenerReady();
        heard = 0;
        // …and hears other instances' inserts again.
        await insertOne(store);
        await expect.poll(() => heard, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
      });
    }
  });
});

describe.each(harnesses)('$name group commit', (h) => {
  describe.runIf(h.available)('concurrent inserts', () => {
    it('commits them together, far fewer commits than inserts', async () => {
      const { store } = await h.open();
      const grouped = store as SqliteStore | PostgresStore;
      await Promise.all(Array.from({ length: 200 }, () => grouped.insert([rec()])));
      const { inserts, commits } = grouped.stats();
      expect(inserts).toBe(200);
      expect(commits).toBeLessThan(inserts / 10);
    });

    it('keeps one key to one set of records inside a group: one stores, the same records get its ids, others are refused', async () => {
      const { store } = await h.open();
      const [p1, p2] = [newPhone(), newPhone()];
      const outcomes = await Promise.allSettled([
        store.insert([rec({ recipient: p1 })], 'group-key'),
        store.insert([rec()]),
        store.insert([rec({ recipient: p2 })], 'group-key'),
        store.insert([rec({ recipient: p1 })], 'group-key'),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
      const [first, , reused, again] = outcomes;
      expect((reused as PromiseRejectedResult).reason).toBeInstanceOf(IdempotencyKeyReusedError);
      expect((again as PromiseFulfilledResult<{ ids: string[]; duplicate: boolean }>).value).toEqual({
        ids: (first as PromiseFulfilledResult<{ ids: string[] }>).value.ids, duplicate: true,
      });
      expect(await store.byRecipient(p1)).toHaveLength(1);
      expect(await store.byRecipient(p2)).toEqual([]);
    });
  });
});

describe('SQLite', () => {
  it('leaves the database file in WAL mode', async () => {
    const path = join(tmpRoot, 'pragmas.db');
    await track(new SqliteStore(path));
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(path, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
  });
});

describe('openStore', () => {
  it('opens SQLite for file: URLs, creating the folder', async () => {
    const store = openStore(`file:${join(tmpRoot, 'new', 'folder', 'ledger.db')}`);
    expect(store).toBeInstanceOf(SqliteStore);
    await track(store);
    expect((await store.insert([rec()])).ids).toHaveLength(1);
  });

  it('opens PostgreSQL for postgres:// and postgresql:// URLs', async () => {
    for (const url of ['postgres://u@127.0.0.1:1/db', 'postgresql://u@127.0.0.1:1/db']) {
      const store = openStore(url);
      expect(store).toBeInstanceOf(PostgresStore);
      await store.close();
    }
  });

  it('refuses anything else, naming IYS_DATABASE_URL', () => {
    expect(() => openStore('mysql://x')).toThrow(/IYS_DATABASE_URL/);
    expect(() => openStore('./data/x.db')).toThrow(/IYS_DATABASE_URL/);
    expect(() => openStore('file:')).toThrow(/IYS_DATABASE_URL/);
  });
});
