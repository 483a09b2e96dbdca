import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ConsentStore } from './store.ts';
import { SqliteStore } from './sqlite-store.ts';
import { PostgresStore, type PostgresStoreOptions } from './postgres-store.ts';

export type OpenStoreOptions = Pick<PostgresStoreOptions, 'schema' | 'poolSize' | 'logger'> & {
  exportPageSize?: number;
};

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
  if (/^postgres(ql)?:\/\//.test(url)) {
    return new PostgresStore(url, opts);
  }
  throw new Error('IYS_DATABASE_URL must be file:PATH (SQLite) or postgres://… (PostgreSQL)');
}
