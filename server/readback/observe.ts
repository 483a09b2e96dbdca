import { keyOf, type IysRecord } from '../../shared/iys-record.ts';
import { formatTurkeyTime } from '../../shared/turkey-time.ts';
import type { ShownConsent } from '../iletimerkezi/outcome.ts';
import type { ConsentStore, DriftKind, Observer } from '../stores/store.ts';
import type { EmitReadback } from './events.ts';

type Key = Pick<IysRecord, 'recipient' | 'recipientType' | 'type'>;

/**
 * Writes what İYS showed of a key as a new observed record, unless the ledger already believes it
 * (the key's last registered record is the same status and consentDate). Never an edit of a row:
 * a row of its own, registered (İYS holds it) and confirmed, never dispatched. Its idempotency key is
 * İYS's record itself, so two collectors (or two checks) that see the same change write it once.
 * Returns the observed record's id, or null when the ledger knew it already.
 */
export async function writeObserved(
  deps: { store: Pick<ConsentStore, 'beliefs' | 'insert'>; now: () => number; emit: EmitReadback },
  key: Key,
  shown: ShownConsent,
  by: Observer,
  drift: Exclude<DriftKind, 'missing'>,
): Promise<string | null> {
  const k = keyOf(key);
  const belief = (await deps.store.beliefs([k])).get(k);
  if (belief && belief.status === shown.status && belief.consentDate === shown.consentDate) return null;
  const at = deps.now();
  const record = { ...key, status: shown.status, consentDate: shown.consentDate, source: shown.source as IysRecord['source'] };
  const { ids, duplicate } = await deps.store.insert(
    [{
      record,
      evidence: {
        rawRecipient: key.recipient, clientConsentDate: null, receivedAt: at, channels: key.type, noticeVersion: null, noticeHash: null,
        noticeLang: null, pageUrl: null, origin: null, ip: null, userAgent: null, widgetVersion: null, idempotencyKey: null,
        noticeMatch: null, noticeRegistered: null, formTokenAgeMs: null,
      },
      observed: { by, drift, at, extras: shown.extras },
    }],
    `iys-observed|${k}|${shown.status}|${shown.source}|${shown.consentDate}`,
  );
  if (!duplicate) deps.emit({ type: 'drift', kind: drift });
  return ids[0] ?? null;
}

/** The note a check leaves on our record when İYS shows another one. */
export function elsewhereNote(shown: ShownConsent, observedId: string | null, at: number): string {
  const seen = `İYS holds ${shown.status} (source ${shown.source}, consentDate ${shown.consentDate}), made outside the collector`;
  return `${seen}${observedId ? `: observed as record ${observedId}` : ''} (looked up ${formatTurkeyTime(at)})`;
}
