/**
 * Read-back's words and the ledger's part of it (server/readback): what look-ups in İYS found of
 * registered records, and the observed records İYS holds that the collector did not send.
 */

/**
 * What the last look-up in İYS (read-back, server/readback) made of a registered record:
 * - `confirmed`: İYS showed it, same status and consentDate (`confirmedAt` says when, first);
 * - `superseded`: İYS shows a later record of the key (ours, or one made elsewhere: then observed);
 * - `unseen`: İYS still did not show it after IYS_CONFIRM_WITHIN_MS: flagged, and sent again while its deadline allows.
 * Null while no look-up has decided.
 */
export const CHECK_STATES = ['confirmed', 'superseded', 'unseen'] as const;
export type CheckState = (typeof CHECK_STATES)[number];
/** Which check found an observed record (a record İYS holds that the collector did not send). */
export const OBSERVERS = ['confirmation', 'doubt', 'refusal', 'verification', 'sweep'] as const;
export type Observer = (typeof OBSERVERS)[number];
/**
 * Kinds of difference between İYS and the ledger: `status` (İYS holds the other status: a citizen's
 * RET), `record` (the same status from another record: a panel entry, another integration), `missing`
 * (İYS shows nothing of a record the ledger has registered). Only the first two make an observed record.
 */
export const DRIFT_KINDS = ['status', 'record', 'missing'] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

/** What a look-up in İYS found of registered records (markChecked). */
export type CheckMark = { at: number; state: CheckState | null; note: string | null };

/** The read-back fields of a record no look-up has touched and nobody observed. */
export const UNCHECKED = {
  confirmedAt: null, checkedAt: null, checkState: null, checkNote: null, observedBy: null, drift: null, iysExtras: null,
} as const;

/** The ledger's side of read-back; part of ConsentStore (R: its StoredRecord). */
export interface ReadbackStore<R> {
  /**
   * Registered records no look-up has decided yet (checkState null), registered before
   * `registeredBefore` and not looked up since `checkedBefore`, oldest registration first.
   */
  dueForCheck(opts: { registeredBefore: number; checkedBefore: number; limit: number }): Promise<R[]>;
  /**
   * Registered records looked up longest ago (confirmed or flagged unseen), oldest check first: the
   * sweep's work. Never-checked records come first.
   */
  sweepDue(opts: { checkedBefore: number; limit: number }): Promise<R[]>;
  /** Writes a look-up's finding on registered records; the first confirmation's time is kept. Never the İYS fields or the state. */
  markChecked(ids: string[], mark: CheckMark): Promise<void>;
  /** Registered records flagged unseen whose re-sent copy is not confirmed yet: the degraded reason's count. */
  unseenCount(): Promise<number>;
  /** The console's read-back figures: one grouped read of the registered records (readbackFiguresOf). */
  readbackFigures(): Promise<ReadbackFigures>;
}

/**
 * What read-back has found across the ledger (the console's dashboard). `ours` counts the
 * registered records the collector sent; `observed` the records İYS holds that it did not, by who
 * made them (İYS's own IYS_* channels: the citizen; a brand's HS_*: the panel or another integration)
 * and by kind of difference. `unseen` is open flags only (as iys_unseen_records).
 */
export type ReadbackFigures = {
  ours: number;
  confirmed: number;
  unseen: number;
  superseded: number;
  observed: { citizen: number; panel: number; status: number; record: number };
  lastCheckedAt: number | null;
};

/** One group of the figures' query (both dialects): booleans come as 0/1 from SQLite, counts as text from PostgreSQL. */
export type FiguresRow = {
  check_state: string | null; observed: boolean | number; drift: string | null; iys_side: boolean | number;
  confirmed: boolean | number; resolved: boolean | number; n: number | string; last: number | string | null;
};

/** Folds the grouped rows into the figures. */
export function readbackFiguresOf(rows: readonly FiguresRow[]): ReadbackFigures {
  const f: ReadbackFigures = { ours: 0, confirmed: 0, unseen: 0, superseded: 0, observed: { citizen: 0, panel: 0, status: 0, record: 0 }, lastCheckedAt: null };
  for (const r of rows) {
    const n = Number(r.n);
    if (r.last !== null) f.lastCheckedAt = Math.max(f.lastCheckedAt ?? 0, Number(r.last));
    if (r.observed) {
      f.observed[r.iys_side ? 'citizen' : 'panel'] += n;
      if (r.drift === 'status' || r.drift === 'record') f.observed[r.drift] += n;
      continue;
    }
    f.ours += n;
    if (r.confirmed) f.confirmed += n;
    if (r.check_state === 'unseen' && !r.resolved) f.unseen += n;
    if (r.check_state === 'superseded') f.superseded += n;
  }
  return f;
}

/**
 * The figures' query: registered records grouped by what read-back made of them. `records` is the
 * table's name as the dialect spells it; the unseen flag counts as resolved once its re-sent copy is confirmed.
 */
export function readbackFiguresSql(records: string): string {
  return `SELECT check_state, observed_by IS NOT NULL AS observed, drift, source LIKE 'IYS%' AS iys_side,
      confirmed_at IS NOT NULL AS confirmed,
      EXISTS (SELECT 1 FROM ${records} q WHERE q.requeue_of = r.id AND q.check_state = 'confirmed') AS resolved,
      COUNT(*) AS n, MAX(checked_at) AS last
    FROM ${records} r WHERE r.state = 'registered'
    GROUP BY check_state, observed_by IS NOT NULL, drift, source LIKE 'IYS%', confirmed_at IS NOT NULL,
      EXISTS (SELECT 1 FROM ${records} q WHERE q.requeue_of = r.id AND q.check_state = 'confirmed')`;
}
