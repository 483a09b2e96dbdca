import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DEADLINE_MS, parseTurkeyTime } from '../../shared/turkey-time.ts';
import { UNCHECKED, type AttemptOutcome, type ConsentStore, type NewRecord } from '../../server/stores/store.ts';
import { SqliteStore } from '../../server/stores/sqlite-store.ts';
import { PostgresStore } from '../../server/stores/postgres-store.ts';
import { SQLITE_VERSIONS } from '../../server/stores/sqlite-schema.ts';
import { POSTGRES_VERSIONS } from '../../server/stores/postgres-schema.ts';
import { postgresSql } from '../../server/stores/postgres-sql.ts';
import { IdempotencyKeyReusedError } from '../../server/stores/idempotency.ts';
import { insertValues } from '../../server/stores/row-mapping.ts';
import { newRecordId } from '../../server/stores/record-id.ts';
import { GUARD_MESSAGES, INSERT_COLUMNS, RECORDS, columnsAt, existsAt, type SchemaStep } from '../../server/stores/schema.ts';
import { SQLITE_HISTORIC_MIGRATIONS, postgresHistoricMigrations } from '../fixtures/historic-ledger-schemas.ts';
import { rawPostgres, rawSqlite, type RawLedger } from '../helpers/raw-ledger.ts';
import { fullLedgerRecord, mobileOf } from '../fixtures/records.ts';
import { PG_URL, pgAvailable, testSchema } from '../helpers/pg.ts';

/**
 * A ledger an older collector left, at any earlier version, built from the schema that collector
 * shipped (test/fixtures/historic-ledger-schemas.ts) with rows in it, opens with today's store:
 * every row is kept, the guards and CHECKs hold, and its layout is the one a new ledger gets.
 */

