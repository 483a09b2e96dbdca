import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll } from 'vitest';
import { pgUnreachable } from './pg-probe.ts';

/**
 * PostgreSQL for integration tests. Each test file gets its own schema (iys_test_<random>), created
 * on first use and dropped after the file, so parallel files and other people's runs never collide.
 * When the server is unreachable the PostgreSQL suites are skipped with a plain message, unless
 * IYS_TEST_REQUIRE_PG=1 (CI), where that is a failure.
 */
export const PG_URL = process.env.IYS_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REQUIRE_PG = process.env.IYS_TEST_REQUIRE_PG === '1';

const unreachable = await pgUnreachable(PG_URL);
if (unreachable !== null) {
  if (REQUIRE_PG) {
    throw new Error(`IYS_TEST_REQUIRE_PG=1 but PostgreSQL at ${PG_URL} is unreachable: ${unreachable}`);
  }
  console.warn(`PostgreSQL at ${PG_URL} is unreachable (${unreachable}): PostgreSQL tests are SKIPPED. Set IYS_TEST_PG_URL to run them.`);
}

/** True when PostgreSQL tests can run; use with describe.runIf(pgAvailable). */
export const pgAvailable = unreachable === null;

const created: string[] = [];

/** A fresh schema name for this test file; dropped (with everything in it) after the file. */
export function testSchema(): string {
  const name = `iys_test_${randomBytes(6).toString('hex')}`;
  created.push(name);
  return name;
}

afterAll(async () => {
  if (created.length === 0 || !pgAvailable) return;
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    for (const name of created.splice(0)) await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
  } finally {
    await client.end();
  }
});
