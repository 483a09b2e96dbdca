import type { StoredRecord } from '../stores/store.ts';

/**
 * Whether İYS may already hold a record the ledger still has pending: the record's `doubt` (see
 * DOUBTS in store.ts), which the dispatcher writes with every attempt line, so it survives a crash
 * (the next owner reads `sending`) and later transient answers (`lost`).
 *
 * A pending record whose doubt is `stored` is one İYS holds but whose state write never came: in
 * doubt too, or the refusal of its re-send (a duplicate) would reject it. Today an accepted answer's
 * line and the registration are one write (markRegistered with its line), so a crash leaves `sending`
 * instead; collectors before that wrote the two apart and may have left `stored` behind.
 */
export const SENDING = 'sent, no answer recorded yet';
/** The line of a record in doubt that İYS refused alone: the duplicate of itself. */
export const TAKEN_AS_STORED = 'refused alone after a request carrying it got no answer: taken as stored by that request';
/** The line of every record of a lost request judged stored as a whole by refused probes. */
export const BATCH_TAKEN_AS_STORED = 'a request carrying it got no answer; its re-send and single-record probes were all refused as duplicates: taken as stored by that request';

export function isInDoubt(r: Pick<StoredRecord, 'doubt' | 'state'>): boolean {
  return r.state === 'pending' && r.doubt !== null;
}
