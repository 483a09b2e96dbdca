import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { RECORD_STATES } from '../../shared/enums.ts';
import { ATTEMPT_OUTCOMES, type ConsentStore, type StoredRecordWithEvidence } from '../../server/stores/store.ts';
import { SqliteStore } from '../../server/stores/sqlite-store.ts';
import { PostgresStore } from '../../server/stores/postgres-store.ts';
import { SQLITE_DIALECT } from '../../server/stores/sqlite-schema.ts';
import { postgresDialect } from '../../server/stores/postgres-schema.ts';
import type { Dialect } from '../../server/stores/migrations.ts';
import type { NewRecord } from '../../server/stores/store.ts';
import { insertValues } from '../../server/stores/row-mapping.ts';
import { newRecordId } from '../../server/stores/record-id.ts';
import {
  GUARD_MESSAGES, INDEXES, INSERT_COLUMNS, RECORDS, TABLES, type ColumnSpec,
} from '../../server/stores/schema.ts';
import { rawPostgres, rawSqlite, type RawLedger } from '../helpers/raw-ledger.ts';
import { fullLedgerRecord, mobileOf } from '../fixtures/records.ts';
import { PG_URL, pgAvailable, testSchema } from '../helpers/pg.ts';

/**
 * Both stores lay out the ledger the one definition (schema.ts) describes, and refuse the same
 * hand-made changes: the same tests, run against each, on the real database, past the store.
 */

