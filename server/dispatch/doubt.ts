import type { StoredRecord } from '../stores/store.ts';

/**
 * Whether İYS may already hold a record the ledger still has pending. The store keeps the last
 * attempt's message in `reason`; the dispatcher writes SENDING before every request and prefixes
 * every later message of a record in doubt with DOUBT_MARK, so the doubt survives a crash (the
 * next owner reads SENDING) and later transient answers.
 */
export const SENDING = 'sent, no answer recorded yet';
export const DOUBT_MARK = '[may be stored] ';

export function isInDoubt(r: Pick<StoredRecord, 'reason' | 'state'>): boolean {
  return r.state === 'pending' && r.reason !== null && (r.reason === SENDING || r.reason.startsWith(DOUBT_MARK));
}
