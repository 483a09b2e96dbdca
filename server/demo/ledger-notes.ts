import { keyOf } from '../../shared/iys-record.ts';
import { judgeTransition, type KeyBelief } from '../../shared/state-rules.ts';
import { parseTurkeyTime } from '../../shared/turkey-time.ts';
import type { Doubt, StoredRecord } from '../stores/store.ts';

/**
 * The demo ledger's "last answer" column in words a visitor reads: a record's doubt (store.ts)
 * becomes Turkish, and a refusal the İYS state rules explain says so, since İYS itself answers
 * every refused record with the same generic 422 message.
 */
export function noteOf(reason: string | null, doubt: Doubt | null = null, why?: string): string {
  const base =
    doubt === 'sending' ? 'gönderildi, cevap bekleniyor'
    : doubt === 'lost' ? `cevap kaybolmuştu (İYS'de olabilir): ${reason ?? ''}`
    : reason ?? '';
  return why ? `${base} — ${why}` : base;
}

/**
 * For each rejected record whose refusal follows from the ledger's own registered history
 * (ONAY after ONAY, RET after RET, a first RET), the rule in Turkish, keyed by record id.
 */
export function explainRefusals(records: readonly StoredRecord[]): Map<string, string> {
  const order = [...records].sort(
    (a, b) => (parseTurkeyTime(a.consentDate) ?? 0) - (parseTurkeyTime(b.consentDate) ?? 0) || a.receivedAt - b.receivedAt,
  );
  const beliefs = new Map<string, KeyBelief>();
  const why = new Map<string, string>();
  for (const r of order) {
    const key = keyOf(r);
    if (r.state === 'registered') beliefs.set(key, { status: r.status, consentDate: r.consentDate });
    if (r.state !== 'rejected') continue;
    const verdict = judgeTransition(beliefs.get(key), r);
    if (verdict.verdict === 'redundant') why.set(r.id, 'bu kanal için onay zaten kayıtlı: İYS ONAY ardından ONAY kabul etmez, izin geçerli kalır');
    else if (verdict.verdict === 'refused' && r.status === 'RET') {
      why.set(r.id, beliefs.has(key) ? 'ret zaten kayıtlı: İYS RET ardından RET kabul etmez' : 'bu kanal için önce bir onay olmalı: ilk kayıt RET olamaz');
    }
  }
  return why;
}
