import type pg from 'pg';
import { randomUUID } from 'node:crypto';
import type { KeyBelief } from '../../shared/state-rules.ts';
import type { RecordState } from '../../shared/enums.ts';
import { silentLogger, type Logger } from '../log/logger.ts';
import type {
  AnswerLine, Attempt, CheckMark, ConsentStore, HourlyRequests, InsertResult, LatestRecord, NewRecord, PendingSummary, StoredRecord, StoredRecordWithEvidence,
} from './store.ts';
import { recordsFingerprint, replayOrRefuse } from './idempotency.ts';
import {
  WRITE_MS_PER_RECORD, WRITE_TIMEOUT_MS, createPool, inTransaction, isUnreachable, timed,
} from './postgres-connection.ts';
import { GroupCommit, insertAlone, type GroupCommitStats, type InsertValues, type KeyRow } from './postgres-group-commit.ts';
import { InsertListener } from './postgres-listen.ts';
import { PostgresProof } from './postgres-proof.ts';
import { postgresSql, type PostgresSql } from './postgres-sql.ts';
import { INSERT_COLUMNS } from './schema.ts';
import { postgresVerifications } from './postgres-verifications.ts';
import type { VerificationStore } from './verification-store.ts';
import { readbackFiguresOf, type FiguresRow, type ReadbackFigures } from './check-fields.ts';
import {
  numericOrNull, rowToAttempt, rowToRecord, rowToRecordWithEvidence, type AttemptRow, type OutboxRow, type RecordRow,
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

/**
 * The shared ledger: any number of collector processes on one PostgreSQL database. Concurrent
 * inserts are committed together, one statement a group (postgres-group-commit.ts; PostgreSQL's own
 * commit is durable: synchronous_commit on); claims lease records with FOR UPDATE SKIP LOCKED;
 * inserts wake every process's dispatcher through LISTEN/NOTIFY (postgres-listen.ts). Connections
 * are held as postgres-connection.ts says: a database that goes down, restarts or freezes fails the
 * operations of the moment, with bounded waits, and the store goes on once it is back.
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
  private readonly groups: GroupCommit;
  private listeners = new Set<() => void>();
  private listener: InsertListener | undefined;
  private verificationStore: VerificationStore | undefined;
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
    this.pool = createPool(url, opts.poolSize ?? 10, this.log);
    this.groups = new GroupCommit({
      store: (group, records) => this.storeGroup(group, records),
      keyRows: (keys) => this.keyRows(keys),
      unreachable: isUnreachable,
      stored: () => this.emitInsert(),
    });
  }

  /** Runs `work` in one transaction on one pooled connection: committed if it returns, rolled back if it throws. */
  private transaction<T>(work: (client: pg.PoolClient) => Promise<T>, begin?: string): Promise<T> {
    return inTransaction(this.pool, this.log, work, begin);
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
    this.listeners.clear();
    await this.listener?.close();
    await this.pool.end();
  }

  /** Inserts and the commits that stored them (group commit at work). */
  stats(): GroupCommitStats {
    return this.groups.stats();
  }

  // --- ingest -----------------------------------------------------------------------------------

  insert(records: NewRecord[], idempotencyKey: string | null = null): Promise<InsertResult> {
    return this.groups.insert(records, idempotencyKey);
  }

  /** One group in one statement (sql.insertGroup); its timeout grows with the records it carries. */
  private async storeGroup(group: readonly InsertValues[], records: number, on: pg.Pool | pg.PoolClient = this.pool): Promise<Set<string>> {
    const keyed = group.filter((item) => item.key !== null);
    const now = Date.now();
    const rows = group.flatMap((item) => item.rows.map((row) => ({ key: item.key, row })));
    const columns = INSERT_COLUMNS.map((_, c) => rows.map(({ row }) => row[c]));
    const values = [
      keyed.map((item) => item.key), keyed.map((item) => JSON.stringify(item.ids)), keyed.map(() => now), keyed.map((item) => item.fingerprint),
      rows.map(({ key }) => key),
      ...columns,
      this.channel, this.instanceId,
    ];
    const { rows: [answer] } = await on.query<{ claimed: string[] }>(timed(
      { name: `${this.schema}.insertGroup`, text: this.sql.insertGroup, values },
      WRITE_TIMEOUT_MS + Math.ceil(records * WRITE_MS_PER_RECORD),
    ));
    return new Set(answer!.claimed);
  }

  private async keyRows(keys: string[], on: pg.Pool | pg.PoolClient = this.pool): Promise<Map<string, KeyRow>> {
    const { rows } = await on.query<KeyRow & { key: string }>(this.sql.findIdempotencyKeys, [keys]);
    return new Map(rows.map((r) => [r.key, { ids: r.ids, fingerprint: r.fingerprint }]));
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
    const { rows } = await this.pool.query<OutboxRow>(this.sql.byIds, [ids]);
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
    await this.pool.query(timed({ text: this.sql.probeWrite, values: [Date.now()] }, WRITE_TIMEOUT_MS));
  }

  // --- dispatch ---------------------------------------------------------------------------------

  async claim(opts: { owner: string; limit: number; leaseMs: number; now: number }): Promise<StoredRecord[]> {
    if (opts.limit <= 0) return [];
    const rows = await this.transaction(async (client) => {
      // A fresh statement after the lock (taken with BEGIN): its snapshot sees every claim committed before ours.
      const res = await client.query<OutboxRow>({
        name: `${this.schema}.claim`, text: this.sql.claim,
        values: [opts.owner, opts.now + opts.leaseMs, opts.now, opts.limit],
      });
      return res.rows;
    }, this.sql.beginClaim);
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

  async markRegistered(ids: string[], at: number, answer?: AnswerLine): Promise<void> {
    if (ids.length === 0) return;
    if (!answer) {
      await this.pool.query(this.sql.markRegistered, [ids, at]);
      return;
    }
    await this.pool.query(this.sql.markRegisteredWithLine, [
      ids, at, answer.at, answer.outcome, answer.code, answer.message, answer.batchSize, answer.requestId ?? null,
    ]);
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
    const { rows } = await this.pool.query<OutboxRow>(this.sql.overdue, [now, limit]);
    return rows.map(rowToRecord);
  }

  async nextWakeAt(now: number): Promise<number | null> {
    const { rows } = await this.pool.query<{ at: string | null }>(this.sql.nextWakeAt, [now]);
    return numericOrNull(rows[0]!.at);
  }

  private proofStore: PostgresProof | undefined;
  proof(): PostgresProof {
    return (this.proofStore ??= new PostgresProof(this.pool, this.schema));
  }

  // --- read-back --------------------------------------------------------------------------------

  async dueForCheck(o: { registeredBefore: number; checkedBefore: number; limit: number }): Promise<StoredRecord[]> {
    const { rows } = await this.pool.query<OutboxRow>(this.sql.dueForCheck, [o.registeredBefore, o.checkedBefore, o.limit]);
    return rows.map(rowToRecord);
  }

  async sweepDue(o: { checkedBefore: number; limit: number }): Promise<StoredRecord[]> {
    const { rows } = await this.pool.query<OutboxRow>(this.sql.sweepDue, [o.checkedBefore, o.limit]);
    return rows.map(rowToRecord);
  }

  async markChecked(ids: string[], m: CheckMark): Promise<void> {
    if (ids.length > 0) await this.pool.query(this.sql.markChecked, [ids, m.at, m.state, m.note]);
  }

  async unseenCount(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(this.sql.unseenCount);
    return Number(rows[0]!.n);
  }

  async readbackFigures(): Promise<ReadbackFigures> {
    return readbackFiguresOf((await this.pool.query<FiguresRow>(this.sql.readbackFigures)).rows);
  }

  // --- wake-ups ---------------------------------------------------------------------------------

  verifications(): VerificationStore {
    return (this.verificationStore ??= postgresVerifications(this.schema, (text, values) => this.pool.query(timed({ text, values }, WRITE_TIMEOUT_MS)), {
      transaction: (work) => this.transaction(work),
      insert: (client, records, key) => insertAlone({ store: (g, n) => this.storeGroup(g, n, client), keyRows: (keys) => this.keyRows(keys, client) }, records, key),
      stored: () => this.emitInsert(),
    }));
  }

  onInsert(listener: () => void): () => void {
    this.listeners.add(listener);
    if (!this.listener && !this.closed) {
      this.listener = new InsertListener({
        url: this.url, channel: this.channel, ownPayload: this.instanceId, log: this.log, heard: () => this.emitInsert(),
      });
      this.listener.start();
    }
    return () => this.listeners.delete(listener);
  }

  /** Resolves once LISTEN is active (or the store is closed); for callers that must not miss a wake-up. */
  async listenerReady(): Promise<void> {
    await this.listener?.ready();
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
