import type { IysRecord } from '../../shared/iys-record.ts';
import { keyOf } from '../../shared/iys-record.ts';
import { DEADLINE_MS, parseTurkeyTime } from '../../shared/turkey-time.ts';
import { verificationEvidenceSchema } from '../../shared/verification.ts';
import { INSERT_COLUMNS, OUTBOX_COLUMNS, type ATTEMPTS, type InsertRow, type ReadRow, type RECORDS } from './schema.ts';
import type { Attempt, Evidence, NewRecord, StoredRecord, StoredRecordWithEvidence } from './store.ts';

/**
 * The one mapping between the ledger's rows (schema.ts) and domain objects, for both stores.
 * PostgreSQL returns BIGINT as text, SQLite as number: every integer goes through numeric().
 */
export type RecordRow = ReadRow<typeof RECORDS>;
/** A record row without its evidence (OUTBOX_COLUMNS): what the dispatcher reads. */
export type OutboxRow = Pick<RecordRow, (typeof OUTBOX_COLUMNS)[number]>;
export type AttemptRow = ReadRow<typeof ATTEMPTS>;

export const numeric = (v: number | string): number => (typeof v === 'number' ? v : Number(v));
export const numericOrNull = (v: number | string | null): number | null => (v === null ? null : numeric(v));

/** One collector = one brand, so the key is stored without a brand code. */
export function recordKey(r: IysRecord): string {
  return keyOf(r);
}

function insertRow(id: string, n: NewRecord, idempotencyKey: string | null): InsertRow<typeof RECORDS> {
  const { record: r, evidence: e } = n;
  const consentMs = parseTurkeyTime(r.consentDate);
  if (consentMs === undefined) throw new RangeError(`consentDate is not a Turkey time: ${JSON.stringify(r.consentDate)}`);
  return {
    id, key: recordKey(r), recipient: r.recipient, recipient_type: r.recipientType, type: r.type, status: r.status,
    source: r.source, consent_date: r.consentDate, consent_ms: consentMs, deadline_at: consentMs + DEADLINE_MS,
    received_at: e.receivedAt, state: 'pending', attempts: 0, raw_recipient: e.rawRecipient,
    client_consent_date: e.clientConsentDate, channels: e.channels, notice_version: e.noticeVersion,
    notice_hash: e.noticeHash, notice_lang: e.noticeLang, page_url: e.pageUrl, origin: e.origin, ip: e.ip,
    user_agent: e.userAgent, widget_version: e.widgetVersion, idempotency_key: idempotencyKey ?? e.idempotencyKey,
    requeue_of: n.requeueOf ?? null, verification: e.verification === undefined ? null : JSON.stringify(e.verification),
    notice_match: e.noticeMatch,
    notice_registered: e.noticeRegistered, form_token_age_ms: e.formTokenAgeMs,
    ...observedColumns(n.observed),
  };
}

/** An observed record is stored as İYS holds it: registered and confirmed at once, never dispatched. */
function observedColumns(o: NewRecord['observed']) {
  if (!o) {
    return { registered_at: null, confirmed_at: null, checked_at: null, check_state: null, observed_by: null, drift: null, iys_extras: null } as const;
  }
  const extras = Object.keys(o.extras).length > 0 ? JSON.stringify(o.extras) : null;
  return {
    state: 'registered', registered_at: o.at, confirmed_at: o.at, checked_at: o.at, check_state: 'confirmed',
    observed_by: o.by, drift: o.drift, iys_extras: extras,
  } as const;
}

/** The values of one new row, in INSERT_COLUMNS order. Throws RangeError for a consentDate off the Turkey-time format. */
export function insertValues(id: string, n: NewRecord, idempotencyKey: string | null): unknown[] {
  const row = insertRow(id, n, idempotencyKey);
  return INSERT_COLUMNS.map((c) => row[c]);
}

export function rowToRecord(row: OutboxRow): StoredRecord {
  return {
    id: row.id,
    recipient: row.recipient,
    recipientType: row.recipient_type,
    type: row.type,
    status: row.status,
    source: row.source as IysRecord['source'],
    consentDate: row.consent_date,
    state: row.state,
    deadlineAt: numeric(row.deadline_at),
    receivedAt: numeric(row.received_at),
    attempts: numeric(row.attempts),
    reason: row.reason,
    registeredAt: numericOrNull(row.registered_at),
    doubt: row.doubt,
    requeueOf: row.requeue_of,
    confirmedAt: numericOrNull(row.confirmed_at),
    checkedAt: numericOrNull(row.checked_at),
    checkState: row.check_state,
    checkNote: row.check_note,
    observedBy: row.observed_by,
    drift: row.drift === 'missing' ? null : row.drift,
    iysExtras: row.iys_extras,
  };
}

export function rowToEvidence(row: RecordRow): Evidence {
  return {
    rawRecipient: row.raw_recipient,
    clientConsentDate: row.client_consent_date,
    receivedAt: numeric(row.received_at),
    channels: row.channels,
    noticeVersion: row.notice_version,
    noticeHash: row.notice_hash,
    noticeLang: row.notice_lang,
    pageUrl: row.page_url,
    origin: row.origin,
    ip: row.ip,
    userAgent: row.user_agent,
    widgetVersion: row.widget_version,
    idempotencyKey: row.idempotency_key,
    ...(row.verification === null ? {} : { verification: verificationEvidenceSchema.parse(JSON.parse(row.verification)) }),
    noticeMatch: row.notice_match,
    noticeRegistered: row.notice_registered,
    formTokenAgeMs: numericOrNull(row.form_token_age_ms),
  };
}

export function rowToRecordWithEvidence(row: RecordRow): StoredRecordWithEvidence {
  return { ...rowToRecord(row), evidence: rowToEvidence(row) };
}

export function rowToAttempt(row: AttemptRow): Attempt {
  return {
    at: numeric(row.at),
    outcome: row.outcome,
    code: numericOrNull(row.code),
    message: row.message,
    batchSize: numeric(row.batch_size),
  };
}
