import type { StoredRecord } from '../stores/store.ts';
import type { DoubtBook } from './doubt-book.ts';
import type { Settler } from './settle.ts';

/** What a check lane (server/readback) gets of the dispatcher it serves. */
export type DispatchParts = {
  book: DoubtBook;
  settler: Settler;
  /** Wakes the dispatcher: records the lane gave back are claimable at once. */
  kick(): void;
  /** The dispatcher's name in leases: the lane holds the records it took under it. */
  owner: string;
  leaseMs: number;
};

/**
 * Checks that run beside sending, never inside a send pass: the pass hands the lane records (in
 * doubt after a lost answer, or refused alone) under its lease and goes on with the rest; the lane
 * settles them after reading İYS, or gives them back to be sent as before.
 */
export interface CheckLane {
  attach(parts: DispatchParts): void;
  /** Records in doubt: the ids the lane takes, to settle by reading İYS; the rest are sent as before (inference). */
  takeDoubts(records: readonly StoredRecord[]): Set<string>;
  /** A record refused alone and not in doubt: true when the lane takes it, to reject it with İYS's record in the reason. */
  takeRefusal(r: StoredRecord, message: string): boolean;
  start(): void;
  stop(): Promise<void>;
}
