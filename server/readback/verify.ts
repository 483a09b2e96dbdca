import type { IysView } from '../../shared/admin-api.ts';
import type { StoredRecord } from '../stores/store.ts';
import { sameRecord } from './compare.ts';
import { elsewhereNote, writeObserved } from './observe.ts';
import { unusable, type LaneTools } from './tools.ts';

/**
 * Verification on demand (the lookup's `verify=1`): İYS's current record of every recipient type and
 * channel the ledger knows for one recipient, against what the ledger believes İYS holds (the key's
 * last registered record). A record İYS holds that the ledger does not is written as an observed
 * record; the ledger's record İYS shows is confirmed. Look-ups share read-back's pace.
 */
export async function verifyRecipient(t: LaneTools, recipient: string): Promise<IysView[]> {
  const rows = await t.store.byRecipient(recipient);
  const keys = new Map<string, Pick<StoredRecord, 'recipient' | 'recipientType' | 'type'>>();
  for (const r of rows) keys.set(`${r.recipientType}|${r.type}`, { recipient, recipientType: r.recipientType, type: r.type });
  const views: IysView[] = [];
  for (const key of keys.values()) {
    // byRecipient's order is by consentDate: the last registered row of the key is the belief.
    const belief = rows.filter((r) => r.state === 'registered' && r.recipientType === key.recipientType && r.type === key.type).at(-1) ?? null;
    const ledger = belief ? { id: belief.id, status: belief.status, consentDate: belief.consentDate } : null;
    const seen = await t.lookUp(key, 'verification');
    if (!seen.ok) {
      views.push({ recipientType: key.recipientType, type: key.type, iys: null, ledger, agrees: null, error: unusable(seen) });
      continue;
    }
    const shown = seen.shown;
    const at = t.now();
    const view: IysView = {
      recipientType: key.recipientType, type: key.type, ledger, agrees: shown === null ? belief === null : sameRecord(shown, belief),
      iys: shown ? { status: shown.status, source: shown.source, consentDate: shown.consentDate, extras: shown.extras } : null,
    };
    if (shown && view.agrees && belief!.checkState !== 'confirmed') {
      await t.store.markChecked([belief!.id], { at, state: 'confirmed', note: null });
    } else if (shown && !view.agrees) {
      const drift = belief && belief.status !== shown.status ? 'status' : 'record';
      const observed = await writeObserved({ store: t.store, now: t.now, emit: t.emit }, key, shown, 'verification', drift);
      if (observed) view.observedId = observed;
      if (belief && shown.consentDate > belief.consentDate) await t.store.markChecked([belief.id], { at, state: 'superseded', note: elsewhereNote(shown, observed, at) });
    } else if (!shown && belief) {
      t.emit({ type: 'drift', kind: 'missing' });
    }
    views.push(view);
  }
  return views;
}
