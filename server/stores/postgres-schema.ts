import { GUARD_MESSAGES, INSERT_COLUMNS, RECORDS, checkAt, immutableColumnsAt, type SchemaStep } from './schema.ts';
import { migrationsOf, type Dialect } from './migrations.ts';

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

const TYPES = { serial: 'BIGSERIAL', text: 'TEXT', integer: 'INTEGER', bigint: 'BIGINT' } as const;

/** PostgreSQL's DDL for one schema, derived from the one definition (schema.ts). */
export function postgresDialect(schema: string): Dialect {
  const s = quoteIdent(schema);
  return {
    types: TYPES,
    qualify: (table) => `${s}.${table}`,
    tableOptions: '',
    addColumn: 'ADD COLUMN IF NOT EXISTS',
    indexOn: (index) => index.postgresOn ?? index.on,
    // Named as PostgreSQL names a CHECK written with its column, so old and new ledgers match.
    addCheck: (table, column, at) =>
      `ALTER TABLE ${s}.${table.name} ADD CONSTRAINT ${table.name}_${column.name}_check
      CHECK (${column.name} IN (${checkAt(column, table, at)!.map((v) => `'${v}'`).join(', ')}))`,
    // The ledger is append-only evidence: a bug elsewhere must not be able to erase or rewrite it.
    guards: (at) => {
      const kept = immutableColumnsAt(at);
      return `
    CREATE OR REPLACE FUNCTION ${s}.records_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION '${GUARD_MESSAGES.deleted}';
      END IF;
      IF OLD.state <> 'pending' AND NEW.state <> OLD.state THEN
        RAISE EXCEPTION '${GUARD_MESSAGES.settled}';
      END IF;
      IF (${kept.map((c) => `NEW.${c}`).join(', ')})
         IS DISTINCT FROM
         (${kept.map((c) => `OLD.${c}`).join(', ')}) THEN
        RAISE EXCEPTION '${GUARD_MESSAGES.rewritten}';
      END IF;
      RETURN NEW;
    END $$;
    DROP TRIGGER IF EXISTS records_guard ON ${s}.records;
    CREATE TRIGGER records_guard BEFORE UPDATE OR DELETE ON ${s}.records
      FOR EACH ROW EXECUTE FUNCTION ${s}.records_guard()`;
    },
  };
}

/** The steps each version took: version 2 took two at once (this store's history), every other one step. */
export const POSTGRES_VERSIONS: readonly (readonly SchemaStep[])[] = [
  ['ledger'], ['fingerprints', 'live-key'], ['request-ids'], ['doubt'], ['outcome-check'], ['probe'], ['requeue'], ['verification'], ['proof'], ['readback'],
];

/** Applied in order inside one transaction each; schema_migrations holds the versions applied. */
export function postgresMigrations(schema: string): string[] {
  return migrationsOf(postgresDialect(schema), POSTGRES_VERSIONS);
}

/** The PostgreSQL types of INSERT_COLUMNS, for the unnest() bulk insert. */
export const INSERT_TYPES = INSERT_COLUMNS.map((name) => TYPES[RECORDS.columns.find((c) => c.name === name)!.type].toLowerCase());
