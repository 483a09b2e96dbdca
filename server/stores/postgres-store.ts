import pg from 'pg';
import { randomUUID } from 'node:crypto';
import type { KeyBelief } from '../../shared/state-rules.ts';
import type { RecordState } from '../../shared/enums.ts';
import { silentLogger, type Logger } from '../log/logger.ts';
import type {
  Attempt, ConsentStore, HourlyRequests, InsertResult, LatestRecord, NewRecord, PendingSummary, StoredRecord, StoredRecordWithEvidence,
} from './store.ts';
import { recordsFingerprint, replayOrRefuse } from './idempotency.ts';
import { postgresSql, type PostgresSql } from './postgres-sql.ts';
import { quoteIdent } from './postgres-schema.ts';
import { newRecordId } from './record-id.ts';
import { INSERT_COLUMNS } from './schema.ts';
import {
  insertValues, numericOrNull, rowToAttempt, rowToRecord, rowToRecordWithEvidence, type AttemptRow, type RecordRow,
} from './row-mapping.ts';
import {
  beliefsOf, claimedInOrder, exportPages, groupLost, hourlyOf, latestOf, pendingSummaryOf, stateCounts,
  type BeliefRow, type HourlyRow, type LatestRow, type LostRow, type PendingSummaryRow,
} from './row-answers.ts';

export type PostgresStoreOptions = {
  /** The schema holding the tables (created if missing). Tests give each file its own. */
  schema?: string;
  poolSize?: number;
  /** Rows per page of exportRange. */
  exportPageSize?: number;
  logger?: Logger;
};

const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 30_000;

/**
 * The shared ledger: any number of collector processes on one PostgreSQL database. Inserts are one
 * transaction each (PostgreSQL's own commit is durable: synchronous_commit on); claims lease records
 * with FOR UPDATE SKIP LOCKED; inserts wake every process's dispatcher through LISTEN/NOTIFY.
 */
