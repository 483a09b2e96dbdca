import Database from 'better-sqlite3';
import type { KeyBelief } from '../../shared/state-rules.ts';
import type { RecordState } from '../../shared/enums.ts';
import type {
  AnswerLine, Attempt, ConsentStore, HourlyRequests, InsertResult, LatestRecord, NewRecord, PendingSummary, StoredRecord, StoredRecordWithEvidence,
} from './store.ts';
import { recordsFingerprint, replayOrRefuse } from './idempotency.ts';
import { insertInTransaction } from './sqlite-insert.ts';
import { SQL } from './sqlite-sql.ts';
import { SqliteProof } from './sqlite-proof.ts';
import { MIGRATIONS } from './sqlite-schema.ts';
import { sqliteVerifications } from './sqlite-verifications.ts';
import type { VerificationStore } from './verification-store.ts';
import { readbackFiguresOf, type FiguresRow } from './check-fields.ts';
import {
  rowToAttempt, rowToRecord, rowToRecordWithEvidence, type AttemptRow, type OutboxRow, type RecordRow,
} from './row-mapping.ts';
import {
  beliefsOf, claimedInOrder, exportPages, groupLost, hourlyOf, latestOf, pendingSummaryOf, stateCounts,
  type BeliefRow, type HourlyRow, type LatestRow, type LostRow, type PendingSummaryRow,
} from './row-answers.ts';

export type SqliteStoreOptions = {
  /** Rows per page of exportRange. */
  exportPageSize?: number;
  /** How long a statement waits for a lock held by another connection (another process, a backup). */
  busyTimeoutMs?: number;
};

type Statements = { [K in Exclude<keyof typeof SQL, 'pragmas'>]: Database.Statement };

type QueuedInsert = {
  records: NewRecord[];
  idempotencyKey: string | null;
  resolve: (r: InsertResult) => void;
  reject: (e: unknown) => void;
};

type IdempotencyRow = { ids: string; fingerprint: string | null };

/** Counters that show group commit at work: many inserts, fewer commits. */
export type SqliteStoreStats = { inserts: number; commits: number };

/**
 * The embedded ledger: one SQLite file in WAL mode with synchronous=FULL. better-sqlite3 is
 * synchronous, so a commit blocks the event loop; requests that arrive meanwhile queue up and are
 * committed together in ONE transaction (one fsync) on the next turn: group commit.
 */
export class SqliteStore implements ConsentStore {
  private db: Database.Database | undefined;
  private stmts: Statements | undefined;
  private queue: QueuedInsert[] = [];
  private flushScheduled = false;
  private listeners = new Set<() => void>();
  private counters: SqliteStoreStats = { inserts: 0, commits: 0 };
  private readonly pageSize: number;
  private readonly busyTimeoutMs: number;
  private verificationStore: VerificationStore | undefined;
  private groupInsert: Database.Transaction<(group: QueuedInsert[]) => Array<InsertResult | { error: unknown }>> | undefined;

  constructor(
    readonly path: string,
    opts: SqliteStoreOptions = {},
  ) {
    this.pageSize = opts.exportPageSize ?? 500;
    this.busyTimeoutMs = opts.busyTimeoutMs ?? 5000;
  }

  async init(): Promise<void> {
    if (this.db) return;
    const db = new Database(this.path, { timeout: this.busyTimeoutMs });
    for (const p of SQL.pragmas) db.pragma(p.replace(/^PRAGMA /, ''));
    const version = db.pragma('user_version', { simple: true }) as number;
    for (let v = version; v < MIGRATIONS.length; v++) {
      db.transaction(() => {
        db.exec(MIGRATIONS[v]!);
        db.pragma(`user_version = ${v + 1}`);
      }).immediate();
    }
    const stmts = {} as Statements;
    for (const [name, sql] of Object.entries(SQL)) {
      if (name !== 'pragmas') stmts[name as keyof Statements] = db.prepare(sql as string);
    }
    this.db = db;
    this.stmts = stmts;
    this.groupInsert = this.makeGroupInsert(db, stmts);
  }

  async close(): Promise<void> {
    if (!this.db) return;
    if (this.queue.length > 0) this.flush();
    this.db.close();
    this.db = undefined;
    this.stmts = undefined;
    this.proofStore = undefined;
    this.listeners.clear();
  }

  stats(): SqliteStoreStats {
    return { ...this.counters };
  }

  // --- ingest -----------------------------------------------------------------------------------

