import { html, nothing } from 'lit';
import type { ConsoleRecord, RecipientView, ReportData, ReportRecord } from '../shared/console-api.ts';
import { dash, turkey } from './format.ts';
import type { TextKey } from './i18n.ts';

/**
 * What read-back and proof add to a record, for the recipient page and the report page: İYS's
 * confirmation (or why not), an observed record's İYS fields, the notice registry's match and the
 * registered text, the SMS code and the form token's age. Rendered into the callers' `dl.facts`.
 */

type Tx = (key: TextKey, vars?: Record<string, string | number>) => string;
type Notice = RecipientView['notices'][number] | ReportData['notices'][number];

const row = (tx: Tx, key: TextKey, value: string) => html`<dt>${tx(key)}</dt><dd>${value}</dd>`;

/** The notice registry's judgement of a record's notice, in words. */
export function matchWords(tx: Tx, match: string | null, registered: string | null): string {
  if (match === 'matched') return tx('matchMatched', { v: dash(registered) });
  if (match === 'unmatched') return tx('matchUnmatched');
  if (match === 'no-notice') return tx('matchNoNotice');
  return '—';
}

/** The registered text a matched notice stands for, folded: it may be long. */
export function noticeText(tx: Tx, notices: readonly Notice[], version: string | null, hash: string | null, lang: string | null) {
  const n = notices.find((x) => x.version === version && x.hash === hash && (lang === null || x.lang === lang))
    ?? notices.find((x) => x.version === version && x.hash === hash);
  if (!n) return nothing;
  return html`<details class="notice-text"><summary>${tx('noticeTextTitle', { v: n.version, l: n.lang })}</summary>
    <blockquote>${n.text}</blockquote></details>`;
}

/** Proof rows of the console's record: the match, the SMS code, the form token's age. */
export function proofRows(tx: Tx, r: ConsoleRecord) {
  const e = r.evidence;
  const v = e.verification;
  return html`${row(tx, 'noticeMatch', matchWords(tx, e.noticeMatch, e.noticeRegistered))}
    ${v ? row(tx, 'verification', tx('verificationLine', { m: v.method, s: turkey(new Date(v.sentAt).toISOString()), v: turkey(new Date(v.verifiedAt).toISOString()), a: v.attempts })) : nothing}
    ${e.formTokenAgeMs !== null ? row(tx, 'tokenAge', tx('seconds', { s: (e.formTokenAgeMs / 1000).toFixed(1) })) : nothing}`;
}

/** Read-back's finding for a record of the console: confirmed when, superseded or flagged with İYS's words; observed with İYS's fields. */
export function readbackRows(tx: Tx, r: ConsoleRecord) {
  if (r.observed) {
    return html`${row(tx, 'observedBadge', `${r.observed.by} · ${tx(r.observed.drift === 'status' ? 'driftStatus' : 'driftRecord')}`)}
      ${r.observed.iys ? row(tx, 'iysFields', Object.entries(r.observed.iys).map(([k, x]) => `${k}: ${String(x)}`).join(', ')) : nothing}
      ${row(tx, 'confirmedAtLabel', turkey(r.confirmedAt))}`;
  }
  if (!r.check) return nothing;
  return html`${row(tx, 'checkLabel', tx(`check.${r.check.state}`))}
    ${r.confirmedAt ? row(tx, 'confirmedAtLabel', turkey(r.confirmedAt)) : nothing}
    ${r.check.checkedAt ? row(tx, 'checkedAtLabel', turkey(r.check.checkedAt)) : nothing}
    ${r.check.note ? row(tx, 'checkNote', r.check.note) : nothing}`;
}

/** The channel's line about İYS: the record it holds according to the ledger, confirmed or not. */
export function channelConfirmation(tx: Tx, records: readonly ConsoleRecord[]): string {
  const held = records.filter((r) => r.state === 'registered').at(-1);
  if (!held) return '';
  if (held.observed) return tx('channelObserved', { s: held.source, t: turkey(held.confirmedAt) });
  if (held.check?.state === 'confirmed' && held.confirmedAt) return tx('channelConfirmed', { t: turkey(held.confirmedAt) });
  return tx('channelCheck', { s: tx(`check.${held.check?.state ?? 'pending'}`) });
}

/** The same for the report's record (times there are Turkey time already). */
export function reportProofRows(tx: Tx, r: ReportRecord) {
  const e = r.evidence;
  const v = e.verification;
  const rb = r.readback;
  return html`${row(tx, 'noticeMatch', matchWords(tx, e.notice.match, e.notice.registered))}
    ${v ? row(tx, 'verification', tx('verificationLine', { m: v.method, s: v.sentAt, v: v.verifiedAt, a: v.attempts })) : nothing}
    ${e.formTokenAgeMs !== null ? row(tx, 'tokenAge', tx('seconds', { s: (e.formTokenAgeMs / 1000).toFixed(1) })) : nothing}
    ${r.observed ? row(tx, 'observedBadge', `${r.observed.by} · ${tx(r.observed.drift === 'status' ? 'driftStatus' : 'driftRecord')}`) : nothing}
    ${r.observed ? row(tx, 'iysFields', Object.entries(r.observed.iys).map(([k, x]) => `${k}: ${String(x)}`).join(', ') || '—') : nothing}
    ${rb.checkState ? row(tx, 'checkLabel', tx(`check.${rb.checkState}`)) : nothing}
    ${rb.confirmedAt ? row(tx, 'confirmedAtLabel', rb.confirmedAt) : nothing}
    ${rb.checkNote ? row(tx, 'checkNote', rb.checkNote) : nothing}`;
}
