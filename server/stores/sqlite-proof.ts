import type Database from 'better-sqlite3';
import {
  NONCE_PURGE_EVERY_MS, nonceAgain, noticeMatchCountsSql, rowToMatchCount, rowToNotice,
  type NonceUse, type NoticeMatchCount, type NoticeRow, type ProofStore, type RegisteredNotice,
} from './proof-store.ts';

const NOTICE = 'version, lang, text, hash, registered_at';

/** The notice registry and used nonces in the SQLite ledger (the same file, the same durability). */
export class SqliteProof implements ProofStore {
  private readonly s;
  private purgedAt = 0;

  constructor(db: Database.Database) {
    this.s = {
      insertNotice: db.prepare(`INSERT INTO notices (${NOTICE}) VALUES (?, ?, ?, ?, ?) ON CONFLICT (version, lang) DO NOTHING`),
      notice: db.prepare(`SELECT ${NOTICE} FROM notices WHERE version = ? AND lang = ?`),
      noticesOf: db.prepare(`SELECT ${NOTICE} FROM notices WHERE version = ? ORDER BY lang`),
      byHash: db.prepare(`SELECT ${NOTICE} FROM notices WHERE hash = ? ORDER BY registered_at, rowid`),
      all: db.prepare(`SELECT ${NOTICE} FROM notices ORDER BY version, lang`),
      insertNonce: db.prepare(`INSERT INTO form_nonces (nonce, idempotency_key, expires_at) VALUES (?, ?, ?) ON CONFLICT (nonce) DO NOTHING`),
      nonce: db.prepare(`SELECT idempotency_key FROM form_nonces WHERE nonce = ?`),
      purge: db.prepare(`DELETE FROM form_nonces WHERE expires_at < ?`),
      matchCounts: db.prepare(noticeMatchCountsSql('records')),
    };
  }

  async registerNotice(n: RegisteredNotice): Promise<{ created: boolean; notice: RegisteredNotice }> {
    const created = this.s.insertNotice.run(n.version, n.lang, n.text, n.hash, n.registeredAt).changes === 1;
    return { created, notice: rowToNotice(this.s.notice.get(n.version, n.lang) as NoticeRow) };
  }

  async noticesOf(version: string): Promise<RegisteredNotice[]> {
    return (this.s.noticesOf.all(version) as NoticeRow[]).map(rowToNotice);
  }

  async noticesByHash(hash: string): Promise<RegisteredNotice[]> {
    return (this.s.byHash.all(hash) as NoticeRow[]).map(rowToNotice);
  }

  async allNotices(): Promise<RegisteredNotice[]> {
    return (this.s.all.all() as NoticeRow[]).map(rowToNotice);
  }

  async noticeMatchCounts(): Promise<NoticeMatchCount[]> {
    return (this.s.matchCounts.all() as Parameters<typeof rowToMatchCount>[0][]).map(rowToMatchCount);
  }

  async useNonce(nonce: string, idempotencyKey: string | null, expiresAt: number, now: number): Promise<NonceUse> {
    if (now - this.purgedAt >= NONCE_PURGE_EVERY_MS) {
      this.purgedAt = now;
      this.s.purge.run(now);
    }
    if (this.s.insertNonce.run(nonce, idempotencyKey, expiresAt).changes === 1) return 'first';
    const row = this.s.nonce.get(nonce) as { idempotency_key: string | null };
    return nonceAgain(row.idempotency_key, idempotencyKey);
  }
}
