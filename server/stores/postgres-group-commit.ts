import { recordsFingerprint, replayOrRefuse } from './idempotency.ts';
import { newRecordId } from './record-id.ts';
import { insertValues } from './row-mapping.ts';
import type { InsertResult, NewRecord } from './store.ts';

/** One caller's insert, waiting for its group. */
export type QueuedInsert = {
  /** The caller's idempotency key; null: none. */
  key: string | null;
  fingerprint: string | null;
  ids: string[];
  /** One row of values a record, in INSERT_COLUMNS order. */
  rows: unknown[][];
  resolve: (r: InsertResult) => void;
  reject: (e: unknown) => void;
};

export type KeyRow = { ids: string; fingerprint: string | null };

/** What the group statement takes of a caller. */
export type InsertValues = Pick<QueuedInsert, 'key' | 'fingerprint' | 'ids' | 'rows'>;

/** One caller's ids (drawn now) and rows; a record the database could never take throws here, alone. */
export function insertValuesOf(records: NewRecord[], key: string | null): InsertValues {
  const now = Date.now();
  const ids = records.map(() => newRecordId(now));
  const rows = records.map((r, i) => insertValues(ids[i]!, r, key));
  return { key, fingerprint: key === null ? null : recordsFingerprint(records), ids, rows };
}

/**
 * One caller's insert inside a transaction it holds (a verification's, postgres-verifications.ts):
 * the group statement for a group of one, with the same idempotency answers.
 */
export async function insertAlone(
  io: { store(group: readonly InsertValues[], records: number): Promise<Set<string>>; keyRows(keys: string[]): Promise<Map<string, KeyRow>> },
  records: NewRecord[], key: string | null,
): Promise<InsertResult> {
  const item = insertValuesOf(records, key);
  const claimed = await io.store([item], records.length);
  if (key === null || claimed.has(key)) return { ids: item.ids, duplicate: false };
  const row = (await io.keyRows([key])).get(key);
  if (!row) throw new Error(`idempotency key ${key} was neither claimed nor found`);
  return replayOrRefuse(key, row, item.fingerprint!);
}

/** What the group commit needs of the database (postgres-store.ts). */
export type GroupCommitIo = {
  /** Stores a group in ONE statement (one round trip, one commit); resolves to the idempotency keys it claimed. */
  store(group: readonly InsertValues[], records: number): Promise<Set<string>>;
  /** The committed rows of keys that other inserts had claimed first. */
  keyRows(keys: string[]): Promise<Map<string, KeyRow>>;
  /** Whether an error means the database cannot be reached, rather than that some record was refused. */
  unreachable(err: unknown): boolean;
  /** Records were committed. */
  stored(): void;
};

/** Group statements in flight at once: while they run, the next callers queue up and go together. */
const LANES = 2;
/** A group closes at this many records: a big batch goes alone rather than hold the small ones back. */
const GROUP_RECORDS = 5000;

/** Counters that show group commit at work: many inserts, fewer commits. */
export type GroupCommitStats = { inserts: number; commits: number };

/**
 * Group commit for PostgreSQL, as the SQLite store does it: inserts that arrive while others are
 * being committed wait, then go together in one statement (one round trip, one commit, one NOTIFY).
 * Every caller is answered only after the statement that holds its records returned, i.e. after
 * their commit. The idempotency semantics stay those of one insert at a time: a key seen before
 * answers the first ids (IdempotencyKeyReusedError for other records), and two callers with one key
 * never share a group (the second waits for the next one, where the first's key row answers it).
 * A statement refused for some record is tried again caller by caller, so one caller's bad records
 * fail that caller alone; a database that cannot be reached fails the group and the callers queued
 * behind it at once, since they would wait for the same timeout.
 */
export class GroupCommit {
  private queue: QueuedInsert[] = [];
  private inFlight = 0;
  private scheduled = false;
  private readonly counters: GroupCommitStats = { inserts: 0, commits: 0 };

  constructor(private readonly io: GroupCommitIo) {}

  stats(): GroupCommitStats {
    return { ...this.counters };
  }

  insert(records: NewRecord[], key: string | null): Promise<InsertResult> {
    return new Promise((resolve, reject) => {
      // Checked before queueing: a record the database could never take fails alone, with its reason.
      this.queue.push({ ...insertValuesOf(records, key), resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // Callers arriving in the same turn of the event loop share the first group.
        setImmediate(() => {
          this.scheduled = false;
          this.pump();
        });
      }
    });
  }

  private pump(): void {
    while (this.inFlight < LANES && this.queue.length > 0) void this.run(this.take());
  }

  /** The next group: callers in arrival order, one per idempotency key, up to GROUP_RECORDS records. */
  private take(): QueuedInsert[] {
    const group: QueuedInsert[] = [];
    const rest: QueuedInsert[] = [];
    const keys = new Set<string>();
    let records = 0;
    for (const item of this.queue) {
      const full = group.length > 0 && records + item.rows.length > GROUP_RECORDS;
      if (full || (item.key !== null && keys.has(item.key))) {
        rest.push(item);
        continue;
      }
      group.push(item);
      records += item.rows.length;
      if (item.key !== null) keys.add(item.key);
    }
    this.queue = rest;
    return group;
  }

  private async run(group: QueuedInsert[]): Promise<void> {
    this.inFlight++;
    try {
      await this.commit(group);
    } finally {
      this.inFlight--;
      this.pump();
    }
  }

  private async commit(group: QueuedInsert[]): Promise<void> {
    let claimed: Set<string>;
    try {
      claimed = await this.io.store(group, group.reduce((n, item) => n + item.rows.length, 0));
    } catch (err) {
      if (this.io.unreachable(err)) {
        for (const item of [...group, ...this.queue.splice(0)]) item.reject(err);
      } else if (group.length === 1) {
        group[0]!.reject(err);
      } else {
        // Nothing of the group was stored (one statement): each caller again, alone.
        for (const item of group) await this.commit([item]);
      }
      return;
    }
    this.counters.commits += 1;
    const taken = group.filter((item) => item.key !== null && !claimed.has(item.key));
    let seen: Map<string, KeyRow> | Error = new Map();
    if (taken.length > 0) seen = await this.io.keyRows(taken.map((item) => item.key!)).catch((err: Error) => err);
    let stored = false;
    for (const item of group) {
      if (item.key !== null && !claimed.has(item.key)) {
        // Taken by a transaction that committed first (one that rolled back would have let this one claim it).
        const row = seen instanceof Error ? seen : seen.get(item.key) ?? new Error(`idempotency key ${item.key} was neither claimed nor found`);
        if (row instanceof Error) item.reject(row);
        else this.answer(item, () => replayOrRefuse(item.key!, row, item.fingerprint!));
        continue;
      }
      if (item.rows.length > 0) stored = true;
      this.answer(item, () => ({ ids: item.ids, duplicate: false }));
    }
    if (stored) this.io.stored();
  }

  private answer(item: QueuedInsert, result: () => InsertResult): void {
    try {
      item.resolve(result());
      this.counters.inserts += 1;
    } catch (err) {
      item.reject(err);
    }
  }
}
