import type pg from 'pg';
import type { VerificationState } from '../../shared/verification.ts';
import { quoteIdent } from './postgres-schema.ts';
import {
  VERIFICATION_INSERT_COLUMNS, rowToVerification, verificationInsertValues,
  type NewVerification, type Verification, type VerificationRow, type VerificationStore,
} from './verification-store.ts';

const AWAITING = "state = 'awaiting-verification'";

/**
 * The verifications of a PostgreSQL ledger, on the store's pool. `query` is the store's own (its
 * timeouts); each statement commits alone, and the conditional updates make two collectors agree.
 */
export function postgresVerifications(schema: string, query: (sql: string, params: unknown[]) => Promise<pg.QueryResult>): VerificationStore {
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
      const res = await query(`UPDATE ${t} SET state = $2, reason = $3, verified_at = $4, record_ids = $5 WHERE id = $1 AND ${AWAITING}`,
        [id, end.state, end.reason, end.state === 'verified' ? end.at : null, end.recordIds ? JSON.stringify(end.recordIds) : null]);
      return res.rowCount === 1;
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
