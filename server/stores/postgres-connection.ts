import pg from 'pg';
import type { Logger } from '../log/logger.ts';

/**
 * How the PostgreSQL store holds its connections when the database misbehaves. Every connection
 * has an `error` listener: one the server ends while the store is using it (57P01 on
 * `pg_ctl stop -m fast`, a failover, a network cut) fails that one operation, never the process.
 * Every wait is bounded: a database that is down answers at once (connection refused), and one that
 * is frozen (SIGSTOP, a partition, a full I/O queue) is given up after these timeouts, so a consent
 * gets its 503 within a second or two instead of waiting as long as the database does.
 */

/** A connection must be made, or a pooled one free up, within this. */
const CONNECT_TIMEOUT_MS = 1500;
/** The round trip of a consent's insert (plus WRITE_MS_PER_RECORD for each record) and of the readiness probe. */
export const WRITE_TIMEOUT_MS = 1500;
/** What a big insert adds to its timeout per record: a floor of 5000 records a second. */
export const WRITE_MS_PER_RECORD = 0.2;
/** Any other statement: the dispatcher's claims and marks, lookups, export pages. */
const QUERY_TIMEOUT_MS = 30_000;
/**
 * Set on each connection (start-up parameters): PostgreSQL itself cancels a statement running
 * longer (a client that gave up does not stop it) and ends a transaction left idle (a client that
 * froze or vanished mid-transaction, holding its locks).
 */
const STATEMENT_TIMEOUT_MS = 300_000;
const IDLE_IN_TRANSACTION_MS = 60_000;

/** The client settings of every connection the store opens (the pool's and the LISTEN one). */
export function connectionConfig(url: string): pg.ClientConfig {
  return {
    connectionString: url,
    application_name: 'iys-consent',
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_MS,
    // A peer that vanished without closing the connection is noticed by the kernel, not never.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  };
}

/**
 * Whether an error says the database cannot be reached (down, restarting, frozen, out of
 * connections) rather than that a statement was refused: an answer of the server with an SQLSTATE
 * outside those classes is the statement's fault; anything else (a socket error, a timeout, a
 * connection that ended) is the database's.
 */
export function isUnreachable(err: unknown): boolean {
  if (!(err instanceof pg.DatabaseError)) return true;
  // 08: connection exception; 53: insufficient resources (too many connections, disk full);
  // 57P01–57P03: shut down by an administrator, crashed, cannot connect now.
  return /^(08|53|57P)/.test(err.code ?? '');
}

/** A statement with a timeout of its own: pg reads `query_timeout` from a query's config (its types leave it out). */
export function timed(query: pg.QueryConfig, timeoutMs: number): pg.QueryConfig {
  return Object.assign(query, { query_timeout: timeoutMs });
}

export function createPool(url: string, size: number, log: Logger): pg.Pool {
  const pool = new pg.Pool({ ...connectionConfig(url), max: size });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', (err) => log.warn({ event: 'store.connection-lost', err: err.message }, 'an idle PostgreSQL connection failed; the pool replaces it'));
  return pool;
}

/**
 * Runs `work` in one transaction on one pooled connection: committed if it returns, rolled back if
 * it throws. A connection that failed (or timed out) is not rolled back but destroyed: its state is
 * unknown, and a ROLLBACK would wait behind the statement that hung.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  log: Logger,
  work: (client: pg.PoolClient) => Promise<T>,
  begin = 'BEGIN',
): Promise<T> {
  const client = await pool.connect();
  // While checked out, the pool's own listener is off: without this one, the server ending the
  // connection between two statements would be an unhandled 'error' event, and the process would end.
  let lost: Error | undefined;
  const onError = (err: Error) => {
    lost = err;
    log.warn({ event: 'store.connection-lost', err: err.message }, 'a PostgreSQL connection failed while in use');
  };
  client.on('error', onError);
  const release = (err?: Error) => {
    client.removeListener('error', onError);
    client.release(err);
  };
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query('COMMIT');
    release();
    return result;
  } catch (err) {
    if (lost === undefined && !isUnreachable(err)) {
      try {
        await client.query('ROLLBACK');
        release();
      } catch (rollbackErr) {
        release(rollbackErr as Error);
      }
    } else {
      release(lost ?? (err as Error));
    }
    throw err;
  }
}

/** The URL without its password (and query), as logs and start-up messages may show it. */
export function describeUrl(url: string): string {
  if (!URL.canParse(url)) return 'postgres://…';
  const u = new URL(url);
  const user = u.username ? `${decodeURIComponent(u.username)}@` : '';
  return `${u.protocol}//${user}${u.host}${u.pathname}`;
}