const tmpRoot = mkdtempSync(join(tmpdir(), 'iys-store-migrations-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

type OldLedger = {
  /** A hand-held connection to it. */
  raw(): Promise<RawLedger>;
  /** Today's store on it (this migrates it). */
  open(): Promise<ConsentStore>;
};

type Harness = {
  name: string;
  available: boolean;
  /** The steps each earlier version had taken (today's list, less the versions since). */
  versions: readonly (readonly SchemaStep[])[];
  /** A ledger as the collector of version `v` left it: the historic migrations 1..v ran. */
  build(v: number): Promise<OldLedger>;
  /** A ledger today's store made from nothing. */
  fresh(): Promise<OldLedger>;
};

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
async function held<T extends { close(): Promise<void> }>(thing: T): Promise<T> {
  cleanups.push(() => thing.close());
  return thing;
}

let fileNo = 0;
function sqliteLedger(path: string): OldLedger {
  return {
    raw: () => held(rawSqlite(path)),
    async open() {
      const store = await held(new SqliteStore(path));
      await store.init();
      return store;
    },
  };
}

function postgresLedger(schema: string): OldLedger {
  return {
    raw: async () => held(await rawPostgres(PG_URL, schema)),
    async open() {
      const store = await held(new PostgresStore(PG_URL, { schema, poolSize: 2 }));
      await store.init();
      return store;
    },
  };
}

const harnesses: Harness[] = [
  {
    name: 'sqlite',
    available: true,
    versions: SQLITE_VERSIONS,
    async build(v) {
      const path = join(tmpRoot, `v${v}-${++fileNo}.db`);
      const db = new Database(path);
      if (SQLITE_HISTORIC_MIGRATIONS.length < v) throw new Error(`the historic SQLite schemas stop before version ${v}: add the one it shipped`);
      for (const m of SQLITE_HISTORIC_MIGRATIONS.slice(0, v)) db.exec(m);
      db.pragma(`user_version = ${v}`);
      db.close();
      return sqliteLedger(path);
    },
    async fresh() {
      return sqliteLedger(join(tmpRoot, `fresh-${++fileNo}.db`));
    },
  },
  {
    name: 'postgres',
    available: pgAvailable,
    versions: POSTGRES_VERSIONS,
    async build(v) {
      const schema = testSchema();
      const sql = postgresSql(schema);
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      try {
        await client.query(sql.createSchema);
        await client.query(sql.createMigrations);
        const shipped = postgresHistoricMigrations(schema);
        if (shipped.length < v) throw new Error(`the historic PostgreSQL schemas stop before version ${v}: add the one it shipped`);
        for (const [i, m] of shipped.slice(0, v).entries()) {
          await client.query(m);
          await client.query(sql.recordMigration, [i + 1, NOW]);
        }
      } finally {
        await client.end();
      }
      return postgresLedger(schema);
    },
    async fresh() {
      return postgresLedger(testSchema());
    },
  },
];

const NOW = Date.now();
let phoneNo = 0;

const consent = () => fullLedgerRecord(mobileOf(++phoneNo, '534'), NOW);

/** Writes a record row as the old collector (through `step`) would have: its insert, then what the dispatcher set. */
async function putRecord(raw: RawLedger, step: SchemaStep, n: NewRecord, later: Record<string, unknown> = {}): Promise<string> {
  const id = newRecordId();
  const values = insertValues(id, n, null);
  const had = new Set(columnsAt(RECORDS, step).map((c) => c.name));
  const row = { ...Object.fromEntries(INSERT_COLUMNS.flatMap((c, i) => (had.has(c) ? [[c, values[i]]] : []))), ...later };
  const columns = Object.keys(row);
  await raw.run(`INSERT INTO records (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`, Object.values(row));
  return id;
}

async function putAttempt(raw: RawLedger, recordId: string, outcome: AttemptOutcome, requestId: string | null): Promise<void> {
  const columns = ['record_id', 'at', 'outcome', 'code', 'message', 'batch_size', ...(requestId ? ['request_id'] : [])];
  await raw.run(`INSERT INTO attempts (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
    [recordId, NOW, outcome, outcome === 'accepted' ? 200 : null, `${outcome} line`, 2, ...(requestId ? [requestId] : [])]);
}

/** Doubt was a prefix of `reason` before it was a column: the old mark, the doubt and reason it becomes. */
const MARKED = [
  ['sent, no answer recorded yet', 'sending', 'sent, no answer recorded yet'],
  ['[may be stored] Service Unavailable', 'lost', 'Service Unavailable'],
  ['[stored] İşlem başarılı', 'stored', 'İşlem başarılı'],
  ['refused alone after a request carrying it got no answer: taken as stored by that request', 'stored', 'refused alone after a request carrying it got no answer: taken as stored by that request'],
  ['Aylık kota aşıldı', null, 'Aylık kota aşıldı'],
] as const;

describe.each(harnesses)('$name ledger of an earlier version', (h) => {
  const earlier = h.versions.slice(0, -1).map((steps, i) => ({ v: i + 1, step: steps.at(-1)! }));

  describe.runIf(h.available).each(earlier)('version $v (through step $step)', ({ v, step }) => {
    it('keeps every record, attempt line and idempotency key, with their values', async () => {
      const old = await h.build(v);
      const raw = await old.raw();
      const [pendingRec, registeredRec, rejectedRec] = [consent(), consent(), consent()];
      const pending = await putRecord(raw, step, pendingRec);
      const registered = await putRecord(raw, step, registeredRec, { state: 'registered', attempts: 1, reason: 'İşlem başarılı', registered_at: NOW, settled_at: NOW });
      const rejected = await putRecord(raw, step, rejectedRec, { state: 'rejected', attempts: 2, reason: 'refused', settled_at: NOW });
      const requestIds = existsAt('request-ids', step);
      await putAttempt(raw, pending, 'sending', requestIds ? 'lost-request' : null);
      await putAttempt(raw, registered, 'sending', requestIds ? 'answered-request' : null);
      await putAttempt(raw, registered, 'accepted', requestIds ? 'answered-request' : null);
      await raw.run('INSERT INTO idempotency (key, ids, created_at) VALUES (?, ?, ?)', ['old-key', JSON.stringify([pending]), NOW]);
      await raw.close();

      const store = await old.open();
      const expected = (n: NewRecord, id: string, fate: object) => ({
        ...n.record, id, deadlineAt: parseTurkeyTime(n.record.consentDate)! + DEADLINE_MS, receivedAt: n.evidence.receivedAt,
        // A version before step 'proof' kept no notice match or token age.
        evidence: existsAt('proof', step) ? n.evidence : { ...n.evidence, noticeMatch: null, noticeRegistered: null, formTokenAgeMs: null },
        state: 'pending', attempts: 0, reason: null, registeredAt: null, doubt: null, requeueOf: null, ...UNCHECKED, ...fate,
      });
      for (const [n, id, fate] of [
        [pendingRec, pending, {}],
        [registeredRec, registered, { state: 'registered', attempts: 1, reason: 'İşlem başarılı', registeredAt: NOW }],
        [rejectedRec, rejected, { state: 'rejected', attempts: 2, reason: 'refused' }],
      ] as const) {
        expect(await store.byRecipient(n.record.recipient)).toEqual([expected(n, id, fate)]);
      }
      expect(await store.attemptsOf(registered)).toEqual([
        { at: NOW, outcome: 'sending', code: null, message: 'sending line', batchSize: 2 },
        { at: NOW, outcome: 'accepted', code: 200, message: 'accepted line', batchSize: 2 },
      ]);
      expect(Object.fromEntries(await store.lostRequestsOf([pending, registered]))).toEqual(requestIds ? { 'lost-request': [pending] } : {});
      // A key from before fingerprints (or without one) stands for its ids, whatever the records.
      expect(await store.insert([consent()], 'old-key')).toEqual({ ids: [pending], duplicate: true });
      await store.insert([pendingRec], 'new-key');
      await expect(store.insert([consent()], 'new-key')).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
      expect((await store.claim({ owner: 'o', limit: 10, leaseMs: 60_000, now: NOW })).map((r) => r.id)).toContain(pending);
    });

    it('ends with the guards, CHECKs and layout of a new ledger', async () => {
      const old = await h.build(v);
      const before = await old.raw();
      const id = await putRecord(before, step, consent(), { state: 'registered', registered_at: NOW });
      await before.close();
      await old.open();
      const fresh = await h.fresh();
      await fresh.open();
      expect(await (await old.raw()).layout()).toEqual(await (await fresh.raw()).layout());

      const raw = await old.raw();
      await expect(raw.run('DELETE FROM records WHERE id = ?', [id])).rejects.toThrow(GUARD_MESSAGES.deleted);
      await expect(raw.run(`UPDATE records SET state = 'pending' WHERE id = ?`, [id])).rejects.toThrow(GUARD_MESSAGES.settled);
      for (const column of ['recipient', 'deadline_at']) {
        const change = column === 'recipient' ? `recipient || 'x'` : 'deadline_at + 1';
        await expect(raw.run(`UPDATE records SET ${column} = ${change} WHERE id = ?`, [id]), column).rejects.toThrow(GUARD_MESSAGES.rewritten);
      }
      const badLine = `INSERT INTO attempts (record_id, at, outcome, code, message, batch_size) VALUES (?, ?, 'guessed', NULL, 'x', 1)`;
      await expect(raw.run(badLine, [id, NOW])).rejects.toThrow(/CHECK constraint failed|violates check constraint/);
      await expect(raw.run(`UPDATE records SET doubt = 'maybe' WHERE id = ?`, [id])).rejects.toThrow(/CHECK constraint failed|violates check constraint/);
    });
  });

  describe.runIf(h.available).each(earlier.filter(({ step }) => !existsAt('doubt', step)))('version $v, before doubt was a column', ({ v, step }) => {
    it("turns the old doubt marks in `reason` into pending records' doubt", async () => {
      const old = await h.build(v);
      const raw = await old.raw();
      const ids: string[] = [];
      for (const [reason] of MARKED) ids.push(await putRecord(raw, step, consent(), { reason }));
      // A settled record takes no doubt; its reason loses the mark as every record's does.
      const settled = await putRecord(raw, step, consent(), { state: 'registered', reason: '[stored] İşlem başarılı', registered_at: NOW });
      await raw.close();
      const store = await old.open();
      const byId = new Map((await store.byIds([...ids, settled])).map((r) => [r.id, r]));
      MARKED.forEach(([, doubt, reason], i) => expect(byId.get(ids[i]!)).toMatchObject({ doubt, reason }));
      expect(byId.get(settled)).toMatchObject({ doubt: null, reason: 'İşlem başarılı' });
    });
  });
});