export class PostgresStore implements ConsentStore {
  private readonly pool: pg.Pool;
  private readonly sql: PostgresSql;
  readonly schema: string;
  private readonly pageSize: number;
  private readonly log: Logger;
  /** Tells this instance's own notifications apart: local listeners are called directly. */
  private readonly instanceId = randomUUID();
  private readonly channel: string;
  private listeners = new Set<() => void>();
  private listenClient: pg.Client | undefined;
  private listening = false;
  private reconnectDelay = RECONNECT_MIN_MS;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly url: string,
    opts: PostgresStoreOptions = {},
  ) {
    this.schema = opts.schema ?? 'public';
    this.sql = postgresSql(this.schema);
    this.pageSize = opts.exportPageSize ?? 500;
    this.log = opts.logger ?? silentLogger;
    // NOTIFY channels are identifiers (63 bytes at most); one per schema keeps test schemas apart.
    this.channel = `iys_insert_${this.schema}`.slice(0, 63);
    this.pool = new pg.Pool({ connectionString: url, max: opts.poolSize ?? 10 });
    // An idle client losing its connection must not crash the process; the pool replaces it.
    this.pool.on('error', (err) => this.log.warn({ err: err.message }, 'postgres pool client error'));
  }

  /** Runs `work` in one transaction on one pooled connection: committed if it returns, rolled back if it throws. */
  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  async init(): Promise<void> {
    await this.transaction(async (client) => {
      await client.query(this.sql.migrationLock, [`iys-migrate:${this.schema}`]);
      await client.query(this.sql.createSchema);
      await client.query(this.sql.createMigrations);
      const { rows } = await client.query<{ v: number }>(this.sql.appliedVersion);
      for (let v = rows[0]!.v; v < this.sql.migrations.length; v++) {
        await client.query(this.sql.migrations[v]!);
        await client.query(this.sql.recordMigration, [v + 1, Date.now()]);
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.listeners.clear();
    const listener = this.listenClient;
    this.listenClient = undefined;
    if (listener) await listener.end().catch(() => {});
    await this.pool.end();
  }

  // --- ingest -----------------------------------------------------------------------------------

  async insert(records: NewRecord[], idempotencyKey: string | null = null): Promise<InsertResult> {
    const now = Date.now();
    const ids = records.map(() => newRecordId(now));
    // Validate before taking a connection: a bad record fails alone, with its reason.
    const rows = records.map((r, i) => insertValues(ids[i]!, r, idempotencyKey));
    const replayed = await this.transaction(async (client) => {
      if (idempotencyKey !== null) {
        // The key row goes first: a concurrent insert with the same key waits on it here, then finds it taken.
        const fingerprint = recordsFingerprint(records);
        const claimed = await client.query({
          name: `${this.schema}.claimIdempotency`, text: this.sql.claimIdempotency,
          values: [idempotencyKey, JSON.stringify(ids), now, fingerprint],
        });
        if (claimed.rowCount === 0) {
          // Nothing was written; the committed key row of the first request answers.
          const seen = await client.query<{ ids: string; fingerprint: string | null }>(this.sql.findIdempotency, [idempotencyKey]);
          return replayOrRefuse(idempotencyKey, seen.rows[0]!, fingerprint);
        }
      }
      if (rows.length > 0) {
        const columns = INSERT_COLUMNS.map((_, c) => rows.map((row) => row[c]));
        await client.query({ name: `${this.schema}.insertRecords`, text: this.sql.insertRecords, values: columns });
        await client.query(this.sql.notify, [this.channel, this.instanceId]);
      }
      return null;
    });
    if (replayed) return replayed;
    if (rows.length > 0) this.emitInsert();
    return { ids, duplicate: false };
  }

  async replay(idempotencyKey: string, records: NewRecord[]): Promise<InsertResult | null> {
    const { rows } = await this.pool.query<{ ids: string; fingerprint: string | null }>(this.sql.findIdempotency, [idempotencyKey]);
    return rows[0] ? replayOrRefuse(idempotencyKey, rows[0], recordsFingerprint(records)) : null;
  }

  // --- reads ------------------------------------------------------------------------------------

  async byRecipient(recipient: string): Promise<StoredRecordWithEvidence[]> {
    const { rows } = await this.pool.query<RecordRow>(this.sql.byRecipient, [recipient]);
    return rows.map(rowToRecordWithEvidence);
  }

  async byIds(ids: string[]): Promise<StoredRecord[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.pool.query<RecordRow>(this.sql.byIds, [ids]);
    return rows.map(rowToRecord);
  }

  exportRange(fromMs: number, toMs: number): AsyncIterable<StoredRecordWithEvidence> {
    return exportPages(fromMs, this.pageSize, async (afterAt, afterSeq) =>
      (await this.pool.query<RecordRow>(this.sql.exportPage, [afterAt, afterSeq, toMs, this.pageSize])).rows);
  }

  async attemptsOf(id: string): Promise<Attempt[]> {
    const { rows } = await this.pool.query<AttemptRow>(this.sql.attemptsOf, [id]);
    return rows.map(rowToAttempt);
  }

  async countByState(): Promise<Record<RecordState, number>> {
    const { rows } = await this.pool.query<{ state: string; n: string }>(this.sql.countByState);
    return stateCounts(rows);
  }

  async pendingSummary(): Promise<PendingSummary> {
    const { rows } = await this.pool.query<PendingSummaryRow>(this.sql.pendingSummary);
    return pendingSummaryOf(rows[0]!);
  }

  async pendingByDeadline(limit: number): Promise<StoredRecord[]> {
    const { rows } = await this.pool.query<RecordRow>(this.sql.pendingByDeadline, [limit]);
    return rows.map(rowToRecord);
  }

  async requestsByHour(fromMs: number, toMs: number): Promise<HourlyRequests[]> {
    return hourlyOf((await this.pool.query<HourlyRow>(this.sql.requestsByHour, [fromMs, toMs])).rows);
  }

  async ping(): Promise<void> {
    await this.pool.query(this.sql.ping);
  }

  async probeWrite(): Promise<void> {
    await this.pool.query(this.sql.probeWrite, [Date.now()]);
  }

  // --- dispatch ---------------------------------------------------------------------------------

  async claim(opts: { owner: string; limit: number; leaseMs: number; now: number }): Promise<StoredRecord[]> {
    if (opts.limit <= 0) return [];
    const rows = await this.transaction(async (client) => {
      await client.query(this.sql.claimLock, [`iys-claim:${this.schema}`]);
      // A fresh statement after the lock: its snapshot sees every claim committed before ours.
      const res = await client.query<RecordRow>({
        name: `${this.schema}.claim`, text: this.sql.claim,
        values: [opts.owner, opts.now + opts.leaseMs, opts.now, opts.limit],
      });
      return res.rows;
    });
    return claimedInOrder(rows);
  }

  async beliefs(keys: string[]): Promise<Map<string, KeyBelief>> {
    if (keys.length === 0) return new Map();
    return beliefsOf((await this.pool.query<BeliefRow>(this.sql.registeredOfKeys, [keys])).rows);
  }

  async latestOfKeys(keys: string[]): Promise<Map<string, LatestRecord>> {
    if (keys.length === 0) return new Map();
    return latestOf((await this.pool.query<LatestRow>(this.sql.latestOfKeys, [keys])).rows);
  }

  async logAttempt(ids: string[], attempt: Attempt): Promise<void> {
    if (ids.length === 0) return;
    await this.pool.query(this.sql.logAttempt, [
      ids, attempt.at, attempt.outcome, attempt.code, attempt.message, attempt.batchSize, attempt.counted === false ? 0 : 1,
      attempt.requestId ?? null, attempt.doubt !== undefined, attempt.doubt ?? null,
    ]);
  }

  async lostRequestsOf(ids: string[]): Promise<Map<string, string[]>> {
    if (ids.length === 0) return new Map();
    return groupLost((await this.pool.query<LostRow>(this.sql.lostRequestsOf, [ids])).rows);
  }

  async markRegistered(ids: string[], at: number): Promise<void> {
    if (ids.length > 0) await this.pool.query(this.sql.markRegistered, [ids, at]);
  }

  async markRejected(ids: string[], reason: string, at: number): Promise<void> {
    if (ids.length > 0) await this.pool.query(this.sql.markFinal, [ids, 'rejected', reason, at]);
  }

  async markExpired(ids: string[], reason: string, at: number): Promise<void> {
    if (ids.length > 0) await this.pool.query(this.sql.markFinal, [ids, 'expired', reason, at]);
  }

  async release(ids: string[], owner: string, notBefore: number): Promise<void> {
    if (ids.length > 0) await this.pool.query(this.sql.release, [ids, owner, notBefore]);
  }

  async extendLease(ids: string[], owner: string, until: number): Promise<void> {
    if (ids.length > 0) await this.pool.query(this.sql.extendLease, [ids, owner, until]);
  }

  async overdue(now: number, limit: number): Promise<StoredRecord[]> {
    const { rows } = await this.pool.query<RecordRow>(this.sql.overdue, [now, limit]);
    return rows.map(rowToRecord);
  }

  async nextWakeAt(now: number): Promise<number | null> {
    const { rows } = await this.pool.query<{ at: string | null }>(this.sql.nextWakeAt, [now]);
    return numericOrNull(rows[0]!.at);
  }

  // --- wake-ups ---------------------------------------------------------------------------------

  onInsert(listener: () => void): () => void {
    this.listeners.add(listener);
    if (!this.listening && !this.closed) {
      this.listening = true;
      void this.listen();
    }
    return () => this.listeners.delete(listener);
  }

  /** Resolves once LISTEN is active (or the store is closed); for callers that must not miss a wake-up. */
  async listenerReady(): Promise<void> {
    while (!this.closed && !this.listenClient) await new Promise((r) => setTimeout(r, 20));
  }

  /** A dedicated connection (LISTEN holds it); reconnects with back-off when it drops. */
  private async listen(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.url });
    let gone = false;
    const lost = (why: string) => {
      if (gone) return;
      gone = true;
      if (this.listenClient === client) this.listenClient = undefined;
      client.removeAllListeners();
      client.on('error', () => {});
      client.end().catch(() => {});
      if (this.closed) return;
      this.log.warn({ why, retryInMs: this.reconnectDelay }, 'postgres LISTEN connection lost; reconnecting');
      clearTimeout(this.reconnectTimer);
      this.reconnectTimer = setTimeout(() => void this.listen(), this.reconnectDelay);
      this.reconnectTimer.unref();
      this.reconnectDelay = Math.min(this.reconnectDelay * 2, RECONNECT_MAX_MS);
    };
    client.on('error', (err) => lost(err.message));
    client.on('end', () => lost('connection ended'));
    client.on('notification', (msg) => {
      if (msg.channel === this.channel && msg.payload !== this.instanceId) this.emitInsert();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${quoteIdent(this.channel)}`);
    } catch (err) {
      lost(err instanceof Error ? err.message : String(err));
      return;
    }
    if (this.closed) {
      await client.end().catch(() => {});
      return;
    }
    const wasReconnect = this.reconnectDelay > RECONNECT_MIN_MS;
    this.listenClient = client;
    this.reconnectDelay = RECONNECT_MIN_MS;
    // Inserts made while the connection was down sent notifications nobody heard.
    if (wasReconnect) this.emitInsert();
  }

  private emitInsert(): void {
    for (const l of this.listeners) {
      try {
        l();
      } catch {
        // A listener's failure is its own; the insert is committed and its caller answered.
      }
    }
  }
}
