import type { KeyBelief } from '../../shared/state-rules.ts';
import type { ShownConsent } from '../iletimerkezi/outcome.ts';

/**
 * What one look-up in İYS says about one of our records, pure. `shown` is İYS's record of the key,
 * or null when İYS holds none. İYS shows a key's latest record only, so "ours is not shown" proves
 * nothing by itself: it is weighed against what the ledger believes İYS held before (`belief`, the
 * key's last registered record).
 */

type Dated = { status: string; consentDate: string };

/** Same status and consentDate: the record İYS shows is this one. */
export const sameRecord = (a: Dated, b: Dated | null | undefined): boolean => !!b && a.status === b.status && a.consentDate === b.consentDate;

/** `ONAY HS_WEB 2026-11-30 10:00:00`: İYS's record in a reason or a note. */
export const describe = (c: Pick<ShownConsent, 'status' | 'source' | 'consentDate'>): string =>
  `${c.status} (source ${c.source}, consentDate ${c.consentDate})`;

/**
 * A lost request's record, looked up: `stored` when İYS shows exactly it (a request is atomic, so
 * the whole request was stored); `unstored` when İYS shows what the ledger believed before (or
 * nothing, and nothing was believed): no other record of the key changed, so ours never arrived;
 * `unclear` otherwise (a change made elsewhere may hide ours): another record is tried.
 */
export function judgeLost(ours: Dated, shown: ShownConsent | null, belief: KeyBelief): 'stored' | 'unstored' | 'unclear' {
  if (shown && sameRecord(ours, shown)) return 'stored';
  if (shown === null) return belief === undefined ? 'unstored' : 'unclear';
  return sameRecord(shown, belief) ? 'unstored' : 'unclear';
}

/**
 * A registered record, looked up: `confirmed` (İYS shows it); `ours-later` (İYS shows the ledger's
 * own later record of the key); `elsewhere` (İYS shows a record the ledger does not hold: made in the
 * panel or by the citizen); `absent` (İYS shows nothing). `later` tells whether İYS's record is later
 * than ours, which then was superseded rather than lost.
 */
export type Finding =
  | { kind: 'confirmed' }
  | { kind: 'ours-later' }
  | { kind: 'elsewhere'; drift: 'status' | 'record'; later: boolean }
  | { kind: 'absent' };

export function judgeRegistered(ours: Dated, shown: ShownConsent | null, belief: KeyBelief): Finding {
  if (shown === null) return { kind: 'absent' };
  if (sameRecord(ours, shown)) return { kind: 'confirmed' };
  if (sameRecord(shown, belief)) return { kind: 'ours-later' };
  return { kind: 'elsewhere', drift: shown.status === ours.status ? 'record' : 'status', later: shown.consentDate > ours.consentDate };
}
