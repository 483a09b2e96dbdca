import type pg from 'pg';
import { WRITE_TIMEOUT_MS, timed } from './postgres-connection.ts';
import { quoteIdent } from './postgres-schema.ts';
import {
  NONCE_PURGE_EVERY_MS, nonceAgain, noticeMatchCountsSql, rowToMatchCount, rowToNotice,
  type NonceUse, type NoticeMatchCount, type NoticeRow, type ProofStore, type RegisteredNotice,
} from './proof-store.ts';

const NOTICE = 'version, lang, text, hash, registered_at';

/** The notice registry and used nonces in the PostgreSQL ledger, shared by every collector on it. */
export class PostgresProof implements ProofStore {
  private readonly notices: string;
  private readonly nonces: string;
  private readonly records: string;
  private purgedAt = 0;

  constructor(private readonly pool: pg.Pool, schema: string) {
    this.notices = `${quoteIdent(schema)}.notices`;
    this.nonces = `${quoteIdent(schema)}.form_nonces`;
    this.records = `${quoteIdent(schema)}.records`;
  }

  async noticeMatchCounts(): Promise<NoticeMatchCount[]> {
    return (await this.pool.query<Parameters<typeof rowToMatchCount>[0]>(noticeMatchCountsSql(this.records))).rows.map(rowToMatchCount);
  }

  /** Reads keep the pool's own timeout; a write waits as long as a consent's insert. */
  private async rows(text: string, values: unknown[], writeTimeoutMs?: number): Promise<NoticeRow[]> {
    const query = { text, values };
    return (await this.pool.query<NoticeRow>(writeTimeoutMs ? timed(query, writeTimeoutMs) : query)).rows;
  }

  async registerNotice(n: RegisteredNotice): Promise<{ created: boolean; notice: RegisteredNotice }> {
    // One statement: the inserted row, or (on conflict) the row that holds the version already.
    const rows = await this.rows(
      `WITH ins AS (INSERT INTO ${this.notices} (${NOTICE}) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (version, lang) DO NOTHING RETURNING ${NOTICE})
       SELECT ${NOTICE}, true AS created FROM ins
       UNION ALL SELECT ${NOTICE}, false AS created FROM ${this.notices} WHERE version = $1 AND lang = $2`,
      [n.version, n.lang, n.text, n.hash, n.registeredAt], WRITE_TIMEOUT_MS,
    );
    // Two collectors registering at once: the loser's snapshot may not see the winner's row yet.
    const row = (rows.find((r) => (r as { created?: boolean }).created) ?? rows[0] ?? (await this.rows(
      `SELECT ${NOTICE} FROM ${this.notices} WHERE version = $1 AND lang = $2`, [n.version, n.lang],
    ))[0]) as NoticeRow & { created?: boolean };
    return { created: row.created === true, notice: rowToNotice(row) };
  }

  async noticesOf(version: string): Promise<RegisteredNotice[]> {
    return (await this.rows(`SELECT ${NOTICE} FROM ${this.notices} WHERE version = $1 ORDER BY lang`, [version])).map(rowToNotice);
  }

  async noticesByHash(hash: string): Promise<RegisteredNotice[]> {
    return (await this.rows(`SELECT ${NOTICE} FROM ${this.notices} WHERE hash = $1 ORDER BY registered_at, version, lang`, [hash])).map(rowToNotice);
  }

  async allNotices(): Promise<RegisteredNotice[]> {
    return (await this.rows(`SELECT ${NOTICE} FROM ${this.notices} ORDER BY version, lang`, [])).map(rowToNotice);
  }

  async useNonce(nonce: string, idempotencyKey: string | null, expiresAt: number, now: number): Promise<NonceUse> {
    if (now - this.purgedAt >= NONCE_PURGE_EVERY_MS) {
      this.purgedAt = now;
      await this.pool.query(timed({ text: `DELETE FROM ${this.nonces} WHERE expires_at < $1`, values: [now] }, WRITE_TIMEOUT_MS));
    }
    const { rows } = await this.pool.query<{ idempotency_key: string | null; first: boolean }>(timed({
      text: `WITH ins AS (INSERT INTO ${this.nonces} (nonce, idempotency_key, expires_at) VALUES ($1, $2, $3) ON CONFLICT (nonce) DO NOTHING RETURNING idempotency_key)
             SELECT idempotency_key, true AS first FROM ins
             UNION ALL SELECT idempotency_key, false AS first FROM ${this.nonces} WHERE nonce = $1`,
      values: [nonce, idempotencyKey, expiresAt],
    }, WRITE_TIMEOUT_MS));
    if (rows.some((r) => r.first)) return 'first';
    // A concurrent first use not yet visible to this snapshot is still someone else's use.
    return rows[0] ? nonceAgain(rows[0].idempotency_key, idempotencyKey) : 'reused';
  }
}
