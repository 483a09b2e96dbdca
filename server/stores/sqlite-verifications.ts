import type Database from 'better-sqlite3';
import type { VerificationState } from '../../shared/verification.ts';
import type { InsertResult, NewRecord } from './store.ts';
import {
  VERIFICATION_INSERT_COLUMNS, rowToVerification, verificationInsertValues,
  type NewVerification, type Verification, type VerificationRow, type VerificationStore,
} from './verification-store.ts';

const AWAITING = "state = 'awaiting-verification'";

/** What `verify` needs of the store: its records' insert inside a transaction (sqlite-insert.ts), and its wake-up. */
export type SqliteRecordsIo = {
  insert(records: NewRecord[], idempotencyKey: string, now: number): InsertResult;
  stored(): void;
};

/**
 * The verifications of a SQLite ledger, on the store's own connection (synchronous, each statement
 * its own commit, but `verify`: its row and its records in one transaction).
 */
export function sqliteVerifications(db: () => Database.Database, records: SqliteRecordsIo): VerificationStore {
  const one = (sql: string, ...params: unknown[]): Verification | null => {
    const row = db().prepare(sql).get(...params) as VerificationRow | undefined;
    return row ? rowToVerification(row) : null;
  };
  return {
    async create(v: NewVerification) {
      db().prepare(`INSERT INTO verifications (${VERIFICATION_INSERT_COLUMNS.join(', ')}) VALUES (${VERIFICATION_INSERT_COLUMNS.map(() => '?').join(', ')})`)
        .run(...verificationInsertValues(v));
    },
    async get(id) {
      return one('SELECT * FROM verifications WHERE id = ?', id);
    },
    async byIdempotencyKey(key) {
      return one('SELECT * FROM verifications WHERE idempotency_key = ?', key);
    },
    async byRecipient(recipient) {
      const rows = db().prepare('SELECT * FROM verifications WHERE recipient = ? ORDER BY created_at, id').all(recipient) as VerificationRow[];
      return rows.map(rowToVerification);
    },
    async markSent(id, sentAt, messageId) {
      db().prepare('UPDATE verifications SET sent_at = ?, message_id = ? WHERE id = ?').run(sentAt, messageId, id);
    },
    async countAttempt(id) {
      const row = db().prepare(`UPDATE verifications SET attempts = attempts + 1 WHERE id = ? AND ${AWAITING} RETURNING attempts`).get(id) as { attempts: number } | undefined;
      return row ? row.attempts : null;
    },
    async finish(id, end) {
      return db().prepare(`UPDATE verifications SET state = ?, reason = ? WHERE id = ? AND ${AWAITING}`).run(end.state, end.reason, id).changes === 1;
    },
    async verify(id, at, made, idempotencyKey) {
      const d = db();
      const result = d.transaction((): InsertResult | null => {
        const won = d.prepare(`UPDATE verifications SET state = 'verified', reason = NULL, verified_at = ? WHERE id = ? AND ${AWAITING}`).run(at, id);
        if (won.changes !== 1) return null;
        const inserted = records.insert(made, idempotencyKey, Date.now());
        d.prepare('UPDATE verifications SET record_ids = ? WHERE id = ?').run(JSON.stringify(inserted.ids), id);
        return inserted;
      }).immediate();
      if (result && !result.duplicate) records.stored();
      return result?.ids ?? null;
    },
    async expireDue(now, reason) {
      return db().prepare(`UPDATE verifications SET state = 'expired', reason = ? WHERE ${AWAITING} AND expires_at <= ?`).run(reason, now).changes;
    },
    async countByState() {
      const rows = db().prepare('SELECT state, COUNT(*) AS n FROM verifications GROUP BY state').all() as { state: VerificationState; n: number }[];
      return Object.fromEntries(rows.map((r) => [r.state, r.n]));
    },
  };
}
