import {
  GUARD_MESSAGES, INDEXES, SCHEMA_STEPS, TABLES, columnsAt, existsAt, immutableColumnsAt, type SchemaStep, type TableSpec,
} from './schema.ts';
import { createIndexSql, createTableSql, migrationsOf, type Dialect } from './migrations.ts';

/** SQLite's DDL, derived from the one definition (schema.ts). Tables are STRICT. */
export const SQLITE_DIALECT: Dialect = {
  types: { serial: 'INTEGER', text: 'TEXT', integer: 'INTEGER', bigint: 'INTEGER' },
  qualify: (table) => table,
  tableOptions: ' STRICT',
  addColumn: 'ADD COLUMN',
  indexOn: (index) => index.on,
  addCheck: (table, _column, at) => rebuild(table, at),
  // The ledger is append-only evidence: a bug elsewhere must not be able to erase or rewrite it.
  guards: (at) => `
  DROP TRIGGER IF EXISTS records_never_deleted;
  CREATE TRIGGER records_never_deleted BEFORE DELETE ON records
  BEGIN SELECT RAISE(ABORT, '${GUARD_MESSAGES.deleted}'); END;
  DROP TRIGGER IF EXISTS records_final_states_stay;
  CREATE TRIGGER records_final_states_stay BEFORE UPDATE OF state ON records
  WHEN OLD.state <> 'pending' AND NEW.state <> OLD.state
  BEGIN SELECT RAISE(ABORT, '${GUARD_MESSAGES.settled}'); END;
  DROP TRIGGER IF EXISTS records_never_rewritten;
  CREATE TRIGGER records_never_rewritten BEFORE UPDATE OF ${immutableColumnsAt(at).join(', ')} ON records
  BEGIN SELECT RAISE(ABORT, '${GUARD_MESSAGES.rewritten}'); END`,
};

/**
 * SQLite cannot add a CHECK to a column: the table is made anew from the definition as of step
 * `at` and its rows copied (the documented twelve-step way, in the migration's transaction). Only for
 * tables nothing references: renaming `records` would carry the attempts' foreign key (and the guards) along.
 */
function rebuild(table: TableSpec, at: SchemaStep): string {
  if (TABLES.some((t) => t.columns.some((c) => c.references?.table === table.name))) {
    throw new Error(`SQLite: ${table.name} is referenced by another table and cannot be rebuilt by a migration`);
  }
  const old = `${table.name}_before_${at.replaceAll('-', '_')}`;
  const columns = columnsAt(table, at).map((c) => c.name).join(', ');
  return [
    `ALTER TABLE ${table.name} RENAME TO ${old}`,
    createTableSql(SQLITE_DIALECT, table, at),
    `INSERT INTO ${table.name} (${columns}) SELECT ${columns} FROM ${old}`,
    `DROP TABLE ${old}`,
    ...INDEXES.filter((i) => i.table === table.name && existsAt(i.since, at)).map((i) => createIndexSql(SQLITE_DIALECT, i)),
  ].join(';\n');
}

/** The steps each version took: version n took step n. */
export const SQLITE_VERSIONS: readonly (readonly SchemaStep[])[] = SCHEMA_STEPS.map((step) => [step]);

/** Applied in order; PRAGMA user_version holds how many have run. */
export const MIGRATIONS: string[] = migrationsOf(SQLITE_DIALECT, SQLITE_VERSIONS);
