import Database from 'better-sqlite3';
import pg from 'pg';

/**
 * A ledger opened by hand, past the store: what a bug or an operator with a SQL prompt could do,
 * and what the catalog says. One shape for both dialects, so a test can be run against each.
 * Statements use `?` placeholders; PostgreSQL's are numbered here.
 */
export type RawLedger = {
  run(sql: string, params?: unknown[]): Promise<void>;
  all<T>(sql: string, params?: unknown[]): Promise<T[]>;
  /** The table's columns in order: name, the dialect's type, and whether NULL is allowed. */
  columns(table: string): Promise<{ name: string; type: string; nullable: boolean }[]>;
  /** Column → the values its CHECK (col IN (…)) allows. */
  checks(table: string): Promise<Record<string, string[]>>;
  /** The table's own indexes (not those of its primary key or UNIQUE columns). */
  indexes(table: string): Promise<string[]>;
  /** Everything that makes the layout (tables, columns, CHECKs, indexes, triggers, version), comparable across ledgers. */
  layout(): Promise<string[]>;
  close(): Promise<void>;
};

const quoted = (list: string) => [...list.matchAll(/'([^']*)'/g)].map((m) => m[1]!);

export function rawSqlite(path: string): RawLedger {
  const db = new Database(path);
  const normal = (sql: string) => sql.replace(/\s+/g, ' ').replace(/\s*([(),])\s*/g, '$1');
  const tableSql = (table: string) =>
    (db.prepare(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?`).get(table) as { sql: string }).sql;
  return {
    async run(sql, params = []) {
      db.prepare(sql).run(...params);
    },
    async all<T>(sql: string, params: unknown[] = []) {
      return db.prepare(sql).all(...params) as T[];
    },
    async columns(table) {
      const info = db.pragma(`table_info(${table})`) as { name: string; type: string; notnull: number; pk: number }[];
      // A STRICT table's primary key is never null.
      return info.map((c) => ({ name: c.name, type: c.type, nullable: c.notnull === 0 && c.pk === 0 }));
    },
    async checks(table) {
      const found = [...tableSql(table).matchAll(/CHECK \((\w+) IN \(([^)]*)\)\)/g)];
      return Object.fromEntries(found.map((m) => [m[1]!, quoted(m[2]!)]));
    },
    async indexes(table) {
      const list = db.pragma(`index_list(${table})`) as { name: string; origin: string }[];
      return list.filter((i) => i.origin === 'c').map((i) => i.name).sort();
    },
    async layout() {
      const rows = db.prepare(`SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name`).all() as {
        type: string; name: string; sql: string;
      }[];
      return [...rows.map((r) => `${r.type} ${r.name}: ${normal(r.sql)}`), `user_version ${String(db.pragma('user_version', { simple: true }))}`];
    },
    async close() {
      db.close();
    },
  };
}

export async function rawPostgres(url: string, schema: string): Promise<RawLedger> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`SET search_path TO "${schema}"`);
  const numbered = (sql: string) => {
    let n = 0;
    return sql.replace(/\?/g, () => `$${++n}`);
  };
  const all = async <T>(sql: string, params: unknown[] = []) => (await client.query(numbered(sql), params)).rows as T[];
  const constraints = (table: string) => all<{ name: string; def: string; type: string }>(
    `SELECT conname AS name, pg_get_constraintdef(oid) AS def, contype AS type FROM pg_constraint
      WHERE conrelid = (quote_ident(?) || '.' || quote_ident(?))::regclass ORDER BY conname`, [schema, table]);
  // Another ledger's schema name is not part of its layout.
  const anonymous = (text: string) => text.replaceAll(`"${schema}"`, 'S').replaceAll(schema, 'S');
  return {
    async run(sql, params = []) {
      await client.query(numbered(sql), params);
    },
    all,
    async columns(table) {
      const rows = await all<{ name: string; type: string; nullable: string }>(
        `SELECT column_name AS name, data_type AS type, is_nullable AS nullable FROM information_schema.columns
          WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position`, [schema, table]);
      return rows.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable === 'YES' }));
    },
    async checks(table) {
      const found = (await constraints(table)).filter((c) => c.type === 'c');
      // CHECK ((col = ANY (ARRAY['a'::text, 'b'::text])))
      return Object.fromEntries(found.map((c) => [/^CHECK \(\((\w+)/.exec(c.def)![1]!, quoted(c.def)]));
    },
    async indexes(table) {
      const rows = await all<{ name: string }>(
        `SELECT i.indexname AS name FROM pg_indexes i
          WHERE i.schemaname = ? AND i.tablename = ?
            AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)
          ORDER BY 1`, [schema, table]);
      return rows.map((r) => r.name);
    },
    async layout() {
      const tables = await all<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ? ORDER BY 1`, [schema]);
      const out: string[] = [];
      for (const { name } of tables) {
        const cols = await all<Record<string, unknown>>(
          `SELECT column_name, data_type, is_nullable, column_default FROM information_schema.columns
            WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position`, [schema, name]);
        out.push(...cols.map((c) => `column ${name} ${JSON.stringify(c)}`));
        out.push(...(await constraints(name)).map((c) => `constraint ${name} ${c.name}: ${c.def}`));
      }
      const indexes = await all<{ def: string }>(`SELECT indexdef AS def FROM pg_indexes WHERE schemaname = ? ORDER BY indexname`, [schema]);
      const triggers = await all<{ def: string }>(
        `SELECT pg_get_triggerdef(t.oid) AS def FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
          WHERE c.relnamespace = ?::regnamespace AND NOT t.tgisinternal ORDER BY t.tgname`, [`"${schema}"`]);
      const functions = await all<{ def: string }>(
        `SELECT pg_get_functiondef(p.oid) AS def FROM pg_proc p WHERE p.pronamespace = ?::regnamespace ORDER BY p.proname`, [`"${schema}"`]);
      const version = await all<{ v: number }>(`SELECT MAX(version) AS v FROM schema_migrations`);
      out.push(...indexes.map((i) => `index ${i.def}`), ...triggers.map((t) => `trigger ${t.def}`));
      out.push(...functions.map((f) => `function ${f.def}`), `version ${version[0]!.v}`);
      return out.map(anonymous);
    },
    async close() {
      await client.end();
    },
  };
}
