import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pgUnreachable as probe } from '../test/helpers/pg-probe.ts';

/** PostgreSQL for the benchmarks: the test server unless IYS_BENCH_PG_URL says otherwise. */
export const BENCH_PG_URL = process.env.IYS_BENCH_PG_URL ?? process.env.IYS_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** null when the benchmarks' PostgreSQL answers; else why not. */
export const pgUnreachable = () => probe(BENCH_PG_URL);

/** A throw-away schema name; the store creates it, dropSchema removes it. */
export const benchSchema = () => `iys_bench_${randomBytes(6).toString('hex')}`;

export async function dropSchema(name: string): Promise<void> {
  const client = new pg.Client({ connectionString: BENCH_PG_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
  } finally {
    await client.end();
  }
}
