import {
  DATA_STEPS, INDEXES, SCHEMA_STEPS, TABLES, checkAt, columnsAt, existsAt,
  type ColumnSpec, type ColumnType, type IndexSpec, type SchemaStep, type TableSpec,
} from './schema.ts';

/** What a dialect adds to the definition (schema.ts) to write its DDL. */
export type Dialect = {
  types: Record<ColumnType, string>;
  /** A table's name as this dialect's statements write it (PostgreSQL: schema-qualified). */
  qualify(table: string): string;
  /** After a CREATE TABLE's column list (SQLite: STRICT). */
  tableOptions: string;
  /** How to add a column to an existing table. */
  addColumn: string;
  /** An index's expressions in this dialect. */
  indexOn(index: IndexSpec): string;
  /** Adds the CHECK that step `at` brought to an existing column. */
  addCheck(table: TableSpec, column: ColumnSpec, at: SchemaStep): string;
  /** Drops and recreates the guards (triggers) from the immutable columns existing at step `at`. */
  guards(at: SchemaStep): string;
};

/** `recipient_type TEXT NOT NULL CHECK (recipient_type IN ('BIREYSEL', 'TACIR'))`, as of step `at`. */
export function columnSql(d: Dialect, table: TableSpec, c: ColumnSpec, at: SchemaStep): string {
  const check = checkAt(c, table, at);
  return [
    c.name,
    d.types[c.type],
    c.type === 'serial' || c.primaryKey ? 'PRIMARY KEY' : c.nullable ? '' : 'NOT NULL',
    c.unique ? 'UNIQUE' : '',
    c.default === undefined ? '' : `DEFAULT ${c.default}`,
    c.references ? `REFERENCES ${d.qualify(c.references.table)} (${c.references.column})` : '',
    check ? `CHECK (${c.name} IN (${check.map((v) => `'${v}'`).join(', ')}))` : '',
  ].filter(Boolean).join(' ');
}

/** The CREATE TABLE of `table` with its columns as of step `at`. */
export function createTableSql(d: Dialect, table: TableSpec, at: SchemaStep, name = d.qualify(table.name)): string {
  const columns = columnsAt(table, at).map((c) => columnSql(d, table, c, at));
  return `CREATE TABLE ${name} (\n  ${columns.join(',\n  ')}\n)${d.tableOptions}`;
}

export function createIndexSql(d: Dialect, index: IndexSpec): string {
  const where = index.where ? ` WHERE ${index.where}` : '';
  return `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${index.name} ON ${d.qualify(index.table)} (${d.indexOn(index)})${where}`;
}

/** Everything step `step` brings, in order: tables, columns, indexes, CHECKs, then its data. */
function stepSql(d: Dialect, step: SchemaStep): string[] {
  const out: string[] = [];
  for (const t of TABLES) {
    if (t.since === step) out.push(createTableSql(d, t, step));
    else if (existsAt(t.since, step)) {
      for (const c of t.columns) if (c.since === step) out.push(`ALTER TABLE ${d.qualify(t.name)} ${d.addColumn} ${columnSql(d, t, c, step)}`);
    }
  }
  for (const i of INDEXES) if (i.since === step) out.push(createIndexSql(d, i));
  for (const t of TABLES) {
    for (const c of t.columns) if (c.checkSince === step) out.push(d.addCheck(t, c, step));
  }
  const data = DATA_STEPS[step];
  if (data) out.push(data(d.qualify('records')));
  return out;
}

/**
 * One SQL script per migration version: `versions[v]` lists the steps version v + 1 takes (the
 * dialect's history). Each ends by recreating the guards, so their column list is always the current one.
 */
export function migrationsOf(d: Dialect, versions: readonly (readonly SchemaStep[])[]): string[] {
  const steps = versions.flat();
  if (steps.join() !== SCHEMA_STEPS.join()) throw new Error(`migration versions must take every schema step once, in order: ${steps.join()}`);
  return versions.map((taken) =>
    [...taken.flatMap((s) => stepSql(d, s)), d.guards(taken[taken.length - 1]!)].map((sql) => sql.trim()).join(';\n') + ';');
}