const tmpRoot = mkdtempSync(join(tmpdir(), 'iys-store-schema-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

type Harness = {
  name: string;
  available: boolean;
  dialect: Dialect;
  /** How the catalog names a column type the dialect wrote as `declared`. */
  catalogType(declared: string): string;
  /** A fresh ledger through its store, and a hand-held connection to it. */
  open(): Promise<{ store: ConsentStore; raw: RawLedger }>;
};

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
async function opened(store: ConsentStore, raw: RawLedger) {
  cleanups.push(() => store.close(), () => raw.close());
  return { store, raw };
}

let fileNo = 0;
const harnesses: Harness[] = [
  {
    name: 'sqlite',
    available: true,
    dialect: SQLITE_DIALECT,
    catalogType: (declared) => declared,
    async open() {
      const path = join(tmpRoot, `ledger-${++fileNo}.db`);
      const store = new SqliteStore(path);
      await store.init();
      return opened(store, rawSqlite(path));
    },
  },
  {
    name: 'postgres',
    available: pgAvailable,
    dialect: postgresDialect('unused'),
    // A BIGSERIAL is a bigint with a sequence behind it.
    catalogType: (declared) => (declared === 'BIGSERIAL' ? 'bigint' : declared.toLowerCase()),
    async open() {
      const schema = testSchema();
      const store = new PostgresStore(PG_URL, { schema, poolSize: 2 });
      await store.init();
      return opened(store, await rawPostgres(PG_URL, schema));
    },
  },
];

const NOW = Date.now();
let phoneNo = 0;

// With an SMS verification too, so its column holds a value to change (ledgers before 'verification' have none: fullLedgerRecord).
const fullRecord = (): NewRecord => {
  const r = fullLedgerRecord(mobileOf(++phoneNo, '533'), NOW);
  const verification = { id: 'v_full', method: 'sms' as const, sentAt: NOW - 80_000, verifiedAt: NOW - 60_000, attempts: 2, messageId: '1', clickConsentDate: r.record.consentDate };
  return { ...r, evidence: { ...r.evidence, verification } };
};

/** Inserts a records row by hand: the store's own insert values, with some columns replaced. */
async function insertByHand(raw: RawLedger, over: Record<string, unknown> = {}): Promise<void> {
  const values = insertValues(newRecordId(), fullRecord(), null);
  const row = INSERT_COLUMNS.map((c, i) => (c in over ? over[c] : values[i]));
  await raw.run(`INSERT INTO records (${INSERT_COLUMNS.join(', ')}) VALUES (${INSERT_COLUMNS.map(() => '?').join(', ')})`, row);
}

/** Every record with its evidence. */
async function everything(store: ConsentStore): Promise<StoredRecordWithEvidence[]> {
  const out: StoredRecordWithEvidence[] = [];
  for await (const r of store.exportRange(0, Number.MAX_SAFE_INTEGER)) out.push(r);
  return out;
}

/** An update that changes the column's value, staying inside its CHECK so only a guard can refuse it. */
function changed(c: ColumnSpec): string {
  if (c.oneOf) return `'${c.oneOf.at(-1)}'`;
  if (c.type === 'text') return `COALESCE(${c.name}, '') || '-changed'`;
  return `${c.name} + 1000`;
}

const REFUSED_BY_CHECK = /CHECK constraint failed|violates check constraint/;
const RECORD_COLUMNS: readonly ColumnSpec[] = RECORDS.columns;
const IMMUTABLE = RECORD_COLUMNS.filter((c) => c.immutable);
/** The dispatcher's bookkeeping; state has rules of its own. */
const MUTABLE = RECORD_COLUMNS.filter((c) => !c.immutable && c.name !== 'state');

describe.each(harnesses)('$name ledger schema', (h) => {
  describe.runIf(h.available)('against the one definition', () => {
    it('has every table with the columns, types and nullability the definition gives, in its order', async () => {
      const { raw } = await h.open();
      for (const table of TABLES) {
        const expected = table.columns.map((c) => ({
          name: c.name,
          type: h.catalogType(h.dialect.types[c.type]),
          nullable: c.nullable === true && !c.primaryKey,
        }));
        expect(await raw.columns(table.name), table.name).toEqual(expected);
      }
    });

    it('checks exactly the columns the definition lists, against its lists', async () => {
      const { raw } = await h.open();
      for (const table of TABLES) {
        const expected = Object.fromEntries(table.columns.flatMap((c) => (c.oneOf ? [[c.name, [...c.oneOf]]] : [])));
        expect(await raw.checks(table.name), table.name).toEqual(expected);
      }
    });

    it('has the indexes the definition lists', async () => {
      const { raw } = await h.open();
      for (const table of TABLES) {
        const expected = INDEXES.filter((i) => i.table === table.name).map((i) => i.name).sort();
        expect(await raw.indexes(table.name), table.name).toEqual(expected);
      }
    });

    it('refuses to rewrite any immutable column of a record, pending or settled', async () => {
      const { store, raw } = await h.open();
      // Re-queues of two other records, so every immutable column, requeue_of too, holds a value to change.
      const originals = (await store.insert([fullRecord(), fullRecord()])).ids;
      const [pending, settled] = (await store.insert(originals.map((requeueOf) => ({ ...fullRecord(), requeueOf })))).ids;
      await store.markRegistered([settled!], NOW);
      const before = await everything(store);
      for (const id of [pending!, settled!]) {
        for (const c of IMMUTABLE) {
          await expect(raw.run(`UPDATE records SET ${c.name} = ${changed(c)} WHERE id = ?`, [id]), c.name).rejects.toThrow(GUARD_MESSAGES.rewritten);
        }
      }
      expect(before).toHaveLength(4);
      expect(await everything(store)).toEqual(before);
    });

    it("lets the dispatcher's bookkeeping columns of a pending record change", async () => {
      const { store, raw } = await h.open();
      const id = await store.insert([fullRecord()]).then((r) => r.ids[0]!);
      for (const c of MUTABLE) {
        const value = c.oneOf ? `'${c.oneOf[0]}'` : c.type === 'text' ? `'changed'` : '7';
        await raw.run(`UPDATE records SET ${c.name} = ${value} WHERE id = ?`, [id]);
      }
      expect((await store.byIds([id]))[0]).toMatchObject({ reason: 'changed', attempts: 7, registeredAt: 7, doubt: 'sending' });
    });

    it('refuses to delete a record, pending or settled', async () => {
      const { store, raw } = await h.open();
      // Re-queues of two other records, so every immutable column, requeue_of too, holds a value to change.
      const originals = (await store.insert([fullRecord(), fullRecord()])).ids;
      const [pending, settled] = (await store.insert(originals.map((requeueOf) => ({ ...fullRecord(), requeueOf })))).ids;
      await store.markRejected([settled!], 'refused', NOW);
      for (const id of [pending!, settled!]) {
        await expect(raw.run('DELETE FROM records WHERE id = ?', [id])).rejects.toThrow(GUARD_MESSAGES.deleted);
      }
      expect(await store.byIds([pending!, settled!])).toHaveLength(2);
    });

    it('changes state only from pending: a settled record keeps its state', async () => {
      const { store, raw } = await h.open();
      const ids = (await store.insert([fullRecord(), fullRecord(), fullRecord(), fullRecord()])).ids;
      await store.markRegistered([ids[0]!], NOW);
      await store.markRejected([ids[1]!], 'refused', NOW);
      await store.markExpired([ids[2]!], 'late', NOW);
      for (const [i, from] of (['registered', 'rejected', 'expired'] as const).entries()) {
        for (const to of RECORD_STATES.filter((s) => s !== from)) {
          await expect(raw.run('UPDATE records SET state = ? WHERE id = ?', [to, ids[i]]), `${from} → ${to}`).rejects.toThrow(GUARD_MESSAGES.settled);
        }
        await raw.run('UPDATE records SET state = ? WHERE id = ?', [from, ids[i]]);
      }
      await raw.run(`UPDATE records SET state = 'expired' WHERE id = ?`, [ids[3]]);
      expect((await store.byIds(ids)).map((r) => r.state)).toEqual(['registered', 'rejected', 'expired', 'expired']);
    });

    it('refuses a value outside a CHECK list, and takes every value inside it', async () => {
      const { store, raw } = await h.open();
      const checked = RECORD_COLUMNS.filter((c) => c.oneOf && c.insert);
      for (const c of checked) {
        await expect(insertByHand(raw, { [c.name]: 'NOPE' }), c.name).rejects.toThrow(REFUSED_BY_CHECK);
        for (const v of c.oneOf!) await insertByHand(raw, { [c.name]: v });
      }
      const id = await store.insert([fullRecord()]).then((r) => r.ids[0]!);
      for (const c of ['state', 'doubt']) {
        await expect(raw.run(`UPDATE records SET ${c} = 'NOPE' WHERE id = ?`, [id]), c).rejects.toThrow(REFUSED_BY_CHECK);
      }
      const line = `INSERT INTO attempts (record_id, at, outcome, code, message, batch_size) VALUES (?, ?, ?, NULL, 'x', 1)`;
      await expect(raw.run(line, [id, NOW, 'NOPE'])).rejects.toThrow(REFUSED_BY_CHECK);
      for (const outcome of ATTEMPT_OUTCOMES) await raw.run(line, [id, NOW, outcome]);
      expect((await store.attemptsOf(id)).map((a) => a.outcome)).toEqual([...ATTEMPT_OUTCOMES]);
    });
  });
});
