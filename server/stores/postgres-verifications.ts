import type pg from 'pg';
import type { VerificationState } from '../../shared/verification.ts';
import { WRITE_TIMEOUT_MS, timed } from './postgres-connection.ts';
import { quoteIdent } from './postgres-schema.ts';
import type { InsertResult, NewRecord } from './store.ts';
import {
  VERIFICATION_INSERT_COLUMNS, rowToVerification, verificationInsertValues,
  type NewVerification, type Verification, type VerificationRow, type VerificationStore,
} from './verification-store.ts';

const AWAITING = "state = 'awaiting-verification'";

/**
 * The verifications of a PostgreSQL ledger, on the store's pool. `query` is the store's own (its
 * timeouts); each statement commits alone, and the conditional updates make two collectors agree.
 * `verify` is one transaction: the row's conditional update (which holds the row until commit) and
 * the records.
 */
/** What `verify` needs of the store: a transaction, its records' insert on that transaction's connection, its wake-up. */
export type PostgresRecordsIo = {
  transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T>;
  insert(client: pg.PoolClient, records: NewRecord[], idempotencyKey: string): Promise<InsertResult>;
  stored(): void;
};

export function postgresVerifications(
  schema: string, query: (sql: string, params: unknown[]) => Promise<pg.QueryResult>, records: PostgresRecordsIo,
): VerificationStore {
  const t = `${quoteIdent(schema)}.verifications`;
  const one = async (sql: string, params: unknown[]): Promise<Verification | null> => {
    const res = await query(sql, params);
    return res.rows[0] ? rowToVerification(res.rows[0] as VerificationRow) : null;
  };
  return {
    async create(v: NewVerification) {
      await query(`INSERT INTO ${t} (${VERIFICATION_INSERT_COLUMNS.join(', ')}) VALUES (${VERIFICATION_INSERT_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`,
        verificationInsertValues(v));
    },
    get: (id) => one(`SELECT * FROM ${t} WHERE id = $1`, [id]),
    byIdempotencyKey: (key) => one(`SELECT * FROM ${t} WHERE idempotency_key = $1`, [key]),
    async byRecipient(recipient) {
      const res = await query(`SELECT * FROM ${t} WHERE recipient = $1 ORDER BY created_at, id`, [recipient]);
      return (res.rows as VerificationRow[]).map(rowToVerification);
    },
    async markSent(id, sentAt, messageId) {
      await query(`UPDATE ${t} SET sent_at = $2, message_id = $3 WHERE id = $1`, [id, sentAt, messageId]);
    },
    async countAttempt(id) {
      const res = await query(`UPDATE ${t} SET attempts = attempts + 1 WHERE id = $1 AND ${AWAITING} RETURNING attempts`, [id]);
      return res.rows[0] ? Number((res.rows[0] as { attempts: number }).attempts) : null;
    },
    async finish(id, end) {
      const res = await query(`UPDATE ${t} SET state = $2, reason = $3 WHERE id = $1 AND ${AWAITING}`, [id, end.state, end.reason]);
      return res.rowCount === 1;
    },
    async verify(id, at, made, idempotencyKey) {
      const result = await records.transaction(async (client): Promise<InsertResult | null> => {
        const won = await client.query(timed({ text: `UPDATE ${t} SET state = 'verified', reason = NULL, verified_at = $2 WHERE id = $1 AND ${AWAITING}`, values: [id, at] }, WRITE_TIMEOUT_MS));
        if (won.rowCount !== 1) return null;
        const inserted = await records.insert(client, made, idempotencyKey);
        await client.query(timed({ text: `UPDATE ${t} SET record_ids = $2 WHERE id = $1`, values: [id, JSON.stringify(inserted.ids)] }, WRITE_TIMEOUT_MS));
        return inserted;
      });
      if (result && !result.duplicate) records.stored();
      return result?.ids ?? null;
    },
    async expireDue(now, reason) {
      const res = await query(`UPDATE ${t} SET state = 'expired', reason = $1 WHERE ${AWAITING} AND expires_at <= $2`, [reason, now]);
      return res.rowCount ?? 0;
    },
    async countByState() {
      const res = await query(`SELECT state, COUNT(*)::int AS n FROM ${t} GROUP BY state`, []);
      return Object.fromEntries((res.rows as { state: VerificationState; n: number }[]).map((r) => [r.state, r.n]));
    },
  };
}
