import { publicReason, type StoredRecordWithEvidence } from '../stores/store.ts';
import { neutraliseFormulas } from '../../shared/spreadsheet-safe.ts';
import { parseTurkeyTime } from '../../shared/turkey-time.ts';
import { consentReceiptSchema, type ConsentReceipt } from '../../shared/admin-api.ts';

/**
 * One ledger record as an audit receipt. Field names follow the Kantara Consent Receipt v1.1 and
 * ISO/IEC TS 27560 where a term fits (piiPrincipalId, consentTimestamp, collectionMethod, purpose,
 * jurisdiction, language); İYS-specific facts keep İYS's own words.
 */
export const EXPORT_VERSION = 'iys-consent-export/1';
export const PURPOSE = 'commercial electronic messages (Law 6563)';

/** The columns, in the schema's order: the CSV header and /openapi.json cannot drift apart. */
export const RECEIPT_FIELDS = Object.keys(consentReceiptSchema.shape) as (keyof ConsentReceipt)[];

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function toReceipt(r: StoredRecordWithEvidence): ConsentReceipt {
  const e = r.evidence;
  return {
    version: EXPORT_VERSION,
    consentReceiptId: r.id,
    jurisdiction: 'TR' as const,
    piiPrincipalId: r.recipient,
    piiPrincipalIdAsEntered: e.rawRecipient,
    piiPrincipalType: r.recipientType,
    purpose: PURPOSE,
    channel: r.type,
    consentStatus: r.status,
    consentEvent: r.status === 'ONAY' ? 'given' : 'withdrawn',
    consentTimestamp: iso(parseTurkeyTime(r.consentDate) ?? null),
    consentDate: r.consentDate,
    clientConsentDate: e.clientConsentDate,
    collectionMethod: r.source,
    channelsPresented: e.channels,
    noticeVersion: e.noticeVersion,
    noticeHash: e.noticeHash,
    noticeMatch: e.noticeMatch,
    noticeRegistered: e.noticeRegistered,
    language: e.noticeLang,
    pageUrl: e.pageUrl,
    origin: e.origin,
    ipAddress: e.ip,
    userAgent: e.userAgent,
    widgetVersion: e.widgetVersion,
    idempotencyKey: e.idempotencyKey,
    formTokenAgeMs: e.formTokenAgeMs,
    verificationMethod: e.verification?.method ?? null,
    verificationSentAt: iso(e.verification?.sentAt ?? null),
    verifiedAt: iso(e.verification?.verifiedAt ?? null),
    verificationAttempts: e.verification?.attempts ?? null,
    verificationMessageId: e.verification?.messageId ?? null,
    receivedAt: iso(r.receivedAt),
    state: r.state,
    stateReason: publicReason(r),
    attempts: r.attempts,
    registeredAt: iso(r.registeredAt),
    deadlineAt: iso(r.deadlineAt),
    confirmedAt: iso(r.confirmedAt),
    checkState: r.checkState,
    checkNote: r.checkNote,
    observedBy: r.observedBy,
    drift: r.drift,
  };
}

export function ndjsonLine(receipt: ConsentReceipt): string {
  return `${JSON.stringify(receipt)}\n`;
}

const NEEDS_QUOTES = /[",\r\n;]|^\s|\s$/;

/**
 * One CSV cell: text is neutralised against formula injection however the file is split (by `,` or
 * `;`), and anything with a separator, quote or line break is quoted. Numbers are counts, never negative.
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  const text = typeof value === 'string' ? neutraliseFormulas(value) : String(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvHeader(): string {
  return `${RECEIPT_FIELDS.join(',')}\r\n`;
}

export function csvLine(receipt: ConsentReceipt): string {
  return `${RECEIPT_FIELDS.map((f) => csvCell(receipt[f])).join(',')}\r\n`;
}

/**
 * The bounds of an export: an ISO 8601 instant (`2026-11-26T13:05:09Z`, with offset), a date
 * `YYYY-MM-DD` (midnight Turkey time), or Turkey time `YYYY-MM-DD HH:MM:SS`. Undefined when unreadable.
 */
export function parseExportBound(text: string): number | undefined {
  const t = text.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) return parseTurkeyTime(`${t} 00:00:00`);
  const turkey = parseTurkeyTime(t);
  if (turkey !== undefined) return turkey;
  // ISO instants only with an explicit zone: a bare local time would depend on the server's zone.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(t)) return undefined;
  const ms = Date.parse(t);
  return Number.isFinite(ms) ? ms : undefined;
}
