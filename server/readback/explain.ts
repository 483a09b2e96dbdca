import { maskRecipient } from '../../shared/recipient.ts';
import type { StoredRecord } from '../stores/store.ts';
import { describe, sameRecord } from './compare.ts';
import { writeObserved } from './observe.ts';
import type { LaneTools } from './tools.ts';

/**
 * A record İYS refused alone (and not in doubt): before it is rejected, İYS's record of its key is
 * read, so the reason says what İYS holds. A consent entered in the brand's panel or by another
 * integration is then on file though our record was refused: the reason says so, with İYS's record,
 * and that record is written to the ledger as an observed record. One look-up; without an answer the
 * record is rejected with iletiMerkezi's message as before.
 */
export async function explainRefusal(t: LaneTools, r: StoredRecord, message: string): Promise<void> {
  const parts = t.parts()!;
  const seen = await t.lookUp(r, 'refusal');
  let reason = message;
  if (seen.ok && seen.shown) {
    const shown = seen.shown;
    if (sameRecord(r, shown)) {
      reason = `İYS already holds this very record, ${describe(shown)}: refused as its duplicate (${message})`;
      // A re-send of a record flagged unseen: the original is in İYS after all.
      if (r.requeueOf) await t.store.markChecked([r.requeueOf], { at: t.now(), state: 'confirmed', note: null });
    } else {
      const observed = await writeObserved({ store: t.store, now: t.now, emit: t.emit }, r, shown, 'refusal', shown.status === r.status ? 'record' : 'status');
      const seenAs = observed ? `; written to the ledger as observed record ${observed}` : '';
      reason = shown.status === r.status
        ? `İYS already holds ${describe(shown)} for this recipient and channel: refused as a duplicate, the consent is on file${seenAs} (${message})`
        : `refused (${message}); İYS holds ${describe(shown)} for this recipient and channel${seenAs}`;
    }
  } else if (seen.ok) {
    reason = `${message}; İYS holds no record for this recipient and channel`;
  }
  t.logger.info({ event: 'readback.refusal-explained', recipient: maskRecipient(r.recipient), type: r.type, found: seen.ok && seen.shown !== null }, reason);
  await parts.settler.rejected(r, reason);
}
