import { keyOf } from '../../shared/iys-record.ts';
import type { StoredRecord } from '../stores/store.ts';
import { describe, judgeLost } from './compare.ts';
import { unusable, type LaneTools } from './tools.ts';

/** Look-ups a lost request may take before the dispatcher's inference decides instead. */
export const MAX_DOUBT_LOOKUPS = 2;
/** Look-ups without a usable answer before read-back counts as unavailable for the request. */
export const MAX_DOUBT_FAILURES = 3;

/** A lost request the lane settles: its id (the dispatcher's, or `record:<id>` for a record in doubt without one) and its records. */
export type LostRequest = { requestId: string; members: readonly string[]; lookups: number; failures: number };

export type LostVerdict = 'stored' | 'unstored' | 'unavailable' | 'retry';

/**
 * Settles one lost request by reading İYS, not by inference. A request is atomic: one of its records
 * found in İYS with exactly our status and consentDate means the whole request was stored (all its
 * records registered); found absent, with the key as the ledger believed it before (no other record
 * changed), means none was (the doubt lifted, the records sent again as fresh ones, so a bad record
 * among them is found and rejected). One look-up decides unless a change made elsewhere hides the
 * answer; then one more record is tried. Look-ups without an answer are retried a few times; after
 * that, or two unclear answers, read-back is unavailable for this request and the dispatcher's
 * inference decides (the records are given back in doubt).
 */
export async function settleLost(t: LaneTools, lost: LostRequest): Promise<LostVerdict> {
  const parts = t.parts()!;
  const rows = (await t.store.byIds([...lost.members])).filter((r) => r.state === 'pending');
  if (rows.length === 0) return 'stored';
  const beliefs = await t.store.beliefs([...new Set(rows.map((r) => keyOf(r)))]);
  // Records carried by this request alone speak for it; one per key is enough.
  const only = (r: StoredRecord) => parts.book.lostOf(r.id).length <= 1;
  const byKey = new Map<string, StoredRecord>();
  for (const r of [...rows.filter(only), ...rows.filter((r) => !only(r))]) if (!byKey.has(keyOf(r))) byKey.set(keyOf(r), r);
  const candidates = [...byKey.values()];
  while (lost.lookups < Math.min(MAX_DOUBT_LOOKUPS, candidates.length)) {
    const c = candidates[lost.lookups]!;
    const seen = await t.lookUp(c, 'doubt');
    if (!seen.ok) {
      lost.failures++;
      t.logger.warn({ event: 'readback.doubt-unanswered', requestId: lost.requestId, failures: lost.failures }, `look-up for a lost request: ${unusable(seen)}`);
      return lost.failures >= MAX_DOUBT_FAILURES ? 'unavailable' : 'retry';
    }
    lost.lookups++;
    const verdict = judgeLost(c, seen.shown, beliefs.get(keyOf(c)));
    if (verdict === 'stored' && only(c)) {
      const message = `read back from İYS (${lost.lookups} look-up${lost.lookups > 1 ? 's' : ''}): it holds ${describe(seen.shown!)} of record ${c.id} of this request, so the request was stored as a whole`;
      await parts.settler.takenAsStored(rows, message);
      t.logger.info({ event: 'dispatch.doubt-resolved', method: 'read-back', size: rows.length, lookups: lost.lookups }, message);
      return 'stored';
    }
    if (verdict === 'unstored') {
      await unstored(t, lost, rows, c.id);
      return 'unstored';
    }
  }
  return 'unavailable';
}

/** None of the request was stored: its doubt is lifted (in the book and, with a line, in the ledger). */
async function unstored(t: LaneTools, lost: LostRequest, rows: StoredRecord[], probe: string): Promise<void> {
  const { book } = t.parts()!;
  const lookups = `${lost.lookups} look-up${lost.lookups > 1 ? 's' : ''}`;
  const message = `read back from İYS (${lookups}): record ${probe} of this request is not in İYS and its key is as before, so the request was not stored; sent again`;
  const requestId = lost.requestId.startsWith('record:') ? null : lost.requestId;
  book.notStored(lost.requestId);
  const at = t.now();
  // A record also carried by another unresolved lost request stays in doubt by that one.
  const still = rows.filter((r) => book.isLost(r.id)).map((r) => r.id);
  const cleared = rows.filter((r) => !book.isLost(r.id)).map((r) => r.id);
  const line = { at, outcome: 'resolved' as const, code: null, message, batchSize: lost.members.length, counted: false, requestId };
  await t.store.logAttempt(cleared, { ...line, doubt: null });
  await t.store.logAttempt(still, { ...line, doubt: 'lost' });
  t.logger.info({ event: 'dispatch.doubt-resolved', method: 'read-back', size: rows.length, stored: false, lookups: lost.lookups }, message);
}