  insert(records: NewRecord[], idempotencyKey: string | null = null): Promise<InsertResult> {
    return new Promise((resolve, reject) => {
      this.need();
      this.queue.push({ records, idempotencyKey, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  async replay(idempotencyKey: string, records: NewRecord[]): Promise<InsertResult | null> {
    const seen = this.need().findIdempotency.get(idempotencyKey) as IdempotencyRow | undefined;
    return seen ? replayOrRefuse(idempotencyKey, seen, recordsFingerprint(records)) : null;
  }

  /**
   * One transaction for the whole group; each caller inside its own SAVEPOINT (a nested
   * better-sqlite3 transaction), so one caller's bad batch rolls back alone and the others commit.
   */
  private makeGroupInsert(db: Database.Database, s: Statements) {
    // A reused key throws inside: this caller's savepoint rolls back alone.
    const one = db.transaction((item: QueuedInsert, now: number): InsertResult => insertInTransaction(s, item.records, item.idempotencyKey, now));
    return db.transaction((group: QueuedInsert[]) => {
      const now = Date.now();
      return group.map((item) => {
        try {
          return one(item, now);
        } catch (error) {
          // Some errors (SQLITE_FULL, SQLITE_IOERR) roll the whole transaction back, not just this
          // savepoint: the callers before this one lost their records too, and the ones after would
          // each be committed on their own. The whole group fails instead, nothing of it stored.
          if (!db.inTransaction) throw error;
          return { error };
        }
      });
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    const group = this.queue;
    this.queue = [];
    if (group.length === 0) return;
    let results: Array<InsertResult | { error: unknown }>;
    try {
      results = this.groupInsert!.immediate(group);
    } catch (error) {
      for (const item of group) item.reject(error);
      return;
    }
    this.counters.commits += 1;
    let stored = false;
    results.forEach((r, i) => {
      const item = group[i]!;
      if ('error' in r) return item.reject(r.error);
      this.counters.inserts += 1;
      if (!r.duplicate && r.ids.length > 0) stored = true;
      item.resolve(r);
    });
    if (stored) this.emitInsert();
  }

  // --- reads ------------------------------------------------------------------------------------

  async byRecipient(recipient: string): Promise<StoredRecordWithEvidence[]> {
    return (this.need().byRecipient.all(recipient) as RecordRow[]).map(rowToRecordWithEvidence);
  }

  async byIds(ids: string[]): Promise<StoredRecord[]> {
    if (ids.length === 0) return [];
    return (this.need().byIds.all({ ids: JSON.stringify(ids) }) as OutboxRow[]).map(rowToRecord);
  }

  exportRange(fromMs: number, toMs: number): AsyncIterable<StoredRecordWithEvidence> {
    return exportPages(fromMs, this.pageSize, (afterAt, afterSeq) =>
      this.need().exportPage.all({ to: toMs, afterAt, afterSeq, limit: this.pageSize }) as RecordRow[]);
  }

  async attemptsOf(id: string): Promise<Attempt[]> {
    return (this.need().attemptsOf.all(id) as AttemptRow[]).map(rowToAttempt);
  }

  async countByState(): Promise<Record<RecordState, number>> {
    return stateCounts(this.need().countByState.all() as { state: string; n: number }[]);
  }

  async pendingSummary(): Promise<PendingSummary> {
    return pendingSummaryOf(this.need().pendingSummary.get() as PendingSummaryRow);
  }

  async pendingByDeadline(limit: number): Promise<StoredRecord[]> {
    return (this.need().pendingByDeadline.all({ limit }) as RecordRow[]).map(rowToRecord);
  }

  async requestsByHour(fromMs: number, toMs: number): Promise<HourlyRequests[]> {
    return hourlyOf(this.need().requestsByHour.all({ from: fromMs, to: toMs }) as HourlyRow[]);
  }

  async ping(): Promise<void> {
    this.need().ping.get();
  }

  async probeWrite(): Promise<void> {
    this.need().probeWrite.run(Date.now());
  }

  // --- dispatch ---------------------------------------------------------------------------------

  async claim(opts: { owner: string; limit: number; leaseMs: number; now: number }): Promise<StoredRecord[]> {
    if (opts.limit <= 0) return [];
    const rows = this.need().claim.all({
      owner: opts.owner, until: opts.now + opts.leaseMs, now: opts.now, limit: opts.limit,
    }) as OutboxRow[];
    return claimedInOrder(rows);
  }

  async beliefs(keys: string[]): Promise<Map<string, KeyBelief>> {
    if (keys.length === 0) return new Map();
    return beliefsOf(this.need().registeredOfKeys.all({ keys: JSON.stringify(keys) }) as BeliefRow[]);
  }

  async latestOfKeys(keys: string[]): Promise<Map<string, LatestRecord>> {
    if (keys.length === 0) return new Map();
    return latestOf(this.need().latestOfKeys.all({ keys: JSON.stringify(keys) }) as LatestRow[]);
  }

  async logAttempt(ids: string[], attempt: Attempt): Promise<void> {
    if (ids.length === 0) return;
    const s = this.need();
    const params = {
      ids: JSON.stringify(ids), at: attempt.at, outcome: attempt.outcome, code: attempt.code,
      message: attempt.message, batchSize: attempt.batchSize, requestId: attempt.requestId ?? null,
    };
    this.db!.transaction(() => {
      s.insertAttempt.run(params);
      s.countAttempt.run({
        ids: params.ids, message: attempt.message, increment: attempt.counted === false ? 0 : 1,
        setDoubt: attempt.doubt === undefined ? 0 : 1, doubt: attempt.doubt ?? null,
      });
    }).immediate();
  }

  async lostRequestsOf(ids: string[]): Promise<Map<string, string[]>> {
    if (ids.length === 0) return new Map();
    return groupLost(this.need().lostRequestsOf.all({ ids: JSON.stringify(ids) }) as LostRow[]);
  }

  async markRegistered(ids: string[], at: number, answer?: AnswerLine): Promise<void> {
    if (ids.length === 0) return;
    const s = this.need();
    const list = JSON.stringify(ids);
    if (!answer) {
      s.markRegistered.run({ ids: list, at, reason: null });
      return;
    }
    this.db!.transaction(() => {
      s.insertAttempt.run({
        ids: list, at: answer.at, outcome: answer.outcome, code: answer.code, message: answer.message,
        batchSize: answer.batchSize, requestId: answer.requestId ?? null,
      });
      s.markRegistered.run({ ids: list, at, reason: answer.message });
    }).immediate();
  }

  async markRejected(ids: string[], reason: string, at: number): Promise<void> {
    this.markFinal(ids, 'rejected', reason, at);
  }

  async markExpired(ids: string[], reason: string, at: number): Promise<void> {
    this.markFinal(ids, 'expired', reason, at);
  }

  private markFinal(ids: string[], state: RecordState, reason: string, at: number): void {
    if (ids.length > 0) this.need().markFinal.run({ ids: JSON.stringify(ids), state, reason, at });
  }

  async release(ids: string[], owner: string, notBefore: number): Promise<void> {
    if (ids.length > 0) this.need().release.run({ ids: JSON.stringify(ids), owner, notBefore });
  }

  async extendLease(ids: string[], owner: string, until: number): Promise<void> {
    if (ids.length > 0) this.need().extendLease.run({ ids: JSON.stringify(ids), owner, until });
  }

  async overdue(now: number, limit: number): Promise<StoredRecord[]> {
    return (this.need().overdue.all({ now, limit }) as OutboxRow[]).map(rowToRecord);
  }

  async nextWakeAt(now: number): Promise<number | null> {
    const row = this.need().nextWakeAt.get({ now }) as { at: number | null };
    return row.at;
  }

  // Read-back (check-fields.ts).
  dueForCheck: ConsentStore['dueForCheck'] = async (o) => (this.need().dueForCheck.all(o) as OutboxRow[]).map(rowToRecord);
  sweepDue: ConsentStore['sweepDue'] = async (o) => (this.need().sweepDue.all(o) as OutboxRow[]).map(rowToRecord);
  markChecked: ConsentStore['markChecked'] = async (ids, m) => void (ids.length > 0 && this.need().markChecked.run({ ids: JSON.stringify(ids), ...m }));
  unseenCount: ConsentStore['unseenCount'] = async () => (this.need().unseenCount.get() as { n: number }).n;
  readbackFigures: ConsentStore['readbackFigures'] = async () => readbackFiguresOf(this.need().readbackFigures.all() as FiguresRow[]);

  onInsert(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  verifications(): VerificationStore {
    return (this.verificationStore ??= sqliteVerifications(() => this.db ?? (this.need(), this.db!), {
      insert: (records, key, now) => insertInTransaction(this.need(), records, key, now),
      stored: () => this.emitInsert(),
    }));
  }

  private proofStore: SqliteProof | undefined;
  proof(): SqliteProof {
    this.need();
    return (this.proofStore ??= new SqliteProof(this.db!));
  }

  private emitInsert(): void {
    for (const l of this.listeners) {
      try {
        l();
      } catch {
        // A listener's failure is its own; the insert is committed and its callers answered.
      }
    }
  }

  private need(): Statements {
    if (!this.stmts) throw new Error('SqliteStore: call init() first (or the store is closed)');
    return this.stmts;
  }
}
