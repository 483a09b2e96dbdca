import type { StoredRecord } from '../stores/store.ts';

/**
 * Whether İYS may already hold a record the ledger still has pending. The store keeps the last
 * attempt's message in `reason`; the dispatcher writes SENDING before every request and prefixes
 * every later message of a record in doubt with DOUBT_MARK, so the doubt survives a crash (the
 * next owner reads SENDING) and later transient answers.
 *
 * A record is settled in two writes: the answer's line, then the state. A pending record whose last
 * line already says İYS holds it (STORED_MARK, TAKEN_AS_STORED) is one whose process died between
 * the two: it is in doubt too, or the refusal of its re-send (a duplicate) would reject it.
 */
export const SENDING = 'sent, no answer recorded yet';
export const DOUBT_MARK = '[may be stored] ';
/** Prefix of the answer line of an accepted request. */
export const STORED_MARK = '[stored] ';
/** The line of a record in doubt that İYS refused alone: the duplicate of itself. */
export const TAKEN_AS_STORED = 'refused alone after a request carrying it got no answer: taken as stored by that request';
/** The line of every record of a lost request judged stored as a whole by refused probes. */
export const BATCH_TAKEN_AS_STORED = 'a request carrying it got no answer; its re-send and single-record probes were all refused as duplicates: taken as stored by that request';

export function isInDoubt(r: Pick<StoredRecord, 'reason' | 'state'>): boolean {
  if (r.state !== 'pending' || r.reason === null) return false;
  return r.reason === SENDING || r.reason === TAKEN_AS_STORED || r.reason === BATCH_TAKEN_AS_STORED || r.reason.startsWith(DOUBT_MARK) || r.reason.startsWith(STORED_MARK);
}
