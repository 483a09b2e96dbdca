import { keyOf } from '../../shared/iys-record.ts';
import { judgeTransition, type KeyBelief } from '../../shared/state-rules.ts';
import type { StoredRecord } from '../stores/store.ts';
import { isExpired } from './deadline.ts';

/** One request to make, and how to treat a refusal of it. */
export type PlannedSend = {
  records: StoredRecord[];
  /**
   * Records that may already be stored by İYS (a request carrying them got no answer): a refusal
   * of such a record alone may be the duplicate, not a fault of the record.
   */
  inDoubt: boolean;
  /** Why the records go apart from the main batch, for the log; null for the main batch. */
  apart: string | null;
};

export type Plan = { expired: StoredRecord[]; sends: PlannedSend[] };

/**
 * Decides what goes in which request. Records the ledger expects İYS to refuse (by the state rules)
 * or to find redundant are still sent, since the ledger is only a belief and İYS's state changes
 * outside the product, but each alone: one of them must not cost the big batch a round of
 * splitting. Records in doubt after a lost answer go together in a batch of their own.
 * Records past their deadline are not sent at all.
 */
export function planSends(
  claimed: readonly StoredRecord[],
  beliefs: ReadonlyMap<string, KeyBelief>,
  opts: { now: number; inDoubt: (r: StoredRecord) => boolean },
): Plan {
  const expired: StoredRecord[] = [];
  const main: StoredRecord[] = [];
  const doubtful: StoredRecord[] = [];
  const apart: PlannedSend[] = [];
  for (const r of claimed) {
    if (isExpired(r, opts.now)) {
      expired.push(r);
      continue;
    }
    const verdict = judgeTransition(beliefs.get(keyOf(r)), r);
    const doubt = opts.inDoubt(r);
    if (verdict.verdict !== 'allowed') {
      apart.push({ records: [r], inDoubt: doubt, apart: verdict.reason });
    } else if (doubt) {
      doubtful.push(r);
    } else {
      main.push(r);
    }
  }
  const sends: PlannedSend[] = [];
  if (main.length > 0) sends.push({ records: main, inDoubt: false, apart: null });
  if (doubtful.length > 0) sends.push({ records: doubtful, inDoubt: true, apart: 'sent before without an answer' });
  sends.push(...apart);
  return { expired, sends };
}
