import { keyOf } from '../../shared/iys-record.ts';
import { maskRecipient } from '../../shared/recipient.ts';
import { PASS_HEADROOM_MS, whyUnsendable } from '../../shared/sendability.ts';
import { judgeTransition } from '../../shared/state-rules.ts';
import { formatTurkeyTime } from '../../shared/turkey-time.ts';
import type { StoredRecord } from '../stores/store.ts';
import { describe, judgeRegistered } from './compare.ts';
import type { Purpose } from './events.ts';
import { elsewhereNote, writeObserved } from './observe.ts';
import { unusable, type LaneTools } from './tools.ts';

export type ConfirmSettings = {
  /** A record not shown by İYS this long after iletiMerkezi accepted it is flagged and sent again (IYS_CONFIRM_WITHIN_MS). */
  confirmWithinMs: number;
};

/**
 * Looks one registered record up in İYS: confirmed when İYS shows it (same status and consentDate);
 * superseded when İYS shows a later record of the key (the ledger's own, or one made elsewhere, which
 * is then written as an observed record); not visible yet otherwise, and flagged `unseen` once
 * IYS_CONFIRM_WITHIN_MS has passed since its registration: it is then sent again, as a new pending
 * record standing for it (requeue_of), while its deadline and İYS's rules allow. The same look-up
 * serves the sweep and verification (`purpose`). Returns false when İYS gave no usable answer.
 */
export async function checkRegistered(t: LaneTools, r: StoredRecord, s: ConfirmSettings, purpose: Purpose): Promise<boolean> {
  const seen = await t.lookUp(r, purpose);
  if (!seen.ok) {
    t.logger.warn({ event: 'readback.unanswered', purpose, recipient: maskRecipient(r.recipient), type: r.type }, `look-up: ${unusable(seen)}`);
    return false;
  }
  const at = t.now();
  const k = keyOf(r);
  const finding = judgeRegistered(r, seen.shown, (await t.store.beliefs([k])).get(k));
  const by = purpose === 'sweep' || purpose === 'verification' ? purpose : 'confirmation';
  switch (finding.kind) {
    case 'confirmed':
      await t.store.markChecked([r.id], { at, state: 'confirmed', note: null });
      if (r.confirmedAt === null) t.emit({ type: 'confirmed', count: 1 });
      return true;
    case 'ours-later':
      await t.store.markChecked([r.id], { at, state: 'superseded', note: `İYS holds the ledger's later record of this key, ${describe(seen.shown!)}` });
      return true;
    case 'elsewhere': {
      const observed = await writeObserved({ store: t.store, now: t.now, emit: t.emit }, r, seen.shown!, by, finding.drift);
      // Ours may have been stored and then overtaken; an older record shown means ours is not there.
      if (finding.later) {
        await t.store.markChecked([r.id], { at, state: 'superseded', note: elsewhereNote(seen.shown!, observed, at) });
        return true;
      }
      return notVisible(t, r, s, at, elsewhereNote(seen.shown!, observed, at));
    }
    case 'absent':
      return notVisible(t, r, s, at, 'İYS holds no record for this recipient and channel');
  }
}

/** Not shown by İYS: looked up again later, or flagged and sent again once IYS_CONFIRM_WITHIN_MS has passed. */
async function notVisible(t: LaneTools, r: StoredRecord, s: ConfirmSettings, at: number, seen: string): Promise<boolean> {
  const registeredAt = r.registeredAt ?? at;
  if (r.checkState === 'unseen' || at - registeredAt < s.confirmWithinMs) {
    await t.store.markChecked([r.id], { at, state: null, note: `not visible in İYS yet: ${seen}` });
    return true;
  }
  t.emit({ type: 'drift', kind: 'missing' });
  const resent = await sendAgain(t, r, at);
  const minutes = Math.round((at - registeredAt) / 60_000);
  const note = `not visible in İYS ${minutes} min after iletiMerkezi accepted it (${seen}); ${resent}`;
  await t.store.markChecked([r.id], { at, state: 'unseen', note });
  t.logger.warn({ event: 'readback.unseen', recipient: maskRecipient(r.recipient), type: r.type, status: r.status }, note);
  return true;
}

/**
 * A new pending record with the same İYS fields and evidence, standing for the unseen one (requeue_of;
 * the old row is never touched). A re-send İYS does not hold is registered; one it holds after all is
 * refused as a duplicate and explained by reading İYS. Returns what the note says of it.
 */
async function sendAgain(t: LaneTools, r: StoredRecord, at: number): Promise<string> {
  const all = await t.store.byRecipient(r.recipient);
  const again = all.find((x) => x.requeueOf === r.id);
  if (again) return `already sent again as record ${again.id}`;
  const old = all.find((x) => x.id === r.id);
  if (!old || old.source === 'HS_2015') return 'not sent again: it cannot go through iletiMerkezi';
  const late = whyUnsendable(old, at, PASS_HEADROOM_MS);
  if (late) return `not sent again: its consentDate ${late}`;
  // Judged after the key's latest other live record (byRecipient's order is by consentDate).
  const other = all.filter((x) => x.id !== r.id && keyOf(x) === keyOf(r) && (x.state === 'pending' || x.state === 'registered')).at(-1);
  const verdict = judgeTransition(other, old);
  if (verdict.verdict !== 'allowed') return `not sent again: after the ledger's record ${other?.id ?? ''}, ${verdict.reason}`;
  const record = { recipient: old.recipient, recipientType: old.recipientType, type: old.type, status: old.status, source: old.source, consentDate: old.consentDate };
  const { ids } = await t.store.insert([{ record, evidence: { ...old.evidence, receivedAt: at }, requeueOf: r.id }]);
  return `sent again as record ${ids[0]} (its deadline is ${formatTurkeyTime(old.deadlineAt)})`;
}
