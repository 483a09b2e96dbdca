import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ConsentStore } from './store.ts';
import { SqliteStore } from './sqlite-store.ts';
import { PostgresStore, type PostgresStoreOptions } from './postgres-store.ts';
import { describeUrl, isUnreachable } from './postgres-connection.ts';

export type OpenStoreOptions = Pick<PostgresStoreOptions, 'schema' | 'poolSize' | 'logger'> & {
  exportPageSize?: number;
};

const isPostgres = (url: string) => /^postgres(ql)?:\/\//.test(url);

/**
 * The store named by IYS_DATABASE_URL: `file:PATH` is SQLite (its folder is created),
 * `postgres://…` or `postgresql://…` is PostgreSQL. Not yet initialised: call init().
 */
export function openStore(url: string, opts: OpenStoreOptions = {}): ConsentStore {
  if (url.startsWith('file:')) {
    const path = url.slice('file:'.length);
    if (path === '') throw new Error('IYS_DATABASE_URL: file: needs a path, e.g. file:./data/iys-consent.db');
    const full = resolve(path);
    mkdirSync(dirname(full), { recursive: true });
    return new SqliteStore(full, { exportPageSize: opts.exportPageSize });
  }
  if (isPostgres(url)) {
    return new PostgresStore(url, opts);
  }
  throw new Error('IYS_DATABASE_URL must be file:PATH (SQLite) or postgres://… (PostgreSQL)');
}

/**
 * Whether a ledger that failed to open may come up by itself, so that start-up should wait for it:
 * a PostgreSQL server that is starting, restarting or out of reach. A refused password, a missing
 * database or a SQLite file that cannot be opened will not mend by waiting.
 */
export function mayComeUp(url: string, err: unknown): boolean {
  return isPostgres(url) && isUnreachable(err);
}

/** The ledger named by IYS_DATABASE_URL as logs may show it: the file, or the URL without its password. */
export function describeLedger(url: string): string {
  return isPostgres(url) ? describeUrl(url) : url;
}
