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
}
